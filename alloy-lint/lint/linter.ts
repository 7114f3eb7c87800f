/**
 * Semantic checks over a whole configuration: Alloy loads every `*.alloy` file of a folder as one
 * configuration, so declarations and references are matched across files. The checks work on the facts
 * extracted from each file (facts.ts: blocks and the dotted names used), not on the ASTs.
 *
 * Scopes. The folder is the root scope. The body of `declare "x"` is a module scope: its components and
 * `argument` blocks are its own, and it sees no component of the enclosing scope (only custom component
 * definitions and import namespaces, which are looked up outwards). The `template` of a `foreach` is a scope
 * that also sees the enclosing scope's components and the foreach variable.
 *
 * References. An expression `a.b.c.d` (identifier followed by field accesses) is resolved by the longest
 * prefix `name.label` that matches a component declared in scope; the next fragment, if any, must be one of
 * that component's exports when the registry documents them. Standard-library names (`sys.env`,
 * `constants.hostname`, ...) and `argument.<name>.value` are not component references.
 *
 * Dead pipeline end (warning). A component whose exports are known and not empty is there to be used
 * through them: an exporter or processor receives data through `input`/`receiver`, a discovery or
 * `prometheus.exporter.*` component is scraped through `targets`, `local.file` is read through `content`.
 * If nothing in its scope references it, and it forwards nothing itself (no component reference in a
 * top-level `forward_to` attribute or `output` block), data neither reaches it nor leaves it: it is dead.
 * Components exporting nothing (receivers, `prometheus.scrape`, ...) are sources by design and never
 * warned about, nor are components whose exports are undocumented or unknown.
 */

import { type Registry, type Release, STABILITY_LEVELS, type StabilityLevel } from '../registry/registry';
import { type Diagnostic, diagnosticAt, type Severity } from '../syntax/diagnostics';
import { closest } from './did-you-mean';
import type { BlockFacts, FileRef, References, ScopeFacts } from './facts';
import { type Trie, trieNode } from './trie';

export interface LintOptions {
  /**
   * Env vars the instance provides. When set, a sys.env("X")/env("X") with X not in the list is an error.
   * When undefined (legacy instance, plain CLI run) referenced env vars are only listed.
   */
  providedEnv?: readonly string[];
  /**
   * The Alloy release that will run the pipeline (`v1.10.1`): components, arguments and stability are judged as
   * that release would. @default the newest release the registry has, with unknown components only warned about
   */
  alloyVersion?: string;
  /**
   * Alloy's --stability.level: a component or function above it is an error. When undefined, only noted (info).
   */
  stabilityLevel?: StabilityLevel;
  /**
   * Alloy's --feature.community-components.enabled. With a stabilityLevel set (judged as a run would be), a
   * community component is an error unless this is true, as `alloy run` and `alloy validate` refuse it; without
   * one, only noted (info). @default false
   */
  communityComponents?: boolean;
  /**
   * Alloy runs clustered (several replicas, --cluster.enabled): every component that has a `clustering` block in
   * the release must set `clustering { enabled = true }`. @default false
   */
  clustering?: boolean;
  /** The registry to judge by. @default the registry shipped with the linter (defaultRegistry()) */
  registry?: Registry;
}

export interface LintResult {
  diagnostics: Diagnostic[];
  /** The registry components the configuration uses, where each is declared. */
  components: { name: string; file: string; line: number; column: number }[];
  /** Env vars referenced through sys.env/env with a literal name, sorted, unique. */
  envVars: string[];
  /** The release judged as and the one whose data judged it, with Release.note when they differ. */
  judgedBy: JudgedBy;
}

/** Which release a lint judged by (see Release.note). */
export interface JudgedBy {
  /** The release asked for (or the newest the registry has, when none was). */
  readonly release: string;
  /** The release whose data was used. */
  readonly data: string;
  /** Set when `data` is not `release`: one line to say once per run. */
  readonly note?: string;
}

/** The JudgedBy of a release view. */
export function judgedBy(release: Release): JudgedBy {
  return { release: release.name, data: release.dataRelease, note: release.note };
}

/** The variable Alloy's loader sets in every module's scope. */
const MODULE_PATH = 'module_path';

