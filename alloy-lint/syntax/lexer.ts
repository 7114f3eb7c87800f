/**
 * Lexer for the Alloy configuration syntax. It follows upstream's scanner (grafana/alloy `syntax/scanner`,
 * Apache-2.0) rule for rule, because the conformance fixtures fix the exact positions of errors and of the
 * automatically inserted statement terminators. It works on the raw bytes: offsets and columns are byte
 * counts, as upstream's, and invalid UTF-8 is reported rather than silently replaced.
 *
 * Speed matters (the linter runs at every synth): the hot paths read byte codes, never run a regular
 * expression per character and never build strings by concatenation.
 */
import { isAscii } from 'node:buffer';
import { Token as TokenEnum } from './token';
import { decodeRune, goUnicode, isUnicodeDigit, isUnicodeLetter } from './unicode';

// A module-local alias: compiled to CommonJS one file at a time, `Token.X` on the import would be a getter
// call per use, which the hot loops here cannot afford.
const Token = TokenEnum;
type Token = TokenEnum;

const EOF_CH = -1;
const BOM = 0xfeff;
const NL = 0x0a;

export type ErrorHandler = (offset: number, message: string) => void;

/**
 * Turns byte offsets into 1-based line and byte column. The line table is built on first use: linting a
 * clean configuration never needs it.
 */
export class LineIndex {
  private table: number[] | undefined;

  constructor(private readonly src: Uint8Array) {}

  /**
   * Offset at which each line starts. Upstream records one each time its scanner passes a newline; since every
   * newline is passed, that is the offset after each '\n', including one at the very end.
   */
  get starts(): number[] {
    if (this.table === undefined) {
      const src = this.src;
      const starts = [0];
      for (let i = 0; i < src.length; i++) if (src[i] === NL) starts.push(i + 1);
      this.table = starts;
    }
    return this.table;
  }

  line(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  column(offset: number): number {
    return offset - this.starts[this.line(offset) - 1] + 1;
  }
}

/** Source bytes plus a cheap way to cut strings out of them. */
export class Source {
  readonly bytes: Buffer;
  /** The text itself when it was given as an ASCII string (byte offsets are then string indices). */
  private readonly text: string | undefined;
  private readonly ascii: boolean;

  constructor(input: string | Uint8Array) {
    if (typeof input === 'string') {
      this.bytes = Buffer.from(input, 'utf8');
      this.ascii = this.bytes.length === input.length;
      this.text = this.ascii ? input : undefined;
    } else {
      this.bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
      this.ascii = isAscii(input);
    }
  }

  /** Text of bytes [start, end), decoding only what is asked for (most names are interned, see NameTable). */
  slice(start: number, end: number): string {
    if (this.text !== undefined) return this.text.slice(start, end);
    return this.bytes.toString(this.ascii ? 'latin1' : 'utf8', start, end);
  }
}

/**
 * One string per distinct ASCII identifier. Names repeat a lot (`otelcol`, `output`, `input`, labels), and
 * building the AST is dominated by garbage-collecting what survives: sharing the strings keeps it small.
 */
class NameTable {
  private keys: (string | undefined)[] = new Array(256);
  private hashes = new Int32Array(256);
  private count = 0;

  intern(src: Uint8Array, start: number, end: number, source: Source): string {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ src[i], 16777619);
    const mask = this.keys.length - 1;
    for (let idx = h & mask; ; idx = (idx + 1) & mask) {
      const key = this.keys[idx];
      if (key === undefined) {
        const s = source.slice(start, end);
        this.keys[idx] = s;
        this.hashes[idx] = h;
        if (++this.count * 2 > this.keys.length) this.grow();
        return s;
      }
      if (this.hashes[idx] === h && sameAscii(key, src, start, end)) return key;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const hashes = this.hashes;
    this.keys = new Array(keys.length * 2);
    this.hashes = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (key === undefined) continue;
      let idx = hashes[j] & mask;
      while (this.keys[idx] !== undefined) idx = (idx + 1) & mask;
      this.keys[idx] = key;
      this.hashes[idx] = hashes[j];
    }
  }
}

