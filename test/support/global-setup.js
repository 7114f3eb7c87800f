// Jest global setup: a folder where suites skipped for a missing need leave a note (test/support/requirements.ts),
// read and removed by the summary reporter at the end of the run. Test workers inherit the variable.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = () => {
  process.env.ALLOY_DEPLOY_SKIP_NOTES = mkdtempSync(join(tmpdir(), 'alloy-deploy-skips-'));
};
