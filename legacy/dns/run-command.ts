/**
 * The `dns` commands, loaded only when one runs (the Cloudflare SDK and ssh2 later still, when used): load the
 * stacks, run one backend, print text or --json, and map the outcome to an exit code.
 */
import { resolve } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../shared/exit-codes';
import { redactOutput } from '../shared/redact-output';
import { RemoteSession } from '../shared/ssh-session';
import { runCloudflareDns } from './cloudflare/run';
import type { DnsCommandOptions } from './commands';
import { runOpnsenseDns } from './opnsense/run';
import { type PlanSection, sectionChanges, sectionExitCode, sectionLeftAlone } from './plan-view';
import { memoryReport, processReport, type Report, reportFailure } from './report';
import { type DnsStack, loadDnsStack } from './stack';
import { RemoteShell } from './unbound-file/remote-shell';
import { runFileDns } from './unbound-file/run';
import { LocalShell, type Shell } from './unbound-file/shell';

interface Outcome {
  readonly section: PlanSection;
  readonly writes: number;
}

/**
 * Runs one backend and returns the exit code of the shared table: 0 done (or nothing to do), 1 failed,
 * 2 (--dry-run) changes to make, 3 something the cut-over needs was left alone ("!" lines).
 */
export async function runDnsCommand(
  name: 'cloudflare' | 'unbound',
  options: DnsCommandOptions,
): Promise<ExitCodeValue> {
  try {
    return await runBackend(name, options);
  } catch (e) {
    return reportFailure(e, { json: options.json });
  }
}

async function runBackend(name: 'cloudflare' | 'unbound', options: DnsCommandOptions): Promise<ExitCodeValue> {
  const stack = loadDnsStack(resolve(options.configDir));
  const report = options.json ? memoryReport() : processReport({ verbose: options.verbose });
  // In --json mode the verbose detail still goes to stderr; stdout carries only the JSON document.
  const detailed: Report = options.json
    ? { line: report.line, detail: processReport({ verbose: options.verbose }).detail }
    : report;
  const outcome =
    name === 'cloudflare' ? await cloudflare(stack, options, detailed) : await unbound(stack, options, detailed);
  const dryRun = options.dryRun === true;
  const exitCode = sectionExitCode(outcome.section, dryRun ? 'planned' : 'applied');
  const leftAlone = sectionLeftAlone(outcome.section);
  const incomplete =
    leftAlone > 0
      ? `the cut-over is incomplete: ${leftAlone} left alone (the "!" lines say why and what to do)`
      : undefined;
  if (incomplete) process.stderr.write(redactOutput(`legacy-deploy: ${incomplete}\n`));
  if (options.json) {
    const doc = {
      ok: exitCode === ExitCode.ok || exitCode === ExitCode.changesPending,
      ...(incomplete ? { error: incomplete } : {}),
      exitCode,
      dryRun,
      changes: sectionChanges(outcome.section),
      writes: outcome.writes,
      section: outcome.section,
    };
    process.stdout.write(`${redactOutput(JSON.stringify(doc, null, 2))}\n`);
  }
  return exitCode;
}

async function cloudflare(stack: DnsStack, options: DnsCommandOptions, report: Report): Promise<Outcome> {
  const r = await runCloudflareDns(stack, {
    dryRun: options.dryRun === true,
    deleteForeignOldRecord: options.deleteForeignAlloyRecord === true,
    env: process.env,
    report,
  });
  return { section: r.planned.section, writes: r.writes };
}

async function unbound(stack: DnsStack, options: DnsCommandOptions, report: Report): Promise<Outcome> {
  const dryRun = options.dryRun === true;
  if (stack.legacy.unbound.backend === 'opnsense') {
    const r = await runOpnsenseDns(stack, { dryRun, env: process.env, report, caFile: options.caFile });
    return { section: r.planned.section, writes: r.writes };
  }
  const { shell, close } = await fileShell(stack, options);
  try {
    const r = await runFileDns(stack, shell, { dryRun, report });
    return { section: r.planned.section, writes: r.writes };
  } finally {
    close();
  }
}

/** Local files, or target.host over the deploy area's SSH session when `unbound.ssh` is true. */
async function fileShell(stack: DnsStack, options: DnsCommandOptions): Promise<{ shell: Shell; close: () => void }> {
  const unbound = stack.legacy.unbound;
  if (unbound.backend === 'file' && unbound.ssh) {
    const { host, port, user } = stack.legacy.target;
    const session = await RemoteSession.open({
      host,
      port,
      user,
      identity: options.identity,
      knownHostsFile: options.knownHosts,
      acceptNewHostKey: options.acceptNewHostKey,
    });
    return { shell: new RemoteShell(session), close: () => session.close() };
  }
  return { shell: new LocalShell(), close: () => {} };
}
