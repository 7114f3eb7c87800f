/**
 * Public API of the Alloy configuration toolkit: parse, format and lint `.alloy` files, judged as a given Alloy
 * release would (LintOptions: alloyVersion, stabilityLevel, clustering), and check an upgrade between releases.
 * Used by the chart synth (central instance, with the env vars it provides), the legacy deploy and the
 * `alloy-lint` CLI.
 */
export { type AlloySourceFile, alloyConfigHash } from './folder/config-hash';
export {
  alloyFilesOf,
  alloySourcesOf,
  lintDirectory,
  lintSources,
  type PipelineFile,
  pipelineFilesOf,
  type SourceFile,
} from './folder/lint-folder';
export { upgradeDirectory, upgradeSources } from './folder/upgrade-folder';
export type { JudgedBy, LintOptions, LintResult } from './lint/linter';
export type { UpgradeCheck } from './lint/upgrade';
export { formatSource } from './printer/printer';
export { REFRESH_HINT, STABILITY_LEVELS, type StabilityLevel, UnknownReleaseError } from './registry/registry';
export type { File as AlloyFile } from './syntax/ast';
export { AlloySyntaxError, type Diagnostic, formatDiagnostic, hasErrors, type Severity } from './syntax/diagnostics';
export { parse } from './syntax/parser';
