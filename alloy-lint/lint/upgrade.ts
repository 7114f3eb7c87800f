/**
 * The upgrade check: what a pipeline that runs on one Alloy release uses that another release removed or renamed,
 * and which of its components change stability. It is the difference of two lints, one as each release: a finding
 * the target release raises that the current one does not is something the upgrade breaks. (The release data
 * says nothing about deprecation, so deprecations are not reported.)
 */
import type { Registry } from '../registry/registry';
import { type Diagnostic, sortDiagnostics } from '../syntax/diagnostics';
import type { LintResult } from './linter';

export interface UpgradeCheck {
  /** The release the pipeline runs on today. */
  from: string;
  /** The release it is about to run on. */
  to: string;
}

/** Lints the same sources as one release; used twice by upgradeFindings. */
export type LintAs = (alloyVersion: string) => Pick<LintResult, 'diagnostics' | 'components'>;

/**
 * Findings of an upgrade: errors for what the target release rejects (a component or argument it no longer has,
 * an attribute it now requires), warnings for stability changes of the components used.
 */
export function upgradeFindings(lintAs: LintAs, registry: Registry, check: UpgradeCheck): Diagnostic[] {
  const from = registry.release(check.from);
  const to = registry.release(check.to);
  const prefix = `upgrade ${from.name} → ${to.name}: `;
  const key = (d: Diagnostic, release: string) =>
    `${d.file}:${d.line}:${d.column}:${d.severity}:${d.message.split(`Alloy ${release}`).join('Alloy <release>')}`;
  const before = lintAs(from.name);
  // Messages name the release whose data judged (Release.dataRelease).
  const known = new Set(before.diagnostics.map((d) => key(d, from.dataRelease)));
  const findings: Diagnostic[] = [];
  for (const d of lintAs(to.name).diagnostics) {
    if (d.severity !== 'error' || known.has(key(d, to.dataRelease))) continue;
    findings.push({ ...d, message: prefix + d.message });
  }
  for (const used of before.components) {
    const then = from.component(used.name)?.stability;
    const now = to.component(used.name)?.stability;
    if (then === undefined || now === undefined || then === now) continue;
    findings.push({
      file: used.file,
      line: used.line,
      column: used.column,
      severity: 'warning',
      message: `${prefix}${used.name} changes stability from ${then} to ${now}`,
    });
  }
  return sortDiagnostics(findings);
}
