/**
 * The real `alloy validate` as the linter's judge (test/alloy-lint/validate-oracle.test.ts): a case is a folder of
 * `.alloy` files judged with one `--stability.level`; both programs give a verdict (valid or not, and the errors with
 * their file and line), and the test compares them. Also the seeded mutations of the project's own pipelines: each
 * changes one thing in one file, found from the file's AST, in source order, so the same pipelines give the same
 * mutations.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lintSources, parse, type StabilityLevel } from '../../alloy-lint';
import { type BlockStmt, type Expr, endPos, type Stmt, startPos } from '../../alloy-lint/syntax/ast';

/** One file of a case: its name in the folder and its bytes. */
export interface CaseFile {
  readonly name: string;
  readonly text: string;
}

/** A configuration both programs judge: the folder's files, and the stability level the deploy would pass. */
export interface OracleCase {
  /** Stable across runs: the disagreement list is keyed by it. */
  readonly id: string;
  readonly files: readonly CaseFile[];
  readonly stability: StabilityLevel;
}

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A program's judgement of a case: valid or not, and its errors (in the program's own order). */
export interface Verdict {
  readonly valid: boolean;
  readonly errors: readonly Finding[];
}

/** `alloy validate`'s error lines: `Error: <path>:<line>:<col>: <message>` (syntax/diag's printer). */
const ERROR_LINE = /^Error: (.+?):(\d+):(\d+): (.*)$/;

/**
 * The real `alloy validate --stability.level=L <folder>` of a case, in a fresh folder of its own (removed after),
 * without network. Exit 0 is valid, 1 invalid (its diagnostics parsed from stderr); anything else is an error of the
 * run itself (a crash, a flag refused), thrown.
 */
export function alloyValidate(binary: string, c: OracleCase): Promise<Verdict> {
  const dir = mkdtempSync(join(tmpdir(), 'alloy-oracle-'));
  for (const f of c.files) writeFileSync(join(dir, f.name), f.text);
  return new Promise<Verdict>((resolve, reject) => {
    const child = spawn(binary, ['validate', `--stability.level=${c.stability}`, dir], {
      // NO_COLOR: the printer colours only a terminal, but a CI's may be one; plain lines are what is parsed.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) return resolve({ valid: true, errors: [] });
      if (code !== 1) {
        return reject(new Error(`${c.id}: alloy validate exited ${code ?? signal}: ${stderr.trim().slice(0, 500)}`));
      }
      const errors: Finding[] = [];
      for (const line of stderr.split('\n')) {
        const m = ERROR_LINE.exec(line);
        if (m === null) continue;
        const file = m[1].startsWith(`${dir}/`) ? m[1].slice(dir.length + 1) : m[1];
        errors.push({ file, line: Number(m[2]), column: Number(m[3]), message: m[4] });
      }
      // "validation failed: <error>" without a position (a file that cannot be read, say): still a verdict.
      if (errors.length === 0) errors.push({ file: '', line: 0, column: 0, message: stderr.trim() });
      resolve({ valid: false, errors });
    });
  });
}

/** alloy-lint's verdict on a case, judged as `release` with the case's stability level (what the CLI does). */
export function alloyLint(release: string, c: OracleCase): Verdict {
  const { diagnostics } = lintSources(
    c.files.map((f) => ({ file: f.name, text: f.text })),
    { alloyVersion: release, stabilityLevel: c.stability },
  );
  const errors = diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({ file: d.file, line: d.line, column: d.column, message: d.message }));
  return { valid: errors.length === 0, errors };
}

