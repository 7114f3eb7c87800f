/** Parser and lexer rules beyond the upstream fixtures: positions, lexical errors, AST shape, limits. */
import type { BinaryExpr, BlockStmt, Expr } from '../../alloy-lint/syntax/ast';
import { parse } from '../../alloy-lint/syntax/parser';
import { Token } from '../../alloy-lint/syntax/token';

const messages = (text: string | Uint8Array) =>
  parse(text, 'x.alloy').diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`);

function attrValue(text: string): Expr {
  const { ast, diagnostics } = parse(text);
  expect(diagnostics).toEqual([]);
  const stmt = ast.body[0];
  if (stmt.kind !== 'attribute') throw new Error('not an attribute');
  return stmt.value;
}

/** Renders an expression fully parenthesised, to make precedence visible. */
function shape(e: Expr): string {
  switch (e.kind) {
    case 'binary':
      return `(${shape(e.left)} ${Token[e.op]} ${shape(e.right)})`;
    case 'unary':
      return `(${Token[e.op]} ${shape(e.value)})`;
    case 'ident':
      return e.name;
    case 'literal':
      return e.value;
    case 'access':
      return `${shape(e.value)}.${e.name}`;
    case 'index':
      return `${shape(e.value)}[${shape(e.index)}]`;
    case 'call':
      return `${shape(e.value)}(${e.args.map(shape).join(', ')})`;
    case 'paren':
      return `<${shape(e.inner)}>`;
    case 'array':
      return `[${e.elements.map(shape).join(', ')}]`;
    case 'object':
      return `{${e.fields.map((f) => `${f.name}=${shape(f.value)}`).join(', ')}}`;
  }
}

describe('positions', () => {
  it('reports 1-based lines and byte columns, like upstream', () => {
    // "é" is two bytes in UTF-8, so the second '+' is at byte column 12 (character column 11).
    expect(messages('a = "é" + +\n')).toEqual(['1:12: expected expression, got +']);
  });

  it('gives every node its byte offset', () => {
    const { ast } = parse('block "lbl" {\n  attr = 1\n}\n');
    const block = ast.body[0] as BlockStmt;
    expect([block.namePos, block.labelPos, block.lCurly, block.rCurly]).toEqual([0, 6, 12, 25]);
    expect(ast.lines.line(block.rCurly)).toBe(3);
  });
});

describe('lexical errors', () => {
  it.each([
    ['a = @', "1:5: illegal character U+0040 '@'"],
    ['a = "open\n', '1:5: string literal not terminated'],
    ["a = 'x'", '1:5: illegal single-quoted string; use double quotes'],
    ['a = "\\q"', '1:7: unknown escape sequence'],
    ['a = 1e', '1:5: exponent has no digits'],
    ['a = 1 | 2', '1:8: missing second | in ||'],
    ['/* open', '1:1: block comment not terminated'],
  ])('%j → %s', (text, expected) => {
    expect(messages(text)).toContain(expected);
  });

  // Lexical errors do not count for the one-parser-error-per-line rule, so the parser adds its own, as upstream.
  it('reports invalid UTF-8 and NUL bytes at their byte offsets, without throwing', () => {
    expect(messages(Buffer.from([0x61, 0x20, 0x3d, 0x20, 0xff]))).toEqual([
      '1:5: illegal UTF-8 encoding',
      "1:5: illegal character U+FFFD '�'",
      '1:5: expected expression, got ILLEGAL',
    ]);
    expect(messages(Buffer.from('a = "\0"'))).toEqual(['1:6: illegal character NUL']);
  });

  it('accepts a byte order mark only as the very first character', () => {
    expect(messages('\uFEFFa = 1')).toEqual([]);
    expect(messages('a = 1\n\uFEFF')).toEqual([
      '2:1: illegal byte order mark',
      '2:1: expected identifier, got ILLEGAL',
    ]);
  });
});

describe('syntax', () => {
  it('follows Alloy operator precedence; ^ is right-associative', () => {
    expect(shape(attrValue('x = 1 || 2 && 3 == 4 + 5 * 6 ^ 7 ^ 8'))).toBe(
      '(1 OR (2 AND (3 EQ (4 ADD (5 MUL (6 POW (7 POW 8)))))))',
    );
    expect(shape(attrValue('x = 1 - 2 - 3'))).toBe('((1 SUB 2) SUB 3)');
    expect(shape(attrValue('x = !a.b[0](1, 2).c'))).toBe('(NOT a.b[0](1, 2).c)');
    expect(shape(attrValue('x = (a.b.c)(1, 3 * some_list[magic_index * 2]).resulting_field'))).toBe(
      '<a.b.c>(1, (3 MUL some_list[(magic_index MUL 2)])).resulting_field',
    );
  });

  it('parses every literal kind', () => {
    expect(shape(attrValue('x = [10, 15.0, .5, 1e3, "s\\n", `raw\nline`, true, null, {a = 1, "b c" = 2}]'))).toBe(
      '[10, 15.0, .5, 1e3, "s\\n", `raw\nline`, true, null, {a=1, b c=2}]',
    );
  });

  it('keeps comments in groups separated by blank lines', () => {
    const { ast } = parse('// a\n// b\n\n// c\nx = 1 /* d */\n');
    expect(ast.comments.map((g) => g.map((c) => c.text))).toEqual([['// a', '// b'], ['// c'], ['/* d */']]);
  });

  it('reports at most one parser error per line and recovers at the next statement', () => {
    expect(messages('a = + + +\nb = 1\nc = )\n')).toEqual([
      '1:5: expected expression, got +',
      '3:5: expected expression, got )',
    ]);
  });

  it('reports a missing closing brace at the end of the file', () => {
    expect(messages('block {\n  a = 1\n')).toEqual(['3:1: expected }, got EOF']);
  });
});

describe('limits', () => {
  it('reports nesting deeper than the limit as a diagnostic instead of overflowing the stack', () => {
    const deep = `x = ${'['.repeat(100_000)}`;
    expect(messages(deep)).toEqual([expect.stringMatching(/^1:\d+: nesting too deep \(more than 500 levels\)$/)]);
    const blocks = 'b {\n'.repeat(10_000);
    expect(messages(blocks)[0]).toMatch(/nesting too deep/);
  });

  it('catches deep trees built by loops (long operator chains) too', () => {
    const chain = `x = ${Array.from({ length: 5000 }, (_, i) => `a${i}`).join(' + ')}`;
    expect(messages(chain)).toEqual([expect.stringMatching(/^1:\d+: nesting too deep \(more than 500 levels\)$/)]);
  });

  it('accepts long flat lists, which are not nesting', () => {
    const value = attrValue(`x = [${Array.from({ length: 20_000 }, (_, i) => i).join(', ')}]`);
    expect(value.kind === 'array' && value.elements.length).toBe(20_000);
    const sum = attrValue(`x = ${Array.from({ length: 50 }, (_, i) => `a${i}`).join(' + ')}`) as BinaryExpr;
    expect(sum.op).toBe(Token.ADD);
  });
});