/** Config blocks that may appear once per configuration and take no label. */
export const SINGLETON_BLOCKS: ReadonlySet<string> = new Set([
  'logging',
  'livedebugging',
  'http',
  'tracing',
  'remotecfg',
]);
const IMPORT_BLOCKS: ReadonlySet<string> = new Set(['import.file', 'import.git', 'import.http', 'import.string']);
/** Config blocks that need a label and may be repeated with different labels. */
const LABELLED_BLOCKS: ReadonlySet<string> = new Set(['argument', 'export', 'declare', 'foreach', ...IMPORT_BLOCKS]);

interface Instance {
  name: string;
  label: string;
  block: BlockFacts;
  exports: readonly string[] | null;
  referenced: boolean;
  forwards: boolean;
}

/** Component instances by name fragments; a node's value maps the labels of that complete name. */
type NameNode = Trie<Map<string, Instance>>;

class Scope {
  /** Component instances by name fragments, then label. */
  readonly instances: NameNode = {};
  /** Custom components defined by `declare` blocks, with their exports. */
  readonly custom = new Map<string, string[]>();
  readonly importNamespaces = new Set<string>();
  readonly args = new Set<string>();

  constructor(
    readonly parent: Scope | undefined,
    /** Whether components of the parent scope are visible (foreach templates) or not (root, modules). */
    readonly seesParentComponents: boolean,
    readonly localVars: ReadonlySet<string> = new Set(),
  ) {}

  /** Adds an instance, unless one with the same name and label exists: then returns that one. */
  addInstance(fragments: readonly string[], label: string, make: () => Instance): Instance | undefined {
    const node = trieNode(this.instances, fragments);
    node.value ??= new Map();
    const existing = node.value.get(label);
    if (existing === undefined) node.value.set(label, make());
    return existing;
  }

  /** Parent for component lookups: foreach templates see the enclosing scope, modules and the root do not. */
  get componentParent(): Scope | undefined {
    return this.seesParentComponents ? this.parent : undefined;
  }

  customComponent(name: string): string[] | undefined {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) {
      const found = s.custom.get(name);
      if (found) return found;
    }
    return undefined;
  }

  isImportNamespace(first: string): boolean {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) if (s.importNamespaces.has(first)) return true;
    return false;
  }

  isLocalVar(name: string): boolean {
    for (let s: Scope | undefined = this; s !== undefined; s = s.parent) if (s.localVars.has(name)) return true;
    return false;
  }
}

interface EnvUse {
  name: string;
  file: FileRef;
  pos: number;
}

/** Checks the facts of the files of one configuration (one ScopeFacts per file, see facts.ts). */
export function lintFacts(files: readonly ScopeFacts[], registry: Registry, options: LintOptions = {}): LintResult {
  const release = registry.release(options.alloyVersion);
  const linter = new Linter(registry, release, options);
  linter.lintScope(new Scope(undefined, false), files);
  const envVars = [...new Set(linter.envUses.map((u) => u.name))].sort();
  if (options.providedEnv !== undefined) {
    const provided = new Set(options.providedEnv);
    const list = [...provided].sort().join(', ') || 'none';
    for (const use of linter.envUses) {
      if (!provided.has(use.name)) {
        linter.report(
          use.file,
          use.pos,
          'error',
          `environment variable "${use.name}" is not provided to this instance (provided: ${list})`,
        );
      }
    }
  }
  return { diagnostics: linter.diagnostics, envVars, components: linter.components, judgedBy: judgedBy(release) };
}

class Linter {
  readonly diagnostics: Diagnostic[] = [];
  readonly envUses: EnvUse[] = [];
  readonly components: LintResult['components'] = [];

  // Where the resolution is: set per block, so that no context object is made per reference.
  private scope!: Scope;
  private file!: FileRef;
  /** The component whose references are resolved (its self-references do not count as uses). */
  private owner: Instance | undefined;
  /** The references between the components of the scope being checked: owner → referenced (see reportCycles). */
  private edges = new Map<Instance, Set<Instance>>();
  /** Components already reported for referencing themselves. */
  private readonly selfReferencing = new Set<Instance>();
  /** The current reference is in the owner's `forward_to` attribute or `output` block. */
  private inOutput = false;

  /** Unknown components are errors: the release was named and the registry has its data. */
  private readonly certain: boolean;

  constructor(
    private readonly registry: Registry,
    private readonly release: Release,
    private readonly options: LintOptions,
  ) {
    this.certain = options.alloyVersion !== undefined && release.known && !release.newerThanData;
  }

