import type { DeployPlan, RenamePlan } from './plan';

/** One line of a printed plan. */
export interface PlanItem {
  /** `+` add/create, `~` change in place, `-` remove, `!` blocker. */
  readonly mark: '+' | '~' | '-' | '!';
  readonly text: string;
}

/**
 * A titled part of the plan. The `plan` command prints a list of these, so other areas (DNS) append their own
 * section without touching this one.
 */
export interface PlanSection {
  readonly title: string;
  readonly items: readonly PlanItem[];
  readonly notes?: readonly string[];
}

export function sectionHasChanges(section: PlanSection): boolean {
  return section.items.length > 0;
}

export function deploySection(plan: DeployPlan, notes: readonly string[] = []): PlanSection {
  const items: PlanItem[] = plan.blockers.map((text) => ({ mark: '!', text }));
  for (const a of plan.actions) {
    switch (a.kind) {
      case 'restore-previous-container':
        items.push({
          mark: '~',
          text: 'rename alloy-legacy-previous back to alloy-legacy (an earlier run stopped half-way)',
        });
        break;
      case 'pull-image':
        items.push({ mark: '+', text: `pull image ${a.image}` });
        break;
      case 'create-dirs':
        for (const d of a.dirs) items.push({ mark: '+', text: `create folder ${d}` });
        break;
      case 'upload-config':
        for (const c of a.changes) {
          const mark = c.change === 'add' ? '+' : c.change === 'change' ? '~' : '-';
          items.push({ mark, text: `config file ${c.name} (${c.change === 'add' ? 'added' : `${c.change}d`})` });
        }
        break;
      case 'reload':
        items.push({ mark: '~', text: 'reload alloy-legacy (POST /-/reload, no restart)' });
        break;
      case 'create-container':
        items.push({
          mark: a.replaces ? '~' : '+',
          text: `${a.replaces ? 'recreate' : 'create'} container alloy-legacy: ${a.reasons.join('; ')}`,
        });
        break;
      case 'start-container':
        items.push({ mark: '~', text: 'start container alloy-legacy' });
        break;
      case 'remove-leftover-container':
        items.push({ mark: '-', text: `remove leftover container ${a.name}` });
        break;
    }
  }
  return { title: 'legacy Alloy (deploy)', items, notes };
}

export function renameSection(plan: RenamePlan): PlanSection {
  const items: PlanItem[] = plan.blockers.map((text) => ({ mark: '!', text }));
  for (const a of plan.actions) {
    switch (a.kind) {
      case 'stop-container':
        items.push({ mark: '~', text: `stop container ${a.name}` });
        break;
      case 'move-dir':
        items.push({ mark: '~', text: `move ${a.from} → ${a.to}` });
        break;
      case 'create-renamed-container':
        items.push({
          mark: '+',
          text: `create container ${a.container.name} from alloy's settings (image ${a.container.image}, renamed mounts)`,
        });
        break;
      case 'start-container':
        items.push({ mark: '~', text: `start container ${a.name} and wait for /-/ready` });
        break;
      case 'remove-container':
        items.push({ mark: '-', text: `remove container ${a.name}` });
        break;
    }
  }
  return { title: 'legacy Alloy (rename)', items };
}

const colors: Record<PlanItem['mark'], string> = { '+': '32', '~': '33', '-': '31', '!': '31;1' };

/** The plan as text; colour only when asked (a TTY without NO_COLOR). */
export function renderPlan(sections: readonly PlanSection[], color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const s of sections) {
    lines.push(paint('1', `${s.title}:`));
    if (s.items.length === 0) lines.push('  no changes');
    for (const item of s.items) lines.push(`  ${paint(colors[item.mark], item.mark)} ${item.text}`);
    for (const note of s.notes ?? []) lines.push(`  note: ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
