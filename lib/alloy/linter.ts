/**
 * Semantic checks over a whole configuration: Alloy loads every `*.alloy` file of a folder as one
 * configuration, so declarations and references are matched across files.
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
import type { AccessExpr, BlockStmt, Expr, File, IdentifierExpr, Stmt } from './ast';
import { type Diagnostic, diagnosticAt, type Severity } from './diagnostics';
import type { Registry } from './registry';
import { Token } from './token';
import { unquote } from './unicode';

export interface LintOptions {
  /**
   * Env vars the instance provides. When set, a sys.env("X")/env("X") with X not in the list is an error.
   * When undefined (legacy instance, plain CLI run) referenced env vars are only listed.
   */
  providedEnv?: readonly string[];
}

export interface LintResult {
  diagnostics: Diagnostic[];
  /** Env vars referenced through sys.env/env with a literal name, sorted, unique. */
  envVars: string[];
}

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
  block: BlockStmt;
  file: File;
  exports: readonly string[] | null;
  referenced: boolean;
  forwards: boolean;
}

interface Located<T> {
  node: T;
  file: File;
}

/** A trie of component names by fragment; a node with labels is a complete name that has instances. */
interface NameNode {
  next?: Map<string, NameNode>;
  labels?: Map<string, Instance>;
}

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

  addInstance(fragments: readonly string[], instance: Instance): void {
    let node = this.instances;
    for (const f of fragments) {
      node.next ??= new Map();
      const child: NameNode = node.next.get(f) ?? {};
      node.next.set(f, child);
      node = child;
    }
    node.labels ??= new Map();
    node.labels.set(instance.label, instance);
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

/** A dotted name in an expression: its identifier and access nodes, first to last. */
type Chain = (IdentifierExpr | AccessExpr)[];

const partPos = (part: IdentifierExpr | AccessExpr): number => (part.kind === 'ident' ? part.pos : part.namePos);
const chainText = (chain: Chain): string => chain.map((p) => p.name).join('.');

interface EnvUse {
  name: string;
  file: File;
  pos: number;
}

export function lintFiles(files: readonly File[], registry: Registry, options: LintOptions = {}): LintResult {
  const linter = new Linter(registry);
  const root = new Scope(undefined, false);
  linter.lintScope(
    root,
    files.flatMap((file) => file.body.map((node) => ({ node, file }))),
  );
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
  return { diagnostics: linter.diagnostics, envVars };
}

class Linter {
  readonly diagnostics: Diagnostic[] = [];
  readonly envUses: EnvUse[] = [];

  // Where the expression walk is. Fields rather than a context object per node: the walk visits every
  // expression of the configuration, and allocations are what a large configuration pays for most.
  private scope!: Scope;
  private file!: File;
  /** The component whose body is being walked (its self-references do not count as uses). */
  private owner: Instance | undefined;
  /** Inside the owner's `forward_to` attribute or `output` block. */
  private inOutput = false;

  constructor(private readonly registry: Registry) {}

  report(file: File, offset: number, severity: Severity, message: string): void {
    this.diagnostics.push(diagnosticAt(file.name, file.lines, offset, severity, message));
  }

  private here(offset: number, severity: Severity, message: string): void {
    this.report(this.file, offset, severity, message);
  }

  lintScope(scope: Scope, stmts: Located<Stmt>[]): void {
    const blocks = stmts.filter((s): s is Located<BlockStmt> => s.node.kind === 'block');
    this.collectDefinitions(scope, blocks); // first, so that a use may come before the definition
    const owners = this.collectDeclarations(scope, blocks);
    for (const { node, file } of stmts) {
      this.scope = scope;
      this.file = file;
      this.inOutput = false;
      if (node.kind === 'attribute') {
        this.owner = undefined;
        this.walkExpr(node.value);
      } else {
        this.owner = owners.get(node);
        this.walkTopBlock(node);
      }
    }
    for (const { node, file } of blocks) this.lintNestedScope(scope, node, file);
    this.reportDeadEnds(scope);
  }

  /** `declare` and `import.*` blocks: names usable as components in this scope. */
  private collectDefinitions(scope: Scope, blocks: Located<BlockStmt>[]): void {
    for (const { node } of blocks) {
      if (node.label === '') continue; // reported with the other label problems
      const name = node.name.join('.');
      if (name === 'declare') {
        const exports = node.body.flatMap((s) =>
          s.kind === 'block' && s.name.length === 1 && s.name[0] === 'export' && s.label !== '' ? [s.label] : [],
        );
        scope.custom.set(node.label, exports);
      } else if (IMPORT_BLOCKS.has(name)) {
        scope.importNamespaces.add(node.label);
      }
    }
  }

  /** Registers components and config blocks, reporting duplicates, label problems and unknown names. */
  private collectDeclarations(scope: Scope, blocks: Located<BlockStmt>[]): Map<BlockStmt, Instance> {
    const owners = new Map<BlockStmt, Instance>();
    const seen = new Map<string, Located<BlockStmt>>();
    const once = (key: string, located: Located<BlockStmt>, what: string): boolean => {
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, located);
        return true;
      }
      const at = `${first.file.name}:${first.file.lines.line(first.node.namePos)}`;
      this.report(located.file, located.node.namePos, 'error', `duplicate ${what} (first declared at ${at})`);
      return false;
    };
    for (const located of blocks) {
      const { node, file } = located;
      const name = node.name.join('.');
      const labelled = `${name} "${node.label}"`;
      if (SINGLETON_BLOCKS.has(name)) {
        if (node.labelPos >= 0) this.report(file, node.labelPos, 'error', `block ${name} does not take a label`);
        once(name, located, `${name} block; it may appear only once`);
      } else if (LABELLED_BLOCKS.has(name)) {
        if (node.label === '') this.report(file, node.namePos, 'error', `block ${name} needs a label`);
        else if (once(labelled, located, `block ${labelled}`) && name === 'argument') scope.args.add(node.label);
      } else if (node.label === '') {
        this.report(file, node.namePos, 'error', `component ${name} needs a label: ${name} "<label>" { ... }`);
      } else if (once(labelled, located, `component ${labelled}`)) {
        const instance: Instance = {
          name,
          label: node.label,
          block: node,
          file,
          exports: this.exportsOf(scope, name, located),
          referenced: false,
          forwards: false,
        };
        scope.addInstance(node.name, instance);
        owners.set(node, instance);
      }
    }
    return owners;
  }

  /** Exports of a component by name (null: unknown); reports unknown and not generally available ones. */
  private exportsOf(scope: Scope, name: string, { node, file }: Located<BlockStmt>): readonly string[] | null {
    const custom = scope.customComponent(name);
    if (custom !== undefined) return custom;
    if (node.name.length > 1 && scope.isImportNamespace(node.name[0])) return null;
    const known = this.registry.component(name);
    if (known === undefined) {
      const at = this.registry.source.commit?.slice(0, 12) ?? 'unknown';
      this.report(
        file,
        node.namePos,
        'warning',
        `unknown component ${name} (not in the registry of Alloy at ${at}; a newer Alloy may have it)`,
      );
      return null;
    }
    if (known.community) {
      this.report(
        file,
        node.namePos,
        'info',
        `${name} is a community component: Alloy needs --feature.community-components.enabled`,
      );
    } else if (known.stability !== undefined && known.stability !== 'generally-available') {
      this.report(
        file,
        node.namePos,
        'info',
        `${name} is ${known.stability}: Alloy needs --stability.level=${known.stability}`,
      );
    }
    return known.exports;
  }

  private lintNestedScope(scope: Scope, node: BlockStmt, file: File): void {
    const name = node.name.join('.');
    if (name === 'declare') {
      this.lintScope(
        new Scope(scope, false),
        node.body.map((s) => ({ node: s, file })),
      );
    } else if (name === 'foreach') {
      const varAttr = node.body.find((s) => s.kind === 'attribute' && s.name === 'var');
      const vars = new Set<string>();
      if (varAttr?.kind === 'attribute' && varAttr.value.kind === 'literal' && varAttr.value.token === Token.STRING) {
        vars.add(unquote(varAttr.value.value));
      }
      for (const s of node.body) {
        if (s.kind === 'block' && s.name.length === 1 && s.name[0] === 'template') {
          this.lintScope(
            new Scope(scope, true, vars),
            s.body.map((t) => ({ node: t, file })),
          );
        }
      }
    }
  }

  /** Walks the expressions of a top-level block; nested scopes (declare, foreach template) are skipped. */
  private walkTopBlock(block: BlockStmt): void {
    const single = block.name.length === 1 ? block.name[0] : '';
    if (single === 'declare') return;
    for (const s of block.body) {
      if (s.kind === 'attribute') {
        this.inOutput = s.name === 'forward_to';
        this.walkExpr(s.value);
      } else {
        const inner = s.name.length === 1 ? s.name[0] : '';
        if (single === 'foreach' && inner === 'template') continue;
        this.inOutput = inner === 'output';
        this.walkBody(s.body);
      }
    }
    this.inOutput = false;
  }

  private walkBody(stmts: Stmt[]): void {
    for (const s of stmts) {
      if (s.kind === 'attribute') this.walkExpr(s.value);
      else this.walkBody(s.body);
    }
  }

  private walkExpr(e: Expr): void {
    switch (e.kind) {
      case 'ident':
      case 'access': {
        const chain = chainOf(e);
        if (chain !== undefined) this.reference(chain);
        else if (e.kind === 'access') this.walkExpr(e.value);
        return;
      }
      case 'call': {
        const chain = chainOf(e.value);
        if (chain !== undefined) this.call(chain, e.args);
        else this.walkExpr(e.value);
        for (const a of e.args) this.walkExpr(a);
        return;
      }
      case 'index':
        this.walkExpr(e.value);
        this.walkExpr(e.index);
        return;
      case 'array':
        for (const el of e.elements) this.walkExpr(el);
        return;
      case 'object':
        for (const f of e.fields) this.walkExpr(f.value);
        return;
      case 'unary':
        this.walkExpr(e.value);
        return;
      case 'binary':
        this.walkExpr(e.left);
        this.walkExpr(e.right);
        return;
      case 'paren':
        this.walkExpr(e.inner);
        return;
      case 'literal':
        return;
    }
  }

  /** A function call through a name: stdlib (with env var bookkeeping), a deprecated alias, or something else. */
  private call(chain: Chain, args: Expr[]): void {
    const name = chainText(chain);
    const where = partPos(chain[0]);
    if (this.registry.isFunction(name)) {
      if (this.registry.isExperimentalFunction(name)) {
        this.here(where, 'info', `${name} is experimental: Alloy needs --stability.level=experimental`);
      }
      if (name === 'sys.env') this.envUse(args);
      return;
    }
    const current = this.registry.aliasOf(name);
    if (current !== undefined && !this.scope.isLocalVar(name)) {
      this.here(where, 'warning', `${name} is deprecated; use ${current}`);
      if (current === 'sys.env') this.envUse(args);
      return;
    }
    if (this.registry.isStdlibRoot(chain[0].name) && this.findInstance(chain) === undefined) {
      this.here(where, 'warning', `unknown standard-library function ${name}`);
      return;
    }
    this.reference(chain);
  }

  private envUse(args: Expr[]): void {
    const arg = args[0];
    if (arg?.kind === 'literal' && arg.token === Token.STRING) {
      this.envUses.push({ name: unquote(arg.value), file: this.file, pos: arg.pos });
    }
  }

  private markForwarding(): void {
    if (this.inOutput && this.owner !== undefined) this.owner.forwards = true;
  }

  private reference(chain: Chain): void {
    const first = chain[0].name;
    if (this.scope.isLocalVar(first)) return;
    if (first === 'argument') {
      this.argumentReference(chain);
      return;
    }
    const found = this.findInstance(chain);
    if (found !== undefined) {
      const { instance, labelIndex } = found;
      if (instance !== this.owner) instance.referenced = true;
      this.markForwarding();
      const field = chain[labelIndex + 1];
      if (field !== undefined && instance.exports !== null && !instance.exports.includes(field.name)) {
        const exported =
          instance.exports.length > 0 ? `it exports ${instance.exports.join(', ')}` : 'it exports nothing';
        this.here(
          partPos(field),
          'error',
          `${instance.name} "${instance.label}" has no export "${field.name}"; ${exported}`,
        );
      }
      return;
    }
    const text = chainText(chain);
    const where = partPos(chain[0]);
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
    const nameLength = this.componentNameLength(chain);
    if (nameLength > 0) {
      const name = chainText(chain.slice(0, nameLength));
      const label = chain[nameLength]?.name;
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

  private argumentReference(chain: Chain): void {
    const name = chain[1];
    if (name === undefined) {
      this.here(partPos(chain[0]), 'error', 'argument needs a name: argument.<name>.value');
      return;
    }
    let declared = false;
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.componentParent) {
      if (s.args.has(name.name)) declared = true;
    }
    if (!declared) {
      this.here(partPos(name), 'error', `argument "${name.name}" is not declared in this module`);
      return;
    }
    this.markForwarding();
    const field = chain[2];
    if (field !== undefined && field.name !== 'value') {
      this.here(partPos(field), 'error', `argument "${name.name}" has no export "${field.name}"; it exports value`);
    }
  }

  /** The declared component a chain refers to, by the longest `name.label` prefix in the nearest scope. */
  private findInstance(chain: Chain): { instance: Instance; labelIndex: number } | undefined {
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.componentParent) {
      let found: { instance: Instance; labelIndex: number } | undefined;
      let node: NameNode | undefined = s.instances;
      for (let k = 0; k + 1 < chain.length; k++) {
        node = node.next?.get(chain[k].name);
        if (node === undefined) break;
        const instance = node.labels?.get(chain[k + 1].name);
        if (instance !== undefined) found = { instance, labelIndex: k + 1 };
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** Length of the longest chain prefix that names a component (known, custom or declared); 0 if none. */
  private componentNameLength(chain: Chain): number {
    let longest = 0;
    let name = '';
    for (let k = 1; k <= chain.length; k++) {
      name = k === 1 ? chain[0].name : `${name}.${chain[k - 1].name}`;
      if (this.registry.component(name) !== undefined || this.scope.customComponent(name) !== undefined) longest = k;
    }
    for (let s: Scope | undefined = this.scope; s !== undefined; s = s.componentParent) {
      let node: NameNode | undefined = s.instances;
      for (let k = 0; k < chain.length; k++) {
        node = node.next?.get(chain[k].name);
        if (node === undefined) break;
        if (node.labels !== undefined && k + 1 > longest) longest = k + 1;
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

  private reportDeadEnds(scope: Scope): void {
    const visit = (node: NameNode): void => {
      for (const inst of node.labels?.values() ?? []) {
        if (inst.exports === null || inst.exports.length === 0 || inst.referenced || inst.forwards) continue;
        this.report(
          inst.file,
          inst.block.namePos,
          'warning',
          `dead pipeline end: nothing references ${inst.name} "${inst.label}" (it exports ${inst.exports.join(', ')}) and it forwards to nothing`,
        );
      }
      for (const child of node.next?.values() ?? []) visit(child);
    };
    visit(scope.instances);
  }
}

/** The identifier and access nodes of `a.b.c`, or undefined when the expression is not a plain dotted name. */
function chainOf(e: Expr): Chain | undefined {
  const parts: Chain = [];
  let cur = e;
  while (cur.kind === 'access') {
    parts.push(cur);
    cur = cur.value;
  }
  if (cur.kind !== 'ident') return undefined;
  parts.push(cur);
  return parts.reverse();
}
