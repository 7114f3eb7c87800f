/**
 * The registry from Alloy's own Go sources. tools/registry (a Go program) reads one release's declarations — the
 * component.Register calls, the config blocks' types and every `alloy:"..."` struct tag — and prints them; this
 * module keeps one compact file per release under alloy-lint/registry/go/ (committed, so that adding a release
 * does not need the others' sources again) and merges them into the since/until shape the linter reads
 * (RegistryData, see build-registry.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttrSpec, RegistryBlock, RegistryComponent, RegistryData, Versioned } from './build-registry';
import { compareVersions } from './versions';

export const GO_RELEASES_DIR = join(__dirname, 'go');
export const GO_REGISTRY_FILE = join(__dirname, 'registry.go.json');

/** What tools/registry prints for one release. */
export interface GoOutput {
  source: GoSource;
  components: Record<string, GoEntry>;
  configBlocks: Record<string, GoEntry>;
  unknownTypes: string[];
  problems: string[];
}

export interface GoSource {
  release: string;
  /** `module`: the module zip of the Go module proxy; `checkout`: a git checkout given on the command line. */
  kind: 'module' | 'checkout';
  module: string;
  version?: string;
  /** go.sum's `h1:` hash of the module zip. */
  sum?: string;
  commit?: string;
}

interface GoBody {
  required?: boolean;
  repeatable?: boolean;
  attributes?: Record<string, { type: string; required: boolean }>;
  openAttributes?: boolean;
  openBlocks?: boolean;
  childrenSameAs?: string;
}

interface GoEntry extends GoBody {
  stability?: string;
  community?: boolean;
  exports: string[] | null;
  blocks?: Record<string, GoBody>;
  file?: string;
}

/** One block of one release. */
export interface ReleaseBlock {
  required?: true;
  repeatable?: true;
  openAttributes?: true;
  openBlocks?: true;
  childrenSameAs?: string;
  attributes?: Record<string, AttrSpec>;
}

/** One component or config block of one release. */
export interface ReleaseEntry extends Omit<ReleaseBlock, 'required' | 'repeatable'> {
  stability?: string;
  community?: true;
  exports: string[] | null;
  blocks?: Record<string, ReleaseBlock>;
  /** The file of the release that declares it (a registration or a config block's type). */
  file?: string;
}

/** One release as alloy-lint/registry/go/<release>.json keeps it. */
export interface ReleaseData {
  source: GoSource;
  unknownTypes: string[];
  problems: string[];
  configBlocks: Record<string, ReleaseEntry>;
  components: Record<string, ReleaseEntry>;
}

