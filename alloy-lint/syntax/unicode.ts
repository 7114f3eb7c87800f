/**
 * Unicode and quoting helpers shared by the lexer, parser and printer. They mirror the Go standard library
 * functions upstream relies on (unicode.IsLetter, strconv.Quote, utf8.DecodeRune) so that messages and
 * formatter output match `alloy` byte for byte.
 */

const LETTER = /\p{L}/u;
const DECIMAL_DIGIT = /\p{Nd}/u;
const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Go's unicode.IsLetter for a code point ≥ 0x80 (ASCII is handled inline by callers). */
export function isUnicodeLetter(cp: number): boolean {
  return LETTER.test(String.fromCodePoint(cp));
}

/** Go's unicode.IsDigit for a code point ≥ 0x80. */
export function isUnicodeDigit(cp: number): boolean {
  return DECIMAL_DIGIT.test(String.fromCodePoint(cp));
}

/** Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isPrint(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x20 && cp < 0x7f;
  if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return false;
  return PRINTABLE.test(String.fromCodePoint(cp));
}

function isLetterCp(cp: number): boolean {
  return (cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a) || cp === 0x5f || (cp >= 0x80 && isUnicodeLetter(cp));
}

function isDigitCp(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x80 && isUnicodeDigit(cp));
}

/** True when `s` scans as exactly one identifier (not a keyword): upstream's scanner.IsValidIdentifier. */
export function isValidIdentifier(s: string): boolean {
  if (s === '' || s === 'true' || s === 'false' || s === 'null') return false;
  let first = true;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (first ? !isLetterCp(cp) : !(isLetterCp(cp) || isDigitCp(cp))) return false;
    first = false;
  }
  return true;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's `%q` (strconv.Quote) for a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x22 || cp === 0x5c) {
      out += `\\${ch}`;
    } else if (isPrint(cp)) {
      out += ch;
    } else {
      switch (cp) {
        case 0x07:
          out += '\\a';
          break;
        case 0x08:
          out += '\\b';
          break;
        case 0x0c:
          out += '\\f';
          break;
        case 0x0a:
          out += '\\n';
          break;
        case 0x0d:
          out += '\\r';
          break;
        case 0x09:
          out += '\\t';
          break;
        case 0x0b:
          out += '\\v';
          break;
        default:
          if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
          else if (cp < 0x10000) out += `\\u${hex(cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp, 4)}`;
          else out += `\\U${hex(cp, 8)}`;
      }
    }
  }
  return `${out}"`;
}

/** Go's `%#U`: `U+0040 '@'`, or just `U+0000` when the character is not printable. */
export function goUnicode(cp: number): string {
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return isPrint(cp) ? `${code} '${String.fromCodePoint(cp)}'` : code;
}

/** Number of UTF-8 bytes needed for `s` (positions in this package are byte offsets, as upstream's). */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      // A surrogate pair is 2 UTF-16 units and 4 UTF-8 bytes.
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

/** Number of code points in `s` (Go's utf8.RuneCountInString on valid text). */
export function runeCount(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * Decodes one UTF-8 sequence at `i` like Go's utf8.DecodeRune: returns (code point << 3) | width, with
 * U+FFFD and width 1 for any invalid, overlong, surrogate or out-of-range sequence.
 */
export function decodeRune(b: Uint8Array, i: number): number {
  const INVALID = (0xfffd << 3) | 1;
  const n = b.length;
  const c0 = b[i];
  if (c0 < 0x80) return (c0 << 3) | 1;
  if (c0 < 0xc2 || c0 > 0xf4) return INVALID;
  const c1 = i + 1 < n ? b[i + 1] : -1;
  if (c0 < 0xe0) {
    if (c1 < 0x80 || c1 > 0xbf) return INVALID;
    return ((((c0 & 0x1f) << 6) | (c1 & 0x3f)) << 3) | 2;
  }
  const lo = c0 === 0xe0 ? 0xa0 : c0 === 0xf0 ? 0x90 : 0x80;
  const hi = c0 === 0xed ? 0x9f : c0 === 0xf4 ? 0x8f : 0xbf;
  if (c1 < lo || c1 > hi) return INVALID;
  const c2 = i + 2 < n ? b[i + 2] : -1;
  if (c2 < 0x80 || c2 > 0xbf) return INVALID;
  if (c0 < 0xf0) return ((((c0 & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f)) << 3) | 3;
  const c3 = i + 3 < n ? b[i + 3] : -1;
  if (c3 < 0x80 || c3 > 0xbf) return INVALID;
  // Up to 0x10FFFF << 3 still fits a positive 32-bit integer.
  return ((((c0 & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f)) << 3) | 4;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/**
 * The value of a string literal as written in the source (double-quoted with Go escapes, or a raw backtick
 * string). Only called on literals the lexer accepted; a malformed escape is kept as written.
 */
export function unquote(lit: string): string {
  if (lit.startsWith('`')) return lit.slice(1, lit.endsWith('`') && lit.length > 1 ? -1 : undefined).replace(/\r/g, '');
  const body = lit.slice(1, lit.endsWith('"') && lit.length > 1 ? -1 : undefined);
  if (!body.includes('\\')) return body;
  return body.replace(
    /\\(?:([abfnrtv\\"'])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3}))/g,
    (m, simple, x, u, U, oct) => {
      if (simple) return SIMPLE_ESCAPES[simple];
      const code = Number.parseInt(x ?? u ?? U ?? oct, x || u || U ? 16 : 8);
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    },
  );
}