function sameAscii(s: string, src: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) !== src[start + k]) return false;
  return true;
}

export class Lexer {
  private readonly src: Uint8Array;
  private readonly len: number;
  private ch = EOF_CH;
  private offset = 0;
  private readOffset = 0;
  private insertTerm = false;
  private readonly names = new NameTable();
  readonly lines: LineIndex;

  // The current token, set by scan().
  pos = 0;
  tok: Token = Token.EOF;
  lit = '';

  constructor(
    private readonly source: Source,
    private readonly onError: ErrorHandler,
  ) {
    this.src = source.bytes;
    this.len = this.src.length;
    this.lines = new LineIndex(this.src);
    this.next();
    if (this.ch === BOM) this.next(); // a byte order mark is allowed as the very first character
  }

  /** Advances to the next character: s.ch becomes the code point at s.offset, or EOF_CH. */
  private next(): void {
    if (this.readOffset >= this.len) {
      this.offset = this.len;
      this.ch = EOF_CH;
      return;
    }
    this.offset = this.readOffset;
    let r = this.src[this.readOffset];
    let width = 1;
    if (r === 0) {
      this.onError(this.offset, 'illegal character NUL');
    } else if (r >= 0x80) {
      const d = decodeRune(this.src, this.readOffset);
      r = d >> 3;
      width = d & 7;
      if (r === 0xfffd && width === 1) this.onError(this.offset, 'illegal UTF-8 encoding');
      else if (r === BOM && this.offset > 0) this.onError(this.offset, 'illegal byte order mark');
    }
    this.readOffset += width;
    this.ch = r;
  }

  /** Offset just after the last token scanned (the current character's offset). */
  get end(): number {
    return this.offset;
  }

