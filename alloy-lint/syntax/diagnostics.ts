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
