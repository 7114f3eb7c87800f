/**
 * Linting a folder of `.alloy` files as one configuration. Apart from index.ts so that callers that only lint
 * (legacy-deploy, on every deploy) do not load the formatter.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentChecker } from '../lint/arguments';
import { BlockNames, FactsBuilder, type ScopeFacts } from '../lint/facts';
import { type LintOptions, type LintResult, lintFacts } from '../lint/linter';
import { defaultRegistry } from '../registry/registry';
import { type Diagnostic, hasErrors, sortDiagnostics } from '../syntax/diagnostics';
import { LineIndex, Source } from '../syntax/lexer';
import { parseStatements } from '../syntax/parser';

export type { LintOptions, LintResult };

export interface SourceFile {
  /** Name used in diagnostics. */
  file: string;
  text: string | Uint8Array;
}

/**
 * Lints files as one configuration. Syntax errors are reported for every file; the semantic checks run
 * only when all files parse, since a half-parsed file would cause misleading follow-on errors (a component
 * lost to a syntax error would show up as "not declared"). Each file's AST is reduced to the facts the
 * checks need (facts.ts) statement by statement, and each statement's AST is dropped at once.
 */
export function lintSources(sources: readonly SourceFile[], options: LintOptions = {}): LintResult {
  const facts: ScopeFacts[] = [];
  const names = new BlockNames();
  const registry = defaultRegistry();
  const checker = new ArgumentChecker(registry.release(options.alloyVersion), options.clustering === true);
  const diagnostics: Diagnostic[] = [];
  for (const s of sources) {
    const source = new Source(s.text);
    const builder = new FactsBuilder({ name: s.file, lines: new LineIndex(source.bytes) }, names, checker);
    const parsed = parseStatements(source, s.file, (stmt) => builder.add(stmt));
    diagnostics.push(...parsed.diagnostics);
    facts.push(builder.facts);
  }
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics), envVars: [], components: [] };
  const result = lintFacts(facts, registry, options);
  return { ...result, diagnostics: sortDiagnostics(result.diagnostics) };
}

/** The `*.alloy` files of a folder (not recursive, sorted), or a diagnostic saying why there are none. */
export function alloyFilesOf(dir: string): { files: string[]; problem?: Diagnostic } {
  const problem = (message: string) => ({
    files: [],
    problem: { file: dir, line: 0, column: 0, severity: 'error' as const, message },
  });
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) return problem('not a folder');
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return problem(code === 'ENOENT' ? 'folder does not exist' : `cannot read folder (${code ?? String(e)})`);
  }
  const files = names
    .filter((n) => n.endsWith('.alloy'))
    .sort()
    .map((n) => join(dir, n))
    .filter(isFileOrUnreadable);
  if (files.length === 0) return problem('no .alloy files in this folder: Alloy would load an empty configuration');
  return { files };
}

/** Folders named *.alloy are not configuration files; anything that cannot even be stat'ed is reported on reading. */
function isFileOrUnreadable(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return true;
  }
}

/**
 * Lints all `*.alloy` files of a folder as one configuration, the way Alloy loads a folder. A missing or empty
 * folder is an error diagnostic.
 */
export function lintDirectory(dir: string, options: LintOptions = {}): LintResult {
  const { files, problem } = alloyFilesOf(dir);
  if (problem) return { diagnostics: [problem], envVars: [], components: [] };
  const sources: SourceFile[] = [];
  const unreadable: Diagnostic[] = [];
  for (const file of files) {
    try {
      sources.push({ file, text: readFileSync(file) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      unreadable.push({ file, line: 0, column: 0, severity: 'error', message: `cannot read (${code})` });
    }
  }
  if (unreadable.length > 0) return { diagnostics: unreadable, envVars: [], components: [] };
  return lintSources(sources, options);
}
