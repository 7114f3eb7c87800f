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

export type FileAction =
  | { readonly kind: 'create' | 'update'; readonly path: string; readonly content: string; readonly was: string | null }
  | { readonly kind: 'keep'; readonly path: string };

export function planIncludeFile(path: string, wanted: string, current: string | null): FileAction {
  if (current === wanted) return { kind: 'keep', path };
  return { kind: current === null ? 'create' : 'update', path, content: wanted, was: current };
}

export function fileSection(where: string, action: FileAction, o: HostOverride): PlanSection {
  let view: ActionView;
  if (action.kind === 'keep')
    view = { kind: 'keep', subject: action.path, detail: `${o.fqdn} → ${o.address} is as wanted` };
  else {
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
