/** Diagnostics: one problem at a place in a file, printed as `file:line:col: severity: message`. */
import type { LineIndex } from './lexer';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  file: string;
  /** 1-based; 0 when the problem concerns a whole folder or file rather than a place in it. */
  line: number;
  /** 1-based, counted in bytes like upstream's; 0 together with line 0. */
  column: number;
  severity: Severity;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${d.severity}: ${d.message}`;
}

export function diagnosticAt(
  file: string,
  lines: LineIndex,
  offset: number,
  severity: Severity,
  message: string,
): Diagnostic {
  return { file, line: lines.line(offset), column: lines.column(offset), severity, message };
}

/**
 * At most this many diagnostics are kept per file, like compilers that stop at "too many errors" (Go's at 10):
 * 4 MB of random bytes hold a syntax error every few bytes, and nobody reads past the first screenful.
 */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

/** The one line that stands for the diagnostics of a file left out beyond MAX_DIAGNOSTICS_PER_FILE. */
export function omittedDiagnostic(file: string, omitted: number): Diagnostic {
  return {
    file,
    line: 0,
    column: 0,
    severity: 'error',
    message: `too many problems: ${omitted} more left out (only the first ${MAX_DIAGNOSTICS_PER_FILE} of a file are shown)`,
  };
}

/**
 * Keeps the first MAX_DIAGNOSTICS_PER_FILE diagnostics of each file (in the order given: sort first) and puts one
 * omittedDiagnostic per file for the rest, counting also those left out before (`omittedBefore`, by file).
 */
export function capPerFile(
  diagnostics: readonly Diagnostic[],
  omittedBefore: ReadonlyMap<string, number> = new Map(),
): Diagnostic[] {
  const kept: Diagnostic[] = [];
  const shown = new Map<string, number>();
  const omitted = new Map(omittedBefore);
  for (const d of diagnostics) {
    const n = shown.get(d.file) ?? 0;
    if (n < MAX_DIAGNOSTICS_PER_FILE) {
      kept.push(d);
      shown.set(d.file, n + 1);
    } else omitted.set(d.file, (omitted.get(d.file) ?? 0) + 1);
  }
  for (const [file, n] of omitted) if (n > 0) kept.push(omittedDiagnostic(file, n));
  return kept;
}

/**
 * A failure of the toolkit itself (a defect: parser, linter and printer take any input, see
 * test/alloy-lint/size.test.ts) as one line naming the file, so that lint, synth and deploy still say where, with
 * no stack trace. `doing`: what could not be done ("check", "format").
 */
export function internalError(file: string, doing: string, e: unknown): Diagnostic {
  // By its name, not instanceof: an error from another realm (a vm context, a worker) is still an Error.
  const name = (e as { name?: unknown } | null)?.name;
  const what = typeof name === 'string' ? name : typeof e;
  return {
    file,
    line: 0,
    column: 0,
    severity: 'error',
    message: `alloy-lint could not ${doing} this file (internal error ${what}): please report it with the file`,
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Thrown by formatSource when the input does not parse; carries every syntax error. */
export class AlloySyntaxError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'AlloySyntaxError';
  }
}

/** Orders diagnostics by file, then position; stable for equal positions. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) =>
    a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column,
  );
}