function sorted<T>(record: Record<string, T> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function compactAttributes(attrs: GoBody['attributes']): Record<string, AttrSpec> | undefined {
  if (attrs === undefined || Object.keys(attrs).length === 0) return undefined;
  return Object.fromEntries(
    Object.entries(sorted(attrs)).map(([name, a]) => [name, a.type + (a.required ? '!' : '')] as const),
  );
}

function compactBlock(b: GoBody): ReleaseBlock {
  const out: ReleaseBlock = {};
  if (b.required) out.required = true;
  if (b.repeatable) out.repeatable = true;
  if (b.openAttributes) out.openAttributes = true;
  if (b.openBlocks) out.openBlocks = true;
  if (b.childrenSameAs !== undefined) out.childrenSameAs = b.childrenSameAs;
  const attributes = compactAttributes(b.attributes);
  if (attributes !== undefined) out.attributes = attributes;
  return out;
}

function compactEntry(e: GoEntry): ReleaseEntry {
  const out: ReleaseEntry = { exports: e.exports };
  if (e.stability) out.stability = e.stability;
  if (e.community) out.community = true;
  const body = compactBlock(e);
  delete body.required;
  delete body.repeatable;
  Object.assign(out, body);
  if (e.blocks !== undefined && Object.keys(e.blocks).length > 0) {
    out.blocks = Object.fromEntries(Object.entries(sorted(e.blocks)).map(([p, b]) => [p, compactBlock(b)] as const));
  }
  if (e.file !== undefined) out.file = e.file;
  return out;
}

/** The generator's output as the compact per-release file. */
export function releaseDataOf(out: GoOutput): ReleaseData {
  const entries = (r: Record<string, GoEntry>) =>
    Object.fromEntries(Object.entries(sorted(r)).map(([n, e]) => [n, compactEntry(e)] as const));
  return {
    source: out.source,
    unknownTypes: out.unknownTypes,
    problems: out.problems,
    configBlocks: entries(out.configBlocks),
    components: entries(out.components),
  };
}

/** The text of a per-release file: one component per line, so that a diff names what changed. */
export function renderReleaseData(data: ReleaseData): string {
  const members = (Object.keys(data) as (keyof ReleaseData)[]).map((key) => {
    const prefix = `${JSON.stringify(key)}:`;
    if (key !== 'components' && key !== 'configBlocks') return prefix + JSON.stringify(data[key]);
    const rows = Object.entries(data[key]).map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
    return `${prefix}{\n${rows.join(',\n')}\n}`;
  });
  return `{\n${members.join(',\n')}\n}\n`;
}

/** Every per-release file of a directory, oldest release first. */
export function readGoReleases(dir = GO_RELEASES_DIR): ReleaseData[] {
  return readdirSync(dir)
    .filter((f) => /^v\d+\.\d+\.\d+\.json$/.test(f))
    .map((f) => f.slice(0, -'.json'.length))
    .sort(compareVersions)
    .map((v) => JSON.parse(readFileSync(join(dir, `${v}.json`), 'utf8')) as ReleaseData);
}

/** A value per release index (undefined: absent) as a constant or change points within [from, to]. */
function versioned<T>(values: (T | undefined)[], releases: string[], from: number, to: number): Versioned<T | null> {
  const points: [string, T | null][] = [];
  let previous: string | undefined;
  for (let i = from; i <= to; i++) {
    const key = JSON.stringify(values[i] ?? null);
    if (key !== previous) points.push([releases[i], values[i] ?? null]);
    previous = key;
  }
  if (points.length === 1 && !Array.isArray(points[0][1])) return points[0][1];
  return points;
}

function presence(values: unknown[]): number[] {
  return values.map((v, i) => (v !== undefined ? i : -1)).filter((i) => i >= 0);
}

function mergeAttributes(
  perRelease: (Record<string, AttrSpec> | undefined)[],
  releases: string[],
  from: number,
  to: number,
): Record<string, Versioned<AttrSpec | null>> | undefined {
  const names = new Set(perRelease.flatMap((a) => Object.keys(a ?? {})));
  if (names.size === 0) return undefined;
  const out: Record<string, Versioned<AttrSpec | null>> = {};
  for (const name of [...names].sort()) {
    out[name] = versioned(
      perRelease.map((a) => a?.[name]),
      releases,
      from,
      to,
    );
  }
  return out;
}

function mergeBlock(blocks: (ReleaseBlock | undefined)[], releases: string[], from: number, to: number): RegistryBlock {
  const present = presence(blocks);
  const first = Math.min(...present);
  const last = Math.max(...present);
  const out: RegistryBlock = {};
  if (first > from) out.since = releases[first];
  if (last < to) out.until = releases[last + 1];
  const all = present.map((i) => blocks[i] as ReleaseBlock);
  const absent = releases.filter((_, i) => i > first && i < last && blocks[i] === undefined);
  if (absent.length > 0) out.absentIn = absent;
  // Required in some releases only: a change-point list over the releases that have the block.
  const required = versioned(
    blocks.map((b) => b?.required === true),
    releases,
    first,
    last,
  );
  if (required === true) out.required = true;
  else if (Array.isArray(required)) out.required = required as [string, boolean][];
  if (all.some((b) => b.repeatable)) out.repeatable = true;
  if (all.some((b) => b.openAttributes)) out.openAttributes = true;
  if (all.some((b) => b.openBlocks)) out.openBlocks = true;
  const sameAs = all.find((b) => b.childrenSameAs !== undefined)?.childrenSameAs;
  if (sameAs !== undefined) out.childrenSameAs = sameAs;
  const attributes = mergeAttributes(
    blocks.map((b) => b?.attributes),
    releases,
    first,
    last,
  );
  if (attributes !== undefined) out.attributes = attributes;
  return out;
}

function mergeEntry(entries: (ReleaseEntry | undefined)[], releases: string[]): RegistryComponent {
  const present = presence(entries);
  const from = Math.min(...present);
  const to = Math.max(...present);
  const newest = entries[to] as ReleaseEntry;
  const out: RegistryComponent = { exports: newest.exports };
  if (from > 0) out.since = releases[from];
  if (to < releases.length - 1) out.until = releases[to + 1];
  const absent = releases.filter((_, i) => i > from && i < to && entries[i] === undefined);
  if (absent.length > 0) out.absentIn = absent;
  if (newest.community) out.community = true;
  else {
    const stability = versioned(
      entries.map((e) => e?.stability),
      releases,
      from,
      to,
    );
    if (stability !== null) out.stability = stability as Versioned<string>;
  }
  if (present.some((i) => entries[i]?.openAttributes)) out.openAttributes = true;
  if (present.some((i) => entries[i]?.openBlocks)) out.openBlocks = true;
  const attributes = mergeAttributes(
    entries.map((e) => e?.attributes),
    releases,
    from,
    to,
  );
  if (attributes !== undefined) out.attributes = attributes;
  const paths = new Set(present.flatMap((i) => Object.keys(entries[i]?.blocks ?? {})));
  if (paths.size > 0) {
    out.blocks = {};
    for (const path of [...paths].sort()) {
      out.blocks[path] = mergeBlock(
        entries.map((e) => e?.blocks?.[path]),
        releases,
        from,
        to,
      );
    }
  }
  return out;
}

function mergeAll(
  files: readonly ReleaseData[],
  pick: (f: ReleaseData) => Record<string, ReleaseEntry>,
): Record<string, RegistryComponent> {
  const releases = files.map((f) => f.source.release);
  const names = new Set(files.flatMap((f) => Object.keys(pick(f))));
  const out: Record<string, RegistryComponent> = {};
  for (const name of [...names].sort()) {
    out[name] = mergeEntry(
      files.map((f) => pick(f)[name]),
      releases,
    );
  }
  return out;
}

/**
 * Releases the stacks may pin that the Go module proxy does not serve, each judged by the named release of its
 * minor line (the linter picks the nearest release of a minor line it has; this records why).
 */
export const JUDGED_BY: Record<string, { by: string; reason: string }> = {
  'v1.10.1': {
    by: 'v1.10.0',
    reason:
      'the Go module proxy refuses github.com/grafana/alloy@v1.10.1 (403); v1.10.1 is judged by v1.10.0, the nearest release of its minor line whose sources it serves (regenerate from a git checkout of the v1.10.1 tag with `npm run registry -- v1.10.1 --checkout DIR` to judge it by its own)',
  },
};

/** The merged registry of the per-release files; the standard library's names are the docs-derived ones given. */
export function buildGoRegistry(files: readonly ReleaseData[], stdlib: RegistryData['stdlib']): RegistryData {
  const releases = files.map((f) => f.source.release);
  return {
    source: {
      description:
        'Components, config blocks, their arguments and blocks per Alloy release, used by the Alloy linter. Generated by `npm run registry` (tools/registry reads each release; alloy-lint/registry/go-registry.ts merges alloy-lint/registry/go/<release>.json); do not edit by hand.',
      derivedFrom:
        'the Go sources of github.com/grafana/alloy at each release: component.Register calls, the config blocks\' types and their `alloy:"..."` struct tags; the standard-library names come from the reference documentation (registry.data.json\'s docs-derived data)',
      repository: 'https://github.com/grafana/alloy',
      license: "Apache-2.0 (Grafana Alloy; see the upstream repository's LICENSE)",
      modules: Object.fromEntries(files.map((f) => [f.source.release, f.source])),
      judgedBy: Object.fromEntries(
        Object.entries(JUDGED_BY).map(([release, j]) => [release, `${j.by}: ${j.reason}`] as const),
      ),
    },
    releases,
    overrides: {},
    configBlocks: mergeAll(files, (f) => f.configBlocks),
    stdlib,
    components: mergeAll(files, (f) => f.components),
  };
}
