import { needsMet } from './requirements';

export { findProgram } from './requirements';

/** Whether the system programs a suite needs are here (and root, with `needsRoot`): see requirements.ts. */
export function systemPackagesPresent(
  suite: string,
  programs: readonly string[],
  options: { needsRoot?: boolean } = {},
): boolean {
  return needsMet(suite, { programs, root: options.needsRoot });
}
