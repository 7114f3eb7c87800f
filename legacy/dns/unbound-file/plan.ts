/**
 * The file backend's plan as pure functions: the include file this tool owns holds exactly one `local-data` line
 * for the central hostname; the plan compares its wanted text with what is on disk.
 */
import type { ActionView, PlanSection } from '../plan-view';
import type { HostOverride } from '../stack';

/** TTL of the answer: short, so a changed LoadBalancer IP spreads quickly. */
export const overrideTtl = 300;

/**
 * The whole include file. Without a `local-zone`, Unbound makes the name a transparent zone of its own, so other
 * names under the domain still resolve upstream and we don't clash with zones declared elsewhere.
 */
export function includeContent(o: HostOverride): string {
  return [
    '# Written by legacy-deploy (alloy-deploy): the central Alloy host override. Changes here are overwritten.',
    `local-data: "${o.fqdn}. ${overrideTtl} IN A ${o.address}"`,
    '',
  ].join('\n');
}

/** Address(es) the file currently serves for `fqdn`, for the plan's "was" detail. */
export function servedAddresses(content: string, fqdn: string): string[] {
  const re = /^\s*local-data:\s*"([^"\s]+)\s+(?:\d+\s+)?(?:IN\s+)?A\s+([0-9.]+)"/gim;
  const found: string[] = [];
  for (const m of content.matchAll(re))
    if (m[1].replace(/\.$/, '').toLowerCase() === fqdn.toLowerCase()) found.push(m[2]);
  return found;
}

/** The A addresses `unbound-control list_local_data` says Unbound serves for `fqdn` (lines `name ttl IN A addr`). */
export function liveAddresses(listing: string, fqdn: string): string[] {
  const name = fqdn.toLowerCase();
  return listing
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 5 && f[0].replace(/\.$/, '').toLowerCase() === name && f[3] === 'A')
    .map((f) => f[4]);
}

export type FileAction =
  | { readonly kind: 'create' | 'update'; readonly path: string; readonly content: string; readonly was: string | null }
  /** `unconfirmed`: why Unbound could not be asked whether it serves the file. */
  | { readonly kind: 'keep'; readonly path: string; readonly unconfirmed?: string }
  /** The file is as wanted but Unbound does not serve it: an earlier reload did not happen. */
  | { readonly kind: 'reload'; readonly path: string; readonly served: readonly string[] };

/**
 * `live`: what Unbound serves now for the name, when it could be asked; the file being right is not enough, an
 * earlier run may have written it and then failed to reload.
 */
export function planIncludeFile(
  path: string,
  wanted: string,
  current: string | null,
  live?: { readonly served: readonly string[]; readonly address: string } | { readonly unknown: string },
): FileAction {
  if (current === wanted) {
    if (live && 'unknown' in live) return { kind: 'keep', path, unconfirmed: live.unknown };
    if (live && !live.served.includes(live.address)) return { kind: 'reload', path, served: live.served };
    return { kind: 'keep', path };
  }
  return { kind: current === null ? 'create' : 'update', path, content: wanted, was: current };
}

export function fileSection(where: string, action: FileAction, o: HostOverride): PlanSection {
  let view: ActionView;
  if (action.kind === 'keep') {
    const note = action.unconfirmed ? ` (not confirmed live: ${action.unconfirmed})` : '';
    view = { kind: 'keep', subject: action.path, detail: `${o.fqdn} → ${o.address} is as wanted${note}` };
  } else if (action.kind === 'reload') {
    const served = action.served.length > 0 ? action.served.join(', ') : 'nothing';
    view = {
      kind: 'update',
      subject: action.path,
      detail: `${o.fqdn} → ${o.address} is written but not live (Unbound serves ${served}); unbound-control reload`,
    };
  } else {
    const before = action.was === null ? [] : servedAddresses(action.was, o.fqdn);
    const was =
      action.kind === 'create' ? 'new file' : `was ${before.length > 0 ? before.join(', ') : 'other content'}`;
    view = {
      kind: action.kind,
      subject: action.path,
      detail: `${o.fqdn} → ${o.address} (${was}); then unbound-checkconf and reload`,
    };
  }
  return { title: `Unbound host override in a local-data file (${where})`, actions: [view] };
}
