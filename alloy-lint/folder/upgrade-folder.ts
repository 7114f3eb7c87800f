/** The upgrade check of a pipeline folder (lint/upgrade.ts): what moving it from one Alloy release to another breaks. */
import { type LintOptions, lintDirectory, lintSources, type SourceFile } from '../folder/lint-folder';
import { type UpgradeCheck, upgradeFindings } from '../lint/upgrade';
import { defaultRegistry } from '../registry/registry';
import type { Diagnostic } from '../syntax/diagnostics';

/**
 * Findings of moving the pipeline in `dir` from `check.from` to `check.to`: errors for what the target rejects,
 * warnings for stability changes; none when both are the same release.
 */
export function upgradeDirectory(
  dir: string,
  check: UpgradeCheck,
  options: Omit<LintOptions, 'alloyVersion'> = {},
): Diagnostic[] {
  if (check.from === check.to) return [];
  return upgradeFindings((alloyVersion) => lintDirectory(dir, { ...options, alloyVersion }), defaultRegistry, check);
}

/** The same for files in hand (a folder plus files a caller adds, as the chart's ConfigMap holds them). */
export function upgradeSources(
  sources: readonly SourceFile[],
  check: UpgradeCheck,
  options: Omit<LintOptions, 'alloyVersion'> = {},
): Diagnostic[] {
  if (check.from === check.to) return [];
  return upgradeFindings((alloyVersion) => lintSources(sources, { ...options, alloyVersion }), defaultRegistry, check);
}