  /** Number of newlines in bytes [from, to). */
  newlinesBetween(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) if (this.src[i] === NL) n++;
    return n;
  }

  /** The current character, read through a call so that TypeScript does not narrow it across next(). */
  private cur(): number {
    return this.ch;
  }

  private peek(): number {
    return this.readOffset < this.len ? this.src[this.readOffset] : 0;
  }

  /** Scans the next token into pos/tok/lit. Comments come back as COMMENT tokens. */
  scan(): void {
    this.skipWhitespace();
    const pos = this.offset;
    const ch = this.ch;
    let insertTerm = false;
    let tok: Token;
    let lit = '';

    if (isLetter(ch)) {
      lit = this.scanIdentifier();
      tok = Token.IDENT;
      if (lit.length > 1) {
        if (lit === 'true' || lit === 'false') tok = Token.BOOL;
        else if (lit === 'null') tok = Token.NULL;
      }
      insertTerm = true;
    } else if (isDecimal(ch) || (ch === 0x2e && isDecimal(this.peek()))) {
      insertTerm = true;
      tok = this.scanNumber();
      lit = this.source.slice(pos, this.offset);
    } else {
      this.next(); // make progress; ch is the first character, this.ch the second
      switch (ch) {
        case EOF_CH:
          if (this.insertTerm) {
            this.insertTerm = false;
            this.set(pos, Token.TERMINATOR, '\n');
            return;
          }
          tok = Token.EOF;
          break;
        case NL:
          // Only reachable when insertTerm is set; otherwise skipWhitespace ate the newline.
          this.insertTerm = false;
          this.set(pos, Token.TERMINATOR, '\n');
          return;
        case 0x27: // '
          this.onError(pos, 'illegal single-quoted string; use double quotes');
          insertTerm = true;
          tok = Token.ILLEGAL;
          lit = this.scanString(0x27, true, false);
          break;
        case 0x22: // "
          insertTerm = true;
          tok = Token.STRING;
          lit = this.scanString(0x22, true, false);
          break;
        case 0x60: // `
          insertTerm = true;
          tok = Token.STRING;
          lit = this.scanString(0x60, false, true);
          break;
        case 0x7c: // |
          if (this.ch !== 0x7c) this.onError(this.offset, 'missing second | in ||');
          else this.next();
          tok = Token.OR;
          break;
        case 0x26: // &
          if (this.ch !== 0x26) this.onError(this.offset, 'missing second & in &&');
          else this.next();
          tok = Token.AND;
          break;
        case 0x21: // !, !=
          tok = this.switch2(Token.NOT, Token.NEQ);
          break;
        case 0x3d: // =, ==
          tok = this.switch2(Token.ASSIGN, Token.EQ);
          break;
        case 0x3c: // <, <=
          tok = this.switch2(Token.LT, Token.LTE);
          break;
        case 0x3e: // >, >=
          tok = this.switch2(Token.GT, Token.GTE);
          break;
        case 0x2b:
          tok = Token.ADD;
          break;
        case 0x2d:
          tok = Token.SUB;
          break;
        case 0x2a:
          tok = Token.MUL;
          break;
        case 0x2f: // /, //, /*
          if (this.ch === 0x2f || this.ch === 0x2a) {
            // A terminator is due: insert it before the comment only if the comment runs to the end of
            // the line; otherwise it comes after the comment token.
            if (this.insertTerm && this.findLineEnd()) {
              this.ch = 0x2f;
              this.offset = pos;
              this.readOffset = pos + 1;
              this.insertTerm = false;
              this.set(pos, Token.TERMINATOR, '\n');
              return;
            }
            lit = this.scanComment();
            tok = Token.COMMENT;
          } else {
            tok = Token.DIV;
          }
          break;
        case 0x25:
          tok = Token.MOD;
          break;
        case 0x5e:
          tok = Token.POW;
          break;
        case 0x7b:
          tok = Token.LCURLY;
          break;
        case 0x7d:
          insertTerm = true;
          tok = Token.RCURLY;
          break;
        case 0x28:
          tok = Token.LPAREN;
          break;
        case 0x29:
          insertTerm = true;
          tok = Token.RPAREN;
          break;
        case 0x5b:
          tok = Token.LBRACK;
          break;
        case 0x5d:
          insertTerm = true;
          tok = Token.RBRACK;
          break;
        case 0x2c:
          tok = Token.COMMA;
          break;
        case 0x2e:
          tok = Token.DOT; // fractions starting with '.' were handled above
          break;
        default:
          // next() already reported a misplaced byte order mark.
          if (ch !== BOM) this.onError(pos, `illegal character ${goUnicode(ch)}`);
          insertTerm = this.insertTerm; // keep the previous state
          tok = Token.ILLEGAL;
          lit = String.fromCodePoint(ch);
      }
    }
    this.insertTerm = insertTerm;
    this.set(pos, tok, lit);
  }

  private set(pos: number, tok: Token, lit: string): void {
    this.pos = pos;
    this.tok = tok;
    this.lit = lit;
  }

  private skipWhitespace(): void {
    const c = this.ch;
    if (!(c === 0x20 || c === 0x09 || c === 0x0d || (c === NL && !this.insertTerm))) return;
    // Fast path over the bytes: whitespace is ASCII, so next() has nothing to check or report.
    const src = this.src;
    const len = this.len;
    const stopAtNewline = this.insertTerm;
    let i = this.readOffset;
    while (i < len) {
      const b = src[i];
      if (b === 0x20 || b === 0x09 || b === 0x0d || (b === NL && !stopAtNewline)) i++;
      else break;
    }
    this.readOffset = i;
    this.next();
  }

  private scanIdentifier(): string {
    const start = this.offset;
    const src = this.src;
    const len = this.len;
    // Fast path: ASCII letters and digits, read straight from the bytes.
    let i = this.readOffset;
    while (i < len) {
      const b = src[i];
      if ((b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b === 0x5f || (b >= 0x30 && b <= 0x39)) {
        i++;
        continue;
      }
      break;
    }
    if (i >= len) {
      this.offset = len;
      this.readOffset = len;
      this.ch = EOF_CH;
      return this.name(start, len);
    }
    const b = src[i];
    if (b > 0 && b < 0x80) {
      // An ASCII byte ends the identifier.
      this.ch = b;
      this.offset = i;
      this.readOffset = i + 1;
      return this.name(start, i);
    }
    // A NUL or non-ASCII byte: continue character by character.
    this.readOffset = i;
    this.next();
    while (isLetter(this.ch) || isDigit(this.ch)) this.next();
    return this.source.slice(start, this.offset);
  }

  private name(start: number, end: number): string {
    return this.src[start] < 0x80
      ? this.names.intern(this.src, start, end, this.source)
      : this.source.slice(start, end);
  }

  private scanNumber(): Token {
    let tok = Token.NUMBER;
    const start = this.offset;
    if (this.ch !== 0x2e) this.digits();
    if (this.ch === 0x2e) {
      tok = Token.FLOAT;
      this.next();
      this.digits();
    }
    if (this.ch === 0x65 || this.ch === 0x45) {
      tok = Token.FLOAT;
      this.next();
      if (this.cur() === 0x2b || this.cur() === 0x2d) this.next();
      if (this.digits() === 0) this.onError(start, 'exponent has no digits');
    }
    return tok;
  }

  private digits(): number {
    let n = 0;
    while (isDecimal(this.ch)) {
      this.next();
      n++;
    }
    return n;
  }

  private scanString(until: number, escapes: boolean, multiline: boolean): string {
    const start = this.offset - 1; // the opening quote was consumed to make progress
    // Fast path: skip plain ASCII bytes (no quote, backslash, newline or NUL) without next()'s checks.
    const first = this.ch;
    if (first !== until && first !== 0x5c && first !== NL && first > 0 && first < 0x80) {
      const src = this.src;
      const len = this.len;
      let i = this.readOffset;
      while (i < len) {
        const b = src[i];
        if (b === until || b === 0x5c || b === NL || b === 0 || b >= 0x80) break;
        i++;
      }
      this.readOffset = i;
      this.next();
    }
    for (;;) {
      const ch = this.ch;
      if ((!multiline && ch === NL) || ch === EOF_CH) {
        this.onError(start, 'string literal not terminated');
        break;
      }
      this.next();
      if (ch === until) break;
      if (escapes && ch === 0x5c) this.scanEscape();
    }
    return this.source.slice(start, this.offset);
  }

  /** Checks one escape sequence; on an error it stops at the offending character without consuming it. */
  private scanEscape(): void {
    const start = this.offset;
    let n: number;
    let base: number;
    let max: number;
    switch (this.ch) {
      case 0x61: // a b f n r t v \ "
      case 0x62:
      case 0x66:
      case 0x6e:
      case 0x72:
      case 0x74:
      case 0x76:
      case 0x5c:
      case 0x22:
        this.next();
        return;
      case 0x30:
      case 0x31:
      case 0x32:
      case 0x33:
      case 0x34:
      case 0x35:
      case 0x36:
      case 0x37:
        n = 3;
        base = 8;
        max = 255;
        break;
      case 0x78: // x
        this.next();
        n = 2;
        base = 16;
        max = 255;
        break;
      case 0x75: // u
        this.next();
        n = 4;
        base = 16;
        max = 0x10ffff;
        break;
      case 0x55: // U
        this.next();
        n = 8;
        base = 16;
        max = 0x10ffff;
        break;
      default:
        this.onError(start, this.ch === EOF_CH ? 'escape sequence not terminated' : 'unknown escape sequence');
        return;
    }
    let x = 0;
    while (n > 0) {
      const d = digitVal(this.ch);
      if (d >= base) {
        this.onError(
          start,
          this.cur() === EOF_CH
            ? 'escape sequence not terminated'
            : `illegal character ${goUnicode(this.ch)} in escape sequence`,
        );
        return;
      }
      x = x * base + d;
      this.next();
      n--;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) this.onError(start, 'escape sequence is invalid Unicode code point');
  }

  private scanComment(): string {
    const start = this.offset - 1; // the first '/' was consumed to make progress
    let numCR = 0;
    let block = false;
    if (this.ch === 0x2f) {
      // A //-comment runs to the end of the line; the newline is not part of it. Plain ASCII without \r is
      // skipped in one go; anything else goes through next(), which reports bad bytes.
      const src = this.src;
      const len = this.len;
      let i = this.readOffset;
      while (i < len) {
        const b = src[i];
        if (b === NL || b === 0x0d || b === 0 || b >= 0x80) break;
        i++;
      }
      this.readOffset = i;
      this.next();
      while (this.cur() !== NL && this.cur() !== EOF_CH) {
        if (this.cur() === 0x0d) numCR++;
        this.next();
      }
    } else {
      block = true;
      this.next();
      let closed = false;
      while (this.ch !== EOF_CH) {
        const ch = this.ch;
        if (ch === 0x0d) numCR++;
        this.next();
        if (ch === 0x2a && this.ch === 0x2f) {
          this.next();
          closed = true;
          break;
        }
      }
      if (!closed) this.onError(start, 'block comment not terminated');
    }
    let lit = this.source.slice(start, this.offset);
    // A comment line on Windows may end in "\r\n"; the final \r is dropped, as are the other \r.
    if (numCR > 0 && lit.endsWith('\r')) {
      lit = lit.slice(0, -1);
      numCR--;
    }
    if (numCR > 0) lit = stripCR(lit, block);
    return lit;
  }

  /**
   * Looks ahead (the first '/' is consumed) to tell whether the comment sequence runs to the end of the line,
   * then restores the scanner. Like upstream, characters read during the look-ahead are read again later.
   */
  private findLineEnd(): boolean {
    const off = this.offset - 1;
    const result = this.lookForLineEnd();
    this.ch = 0x2f;
    this.offset = off;
    this.readOffset = off + 1;
    this.next(); // consume the initial '/' again
    return result;
  }

  private lookForLineEnd(): boolean {
    while (this.ch === 0x2f || this.ch === 0x2a) {
      if (this.ch === 0x2f) return true; // a //-comment always runs to the end of the line
      this.next();
      while (this.cur() !== EOF_CH) {
        const ch = this.cur();
        if (ch === NL) return true;
        this.next();
        if (ch === 0x2a && this.cur() === 0x2f) {
          this.next();
          break;
        }
      }
      this.skipWhitespace(); // insertTerm is set, so newlines stop it
      if (this.cur() === EOF_CH || this.cur() === NL) return true;
      if (this.cur() !== 0x2f) return false;
      this.next();
    }
    return false;
  }

  private switch2(single: Token, withEquals: Token): Token {
    if (this.ch === 0x3d) {
      this.next();
      return withEquals;
    }
    return single;
  }
}

function isLetter(ch: number): boolean {
  return (ch >= 0x61 && ch <= 0x7a) || (ch >= 0x41 && ch <= 0x5a) || ch === 0x5f || (ch >= 0x80 && isUnicodeLetter(ch));
}

function isDecimal(ch: number): boolean {
  return ch >= 0x30 && ch <= 0x39;
}

function isDigit(ch: number): boolean {
  return isDecimal(ch) || (ch >= 0x80 && isUnicodeDigit(ch));
}

function digitVal(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  const l = ch | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return 16;
}

function stripCR(s: string, block: boolean): string {
  const out: string[] = [];
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    // Inside a block comment, keep a \r that sits between '*' and the closing '/'.
    if (c !== '\r' || (block && out.length > 2 && out[out.length - 1] === '*' && s[j + 1] === '/')) out.push(c);
  }
  return out.join('');
}
