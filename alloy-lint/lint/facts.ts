/**
 * What one parsed file contributes to the folder-level checks: its blocks (name, label, positions, nested
 * scopes) and the dotted names its expressions use. The linter works on these facts rather than on ASTs, so
 * that each file's AST can be dropped as soon as it is read: keeping every AST of a large folder alive until
 * the end costs more in garbage collection than parsing does.
 */
import type { BlockStmt, Expr, File, Stmt } from '../syntax/ast';
import type { Diagnostic } from '../syntax/diagnostics';
import type { LineIndex } from '../syntax/lexer';
import { Token } from '../syntax/token';
import { unquote } from '../syntax/unicode';
import type { ArgumentChecker } from './arguments';
import { type Trie, trieNode } from './trie';

/** Where facts come from, for diagnostics. */
export interface FileRef {
  name: string;
  lines: LineIndex;
}

/** For a call whose first argument is a string literal: its value and offset (env var names). */
export interface FirstArg {
  value: string;
  pos: number;
}

const CALL = 1;
const IN_OUTPUT = 2;

/**
 * The dotted names a file's expressions use (`otelcol.exporter.otlp.default.input`, `sys.env`), stored flat:
 * a few growing arrays per file and no object per reference, since a large configuration has tens of
 * thousands of them. Reference `i` is made of the names at indices start(i) .. start(i + 1) - 1.
 */
export class References {
  private readonly allNames: string[] = [];
  private readonly offsets: number[] = [];
  private readonly starts: number[] = [0];
  private readonly flags: number[] = [];
  private readonly firstArgs = new Map<number, FirstArg>();

  get count(): number {
    return this.flags.length;
  }

  /** Appends a reference from its names and offsets in source order; returns its index. */
  add(names: readonly string[], offsets: readonly number[], call: boolean, inOutput: boolean, arg?: FirstArg): number {
    for (let k = 0; k < names.length; k++) {
      this.allNames.push(names[k]);
      this.offsets.push(offsets[k]);
    }
    this.starts.push(this.allNames.length);
    this.flags.push((call ? CALL : 0) | (inOutput ? IN_OUTPUT : 0));
    const i = this.flags.length - 1;
    if (arg !== undefined) this.firstArgs.set(i, arg);
    return i;
  }

  /** Number of names in reference i. */
  size(i: number): number {
    return this.starts[i + 1] - this.starts[i];
  }

  /** The k-th name of reference i (undefined past the end). */
  name(i: number, k: number): string | undefined {
    return k < this.size(i) ? this.allNames[this.starts[i] + k] : undefined;
  }

  offset(i: number, k: number): number {
    return this.offsets[this.starts[i] + k];
  }

  names(i: number): string[] {
    return this.allNames.slice(this.starts[i], this.starts[i + 1]);
  }

  /** The dotted text: `otelcol.exporter.otlp.default.input`. */
  text(i: number): string {
    return this.names(i).join('.');
  }

  /** The name is called: `sys.env("X")`. */
  isCall(i: number): boolean {
    return (this.flags[i] & CALL) !== 0;
  }

  /** Made in the enclosing block's top-level `forward_to` attribute or `output` block. */
  inOutput(i: number): boolean {
    return (this.flags[i] & IN_OUTPUT) !== 0;
  }

  firstArg(i: number): FirstArg | undefined {
    return this.firstArgs.get(i);
  }
}

export interface BlockFacts {
  /** Name fragments: ['prometheus', 'scrape']. */
  fragments: string[];
  name: string;
  label: string;
  labelPos: number;
  namePos: number;
  file: FileRef;
  /** The file's references; those made in the body (outside nested scopes) are refStart .. refEnd - 1. */
  refs: References;
  refStart: number;
  refEnd: number;
  /** `declare`: the module body; `foreach`: its template. */
  scope?: ScopeFacts;
  /** `declare`: labels of the module's export blocks. */
  exports?: string[];
  /** What the argument check found in the body, when the name is a component or config block of the release. */
  argumentFindings?: Diagnostic[];
}

export interface ScopeFacts {
  file: FileRef;
  blocks: BlockFacts[];
  refs: References;
  /** Indices of the references in attributes directly in the scope (outside any block). */
  attributeRefs: number[];
  /** Attributes directly in the scope, which Alloy refuses (a configuration, module or template holds blocks). */
  attributes: { name: string; pos: number }[];
  /** `foreach` templates: the loop variable. */
  localVars: string[];
}

/**
 * One string per distinct dotted block name across the files of a configuration, so that the many lookups
 * by name (registry, scopes) hash each name once instead of once per block.
 */
export class BlockNames {
  private readonly root: Trie<string> = {};

  of(fragments: readonly string[]): string {
    if (fragments.length === 1) return fragments[0];
    const node = trieNode(this.root, fragments);
    node.value ??= fragments.join('.');
    return node.value;
  }
}

/** Facts of a whole parsed file. */
export function extractFacts(file: File, names = new BlockNames()): ScopeFacts {
  const builder = new FactsBuilder({ name: file.name, lines: file.lines }, names);
  for (const stmt of file.body) builder.add(stmt);
  return builder.facts;
}

