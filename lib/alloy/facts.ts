/**
 * What one parsed file contributes to the folder-level checks: its blocks (name, label, positions, nested
 * scopes) and the dotted names its expressions use. The linter works on these facts rather than on ASTs, so
 * that each file's AST can be dropped as soon as it is read: keeping every AST of a large folder alive until
 * the end costs more in garbage collection than parsing does.
 */
import type { AccessExpr, BlockStmt, Expr, File, IdentifierExpr, Stmt } from './ast';
import type { LineIndex } from './lexer';
import { Token } from './token';
import { type Trie, trieNode } from './trie';
import { unquote } from './unicode';

/** Where facts come from, for diagnostics. */
export interface FileRef {
  name: string;
  lines: LineIndex;
}

/** A dotted name used in an expression, e.g. `otelcol.exporter.otlp.default.input` or `sys.env`. */
export interface Reference {
  names: string[];
  /** Offset of each name. */
  positions: number[];
  /** The name is called: `sys.env("X")`. */
  call: boolean;
  /** For a call whose first argument is a string literal: its value and offset (env var names). */
  firstArg?: { value: string; pos: number };
  /** Made in the enclosing block's top-level `forward_to` attribute or `output` block. */
  inOutput: boolean;
}

export interface BlockFacts {
  /** Name fragments: ['prometheus', 'scrape']. */
  fragments: string[];
  name: string;
  label: string;
  labelPos: number;
  namePos: number;
  file: FileRef;
  /** References anywhere in the body, except inside nested scopes. */
  references: Reference[];
  /** `declare`: the module body; `foreach`: its template. */
  scope?: ScopeFacts;
  /** `declare`: labels of the module's export blocks. */
  exports?: string[];
}

export interface ScopeFacts {
  file: FileRef;
  blocks: BlockFacts[];
  /** References in attributes directly in the scope (outside any block). */
  references: Reference[];
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

export function extractFacts(file: File, names = new BlockNames()): ScopeFacts {
  return new Extractor({ name: file.name, lines: file.lines }, names).scope(file.body, []);
}

class Extractor {
  private refs: Reference[] = [];
  private inOutput = false;

  constructor(
    private readonly file: FileRef,
    private readonly names: BlockNames,
  ) {}

  scope(stmts: Stmt[], localVars: string[]): ScopeFacts {
    const facts: ScopeFacts = { file: this.file, blocks: [], references: [], localVars };
    for (const s of stmts) {
      if (s.kind === 'attribute') {
        this.collect(facts.references, () => this.expr(s.value));
      } else {
        facts.blocks.push(this.block(s));
      }
    }
    return facts;
  }

  private block(b: BlockStmt): BlockFacts {
    const name = this.names.of(b.name);
    const facts: BlockFacts = {
      fragments: b.name,
      name,
      label: b.label,
      labelPos: b.labelPos,
      namePos: b.namePos,
      file: this.file,
      references: [],
    };
    if (name === 'declare') {
      facts.scope = this.scope(b.body, []);
      facts.exports = facts.scope.blocks.filter((x) => x.name === 'export' && x.label !== '').map((x) => x.label);
      return facts;
    }
    this.collect(facts.references, () => {
      for (const s of b.body) {
        if (s.kind === 'attribute') {
          this.inOutput = s.name === 'forward_to';
          this.expr(s.value);
        } else if (name === 'foreach' && s.name.length === 1 && s.name[0] === 'template') {
          facts.scope = this.scope(s.body, foreachVar(b));
        } else {
          this.inOutput = s.name.length === 1 && s.name[0] === 'output';
          this.body(s.body);
        }
      }
    });
    return facts;
  }

  /** Runs `walk` with `into` as the list that receives references. */
  private collect(into: Reference[], walk: () => void): void {
    const outer = this.refs;
    const outerInOutput = this.inOutput;
    this.refs = into;
    this.inOutput = false;
    walk();
    this.refs = outer;
    this.inOutput = outerInOutput;
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
  private reference(e: Expr, call: boolean, firstArg: Reference['firstArg']): boolean {
    let length = 1;
    let cur = e;
    while (cur.kind === 'access') {
      length++;
      cur = cur.value;
    }
    if (cur.kind !== 'ident') return false;
    const names = new Array<string>(length);
    const positions = new Array<number>(length);
    let node = e as IdentifierExpr | AccessExpr;
    for (let i = length - 1; i >= 0; i--) {
      names[i] = node.name;
      if (node.kind === 'access') {
        positions[i] = node.namePos;
        node = node.value as IdentifierExpr | AccessExpr;
      } else {
        positions[i] = node.pos;
      }
    }
    const ref: Reference = { names, positions, call, inOutput: this.inOutput };
    if (firstArg !== undefined) ref.firstArg = firstArg;
    this.refs.push(ref);
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
