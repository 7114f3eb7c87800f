/**
 * The Cloudflare plan as a pure function: the records the cut-over wants versus the records observed at the two
 * names, giving one action per record. Nothing here talks to the network.
 */
import { normalizeName } from '../names';
import type { ActionView, PlanSection } from '../plan-view';

/** The `alloy-legacy` CNAME this tool maintains. */
export interface DesiredCname {
  readonly name: string;
  readonly content: string;
  readonly ttl: number;
  readonly proxied: boolean;
}

/** The subset of a Cloudflare DNS record the plan reads. */
export interface ObservedRecord {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly content: string;
  readonly ttl: number;
  readonly proxied: boolean;
}

export interface CloudflareDesired {
  readonly zone: string;
  readonly cname: DesiredCname;
  /** FQDN of the CNAME the NAS used before (`alloy.tobiash.net`), to be removed when it is ours. */
  readonly oldName: string;
  /** The only content an old record may have for this tool to call it its own: the NAS target. */
  readonly oldContent: string;
}

export interface CloudflareObserved {
  readonly atName: readonly ObservedRecord[];
  readonly atOldName: readonly ObservedRecord[];
}

export type CloudflareAction =
  | { readonly kind: 'create'; readonly record: DesiredCname }
  | { readonly kind: 'update'; readonly id: string; readonly record: DesiredCname; readonly changes: readonly string[] }
  | { readonly kind: 'delete'; readonly record: ObservedRecord; readonly why: string }
  | { readonly kind: 'keep'; readonly name: string; readonly detail: string }
  | { readonly kind: 'skip'; readonly record: ObservedRecord; readonly reason: string };

export interface CloudflarePlanOptions {
  /** Delete whatever A/AAAA/CNAME record sits at the old name, even one this tool did not write. */
  readonly deleteForeignOldRecord: boolean;
}

/** Record types that make a name resolve; only these conflict with a CNAME or matter for the old name. */
const addressTypes = new Set(['A', 'AAAA', 'CNAME']);

const sameHost = (a: string, b: string) => normalizeName(a) === normalizeName(b);

export function describeRecord(r: { content: string; ttl: number; proxied: boolean }): string {
  return `${r.content} (TTL ${r.ttl === 1 ? 'auto' : r.ttl}, ${r.proxied ? 'proxied' : 'DNS only'})`;
}

/** The actions for the CNAME this tool maintains, given every record observed at its name. */
export function planCname(desired: DesiredCname, observed: readonly ObservedRecord[]): CloudflareAction[] {
  const relevant = observed.filter((r) => addressTypes.has(r.type));
  const cnames = relevant.filter((r) => r.type === 'CNAME');
  const blocking = relevant.filter((r) => r.type !== 'CNAME');
  if (blocking.length > 0) {
    // Cloudflare refuses a CNAME next to an A/AAAA record (code 81053); replacing someone's address record is
    // not this tool's call.
    return blocking.map((record) => ({
      kind: 'skip',
      record,
      reason: `${record.type} record ${record.content} holds ${desired.name}; a CNAME cannot sit beside it, remove it by hand`,
    }));
  }
  if (cnames.length === 0) return [{ kind: 'create', record: desired }];
  const [current, ...extra] = cnames;
  const changes: string[] = [];
  if (!sameHost(current.content, desired.content)) changes.push(`content ${current.content} → ${desired.content}`);
  if (current.ttl !== desired.ttl) changes.push(`TTL ${current.ttl} → ${desired.ttl}`);
  if (current.proxied !== desired.proxied) changes.push(`proxied ${current.proxied} → ${desired.proxied}`);
  const actions: CloudflareAction[] =
    changes.length === 0
      ? [{ kind: 'keep', name: desired.name, detail: `CNAME ${describeRecord(current)} is as wanted` }]
      : [{ kind: 'update', id: current.id, record: desired, changes }];
  // Cloudflare allows one CNAME per name; a second one would be an API anomaly, reported rather than touched.
  for (const record of extra) actions.push({ kind: 'skip', record, reason: 'a second CNAME at this name; left alone' });
  return actions;
}

function planOldName(
  d: CloudflareDesired,
  observed: readonly ObservedRecord[],
  o: CloudflarePlanOptions,
): CloudflareAction[] {
  const relevant = observed.filter((r) => addressTypes.has(r.type));
  if (relevant.length === 0)
    return [{ kind: 'keep', name: d.oldName, detail: 'no A/AAAA/CNAME record: nothing to remove' }];
  return relevant.map((record): CloudflareAction => {
    const ours = record.type === 'CNAME' && sameHost(record.content, d.oldContent) && !record.proxied;
    if (ours)
      return { kind: 'delete', record, why: `the NAS CNAME; ${d.oldName} now resolves to the central instance` };
    if (o.deleteForeignOldRecord)
      return {
        kind: 'delete',
        record,
        why: 'not written by this tool; removed as forced by --delete-foreign-alloy-record',
      };
    const what =
      record.type !== 'CNAME'
        ? `a ${record.type} record`
        : record.proxied
          ? 'a proxied CNAME'
          : `a CNAME to ${record.content}, not ${d.oldContent}`;
    return {
      kind: 'skip',
      record,
      reason: `${what}: not the NAS record this tool wrote; left alone (--delete-foreign-alloy-record removes it)`,
    };
  });
}

/** The new CNAME first, then the old name, so the NAS is never without a public name during the cut-over. */
export function planCloudflare(
  d: CloudflareDesired,
  observed: CloudflareObserved,
  o: CloudflarePlanOptions,
): CloudflareAction[] {
  if (sameHost(d.cname.name, d.oldName)) throw new Error(`record and oldRecord are both ${d.oldName}`);
  return [...planCname(d.cname, observed.atName), ...planOldName(d, observed.atOldName, o)];
}

export function viewCloudflareAction(a: CloudflareAction): ActionView {
  switch (a.kind) {
    case 'create':
      return { kind: a.kind, subject: `CNAME ${a.record.name}`, detail: `→ ${describeRecord(a.record)}` };
    case 'update':
      return { kind: a.kind, subject: `CNAME ${a.record.name}`, detail: a.changes.join(', ') };
    case 'delete':
      return {
        kind: a.kind,
        subject: `${a.record.type} ${a.record.name}`,
        detail: `${describeRecord(a.record)}: ${a.why}`,
      };
    case 'keep':
      return { kind: a.kind, subject: a.name, detail: a.detail };
    case 'skip':
      return {
        kind: a.kind,
        subject: `${a.record.type} ${a.record.name}`,
        detail: `${describeRecord(a.record)}: ${a.reason}`,
      };
  }
}

export function cloudflareSection(zone: string, actions: readonly CloudflareAction[]): PlanSection {
  return { title: `Cloudflare DNS (zone ${zone})`, actions: actions.map(viewCloudflareAction) };
}
