/**
 * Generates alloy-lint/registry/registry.data.json, the compact version-aware registry the linter ships with,
 * from the shared per-release files `../shared/alloy/releases/<version>/{components,arguments}.json` (derived from
 * grafana/alloy's reference documentation at each tag, Apache-2.0). One file serves every release: each component,
 * block and attribute says which releases have it. The project must work without the shared data (a user's clone),
 * so the result is committed; a test regenerates it and fails when the committed file is stale.
 *
 * Usage: npm run registry:docs [-- path/to/releases] (the Go-derived registry: generate.ts, `npm run registry`)
 *
 * Shape (see RegistryData):
 * - `releases`: the release folders, oldest first. `since` is the first release that has an item (absent: the
 *   oldest), `until` the first release that no longer has it (absent: still in the newest).
 * - an attribute is written as its spec, `TYPE` plus `!` when required or `?` when the docs do not say clearly
 *   (`required: null`), e.g. `"duration"`, `"string!"`. When its spec or presence differs from its block's, it is
 *   a list of change points `[[release, spec or null], ...]`: from that release on, that spec (null: absent).
 * - a value that changes across releases (a component's stability) is such a change-point list as well.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ARGUMENT_OVERRIDES, EXPORT_OVERRIDES, STABILITY_OVERRIDES } from './overrides';
import { compareVersions } from './versions';

export const REGISTRY_DATA_FILE = join(__dirname, 'registry.data.json');
export const DEFAULT_RELEASES_DIR = resolve(__dirname, '../../../shared/alloy/releases');

/** The fields of a release's components.json this generator reads. */
export interface ComponentsJson {
  source: { repository: string; license: string; commit: string; commitDate: string };
  components: { name: string; stability?: string | null; community?: boolean; exports: string[] | null }[];
  stdlib: string[];
  stdlibExperimental: string[];
  stdlibConstants: string[];
  stdlibLegacyAliases: Record<string, string>;
  configBlocks: string[];
  configBlockDetails: Record<string, { exports: string[] | null }>;
}

interface AttrInfo {
  type: string;
  required: boolean | null;
}

interface BlockInfo {
  required: boolean | null;
  repeatable: boolean | null;
  attributes: Record<string, AttrInfo>;
  attributesStatus: string;
  childrenStatus: string;
  childrenSameAs?: string;
}

interface EntryInfo {
  stability?: string;
  removed?: boolean;
  complete: boolean;
  attributes: Record<string, AttrInfo>;
  attributesStatus: string;
  blocks: Record<string, BlockInfo>;
  blocksStatus: string;
}

/** The fields of a release's arguments.json this generator reads. */
export interface ArgumentsJson {
  components: Record<string, EntryInfo>;
  configBlocks: Record<string, EntryInfo>;
}

export interface ReleaseFiles {
  version: string;
  components: ComponentsJson;
  arguments: ArgumentsJson;
}

/** A value per release: the value itself when constant, else `[[release, value], ...]` from that release on. */
export type Versioned<T> = T | [string, T][];

/** `TYPE`, `TYPE!` (required) or `TYPE?` (the docs do not say clearly). */
export type AttrSpec = string;

export interface RegistryBlock {
  since?: string;
  until?: string;
  /** Releases between since and until that do not have it (the Go-derived data: a block moved and came back). */
  absentIn?: string[];
  /**
   * true: required; null: the docs do not say clearly (not judged); absent: optional; a change-point list
   * `[[release, required], ...]` where releases differ (the Go-derived data).
   */
  required?: true | null | [string, boolean][];
  /** The docs say the block may be given several times. */
  repeatable?: true;
  /** The attributes are not judged (the docs could not be read, or the body is free-form). */
  openAttributes?: true;
  /** The nested blocks are not judged. */
  openBlocks?: true;
  /** May hold the blocks of this path too (`""`: the top level, as `loki.process`'s `stage.match`). */
  childrenSameAs?: string;
  attributes?: Record<string, Versioned<AttrSpec | null>>;
}

