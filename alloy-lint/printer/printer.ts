/**
 * Formatter identical to `alloy fmt`. It is a port of upstream's printer and walker (grafana/alloy
 * `syntax/printer`, Apache-2.0): the walker sends tokens and abstract whitespace to the printer, the printer
 * interleaves comments by source position and emits text with \t, \v and \f column/block marks, and the
 * tabwriter and trimmer turn that into aligned text. Matching `alloy fmt` byte for byte means keeping its
 * quirks too (for example a multi-line raw string's trailing blanks are trimmed, as upstream does).
 */
import {
  type ArrayExpr,
  type BlockStmt,
  type CallExpr,
  type Comment,
  type CommentGroup,
  type Expr,
  endPos,
  type File,
  type Node,
  type ObjectExpr,
  type Stmt,
  startPos,
} from '../syntax/ast';
import { AlloySyntaxError } from '../syntax/diagnostics';
import type { LineIndex } from '../syntax/lexer';
import { parse } from '../syntax/parser';
import { Token, tokenName } from '../syntax/token';
import { goQuote, utf8Length } from '../syntax/unicode';
import { TabWriter, trim } from './tabwriter';

/**
 * Formats Alloy source like `alloy fmt` (output ends with one newline). Throws AlloySyntaxError if the source
 * does not parse, and also in the rare cases where upstream's printer would turn valid input into invalid
 * syntax (a call with no arguments whose `)` is on the next line becomes `f(,`): the file is then better left
 * alone than "formatted".
 */
export function formatSource(text: string | Uint8Array, file = '<input>'): string {
  const { ast, diagnostics } = parse(text, file);
  if (diagnostics.length > 0) throw new AlloySyntaxError(diagnostics);
  const formatted = `${printFile(ast, typeof text === 'string' ? text : Buffer.from(text).toString('utf8'))}\n`;
  const check = parse(formatted, file).diagnostics;
  if (check.length > 0) {
    throw new AlloySyntaxError([
      {
        file,
        line: 0,
        column: 0,
        severity: 'error',
        message: `alloy fmt would turn this file into invalid syntax (${check[0].message} at formatted line ${check[0].line}); fix that spot by hand`,
      },
    ]);
  }
  return formatted;
}

/**
 * The printer's output for a parsed file, without the final newline `alloy fmt` adds. `source` is the file's
 * text, only used to choose an escape character that does not occur in it.
 */
export function printFile(file: File, source: string): string {
  const escapeChar = pickEscape(source);
  const p = new Printer(file.lines, file.comments, escapeChar);
  new Walker(p, file.lines).walkStmts(file.body);
  p.flush(MAX_POSITION, Token.EOF); // write trailing comments
  const tw = new TabWriter(escapeChar);
  tw.write(p.output.join(''));
  return trim(tw.finish(), escapeChar);
}

/**
 * A character that does not occur in the file, to bracket comment text for the tabwriter. Go uses the byte
 * 0xff, which valid UTF-8 never contains; a JavaScript string has no such value, so pick a private-use
 * character the file does not use (everything printed comes from the file).
 */
function pickEscape(source: string): string {
  let code = 0xe000;
  while (source.includes(String.fromCharCode(code))) code++;
  return String.fromCharCode(code);
}

interface Position {
  offset: number;
  line: number;
  column: number;
}

const MAX_POSITION: Position = { offset: Infinity, line: Infinity, column: Infinity };

/** Abstract whitespace sent by the walker; indent/unindent change the indentation instead of printing. */
enum Ws {
  Ignore = 0,
  Blank = 0x20,
  VTab = 0x0b,
  Newline = 0x0a,
  Formfeed = 0x0c,
  Indent = 0x3e,
  Unindent = 0x3c,
}

const WHITESPACE_CAPACITY = 16;
const MAX_NEWLINES = 2;

/** Last token kind written, or LITERAL for whitespace (only NUMBER and DIV matter: see mayCombine). */
type LastTok = Token | 'literal';

class Printer {
  readonly output: string[] = [];
  private wroteAny = false;
  private indent = 0;
  private lastTok: LastTok = 'literal';
  private whitespace: Ws[] = [];
  private groupIdx = 0;
  private current: CommentGroup = [];
  private commentPos = -1;
  /** Approximate position in source space; set from AST positions and advanced by what is written. */
  private pos: Position = { offset: 0, line: 1, column: 1 };
  /** Position after the last text written. */
  private last: Position = { offset: 0, line: 0, column: 0 };
  /** Position in output space (only the column is used, to know when to indent). */
  private out: Position = { offset: 0, line: 1, column: 1 };

  constructor(
    private readonly lines: LineIndex,
    private readonly comments: CommentGroup[],
    private readonly escapeChar: string,
  ) {
    this.nextComment();
  }

