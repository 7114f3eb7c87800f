/** Locating the shared upstream fixtures (../shared/alloy); tests that need them skip when it is absent. */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { needsMet } from '../support/requirements';

// ALLOY_SHARED_DIR lets one check the behaviour of a clone without the shared data.
export const SHARED_ALLOY = process.env.ALLOY_SHARED_DIR ?? resolve(__dirname, '../../../shared/alloy');
export const HAVE_SHARED = needsMet('Alloy upstream fixtures', { paths: [join(SHARED_ALLOY, 'components.json')] });

/** describe() when the shared fixtures exist, describe.skip() otherwise. */
export const describeShared = HAVE_SHARED ? describe : describe.skip;

/** Fixture file names; a placeholder row when the fixtures are absent (it.each refuses an empty table). */
export function filesIn(subdir: string, suffix: string): string[] {
  if (!HAVE_SHARED) return ['(fixtures absent)'];
  return readdirSync(join(SHARED_ALLOY, subdir))
    .filter((f) => f.endsWith(suffix))
    .sort();
}
