/**
 * The DNS part of `legacy-deploy plan`: both backends observed and planned, nothing written, in the deploy area's
 * section format, each with the exit code it stands for. A backend that could not be checked (credentials not
 * set, rejected, TLS, network) is `unchecked` with a `!` line saying why: the plan cannot claim "no changes" for a
 * section it did not see.
 */
import { resolve } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../shared/exit-codes';
import type { PlanSection as DeploySection, PlanItem } from '../shared/plan';
import type { RemoteSession } from '../shared/ssh-session';
import { planCloudflareDns } from './cloudflare/run';
import { planOpnsenseDns } from './opnsense/run';
import { type PlanSection, sectionExitCode } from './plan-view';
import { memoryReport } from './report';
import { type DnsStack, loadDnsStack } from './stack';
import { RemoteShell } from './unbound-file/remote-shell';
import { planFileDns } from './unbound-file/run';
import { LocalShell } from './unbound-file/shell';

/** A plan section and the exit code of the shared table it stands for (`worstExitCode` combines them). */
export interface DnsPlanSection extends DeploySection {
  readonly exitCode: ExitCodeValue;
}

const marks = { create: '+', update: '~', delete: '-', skip: '!' } as const;

/** The deploy area lists changes as items and says nothing for unchanged things; ours go to notes. */
export function toDeploySection(section: PlanSection): DnsPlanSection {
  const items: PlanItem[] = [];
  const notes: string[] = [];
  for (const a of section.actions) {
    if (a.kind === 'keep') notes.push(`unchanged: ${a.subject}: ${a.detail}`);
    else items.push({ mark: marks[a.kind], text: `${a.kind} ${a.subject}: ${a.detail}` });
  }
  return { title: section.title, items, notes, exitCode: sectionExitCode(section, 'planned') };
}

function unchecked(title: string, e: unknown): DnsPlanSection {
  const message = e instanceof Error ? e.message : String(e);
  return { title, items: [{ mark: '!', text: `not checked: ${message}` }], exitCode: ExitCode.unchecked };
}

export interface DnsPlanOptions {
  readonly configDir: string;
  /** The stacks the command already loaded (read from `configDir` when not given). */
  readonly stack?: DnsStack;
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides unbound.caFile for the OPNsense backend. */
  readonly caFile?: string;
  /** The plan command's open session to target.host, used by the file backend when `unbound.ssh` is true. */
  readonly session?: RemoteSession;
}

async function unboundSection(stack: DnsStack, options: DnsPlanOptions): Promise<PlanSection> {
  const unbound = stack.legacy.unbound;
  if (unbound.backend === 'opnsense') {
    return (
      await planOpnsenseDns(stack, { env: options.env ?? process.env, report: memoryReport(), caFile: options.caFile })
    ).section;
  }
  if (unbound.ssh && !options.session)
    throw new Error('unbound.ssh is true and target.host could not be reached over SSH (see the NAS section)');
  const shell = unbound.ssh && options.session ? new RemoteShell(options.session) : new LocalShell();
  return (await planFileDns(stack, shell)).section;
}

export async function dnsPlanSections(options: DnsPlanOptions): Promise<DnsPlanSection[]> {
  const stack = options.stack ?? loadDnsStack(resolve(options.configDir));
  const env = options.env ?? process.env;
  const [cloudflare, unbound] = await Promise.all([
    planCloudflareDns(stack, { env, report: memoryReport(), deleteForeignOldRecord: false }).then(
      (p) => toDeploySection(p.section),
      (e) => unchecked(`Cloudflare DNS (zone ${stack.legacy.cloudflare.zone})`, e),
    ),
    unboundSection(stack, options).then(toDeploySection, (e) =>
      unchecked(`Unbound host override (${stack.legacy.unbound.backend})`, e),
    ),
  ]);
  return [cloudflare, unbound];
}