  private nextComment(): void {
    while (this.groupIdx < this.comments.length) {
      const group = this.comments[this.groupIdx++];
      if (group.length > 0) {
        this.current = group;
        this.commentPos = group[0].pos;
        return;
      }
    }
    this.commentPos = -1;
  }

  private commentBefore(next: Position): boolean {
    return this.commentPos >= 0 && this.commentPos <= next.offset;
  }

  position(offset: number): Position {
    return { offset, line: this.lines.line(offset), column: this.lines.column(offset) };
  }

  // --- the walker's interface (upstream's variadic Write, one method per argument kind) ----------------

  ws(...items: Ws[]): void {
    for (const w of items) {
      if (w === Ws.Ignore) continue;
      if (this.whitespace.length === WHITESPACE_CAPACITY) {
        // Too much whitespace without a token in between: force it out, as upstream does.
        this.writeWhitespace(this.whitespace.length);
      }
      this.whitespace.push(w);
      this.lastTok = 'literal';
    }
  }

  /** Sets the source-space position from an AST position (no text is written). */
  at(offset: number): void {
    if (offset >= 0) this.pos = this.position(offset);
  }

  text(data: string, kind: Token): void {
    this.lastTok = kind;
    this.emit(data);
  }

  tok(t: Token): void {
    const data = tokenName(t);
    // Keep tokens from merging when re-scanned: "1" "." would read as a float, "/" "*" as a comment.
    if ((this.lastTok === Token.NUMBER && data === '.') || (this.lastTok === Token.DIV && data === '*')) {
      this.whitespace = [Ws.Blank];
    }
    this.lastTok = t;
    this.emit(data);
  }

  private emit(data: string): void {
    const next = { ...this.pos };
    this.flush(next, this.lastTok);
    this.writeString(next, data, false);
  }

  // --- comments ---------------------------------------------------------------------------------------

  /** Writes pending comments and whitespace that come before `next` in the source. */
  flush(next: Position, tok: LastTok): void {
    if (this.commentBefore(next)) this.injectComments(next, tok);
    else if (tok !== Token.EOF) this.writeWhitespace(this.whitespace.length);
  }

  private injectComments(next: Position, tok: LastTok): void {
    let lastComment: Comment | undefined;
    while (this.commentBefore(next)) {
      for (const c of this.current) {
        this.writeCommentPrefix(next, c);
        this.writeString(this.position(c.pos), c.text, true);
        lastComment = c;
      }
      this.nextComment();
    }
    this.writeCommentSuffix(next, tok, lastComment as Comment);
  }

  private writeCommentPrefix(next: Position, c: Comment): void {
    if (!this.wroteAny) return; // nothing before the first comment of the output
    const cLine = this.lines.line(c.pos);
    if (cLine === this.last.line) {
      // Same line as the last token: separate with a tab, or a space for a block comment followed by more
      // text on its line.
      this.writeByte(cLine === next.line ? 0x20 : 0x09, 1);
      return;
    }
    // Different line: keep pending indentation changes in front of the first other whitespace, drop that
    // whitespace, and write our own newlines.
    let count = 0;
    for (let i = 0; i < this.whitespace.length; i++) {
      const w = this.whitespace[i];
      if (w === Ws.Indent || w === Ws.Unindent) continue;
      if (w === Ws.Blank || w === Ws.VTab || w === Ws.Newline || w === Ws.Formfeed) this.whitespace[i] = Ws.Ignore;
      count = i;
      break;
    }
    this.writeWhitespace(count);
    const newlines = this.last.line > 0 ? cLine - this.last.line : 0;
    if (newlines > 0) this.writeByte(0x0c, Math.min(newlines, MAX_NEWLINES));
  }

  private writeCommentSuffix(next: Position, tok: LastTok, lastComment: Comment): void {
    if (tok === Token.EOF) return; // no blank lines at the end of the file
    let droppedFF = false;
    // A block comment on the same line as the next token gets a space after it.
    if (lastComment.text.charCodeAt(1) === 0x2a && next.line === this.lines.line(endPos(lastComment))) {
      this.writeByte(0x20, 1);
    }
    const newlines = next.line - this.last.line;
    for (let i = 0; i < this.whitespace.length; i++) {
      const w = this.whitespace[i];
      if (w === Ws.Blank || w === Ws.VTab) this.whitespace[i] = Ws.Ignore;
      else if (w === Ws.Newline || w === Ws.Formfeed) {
        if (w === Ws.Formfeed) droppedFF = true;
        this.whitespace[i] = Ws.Ignore;
      }
    }
    this.writeWhitespace(this.whitespace.length);
    if (newlines > 0) this.writeByte(droppedFF ? 0x0c : 0x0a, Math.min(newlines, MAX_NEWLINES));
  }

