/**
 * `npm run test:all [-- jest args]`: the whole suite with nothing skipped. On Debian or Ubuntu it first installs
 * the test host's system packages that are missing (legacy/sandbox/host-packages.json says what each is for), as root or
 * through sudo, without starting their services (the tests start their own on 127.0.0.1 and stop them). Then it
 * runs jest with ALLOY_DEPLOY_REQUIRE_TEST_HOST set, so a suite that still lacks a program fails instead of
 * skipping. The integration tests need root (they add a throw-away system user and run sshd and rootful podman),
 * so for another user jest runs through sudo too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findProgram, hostPackages } from '../legacy/sandbox/programs';
import { realAlloyImage, realAlloyMissing, testAlloyRelease } from '../test/support/real-alloy';
import { REQUIRE_TEST_HOST } from '../test/support/requirements';

const root = join(__dirname, '..');
const isRoot = process.getuid?.() === 0;

function fail(message: string): never {
  process.stderr.write(`test:all: ${message}\n`);
  process.exit(1);
}

/** Runs a command as root: directly when we are root, else through sudo. Returns its exit status. */
function asRoot(argv: readonly string[]): number {
  const [command, ...args] = isRoot ? argv : ['sudo', ...argv];
  const r = spawnSync(command, args, { stdio: 'inherit' });
  if (r.error) fail(`${command}: ${r.error.message}`);
  return r.status ?? 1;
}

function debianLike(): boolean {
  if (!existsSync('/etc/os-release') || findProgram('apt-get') === null) return false;
  return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(readFileSync('/etc/os-release', 'utf8'));
}

function installMissing(): void {
  const missing = Object.entries(hostPackages.packages).filter(([, p]) => !p.programs.every(findProgram));
  if (missing.length === 0) return;
  const names = missing.map(([name]) => name);
  if (!debianLike())
    fail(
      `not Debian or Ubuntu: install ${names.join(', ')} (Debian's names) yourself, or run \`npm test\`, which skips what needs them`,
    );
  if (!isRoot && findProgram('sudo') === null)
    fail(`to install ${names.join(', ')} run this as root (there is no sudo)`);
  process.stderr.write(`test:all: installing the test host's packages${isRoot ? '' : ' through sudo'}:\n`);
  for (const [name, p] of missing) process.stderr.write(`  ${name} (${p.programs.join(', ')}): ${p.why}\n`);
  // policy-rc.d is Debian's switch that keeps a package's own service from starting on install (sshd, unbound, a
  // registry on :5000).
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) asRoot(['sh', '-c', 'printf "#!/bin/sh\\nexit 101\\n" >"$1" && chmod +x "$1"', 'sh', policy]);
  try {
    if (asRoot(['apt-get', 'update', '-qq']) !== 0) fail('apt-get update failed');
    const install = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...names];
    if (asRoot(install) !== 0) fail(`apt-get install ${names.join(' ')} failed`);
  } finally {
    if (ownPolicy) asRoot(['rm', '-f', policy]);
  }
}

function runJest(): never {
  const jest = [process.execPath, require.resolve('jest/bin/jest'), ...process.argv.slice(2)];
  const env = { ...process.env, [REQUIRE_TEST_HOST]: '1' };
  if (!isRoot) process.stderr.write('test:all: the integration tests need root: running jest through sudo\n');
  const argv = isRoot ? jest : ['sudo', '--preserve-env', 'env', `PATH=${process.env.PATH}`, ...jest];
  const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', cwd: root, env });
  process.exit(r.status ?? 1);
}

/**
 * Builds the real Alloy the suites run (test/support/real-alloy.ts: the stacks' pin, or the nearest release the Go
 * module proxy builds) before jest starts, so its progress line is seen, not buried in a test worker's output.
 * Cached: a no-op once built.
 */
async function buildRealAlloy(): Promise<void> {
  const missing = realAlloyMissing();
  if (missing !== undefined) {
    process.stderr.write(
      `test:all: ${missing}: the suites on the real Alloy will ${process.env.CI ? 'fail' : 'be skipped'}\n`,
    );
    return;
  }
  try {
    const { release, note } = testAlloyRelease();
    if (note) process.stderr.write(`test:all: ${note}\n`);
    await realAlloyImage(release);
  } catch (e) {
    fail((e as Error).message);
  }
}

installMissing();
buildRealAlloy().then(runJest);
