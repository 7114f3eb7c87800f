/** alloy-lint --sarif: a SARIF 2.1.0 log that the official schema accepts, with one result per finding. */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { EXIT_ERRORS, EXIT_USAGE, run } from '../../alloy-lint/cli/cli';
import { removeTempConfigs, tempConfig } from './temp-config';

afterEach(removeTempConfigs);

// The schema as OASIS published it, shipped in @microsoft/jest-sarif (a devDependency for this file only). It is
// draft-04 and has a pattern that is not valid as a unicode regular expression, hence ajv-draft-04 without /u.
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as object;
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv); // uri, date-time, ... are checked, not ignored
const validate = ajv.compile(schema);

function cli(...args: string[]) {
  let out = '';
  const code = run(args, { out: (t) => (out += t), err: () => {} });
  return { code, out };
}

const CONFIG = `otelcol.receiver.otlp "default" {
  grpc {
    endpoint = "0.0.0.0:4317"

    tls {
      reload_intervall = "1h"
    }
  }

  output {
    traces = [otelcol.exporter.otlp.missing.input]
  }
}

otelcol.processor.batch "b" {
  timeout = 5

  output {
    traces = []
  }
}
`;

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[];
}

test('the log validates against the SARIF 2.1.0 schema and holds every finding with its rule, level and place', () => {
  const dir = tempConfig({ 'collect otlp.alloy': CONFIG });
  const r = cli('--sarif', '--alloy-version', 'v1.10.1', dir);
  expect(r.code).toBe(EXIT_ERRORS);
  const log = JSON.parse(r.out);
  expect(validate(log) ? [] : validate.errors).toEqual([]);
  expect(log.version).toBe('2.1.0');
  const run0 = log.runs[0];
  expect(run0.tool.driver.name).toBe('alloy-lint');
  const results = run0.results as SarifResult[];
  const uri = encodeURI(relative(process.cwd(), join(dir, 'collect otlp.alloy')));
  expect(results.map((x) => [x.ruleId, x.level, x.locations[0].physicalLocation.region?.startLine])).toEqual(
    [
      ['unknown-attribute', 'error', 6],
      ['reference', 'error', 11],
      ['wrong-kind', 'error', 16],
      ['dead-end', 'warning', 15],
    ].sort((a, b) => (a[2] as number) - (b[2] as number)),
  );
  for (const x of results) {
    expect(x.locations[0].physicalLocation.artifactLocation.uri).toBe(uri);
    expect(run0.tool.driver.rules[x.ruleIndex].id).toBe(x.ruleId);
  }
  expect(results[0].message.text).toMatch(/has no attribute "reload_intervall" in Alloy v1.10.0/);
});

test('a finding without a line (an empty folder) has a location without a region; the log still validates', () => {
  const r = cli('--sarif', tempConfig({}));
  const log = JSON.parse(r.out);
  expect(validate(log) ? [] : validate.errors).toEqual([]);
  expect(log.runs[0].results[0].locations[0].physicalLocation.region).toBeUndefined();
});

test('--sarif excludes --json and --fmt', () => {
  expect(cli('--sarif', '--json', tempConfig({ 'a.alloy': CONFIG })).code).toBe(EXIT_USAGE);
});
