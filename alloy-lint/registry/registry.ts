/**
 * The registry of Alloy components, config blocks, their arguments and standard-library names, per release, loaded
 * from the committed registry.go.json (from Alloy's Go sources, generate.ts) and registry.data.json (from its
 * docs, build-registry.ts); no access to ../shared or Go at run time. `defaultRegistry(version)` picks the one a
 * release is judged by, `registry.release(version)` is the view of one release the linter judges a pipeline by.
 */
import type { AttrSpec, RegistryBlock, RegistryComponent, RegistryData, Versioned } from './build-registry';
import goData from './registry.go.json';
import { compareVersions, parseVersion, releaseName } from './versions';

export const STABILITY_LEVELS = ['generally-available', 'public-preview', 'experimental'] as const;
export type StabilityLevel = (typeof STABILITY_LEVELS)[number];

/** An attribute as one release documents it. */
export interface AttributeSpec {
  type: string;
  /** true: required; null: the docs do not say clearly (not judged). */
  required: boolean | null;
}

/** A component or config block as one release has it. */
export interface ComponentView {
  name: string;
  exports: readonly string[] | null;
  stability?: string;
  community: boolean;
  /** Its arguments and blocks may be judged in this release (its docs were read fully). */
  judged: boolean;
  entry: RegistryComponent;
}

export class Registry {
  readonly releases: readonly string[];
  private readonly functions: ReadonlySet<string>;
  private readonly constants: ReadonlySet<string>;
  private readonly aliases: ReadonlyMap<string, string>;
  /** First name fragments of the components: `otelcol`, `prometheus`, `loki`, ... */
  private readonly componentNamespaces: ReadonlySet<string>;
  /** First name fragments of stdlib functions and constants, plus un-namespaced functions and aliases. */
  private readonly stdlibRoots: ReadonlySet<string>;
  private readonly views = new Map<string, Release>();
  readonly source: Readonly<Record<string, unknown>>;

  constructor(readonly data: RegistryData) {
    this.source = data.source;
    this.releases = data.releases;
    this.functions = new Set(data.stdlib.functions);
    this.constants = new Set(data.stdlib.constants);
    this.aliases = new Map(Object.entries(data.stdlib.legacyAliases));
    this.componentNamespaces = new Set(Object.keys(data.components).map(root));
    this.stdlibRoots = new Set([
      ...data.stdlib.functions.map(root),
      ...data.stdlib.constants.map(root),
      ...this.aliases.keys(),
    ]);
  }

  get newest(): string {
    return this.releases[this.releases.length - 1];
  }

  get oldest(): string {
    return this.releases[0];
  }

  /** `v1.9.2 to v1.18.1`: the releases the registry has data for, as messages name them. */
  get range(): string {
    return `${this.oldest} to ${this.newest}`;
  }

  /**
   * The view of the release `version` (`v1.10.1`, `1.10`; default: the newest release the registry has). A patch
   * the registry lacks is judged by the data of the nearest release of its minor line; a release newer than the
   * newest it has by the newest, with `known` false (then a missing component or argument may be one that release
   * added); either way Release.note says so. A release older than the oldest it has cannot be judged: an error.
   */
  release(version?: string): Release {
    const name = version === undefined ? this.newest : releaseName(version);
    if (parseVersion(name) !== undefined && compareVersions(name, this.oldest) < 0) {
      throw new UnknownReleaseError(
        `Alloy ${name} is older than the releases the linter has data for (${this.range}): it cannot judge a pipeline for it`,
      );
    }
    let view = this.views.get(name);
    if (view === undefined) {
      view = new Release(this, name, this.dataIndexOf(name));
      this.views.set(name, view);
    }
    return view;
  }

  private dataIndexOf(name: string): { index: number; known: boolean } {
    const wanted = parseVersion(name);
    if (wanted === undefined) throw new Error(`not an Alloy release: "${name}" (expected e.g. v1.10.1)`);
    const sameMinor = this.releases
      .map((r, index) => ({ r, index, v: parseVersion(r) as [number, number, number] }))
      .filter((x) => x.v[0] === wanted[0] && x.v[1] === wanted[1]);
    if (sameMinor.length > 0) {
      const atOrBelow = sameMinor.filter((x) => x.v[2] <= wanted[2]);
      return { index: (atOrBelow[atOrBelow.length - 1] ?? sameMinor[0]).index, known: true };
    }
    const below = this.releases.filter((r) => compareVersions(r, name) < 0).length;
    return { index: Math.min(Math.max(below - 1, 0), this.releases.length - 1), known: false };
  }