  /** Reports a component or function above the configured stability level (an error), or notes its level. */
  private stability(file: FileRef, offset: number, what: string, stability: string): void {
    const level = this.options.stabilityLevel;
    const needs = `Alloy needs --stability.level=${stability}`;
    if (level === undefined) {
      this.report(file, offset, 'info', `${what} is ${stability}: ${needs}`);
    } else if (STABILITY_LEVELS.indexOf(stability as StabilityLevel) > STABILITY_LEVELS.indexOf(level)) {
      this.report(
        file,
        offset,
        'error',
        `${what} is ${stability} in Alloy ${this.release.dataRelease}, above --stability.level=${level}: ${needs}`,
      );
    }
  }

  report(file: FileRef, offset: number, severity: Severity, message: string): void {
    this.diagnostics.push(diagnosticAt(file.name, file.lines, offset, severity, message));
  }

  private here(offset: number, severity: Severity, message: string): void {
    this.report(this.file, offset, severity, message);
  }

  /** Checks a scope made of `parts` (the root: one per file; a module or template: one). */
  lintScope(scope: Scope, parts: readonly ScopeFacts[]): void {
    const blocks = parts.flatMap((p) => p.blocks);
    this.collectDefinitions(scope, blocks); // first, so that a use may come before the definition
    const owners = this.collectDeclarations(scope, blocks);
    this.scope = scope;
    for (const part of parts) {
      this.owner = undefined;
      // Upstream's ParseSource (and the validator's extractBlocks for modules and templates) refuses them.
      for (const a of part.attributes) {
        this.report(part.file, a.pos, 'error', `unrecognized attribute ${a.name}: only blocks may stand here`);
      }
      for (const i of part.attributeRefs) this.resolve(part.refs, i, part.file);
    }
    const edges = new Map<Instance, Set<Instance>>();
    this.edges = edges;
    for (const block of blocks) {
      this.scope = scope;
      this.owner = owners.get(block);
      for (let i = block.refStart; i < block.refEnd; i++) this.resolve(block.refs, i, block.file);
    }
    this.reportCycles(edges);
    for (const block of blocks) {
      if (block.scope === undefined) continue;
      const child =
        block.name === 'declare' ? new Scope(scope, false) : new Scope(scope, true, new Set(block.scope.localVars));
      this.lintScope(child, [block.scope]);
    }
    this.reportDeadEnds(scope);
  }

  /**
   * Components that reference each other in a circle: Alloy evaluates a component after those it references, so it
   * refuses a cycle (the validator and the loader: "cycle detected"), reported at each member. Tarjan's strongly
   * connected components, iteratively (a pipeline may be long).
   */
  private reportCycles(edges: ReadonlyMap<Instance, ReadonlySet<Instance>>): void {
    const index = new Map<Instance, number>();
    const low = new Map<Instance, number>();
    const onStack = new Set<Instance>();
    const stack: Instance[] = [];
    let counter = 0;
    for (const root of edges.keys()) {
      if (index.has(root)) continue;
      const work: { node: Instance; targets: Iterator<Instance> }[] = [];
      const enter = (node: Instance) => {
        index.set(node, counter);
        low.set(node, counter++);
        stack.push(node);
        onStack.add(node);
        work.push({ node, targets: (edges.get(node) ?? new Set<Instance>()).values() });
      };
      enter(root);
      while (work.length > 0) {
        const top = work[work.length - 1];
        const next = top.targets.next();
        if (!next.done) {
          const t = next.value;
          if (!index.has(t)) enter(t);
          else if (onStack.has(t)) low.set(top.node, Math.min(low.get(top.node) as number, index.get(t) as number));
          continue;
        }
        work.pop();
        if (work.length > 0) {
          const parent = work[work.length - 1].node;
          low.set(parent, Math.min(low.get(parent) as number, low.get(top.node) as number));
        }
        if (low.get(top.node) !== index.get(top.node)) continue;
        const members: Instance[] = [];
        let m: Instance;
        do {
          m = stack.pop() as Instance;
          onStack.delete(m);
          members.push(m);
        } while (m !== top.node);
        if (members.length < 2) continue;
        const names = members.map((x) => `${x.name}.${x.label}`).sort();
        for (const x of members) {
          this.report(x.block.file, x.block.namePos, 'error', `cycle of references: ${names.join(', ')}`);
        }
      }
    }
  }

