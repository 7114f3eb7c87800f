/**
 * The OPNsense plan as a pure function: the wanted host override (host + domain → A address) against the rows the
 * search returned. OPNsense does not enforce unique names, so this function is what keeps the tool idempotent.
 */
import type { ActionView, PlanSection } from '../plan-view';
import type { HostOverride } from '../stack';
import type { Served } from './served';

/** A search row after normalisation (≤25.1 put the label `A (IPv4 address)` in rr; we keep the first word). */
export interface OverrideRow {
  readonly uuid: string;
  readonly enabled: string;
  readonly hostname: string;
  readonly domain: string;
  readonly rr: string;
  readonly server: string;
  readonly description: string;
}

/** The fields this tool writes, as the API wants them: strings only, "1" not true. */
export interface OverrideFields {
  readonly enabled: '1';
  readonly hostname: string;
  readonly domain: string;
  readonly rr: 'A';
  readonly server: string;
  readonly description: string;
}

export type OpnsenseAction =
  | { readonly kind: 'create'; readonly fields: OverrideFields }
  | {
      readonly kind: 'update';
      readonly uuid: string;
      readonly fields: OverrideFields;
      readonly changes: readonly string[];
    }
  | { readonly kind: 'keep'; readonly row: OverrideRow }
  /** Another override for the name that Unbound would also answer with: the cut-over is incomplete. */
  | { readonly kind: 'skip'; readonly row: OverrideRow; readonly reason: string }
  /** Another override for the name that changes no answer (disabled, or the same address): noted only. */
  | { readonly kind: 'ignore'; readonly row: OverrideRow; readonly reason: string }
  /** The saved override is as wanted but Unbound does not serve it: an earlier reconfigure did not happen. */
  | { readonly kind: 'apply-saved'; readonly reason: string }
  /** The saved override is as wanted; whether Unbound serves it could not be asked. */
  | { readonly kind: 'unconfirmed'; readonly reason: string };

export function normalizeRow(raw: Record<string, unknown>): OverrideRow {
  const s = (k: string) => (raw[k] === undefined || raw[k] === null ? '' : String(raw[k]));
  return {
    uuid: s('uuid'),
    enabled: s('enabled') || '1',
    hostname: s('hostname'),
    domain: s('domain'),
    rr: s('rr').split(' ')[0],
    server: s('server'),
    description: s('description'),
  };
}

export function desiredFields(o: HostOverride, description: string): OverrideFields {
  return { enabled: '1', hostname: o.host, domain: o.domain, rr: 'A', server: o.address, description };
}

const fqdnOf = (r: { hostname: string; domain: string }) =>
  (r.hostname ? `${r.hostname}.${r.domain}` : r.domain).toLowerCase();

/**
 * One A override is managed: the first enabled A row for the name, else the first A row. Other A/AAAA rows for the
 * same name would make Unbound answer with more than one address; they are reported, not deleted (they may be
 * someone's deliberate entry). MX/TXT rows at the name do not compete and are ignored.
 */
export function planOpnsense(wanted: OverrideFields, rows: readonly OverrideRow[], served?: Served): OpnsenseAction[] {
  const fqdn = fqdnOf(wanted);
  const atName = rows.filter((r) => fqdnOf(r) === fqdn && (r.rr === 'A' || r.rr === 'AAAA'));
  const aRows = atName.filter((r) => r.rr === 'A');
  const managed = aRows.find((r) => r.enabled === '1') ?? aRows[0];
  const actions: OpnsenseAction[] = [];
  if (!managed) {
    actions.push({ kind: 'create', fields: wanted });
  } else {
    const changes: string[] = [];
    if (managed.server !== wanted.server) changes.push(`server ${managed.server || '(none)'} → ${wanted.server}`);
    if (managed.enabled !== '1') changes.push('enabled 0 → 1');
    if (managed.description !== wanted.description)
      changes.push(`description "${managed.description}" → "${wanted.description}"`);
    actions.push(
      changes.length === 0
        ? { kind: 'keep', row: managed }
        : { kind: 'update', uuid: managed.uuid, fields: wanted, changes },
    );
    const live = changes.length === 0 && served ? liveness(wanted.server, served) : undefined;
    if (live) actions.push(live);
  }
  for (const row of atName) {
    if (row === managed) continue;
    const where = `${row.rr} override for ${fqdn} (uuid ${row.uuid})`;
    if (row.enabled !== '1') {
      actions.push({ kind: 'ignore', row, reason: `another ${where}, disabled: it answers nothing; left alone` });
    } else if (row.rr === 'A' && row.server === wanted.server) {
      actions.push({ kind: 'ignore', row, reason: `another ${where} with the same address; left alone` });
    } else {
      actions.push({
        kind: 'skip',
        row,
        reason: `another enabled ${where}: Unbound answers with it too; left alone, remove it in OPNsense if it is stale`,
      });
    }
  }
  return actions;
}

/** Whether Unbound serves the wanted address: among its answers (a competing override is reported apart). */
function liveness(address: string, served: Served): OpnsenseAction | undefined {
  if (served.kind === 'unknown') {
    return {
      kind: 'unconfirmed',
      reason: `not confirmed live: the resolver ${served.via} did not answer (${served.why}); set verify.resolver`,
    };
  }
  if (served.addresses.includes(address)) return undefined;
  const answer = served.addresses.length > 0 ? `answers ${served.addresses.join(', ')}` : 'has no answer';
  return { kind: 'apply-saved', reason: `saved but not live (the resolver ${served.via} ${answer})` };
}

/**
 * Unbound serves saved overrides only after a reconfigure: needed when something is written, or when an earlier
 * run saved the override but its reconfigure did not happen.
 */
export const needsReconfigure = (actions: readonly OpnsenseAction[]) =>
  actions.some((a) => a.kind === 'create' || a.kind === 'update' || a.kind === 'apply-saved');

export function viewOpnsenseAction(a: OpnsenseAction): ActionView {
  switch (a.kind) {
    case 'create':
      return { kind: a.kind, subject: `host override ${fqdnOf(a.fields)}`, detail: `A ${a.fields.server}` };
    case 'update':
      return { kind: a.kind, subject: `host override ${fqdnOf(a.fields)}`, detail: a.changes.join(', ') };
    case 'keep':
      return { kind: a.kind, subject: `host override ${fqdnOf(a.row)}`, detail: `A ${a.row.server} is as wanted` };
    case 'apply-saved':
      return { kind: 'update', subject: 'Unbound service', detail: `reconfigure: the override is ${a.reason}` };
    case 'unconfirmed':
      return { kind: 'keep', subject: 'Unbound service', detail: a.reason };
    case 'skip':
    case 'ignore':
      return {
        kind: a.kind === 'skip' ? 'skip' : 'keep',
        subject: `host override ${fqdnOf(a.row)}`,
        detail: `${a.row.rr} ${a.row.server}: ${a.reason}`,
      };
  }
}

export function opnsenseSection(endpoint: string, actions: readonly OpnsenseAction[]): PlanSection {
  const views = actions.map(viewOpnsenseAction);
  // One line for the reconfigure: the apply-saved view already is it.
  if (needsReconfigure(actions) && !actions.some((a) => a.kind === 'apply-saved')) {
    views.push({ kind: 'update', subject: 'Unbound service', detail: 'reconfigure, so the saved override goes live' });
  }
  return { title: `Unbound host override via OPNsense (${endpoint})`, actions: views };
}
