/**
 * Conformance with upstream's parser fixtures (../shared/alloy/syntax, see its README): valid files parse with
 * no diagnostic, invalid files yield exactly the marked diagnostics (position and message), fuzz seeds end in
 * at least one diagnostic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../alloy-lint/syntax/parser';
import { describeShared, filesIn, SHARED_ALLOY } from './shared-fixtures';

interface ExpectedError {
  offset: number;
  line: number;
  column: number;
  here: boolean;
  afterToken: string;
  messageRegex: string;
}

const SYNTAX = join(SHARED_ALLOY, 'syntax');
const MARKER = /\/\*\s*ERROR\s*(HERE\s*)?"([^"]*)"\s*\*\//g;

describeShared('valid syntax fixtures', () => {
  const files = filesIn('syntax/valid', '.alloy');

  it('are all there', () => {
    expect(files).toHaveLength(5);
  });

  it.each(files)('%s parses with zero diagnostics', (name) => {
    const { diagnostics } = parse(readFileSync(join(SYNTAX, 'valid', name)), name);
    expect(diagnostics).toEqual([]);
  });
});

describeShared('invalid syntax fixtures', () => {
  const files = filesIn('syntax/invalid', '.alloy');
  const expected = (): Record<string, ExpectedError[]> =>
    JSON.parse(readFileSync(join(SYNTAX, 'invalid', 'expected-errors.json'), 'utf8'));

  it('are all there', () => {
    expect(files).toHaveLength(6);
  });

  // expected-errors.json was made by a lexer outside the fixture folder; the .alloy files are the source of
  // truth, so check that each entry sits on its inline marker before relying on its positions.
  it.each(files)('%s: expected-errors.json agrees with the inline markers', (name) => {
    const text = readFileSync(join(SYNTAX, 'invalid', name), 'utf8');
    const markers = [...text.matchAll(MARKER)].map((m) => ({ here: m[1] !== undefined, rx: m[2], at: m.index }));
    const entries = expected()[name];
    expect(entries.map((e) => [e.here, e.messageRegex])).toEqual(markers.map((m) => [m.here, m.rx]));
    entries.forEach((e, i) => {
      const tokenEnd = e.here ? e.offset : e.offset + e.afterToken.length;
      expect(text.slice(tokenEnd - e.afterToken.length, tokenEnd)).toBe(e.afterToken);
      // Only blanks and other comments lie between the token and its marker.
      const between = text.slice(tokenEnd, markers[i].at).replace(/\/\*.*?\*\//g, '');
      expect(between.trim()).toBe('');
      const before = text.slice(0, e.offset).split('\n');
      expect([before.length, before[before.length - 1].length + 1]).toEqual([e.line, e.column]);
    });
  });

  it.each(files)('%s yields exactly the marked diagnostics', (name) => {
    const { diagnostics } = parse(readFileSync(join(SYNTAX, 'invalid', name)), name);
    const unused = [...expected()[name]];
    const unexpected: string[] = [];
    for (const d of diagnostics) {
      // One-to-one: a diagnostic uses up the marker at its position, and only if the message matches.
      const i = unused.findIndex(
        (e) => e.line === d.line && e.column === d.column && new RegExp(e.messageRegex).test(d.message),
      );
      if (i < 0) unexpected.push(`${d.line}:${d.column}: ${d.message}`);
      else unused.splice(i, 1);
    }
    expect(unexpected).toEqual([]);
    expect(unused.map((e) => `${e.line}:${e.column}: /${e.messageRegex}/`)).toEqual([]);
  });
});

describeShared('fuzz seeds', () => {
  const files = filesIn('syntax/fuzz/decoded', '.alloy');

  it('are all there', () => {
    expect(files).toHaveLength(3);
  });

  // Upstream only checks that the parser neither crashes nor hangs; all three payloads are invalid, so a
  // parser that returns must also report at least one problem.
  it.each(files)('%s terminates with at least one diagnostic', (name) => {
    const { diagnostics } = parse(readFileSync(join(SYNTAX, 'fuzz', 'decoded', name)), name);
    expect(diagnostics.length).toBeGreaterThanOrEqual(1);
    for (const d of diagnostics) expect(d.severity).toBe('error');
  });
});