  /** `declare` and `import.*` blocks: names usable as components in this scope. */
  private collectDefinitions(scope: Scope, blocks: BlockFacts[]): void {
    for (const b of blocks) {
      if (b.label === '') continue; // reported with the other label problems
      if (b.name === 'declare') scope.custom.set(b.label, b.exports ?? []);
      else if (IMPORT_BLOCKS.has(b.name)) scope.importNamespaces.add(b.label);
    }
  }

  /** Registers components and config blocks, reporting duplicates, label problems and unknown names. */
  private collectDeclarations(scope: Scope, blocks: BlockFacts[]): Map<BlockFacts, Instance> {
    const owners = new Map<BlockFacts, Instance>();
    const configBlocks = new Map<string, BlockFacts>();
    const duplicate = (b: BlockFacts, first: BlockFacts, what: string) => {
      const at = `${first.file.name}:${first.file.lines.line(first.namePos)}`;
      this.report(b.file, b.namePos, 'error', `duplicate ${what} (first declared at ${at})`);
    };
    const once = (key: string, b: BlockFacts, what: string): boolean => {
      const first = configBlocks.get(key);
      if (first === undefined) configBlocks.set(key, b);
      else duplicate(b, first, what);
      return first === undefined;
    };
    for (const b of blocks) {
      const { name, file } = b;
      if (SINGLETON_BLOCKS.has(name) || LABELLED_BLOCKS.has(name)) {
        for (const finding of b.argumentFindings ?? []) this.diagnostics.push(finding);
      }
      if (SINGLETON_BLOCKS.has(name)) {
        if (b.labelPos >= 0) this.report(file, b.labelPos, 'error', `block ${name} does not take a label`);
        once(name, b, `${name} block; it may appear only once`);
      } else if (LABELLED_BLOCKS.has(name)) {
        const labelled = `${name} "${b.label}"`;
        if (b.label === '') this.report(file, b.namePos, 'error', `block ${name} needs a label`);
        else if (once(labelled, b, `block ${labelled}`) && name === 'argument') scope.args.add(b.label);
      } else if (b.label === '') {
        this.report(file, b.namePos, 'error', `component ${name} needs a label: ${name} "<label>" { ... }`);
      } else {
        let added: Instance | undefined;
        const first = scope.addInstance(b.fragments, b.label, () => {
          added = {
            name,
            label: b.label,
            block: b,
            exports: this.exportsOf(scope, b),
            referenced: false,
            forwards: false,
          };
          return added;
        });
        if (first !== undefined) duplicate(b, first.block, `component ${name} "${b.label}"`);
        if (added !== undefined) owners.set(b, added);
      }
    }
    return owners;
  }

  /** Exports of a component (null: unknown); reports unknown and not generally available components. */
  private exportsOf(scope: Scope, b: BlockFacts): readonly string[] | null {
    const { name, file, namePos } = b;
    const custom = scope.customComponent(name);
    if (custom !== undefined) return custom;
    if (b.fragments.length > 1 && scope.isImportNamespace(b.fragments[0])) return null;
    const known = this.release.component(name);
    if (known === undefined) {
      this.unknownComponent(b);
      return null;
    }
    for (const finding of b.argumentFindings ?? []) this.diagnostics.push(finding);
    const at = diagnosticAt(file.name, file.lines, namePos, 'info', '');
    this.components.push({ name, file: at.file, line: at.line, column: at.column });
    if (known.community) {
      // Community components have no stability level: the flag alone decides (upstream component.defaultRegistry).
      const needs = 'Alloy needs --feature.community-components.enabled';
      if (this.options.stabilityLevel === undefined)
        this.report(file, namePos, 'info', `${name} is a community component: ${needs}`);
      else if (this.options.communityComponents !== true) {
        this.report(
          file,
          namePos,
          'error',
          `${name} is a community component in Alloy ${this.release.dataRelease}: ${needs}`,
        );
      }
    } else if (known.stability !== undefined && known.stability !== 'generally-available') {
      this.stability(file, namePos, name, known.stability);
    }
    return known.exports;
  }

