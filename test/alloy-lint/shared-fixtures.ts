/** Locating the shared upstream fixtures (../shared/alloy); tests that need them skip when it is absent. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

// ALLOY_SHARED_DIR lets one check the behaviour of a clone without the shared data.
export const SHARED_ALLOY = process.env.ALLOY_SHARED_DIR ?? resolve(__dirname, '../../../shared/alloy');
export const HAVE_SHARED = existsSync(join(SHARED_ALLOY, 'components.json'));

if (!HAVE_SHARED) {
  // One clear line instead of silently passing: the conformance suites below are skipped.
  process.stderr.write(`alloy fixtures: ${SHARED_ALLOY} is absent (a user's clone?); conformance tests are skipped\n`);
}

/** describe() when the shared fixtures exist, describe.skip() otherwise. */
export const describeShared = HAVE_SHARED ? describe : describe.skip;

/** Fixture file names; a placeholder row when the fixtures are absent (it.each refuses an empty table). */
export function filesIn(subdir: string, suffix: string): string[] {
  if (!HAVE_SHARED) return ['(fixtures absent)'];
  return readdirSync(join(SHARED_ALLOY, subdir))
    .filter((f) => f.endsWith(suffix))
    .sort();
}
