/**
 * alloy-lint and the releases: which release judges a folder (in the project, the one its stack file pins), what it
 * says when it has no data for that release, and what it says beyond the findings (--version, --fmt --check).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, type ReleaseOf, run } from '../../alloy-lint/cli/cli';
import { defaultRegistry } from '../../alloy-lint/registry/registry';
import { loadDevStack, loadProdStack } from '../../lib/config/load';
import { projectReleaseOf } from '../../lib/pipeline-releases';
import { REPO_DIR } from '../support/shared';
import { removeTempConfigs, tempConfig } from './temp-config';

afterEach(removeTempConfigs);

function cli(args: string[], releaseOf?: ReleaseOf) {
  let out = '';
  let err = '';
  const code = run(args, { out: (t) => (out += t), err: (t) => (err += t) }, { releaseOf });
  return { code, out, err };
}

const { oldest, newest } = defaultRegistry();
/** A release after every release the registry has (a Renovate bump before the data is refreshed). */
const NEWER = 'v1.99.0';
/** An unknown component and an unknown attribute of a known component: the two kinds of "not in the data". */
const UNKNOWNS =
  'otelcol.receiver.brandnew "x" { }\n\nprometheus.scrape "s" {\n\ttargets     = []\n\tforward_to  = []\n\tnew_setting = 1\n}\n';

test('--version prints the package version and exits 0', () => {
  const r = cli(['--version']);
  const { version } = JSON.parse(readFileSync(join(REPO_DIR, 'package.json'), 'utf8'));
  expect(r).toEqual({ code: EXIT_OK, out: `${version}\n`, err: '' });
});

test('--fmt --check says how many files need formatting and names them (not just "0 error(s)")', () => {
  const dir = tempConfig({
    'a.alloy': 'logging {\n\tlevel = "info"\n}\n',
    'b.alloy': 'logging {\n  level = "info"\n}\n',
  });
  const r = cli(['--fmt', '--check', dir]);
  expect(r.code).toBe(EXIT_ERRORS);
  expect(r.err).toBe(
    `alloy-lint: 1 of 2 file(s) need formatting (${join(dir, 'b.alloy')}): run alloy-lint --fmt --write; 0 error(s), 0 warning(s)\n`,
  );
});

