import { ExitCode, type ExitCodeValue, worstExitCode } from './exit-codes';

/**
 * The one plan vocabulary of every area (deploy, rename, DNS): a plan is a list of titled sections, each a list of
 * marked lines, printed the same way and combined into one exit code by the `plan` command.
 */

/** One line of a printed plan. */
export interface PlanItem {
  /** `+` add/create, `~` change in place, `-` remove, `!` blocker (or something left alone). */
  readonly mark: '+' | '~' | '-' | '!';
  readonly text: string;
}

/** A titled part of the plan. */
export interface PlanSection {
  readonly title: string;
  readonly items: readonly PlanItem[];
  readonly notes?: readonly string[];
  /**
   * What this section alone would make `plan` exit with (ok, changesPending, incomplete or unchecked). Omitted:
   * changesPending when it has items, else ok.
   */
  readonly exitCode?: ExitCodeValue;
}

export function sectionHasChanges(section: PlanSection): boolean {
  return section.items.length > 0;
}

export function sectionExitCode(section: PlanSection): ExitCodeValue {
  return section.exitCode ?? (sectionHasChanges(section) ? ExitCode.changesPending : ExitCode.ok);
}

/** The exit code of a plan made of these sections. */
export function planExitCode(sections: readonly PlanSection[]): ExitCodeValue {
  return worstExitCode(sections.map(sectionExitCode));
}

const colors: Record<PlanItem['mark'], string> = { '+': '32', '~': '33', '-': '31', '!': '31;1' };

/** The plan as text; colour only when asked (a TTY without NO_COLOR). */
export function renderPlan(sections: readonly PlanSection[], color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  for (const s of sections) {
    lines.push(paint('1', `${s.title}:`));
    if (s.items.length === 0) {
      lines.push(sectionExitCode(s) === ExitCode.unchecked ? '  not checked' : '  no changes');
    }
    for (const item of s.items) lines.push(`  ${paint(colors[item.mark], item.mark)} ${item.text}`);
    for (const note of s.notes ?? []) lines.push(`  note: ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
