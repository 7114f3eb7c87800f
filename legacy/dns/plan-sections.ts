/**
 * The DNS part of `legacy-deploy plan`: both backends observed and planned, nothing written, in the deploy area's
 * section format. A backend whose credentials are not set at all is noted and skipped; one that fails to answer
 * (rejected credentials, TLS, network) becomes a `!` line: the plan cannot claim "no changes" for what it tried
 * and could not see.
 */
import { resolve } from 'node:path';
import type { PlanSection as DeploySection, PlanItem } from '../shared/plan';
import type { RemoteSession } from '../shared/ssh-session';
import { planCloudflareDns } from './cloudflare/run';
import { DnsNotConfigured } from './errors';
import { planOpnsenseDns } from './opnsense/run';
import type { PlanSection } from './plan-view';
import { memoryReport } from './report';
import { type DnsStack, loadDnsStack } from './stack';
import { RemoteShell } from './unbound-file/remote-shell';
import { planFileDns } from './unbound-file/run';
import { LocalShell } from './unbound-file/shell';

const marks = { create: '+', update: '~', delete: '-', skip: '!' } as const;

/** The deploy area lists changes as items and says nothing for unchanged things; ours go to notes. */
export function toDeploySection(section: PlanSection): DeploySection {
  const items: PlanItem[] = [];
  const notes: string[] = [];
  for (const a of section.actions) {
    if (a.kind === 'keep') notes.push(`unchanged: ${a.subject}: ${a.detail}`);
    else items.push({ mark: marks[a.kind], text: `${a.kind} ${a.subject}: ${a.detail}` });
  }
  return { title: section.title, items, notes };
}

function unobserved(title: string, e: unknown): DeploySection {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof DnsNotConfigured) return { title, items: [], notes: [`not checked: ${message}`] };
  return { title, items: [{ mark: '!', text: `not checked: ${message}` }] };
}

export interface DnsPlanOptions {
  readonly configDir: string;
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
  if (unbound.ssh && !options.session) throw new Error('unbound.ssh is true but no SSH session to target.host is open');
  const shell = unbound.ssh && options.session ? new RemoteShell(options.session) : new LocalShell();
  return (await planFileDns(stack, shell)).section;
}

export async function dnsPlanSections(options: DnsPlanOptions): Promise<DeploySection[]> {
  const stack = loadDnsStack(resolve(options.configDir));
  const env = options.env ?? process.env;
  const [cloudflare, unbound] = await Promise.all([
    planCloudflareDns(stack, { env, report: memoryReport(), deleteForeignOldRecord: false }).then(
      (p) => toDeploySection(p.section),
      (e) => unobserved(`Cloudflare DNS (zone ${stack.legacy.cloudflare.zone})`, e),
    ),
    unboundSection(stack, options).then(toDeploySection, (e) =>
      unobserved(`Unbound host override (${stack.legacy.unbound.backend})`, e),
    ),
  ]);
  return [cloudflare, unbound];
}
