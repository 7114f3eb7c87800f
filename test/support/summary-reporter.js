// Ends the run with the plain line CI reads whatever the runner, `tests: N passed, N failed, N skipped`, and, when
// suites were skipped for something this machine lacks, one loud line before it that names what to install.
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

/** The notes skipped suites left (test/support/requirements.ts), removed once read. */
function takeSkipNotes() {
  const dir = process.env.ALLOY_DEPLOY_SKIP_NOTES;
  if (!dir) return [];
  let notes = [];
  try {
    notes = readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')));
  } catch {
    // no folder: nothing was skipped
  }
  rmSync(dir, { recursive: true, force: true });
  return notes;
}

/** One line saying what was skipped and why, or undefined when nothing was. */
function skipLine(notes) {
  if (notes.length === 0) return undefined;
  const packages = [...new Set(notes.flatMap((n) => n.packages))].sort();
  const paths = [...new Set(notes.flatMap((n) => n.paths))].sort();
  const needRoot = notes.some((n) => n.root);
  const why = [];
  if (packages.length > 0) why.push(`packages ${packages.join(', ')} not installed`);
  if (needRoot) why.push('not root');
  if (paths.length > 0) why.push(`${paths.join(', ')} absent (project data beside the repo, only in CI)`);
  const fix = packages.length > 0 || needRoot ? '; `npm run test:all` installs the packages and runs everything' : '';
  return `*** SKIPPED ${notes.length} suite(s): ${why.join('; ')}${fix} ***`;
}

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const skipped = skipLine(takeSkipNotes());
    if (skipped) process.stdout.write(`\n${skipped}\n`);
    process.stdout.write(
      `\ntests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
module.exports.skipLine = skipLine;
