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
import { type FileAction, fileSection, includeContent, liveAddresses, planIncludeFile } from './plan';
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

const output = (r: CommandResult) => `${r.stdout}${r.stderr}`.trim() || `exit code ${r.code ?? 'none (not started?)'}`;

export async function planFileDns(stack: DnsStack, shell: Shell): Promise<FilePlanned> {
  const config = fileBackend(stack);
  const override = hostOverride(stack.central);
  const wanted = includeContent(override);
  const current = await shell.readFile(config.path);
  // Written as wanted: whether Unbound also serves it is for Unbound to say (an earlier reload may have failed).
  const listing = current === wanted ? await shell.run([config.control, '-c', config.config, 'list_local_data']) : null;
  const live =
    listing === null
      ? undefined
      : listing.code === 0
        ? { served: liveAddresses(listing.stdout, override.fqdn), address: override.address }
        : { unknown: `unbound-control list_local_data failed: ${output(listing).split('\n')[0]}` };
  const action = planIncludeFile(config.path, wanted, current, live);
  return { action, section: fileSection(shell.where, action, override) };
}

/** Returns the number of writes (0 or 1; a restore after a failed check counts as none kept). */
export async function applyFile(stack: DnsStack, shell: Shell, planned: FilePlanned, report: Report): Promise<number> {
  const { action } = planned;
  if (action.kind === 'keep') return 0;
  const config = fileBackend(stack);
  if (action.kind === 'reload') {
    await reload(shell, config, `${action.path} is as wanted`);
    report.line('  done: unbound-control reload');
    return 1;
  }
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
  await reload(shell, config, `${action.path} is written and passed unbound-checkconf`);
  report.line('  done: unbound-control reload');
  return 1;
}

async function reload(shell: Shell, config: FileBackend, state: string): Promise<void> {
  const r = await shell.run([config.control, '-c', config.config, 'reload']);
  if (r.code !== 0) throw new DnsError(`unbound-control reload failed on ${shell.where} (${state}):\n${output(r)}`);
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
