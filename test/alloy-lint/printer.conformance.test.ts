/**
 * Conformance with upstream's printer fixtures (../shared/alloy/fmt, see its README): formatting X.in gives
 * X.expect (only trailing whitespace at the end of the file is ignored), the error case fails with the
 * upstream message, and formatting is idempotent on the expected outputs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSource } from '../../alloy-lint/printer/printer';
import { AlloySyntaxError } from '../../alloy-lint/syntax/diagnostics';
import { parse } from '../../alloy-lint/syntax/parser';
import { describeShared, filesIn, SHARED_ALLOY } from './shared-fixtures';

const FMT = join(SHARED_ALLOY, 'fmt');
const read = (name: string) => readFileSync(join(FMT, name), 'utf8');

describeShared('formatter fixtures', () => {
  const pairs = filesIn('fmt', '.expect').map((f) => f.replace(/\.expect$/, ''));
  const errors = filesIn('fmt', '.error').map((f) => f.replace(/\.error$/, ''));

  it('are all there (9 pairs and 1 error case)', () => {
    expect(pairs).toHaveLength(9);
    expect(errors).toEqual(['raw_string_label_error']);
  });

  it.each(pairs)('%s.in formats to %s.expect', (name) => {
    expect(formatSource(read(`${name}.in`)).trimEnd()).toBe(read(`${name}.expect`).trimEnd());
  });

  it.each(pairs)('%s.in parses without diagnostics', (name) => {
    expect(parse(read(`${name}.in`)).diagnostics).toEqual([]);
  });

  // Ours, not upstream's: formatting the expected output changes nothing, apart from `alloy fmt`'s single
  // final newline.
  it.each(pairs)('%s.expect is a fixed point', (name) => {
    const expected = read(`${name}.expect`);
    expect(formatSource(expected)).toBe(`${expected.trimEnd()}\n`);
  });

  it.each(errors)('%s.in fails with the text of %s.error', (name) => {
    const text = read(`${name}.error`).trimEnd();
    expect(() => formatSource(read(`${name}.in`), `${name}.in`)).toThrow(AlloySyntaxError);
    expect(() => formatSource(read(`${name}.in`), `${name}.in`)).toThrow(text);
  });
});
