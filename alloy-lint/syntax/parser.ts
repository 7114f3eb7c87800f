/**
 * Recovering recursive-descent parser for Alloy files. It follows upstream's parser (grafana/alloy
 * `syntax/parser`, Apache-2.0) statement for statement: the conformance fixtures fix not only which errors are
 * reported but where, and which follow-on errors are suppressed (at most one parser error per line).
 *
 * One deliberate addition: nesting deeper than MAX_NESTING levels is reported as an error instead of
 * exhausting the JavaScript stack (Go's growable stacks make that unnecessary upstream). Real configurations
 * nest a few levels deep.
 */
import {
  type ArrayExpr,
  type BlockStmt,
  type Comment,
  type CommentGroup,
  type Expr,
  type File,
  NO_POS,
  type ObjectExpr,
  type ObjectField,
  type Stmt,
  startPos,
} from './ast';
import { type Diagnostic, diagnosticAt, MAX_DIAGNOSTICS_PER_FILE, omittedDiagnostic } from './diagnostics';
import { Lexer, type LineIndex, Source } from './lexer';
import { binaryPrecedence, Token as TokenEnum, tokenName } from './token';
import { goQuote, isValidIdentifier } from './unicode';

// A module-local alias: compiled to CommonJS one file at a time, `Token.X` on the import would be a getter
// call per use.
const Token = TokenEnum;
type Token = TokenEnum;

export const MAX_NESTING = 500;

class NestingTooDeep extends Error {
  constructor(readonly offset: number) {
    super('nesting too deep');
  }
}

interface RawDiagnostic {
  offset: number;
  message: string;
}

interface BlockName {
  fragments: string[];
  label: string;
  start: number;
  labelPos: number;
}

export interface ParseResult {
  ast: File;
  diagnostics: Diagnostic[];
}

/** Parses a whole file. Never throws: every problem becomes a diagnostic. */
export function parse(text: string | Uint8Array, file = '<input>'): ParseResult {
  const body: Stmt[] = [];
  const parsed = parseStatements(new Source(text), file, (stmt) => body.push(stmt));
  const { diagnostics, comments, lines } = parsed;
  if (parsed.omitted > 0) diagnostics.push(omittedDiagnostic(file, parsed.omitted));
  // Like upstream, a file whose nesting is too deep yields no AST at all.
  const tooDeep = diagnostics.some((d) => d.message.startsWith(NESTING_MESSAGE));
  return { ast: { name: file, body: tooDeep ? [] : body, comments, lines }, diagnostics };
}

/**
 * Parses a file and hands each top-level statement to `onStatement` as soon as it is parsed. A caller that
 * only needs facts about the statements (the linter) can then let each statement's AST go at once; a whole
 * file's AST kept until the end of parsing costs more in garbage collection than the parsing itself. When
 * the result has diagnostics, the statements handed out may be incomplete.
 */
export function parseStatements(
  source: Source,
  file: string,
  onStatement: (stmt: Stmt) => void,
): {
  diagnostics: Diagnostic[];
  /** Syntax errors counted beyond the first MAX_DIAGNOSTICS_PER_FILE and left out of `diagnostics`. */
  omitted: number;
  comments: CommentGroup[];
  lines: LineIndex;
} {
  const parser = new Parser(source);
  parser.parseFile(onStatement);
  const lines = parser.lexer.lines;
  const diagnostics = parser.diags.map((d) => diagnosticAt(file, lines, d.offset, 'error', d.message));
  return { diagnostics, omitted: parser.omitted, comments: parser.comments, lines };
}

const NESTING_MESSAGE = 'nesting too deep';

class Parser {
  readonly lexer: Lexer;
  readonly diags: RawDiagnostic[] = [];
  /** Syntax errors beyond MAX_DIAGNOSTICS_PER_FILE: counted, not kept (random bytes give one per few bytes). */
  omitted = 0;
  readonly comments: CommentGroup[] = [];
  private readonly lines: LineIndex;

  private pos = 0;
  private tok: Token = Token.EOF;
  private lit = '';
  private lastErrorLine = 0;
  private expectedTok: Token = Token.EOF;
  private expectedLit = '';
  private depth = 0;
  // Upper bounds that tell whether a statement's AST may be deeper than MAX_NESTING (see parseFile).
  private maxDepth = 0;
  private maxChain = 0;

