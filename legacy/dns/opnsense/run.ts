/** `legacy-deploy dns unbound` with the opnsense backend: one search → plan → print → add/set → one reconfigure. */
import { formatSection, type PlanSection, sectionChanges } from '../plan-view';
import type { Report } from '../report';
import { type DnsStack, hostOverride } from '../stack';
import { OpnsenseApi, opnsenseSettings } from './api';
import { desiredFields, needsReconfigure, type OpnsenseAction, opnsenseSection, planOpnsense } from './plan';
import { firewallResolver, type ResolverAddress, type Served, servedAddresses } from './served';

export interface OpnsenseOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly report: Report;
  /** Overrides unbound.caFile from dev.yaml. */
  readonly caFile?: string;
}

export interface OpnsensePlanned {
  readonly api: OpnsenseApi;
  readonly actions: readonly OpnsenseAction[];
  readonly section: PlanSection;
}

export async function planOpnsenseDns(stack: DnsStack, options: OpnsenseOptions): Promise<OpnsensePlanned> {
  const unbound = stack.legacy.unbound;
  if (unbound.backend !== 'opnsense') throw new Error('planOpnsenseDns needs unbound.backend opnsense');
  const api = new OpnsenseApi(opnsenseSettings(options.env, options.caFile ?? unbound.caFile), {
    log: options.report.detail,
  });
  const override = hostOverride(stack.central);
  const rows = await api.search(override.host);
  const wanted = desiredFields(override, unbound.description);
  const saved = planOpnsense(wanted, rows);
  // Saved as wanted: whether it is also live is for the resolver to say (an earlier reconfigure may have failed).
  const actions = saved.some((a) => a.kind === 'keep')
    ? planOpnsense(wanted, rows, await askResolver(stack, api, override.fqdn))
    : saved;
  return { api, actions, section: opnsenseSection(api.endpoint, actions) };
}

async function askResolver(stack: DnsStack, api: OpnsenseApi, fqdn: string): Promise<Served> {
  let server: ResolverAddress;
  try {
    server = await firewallResolver(stack.legacy.verify, api.apiUrl);
  } catch (e) {
    return { kind: 'unknown', via: api.apiUrl.hostname, why: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
  return servedAddresses(fqdn, server);
}

/** Writes each change, then applies them all with a single reconfigure. Returns the number of write calls. */
export async function applyOpnsense(planned: OpnsensePlanned, report: Report): Promise<number> {
  let writes = 0;
  for (const action of planned.actions) {
    if (action.kind === 'create') await planned.api.add(action.fields);
    else if (action.kind === 'update') await planned.api.set(action.uuid, action.fields);
    else continue;
    writes++;
    report.line(`  done: ${action.kind} host override ${action.fields.hostname}.${action.fields.domain}`);
  }
  if (needsReconfigure(planned.actions)) {
    await planned.api.reconfigure();
    writes++;
    report.line('  done: Unbound reconfigured');
  }
  return writes;
}

export async function runOpnsenseDns(
  stack: DnsStack,
  options: OpnsenseOptions & { dryRun: boolean },
): Promise<{ planned: OpnsensePlanned; writes: number }> {
  const planned = await planOpnsenseDns(stack, options);
  options.report.line(formatSection(planned.section));
  if (options.dryRun || sectionChanges(planned.section) === 0) return { planned, writes: 0 };
  options.report.line('Applying:');
  return { planned, writes: await applyOpnsense(planned, options.report) };
}
