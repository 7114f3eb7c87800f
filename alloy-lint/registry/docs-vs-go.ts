/**
 * The cross-check of the docs-derived registry against the Go-derived one: per release, every place where the
 * reference documentation and Alloy's Go declarations disagree (a component, block or attribute only one of
 * them has, a required flag or a literal kind they give differently). Written to DOCS-VS-GO.md by
 * `npm run registry`; useful upstream, where each line is a docs error (the Go types are what Alloy runs).
 */
import { join } from 'node:path';
import { expectedKind } from '../lint/arguments';
import type { ComponentView, Registry, Release } from './registry';
import { parseVersion } from './versions';

export const DOCS_VS_GO_FILE = join(__dirname, 'DOCS-VS-GO.md');

export interface Disagreement {
  component: string;
  /** Block path ('' = the top level). */
  path: string;
  what: string;
}

function sameMinor(a: string, b: string): boolean {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x !== undefined && y !== undefined && x[0] === y[0] && x[1] === y[1];
}

/** Every block path of an entry in a release, '' first. */
function paths(release: Release, view: ComponentView): string[] {
  return ['', ...Object.keys(view.entry.blocks ?? {}).filter((p) => release.block(view.entry, p) !== undefined)].sort();
}

/** Whether a path lies under a block one side does not judge (free-form or unreadable). */
function underOpen(
  release: Release,
  view: ComponentView,
  path: string,
  what: 'openAttributes' | 'openBlocks',
): boolean {
  const parts = path === '' ? [] : path.split(' > ');
  for (let i = 0; i <= parts.length; i++) {
    const p = parts.slice(0, i).join(' > ');
    const holder = p === '' ? view.entry : release.block(view.entry, p);
    if (holder?.[i === parts.length ? what : 'openBlocks']) return true;
  }
  return false;
}

/** The disagreements of one component or config block in one release. */
function compareEntry(name: string, docs: Release, go: Release, d: ComponentView, g: ComponentView): Disagreement[] {
  const out: Disagreement[] = [];
  const add = (path: string, what: string) => out.push({ component: name, path, what });
  // (Config blocks have no stability in the docs-derived data: not a disagreement.)
  if (d.stability !== undefined && d.stability !== g.stability && !d.community && !g.community) {
    add('', `stability: docs ${d.stability ?? 'none'}, Go ${g.stability ?? 'none'}`);
  }
  if (d.community !== g.community) add('', `community: docs ${d.community}, Go ${g.community}`);
  const de = [...(d.exports ?? [])].sort().join(', ');
  const ge = [...(g.exports ?? [])].sort().join(', ');
  if (d.exports !== null && de !== ge) add('', `exports: docs [${de}], Go [${ge}]`);
  if (!d.judged) {
    add('', 'the docs could not be read fully (not judged by the docs-derived data); the Go data judges it');
    return out;
  }
  const dPaths = paths(docs, d);
  const gPaths = paths(go, g);
  for (const p of dPaths.filter((x) => !gPaths.includes(x))) {
    if (!underOpen(go, g, p, 'openBlocks')) add(p, 'block only in the docs (Alloy rejects it)');
  }
  for (const p of gPaths.filter((x) => !dPaths.includes(x))) {
    if (!underOpen(docs, d, p, 'openBlocks')) add(p, 'block only in Go (the docs do not list it)');
  }
  for (const p of dPaths.filter((x) => gPaths.includes(x))) {
    const dr = p === '' ? undefined : docs.block(d.entry, p);
    const gr = p === '' ? undefined : go.block(g.entry, p);
    if (p !== '' && dr?.required !== null && docs.isRequired(dr) !== go.isRequired(gr)) {
      add(p, `block required: docs ${docs.isRequired(dr)}, Go ${go.isRequired(gr)}`);
    }
    const da = docs.attributes(d.entry, p);
    const ga = go.attributes(g.entry, p);
    const dOpen = underOpen(docs, d, p, 'openAttributes');
    const gOpen = underOpen(go, g, p, 'openAttributes');
    for (const [attr, spec] of da) {
      const gs = ga.get(attr);
      if (gs === undefined) {
        if (!gOpen) add(p, `attribute "${attr}" only in the docs (Alloy rejects it)`);
        continue;
      }
      if (spec.required !== null && spec.required !== gs.required) {
        add(p, `attribute "${attr}" required: docs ${spec.required}, Go ${gs.required}`);
      }
      const dk = expectedKind(spec.type);
      const gk = expectedKind(gs.type);
      if (dk !== undefined && gk !== undefined && dk !== gk) {
        add(p, `attribute "${attr}" kind: docs ${spec.type} (${dk}), Go ${gs.type} (${gk})`);
      }
    }
    for (const attr of ga.keys()) {
      if (!da.has(attr) && !dOpen) add(p, `attribute "${attr}" only in Go (the docs do not list it)`);
    }
  }
  return out;
}

/** Disagreements per docs release whose minor line the Go data has. */
export function docsVsGo(docs: Registry, go: Registry): Map<string, { goRelease: string; items: Disagreement[] }> {
  const out = new Map<string, { goRelease: string; items: Disagreement[] }>();
  for (const release of docs.releases) {
    if (!go.releases.some((r) => sameMinor(r, release))) continue;
    const d = docs.release(release);
    const g = go.release(release);
    const items: Disagreement[] = [];
    const names = new Set([...d.componentNames(), ...g.componentNames()]);
    for (const name of [...names].sort()) {
      const dv = d.component(name);
      const gv = g.component(name);
      if (dv === undefined) items.push({ component: name, path: '', what: 'component only in Go (no docs page)' });
      else if (gv === undefined) {
        items.push({ component: name, path: '', what: 'component only in the docs (not registered in Go)' });
      } else items.push(...compareEntry(name, d, g, dv, gv));
    }
    const blocks = new Set([...Object.keys(docs.data.configBlocks), ...Object.keys(go.data.configBlocks)]);
    for (const name of [...blocks].sort()) {
      const dv = d.configBlock(name);
      const gv = g.configBlock(name);
      if (dv === undefined) items.push({ component: name, path: '', what: 'config block only in Go' });
      else if (gv === undefined) items.push({ component: name, path: '', what: 'config block only in the docs' });
      else items.push(...compareEntry(name, d, g, dv, gv));
    }
    out.set(release, { goRelease: g.dataRelease, items });
  }
  return out;
}

/** DOCS-VS-GO.md's text. */
export function docsVsGoReport(docs: Registry, go: Registry): string {
  const lines = [
    "# Where Alloy's reference documentation and its Go declarations disagree",
    '',
    'Generated by `npm run registry` (alloy-lint/registry/docs-vs-go.ts); do not edit by hand. Each docs release is',
    'compared with the Go sources of the release of its minor line that alloy-lint/registry/go/ has (named per',
    'section; a patch apart where the Go module proxy does not serve the same one). The docs side is',
    'registry.data.json (the docs tables with overrides.ts applied); the Go side is registry.go.json. "Only in the',
    'docs" means Alloy rejects the name; "only in Go" means Alloy accepts what no docs table lists.',
    '',
  ];
  for (const [release, { goRelease, items }] of docsVsGo(docs, go)) {
    lines.push(`## ${release} (docs) vs ${goRelease} (Go): ${items.length} disagreements`, '');
    for (const i of items) lines.push(`- ${i.component}${i.path === '' ? '' : ` > ${i.path}`}: ${i.what}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