/** Facts of a file, built one top-level statement at a time (see parseStatements). */
export class FactsBuilder {
  readonly facts: ScopeFacts;
  private readonly extractor: Extractor;

  constructor(file: FileRef, names: BlockNames, checker?: ArgumentChecker) {
    this.extractor = new Extractor(file, names, checker);
    this.facts = this.extractor.emptyScope([]);
  }

  add(stmt: Stmt): void {
    this.extractor.statement(this.facts, stmt);
  }
}

class Extractor {
  private readonly refs = new References();
  private inOutput = false;
  // Reused buffers for one reference's names and offsets, innermost name first.
  private readonly names: string[] = [];
  private readonly offsets: number[] = [];

  constructor(
    private readonly file: FileRef,
    private readonly blockNames: BlockNames,
    private readonly checker?: ArgumentChecker,
  ) {}

  emptyScope(localVars: string[]): ScopeFacts {
    return { file: this.file, blocks: [], refs: this.refs, attributeRefs: [], attributes: [], localVars };
  }

  private scope(stmts: Stmt[], localVars: string[]): ScopeFacts {
    const facts = this.emptyScope(localVars);
    for (const s of stmts) this.statement(facts, s);
    return facts;
  }

  statement(facts: ScopeFacts, s: Stmt): void {
    if (s.kind === 'block') {
      facts.blocks.push(this.block(s));
      return;
    }
    facts.attributes.push({ name: s.name, pos: s.namePos });
    const first = this.refs.count;
    this.inOutput = false;
    this.expr(s.value);
    for (let i = first; i < this.refs.count; i++) facts.attributeRefs.push(i);
  }

  private block(b: BlockStmt): BlockFacts {
    const name = this.blockNames.of(b.name);
    const facts: BlockFacts = {
      fragments: b.name,
      name,
      label: b.label,
      labelPos: b.labelPos,
      namePos: b.namePos,
      file: this.file,
      refs: this.refs,
      refStart: this.refs.count,
      refEnd: this.refs.count,
    };
    const findings = this.checker?.check(b, name, this.file);
    if (findings !== undefined && findings.length > 0) facts.argumentFindings = findings;
    if (name === 'declare') {
      facts.scope = this.scope(b.body, []);
      facts.exports = facts.scope.blocks.filter((x) => x.name === 'export' && x.label !== '').map((x) => x.label);
      return facts;
    }
    let template: Stmt[] | undefined;
    for (const s of b.body) {
      if (s.kind === 'attribute') {
        this.inOutput = s.name === 'forward_to';
        this.expr(s.value);
      } else if (name === 'foreach' && s.name.length === 1 && s.name[0] === 'template') {
        template = s.body; // after the body, so that the block's own references stay contiguous
      } else {
        this.inOutput = s.name.length === 1 && s.name[0] === 'output';
        this.body(s.body);
      }
    }
    this.inOutput = false;
    facts.refEnd = this.refs.count;
    if (template !== undefined) facts.scope = this.scope(template, foreachVar(b));
    return facts;
  }

  private body(stmts: Stmt[]): void {
    for (const s of stmts) {
      if (s.kind === 'attribute') this.expr(s.value);
      else this.body(s.body);
    }
  }

  private expr(e: Expr): void {
    switch (e.kind) {
      case 'ident':
      case 'access':
        if (!this.reference(e, false, undefined) && e.kind === 'access') this.expr(e.value);
        return;
      case 'call': {
        const first = e.args[0];
        const firstArg =
          first?.kind === 'literal' && first.token === Token.STRING
            ? { value: unquote(first.value), pos: first.pos }
            : undefined;
        if (!this.reference(e.value, true, firstArg)) this.expr(e.value);
        for (const a of e.args) this.expr(a);
        return;
      }
      case 'index':
        this.expr(e.value);
        this.expr(e.index);
        return;
      case 'array':
        for (const el of e.elements) this.expr(el);
        return;
      case 'object':
        for (const f of e.fields) this.expr(f.value);
        return;
      case 'unary':
        this.expr(e.value);
        return;
      case 'binary':
        this.expr(e.left);
        this.expr(e.right);
        return;
      case 'paren':
        this.expr(e.inner);
        return;
      case 'literal':
        return;
    }
  }

  /** Records `e` if it is a plain dotted name (identifier followed by field accesses); tells whether it was. */
  private reference(e: Expr, call: boolean, firstArg: FirstArg | undefined): boolean {
    const names = this.names;
    const offsets = this.offsets;
    names.length = 0;
    offsets.length = 0;
    let cur = e;
    while (cur.kind === 'access') {
      names.push(cur.name);
      offsets.push(cur.namePos);
      cur = cur.value;
    }
    if (cur.kind !== 'ident') return false;
    names.push(cur.name);
    offsets.push(cur.pos);
    names.reverse();
    offsets.reverse();
    this.refs.add(names, offsets, call, this.inOutput, firstArg);
    return true;
  }
}

/** The loop variable of a foreach block (`var = "each"`), if written as a string. */
function foreachVar(b: BlockStmt): string[] {
  for (const s of b.body) {
    if (s.kind === 'attribute' && s.name === 'var' && s.value.kind === 'literal' && s.value.token === Token.STRING) {
      return [unquote(s.value.value)];
    }
  }
  return [];
}
