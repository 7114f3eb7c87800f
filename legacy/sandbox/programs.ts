/**
 * Finding the test host's programs, and the Debian package of each (host-packages.json): one list for
 * `legacy-deploy sandbox up`, the tests' gate (test/support/requirements.ts) and `npm run test:all`'s installer.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import hostPackages from './host-packages.json';

export { hostPackages };

/**
 * Where programs are looked up: PATH and the sbin folders a non-root PATH may lack. `ALLOY_DEPLOY_TEST_PATH`
 * replaces that list, so that the gate's own tests can stand for a machine without the packages.
 */
function programDirs(): string[] {
  const override = process.env.ALLOY_DEPLOY_TEST_PATH;
  if (override !== undefined) return override.split(delimiter);
  return [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
}

/** Finds a program the way a shell would (see programDirs). */
export function findProgram(name: string): string | null {
  for (const dir of programDirs()) {
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

/** The Debian package that provides `program`, per host-packages.json. */
export function packageOf(program: string): string {
  for (const [name, entry] of Object.entries(hostPackages.packages)) if (entry.programs.includes(program)) return name;
  throw new Error(`legacy/sandbox/host-packages.json names no package for the program ${program}: add it there`);
}

/** The Debian packages of the programs of `programs` this machine lacks, sorted, each once. */
export function missingPackages(programs: readonly string[]): string[] {
  return [...new Set(programs.filter((p) => findProgram(p) === null).map(packageOf))].sort();
}
