/** Formatter rules beyond the upstream fixtures. */

import { formatSource } from '../../alloy-lint/printer/printer';
import { AlloySyntaxError } from '../../alloy-lint/syntax/diagnostics';

describe('formatSource', () => {
  it('ends the output with one newline, as alloy fmt writes it', () => {
    expect(formatSource('a=1')).toBe('a = 1\n');
    expect(formatSource('')).toBe('\n');
  });

  it('writes one-line objects without inner spaces, as upstream does', () => {
    expect(formatSource('labels = { job = "syslog", env = "prod" }\n')).toBe(
      'labels = {job = "syslog", env = "prod"}\n',
    );
  });

  it('aligns = and trailing comments across a run of one-line attributes', () => {
    expect(formatSource('a = 1 // one\nlonger_name = "x" // two\n')).toBe(
      'a           = 1   // one\nlonger_name = "x" // two\n',
    );
  });

  it('keeps text that contains the character used internally to bracket comments', () => {
    const text = 'a = "\uE000" // c\nbb = `\uE000\uE001` // d\n';
    expect(formatSource(text)).toBe('a  = "\uE000"  // c\nbb = `\uE000\uE001` // d\n');
  });

  it('refuses input whose formatting would not parse, instead of writing broken syntax', () => {
    // Upstream's printer turns `f(` + newline + `)` into `f(,` + newline + `)`.
    expect(() => formatSource('x = f(\n)\n', 'c.alloy')).toThrow(AlloySyntaxError);
    expect(() => formatSource('x = f(\n)\n', 'c.alloy')).toThrow(
      /c\.alloy: error: alloy fmt would turn this file into invalid syntax/,
    );
  });

  it('throws AlloySyntaxError carrying every syntax error', () => {
    try {
      formatSource('a = [1\nb = )\n', 'c.alloy');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(AlloySyntaxError);
      expect((e as AlloySyntaxError).diagnostics.map((d) => `${d.line}:${d.column}`)).toEqual(['1:7', '2:3', '3:1']);
    }
  });
});