  constructor(source: Source) {
    this.lexer = new Lexer(source, (offset, message) => this.addDiag(offset, message));
    this.lines = this.lexer.lines;
    this.next();
  }

  parseFile(onStatement: (stmt: Stmt) => void): void {
    try {
      this.parseBody(Token.EOF, (stmt) => {
        // Loops (a + b + c, a.b.c) deepen the AST without deepening the parser's recursion; check a statement
        // only when the product of both could pass the limit, which real configurations never do.
        if (this.maxDepth * (this.maxChain + 1) > MAX_NESTING) {
          const deep = findTooDeep([stmt], MAX_NESTING);
          if (deep !== undefined) throw new NestingTooDeep(deep);
        }
        this.maxDepth = 0;
        this.maxChain = 0;
        onStatement(stmt);
      });
    } catch (e) {
      if (!(e instanceof NestingTooDeep)) throw e;
      // Kept whatever the count: parse() tells by it that the file has no AST.
      this.diags.push({ offset: e.offset, message: `${NESTING_MESSAGE} (more than ${MAX_NESTING} levels)` });
    }
  }

  // --- token handling -------------------------------------------------------------------------------

  /** Advances to the next non-comment token, collecting comment groups on the way. */
  private next(): void {
    this.next0();
    while (this.tok === Token.COMMENT) this.consumeCommentGroup();
  }

  /** The current token, read through a call so that TypeScript does not narrow it across next(). */
  private cur(): Token {
    return this.tok;
  }

  private next0(): void {
    const lx = this.lexer;
    lx.scan();
    this.pos = lx.pos;
    this.tok = lx.tok;
    this.lit = lx.lit;
  }

  /**
   * Collects adjacent comments: each one starts at most one line below where the previous one ends (upstream
   * compares line numbers; counting the newlines in between is the same and needs no line table).
   */
  private consumeCommentGroup(): void {
    const list: Comment[] = [];
    let end = -1;
    while (this.tok === Token.COMMENT && (end < 0 || this.lexer.newlinesBetween(end, this.pos) <= 1)) {
      list.push({ pos: this.pos, text: this.lit });
      end = this.lexer.end; // the lexer stands just after the comment until the next scan
      this.next0();
    }
    this.comments.push(list);
  }

  /** Consumes tokens up to (not including) `to`, or to the end of the file. */
  private advance(to: Token): void {
    while (this.tok !== Token.EOF && this.tok !== to) this.next();
  }

  private advanceToStatementEnd(): void {
    for (;;) {
      switch (this.tok) {
        case Token.EOF:
        case Token.TERMINATOR:
        case Token.RPAREN:
        case Token.RCURLY:
        case Token.RBRACK:
        case Token.COMMA:
          return;
        default:
          this.next();
      }
    }
  }

  /**
   * Consumes the current token, reporting an error if it is not `t`; returns the consumed token's position.
   * The consumed token's kind and text stay in `expectedTok` and `expectedLit` (no object per call: this is
   * the parser's hottest path).
   */
  private expect(t: Token): number {
    const pos = this.pos;
    this.expectedTok = this.tok;
    this.expectedLit = this.lit;
    if (this.tok !== t) this.addError(`expected ${tokenName(t)}, got ${tokenName(this.tok)}`);
    this.next();
    return pos;
  }

  /** expect(t), telling whether the consumed token was `t`. */
  private expectFound(t: Token): boolean {
    this.expect(t);
    return this.expectedTok === t;
  }

  /** Reports an error at the current token, unless an error was already reported on the same line. */
  private addError(message: string): void {
    const line = this.lines.line(this.pos);
    if (line === this.lastErrorLine) return;
    this.lastErrorLine = line;
    this.addDiag(this.pos, message);
  }