export interface RegistryComponent {
  since?: string;
  until?: string;
  absentIn?: string[];
  /** Exported fields (of the newest release that has the component); null when the documentation does not say. */
  exports: string[] | null;
  /** `generally-available`, `public-preview` or `experimental`; absent for community components. */
  stability?: Versioned<string>;
  community?: true;
  /** Releases whose docs of this component could not be read fully: its arguments are not judged there. */
  incompleteIn?: string[];
  openAttributes?: true;
  openBlocks?: true;
  attributes?: Record<string, Versioned<AttrSpec | null>>;
  blocks?: Record<string, RegistryBlock>;
}

export interface RegistryData {
  source: Record<string, unknown>;
  releases: string[];
  overrides: Record<string, string>;
  configBlocks: Record<string, RegistryComponent>;
  stdlib: { functions: string[]; experimental: string[]; constants: string[]; legacyAliases: Record<string, string> };
  components: Record<string, RegistryComponent>;
}

/** Reads every `<version>/` folder of a releases directory. */
export function readReleases(dir: string): ReleaseFiles[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^v\d+\.\d+\.\d+$/.test(e.name))
    .map((e) => e.name)
    .sort(compareVersions)
    .map((version) => ({
      version,
      components: JSON.parse(readFileSync(join(dir, version, 'components.json'), 'utf8')) as ComponentsJson,
      arguments: JSON.parse(readFileSync(join(dir, version, 'arguments.json'), 'utf8')) as ArgumentsJson,
    }));
}

const NORMALIZED_STABILITY: Record<string, string> = { public_preview: 'public-preview' };

function attrSpec(a: AttrInfo): AttrSpec {
  return a.type + (a.required === true ? '!' : a.required === null ? '?' : '');
}

/** Presence of an item over the releases (indices), as since/until; gaps (a release whose docs miss it) are filled. */
function range(present: number[], releases: string[]): { since?: string; until?: string } {
  const out: { since?: string; until?: string } = {};
  const first = Math.min(...present);
  const last = Math.max(...present);
  if (first > 0) out.since = releases[first];
  if (last < releases.length - 1) out.until = releases[last + 1];
  return out;
}

/** A value per release index (undefined: absent) as a constant or a change-point list, within [from, to]. */
function versioned<T>(values: (T | undefined)[], releases: string[], from: number, to: number): Versioned<T | null> {
  const key = (v: T | undefined) => JSON.stringify(v ?? null);
  const points: [string, T | null][] = [];
  let previous: string | undefined;
  for (let i = from; i <= to; i++) {
    const k = key(values[i]);
    if (k !== previous) points.push([releases[i], values[i] ?? null]);
    previous = k;
  }
  if (points.length === 1 && !Array.isArray(points[0][1])) return points[0][1];
  return points;
}

/** One component or config block over all releases (entries[i]: its docs in release i, or undefined). */
function mergeEntry(
  entries: (EntryInfo | undefined)[],
  releases: string[],
  from: number,
  to: number,
): Pick<RegistryComponent, 'incompleteIn' | 'openAttributes' | 'openBlocks' | 'attributes' | 'blocks'> {
  const out: ReturnType<typeof mergeEntry> = {};
  const present = entries.map((e, i) => (e !== undefined ? i : -1)).filter((i) => i >= 0);
  const incomplete = present.filter((i) => !entries[i]?.complete).map((i) => releases[i]);
  if (incomplete.length > 0) out.incompleteIn = incomplete;
  if (present.some((i) => isOpen(entries[i]?.attributesStatus))) out.openAttributes = true;
  if (present.some((i) => isOpen(entries[i]?.blocksStatus))) out.openBlocks = true;
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
      const perRelease = entries.map((e) => e?.blocks[path]);
      out.blocks[path] = mergeBlock(perRelease, releases, from, to);
    }
  }
  return out;
}

function isOpen(status: string | undefined): boolean {
  return status === 'not-found' || status === 'implied' || status === 'freeform' || status === 'headings';
}

