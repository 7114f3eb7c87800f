/**
 * Hostile sizes and shapes (issue #17 §3): parser, linter and printer take small files built to hurt them — one block
 * name of thousands of dotted parts, hundreds of thousands of syntax errors, one very long attribute name that every
 * aligned line is padded to, deep nesting — and answer with diagnostics, never a crash. Syntax errors and lint
 * diagnostics are capped per file with one line counting those left out. Each case runs in a fraction of a second
 * when linear; the Jest timeout (generous) only catches a hang. The figures (time against size) are the
 * benchmark's: `npm run bench alloy-lint`.
 */
import fc from 'fast-check';
import {
  AlloySyntaxError,
  type Diagnostic,
  formatDiagnostic,
  formatSource,
  lintSources,
  parse,
} from '../../alloy-lint';
import { run } from '../../alloy-lint/cli/cli';
import { MAX_DIAGNOSTICS_PER_FILE } from '../../alloy-lint/syntax/diagnostics';
import { HOSTILE } from '../support/hostile-alloy';
import { removeTempConfigs, tempConfig } from './temp-config';

afterEach(removeTempConfigs);

const HANG = 60_000; // far above the second or so each case takes; only a quadratic blow-up or a loop reaches it

/** Diagnostics per file and the counted summary: at most the cap, plus one line for the rest. */
function expectCapped(diagnostics: readonly Diagnostic[], file: string, leftOut?: number): void {
  const mine = diagnostics.filter((d) => d.file === file);
  const summary = mine.filter((d) => d.message.startsWith('too many problems:'));
  expect(mine.length - summary.length).toBeLessThanOrEqual(MAX_DIAGNOSTICS_PER_FILE);
  if (leftOut !== undefined) {
    expect(summary.map((d) => d.message)).toEqual([
      expect.stringContaining(`too many problems: ${leftOut} more left out`),
    ]);
  }
}

