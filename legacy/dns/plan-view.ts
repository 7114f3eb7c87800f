/**
 * The printable form of a plan, shared by every DNS backend: each backend turns its own typed actions into these
 * views, so `legacy-deploy plan` and the `dns` commands print one format. A `skip` is something the cut-over needs
 * that this tool must not touch (a foreign record, a competing override): it leaves the cut-over incomplete.
 */
import { ExitCode, type ExitCodeValue } from '../shared/exit-codes';

export type ActionKind = 'create' | 'update' | 'delete' | 'keep' | 'skip';

export interface ActionView {
  readonly kind: ActionKind;
  /** What the action is about, e.g. `CNAME alloy-legacy.tobiash.net`. */
  readonly subject: string;
  /** What changes (or why nothing does), e.g. `→ home.tobiash.net (TTL 60, DNS only)`. */
  readonly detail: string;
}

export interface PlanSection {
  readonly title: string;
  readonly actions: readonly ActionView[];
}

const marks: Record<ActionKind, string> = { create: '+', update: '~', delete: '-', keep: '=', skip: '!' };

/** True when applying the section would write anything. */
export function sectionChanges(section: PlanSection): number {
  return section.actions.filter((a) => a.kind === 'create' || a.kind === 'update' || a.kind === 'delete').length;
}

/** Actions left alone that the cut-over needs gone: the `!` lines. */
export function sectionLeftAlone(section: PlanSection): number {
  return section.actions.filter((a) => a.kind === 'skip').length;
}

/**
 * The exit code a section stands for: `incomplete` while something is left alone (planned or applied), else
 * `changesPending` when a plan or dry run found writes to make, else `ok`.
 */
export function sectionExitCode(section: PlanSection, stage: 'planned' | 'applied'): ExitCodeValue {
  if (sectionLeftAlone(section) > 0) return ExitCode.incomplete;
  if (stage === 'planned' && sectionChanges(section) > 0) return ExitCode.changesPending;
  return ExitCode.ok;
}

export function formatSection(section: PlanSection): string {
  const lines = [`${section.title}:`];
  for (const a of section.actions) lines.push(`  ${marks[a.kind]} ${a.kind.padEnd(6)} ${a.subject}  ${a.detail}`);
  const changes = sectionChanges(section);
  const skipped = sectionLeftAlone(section);
  const summary = changes === 0 ? 'no changes' : `${changes} change${changes === 1 ? '' : 's'}`;
  lines.push(
    `  (${summary}${skipped > 0 ? `, ${skipped} left alone: see "!" lines; the cut-over is incomplete` : ''})`,
  );
  return lines.join('\n');
}