describe('a release newer than the data (a Renovate bump)', () => {
  test('is judged by the newest data, said once, and no finding claims to be the newer release', () => {
    const one = tempConfig({ 'a.alloy': UNKNOWNS });
    const two = tempConfig({ 'a.alloy': UNKNOWNS });
    const r = cli(['--alloy-version', NEWER, one, two]);
    expect(r.out + r.err).not.toContain(`in Alloy ${NEWER}`);
    const notes = r.err.split('\n').filter((l) => l.includes('newer than'));
    expect(notes).toEqual([
      `alloy-lint: Alloy ${NEWER} is newer than the linter's release data (${oldest} to ${newest}): judged by ${newest}'s data, so unknown components and arguments are only warnings (${NEWER} may have added them); refresh the data with \`npm run registry\` (README: "Checking pipelines", the registry) or pin a release it knows`,
    ]);
    expect(r.err).toContain(`alloy-lint: judged as Alloy ${NEWER} with ${newest}'s data (--alloy-version)\n`);
  });

  test('unknown components and unknown attributes are treated alike: warnings naming the data release', () => {
    const dir = tempConfig({ 'a.alloy': UNKNOWNS });
    const r = cli(['--alloy-version', NEWER, dir]);
    expect(r.code).toBe(EXIT_OK);
    const findings = r.out.split('\n').filter((l) => /brandnew|new_setting/.test(l));
    expect(findings).toEqual([
      expect.stringMatching(
        /a\.alloy:1:1: warning: unknown component otelcol\.receiver\.brandnew \(not in Alloy v\S+ /,
      ),
      expect.stringMatching(
        new RegExp(
          `a\\.alloy:6:2: warning: prometheus\\.scrape has no attribute "new_setting" in Alloy ${newest}.*; Alloy ${NEWER} may have it`,
        ),
      ),
    ]);
    // The same pipeline on the newest known release: both are errors, as the data is that release's own.
    const known = cli(['--alloy-version', newest, dir]);
    expect(known.code).toBe(EXIT_ERRORS);
    expect(known.out.split('\n').filter((l) => l.includes(': error: '))).toHaveLength(2);
  });
});

test('a release older than the data is a usage error naming the known range', () => {
  const r = cli(['--alloy-version', 'v1.5.0', tempConfig({ 'a.alloy': UNKNOWNS })]);
  expect(r).toEqual({
    code: EXIT_USAGE,
    out: '',
    err: `alloy-lint: --alloy-version v1.5.0: Alloy v1.5.0 is older than the releases the linter has data for (${oldest} to ${newest}): it cannot judge a pipeline for it\n`,
  });
});

describe('in the project, each folder is judged by the release that will run it', () => {
  /** otelcol.exporter.file exists from v1.13: refused by synth on v1.10.1, passed when judged by the newest. */
  const FILE_EXPORTER =
    'otelcol.exporter.file "f" {\n\tpath = "/tmp/x"\n}\n\notelcol.receiver.otlp "r" {\n\toutput {\n\t\ttraces = [otelcol.exporter.file.f.input]\n\t}\n}\n';
  const project = () =>
    tempConfig({
      'config/prod.yaml': readFileSync(join(REPO_DIR, 'config/prod.yaml'), 'utf8'),
      'config/dev.yaml': readFileSync(join(REPO_DIR, 'config/dev.yaml'), 'utf8').replace(
        'version: v1.10.1',
        'version: v1.13.2',
      ),
      'assets/alloy/a.alloy': FILE_EXPORTER,
      'assets/alloy_legacy/a.alloy': FILE_EXPORTER,
    });

  test("assets/alloy by prod.yaml's version, assets/alloy_legacy by dev.yaml's, each said", () => {
    const root = project();
    const r = cli([join(root, 'assets/alloy'), join(root, 'assets/alloy_legacy')], projectReleaseOf(root));
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toMatch(
      /assets\/alloy\/a\.alloy:1:1: error: unknown component otelcol\.exporter\.file in Alloy v1\.10\.1/,
    );
    expect(r.out).not.toMatch(/alloy_legacy\/a\.alloy:.*error/);
    expect(r.err).toContain(`${join(root, 'assets/alloy')} judged as Alloy v1.10.1 (config/prod.yaml's alloy.version)`);
    expect(r.err).toContain(
      `${join(root, 'assets/alloy_legacy')} judged as Alloy v1.13.2 (config/dev.yaml's alloyLegacy.version)`,
    );
  });

  test('a file of a pipeline folder too; --alloy-version overrides the pin', () => {
    const root = project();
    const file = join(root, 'assets/alloy/a.alloy');
    expect(cli([file], projectReleaseOf(root)).code).toBe(EXIT_ERRORS);
    const chosen = cli(['--alloy-version', 'v1.13.2', file], projectReleaseOf(root));
    expect(chosen.code).toBe(EXIT_OK);
    expect(chosen.err).toContain('judged as Alloy v1.13.2 (--alloy-version)');
  });

  test("the project's entry (bin/alloy-lint.cjs runs lintMain): `alloy-lint assets/alloy` from the checkout", () => {
    const entry = "require('./lib/pipeline-releases').lintMain(['node', 'alloy-lint', 'assets/alloy'], process.cwd())";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', entry], { cwd: REPO_DIR, encoding: 'utf8' });
    const prod = loadProdStack(join(REPO_DIR, 'config/prod.yaml')).alloy.version;
    expect(r.stderr).toContain(`alloy-lint: assets/alloy judged as Alloy ${prod} (config/prod.yaml's alloy.version)\n`);
    expect(r.status).toBe(EXIT_OK);
  });

  test("this repository's folders: by config/prod.yaml and config/dev.yaml", () => {
    const r = cli(
      ['assets/alloy', 'assets/alloy_kubernetes', 'assets/alloy_legacy'].map((d) => join(REPO_DIR, d)),
      projectReleaseOf(REPO_DIR),
    );
    const judged = r.err.split('\n').filter((l) => l.includes('judged as'));
    const prod = loadProdStack(join(REPO_DIR, 'config/prod.yaml')).alloy.version;
    const dev = loadDevStack(join(REPO_DIR, 'config/dev.yaml')).alloyLegacy.version;
    expect(judged.map((l) => l.replace(`${REPO_DIR}/`, ''))).toEqual([
      `alloy-lint: assets/alloy judged as Alloy ${prod} (config/prod.yaml's alloy.version)`,
      `alloy-lint: assets/alloy_kubernetes judged as Alloy ${prod} (config/prod.yaml's alloy.version)`,
      `alloy-lint: assets/alloy_legacy judged as Alloy ${dev} (config/dev.yaml's alloyLegacy.version)`,
    ]);
  });
});
