/** The alloy-lint CLI: exit codes, modes, output formats, folder and file arguments. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, run } from '../../alloy-lint/cli/cli';
import { formatSource } from '../../alloy-lint/printer/printer';
import { defaultRegistry } from '../../alloy-lint/registry/registry';
import { removeTempConfigs, tempConfig } from './temp-config';

afterEach(removeTempConfigs);

/** The line saying which release judged, outside a project and without --alloy-version. */
const JUDGED_BY_NEWEST = `alloy-lint: judged as Alloy ${defaultRegistry().newest}, the newest release the linter knows (--alloy-version to choose)\n`;

function cli(...args: string[]) {
  let out = '';
  let err = '';
  const code = run(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const FORMATTED =
  'prometheus.exporter.self "alloy" { }\n\nprometheus.scrape "self" {\n\ttargets    = prometheus.exporter.self.alloy.targets\n\tforward_to = []\n}\n';
const UNFORMATTED =
  'prometheus.exporter.self "alloy" {}\nprometheus.scrape "self" {\n  targets = prometheus.exporter.self.alloy.targets\n  forward_to = []\n}\n';
const UNDECLARED =
  'prometheus.scrape "self" {\n\ttargets    = prometheus.exporter.self.missing.targets\n\tforward_to = []\n}\n';

describe('exit codes', () => {
  it('0 for a clean folder, warnings included', () => {
    const dir = tempConfig({ 'a.alloy': `${FORMATTED}\nprometheus.exporter.unix "unused" { }\n` });
    const r = cli(dir);
    expect(r.code).toBe(EXIT_OK);
    expect(r.out).toContain(`${join(dir, 'a.alloy')}:8:1: warning: dead pipeline end`);
    expect(r.err).toBe(`${JUDGED_BY_NEWEST}alloy-lint: 0 error(s), 1 warning(s)\n`);
  });

  it('1 for errors, each printed as file:line:col, without a stack trace', () => {
    const dir = tempConfig({ 'a.alloy': UNDECLARED });
    const r = cli(dir);
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toBe(
      `${join(dir, 'a.alloy')}:2:15: error: prometheus.exporter.self "missing" is not declared in this configuration (referenced as prometheus.exporter.self.missing.targets)\n`,
    );
    expect(r.out + r.err).not.toMatch(/\n\s+at /);
  });

  it.each([
    [[] as string[], /missing required argument 'paths'/],
    [['--bogus', '.'], /unknown option '--bogus'/],
    [['--fmt', '.'], /--fmt needs --check or --write/],
    [['--check', '.'], /--check and --write go with --fmt/],
    [['--fmt', '--check', '--write', '.'], /'--check' cannot be used with option '--write'/],
    [['--fmt', '--check', '--syntax-only', '.'], /exclude each other/],
  ])('2 for usage errors: %j', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.err).toMatch(message);
  });

  it('1 for a path that does not exist, and for bytes that are not Alloy at all', () => {
    const dir = tempConfig({ 'junk.alloy': Buffer.from([0xff, 0x00, 0x7b, 0x22, 0x0a, 0xc3]) });
    expect(cli(join(dir, 'nope')).out).toBe(`${join(dir, 'nope')}: error: no such file or folder\n`);
    const r = cli(dir);
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toMatch(/junk\.alloy:1:1: error: illegal UTF-8 encoding/);
    expect(r.out + r.err).not.toMatch(/\n\s+at /);
  });
});

describe('modes', () => {
  it('--syntax-only parses each file and skips the semantic checks', () => {
    expect(cli('--syntax-only', tempConfig({ 'a.alloy': UNDECLARED })).code).toBe(EXIT_OK);
    const r = cli('--syntax-only', tempConfig({ 'a.alloy': 'a = [1\n' }));
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toMatch(/a\.alloy:1:7: error: missing ',' in expression list/);
  });

  it('--fmt --check fails on unformatted files, names them and changes nothing', () => {
    const dir = tempConfig({
      'a.alloy': FORMATTED,
      'b.alloy': UNFORMATTED.replaceAll('"alloy"', '"other"').replaceAll('.alloy.', '.other.'),
    });
    const before = readFileSync(join(dir, 'b.alloy'), 'utf8');
    const r = cli('--fmt', '--check', dir);
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toBe(`${join(dir, 'b.alloy')}: not formatted (run alloy-lint --fmt --write)\n`);
    expect(readFileSync(join(dir, 'b.alloy'), 'utf8')).toBe(before);
    expect(cli('--fmt', '--check', join(dir, 'a.alloy')).code).toBe(EXIT_OK);
  });

  it('--fmt --write rewrites unformatted files as alloy fmt would, and leaves files that do not parse alone', () => {
    const dir = tempConfig({ 'a.alloy': UNFORMATTED, 'broken.alloy': 'block {\n' });
    const r = cli('--fmt', '--write', dir);
    expect(r.code).toBe(EXIT_ERRORS); // broken.alloy
    expect(r.out).toContain(`${join(dir, 'a.alloy')}: formatted`);
    expect(r.out).toContain(`${join(dir, 'broken.alloy')}:2:1: error: expected }, got EOF`);
    expect(readFileSync(join(dir, 'a.alloy'), 'utf8')).toBe(FORMATTED);
    expect(readFileSync(join(dir, 'broken.alloy'), 'utf8')).toBe('block {\n');
    expect(formatSource(FORMATTED)).toBe(FORMATTED);
    expect(cli('--fmt', '--check', join(dir, 'a.alloy')).code).toBe(EXIT_OK);
  });

  it('--json prints one JSON document with the verdict, diagnostics and env vars', () => {
    const dir = tempConfig({
      'a.alloy': `${FORMATTED}\nlocal.file "x" {\n\tfilename = sys.env("FILE")\n}\n\nexport "x" {\n\tvalue = local.file.x.content\n}\n`,
    });
    const r = cli('--json', dir);
    expect(r.code).toBe(EXIT_OK);
    expect(JSON.parse(r.out)).toEqual({
      ok: true,
      diagnostics: [],
      envVars: ['FILE'],
      unformatted: [],
      formatted: [],
      judged: [JUDGED_BY_NEWEST.replace(/^alloy-lint: |\n$/g, '')],
    });
    const bad = JSON.parse(cli('--json', tempConfig({ 'a.alloy': UNDECLARED })).out);
    expect(bad.ok).toBe(false);
    expect(bad.diagnostics).toEqual([expect.objectContaining({ line: 2, column: 15, severity: 'error' })]);
  });
});

