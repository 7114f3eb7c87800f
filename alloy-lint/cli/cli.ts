/**
 * `alloy-lint [--alloy-version V] [--stability.level L] [--feature.community-components.enabled] [--clustering]
 *  [--syntax-only] [--fmt --check | --fmt --write] [--json] <file|dir>...`
 *
 * A folder is linted as one configuration (the way Alloy loads it), a file on its own. Exit status: 0 clean
 * (warnings allowed), 1 errors or unformatted files, 2 usage. Problems are printed as `file:line:col: ...`;
 * never a stack trace.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { alloyFilesOf, type JudgedBy, type LintOptions, lintDirectory, lintSources, upgradeDirectory } from '../index';
import { upgradeFindings } from '../lint/upgrade';
import { formatSource } from '../printer/printer';
import { defaultRegistry, STABILITY_LEVELS, type StabilityLevel, UnknownReleaseError } from '../registry/registry';
import { parseVersion } from '../registry/versions';
import { AlloySyntaxError, type Diagnostic, formatDiagnostic, hasErrors, internalError } from '../syntax/diagnostics';
import { parse } from '../syntax/parser';
import { toSarif } from './sarif';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

interface Options {
  alloyVersion?: string;
  /** commander keeps the dot of `--stability.level` in the key. */
  'stability.level'?: StabilityLevel;
  /** commander keeps the dots of `--feature.community-components.enabled` and camel-cases its dashes. */
  'feature.communityComponents.enabled'?: boolean;
  clustering?: boolean;
  upgradeTo?: string;
  sarif?: boolean;
  syntaxOnly?: boolean;
  fmt?: boolean;
  check?: boolean;
  write?: boolean;
  json?: boolean;
}

/**
 * The release that will run a path, when the path is a pipeline folder (or a file of one) of a project that pins
 * it (the project's stack file says which: `config/prod.yaml's alloy.version`).
 */
export type ReleaseOf = (path: string) => { version: string; from: string } | undefined;

/** What a run knows beyond its arguments. */
export interface Context {
  /** The project's releases per pipeline folder, used when --alloy-version is not given. */
  releaseOf?: ReleaseOf;
}

/** What one run found; printed as text or JSON. */
interface Report {
  diagnostics: Diagnostic[];
  envVars: string[];
  /** --fmt: how many files were looked at. */
  checked: number;
  /** --fmt --check: files whose formatting differs. */
  unformatted: string[];
  /** --fmt --write: files rewritten. */
  formatted: string[];
  /** Which release judged (one line each, said once), and the note of a release judged by another's data. */
  judged: string[];
}

class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_ERRORS = 1;
export const EXIT_USAGE = 2;

export function buildProgram(io: Io): Command {
  return new Command('alloy-lint')
    .description('Check, lint and format Grafana Alloy configuration (.alloy) files')
    .argument('<paths...>', 'files, or folders linted as one configuration each')
    .version(packageVersion(), '--version', 'print the version of alloy-lint')
    .option(
      '--alloy-version <version>',
      'judge as this Alloy release would, e.g. v1.10.1 (default: in this project, the release its stack file pins for the folder; elsewhere the newest known)',
    )
    .addOption(
      new Option('--stability.level <level>', 'Alloy --stability.level: components above it are errors').choices(
        STABILITY_LEVELS,
      ),
    )
    .option(
      '--feature.community-components.enabled',
      'Alloy --feature.community-components.enabled: with --stability.level, community components are errors without it',
    )
    .option('--clustering', 'Alloy runs clustered: components that can cluster must enable it')
    .option(
      '--upgrade-to <version>',
      'list what moving from --alloy-version to this release breaks or changes (folders only)',
    )
    .option('--syntax-only', 'only parse each file')
    .option('--fmt', 'check or apply the formatting of `alloy fmt` (with --check or --write)')
    .addOption(new Option('--check', 'with --fmt: fail on files that are not formatted').conflicts('write'))
    .option('--write', 'with --fmt: rewrite files that are not formatted')
    .option('--json', 'machine-readable output on stdout')
    .addOption(new Option('--sarif', 'the findings as SARIF 2.1.0 on stdout, for CI').conflicts(['json', 'fmt']))
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(alloy-lint --help shows the usage)');
}

