import { join, resolve } from 'node:path';
import { describeNeeding } from './requirements';

/** The read-only shared data beside the repository (fixtures, schemas, contracts); absent in a user's clone. */
export const SHARED_DIR = resolve(__dirname, '../../../shared');
export const REPO_DIR = resolve(__dirname, '../..');

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

/** `describe` when ../shared/<part> exists (see requirements.ts for what happens when it does not). */
export function describeWithShared(part: string, name: string, body: () => void): void {
  describeNeeding({ paths: [sharedPath(part)] }, name, body);
}