  // --- low-level output -------------------------------------------------------------------------------

  private writeString(pos: Position, s: string, isLiteral: boolean): void {
    if (this.out.column === 1) this.writeIndent();
    this.pos = { ...pos };
    if (isLiteral) this.output.push(this.escapeChar, s, this.escapeChar);
    else this.output.push(s);
    this.wroteAny = true;

    let newlines = 0;
    let lastNewline = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x0a || c === 0x0c) {
        newlines++;
        lastNewline = i;
      }
    }
    const bytes = utf8Length(s);
    this.pos.offset += bytes;
    if (newlines > 0) {
      this.pos.line += newlines;
      this.out.line += newlines;
      const column = bytes - utf8Length(s.slice(0, lastNewline));
      this.pos.column = column;
      this.out.column = column;
    } else {
      this.pos.column += bytes;
      this.out.column += bytes;
    }
    this.last = { ...this.pos };
  }

  private writeIndent(): void {
    const depth = this.indent;
    if (depth > 0) this.output.push('\t'.repeat(depth));
    this.pos.offset += depth;
    this.pos.column += depth;
    this.out.column += depth;
  }

  private writeByte(ch: number, n: number): void {
    if (this.out.column === 1) this.writeIndent();
    this.output.push(String.fromCharCode(ch).repeat(n));
    this.wroteAny = true;
    this.pos.offset += n;
    if (ch === 0x0a || ch === 0x0c) {
      this.pos.line += n;
      this.out.line += n;
      this.pos.column = 1;
      this.out.column = 1;
      return;
    }
    this.pos.column += n;
    this.out.column += n;
  }

  private writeWhitespace(n: number): void {
    for (let i = 0; i < n; i++) {
      const w = this.whitespace[i];
      switch (w) {
        case Ws.Ignore:
          break;
        case Ws.Indent:
          this.indent++;
          break;
        case Ws.Unindent:
          this.indent--;
          if (this.indent < 0) throw new Error('printer: negative indentation');
          break;
        default:
          this.writeByte(w, 1);
      }
    }
    this.whitespace = this.whitespace.slice(n);
  }
}

/** Walks the AST and sends tokens and formatting to the printer, like upstream's walker. */
class Walker {
  constructor(
    private readonly p: Printer,
    private readonly lines: LineIndex,
  ) {}

  private line(offset: number): number {
    return offset < 0 ? 0 : this.lines.line(offset);
  }

  private differentLines(a: number, b: number): boolean {
    return this.line(a) !== this.line(b);
  }

  private nodeLines(n: Node): number {
    return this.line(endPos(n)) - this.line(startPos(n)) + 1;
  }

