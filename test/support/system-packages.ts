import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Finds a program the way a shell would, also in the sbin folders a non-root PATH may lack. */
export function findProgram(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * Whether the system programs a suite of real-parts tests needs are there. Missing ones skip the suite with a loud
 * message on a developer's machine, but fail it when CI is set: `.ci/run` installs them, so absence there is a bug.
 * `needsRoot` covers suites that start sshd or add a test user.
 */
export function systemPackagesPresent(
  suite: string,
  programs: readonly string[],
  options: { needsRoot?: boolean } = {},
): boolean {
  const missing = programs.filter((p) => findProgram(p) === null);
  const problems = missing.map((p) => `program ${p} not found`);
  if (options.needsRoot && process.getuid?.() !== 0) problems.push('must run as root');
  if (problems.length === 0) return true;
  const message =
    `${suite}: ${problems.join(', ')}. Install the test host packages ` +
    '(apt-get install openssh-server podman runc busybox-static unbound dnsutils docker-registry; see .ci/run).';
  if (process.env.CI) throw new Error(`${message} CI is set, so this is an error, not a skip.`);
  process.stderr.write(`\n*** SKIPPING ${message}\n\n`);
  return false;
}
