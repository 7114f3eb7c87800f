/**
 * The two output filters of upstream's printer: Go's text/tabwriter (elastic tabstops; here only the
 * configuration the printer uses: minwidth 0, tabwidth 8, padding 1, pad char ' ', DiscardEmptyColumns |
 * TabIndent) followed by upstream's trimmer (drops the escape characters and trailing blanks, turns \f and \v
 * into \n and \t). Alignment of `=` and of trailing comments comes out of this pair, so it is ported as is.
 */
import { runeCount } from '../syntax/unicode';

const TAB_WIDTH = 8;
const PADDING = 1;

interface Cell {
  text: string;
  /** Display width in code points, escape characters not counted. */
  width: number;
  /** The cell was terminated by '\t' (not '\v'). */
  htab: boolean;
}

/** Elastic tabstops over cells terminated by \t or \v; \n ends a line, \f ends a line and a block. */
export class TabWriter {
  private lines: Cell[][] = [];
  private cell: Cell = { text: '', width: 0, htab: false };
  private escapeStart = -1;
  private widths: number[] = [];
  private readonly out: string[] = [];

  constructor(private readonly escapeChar: string) {
    this.reset();
  }

  private reset(): void {
    this.cell = { text: '', width: 0, htab: false };
    this.lines = [[]];
    this.widths = [];
  }

  write(s: string): void {
    const esc = this.escapeChar.charCodeAt(0);
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (this.escapeStart < 0) {
        if (ch === 0x09 || ch === 0x0b || ch === 0x0a || ch === 0x0c) {
          this.append(s.slice(n, i));
          n = i + 1;
          const ncells = this.terminateCell(ch === 0x09);
          if (ch === 0x0a || ch === 0x0c) {
            this.lines.push([]);
            // A formfeed always ends the block; so does a line with a single cell, which cannot affect
            // the alignment of the following lines.
            if (ch === 0x0c || ncells === 1) this.flush();
          }
        } else if (ch === esc) {
          this.append(s.slice(n, i));
          n = i;
          this.escapeStart = i;
        }
      } else if (ch === esc) {
        const escaped = s.slice(n, i + 1);
        this.cell.text += escaped;
        this.cell.width += runeCount(escaped) - 2;
        n = i + 1;
        this.escapeStart = -1;
      }
    }
    if (n < s.length) {
      const rest = s.slice(n);
      if (this.escapeStart >= 0) {
        // An unterminated escape counts as escaped text up to the end.
        this.cell.text += rest;
        this.cell.width += runeCount(rest) - 1;
        this.escapeStart = -1;
      } else {
        this.append(rest);
      }
    }
  }

  /** Formats and returns everything written. */
  finish(): string {
    this.flush();
    return this.out.join('');
  }

  private append(text: string): void {
    if (text === '') return;
    this.cell.text += text;
    this.cell.width += runeCount(text);
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1];
    line.push(this.cell);
    this.cell = { text: '', width: 0, htab: false };
    return line.length;
  }

  private flush(): void {
    if (this.cell.text !== '') this.terminateCell(false);
    this.format(0, this.lines.length);
    this.reset();
  }

  private format(line0: number, line1: number): void {
    const column = this.widths.length;
    for (let row = line0; row < line1; row++) {
      let line = this.lines[row];
      if (column >= line.length - 1) continue;
      // This line has a cell in this column: print the lines before the block, then size the column over
      // the block of consecutive lines that have it. The last cell of a line never belongs to a column.
      this.writeLines(line0, row);
      line0 = row;
      let width = 0;
      let discardable = true;
      for (; row < line1; row++) {
        line = this.lines[row];
        if (column >= line.length - 1) break;
        const c = line[column];
        if (c.width + PADDING > width) width = c.width + PADDING;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable) width = 0;
      this.widths.push(width);
      this.format(line0, row);
      this.widths.pop();
      line0 = row;
    }
    this.writeLines(line0, line1);
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i];
      let useTabs = true; // TabIndent: leading empty cells are padded with tabs
      for (let j = 0; j < line.length; j++) {
        const c = line[j];
        if (c.text === '') {
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j], useTabs);
        } else {
          useTabs = false;
          this.out.push(c.text);
          if (j < this.widths.length) this.writePadding(c.width, this.widths[j], false);
        }
      }
      if (i + 1 === this.lines.length) {
        // The last buffered line has no newline yet; write the pending cell.
        this.out.push(this.cell.text);
        this.cell = { text: '', width: 0, htab: false };
      } else {
        this.out.push('\n');
      }
    }
  }

  private writePadding(textWidth: number, cellWidth: number, useTabs: boolean): void {
    if (useTabs) {
      const rounded = Math.ceil(cellWidth / TAB_WIDTH) * TAB_WIDTH;
      this.out.push('\t'.repeat(Math.ceil((rounded - textWidth) / TAB_WIDTH)));
    } else {
      this.out.push(' '.repeat(cellWidth - textWidth));
    }
  }
}

/**
 * Upstream's trimmer: removes the escape characters (text between them is copied unchanged), drops blanks
 * and tabs at the end of lines and of the output, and writes \f as \n and \v as \t.
 *
 * Upstream does this with a byte-by-byte state machine; on whole text the same result comes from handling
 * the segments between escape characters: unescaped segments lose the blanks before each line end (and the
 * last one those at the very end); blanks before an escaped segment are kept, as upstream writes its
 * pending blanks when an escape starts.
 */
export function trim(s: string, escapeChar: string): string {
  const parts = s.split(escapeChar);
  for (let i = 0; i < parts.length; i += 2) parts[i] = trimPlain(parts[i], i === parts.length - 1);
  return parts.join('');
}

/**
 * One unescaped segment: \v as \t, blanks before \n or \f dropped, \f as \n, and when `last` the blanks at the
 * end dropped too. One pass: a run of blanks is held until what follows it is known (a regex with a lookahead
 * would retry the run from each of its blanks, quadratic in its length: an aligned 4,000-column name).
 */
function trimPlain(plain: string, last: boolean): string {
  const out: string[] = [];
  let copied = 0; // plain[copied..] is not yet in out
  let blanks = -1; // start of the current run of blanks, or -1
  for (let i = 0; i < plain.length; i++) {
    const ch = plain.charCodeAt(i);
    if (ch === 0x20 || ch === 0x09 || ch === 0x0b) {
      if (blanks < 0) blanks = i;
    } else if (ch === 0x0a || ch === 0x0c) {
      out.push(plain.slice(copied, blanks < 0 ? i : blanks), '\n');
      copied = i + 1;
      blanks = -1;
    } else {
      blanks = -1;
    }
  }
  out.push(plain.slice(copied, last && blanks >= 0 ? blanks : plain.length));
  return out.join('').replace(/\v/g, '\t');
}
