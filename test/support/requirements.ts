/**
 * The one gate for tests that need something this machine may lack: system programs (the real test host), root
 * (sshd and a throw-away system user), or the project data in ../shared beside the repository. Every gate behaves
 * the same way:
 * - all there: the tests run;
 * - something missing on a developer's machine: the tests are skipped without running the skipped block's body (so
 *   nothing missing is read at collection), and the run ends with one summary line naming the skipped suites and the
 *   missing Debian packages or data (test/support/summary-reporter.js), exit 0;
 * - something missing where it must not be: an error, not a skip. System programs and root are required under CI
 *   (`CI` set) and under `npm run test:all` (which installs them first); ../shared only under CI, since a user's
 *   clone never has it.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { missingPackages } from '../../legacy/sandbox/programs';

export { findProgram, packageOf } from '../../legacy/sandbox/programs';

export interface Needs {
  /** Programs looked up on PATH and in the sbin folders, each from a package of legacy/sandbox/host-packages.json. */
  readonly programs?: readonly string[];
  /** Whether the tests must run as root (they start sshd, add a system user, run rootful podman). */
  readonly root?: boolean;
  /** Paths that must exist, e.g. `../shared/k8s` (absolute). */
  readonly paths?: readonly string[];
}

/** Set by `npm run test:all`: the test host's packages were installed, so a missing one is a failure. */
export const REQUIRE_TEST_HOST = 'ALLOY_DEPLOY_REQUIRE_TEST_HOST';
/** Set by jest's global setup: the folder where skipped suites leave a note for the summary line. */
export const SKIP_NOTES = 'ALLOY_DEPLOY_SKIP_NOTES';

export interface Unmet {
  readonly packages: readonly string[];
  readonly root: boolean;
  readonly paths: readonly string[];
  /** A need no package or path names (a gate's own reason, e.g. the real Alloy's Go). */
  readonly other?: string;
}

/** What of `needs` this machine lacks. */
export function unmetNeeds(needs: Needs): Unmet {
  return {
    packages: missingPackages(needs.programs ?? []),
    root: needs.root === true && process.getuid?.() !== 0,
    paths: (needs.paths ?? []).filter((p) => !existsSync(p)),
  };
}

function describeUnmet(unmet: Unmet): string {
  const parts: string[] = [];
  if (unmet.packages.length > 0) parts.push(`packages not installed: ${unmet.packages.join(', ')}`);
  if (unmet.root) parts.push('not running as root');
  if (unmet.paths.length > 0) parts.push(`missing: ${unmet.paths.map((p) => resolve(p)).join(', ')}`);
  if (unmet.other) parts.push(unmet.other);
  return parts.join('; ');
}

/**
 * Whether the tests of `suite` can run here. When they cannot: throws where the need is required (see above),
 * otherwise leaves a note for the run's summary line and returns false, so the caller skips.
 */
export function needsMet(suite: string, needs: Needs): boolean {
  return unmetHere(suite, needs) === undefined;
}

/** What of `needs` is missing here (undefined: nothing), after the checks and the note of needsMet. */
function unmetHere(suite: string, needs: Needs): Unmet | undefined {
  const unmet = unmetNeeds(needs);
  const hostMissing = unmet.packages.length > 0 || unmet.root;
  if (!hostMissing && unmet.paths.length === 0) return undefined;
  const required = Boolean(process.env.CI) || (hostMissing && Boolean(process.env[REQUIRE_TEST_HOST]));
  if (required) {
    const why = process.env.CI ? 'CI is set' : `${REQUIRE_TEST_HOST} is set (npm run test:all)`;
    throw new Error(`${suite}: ${describeUnmet(unmet)}. ${why}, so this is an error, not a skip.`);
  }
  leaveSkipNote(suite, unmet);
  return unmet;
}

/**
 * `describe` when `needs` are met here, otherwise a skipped block (or an error where they are required). A skipped
 * block's body is never run: Jest runs the body of a `describe.skip` to collect its tests, and a body may read
 * what is missing (a folder of ../shared) right away. One skipped test stands in for the block's tests, so Jest
 * counts the suite as skipped rather than refusing a file without tests.
 */
export function describeNeeding(needs: Needs, name: string, body: () => void): void {
  const unmet = unmetHere(name, needs);
  if (unmet === undefined) describe(name, body);
  else describe.skip(name, () => test(`needs ${describeUnmet(unmet)}`, () => {}));
}

/** `test` when `needs` are met here, otherwise a skipped test (or an error where they are required). */
export function testNeeding(needs: Needs, name: string, body: () => unknown): void {
  (needsMet(name, needs) ? test : test.skip)(name, body as () => Promise<void>);
}

/** The test file being collected, when this runs inside a Jest worker. */
function currentTestFile(): string | undefined {
  const jestExpect = (globalThis as { expect?: { getState?: () => { testPath?: string } } }).expect;
  return jestExpect?.getState?.().testPath ?? undefined;
}

/** Leaves the summary line's note for a suite skipped for `reason`, a need of a gate of its own. */
export function noteSkip(suite: string, reason: string): void {
  leaveSkipNote(suite, { packages: [], root: false, paths: [], other: reason });
}

function leaveSkipNote(suite: string, unmet: Unmet): void {
  const dir = process.env[SKIP_NOTES];
  if (!dir) {
    // Outside jest's global setup (a bench, a script): say it here.
    process.stderr.write(`*** SKIPPED ${suite}: ${describeUnmet(unmet)}\n`);
    return;
  }
  const name = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`;
  writeFileSync(join(dir, name), JSON.stringify({ suite, file: currentTestFile(), ...unmet }));
}
