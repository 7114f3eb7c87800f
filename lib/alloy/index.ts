/**
 * Public API of the Alloy configuration toolkit: parse, format and lint `.alloy` files. Used by the chart
 * synth (central instance, with the env vars it provides), the legacy deploy and the `alloy-lint` CLI.
 */
export type { File as AlloyFile } from './ast';
export { type AlloySourceFile, alloyConfigHash } from './config-hash';
export { AlloySyntaxError, type Diagnostic, formatDiagnostic, hasErrors, type Severity } from './diagnostics';
export { alloyFilesOf, lintDirectory, lintSources, type SourceFile } from './lint-folder';
export type { LintOptions, LintResult } from './linter';
export { parse } from './parser';
export { formatSource } from './printer';