describe('no crash, no hang, capped diagnostics', () => {
  it(
    'a block name of 4,500 dotted parts (13 KB): one error naming the component, no stack overflow',
    () => {
      const text = HOSTILE.dottedName(4_500);
      expect(text.length).toBeLessThan(14_000);
      const linted = lintSources([{ file: 'dotted.alloy', text }], { alloyVersion: 'v1.10.1' });
      expect(linted.diagnostics).toEqual([
        expect.objectContaining({ file: 'dotted.alloy', line: 1, column: 1, severity: 'error' }),
      ]);
      expect(linted.diagnostics[0].message).toMatch(/^unknown component a0\.a1\.a2\..* in Alloy v1\.10\.0/);
      // As a warning when no release is named, the component being possibly newer: the dead-end walk then runs too.
      expect(lintSources([{ file: 'dotted.alloy', text }]).diagnostics).toHaveLength(1);
      expect(formatSource(text, 'dotted.alloy')).toBe(text);
    },
    HANG,
  );

  it(
    '150,000 unknown escapes (300 KB): the first 100 errors and one line counting the rest',
    () => {
      const text = HOSTILE.badEscapes(150_000);
      const parsed = parse(text, 'q.alloy');
      expect(parsed.diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_FILE + 1);
      expectCapped(parsed.diagnostics, 'q.alloy', 150_000 - MAX_DIAGNOSTICS_PER_FILE);
      const linted = lintSources([{ file: 'q.alloy', text }]);
      expect(linted.diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_FILE + 1);
      expectCapped(linted.diagnostics, 'q.alloy', 150_000 - MAX_DIAGNOSTICS_PER_FILE);
      expect(linted.diagnostics[0]).toMatchObject({ line: 1, column: 7, message: 'unknown escape sequence' });
      expect(() => formatSource(text, 'q.alloy')).toThrow(AlloySyntaxError);
    },
    HANG,
  );

  it(
    '4 MB of random bytes: capped syntax errors, each well-formed',
    () => {
      const bytes = HOSTILE.randomBytes(4_000_000, 17);
      const linted = lintSources([{ file: 'random.alloy', text: bytes }]);
      expect(linted.diagnostics.length).toBeLessThanOrEqual(MAX_DIAGNOSTICS_PER_FILE + 1);
      expectCapped(linted.diagnostics, 'random.alloy');
      expect(linted.diagnostics.at(-1)?.message).toMatch(/^too many problems: \d+ more left out/);
    },
    HANG,
  );

  it(
    '200,000 undeclared references: the lint diagnostics are capped per file too',
    () => {
      const text = `x = [${'a,'.repeat(200_000)}]\n`;
      const linted = lintSources([{ file: 'refs.alloy', text }]);
      // One more: an attribute outside any block, which Alloy refuses.
      expectCapped(linted.diagnostics, 'refs.alloy', 200_001 - MAX_DIAGNOSTICS_PER_FILE);
      expect(linted.diagnostics[0].message).toMatch(/^unrecognized attribute x/);
      expect(linted.diagnostics[1].message).toMatch(/^unknown identifier a in a/);
    },
    HANG,
  );

  it(
    // Issue #17 saw 15 s for 4,000 × 400 (the trimmer's regex retried each run of blanks from each blank); this is
    // 4 times the work: minutes when quadratic, well under a second when linear.
    'formatting an 8,000-character attribute name above 400 attributes (16 KB) pads every line to it',
    () => {
      const text = HOSTILE.longAttribute(8_000, 400);
      const formatted = formatSource(text, 'wide.alloy');
      const lines = formatted.split('\n');
      // Upstream aligns the `=` of the whole block: each attribute line is as wide as the long one.
      expect(lines[2]).toBe(`\ta0${' '.repeat(7_999)}= 0`);
      expect(lines.every((l) => !/[ \t]$/.test(l))).toBe(true);
      expect(parse(formatted).diagnostics).toEqual([]);
    },
    HANG,
  );

  it(
    'blocks nested to the limit (500 levels, the attributes inside counted), and one more: a diagnostic, no crash',
    () => {
      const deep = HOSTILE.nestedBlocks(498, 2);
      expect(parse(deep, 'deep.alloy').diagnostics).toEqual([]);
      expect(formatSource(deep, 'deep.alloy')).toBe(deep);
      const tooDeep = HOSTILE.nestedBlocks(499, 2);
      const linted = lintSources([{ file: 'deep.alloy', text: tooDeep }]);
      expect(linted.diagnostics.map((d) => d.message)).toEqual(['nesting too deep (more than 500 levels)']);
      expect(() => formatSource(tooDeep, 'deep.alloy')).toThrow(/nesting too deep/);
    },
    HANG,
  );

  it(
    'random hostile shapes at random sizes: every diagnostic is one line naming the file',
    () => {
      const shape = fc.oneof(
        fc.integer({ min: 1, max: 6_000 }).map(HOSTILE.dottedName),
        fc.integer({ min: 1, max: 60_000 }).map(HOSTILE.badEscapes),
        fc
          .tuple(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 300 }))
          .map(([w, n]) => HOSTILE.longAttribute(w, n)),
        fc
          .tuple(fc.integer({ min: 1, max: 520 }), fc.integer({ min: 1, max: 5 }))
          .map(([d, n]) => HOSTILE.nestedBlocks(d, n)),
      );
      fc.assert(
        fc.property(shape, (text) => {
          const lines = lintSources([{ file: 'h.alloy', text }]).diagnostics.map(formatDiagnostic);
          try {
            formatSource(text, 'h.alloy');
          } catch (e) {
            if (!(e instanceof AlloySyntaxError)) throw e;
            lines.push(...e.diagnostics.map(formatDiagnostic));
          }
          for (const line of lines) expect(line).toMatch(/^h\.alloy(:\d+:\d+)?: (error|warning|info): [^\n]+$/);
          expect(lines.length).toBeLessThanOrEqual(2 * (MAX_DIAGNOSTICS_PER_FILE + 1));
        }),
        { numRuns: 40 },
      );
    },
    HANG,
  );
});

it('a failure of the toolkit itself (here: a source that is not text) is one line naming the file', () => {
  const bogus = { file: 'odd.alloy', text: 42 as unknown as string };
  expect(lintSources([bogus, { file: 'ok.alloy', text: 'x = 1\n' }]).diagnostics.map(formatDiagnostic)).toEqual([
    'odd.alloy: error: alloy-lint could not check this file (internal error TypeError): please report it with the file',
  ]);
});

describe('the alloy-lint CLI on hostile files', () => {
  it('lint and --fmt --check: one line per problem, each naming the file, no stack trace', () => {
    const dir = tempConfig({ 'dotted.alloy': HOSTILE.dottedName(4_500), 'q.alloy': HOSTILE.badEscapes(150_000) });
    for (const args of [[dir], ['--fmt', '--check', dir]]) {
      let out = '';
      let err = '';
      const code = run(args, { out: (t) => (out += t), err: (t) => (err += t) });
      expect(code).toBe(1);
      expect(err).not.toMatch(/Maximum call stack|\n\s+at /);
      const lines = out.trimEnd().split('\n');
      expect(lines.length).toBeLessThanOrEqual(MAX_DIAGNOSTICS_PER_FILE + 2);
      for (const line of lines) expect(line).toMatch(new RegExp(`^${dir}/(dotted|q)\\.alloy[:]`));
      expect(out).toContain(`${dir}/q.alloy: error: too many problems: `);
    }
  });
});
