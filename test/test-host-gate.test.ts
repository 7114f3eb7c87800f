/**
 * The promise of the test gate (test/support/requirements.ts), checked on a real jest run of gated suites, with
 * the program lookup pointed at an empty folder so that this machine stands for one without the packages.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUIRE_TEST_HOST } from './support/requirements';

const root = join(__dirname, '..');
const gatedSuites = ['test/legacy/deploy-tar.test.ts', 'test/legacy/deploy-known-hosts.test.ts'];

function jestWithoutPrograms(env: Record<string, string | undefined>) {
  const empty = mkdtempSync(join(tmpdir(), 'no-programs-'));
  try {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, ALLOY_DEPLOY_TEST_PATH: empty };
    delete childEnv.CI;
    delete childEnv[REQUIRE_TEST_HOST];
    for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value;
    return spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--ci', ...gatedSuites], {
      cwd: root,
      env: childEnv,
      encoding: 'utf8',
    });
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}

describe('a machine without the test host packages', () => {
  it('plain npm test skips the suites, names the packages in one summary line, and exits 0', () => {
    const r = jestWithoutPrograms({});
    expect(r.status).toBe(0);
    const summary = r.stdout.split('\n').filter((line) => line.startsWith('*** SKIPPED'));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain('busybox-static');
    expect(summary[0]).toContain('openssh-client');
    expect(summary[0]).toContain('npm run test:all');
  });

  it.each([
    ['CI', { CI: 'true' }],
    ['npm run test:all', { [REQUIRE_TEST_HOST]: '1' }],
  ])('under %s a missing package is an error, not a skip', (_name, env) => {
    const r = jestWithoutPrograms(env);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/packages not installed: [^.]+\. (CI|ALLOY_DEPLOY_REQUIRE_TEST_HOST) is set/);
  });
});