  walkStmts(stmts: Stmt[]): void {
    const p = this.p;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      let addedSpacing = false;
      // Two blocks are always separated by a blank line.
      if (i > 0 && s.kind === 'block') {
        p.ws(Ws.Formfeed);
        addedSpacing = true;
      }
      // A blank line between two statements in the source is kept.
      if (i > 0 && !addedSpacing && this.line(startPos(s)) - this.line(endPos(stmts[i - 1])) > 1) {
        p.ws(Ws.Formfeed);
      }
      if (s.kind === 'attribute') {
        p.at(s.namePos);
        p.text(s.name, Token.IDENT);
        p.ws(Ws.VTab);
        p.tok(Token.ASSIGN);
        p.ws(Ws.Blank);
        this.walkExpr(s.value);
      } else {
        this.walkBlock(s);
      }
      // A statement spanning several lines ends the alignment run.
      p.ws(this.nodeLines(s) > 1 ? Ws.Formfeed : Ws.Newline);
    }
  }

  private walkBlock(s: BlockStmt): void {
    const p = this.p;
    p.at(s.namePos);
    p.text(s.name.join('.'), Token.IDENT);
    if (s.label !== '') {
      p.ws(Ws.Blank);
      p.at(s.labelPos);
      p.text(goQuote(s.label), Token.STRING);
    }
    p.ws(Ws.Blank);
    p.at(s.lCurly);
    p.tok(Token.LCURLY);
    p.ws(Ws.Indent);
    if (s.body.length > 0) {
      p.ws(Ws.Formfeed);
      this.walkStmts(s.body);
    } else {
      p.ws(Ws.Blank);
    }
    p.ws(Ws.Unindent);
    p.at(s.rCurly);
    p.tok(Token.RCURLY);
  }

  private walkExpr(e: Expr): void {
    const p = this.p;
    switch (e.kind) {
      case 'literal':
        p.at(e.pos);
        p.text(e.value, e.token);
        break;
      case 'array':
        this.walkArray(e);
        break;
      case 'object':
        this.walkObject(e);
        break;
      case 'ident':
        p.at(e.pos);
        p.text(e.name, Token.IDENT);
        break;
      case 'access':
        this.walkExpr(e.value);
        p.tok(Token.DOT);
        p.text(e.name, Token.IDENT);
        break;
      case 'index':
        this.walkExpr(e.value);
        p.at(e.lBrack);
        p.tok(Token.LBRACK);
        this.walkExpr(e.index);
        p.at(e.rBrack);
        p.tok(Token.RBRACK);
        break;
      case 'call':
        this.walkCall(e);
        break;
      case 'unary':
        p.at(e.pos);
        p.tok(e.op);
        this.walkExpr(e.value);
        break;
      case 'binary':
        this.walkExpr(e.left);
        p.ws(Ws.Blank);
        p.at(e.pos);
        p.tok(e.op);
        p.ws(Ws.Blank);
        this.walkExpr(e.right);
        break;
      case 'paren':
        p.tok(Token.LPAREN);
        this.walkExpr(e.inner);
        p.tok(Token.RPAREN);
        break;
    }
  }

  private walkArray(e: ArrayExpr): void {
    const p = this.p;
    p.at(e.lBrack);
    p.tok(Token.LBRACK);
    let prev = e.lBrack;
    for (let i = 0; i < e.elements.length; i++) {
      const el = e.elements[i];
      let addedNewline = false;
      if (this.differentLines(prev, startPos(el))) {
        // Indent before the newline so that comments written before it are indented too.
        p.ws(Ws.Indent, Ws.Formfeed);
        addedNewline = true;
      } else if (i > 0) {
        p.ws(Ws.Blank);
      }
      prev = endPos(el);
      this.walkExpr(el);
      if (i + 1 < e.elements.length) p.tok(Token.COMMA);
      if (addedNewline) p.ws(Ws.Unindent);
    }
    // A closing bracket on another line than the last element gets a trailing comma.
    if (e.elements.length > 0 && this.differentLines(prev, e.rBrack)) {
      p.tok(Token.COMMA);
      p.ws(Ws.Indent, Ws.Formfeed, Ws.Unindent);
    }
    p.at(e.rBrack);
    p.tok(Token.RBRACK);
  }

  private walkObject(e: ObjectExpr): void {
    const p = this.p;
    p.at(e.lCurly);
    p.tok(Token.LCURLY);
    p.ws(Ws.Indent);
    let prev = e.lCurly;
    for (let i = 0; i < e.fields.length; i++) {
      const field = e.fields[i];
      if (this.differentLines(prev, field.namePos)) {
        // Align '=' with the previous field only if that field's value fit on one line.
        p.ws(i > 0 && this.nodeLines(e.fields[i - 1].value) === 1 ? Ws.Newline : Ws.Formfeed);
      } else if (i > 0) {
        p.ws(Ws.Blank);
      }
      // Upstream takes the end of the key as it is stored: without the quotes, for a quoted key.
      prev = field.namePos + utf8Length(field.name) - 1;
      p.at(field.namePos);
      if (field.quoted) p.text(goQuote(field.name), Token.STRING);
      else p.text(field.name, Token.IDENT);
      p.ws(Ws.VTab);
      p.tok(Token.ASSIGN);
      p.ws(Ws.Blank);
      this.walkExpr(field.value);
      if (i + 1 < e.fields.length) p.tok(Token.COMMA);
    }
    if (e.fields.length > 0 && this.differentLines(prev, e.rCurly)) {
      p.tok(Token.COMMA);
      p.ws(Ws.Formfeed);
    }
    p.ws(Ws.Unindent);
    p.at(e.rCurly);
    p.tok(Token.RCURLY);
  }

  private walkCall(e: CallExpr): void {
    const p = this.p;
    this.walkExpr(e.value);
    p.tok(Token.LPAREN);
    let prev = e.lParen;
    for (let i = 0; i < e.args.length; i++) {
      const arg = e.args[i];
      let addedNewline = false;
      if (this.differentLines(prev, startPos(arg))) {
        p.ws(Ws.Formfeed, Ws.Indent);
        addedNewline = true;
      }
      this.walkExpr(arg);
      prev = endPos(arg);
      if (i + 1 < e.args.length) {
        p.tok(Token.COMMA);
        p.ws(Ws.Blank);
      }
      if (addedNewline) p.ws(Ws.Unindent);
    }
    // A closing parenthesis on another line than the last argument gets a trailing comma.
    if (this.differentLines(prev, e.rParen)) {
      p.tok(Token.COMMA);
      p.ws(Ws.Formfeed);
    }
    p.tok(Token.RPAREN);
  }
}