  /** Records a syntax error, or only counts it once the file has MAX_DIAGNOSTICS_PER_FILE of them. */
  private addDiag(offset: number, message: string): void {
    if (this.diags.length < MAX_DIAGNOSTICS_PER_FILE) this.diags.push({ offset, message });
    else this.omitted++;
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) throw new NestingTooDeep(this.pos);
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
  }

  private noteChain(length: number): void {
    if (length > this.maxChain) this.maxChain = length;
  }

  // --- statements -----------------------------------------------------------------------------------

  /** Body = [ Statement { terminator Statement } ], up to `until` (not consumed). */
  private parseBody(until: Token, onStatement?: (stmt: Stmt) => void): Stmt[] {
    this.enter();
    const body: Stmt[] = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      const stmt = this.parseStatement();
      if (stmt !== undefined) {
        if (onStatement) onStatement(stmt);
        else body.push(stmt);
      }
      if (this.tok === until) break;
      if (this.tok !== Token.TERMINATOR) {
        this.addError(`expected ${tokenName(Token.TERMINATOR)}, got ${tokenName(this.tok)}`);
        this.consumeStatement();
      }
      this.next();
    }
    this.depth--;
    return body;
  }

  /** Consumes the rest of a statement: up to a terminator outside any (), [] or {} opened here. */
  private consumeStatement(): void {
    let curly = 0;
    let brack = 0;
    let paren = 0;
    while (this.tok !== Token.EOF) {
      switch (this.tok) {
        case Token.LCURLY:
          curly++;
          break;
        case Token.RCURLY:
          curly--;
          break;
        case Token.LBRACK:
          brack++;
          break;
        case Token.RBRACK:
          brack--;
          break;
        case Token.LPAREN:
          paren++;
          break;
        case Token.RPAREN:
          paren--;
          break;
        case Token.TERMINATOR:
          // Pairs may be below zero when the statement started inside a surrounding pair.
          if (curly <= 0 && brack <= 0 && paren <= 0) return;
          break;
      }
      this.next();
    }
  }

  /** Statement = Attribute | Block; Attribute = identifier "=" Expression; Block = BlockName "{" Body "}". */
  private parseStatement(): Stmt | undefined {
    const bn = this.parseBlockName();
    if (bn === undefined) {
      // Skip to the next identifier, which would start a new statement.
      this.advance(Token.IDENT);
      return undefined;
    }
    switch (this.tok) {
      case Token.ASSIGN: {
        this.next();
        if (bn.fragments.length !== 1) {
          this.addDiag(bn.start, 'attribute names may only consist of a single identifier with no "."');
        } else if (bn.labelPos !== NO_POS) {
          this.addDiag(bn.labelPos, 'attribute names may not have labels');
        }
        return { kind: 'attribute', name: bn.fragments[0], namePos: bn.start, value: this.parseExpression() };
      }
      case Token.LCURLY: {
        const lCurly = this.expect(Token.LCURLY);
        const body = this.parseBody(Token.RCURLY);
        const rCurly = this.expect(Token.RCURLY);
        const block: BlockStmt = {
          kind: 'block',
          name: bn.fragments,
          namePos: bn.start,
          label: bn.label,
          labelPos: bn.labelPos,
          body,
          lCurly,
          rCurly,
        };
        return block;
      }
      default:
        if (bn.fragments.length === 1 && bn.label === '') {
          // The name could start an attribute or a block; mention both.
          this.addError(`expected attribute assignment or block body, got ${tokenName(this.tok)}`);
        } else {
          this.addError(`expected block body, got ${tokenName(this.tok)}`);
        }
        this.advance(Token.IDENT);
        return undefined;
    }
  }

  /** BlockName = identifier { "." identifier } [ string ]. */
  private parseBlockName(): BlockName | undefined {
    if (this.tok !== Token.IDENT) {
      this.addError(`expected identifier, got ${tokenName(this.tok)}`);
      return undefined;
    }
    const bn: BlockName = { fragments: [this.lit], label: '', start: this.pos, labelPos: NO_POS };
    this.next();
    while (this.cur() === Token.DOT) {
      this.next();
      // On an error keep going, to parse as much as possible of the malformed name.
      if (this.tok !== Token.IDENT) this.addError(`expected identifier, got ${tokenName(this.tok)}`);
      bn.fragments.push(this.lit);
      this.next();
    }
    if (this.cur() !== Token.ASSIGN && this.cur() !== Token.LCURLY) {
      if (this.cur() === Token.STRING) {
        if (this.lit.charCodeAt(0) !== 0x22) {
          this.addError(`expected block label to be a double quoted string, but got ${goQuote(this.lit)}`);
        }
        // A non-empty label has to be a valid identifier.
        if (this.lit.length > 2) {
          bn.label = this.lit.slice(1, -1);
          if (!isValidIdentifier(bn.label)) {
            this.addError(`expected block label to be a valid identifier, but got ${goQuote(bn.label)}`);
          }
        }
        bn.labelPos = this.pos;
      } else {
        this.addError(`expected block label, got ${tokenName(this.tok)}`);
      }
      this.next();
    }
    return bn;
  }

  // --- expressions ----------------------------------------------------------------------------------

  parseExpression(): Expr {
    return this.parseBinOp(1);
  }

  /**
   * Left-associative binary operators by precedence climbing: OrExpr, AndExpr, CmpExpr, AddExpr, MulExpr.
   * `^` (right-associative) is handled by parsePowExpr.
   */
  private parseBinOp(inPrec: number): Expr {
    let lhs = this.parsePowExpr();
    let chain = 0;
    for (;;) {
      const op = this.tok;
      const pos = this.pos;
      const prec = binaryPrecedence(op);
      if (prec < inPrec) {
        this.noteChain(chain);
        return lhs;
      }
      this.next();
      const rhs = this.parseBinOp(prec + 1);
      lhs = { kind: 'binary', op, pos, left: lhs, right: rhs };
      chain++;
    }
  }

  /** PowExpr = UnaryExpr [ "^" PowExpr ]. */
  private parsePowExpr(): Expr {
    const lhs = this.parseUnaryExpr();
    if (this.tok === Token.POW) {
      const pos = this.pos;
      this.next();
      this.enter();
      const right = this.parsePowExpr();
      this.depth--;
      return { kind: 'binary', op: Token.POW, pos, left: lhs, right };
    }
    return lhs;
  }

  /**
   * UnaryExpr = OperExpr | unary_op UnaryExpr; OperExpr = PrimaryExpr { "." identifier | "[" Expression "]" |
   * "(" [ ExpressionList ] ")" }.
   */
  private parseUnaryExpr(): Expr {
    this.enter();
    if (this.tok === Token.NOT || this.tok === Token.SUB) {
      const op = this.tok;
      const pos = this.pos;
      this.next();
      const value = this.parseUnaryExpr();
      this.depth--;
      return { kind: 'unary', op, pos, value };
    }
    let primary = this.parsePrimaryExpr();
    let chain = 0;
    for (;;) {
      chain++;
      switch (this.tok) {
        case Token.DOT: {
          this.next();
          const pos = this.expect(Token.IDENT);
          primary = { kind: 'access', value: primary, name: this.expectedLit, namePos: pos };
          continue;
        }
        case Token.LBRACK: {
          const lBrack = this.expect(Token.LBRACK);
          const index = this.parseExpression();
          const rBrack = this.expect(Token.RBRACK);
          primary = { kind: 'index', value: primary, index, lBrack, rBrack };
          continue;
        }
        case Token.LPAREN: {
          const lParen = this.expect(Token.LPAREN);
          const args = this.cur() !== Token.RPAREN ? this.parseExpressionList(Token.RPAREN) : [];
          const rParen = this.expect(Token.RPAREN);
          primary = { kind: 'call', value: primary, args, lParen, rParen };
          continue;
        }
        case Token.STRING:
        case Token.LCURLY: {
          // Probably a block assigned to an attribute: parse the rest as a block to say so. If it does not
          // parse as one, give up on the rest of the statement.
          if (this.tok === Token.STRING) this.next();
          if (!this.expectFound(Token.LCURLY)) {
            this.consumeStatement();
            return this.leave(primary, chain);
          }
          this.parseBody(Token.RCURLY);
          if (!this.expectFound(Token.RCURLY)) {
            this.consumeStatement();
            return this.leave(primary, chain);
          }
          this.addDiag(startPos(primary), 'cannot use a block as an expression');
          continue;
        }
        default:
          return this.leave(primary, chain);
      }
    }
  }

  private leave(e: Expr, chain: number): Expr {
    this.noteChain(chain);
    this.depth--;
    return e;
  }

  /** PrimaryExpr = identifier | literal | "(" Expression ")" | ArrayExpr | ObjectExpr. */
  private parsePrimaryExpr(): Expr {
    switch (this.tok) {
      case Token.IDENT: {
        const e: Expr = { kind: 'ident', name: this.lit, pos: this.pos };
        this.next();
        return e;
      }
      case Token.STRING:
      case Token.NUMBER:
      case Token.FLOAT:
      case Token.BOOL:
      case Token.NULL: {
        const e: Expr = { kind: 'literal', token: this.tok, value: this.lit, pos: this.pos };
        this.next();
        return e;
      }
      case Token.LPAREN: {
        const lParen = this.expect(Token.LPAREN);
        const inner = this.parseExpression();
        const rParen = this.expect(Token.RPAREN);
        return { kind: 'paren', inner, lParen, rParen };
      }
      case Token.LBRACK: {
        const lBrack = this.expect(Token.LBRACK);
        const elements = this.cur() !== Token.RBRACK ? this.parseExpressionList(Token.RBRACK) : [];
        const rBrack = this.expect(Token.RBRACK);
        const array: ArrayExpr = { kind: 'array', elements, lBrack, rBrack };
        return array;
      }
      case Token.LCURLY: {
        const lCurly = this.expect(Token.LCURLY);
        // Upstream compares with RBRACK here (not RCURLY); an empty object still parses since the field
        // list loop stops at once on '}'.
        const fields = this.cur() !== Token.RBRACK ? this.parseFieldList(Token.RCURLY) : [];
        const rCurly = this.expect(Token.RCURLY);
        const object: ObjectExpr = { kind: 'object', fields, lCurly, rCurly };
        return object;
      }
    }
    this.addError(`expected expression, got ${tokenName(this.tok)}`);
    const res: Expr = { kind: 'literal', token: Token.NULL, value: 'null', pos: this.pos };
    this.advanceToStatementEnd(); // eat up the rest of the line
    return res;
  }

  /** ExpressionList = Expression { "," Expression } [ "," ]. */
  private parseExpressionList(until: Token): Expr[] {
    return this.parseList(until, () => this.parseExpression(), "missing ',' in expression list");
  }

  /** FieldList = Field { "," Field } [ "," ]. */
  private parseFieldList(until: Token): ObjectField[] {
    return this.parseList(until, () => this.parseField(), "missing ',' in field list");
  }

  private parseList<T>(until: Token, parseItem: () => T, missingComma: string): T[] {
    const items: T[] = [];
    while (this.tok !== until && this.tok !== Token.EOF) {
      items.push(parseItem());
      if (this.tok === until) break;
      if (this.tok !== Token.COMMA) this.addError(missingComma);
      this.next();
    }
    return items;
  }

  /** Field = ( string | identifier ) "=" Expression. */
  private parseField(): ObjectField {
    let name = '';
    let namePos = NO_POS;
    let quoted = false;
    if (this.tok === Token.STRING || this.tok === Token.IDENT) {
      name = this.lit;
      namePos = this.pos;
      if (this.tok === Token.STRING && this.lit.length > 2) {
        name = this.lit.slice(1, -1);
        quoted = true;
      }
      this.next();
    } else {
      this.addError(`expected field name (string or identifier), got ${tokenName(this.tok)}`);
      this.advance(Token.ASSIGN);
    }
    this.expect(Token.ASSIGN);
    return { name, namePos, quoted, value: this.parseExpression() };
  }
}

/** Offset of a node nested deeper than `limit` levels, found without recursion; undefined if none. */
function findTooDeep(body: Stmt[], limit: number): number | undefined {
  const stack: { node: Stmt | Expr; depth: number }[] = body.map((node) => ({ node, depth: 1 }));
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { node, depth } = item;
    if (depth > limit) return startPos(node);
    const push = (child: Stmt | Expr) => stack.push({ node: child, depth: depth + 1 });
    switch (node.kind) {
      case 'attribute':
        push(node.value);
        break;
      case 'block':
        node.body.forEach(push);
        break;
      case 'array':
        node.elements.forEach(push);
        break;
      case 'object':
        for (const f of node.fields) push(f.value);
        break;
      case 'access':
      case 'unary':
        push(node.value);
        break;
      case 'index':
        push(node.value);
        push(node.index);
        break;
      case 'call':
        push(node.value);
        node.args.forEach(push);
        break;
      case 'binary':
        push(node.left);
        push(node.right);
        break;
      case 'paren':
        push(node.inner);
        break;
    }
  }
  return undefined;
}
