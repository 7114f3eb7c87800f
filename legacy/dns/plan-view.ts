/**
 * The printable form of a plan, shared by every DNS backend: each backend turns its own typed actions into these
 * views, so `legacy-deploy plan` and the `dns` commands print one format.
 */
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

export function formatSection(section: PlanSection): string {
  const lines = [`${section.title}:`];
  for (const a of section.actions) lines.push(`  ${marks[a.kind]} ${a.kind.padEnd(6)} ${a.subject}  ${a.detail}`);
  const changes = sectionChanges(section);
  const skipped = section.actions.filter((a) => a.kind === 'skip').length;
  const summary = changes === 0 ? 'no changes' : `${changes} change${changes === 1 ? '' : 's'}`;
  lines.push(`  (${summary}${skipped > 0 ? `, ${skipped} left alone: see "!" lines` : ''})`);
  return lines.join('\n');
}
