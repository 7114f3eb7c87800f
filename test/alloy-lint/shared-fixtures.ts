/**
 * Locating the shared upstream fixtures (../shared/alloy); tests that need them skip when it is absent, without
 * reading it (describeNeeding never runs a skipped block's body).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeNeeding } from '../support/requirements';

// ALLOY_SHARED_DIR lets one check the behaviour of a clone without the shared data.
export const SHARED_ALLOY = process.env.ALLOY_SHARED_DIR ?? resolve(__dirname, '../../../shared/alloy');
const MARKER = join(SHARED_ALLOY, 'components.json');

/** Whether the fixtures are here, for a test that only gains extra inputs from them (it skips nothing without). */
export const HAVE_SHARED = existsSync(MARKER);

/** describe() when the shared fixtures exist; otherwise a skipped block whose body is never run. */
export function describeShared(name: string, body: () => void): void {
  describeNeeding({ paths: [MARKER] }, name, body);
}

/** Fixture file names of a folder of the fixtures: call it inside a describeShared body only. */
export function filesIn(subdir: string, suffix: string): string[] {
  return readdirSync(join(SHARED_ALLOY, subdir))
    .filter((f) => f.endsWith(suffix))
    .sort();
}