describe('folder and file arguments', () => {
  it('a folder is one configuration; a file is linted on its own', () => {
    const dir = tempConfig({
      'a.alloy': 'prometheus.exporter.self "alloy" { }\n',
      'b.alloy': FORMATTED.split('\n\n')[1],
    });
    expect(cli(dir).code).toBe(EXIT_OK);
    const alone = cli(join(dir, 'b.alloy'));
    expect(alone.code).toBe(EXIT_ERRORS);
    expect(alone.out).toMatch(/b\.alloy:2:15: error: prometheus\.exporter\.self "alloy" is not declared/);
  });

  it('several arguments are checked together, each folder as its own configuration', () => {
    const clean = tempConfig({ 'a.alloy': FORMATTED });
    const broken = tempConfig({ 'a.alloy': UNDECLARED });
    const r = cli(clean, broken);
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toContain(join(broken, 'a.alloy'));
  });

  it('an empty folder is an error', () => {
    const dir = tempConfig({});
    expect(cli(dir)).toEqual({
      code: EXIT_ERRORS,
      out: `${dir}: error: no .alloy files in this folder: Alloy would load an empty configuration\n`,
      err: `${JUDGED_BY_NEWEST}alloy-lint: 1 error(s), 0 warning(s)\n`,
    });
  });
});

describe('as a process', () => {
  it('main() sets the exit status', () => {
    const root = resolve(__dirname, '../..');
    const entry = "require('./alloy-lint/cli/cli').main(['node', 'alloy-lint', ...process.argv.slice(1)])";
    const runProcess = (dir: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', '-e', entry, '--', dir], { cwd: root, encoding: 'utf8' });
    expect(runProcess(tempConfig({ 'a.alloy': FORMATTED })).status).toBe(EXIT_OK);
    const failed = runProcess(tempConfig({ 'a.alloy': UNDECLARED }));
    expect(failed.status).toBe(EXIT_ERRORS);
    expect(failed.stdout).toMatch(/a\.alloy:2:15: error: /);
  });
});

describe('judging as a release', () => {
  const FILE_EXPORTER =
    'otelcol.exporter.file "f" {\n\tpath = "/tmp/x"\n}\n\notelcol.receiver.otlp "r" {\n\toutput {\n\t\ttraces = [otelcol.exporter.file.f.input]\n\t}\n}\n';

  it('--alloy-version judges components as that release: otelcol.exporter.file is missing in v1.10.1', () => {
    const dir = tempConfig({ 'a.alloy': FILE_EXPORTER });
    const old = cli('--alloy-version', 'v1.10.1', dir);
    expect(old.code).toBe(EXIT_ERRORS);
    expect(old.out).toBe(
      `${join(dir, 'a.alloy')}:1:1: error: unknown component otelcol.exporter.file in Alloy v1.10.0 (added after v1.11.0, by v1.15.1)\n`,
    );
    expect(cli('--alloy-version', 'v1.13.2', dir).code).toBe(EXIT_OK);
  });

  it('--stability.level makes a component above it an error; a bad level or version is a usage error', () => {
    const dir = tempConfig({ 'a.alloy': FILE_EXPORTER });
    const r = cli('--alloy-version', '1.13.2', '--stability.level', 'generally-available', dir);
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toContain('error: otelcol.exporter.file is public-preview in Alloy v1.13.2, above --stability.level');
    expect(cli('--stability.level', 'beta', dir).code).toBe(EXIT_USAGE);
    const bad = cli('--alloy-version', 'latest', dir);
    expect([bad.code, bad.err]).toEqual([
      EXIT_USAGE,
      'alloy-lint: --alloy-version latest: not an Alloy release (expected e.g. v1.10.1)\n',
    ]);
  });

  it('--feature.community-components.enabled lets a community component pass where --stability.level judges', () => {
    const dir = tempConfig({ 'a.alloy': 'otelcol.exporter.datadog "d" {\n  api {\n    api_key = "x"\n  }\n}\n' });
    const refused = cli('--alloy-version', 'v1.11.0', '--stability.level', 'generally-available', dir);
    expect(refused.code).toBe(EXIT_ERRORS);
    expect(refused.out).toContain('error: otelcol.exporter.datadog is a community component in Alloy v1.11.0');
    const flagged = ['--alloy-version', 'v1.11.0', '--stability.level', 'generally-available'];
    expect(cli(...flagged, '--feature.community-components.enabled', dir).code).toBe(EXIT_OK);
  });

  it('--clustering asks components that can cluster to enable it', () => {
    const dir = tempConfig({ 'a.alloy': FORMATTED });
    expect(cli('--alloy-version', 'v1.10.1', dir).code).toBe(EXIT_OK);
    const r = cli('--alloy-version', 'v1.10.1', '--clustering', dir);
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toContain('a.alloy:3:1: error: prometheus.scrape "self" needs clustering { enabled = true }');
  });
});