/** The version of the package alloy-lint ships in (the nearest package.json above this file, built or not). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** Runs the CLI on arguments (without node and script) and returns the exit status. */
export function run(args: string[], io: Io, context: Context = {}): number {
  const program = buildProgram(io);
  try {
    program.parse(args, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw e;
  }
  const opts = program.opts<Options>();
  try {
    checkCombination(opts);
    for (const [flag, value] of [
      ['--alloy-version', opts.alloyVersion],
      ['--upgrade-to', opts.upgradeTo],
    ] as const) {
      if (value !== undefined && parseVersion(value) === undefined) {
        throw new UsageError(`${flag} ${value}: not an Alloy release (expected e.g. v1.10.1)`);
      }
      try {
        if (value !== undefined) defaultRegistry().release(value);
      } catch (e) {
        if (e instanceof UnknownReleaseError) throw new UsageError(`${flag} ${value}: ${e.message}`);
        throw e;
      }
    }
    const report = opts.fmt
      ? formatPaths(program.args, opts.write === true)
      : opts.upgradeTo !== undefined
        ? upgradePaths(program.args, opts, opts.upgradeTo)
        : lintPaths(program.args, opts, context);
    print(report, opts, io);
    return hasErrors(report.diagnostics) || report.unformatted.length > 0 ? EXIT_ERRORS : EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`alloy-lint: ${e.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`alloy-lint: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_ERRORS;
  }
}

export function main(argv: string[], context: Context = {}): void {
  const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  process.exitCode = run(argv.slice(2), io, context);
}

function checkCombination(opts: Options): void {
  if ((opts.check || opts.write) && !opts.fmt) throw new UsageError('--check and --write go with --fmt');
  if (opts.fmt && !opts.check && !opts.write) throw new UsageError('--fmt needs --check or --write');
  if (opts.fmt && opts.syntaxOnly) throw new UsageError('--syntax-only and --fmt exclude each other');
  if (opts.upgradeTo !== undefined && opts.alloyVersion === undefined) {
    throw new UsageError('--upgrade-to needs --alloy-version, the release the pipeline runs on today');
  }
  if (opts.upgradeTo !== undefined && (opts.fmt || opts.syntaxOnly)) {
    throw new UsageError('--upgrade-to goes with neither --fmt nor --syntax-only');
  }
}

function emptyReport(): Report {
  return { diagnostics: [], envVars: [], checked: 0, unformatted: [], formatted: [], judged: [] };
}

/** Files named by the arguments: a folder's *.alloy files, or the file itself. */
function expand(path: string, report: Report): string[] {
  if (isDirectory(path)) {
    const { files, problem } = alloyFilesOf(path);
    if (problem) report.diagnostics.push(problem);
    return files;
  }
  return [path];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a file, or reports why it cannot be read. */
function read(file: string, report: Report): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'no such file or folder' : `cannot read (${code ?? String(e)})`;
    report.diagnostics.push({ file, line: 0, column: 0, severity: 'error', message });
    return undefined;
  }
}

/** Says which release judged `path` and, once per run, the note of a release judged by another's data. */
function sayJudged(report: Report, path: string, judged: JudgedBy, from: string | undefined, opts: Options): void {
  const as = `judged as Alloy ${judged.release}${judged.data === judged.release ? '' : ` with ${judged.data}'s data`}`;
  const line =
    from !== undefined
      ? `${path} ${as} (${from})`
      : opts.alloyVersion !== undefined
        ? `${as} (--alloy-version)`
        : `${as}, the newest release the linter knows (--alloy-version to choose)`;
  for (const l of [line, judged.note]) if (l !== undefined && !report.judged.includes(l)) report.judged.push(l);
}