  /** A component the release does not have: an error when the release is certain, saying when it came or went. */
  private unknownComponent(b: BlockFacts): void {
    const { name, file, namePos } = b;
    // The release whose data says so: a judgement made with v1.18.1's data never claims to be v1.19.0's.
    const release = this.release.dataRelease;
    const entry = this.registry.data.components[name];
    let why = '';
    if (entry !== undefined) {
      if (
        entry.until !== undefined &&
        this.registry.indexOf(entry.until) <= this.registry.indexOf(this.release.dataRelease)
      ) {
        why = ` (removed ${this.registry.changedAt(entry.until)})`;
      } else if (entry.since !== undefined) why = ` (added ${this.registry.changedAt(entry.since)})`;
    } else {
      const hint = closest(name, this.release.componentNames());
      if (hint !== undefined) why = ` (did you mean ${hint}?)`;
    }
    if (this.certain) {
      this.report(file, namePos, 'error', `unknown component ${name} in Alloy ${release}${why}`);
    } else {
      const basis =
        this.options.alloyVersion === undefined
          ? `the newest release the registry has, ${release}`
          : `Alloy ${release}`;
      this.report(
        file,
        namePos,
        'warning',
        `unknown component ${name} (not in ${basis}${why}; a newer Alloy may have it)`,
      );
    }
  }

  private resolve(refs: References, i: number, file: FileRef): void {
    this.file = file;
    this.inOutput = refs.inOutput(i);
    if (refs.isCall(i)) this.call(refs, i);
    else this.reference(refs, i);
  }

  /** A function call through a name: stdlib (with env var bookkeeping), a deprecated alias, or something else. */
  private call(refs: References, i: number): void {
    const name = refs.text(i);
    const where = refs.offset(i, 0);
    if (this.registry.isFunction(name)) {
      if (this.registry.isExperimentalFunction(name)) this.stability(this.file, where, name, 'experimental');
      if (name === 'sys.env') this.envUse(refs, i);
      return;
    }
    const current = this.registry.aliasOf(name);
    if (current !== undefined && !this.scope.isLocalVar(name)) {
      this.here(where, 'warning', `${name} is deprecated; use ${current}`);
      if (current === 'sys.env') this.envUse(refs, i);
      return;
    }
    if (this.registry.isStdlibRoot(refs.name(i, 0) as string) && this.findInstance(refs, i) === undefined) {
      this.here(where, 'warning', `unknown standard-library function ${name}`);
      return;
    }
    this.reference(refs, i);
  }

  private envUse(refs: References, i: number): void {
    const arg = refs.firstArg(i);
    if (arg !== undefined) this.envUses.push({ name: arg.value, file: this.file, pos: arg.pos });
  }

  private markForwarding(): void {
    if (this.inOutput && this.owner !== undefined) this.owner.forwards = true;
  }

  private reference(refs: References, i: number): void {
    const first = refs.name(i, 0) as string;
    if (this.scope.isLocalVar(first)) return;
    // Alloy puts `module_path` (the folder of the module's source) in the scope of the root and of every module
    // (internal/runtime/alloy.go, importsource.ModulePath; the validator's root scope has it too).
    if (first === MODULE_PATH && this.findInstance(refs, i) === undefined) return;
    if (first === 'argument') {
      this.argumentReference(refs, i);
      return;
    }
    const found = this.findInstance(refs, i);
    if (found !== undefined) {
      const { instance, labelIndex } = found;
      if (instance !== this.owner) instance.referenced = true;
      else if (!this.selfReferencing.has(instance)) {
        // Alloy's graph refuses an edge from a component to itself (validator and loader: "cannot reference self").
        this.selfReferencing.add(instance);
        const b = instance.block;
        this.report(b.file, b.namePos, 'error', `${instance.name} "${instance.label}" references itself`);
      }
      if (this.owner !== undefined && instance !== this.owner) {
        const targets = this.edges.get(this.owner) ?? new Set<Instance>();
        this.edges.set(this.owner, targets);
        targets.add(instance);
      }
      this.markForwarding();
      const field = refs.name(i, labelIndex + 1);
      if (field !== undefined && instance.exports !== null && !instance.exports.includes(field)) {
        const exported =
          instance.exports.length > 0 ? `it exports ${instance.exports.join(', ')}` : 'it exports nothing';
        this.here(
          refs.offset(i, labelIndex + 1),
          'error',
          `${instance.name} "${instance.label}" has no export "${field}"; ${exported}`,
        );
      }
      return;
    }
    const names = refs.names(i);
    const text = names.join('.');
    const where = refs.offset(i, 0);
    if (this.registry.isStdlibRoot(first)) {
      if (first === 'constants' && !this.registry.isConstant(text)) {
        this.here(where, 'error', `unknown constant ${text}`);
      } else if (
        first !== 'constants' &&
        !this.registry.isFunction(text) &&
        this.registry.aliasOf(text) === undefined
      ) {
        this.here(where, 'warning', `unknown standard-library name ${text}`);
      }
      return;
    }
    this.markForwarding();
    const nameLength = this.componentNameLength(names);
    if (nameLength > 0) {
      const name = names.slice(0, nameLength).join('.');
      const label = names[nameLength];
      const message =
        label === undefined
          ? `${text} refers to component ${name} without a label`
          : `${name} "${label}" is not declared in this configuration (referenced as ${text})`;
      this.here(where, 'error', message);
    } else if (this.isComponentNamespace(first)) {
      this.here(where, 'error', `${text} does not refer to any component declared in this configuration`);
    } else {
      this.here(
        where,
        'error',
        `unknown identifier ${first} in ${text} (not a declared component, argument or standard-library name)`,
      );
    }
  }

