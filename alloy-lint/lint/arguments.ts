/**
 * The argument check: a component's or config block's body against what one Alloy release documents for it —
 * unknown attributes and blocks (with "did you mean"), missing required ones, literals of the wrong kind, and
 * blocks given twice that the docs do not call repeatable (a warning: the docs rarely say). It runs on a block's
 * AST while it is alive (see facts.ts); the linter reports the findings only for blocks that turn out to be
 * registry components, not custom components of `declare`/`import`. Entries whose docs could not be read
 * fully, free-form bodies and attributes whose requirement the docs leave open are not judged.
 */
import type { RegistryComponent } from '../registry/build-registry';
import type { AttributeSpec, ComponentView, Release } from '../registry/registry';
import type { BlockStmt, Expr } from '../syntax/ast';
import { type Diagnostic, diagnosticAt } from '../syntax/diagnostics';
import type { LineIndex } from '../syntax/lexer';
import { Token } from '../syntax/token';
import { unquote } from '../syntax/unicode';
import { closest } from './did-you-mean';

interface Where {
  name: string;
  lines: LineIndex;
}

export class ArgumentChecker {
  constructor(
    readonly release: Release,
    /** Alloy runs clustered (several replicas): components that can cluster must enable it. */
    private readonly clustering = false,
  ) {}

  /** Findings for a top-level block that is a registry component or config block of this release. */
  check(block: BlockStmt, name: string, where: Where): Diagnostic[] | undefined {
    const view = this.release.component(name) ?? this.release.configBlock(name);
    if (view === undefined) return undefined;
    const run = new Run(this.release, view, where);
    if (view.judged) run.body(block, '');
    if (this.clustering) run.clustering(block);
    return run.findings;
  }
}

/** Kinds a literal can have, as Alloy's value types name them. */
type Kind = 'string' | 'number' | 'bool' | 'array' | 'object';

/** What a documented type accepts as a literal; undefined: not judged (capsules, `any`, sizes, ...). */
function expectedKind(type: string): 'string' | 'number' | 'bool' | 'array' | 'object' | 'duration' | undefined {
  const t = type.trim().toLowerCase();
  if (t === 'string' || t === 'secret' || t === 'string secret' || t === 'secret or string') return 'string';
  if (/^(number|int|integer|uint|uint32|uint64|int64|float|float32|float64)$/.test(t)) return 'number';
  if (t === 'bool' || t === 'boolean') return 'bool';
  if (t === 'duration') return 'duration';
  if (/^(list|lists|array)\(/.test(t) || t.startsWith('[]')) return 'array';
  if (/^map[([]/.test(t) || t === 'object') return 'object';
  return undefined;
}

/** Go's time.ParseDuration syntax, plus the d/w/y units of Prometheus durations. */
const DURATION = /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y))+$|^[-+]?0$/;

/** The kind of a literal value, with its text for strings; undefined for anything else (references, calls, ...). */
function literalKind(e: Expr): { kind: Kind; text?: string } | undefined {
  switch (e.kind) {
    case 'literal':
      if (e.token === Token.STRING) return { kind: 'string', text: unquote(e.value) };
      if (e.token === Token.NUMBER || e.token === Token.FLOAT) return { kind: 'number', text: e.value };
      if (e.token === Token.BOOL) return { kind: 'bool' };
      return undefined;
    case 'unary':
      return e.op === Token.SUB && literalKind(e.value)?.kind === 'number' ? { kind: 'number' } : undefined;
    case 'array':
      return { kind: 'array' };
    case 'object':
      return { kind: 'object' };
    case 'paren':
      return literalKind(e.inner);
    default:
      return undefined;
  }
}

/** Why a literal does not fit a documented type (Alloy converts numbers to strings and numeric strings to numbers). */
function kindProblem(spec: AttributeSpec, e: Expr): string | undefined {
  const expected = expectedKind(spec.type);
  const got = literalKind(e);
  if (expected === undefined || got === undefined) return undefined;
  switch (expected) {
    case 'string':
      return got.kind === 'string' || got.kind === 'number' ? undefined : `a string, not ${article(got.kind)}`;
    case 'number':
      if (got.kind === 'number') return undefined;
      if (got.kind === 'string' && got.text !== undefined && /^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)$/.test(got.text)) {
        return undefined;
      }
      return `a number, not ${got.kind === 'string' ? `the string ${JSON.stringify(got.text)}` : article(got.kind)}`;
    case 'bool':
      return got.kind === 'bool' ? undefined : `a bool, not ${article(got.kind)}`;
    case 'duration':
      if (got.kind === 'string' && got.text !== undefined && DURATION.test(got.text)) return undefined;
      if (got.kind === 'string') return `a duration such as "30s", not ${JSON.stringify(got.text)}`;
      if (got.kind === 'number' && got.text === '0') return undefined;
      return `a duration string such as "30s", not ${article(got.kind)}`;
    case 'array':
      return got.kind === 'array' ? undefined : `a list ([...]), not ${article(got.kind)}`;
    case 'object':
      return got.kind === 'object' ? undefined : `an object ({...}), not ${article(got.kind)}`;
  }
}