  /**
   * When a change the data first shows at `release` happened: `in v1.13.2` when the release before it in the data
   * is of the previous (or the same) minor line, else `after v1.11.0, by v1.15.1` (the data has no release of
   * the minor lines between, as the Go data lacks those the Go module proxy does not serve).
   */
  changedAt(release: string): string {
    const i = this.indexOf(release);
    const before = i > 0 ? parseVersion(this.releases[i - 1]) : undefined;
    const at = parseVersion(release);
    if (before === undefined || at === undefined || (before[0] === at[0] && at[1] - before[1] <= 1)) {
      return `in ${release}`;
    }
    return `after ${this.releases[i - 1]}, by ${release}`;
  }

  /** Index of a release in the data, for since/until and change points. */
  indexOf(release: string): number {
    return this.releases.indexOf(release);
  }

  /** A component of any release. */
  isComponentName(name: string): boolean {
    return Object.hasOwn(this.data.components, name);
  }

  isComponentNamespace(first: string): boolean {
    return this.componentNamespaces.has(first);
  }

  isStdlibRoot(first: string): boolean {
    return this.stdlibRoots.has(first);
  }

  isFunction(name: string): boolean {
    return this.functions.has(name);
  }

  isExperimentalFunction(name: string): boolean {
    return this.data.stdlib.experimental.includes(name);
  }

  isConstant(name: string): boolean {
    return this.constants.has(name);
  }

  /** Current name of a deprecated un-namespaced function (`env` → `sys.env`). */
  aliasOf(name: string): string | undefined {
    return this.aliases.get(name);
  }
}

/** A release the registry cannot judge by (older than its data). */
export class UnknownReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownReleaseError';
  }
}

/**
 * How to refresh the release data, for the note on a release the registry has no data for (README, "The registry").
 */
export const REFRESH_HINT =
  'refresh the data with `npm run registry` (README: "Checking pipelines", the registry) or pin a release it knows';

/** One release as the registry knows it. */
export class Release {
  /** The release whose data is used (`name` itself, or the nearest the registry has). */
  readonly dataRelease: string;
  /** The registry has this minor line: a component it does not list is certainly missing. */
  readonly known: boolean;
  private readonly index: number;
  private readonly children = new Map<RegistryComponent, Map<string, Set<string>>>();

  constructor(
    readonly registry: Registry,
    /** The release asked for, as messages name it: `v1.10.1`. */
    readonly name: string,
    at: { index: number; known: boolean },
  ) {
    this.index = at.index;
    this.known = at.known;
    this.dataRelease = registry.releases[at.index];
  }

  /** The release is newer than the newest the registry has: judged by older data, what it added is unknown. */
  get newerThanData(): boolean {
    return compareVersions(this.name, this.registry.newest) > 0;
  }

  /**
   * One line saying which release's data judges this release, when it is not its own (undefined when it is): said
   * once per run by alloy-lint, synth and deploy, so that no release is judged silently as another.
   */
  get note(): string | undefined {
    if (this.dataRelease === this.name) return undefined;
    if (this.newerThanData) {
      return `Alloy ${this.name} is newer than the linter's release data (${this.registry.range}): judged by ${this.dataRelease}'s data, so unknown components and arguments are only warnings (${this.name} may have added them); ${REFRESH_HINT}`;
    }
    return `the linter has no data for Alloy ${this.name}: judged by ${this.dataRelease}'s data, the nearest release of its minor line it has`;
  }

  /** Whether an item with since/until (and releases it skips) exists in this release. */
  has(item: { since?: string; until?: string; absentIn?: string[] }): boolean {
    const r = this.registry;
    return (
      (item.since === undefined || r.indexOf(item.since) <= this.index) &&
      (item.until === undefined || r.indexOf(item.until) > this.index) &&
      (item.absentIn === undefined || !item.absentIn.includes(this.dataRelease))
    );
  }

  /** A Versioned value as of this release. */
  valueOf<T>(value: Versioned<T>): T | undefined {
    if (!isChangeList(value)) return value as T;
    let found: T | undefined;
    for (const [release, v] of value) if (this.registry.indexOf(release) <= this.index) found = v;
    return found;
  }

  component(name: string): ComponentView | undefined {
    return this.view(name, this.registry.data.components[name]);
  }

