/**
 * The promise to a new user: a clone with nothing beside it passes. A `git clone` of this repository's HEAD goes into
 * an empty temp folder (so there is no ../shared beside it; node_modules is this checkout's, linked), and jest runs
 * there the real suites that read ../shared, plus suites that use none, as `npm test` would: it must exit 0, skip the
 * suites that need the data without reading it, and say so in exactly one line whose count is Jest's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUIRE_TEST_HOST } from './support/requirements';

const root = join(__dirname, '..');

/** Every suite that reads ../shared, and whether all of its tests need it (then Jest counts it as skipped). */
const sharedSuites: Record<string, 'whole' | 'part'> = {
  'test/alloy-lint/docs-snippets.test.ts': 'whole',
  'test/alloy-lint/parser.conformance.test.ts': 'whole',
  'test/alloy-lint/printer.conformance.test.ts': 'whole',
  'test/alloy-lint/registry.test.ts': 'part',
  'test/chart/kubernetes-pipeline.test.ts': 'part',
  'test/chart/kubernetes-schema.test.ts': 'whole',
  'test/legacy/dns-cloudflare-emulator.test.ts': 'whole',
};
/** A suite that needs nothing beside the repository: it runs in the clone. */
const plainSuite = 'test/alloy-lint/cli.test.ts';

let dir: string;
let run: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fresh-clone-'));
  const clone = join(dir, 'alloy-deploy');
  const git = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', root, clone], { encoding: 'utf8' });
  if (git.status !== 0) throw new Error(`git clone failed: ${git.stderr}`);
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['CI', REQUIRE_TEST_HOST, 'ALLOY_SHARED_DIR', 'ALLOY_DEPLOY_SKIP_NOTES']) delete env[name];
  const jest = join(clone, 'node_modules/jest/bin/jest.js');
  run = spawnSync(process.execPath, [jest, '--ci', ...Object.keys(sharedSuites), plainSuite], {
    cwd: clone,
    env,
    encoding: 'utf8',
  });
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('nothing is beside the clone', () => {
  expect(existsSync(join(dir, 'shared'))).toBe(false);
});

test('the run exits 0: no suite fails for the missing data', () => {
  expect({ status: run.status, failures: run.stderr.match(/^FAIL .*$/gm) ?? [] }).toEqual({ status: 0, failures: [] });
  expect(run.stderr).not.toMatch(/ENOENT/);
});

test('one line names the skipped suites and why, with the count Jest gives', () => {
  const lines = run.stdout.split('\n').filter((line) => line.startsWith('*** SKIPPED'));
  expect(lines).toHaveLength(1);
  const [line] = lines;
  const whole = Object.keys(sharedSuites).filter((f) => sharedSuites[f] === 'whole');
  const part = Object.keys(sharedSuites).filter((f) => sharedSuites[f] === 'part');
  expect(line).toContain(`*** SKIPPED ${whole.length} suite(s) (${whole.join(', ')})`);
  expect(line).toContain(`tests of ${part.length} more (${part.join(', ')})`);
  expect(line).toMatch(/shared\/alloy\/components\.json, .*absent/);
  expect(line).not.toContain(plainSuite);
  const jestSuites = /^Test Suites: (\d+) skipped, (\d+) passed/m.exec(run.stderr);
  expect(jestSuites?.slice(1)).toEqual([String(whole.length), String(part.length + 1)]);
});

test("the project's summary line agrees with Jest's counts", () => {
  const jestTests = /^Tests: +(\d+) skipped, (\d+) passed/m.exec(run.stderr);
  expect(jestTests).not.toBeNull();
  const [, skipped, passed] = jestTests as RegExpExecArray;
  const whole = Object.values(sharedSuites).filter((k) => k === 'whole').length;
  expect(run.stdout).toContain(
    `tests: ${passed} passed, 0 failed, ${skipped} skipped (suites: ${Object.keys(sharedSuites).length - whole + 1} passed, 0 failed, ${whole} skipped)`,
  );
});
