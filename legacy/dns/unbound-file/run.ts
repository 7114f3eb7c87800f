/**
 * `legacy-deploy dns unbound` with the file backend: write the include, check the whole configuration with
 * unbound-checkconf, then reload. A failed check puts the previous file back (or removes a new one) and does not
 * reload, so the running Unbound and its files stay as they were.
 */
import type { LegacyAlloyConfig } from '../../../lib/config/schema';
import { DnsError } from '../errors';
import { formatSection, type PlanSection } from '../plan-view';
import type { Report } from '../report';
import { type DnsStack, hostOverride } from '../stack';
import { type FileAction, fileSection, includeContent, planIncludeFile } from './plan';
import type { CommandResult, Shell } from './shell';

type FileBackend = Extract<LegacyAlloyConfig['unbound'], { backend: 'file' }>;

export interface FilePlanned {
  readonly action: FileAction;
  readonly section: PlanSection;
}

export function fileBackend(stack: DnsStack): FileBackend {
  const unbound = stack.legacy.unbound;
  if (unbound.backend !== 'file') throw new Error('the file backend needs unbound.backend file');
  return unbound;
}

export async function planFileDns(stack: DnsStack, shell: Shell): Promise<FilePlanned> {
  const config = fileBackend(stack);
  const override = hostOverride(stack.central);
  const action = planIncludeFile(config.path, includeContent(override), await shell.readFile(config.path));
  return { action, section: fileSection(shell.where, action, override) };
}

const output = (r: CommandResult) => `${r.stdout}${r.stderr}`.trim() || `exit code ${r.code ?? 'none (not started?)'}`;

/** Returns the number of writes (0 or 1; a restore after a failed check counts as none kept). */
export async function applyFile(stack: DnsStack, shell: Shell, planned: FilePlanned, report: Report): Promise<number> {
  const { action } = planned;
  if (action.kind === 'keep') return 0;
  const config = fileBackend(stack);
  await shell.writeFile(action.path, action.content);
  const check = await shell.run([config.checkconf, config.config]);
  if (check.code !== 0) {
    if (action.was === null) await shell.removeFile(action.path);
    else await shell.writeFile(action.path, action.was);
    throw new DnsError(
      `unbound-checkconf rejected ${config.config} on ${shell.where} with the new ${action.path}; ` +
        `${action.was === null ? 'removed it again' : 'restored the previous file'} and did not reload Unbound:\n${output(check)}`,
    );
  }
  report.line(`  done: wrote ${action.path}; unbound-checkconf ok`);
  const reload = await shell.run([config.control, '-c', config.config, 'reload']);
  if (reload.code !== 0) {
    throw new DnsError(
      `unbound-control reload failed on ${shell.where} (${action.path} is written and passed unbound-checkconf):\n${output(reload)}`,
    );
  }
  report.line('  done: unbound-control reload');
  return 1;
}

export async function runFileDns(
  stack: DnsStack,
  shell: Shell,
  options: { dryRun: boolean; report: Report },
): Promise<{ planned: FilePlanned; writes: number }> {
  const planned = await planFileDns(stack, shell);
  options.report.line(formatSection(planned.section));
  if (options.dryRun) return { planned, writes: 0 };
  if (planned.action.kind !== 'keep') options.report.line('Applying:');
  return { planned, writes: await applyFile(stack, shell, planned, options.report) };
}
