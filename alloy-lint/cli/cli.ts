/**
 * `alloy-lint [--alloy-version V] [--stability.level L] [--clustering] [--syntax-only] [--fmt --check | --fmt --write]
 *  [--json] <file|dir>...`
 *
 * A folder is linted as one configuration (the way Alloy loads it), a file on its own. Exit status: 0 clean
 * (warnings allowed), 1 errors or unformatted files, 2 usage. Problems are printed as `file:line:col: ...`;
 * never a stack trace.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { alloyFilesOf, type LintOptions, lintDirectory, lintSources, upgradeDirectory } from '../index';
import { upgradeFindings } from '../lint/upgrade';
import { formatSource } from '../printer/printer';
import { defaultRegistry, STABILITY_LEVELS, type StabilityLevel } from '../registry/registry';
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
  clustering?: boolean;
  upgradeTo?: string;
  sarif?: boolean;
  syntaxOnly?: boolean;
  fmt?: boolean;
  check?: boolean;
  write?: boolean;
  json?: boolean;
}

/** What one run found; printed as text or JSON. */
interface Report {
  diagnostics: Diagnostic[];
  envVars: string[];
  /** --fmt --check: files whose formatting differs. */
  unformatted: string[];
  /** --fmt --write: files rewritten. */
  formatted: string[];
}

class UsageError extends Error {}

export const EXIT_OK = 0;
export const EXIT_ERRORS = 1;
export const EXIT_USAGE = 2;

export function buildProgram(io: Io): Command {
  return new Command('alloy-lint')
    .description('Check, lint and format Grafana Alloy configuration (.alloy) files')
    .argument('<paths...>', 'files, or folders linted as one configuration each')
    .option('--alloy-version <version>', 'judge as this Alloy release would, e.g. v1.10.1 (default: the newest known)')
    .addOption(
      new Option('--stability.level <level>', 'Alloy --stability.level: components above it are errors').choices(
        STABILITY_LEVELS,
      ),
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

/** Runs the CLI on arguments (without node and script) and returns the exit status. */
export function run(args: string[], io: Io): number {
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
    }
    const report = opts.fmt
      ? formatPaths(program.args, opts.write === true)
      : opts.upgradeTo !== undefined
        ? upgradePaths(program.args, opts, opts.upgradeTo)
        : lintPaths(program.args, opts);
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

export function main(argv: string[]): void {
  const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  process.exitCode = run(argv.slice(2), io);
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
  return { diagnostics: [], envVars: [], unformatted: [], formatted: [] };
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

function lintPaths(paths: string[], opts: Options): Report {
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
    const options: LintOptions = {
      alloyVersion: opts.alloyVersion,
      stabilityLevel: opts['stability.level'],
      clustering: opts.clustering,
    };
    let result: { diagnostics: Diagnostic[]; envVars: string[] };
    if (isDirectory(path)) {
      result = lintDirectory(path, options);
    } else {
      const text = read(path, report);
      result = text ? lintSources([{ file: path, text }], options) : { diagnostics: [], envVars: [] };
    }
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
  const options = { stabilityLevel: opts['stability.level'], clustering: opts.clustering };
  for (const path of paths) {
    if (isDirectory(path)) {
      report.diagnostics.push(...upgradeDirectory(path, check, options));
      continue;
    }
    const text = read(path, report);
    if (text === undefined) continue;
    const lintAs = (alloyVersion: string) => lintSources([{ file: path, text }], { ...options, alloyVersion });
    report.diagnostics.push(...upgradeFindings(lintAs, defaultRegistry(), check));
  }
  return report;
}

function formatPaths(paths: string[], write: boolean): Report {
  const report = emptyReport();
  for (const path of paths) {
    for (const file of expand(path, report)) {
      const text = read(file, report);
      if (text === undefined) continue;
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
      `${JSON.stringify({ ok: !hasErrors(report.diagnostics) && report.unformatted.length === 0, ...report }, null, 2)}\n`,
    );
    return;
  }
  for (const d of report.diagnostics) io.out(`${formatDiagnostic(d)}\n`);
  for (const f of report.unformatted) io.out(`${f}: not formatted (run alloy-lint --fmt --write)\n`);
  for (const f of report.formatted) io.out(`${f}: formatted\n`);
  if (report.envVars.length > 0) io.out(`env vars referenced: ${report.envVars.join(', ')}\n`);
  const count = (severity: Diagnostic['severity']) => report.diagnostics.filter((d) => d.severity === severity).length;
  io.err(`alloy-lint: ${count('error')} error(s), ${count('warning')} warning(s)\n`);
}
