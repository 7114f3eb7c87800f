/**
 * Any byte sequence gives a result or a clean error: parse and lint never throw, formatSource throws nothing
 * but AlloySyntaxError, every diagnostic is well-formed, and nothing hangs (a hang would trip Jest's timeout).
 * Inputs are random bytes and random mutations (deletions, insertions, swaps) of real configurations.
 *
 * The runs are bounded twice: by numRuns, and by a time budget checked inside the property, after which the
 * remaining runs return at once; the budget keeps the suite's duration predictable, it asserts nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { AlloySyntaxError, type Diagnostic, formatSource, lintSources, parse } from '../../alloy-lint';
import { HAVE_SHARED, SHARED_ALLOY } from './shared-fixtures';

const BUDGET_MS = 12_000;
const SEVERITIES = new Set(['error', 'warning', 'info']);

/** Why a diagnostic is malformed, or undefined. Plain checks: thousands of expect() calls per run are slow. */
function malformed(d: Diagnostic, positioned: boolean): string | undefined {
  const lowest = positioned ? 1 : 0; // only the formatter's whole-file refusal has line 0
  if (!SEVERITIES.has(d.severity)) return `severity ${d.severity}`;
  if (d.file !== 'fuzz.alloy') return `file ${d.file}`;
  if (!Number.isInteger(d.line) || d.line < lowest || !Number.isInteger(d.column) || d.column < lowest) {
    return `position ${d.line}:${d.column}`;
  }
  if (typeof d.message !== 'string' || d.message === '') return 'empty message';
  return undefined;
}

/** The whole toolkit on one input: returns normally, or the test fails with the input fast-check shrank to. */
function exercise(input: string | Uint8Array): void {
  const problems: (string | undefined)[] = [];
  const parsed = parse(input, 'fuzz.alloy');
  problems.push(...parsed.diagnostics.map((d) => malformed(d, true)));
  const linted = lintSources([{ file: 'fuzz.alloy', text: input }], { providedEnv: ['A'] });
  problems.push(...linted.diagnostics.map((d) => malformed(d, true)));
  try {
    const formatted = formatSource(input, 'fuzz.alloy');
    if (parsed.diagnostics.length > 0) problems.push('formatted although it does not parse');
    if (parse(formatted).diagnostics.length > 0) problems.push('formatted output does not parse');
  } catch (e) {
    if (!(e instanceof AlloySyntaxError)) throw e;
    if (e.diagnostics.length === 0) problems.push('AlloySyntaxError without diagnostics');
    problems.push(...e.diagnostics.map((d) => malformed(d, false)));
  }
  expect(problems.filter((p) => p !== undefined)).toEqual([]);
}

/** Real configurations to mutate: the upstream fixtures when present, and the project's own assets. */
function corpus(): string[] {
  const dirs = [resolve(__dirname, '../../assets/alloy'), resolve(__dirname, '../../assets/alloy_legacy')];
  if (HAVE_SHARED)
    dirs.push(join(SHARED_ALLOY, 'syntax/valid'), join(SHARED_ALLOY, 'syntax/invalid'), join(SHARED_ALLOY, 'fmt'));
  const texts: string[] = [];
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue; // an asset folder not written yet
    }
    for (const n of names) if (/\.(alloy|in|expect)$/.test(n)) texts.push(readFileSync(join(dir, n), 'utf8'));
  }
  texts.push('logging {\n\tlevel = "info"\n}\n', 'x = [1, {a = `raw`}, f(1, 2)]\n');
  return texts;
}

/** Fragments that matter to the lexer and parser, so that insertions hit interesting states. */
const FRAGMENTS = [
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  '"',
  '`',
  '\\',
  '/*',
  '*/',
  '//',
  '\n',
  '\r',
  '=',
  '==',
  '.',
  ',',
  '!',
  '-',
  '^',
  '||',
  '&',
  'a',
  'true',
  '1',
  '1e',
  '.5',
  'é',
  '\uFEFF',
  '\0',
  ' ',
  '\t',
  'sys.env("X")',
  'declare "d" {',
  'argument',
  'otelcol.exporter.otlp.x.input',
];

type Mutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'swap'; a: number; b: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')),
  }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);

function mutate(text: string, m: Mutation): string {
  const at = (n: number) => n % (text.length + 1);
  switch (m.kind) {
    case 'delete':
      return text.slice(0, at(m.at)) + text.slice(at(m.at) + m.length);
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    case 'swap': {
      const [x, y] = [at(m.a), at(m.b)].sort((p, q) => p - q);
      if (x + m.length > y) return text;
      return (
        text.slice(0, x) +
        text.slice(y, y + m.length) +
        text.slice(x + m.length, y) +
        text.slice(x, x + m.length) +
        text.slice(y + m.length)
      );
    }
  }
}

/** Wraps a property so that runs after the time budget return at once. */
function withinBudget<T extends unknown[]>(check: (...args: T) => void): (...args: T) => void {
  const deadline = performance.now() + BUDGET_MS;
  return (...args: T) => {
    if (performance.now() > deadline) return;
    check(...args);
  };
}

describe('robustness', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), withinBudget(exercise)), { numRuns: 4000 });
  });

  it('random sequences of syntax fragments', () => {
    const soup = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 80 }).map((parts) => parts.join(''));
    fc.assert(fc.property(soup, withinBudget(exercise)), { numRuns: 4000 });
  });

  it('random mutations of real configurations', () => {
    const texts = corpus();
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        withinBudget((text: string, mutations: Mutation[]) => exercise(mutations.reduce(mutate, text))),
      ),
      { numRuns: 4000 },
    );
  });

  it('pathological shapes: deep nesting, long chains, huge tokens, unterminated everything', () => {
    const cases = [
      '['.repeat(50_000),
      `${'a {'.repeat(2_000)}${'}'.repeat(2_000)}`,
      `x = ${'-'.repeat(20_000)}1`,
      `x = a${'.b'.repeat(20_000)}`,
      `x = ${'f('.repeat(5_000)}`,
      `x = "${'\\'.repeat(10_001)}`,
      `/*${'*'.repeat(100_000)}`,
      `x = \`${'\n'.repeat(10_000)}`,
      `${'// c\n'.repeat(10_000)}`,
      'a'.repeat(200_000),
    ];
    for (const c of cases) exercise(c);
  });
});