  configBlock(name: string): ComponentView | undefined {
    return this.view(name, this.registry.data.configBlocks[name]);
  }

  isConfigBlock(name: string): boolean {
    return Object.hasOwn(this.registry.data.configBlocks, name);
  }

  /** Every component this release has. */
  componentNames(): string[] {
    return Object.entries(this.registry.data.components)
      .filter(([, entry]) => this.has(entry))
      .map(([name]) => name);
  }

  private view(name: string, entry: RegistryComponent | undefined): ComponentView | undefined {
    if (entry === undefined || !this.has(entry)) return undefined;
    const stability = entry.stability === undefined ? undefined : this.valueOf(entry.stability);
    return {
      name,
      exports: entry.exports,
      stability,
      community: entry.community === true,
      judged: !entry.incompleteIn?.includes(this.dataRelease),
      entry,
    };
  }

  /** A block path (`grpc > tls`) of a component, when this release has it. */
  block(entry: RegistryComponent, path: string): RegistryBlock | undefined {
    const b = entry.blocks?.[path];
    return b !== undefined && this.has(b) ? b : undefined;
  }

  /** Whether a block is required in this release. */
  isRequired(block: RegistryBlock | undefined): boolean {
    const required = block?.required;
    return Array.isArray(required) ? this.valueOf(required) === true : required === true;
  }

  /** Attributes of the component's top level (path '') or of a block, as of this release. */
  attributes(entry: RegistryComponent, path: string): Map<string, AttributeSpec> {
    const holder = path === '' ? entry : this.block(entry, path);
    const out = new Map<string, AttributeSpec>();
    for (const [name, value] of Object.entries(holder?.attributes ?? {})) {
      const spec = this.valueOf<AttrSpec | null>(value);
      if (spec !== undefined && spec !== null) out.set(name, parseSpec(spec));
    }
    return out;
  }

  /** Names of the blocks directly under a path ('' = the top level), as of this release. */
  childBlocks(entry: RegistryComponent, path: string): string[] {
    let byParent = this.children.get(entry);
    if (byParent === undefined) {
      byParent = new Map();
      for (const p of Object.keys(entry.blocks ?? {})) {
        const cut = p.lastIndexOf(' > ');
        const parent = cut < 0 ? '' : p.slice(0, cut);
        const set = byParent.get(parent) ?? new Set<string>();
        byParent.set(parent, set);
        set.add(cut < 0 ? p : p.slice(cut + 3));
      }
      this.children.set(entry, byParent);
    }
    const prefix = path === '' ? '' : `${path} > `;
    return [...(byParent.get(path) ?? [])].filter((name) => this.block(entry, prefix + name) !== undefined);
  }
}

function isChangeList<T>(value: Versioned<T>): value is [string, T][] {
  return Array.isArray(value) && Array.isArray(value[0]);
}

function parseSpec(spec: AttrSpec): AttributeSpec {
  const last = spec[spec.length - 1];
  if (last === '!') return { type: spec.slice(0, -1), required: true };
  if (last === '?') return { type: spec.slice(0, -1), required: null };
  return { type: spec, required: false };
}

function root(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

let docs: Registry | undefined;
let go: Registry | undefined;

/** The docs-derived registry (registry.data.json, from the reference documentation of each release). */
export function docsRegistry(): Registry {
  // Loaded on first use only (see docs-data.ts).
  docs ??= new Registry((require('./docs-data') as typeof import('./docs-data')).DOCS_DATA);
  return docs;
}

/** The Go-derived registry (registry.go.json, from each release's Go sources: see go-registry.ts). */
export function goRegistry(): Registry {
  go ??= new Registry(goData as unknown as RegistryData);
  return go;
}

function minorLine(version: string): string | undefined {
  const v = parseVersion(version);
  return v === undefined ? undefined : `${v[0]}.${v[1]}`;
}

/**
 * The registry a release is judged by: the Go-derived one (what Alloy runs) for every minor line whose sources it
 * has, and for no release named or one newer than both; the docs-derived one only for a minor line the Go module
 * proxy does not serve (v1.9, v1.12–v1.14, v1.16 today), where the docs are the best data the project has.
 */
export function defaultRegistry(version?: string): Registry {
  const g = goRegistry();
  const line = version === undefined ? undefined : minorLine(version);
  if (line === undefined || g.releases.some((r) => minorLine(r) === line)) return g;
  const d = docsRegistry();
  return d.releases.some((r) => minorLine(r) === line) ? d : g;
}
