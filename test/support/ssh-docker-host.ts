/**
 * The tests' NAS is `legacy-deploy sandbox`'s host (legacy/sandbox/host.ts), so the sandbox a user rehearses on is
 * the host these tests prove legacy-deploy against. This file adds only the tests' gate.
 */
import { hostPrograms, registryPrograms } from '../../legacy/sandbox/host';
import { needsMet } from './requirements';

export * from '../../legacy/sandbox/host';

/** True when the host (with its registry, if asked for) can be started; otherwise skips loudly (or throws under CI). */
export function sshDockerHostAvailable(suite: string, options: { registry?: boolean } = {}): boolean {
  const programs = options.registry ? [...hostPrograms, ...registryPrograms] : hostPrograms;
  return needsMet(suite, { programs, root: true });
}