function article(kind: Kind): string {
  return kind === 'array' ? 'a list' : kind === 'object' ? 'an object' : `a ${kind}`;
}

class Run {
  readonly findings: Diagnostic[] = [];
  private readonly entry: RegistryComponent;

  constructor(
    private readonly release: Release,
    private readonly view: ComponentView,
    private readonly where: Where,
  ) {
    this.entry = view.entry;
  }

  private report(offset: number, severity: 'error' | 'warning', message: string): void {
    this.findings.push(diagnosticAt(this.where.name, this.where.lines, offset, severity, message));
  }

  private title(path: string): string {
    return path === '' ? this.view.name : `${this.view.name} > ${path}`;
  }

  /** The release whose data judges (Release.note says when it is not the one asked for). */
  private get inRelease(): string {
    return `in Alloy ${this.release.dataRelease}`;
  }

  /**
   * An unknown attribute or block: an error, but only a warning for a release newer than the data (it may have
   * added it), as an unknown component is.
   */
  private unknown(offset: number, message: string): void {
    if (this.release.newerThanData)
      this.report(offset, 'warning', `${message}; Alloy ${this.release.name} may have it`);
    else this.report(offset, 'error', message);
  }

  /**
   * Checks the body of the component (path '') or of one of its blocks. `schemaPath` is where the block's own
   * attributes and children are documented (another path for `childrenSameAs`); `path` is where it is written.
   */
  body(block: BlockStmt, schemaPath: string, path = schemaPath): void {
    const holder = schemaPath === '' ? this.entry : this.release.block(this.entry, schemaPath);
    if (holder === undefined) return;
    const attributes = this.release.attributes(this.entry, schemaPath);
    const children = this.release.childBlocks(this.entry, schemaPath);
    const sameAs = schemaPath === '' ? undefined : this.release.block(this.entry, schemaPath)?.childrenSameAs;
    const seenAttributes = new Set<string>();
    const seenBlocks = new Map<string, number>();
    for (const s of block.body) {
      if (s.kind === 'attribute') {
        seenAttributes.add(s.name);
        const spec = attributes.get(s.name);
        if (spec === undefined) {
          if (holder.openAttributes) continue;
          const hint = closest(s.name, [...attributes.keys()]);
          const asBlock = children.includes(s.name)
            ? ` (${s.name} is a block: ${s.name} { ... })`
            : this.elsewhere((p) => this.release.attributes(this.entry, p).has(s.name), path);
          this.unknown(
            s.namePos,
            `${this.title(path)} has no attribute "${s.name}" ${this.inRelease}${hint ? ` (did you mean "${hint}"?)` : asBlock}`,
          );
          continue;
        }
        const problem = kindProblem(spec, s.value);
        if (problem !== undefined) {
          this.report(
            s.namePos,
            'error',
            `${this.title(path)}: attribute "${s.name}" must be ${problem} (type ${spec.type} ${this.inRelease})`,
          );
        }
        continue;
      }
      const name = s.name.join('.');
      const childPath = path === '' ? name : `${path} > ${name}`;
      let childSchema: string | undefined;
      if (children.includes(name)) childSchema = schemaPath === '' ? name : `${schemaPath} > ${name}`;
      else if (sameAs !== undefined && this.release.childBlocks(this.entry, sameAs).includes(name)) {
        childSchema = sameAs === '' ? name : `${sameAs} > ${name}`;
      }
      if (childSchema === undefined) {
        if (!holder.openBlocks) this.unknownBlock(s, name, path, children);
        continue;
      }
      const count = (seenBlocks.get(childSchema) ?? 0) + 1;
      seenBlocks.set(childSchema, count);
      const schema = this.release.block(this.entry, childSchema);
      if (count === 2 && schema?.repeatable !== true) {
        this.report(
          s.namePos,
          'warning',
          `${this.title(childPath)} is given more than once; the docs of Alloy ${this.release.dataRelease} do not say it may be repeated`,
        );
      }
      this.body(s, childSchema, childPath);
    }
    this.missing(block, path, schemaPath, attributes, children, seenAttributes, seenBlocks);
  }

