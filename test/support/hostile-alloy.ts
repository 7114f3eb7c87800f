/**
 * Alloy files built to hurt a parser, linter or printer (issue #17 §3), by size: used by the size test
 * (test/alloy-lint/size.test.ts) and the benchmark's growth figures (bench/alloy-lint.bench.ts). Each is what
 * `alloy fmt` prints, where it parses, so that formatting it is expected to change nothing.
 */
export const HOSTILE = {
  /** One empty component whose name has `parts` dotted fragments (`a0.a1.….a9.a0…`): 3 bytes per part. */
  dottedName: (parts: number): string => `${Array.from({ length: parts }, (_, i) => `a${i % 10}`).join('.')} "x" { }\n`,

  /** One attribute whose string holds `count` unknown escapes `\q`: one syntax error per 2 bytes. */
  badEscapes: (count: number): string => `x = "${'\\q'.repeat(count)}"\n`,

  /** `length` bytes from a seeded xorshift generator: the same bytes on every run. */
  randomBytes: (length: number, seed: number): Uint8Array => {
    const bytes = new Uint8Array(length);
    let x = seed | 1;
    for (let i = 0; i < length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    return bytes;
  },

  /**
   * A block with one attribute named by `width` characters above `count` short ones: the printer aligns every `=`
   * of the block to the long name, so the output is about width × count bytes.
   */
  longAttribute: (width: number, count: number): string =>
    `b {\n\t${'l'.repeat(width)} = 0\n${Array.from({ length: count }, (_, i) => `\ta${i}${' '.repeat(Math.max(1, width - String(i).length))}= ${i}\n`).join('')}}\n`,

  /** Blocks nested `depth` deep, each with `attributes` attributes before the next level, one tab per level. */
  nestedBlocks: (depth: number, attributes: number): string => {
    const lines: string[] = [];
    for (let d = 0; d < depth; d++) {
      const indent = '\t'.repeat(d);
      lines.push(`${indent}b {`);
      for (let k = 0; k < attributes; k++) lines.push(`${indent}\tx${k} = ${k}`);
      if (attributes > 0 && d + 1 < depth) lines.push('');
    }
    for (let d = depth - 1; d >= 0; d--) lines.push(`${'\t'.repeat(d)}}`);
    return `${lines.join('\n')}\n`;
  },
};
