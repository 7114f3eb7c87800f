/**
 * The run's own summary (test/support/summary-reporter.js): a suite that failed to run counts as failed, and the
 * skip line counts suites as Jest does (a file whose every test was skipped) and names them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// biome-ignore lint/suspicious/noExplicitAny: the reporter is plain JavaScript
const SummaryReporter: any = require('./support/summary-reporter');

/** Jest's aggregated results as the reporter reads them: three suites failed to run, one ran, one was skipped. */
function results(root: string) {
  return {
    numPassedTests: 5,
    numFailedTests: 0,
    numPendingTests: 1,
    numTodoTests: 0,
    numPassedTestSuites: 1,
    numFailedTestSuites: 3,
    numPendingTestSuites: 1,
    numRuntimeErrorTestSuites: 3,
    testResults: [
      { testFilePath: join(root, 'test/a.test.ts'), skipped: true },
      { testFilePath: join(root, 'test/b.test.ts'), skipped: false },
    ],
  };
}

function report(notes: object[]): string {
  const root = '/repo';
  const dir = mkdtempSync(join(tmpdir(), 'skip-notes-'));
  for (const [i, n] of notes.entries()) writeFileSync(join(dir, `${i}.json`), JSON.stringify(n));
  const saved = process.env.ALLOY_DEPLOY_SKIP_NOTES;
  process.env.ALLOY_DEPLOY_SKIP_NOTES = dir;
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((t) => {
    out += String(t);
    return true;
  });
  try {
    new SummaryReporter({ rootDir: root }).onRunComplete(undefined, results(root));
  } finally {
    spy.mockRestore();
    process.env.ALLOY_DEPLOY_SKIP_NOTES = saved;
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

test("suites that failed to run count as failed tests, and the suite counts are Jest's", () => {
  expect(report([])).toBe('\ntests: 5 passed, 3 failed, 1 skipped (suites: 1 passed, 3 failed, 1 skipped)\n');
});

test('one skip line: the whole suites counted as Jest counts them, a file skipped in part named apart', () => {
  const note = (file: string, suite: string) => ({
    suite,
    file: `/repo/${file}`,
    packages: [],
    root: false,
    paths: ['/shared/alloy'],
  });
  const lines = report([
    note('test/a.test.ts', 'first block'),
    note('test/a.test.ts', 'second block'),
    note('test/b.test.ts', 'one block'),
  ])
    .split('\n')
    .filter((l) => l.startsWith('*** SKIPPED'));
  expect(lines).toEqual([
    "*** SKIPPED 1 suite(s) (test/a.test.ts) and tests of 1 more (test/b.test.ts): /shared/alloy absent (the upstream corpora and schemas beside the repo: CI's conformance suites) ***",
  ]);
});

test('a note of a gate of its own (no test file, its own reason) is named by its block, with its reason', () => {
  const lines = report([
    { suite: 'on the real Alloy', packages: [], root: false, paths: [], other: 'Go is not installed' },
  ])
    .split('\n')
    .filter((l) => l.startsWith('*** SKIPPED'));
  expect(lines).toEqual(['*** SKIPPED tests of 1 suite(s) ("on the real Alloy"): Go is not installed ***']);
});