  /**
   * In cluster mode, a component that can distribute its work over the cluster (it has a `clustering` block in
   * this release) must say whether it does, or every replica does all of the work: targets scraped and logs tailed
   * once per replica, the data sent several times. `enabled = true` is the rule; an explicit `enabled = false` is a
   * decision the pipeline states (each replica scraping itself). Enabled over the targets of a
   * `prometheus.exporter.*` component is a mistake the other way round: those targets are the same address on every
   * replica, so the cluster would hand one replica's exporter to one replica and drop the others'.
   */
  clustering(block: BlockStmt): void {
    if (!this.release.childBlocks(this.entry, '').includes('clustering')) return;
    const enabled = clusteringEnabled(block);
    if (enabled === undefined) {
      this.report(
        block.namePos,
        'error',
        `${this.view.name} "${block.label}" needs clustering { enabled = true } when Alloy runs clustered (in Alloy ${this.release.dataRelease} it has a clustering block); without it every replica does all of its work (write enabled = false where each replica must do it itself)`,
      );
    } else if (enabled && readsExporterTargets(block)) {
      this.report(
        block.namePos,
        'warning',
        `${this.view.name} "${block.label}" clusters the targets of a prometheus.exporter component: they are local to each replica, so only one replica's would be scraped; set clustering { enabled = false }`,
      );
    }
  }

  /** A name written under the wrong parent: where this release documents it, as a hint. */
  private elsewhere(test: (path: string) => boolean, path: string, self?: string): string {
    const paths = ['', ...Object.keys(this.entry.blocks ?? {})].filter((p) => p !== path && test(p));
    if (paths.length === 0) return '';
    return self !== undefined ? ` (it belongs at ${this.title(paths[0])})` : ` (it belongs in ${this.title(paths[0])})`;
  }

  private unknownBlock(s: BlockStmt, name: string, path: string, children: string[]): void {
    const hint = closest(name, children);
    const where =
      hint === undefined
        ? this.elsewhere(
            (p) => (p === name || p.endsWith(` > ${name}`)) && this.release.block(this.entry, p) !== undefined,
            path,
            name,
          )
        : '';
    this.unknown(
      s.namePos,
      `${this.title(path)} has no block "${name}" ${this.inRelease}${hint ? ` (did you mean "${hint}"?)` : where}`,
    );
  }

  private missing(
    block: BlockStmt,
    path: string,
    schemaPath: string,
    attributes: Map<string, AttributeSpec>,
    children: string[],
    seenAttributes: Set<string>,
    seenBlocks: Map<string, number>,
  ): void {
    const at = block.namePos;
    for (const [name, spec] of attributes) {
      if (spec.required === true && !seenAttributes.has(name)) {
        this.report(at, 'error', `${this.title(path)} is missing the required attribute "${name}" ${this.inRelease}`);
      }
    }
    for (const name of children) {
      const childSchema = schemaPath === '' ? name : `${schemaPath} > ${name}`;
      if (this.release.block(this.entry, childSchema)?.required === true && !seenBlocks.has(childSchema)) {
        this.report(at, 'error', `${this.title(path)} is missing the required block "${name}" ${this.inRelease}`);
      }
    }
  }
}

/** A component's `clustering { enabled = ... }`: true or false as written, undefined when not a literal or absent. */
function clusteringEnabled(block: BlockStmt): boolean | undefined {
  for (const s of block.body) {
    if (s.kind !== 'block' || s.name.length !== 1 || s.name[0] !== 'clustering') continue;
    for (const a of s.body)
      if (a.kind === 'attribute' && a.name === 'enabled' && a.value.kind === 'literal' && a.value.token === Token.BOOL)
        return a.value.value === 'true';
  }
  return undefined;
}

/** Whether the component's `targets` reads a `prometheus.exporter.<name>.<label>.targets` export. */
function readsExporterTargets(block: BlockStmt): boolean {
  const targets = block.body.find((s) => s.kind === 'attribute' && s.name === 'targets');
  if (targets?.kind !== 'attribute') return false;
  const path: string[] = [];
  let expr = targets.value;
  while (expr.kind === 'access') {
    path.unshift(expr.name);
    expr = expr.value;
  }
  if (expr.kind !== 'ident') return false;
  path.unshift(expr.name);
  return path[0] === 'prometheus' && path[1] === 'exporter' && path.at(-1) === 'targets';
}