function mergeBlock(blocks: (BlockInfo | undefined)[], releases: string[], from: number, to: number): RegistryBlock {
  const present = blocks.map((b, i) => (b !== undefined ? i : -1)).filter((i) => i >= 0);
  const first = Math.min(...present);
  const last = Math.max(...present);
  const out: RegistryBlock = {};
  if (first > from) out.since = releases[first];
  if (last < to) out.until = releases[last + 1];
  const all = present.map((i) => blocks[i] as BlockInfo);
  // A block whose docs changed between releases is judged by what every release agrees on (the few that change
  // do so by a table being found or lost), so that no release gets an error its own docs do not support.
  const required = new Set(all.map((b) => b.required));
  if (required.size > 1) out.required = null;
  else if (all[0].required === true) out.required = true;
  else if (all[0].required === null) out.required = null;
  if (all.some((b) => b.repeatable === true)) out.repeatable = true;
  if (all.some((b) => isOpen(b.attributesStatus))) out.openAttributes = true;
  if (all.some((b) => isOpen(b.childrenStatus))) out.openBlocks = true;
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

function mergeAttributes(
  perRelease: (Record<string, AttrInfo> | undefined)[],
  releases: string[],
  from: number,
  to: number,
): Record<string, Versioned<AttrSpec | null>> | undefined {
  const names = new Set(perRelease.flatMap((a) => Object.keys(a ?? {})));
  if (names.size === 0) return undefined;
  const out: Record<string, Versioned<AttrSpec | null>> = {};
  for (const name of [...names].sort()) {
    const specs = perRelease.map((a) => (a?.[name] ? attrSpec(a[name]) : undefined));
    // Fill a gap between two releases that have the attribute: a docs table that missed it once.
    const present = specs.map((s, i) => (s !== undefined ? i : -1)).filter((i) => i >= 0);
    for (let i = Math.min(...present); i <= Math.max(...present); i++) specs[i] ??= specs[i - 1];
    out[name] = versioned(specs, releases, from, to);
  }
  return out;
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function buildRegistry(files: readonly ReleaseFiles[]): RegistryData {
  const releases = files.map((f) => f.version);
  const newest = files[files.length - 1];
  const components: Record<string, RegistryComponent> = {};
  const names = new Set(files.flatMap((f) => f.components.components.map((c) => c.name)));
  for (const name of [...names].sort()) {
    const docs = files.map((f) => f.components.components.find((c) => c.name === name));
    const args = files.map((f, i) => (docs[i] ? f.arguments.components[name] : undefined));
    // A page that says the component was removed documents its absence.
    const present = docs.map((d, i) => (d !== undefined && args[i]?.removed !== true ? i : -1)).filter((i) => i >= 0);
    if (present.length === 0) continue;
    const from = Math.min(...present);
    const to = Math.max(...present);
    const latest = docs[to] as NonNullable<(typeof docs)[number]>;
    const entry: RegistryComponent = {
      ...range(present, releases),
      exports: EXPORT_OVERRIDES[name]?.exports ?? latest.exports,
    };
    if (latest.community) entry.community = true;
    else {
      const stabilities = docs.map((d, i) => {
        const override = STABILITY_OVERRIDES[name]?.[releases[i]];
        const s = override?.stability ?? d?.stability ?? undefined;
        return s === undefined ? undefined : (NORMALIZED_STABILITY[s] ?? s);
      });
      const stability = versioned(stabilities, releases, from, to);
      if (stability !== null) entry.stability = stability as Versioned<string>;
    }
    const inRange = args.map((a, i) => (i >= from && i <= to ? a : undefined));
    Object.assign(entry, mergeEntry(inRange, releases, from, to));
    components[name] = entry;
  }
  const configBlocks: Record<string, RegistryComponent> = {};
  for (const name of [...newest.components.configBlocks].sort()) {
    const args = files.map((f) => f.arguments.configBlocks[name]);
    const present = args.map((a, i) => (a !== undefined ? i : -1)).filter((i) => i >= 0);
    const entry: RegistryComponent = {
      ...range(present, releases),
      exports: newest.components.configBlockDetails[name]?.exports ?? null,
    };
    Object.assign(entry, mergeEntry(args, releases, Math.min(...present), Math.max(...present)));
    configBlocks[name] = entry;
  }
  applyArgumentOverrides(components, configBlocks);
  const union = (pick: (c: ComponentsJson) => string[]) =>
    [...new Set(files.flatMap((f) => pick(f.components)))].sort();
  return {
    source: {
      description:
        'Components, config blocks, their arguments and blocks per Alloy release, and standard-library names, used by the Alloy linter. Generated by `npm run registry:docs` (alloy-lint/registry/build-registry.ts); do not edit by hand.',
      derivedFrom:
        '../shared/alloy/releases/<version>/{components,arguments}.json, themselves extracted from the reference documentation of Grafana Alloy (docs/sources/reference/**) at each release tag',
      repository: newest.components.source.repository,
      license: `${newest.components.source.license} (Grafana Alloy documentation; see the upstream repository's LICENSE)`,
      commits: Object.fromEntries(files.map((f) => [f.version, f.components.source.commit])),
    },
    releases,
    overrides: {
      ...Object.fromEntries(Object.entries(EXPORT_OVERRIDES).map(([name, o]) => [`${name} exports`, o.reason])),
      ...Object.fromEntries(
        Object.entries(STABILITY_OVERRIDES).flatMap(([name, byRelease]) =>
          Object.entries(byRelease).map(([release, o]) => [`${name} stability at ${release}`, o.reason]),
        ),
      ),
      ...Object.fromEntries(ARGUMENT_OVERRIDES.map((o) => [overrideKey(o), o.reason])),
    },
    configBlocks,
    stdlib: {
      functions: [...new Set([...union((c) => c.stdlib), ...union((c) => c.stdlibExperimental)])].sort(),
      experimental: union((c) => c.stdlibExperimental),
      constants: union((c) => c.stdlibConstants),
      legacyAliases: sortedKeys(Object.assign({}, ...files.map((f) => f.components.stdlibLegacyAliases))),
    },
    components,
  };
}

function overrideKey(o: (typeof ARGUMENT_OVERRIDES)[number]): string {
  const where = [o.component, ...(o.block ? [o.block] : [])].join(' > ');
  return o.attribute !== undefined ? `${where} attribute ${o.attribute}` : `${where} block`;
}

function applyArgumentOverrides(
  components: Record<string, RegistryComponent>,
  configBlocks: Record<string, RegistryComponent>,
): void {
  for (const o of ARGUMENT_OVERRIDES) {
    const entry = components[o.component] ?? configBlocks[o.component];
    if (entry === undefined) throw new Error(`override for unknown component ${o.component}`);
    if (o.attribute === undefined) {
      const block = o.block as string;
      entry.blocks ??= {};
      const paths = block.endsWith('*')
        ? Object.keys(entry.blocks).filter((p) => p.startsWith(block.slice(0, -1)) && !p.includes(' > '))
        : [block];
      for (const path of paths) entry.blocks[path] = { ...entry.blocks[path], ...o.blockSpec };
      continue;
    }
    const holder: { attributes?: Record<string, Versioned<AttrSpec | null>> } | undefined =
      o.block === undefined ? entry : entry.blocks?.[o.block];
    if (holder === undefined) throw new Error(`override for unknown block ${o.component} > ${o.block}`);
    holder.attributes = sortedKeys({ ...holder.attributes, [o.attribute]: o.spec as Versioned<AttrSpec | null> });
  }
}

/**
 * The JSON text written to registry.data.json: one component per line, so that a diff names the components that
 * changed, and no other whitespace (the file is generated; biome does not format it).
 */
export function renderRegistry(data: RegistryData): string {
  const members = (Object.keys(data) as (keyof RegistryData)[]).map((key) => {
    const prefix = `${JSON.stringify(key)}:`;
    if (key !== 'components' && key !== 'configBlocks') return prefix + JSON.stringify(data[key]);
    const rows = Object.entries(data[key]).map(([name, value]) => `${JSON.stringify(name)}:${JSON.stringify(value)}`);
    return `${prefix}{\n${rows.join(',\n')}\n}`;
  });
  return `{\n${members.join(',\n')}\n}\n`;
}

if (require.main === module) {
  const input = process.argv[2] ?? DEFAULT_RELEASES_DIR;
  const text = renderRegistry(buildRegistry(readReleases(input)));
  writeFileSync(REGISTRY_DATA_FILE, text);
  process.stdout.write(`wrote ${REGISTRY_DATA_FILE} (${Buffer.byteLength(text)} bytes) from ${input}\n`);
}