/** Runs `work` over `items` with at most `limit` at once, results in the items' order. */
export async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The kinds of mistake seeded into the project's pipelines, one site each. */
export const MUTATION_KINDS = [
  'misspelt-attribute',
  'block-moved',
  'attribute-dropped',
  'wrong-literal-kind',
  'unknown-component',
  'missing-export',
  'missing-component',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface Mutation {
  readonly kind: MutationKind;
  /** `file#kind@component.label[:detail]`: stable while the pipeline's text stays. */
  readonly id: string;
  /** The mutated text of the file. */
  readonly text: string;
}

interface Edit {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly insert: string;
}

function applyEdits(bytes: Buffer, edits: readonly Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = bytes;
  for (const e of sorted) out = Buffer.concat([out.subarray(0, e.start), Buffer.from(e.insert), out.subarray(e.end)]);
  return out.toString('utf8');
}

const blocksOf = (body: readonly Stmt[]) => body.filter((s): s is BlockStmt => s.kind === 'block');
const attributesOf = (body: readonly Stmt[]) =>
  body.filter((s): s is Extract<Stmt, { kind: 'attribute' }> => s.kind === 'attribute');

/** Start of a statement's line (its indentation included) and the byte after its line's end. */
function lineSpan(bytes: Buffer, start: number, end: number): { start: number; end: number } {
  let s = start;
  while (s > 0 && bytes[s - 1] !== 0x0a) s--;
  let e = end + 1;
  while (e < bytes.length && bytes[e] !== 0x0a) e++;
  return { start: s, end: Math.min(e + 1, bytes.length) };
}

/** Whether a statement has its lines to itself (nothing but blanks before it and after it on them). */
function aloneOnLines(bytes: Buffer, start: number, end: number): boolean {
  const span = lineSpan(bytes, start, end);
  const before = bytes.subarray(span.start, start).toString('utf8');
  const after = bytes.subarray(end + 1, span.end).toString('utf8');
  return before.trim() === '' && after.trim() === '';
}

/** The first literal attribute value in a block, depth first, with its attribute's path. */
function firstLiteral(block: BlockStmt, path: string): { expr: Expr; where: string } | undefined {
  for (const s of block.body) {
    if (s.kind === 'attribute' && (s.value.kind === 'literal' || s.value.kind === 'array')) {
      return { expr: s.value, where: `${path}${s.name}` };
    }
    if (s.kind === 'block') {
      const inner = firstLiteral(s, `${path}${s.name.join('.')}>`);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** A literal of another kind than `e`: what a mistyped value looks like. */
function otherKind(e: Expr): string {
  if (e.kind === 'array') return '"not-a-list"';
  if (e.kind !== 'literal') return 'true';
  if (e.value.startsWith('"') || e.value.startsWith('`')) return '["not", "a", "string"]';
  if (e.value === 'true' || e.value === 'false') return '"not-a-bool"';
  if (e.value === 'null') return '"x"';
  return '"not-a-number"';
}

/** Access chains `a.b.c` in an expression (the reference expressions a pipeline forwards through). */
function accessChains(e: Expr, out: Extract<Expr, { kind: 'access' }>[]): void {
  switch (e.kind) {
    case 'access':
      out.push(e);
      return; // the outermost chain only
    case 'array':
      for (const x of e.elements) accessChains(x, out);
      return;
    case 'object':
      for (const f of e.fields) accessChains(f.value, out);
      return;
    case 'call':
      for (const x of e.args) accessChains(x, out);
      return;
    case 'index':
      accessChains(e.value, out);
      accessChains(e.index, out);
      return;
    case 'binary':
      accessChains(e.left, out);
      accessChains(e.right, out);
      return;
    case 'unary':
      accessChains(e.value, out);
      return;
    case 'paren':
      accessChains(e.inner, out);
      return;
    default:
  }
}

function chainsOf(block: BlockStmt): Extract<Expr, { kind: 'access' }>[] {
  const out: Extract<Expr, { kind: 'access' }>[] = [];
  for (const s of block.body) {
    if (s.kind === 'attribute') accessChains(s.value, out);
    else out.push(...chainsOf(s));
  }
  return out;
}

function chainNames(e: Expr): string[] | undefined {
  if (e.kind === 'ident') return [e.name];
  if (e.kind !== 'access') return undefined;
  const inner = chainNames(e.value);
  return inner === undefined ? undefined : [...inner, e.name];
}

/**
 * The seeded mutations of one pipeline file: for each top-level component (a labelled block of a dotted name),
 * at most one of each kind, at the first site in source order:
 * - misspelt-attribute: its first attribute's name with the last letter doubled;
 * - block-moved: its first block that holds a block, that inner block moved up beside its parent (`grpc > tls`
 *   to `tls`); else its first block moved out to the top level of the file;
 * - attribute-dropped: its first attribute removed (required or not: the judges say which);
 * - wrong-literal-kind: its first literal value (depth first) replaced by one of another kind;
 * - unknown-component: its name's last part with the last letter doubled;
 * - missing-export: the first reference `<component>.<label>.<export>` it holds, with the export misspelt;
 * - missing-component: the same reference with the label misspelt.
 * `declared` names the components of the whole configuration (`name.label`), so a reference is told from stdlib.
 */
export function mutationsOf(fileName: string, text: string, declared: ReadonlySet<string>): Mutation[] {
  const bytes = Buffer.from(text);
  const { ast, diagnostics } = parse(bytes, fileName);
  if (diagnostics.length > 0) throw new Error(`${fileName}: ${diagnostics[0].message}`);
  const out: Mutation[] = [];
  const add = (kind: MutationKind, where: string, edits: Edit[]) =>
    out.push({ kind, id: `${fileName}#${kind}@${where}`, text: applyEdits(bytes, edits) });
  for (const c of blocksOf(ast.body)) {
    if (c.name.length < 2 || c.label === '') continue;
    const at = `${c.name.join('.')}.${c.label}`;
    const attrs = attributesOf(c.body);
    if (attrs.length > 0) {
      const a = attrs[0];
      const alone = aloneOnLines(bytes, a.namePos, endPos(a.value));
      add('misspelt-attribute', `${at}:${a.name}`, [
        { start: a.namePos, end: a.namePos + Buffer.byteLength(a.name), insert: `${a.name}${a.name.slice(-1)}` },
      ]);
      const span = lineSpan(bytes, a.namePos, endPos(a.value));
      if (alone) add('attribute-dropped', `${at}:${a.name}`, [{ start: span.start, end: span.end, insert: '' }]);
    }
    const alone = (b: BlockStmt) => aloneOnLines(bytes, b.namePos, b.rCurly);
    const parent = blocksOf(c.body).find((b) => blocksOf(b.body).some(alone));
    if (parent !== undefined) {
      const inner = blocksOf(parent.body).filter(alone)[0];
      const span = lineSpan(bytes, inner.namePos, inner.rCurly);
      const moved = bytes.subarray(span.start, span.end).toString('utf8');
      add('block-moved', `${at}:${parent.name.join('.')}>${inner.name.join('.')}`, [
        { start: span.start, end: span.end, insert: '' },
        { start: c.rCurly, end: c.rCurly, insert: moved },
      ]);
    } else {
      const first = blocksOf(c.body).filter(alone)[0];
      if (first !== undefined) {
        const span = lineSpan(bytes, first.namePos, first.rCurly);
        const moved = bytes.subarray(span.start, span.end).toString('utf8');
        add('block-moved', `${at}:${first.name.join('.')}>top`, [
          { start: span.start, end: span.end, insert: '' },
          { start: bytes.length, end: bytes.length, insert: `\n${moved}` },
        ]);
      }
    }
    const literal = firstLiteral(c, '');
    if (literal !== undefined) {
      add('wrong-literal-kind', `${at}:${literal.where}`, [
        { start: startPos(literal.expr), end: endPos(literal.expr) + 1, insert: otherKind(literal.expr) },
      ]);
    }
    const last = c.name[c.name.length - 1];
    const lastPos = c.namePos + Buffer.byteLength(c.name.join('.')) - Buffer.byteLength(last);
    add('unknown-component', at, [
      { start: lastPos, end: lastPos + Buffer.byteLength(last), insert: `${last}${last.slice(-1)}` },
    ]);
    const reference = chainsOf(c)
      .map((e) => ({ e, names: chainNames(e) }))
      .find(({ names }) => names !== undefined && names.length >= 3 && declared.has(names.slice(0, -1).join('.')));
    if (reference !== undefined) {
      const { e, names } = reference as { e: Extract<Expr, { kind: 'access' }>; names: string[] };
      const ref = names.join('.');
      add('missing-export', `${at}:${ref}`, [
        { start: e.namePos, end: e.namePos + Buffer.byteLength(e.name), insert: `${e.name}${e.name.slice(-1)}` },
      ]);
      const labelAccess = e.value as Extract<Expr, { kind: 'access' }>;
      add('missing-component', `${at}:${ref}`, [
        {
          start: labelAccess.namePos,
          end: labelAccess.namePos + Buffer.byteLength(labelAccess.name),
          insert: `${labelAccess.name}_gone`,
        },
      ]);
    }
  }
  return out;
}

/** `name.label` of every labelled top-level block of the files: what a reference may name. */
export function declaredComponents(files: readonly CaseFile[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    const { ast } = parse(f.text, f.name);
    for (const b of blocksOf(ast.body)) if (b.label !== '') names.add(`${b.name.join('.')}.${b.label}`);
  }
  return names;
}
