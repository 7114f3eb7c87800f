// Ends the run with the plain line CI reads whatever the runner, `tests: N passed, N failed, N skipped (suites: ...)`,
// and, when suites were skipped for something this machine lacks, one loud line before it that names those suites
// and what to install or where the data is missing. Both count as Jest does: a suite that failed to run counts as
// one failed test (Jest's own test count leaves it out, and the run would read `0 failed`), and the skipped suites
// are the ones Jest reports as skipped (every test skipped).
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { relative } = require('node:path');

/** The notes skipped suites left (test/support/requirements.ts), removed once read. */
function takeSkipNotes() {
  const dir = process.env.ALLOY_DEPLOY_SKIP_NOTES;
  if (!dir) return [];
  let notes = [];
  try {
    notes = readdirSync(dir).map((name) => JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')));
  } catch {
    // no folder: nothing was skipped
  }
  rmSync(dir, { recursive: true, force: true });
  return notes;
}

/**
 * One line saying what was skipped and why, or undefined when nothing was. `skippedFiles`: the test files Jest counts
 * as skipped suites; a gated file with tests that ran is named as skipped in part.
 */
function skipLine(notes, skippedFiles = new Set(), rootDir = process.cwd()) {
  if (notes.length === 0) return undefined;
  const packages = [...new Set(notes.flatMap((n) => n.packages))].sort();
  const paths = [...new Set(notes.flatMap((n) => n.paths))].sort();
  const needRoot = notes.some((n) => n.root);
  const why = [];
  if (packages.length > 0) why.push(`packages ${packages.join(', ')} not installed`);
  if (needRoot) why.push('not root');
  if (paths.length > 0)
    why.push(`${paths.join(', ')} absent (the upstream corpora and schemas beside the repo: CI's conformance suites)`);
  // A gate of its own (the real Alloy needs Go) says why in its own words.
  why.push(...new Set(notes.flatMap((n) => (n.other ? [n.other] : []))));
  const fix = packages.length > 0 || needRoot ? '; `npm run test:all` installs the packages and runs everything' : '';
  const files = [...new Set(notes.map((n) => n.file).filter((f) => f !== undefined))].sort();
  const name = (f) => relative(rootDir, f);
  const whole = files.filter((f) => skippedFiles.has(f)).map(name);
  // A note without its test file (written outside requirements.ts) is named by its block.
  const unplaced = [...new Set(notes.filter((n) => n.file === undefined).map((n) => `"${n.suite}"`))];
  const part = [...files.filter((f) => !skippedFiles.has(f)).map(name), ...unplaced];
  const what = [];
  if (whole.length > 0 || part.length === 0) what.push(`${whole.length} suite(s) (${whole.join(', ')})`);
  if (part.length > 0)
    what.push(`tests of ${part.length} ${whole.length > 0 ? 'more' : 'suite(s)'} (${part.join(', ')})`);
  return `*** SKIPPED ${what.join(' and ')}: ${why.join('; ')}${fix} ***`;
}

/** The summary line: Jest's counts, with each suite that failed to run counted as a failed test. */
function summaryLine(results) {
  const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  const skipped = results.numPendingTests + results.numTodoTests;
  const suites = `suites: ${results.numPassedTestSuites} passed, ${results.numFailedTestSuites} failed, ${results.numPendingTestSuites} skipped`;
  return `tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped (${suites})`;
}

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig?.rootDir ?? process.cwd();
  }

  onRunComplete(_contexts, results) {
    const skippedFiles = new Set(results.testResults.filter((r) => r.skipped).map((r) => r.testFilePath));
    const skipped = skipLine(takeSkipNotes(), skippedFiles, this.rootDir);
    if (skipped) process.stdout.write(`\n${skipped}\n`);
    process.stdout.write(`\n${summaryLine(results)}\n`);
  }
}
module.exports = SummaryReporter;
module.exports.skipLine = skipLine;
module.exports.summaryLine = summaryLine;