function lintPaths(paths: string[], opts: Options, context: Context): Report {
  const report = emptyReport();
  const envVars = new Set<string>();
  for (const path of paths) {
    if (opts.syntaxOnly) {
      for (const file of expand(path, report)) {
        const text = read(file, report);
        if (text) for (const d of parse(text, file).diagnostics) report.diagnostics.push(d);
      }
      continue;
    }
    // In the project, a pipeline folder is judged as the release its stack file pins, not as the newest known.
    const pinned = opts.alloyVersion === undefined ? context.releaseOf?.(path) : undefined;
    const options: LintOptions = {
      alloyVersion: opts.alloyVersion ?? pinned?.version,
      stabilityLevel: opts['stability.level'],
      communityComponents: opts['feature.communityComponents.enabled'],
      clustering: opts.clustering,
    };
    let result: { diagnostics: Diagnostic[]; envVars: string[]; judgedBy?: JudgedBy };
    if (isDirectory(path)) {
      result = lintDirectory(path, options);
    } else {
      const text = read(path, report);
      result = text ? lintSources([{ file: path, text }], options) : { diagnostics: [], envVars: [] };
    }
    if (result.judgedBy !== undefined) sayJudged(report, path, result.judgedBy, pinned?.from, opts);
    for (const d of result.diagnostics) report.diagnostics.push(d);
    for (const v of result.envVars) envVars.add(v);
  }
  report.envVars = [...envVars].sort();
  return report;
}

/** --upgrade-to: each folder's upgrade findings (a folder is one configuration; files are linted as one each). */
function upgradePaths(paths: string[], opts: Options, to: string): Report {
  const report = emptyReport();
  const check = { from: opts.alloyVersion as string, to };
  const options = {
    stabilityLevel: opts['stability.level'],
    communityComponents: opts['feature.communityComponents.enabled'],
    clustering: opts.clustering,
  };
  for (const path of paths) {
    if (isDirectory(path)) {
      report.diagnostics.push(...upgradeDirectory(path, check, options));
      continue;
    }
    const text = read(path, report);
    if (text === undefined) continue;
    const lintAs = (alloyVersion: string) => lintSources([{ file: path, text }], { ...options, alloyVersion });
    report.diagnostics.push(...upgradeFindings(lintAs, defaultRegistry, check));
  }
  return report;
}

function formatPaths(paths: string[], write: boolean): Report {
  const report = emptyReport();
  for (const path of paths) {
    for (const file of expand(path, report)) {
      const text = read(file, report);
      if (text === undefined) continue;
      report.checked++;
      let formatted: string;
      try {
        formatted = formatSource(text, file);
      } catch (e) {
        // A file that does not parse is left as it is.
        if (e instanceof AlloySyntaxError) for (const d of e.diagnostics) report.diagnostics.push(d);
        else report.diagnostics.push(internalError(file, 'format', e));
        continue;
      }
      if (Buffer.compare(Buffer.from(formatted), text) === 0) continue;
      if (write) {
        writeFileSync(file, formatted);
        report.formatted.push(file);
      } else {
        report.unformatted.push(file);
      }
    }
  }
  return report;
}

function print(report: Report, opts: Options, io: Io): void {
  if (opts.sarif) {
    io.out(`${JSON.stringify(toSarif(report.diagnostics), null, 2)}\n`);
    return;
  }
  if (opts.json) {
    io.out(
      `${JSON.stringify(
        {
          ok: !hasErrors(report.diagnostics) && report.unformatted.length === 0,
          diagnostics: report.diagnostics,
          envVars: report.envVars,
          unformatted: report.unformatted,
          formatted: report.formatted,
          judged: report.judged,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  for (const d of report.diagnostics) io.out(`${formatDiagnostic(d)}\n`);
  for (const f of report.unformatted) io.out(`${f}: not formatted (run alloy-lint --fmt --write)\n`);
  for (const f of report.formatted) io.out(`${f}: formatted\n`);
  if (report.envVars.length > 0) io.out(`env vars referenced: ${report.envVars.join(', ')}\n`);
  for (const line of report.judged) io.err(`alloy-lint: ${line}\n`);
  const count = (severity: Diagnostic['severity']) => report.diagnostics.filter((d) => d.severity === severity).length;
  const problems = `${count('error')} error(s), ${count('warning')} warning(s)`;
  if (!opts.fmt) {
    io.err(`alloy-lint: ${problems}\n`);
  } else if (opts.write) {
    io.err(`alloy-lint: ${report.formatted.length} of ${report.checked} file(s) formatted; ${problems}\n`);
  } else if (report.unformatted.length > 0) {
    const files = `${report.unformatted.length} of ${report.checked} file(s) need formatting (${report.unformatted.join(', ')})`;
    io.err(`alloy-lint: ${files}: run alloy-lint --fmt --write; ${problems}\n`);
  } else {
    io.err(`alloy-lint: ${report.checked} file(s) formatted as alloy fmt would; ${problems}\n`);
  }
}
