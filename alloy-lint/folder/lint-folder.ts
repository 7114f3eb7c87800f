/**
 * Linting a folder of `.alloy` files as one configuration. Apart from index.ts so that callers that only lint
 * (legacy-deploy, on every deploy) do not load the formatter.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentChecker } from '../lint/arguments';
import { BlockNames, FactsBuilder, type ScopeFacts } from '../lint/facts';
import { judgedBy, type LintOptions, type LintResult, lintFacts } from '../lint/linter';
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
  const release = registry.release(options.alloyVersion);
  const checker = new ArgumentChecker(release, options.clustering === true);
  const diagnostics: Diagnostic[] = [];
  for (const s of sources) {
    const source = new Source(s.text);
    const builder = new FactsBuilder({ name: s.file, lines: new LineIndex(source.bytes) }, names, checker);
    const parsed = parseStatements(source, s.file, (stmt) => builder.add(stmt));
    diagnostics.push(...parsed.diagnostics);
    facts.push(builder.facts);
  }
  if (hasErrors(diagnostics))
    return { diagnostics: sortDiagnostics(diagnostics), envVars: [], components: [], judgedBy: judgedBy(release) };
  const result = lintFacts(facts, registry, options);
  return { ...result, diagnostics: sortDiagnostics(result.diagnostics) };
}

/** One file of a pipeline folder, read once: what is linted is byte for byte what is synthesized or deployed. */
export interface PipelineFile {
  /** The file's name in the folder. */
  readonly name: string;
  /** `dir/name`, for messages. */
  readonly path: string;
  readonly content: Buffer;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A name as it can be printed: invalid UTF-8 bytes as \xNN. */
function printableName(raw: Buffer): string {
  return [...raw].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16)}`)).join('');
}

/**
 * THE answer to "which files does this pipeline folder hold", for lint, synth and deploy alike. Alloy loads every
 * `*.alloy` file directly in the folder, hidden ones (`.name.alloy`) too, and no sub-folder; the other regular
 * files beside them are shipped by the deploy (lint and synth use only the `.alloy` ones); hidden files that are
 * not `.alloy` (`.gitkeep`, editor swap files) are not part of it. Refused, with one line naming the path:
 * symbolic links (dangling or not: a link could pull any file of this machine into the config), sub-folders and
 * other non-regular files, names that are not UTF-8 or hold control characters, and a folder without `.alloy` file.
 * Each file is opened without following links and checked on the open descriptor, so a swap in between is caught.
 */
export function pipelineFilesOf(dir: string): { files: PipelineFile[]; problem?: Diagnostic } {
  const problem = (file: string, message: string) => ({
    files: [],
    problem: { file, line: 0, column: 0, severity: 'error' as const, message },
  });
  let entries: Buffer[];
  try {
    if (!statSync(dir).isDirectory()) return problem(dir, 'not a folder');
    entries = readdirSync(dir, { encoding: 'buffer' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return problem(dir, code === 'ENOENT' ? 'folder does not exist' : `cannot read folder (${code ?? String(e)})`);
  }
  const files: PipelineFile[] = [];
  for (const raw of entries.sort(Buffer.compare)) {
    let name: string;
    try {
      name = utf8.decode(raw);
    } catch {
      return problem(join(dir, printableName(raw)), 'file name is not valid UTF-8: rename it');
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here
    if (/[\u0000-\u001f\u007f]/.test(name)) {
      return problem(join(dir, printableName(raw)), 'file name holds a control character: rename it');
    }
    if (name.startsWith('.') && !name.endsWith('.alloy')) continue;
    const path = join(dir, name);
    let kind: string;
    try {
      const st = lstatSync(path);
      kind = st.isSymbolicLink() ? 'link' : st.isFile() ? 'file' : st.isDirectory() ? 'folder' : 'special';
    } catch (e) {
      return problem(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    if (kind === 'link') return problem(path, 'is a symbolic link: refused (copy the file into the folder instead)');
    if (kind === 'folder')
      return problem(path, 'is a folder: a pipeline folder holds only files (Alloy loads no sub-folder)');
    if (kind !== 'file') return problem(path, 'is not a regular file: refused');
    let fd: number | undefined;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      if (!fstatSync(fd).isFile()) return problem(path, 'is not a regular file: refused');
      files.push({ name, path, content: readFileSync(fd) });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') return problem(path, 'is a symbolic link: refused (copy the file into the folder instead)');
      return problem(path, `cannot read (${code ?? String(e)})`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  if (!files.some((f) => f.name.endsWith('.alloy'))) {
    return problem(dir, 'no .alloy files in this folder: Alloy would load an empty configuration');
  }
  return { files };
}

/**
 * The `*.alloy` files among a pipeline folder's files (pipelineFilesOf, or the same files read for an upload) as the
 * linter takes them, each named `dir/name`: the other files of the folder are shipped, not loaded by Alloy.
 */
export function alloySourcesOf(
  dir: string,
  files: readonly { readonly name: string; readonly content: Buffer }[],
): SourceFile[] {
  return files.filter((f) => f.name.endsWith('.alloy')).map((f) => ({ file: join(dir, f.name), text: f.content }));
}

/** The `*.alloy` files of a pipeline folder (see pipelineFilesOf), as paths in name order. */
export function alloyFilesOf(dir: string): { files: string[]; problem?: Diagnostic } {
  const { files, problem } = pipelineFilesOf(dir);
  if (problem) return { files: [], problem };
  return { files: files.filter((f) => f.name.endsWith('.alloy')).map((f) => f.path) };
}

/**
 * Lints all `*.alloy` files of a folder as one configuration, the way Alloy loads a folder. A missing or empty
 * folder is an error diagnostic.
 */
export function lintDirectory(dir: string, options: LintOptions = {}): LintResult {
  const { files, problem } = pipelineFilesOf(dir);
  if (problem)
    return {
      diagnostics: [problem],
      envVars: [],
      components: [],
      judgedBy: judgedBy(defaultRegistry().release(options.alloyVersion)),
    };
  return lintSources(alloySourcesOf(dir, files), options);
}