  private argumentReference(refs: References, i: number): void {
    const name = refs.name(i, 1);
    if (name === undefined) {
      this.here(refs.offset(i, 0), 'error', 'argument needs a name: argument.<name>.value');
      return;
    }
    let declared = false;
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.componentParent) {
      if (s.args.has(name)) declared = true;
    }
    if (!declared) {
      this.here(refs.offset(i, 1), 'error', `argument "${name}" is not declared in this module`);
      return;
    }
    this.markForwarding();
    const field = refs.name(i, 2);
    if (field !== undefined && field !== 'value') {
      this.here(refs.offset(i, 2), 'error', `argument "${name}" has no export "${field}"; it exports value`);
    }
  }

  /** The declared component a reference is to, by the longest `name.label` prefix in the nearest scope. */
  private findInstance(refs: References, i: number): { instance: Instance; labelIndex: number } | undefined {
    const size = refs.size(i);
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.componentParent) {
      let found: { instance: Instance; labelIndex: number } | undefined;
      let node: NameNode | undefined = s.instances;
      for (let k = 0; k + 1 < size; k++) {
        node = node.next?.get(refs.name(i, k) as string);
        if (node === undefined) break;
        const instance = node.value?.get(refs.name(i, k + 1) as string);
        if (instance !== undefined) found = { instance, labelIndex: k + 1 };
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Length of the longest prefix that names a component (known, custom or declared); 0 if none. */
  private componentNameLength(names: string[]): number {
    let longest = 0;
    let name = '';
    for (let k = 1; k <= names.length; k++) {
      name = k === 1 ? names[0] : `${name}.${names[k - 1]}`;
      if (this.registry.isComponentName(name) || this.scope.customComponent(name) !== undefined) longest = k;
    }
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.componentParent) {
      let node: NameNode | undefined = s.instances;
      for (let k = 0; k < names.length; k++) {
        node = node.next?.get(names[k]);
        if (node === undefined) break;
        if (node.value !== undefined && k + 1 > longest) longest = k + 1;
      }
    }
    return longest;
  }

  private isComponentNamespace(first: string): boolean {
    if (this.registry.isComponentNamespace(first) || this.scope.isImportNamespace(first)) return true;
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.parent) {
      for (const name of s.custom.keys()) if (name.split('.')[0] === first) return true;
    }
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.componentParent) {
      if (s.instances.next?.has(first)) return true;
    }
    return false;
  }

  /** Walks the scope's name trie with a stack, not recursion: a block name may have thousands of fragments. */
  private reportDeadEnds(scope: Scope): void {
    const pending: NameNode[] = [scope.instances];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      for (const inst of node.value?.values() ?? []) {
        if (inst.exports === null || inst.exports.length === 0 || inst.referenced || inst.forwards) continue;
        this.report(
          inst.block.file,
          inst.block.namePos,
          'warning',
          `dead pipeline end: nothing references ${inst.name} "${inst.label}" (it exports ${inst.exports.join(', ')}) and it forwards to nothing`,
        );
      }
      for (const child of node.next?.values() ?? []) pending.push(child);
    }
  }
}
