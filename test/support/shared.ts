import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The read-only shared data beside the repository (fixtures, schemas, contracts); absent in a user's clone. */
export const SHARED_DIR = resolve(__dirname, '../../../shared');
export const REPO_DIR = resolve(__dirname, '../..');

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

/**
 * `describe` when ../shared/<part> exists; otherwise a skipped block with a message saying why. CI always has
 * ../shared, so there a missing folder is an error rather than a silent skip.
 */
export function describeWithShared(part: string, name: string, body: () => void): void {
  if (existsSync(sharedPath(part))) {
    describe(name, body);
    return;
  }
  if (process.env.CI) throw new Error(`${sharedPath(part)} is missing, but CI must have ../shared`);
  process.stderr.write(`SKIPPED "${name}": ${sharedPath(part)} not found (it sits beside the repo only in CI)\n`);
  describe.skip(name, body);
}
