/**
 * The exit codes of every `legacy-deploy` command, in one table so that scripts can tell the outcomes apart the
 * same way whatever the area (deploy, rename, dns, verify, plan). When several apply, the highest-priority one is
 * the process's exit code: `failed` > `interrupted` > `unchecked` > `incomplete` > `changesPending` > `ok` (see `worstExitCode`).
 */
export const ExitCode = {
  /** Done, or (plan, --dry-run) nothing to change. */
  ok: 0,
  /** A user error (bad config, bad input) or a step that failed; what was changed has been rolled back. */
  failed: 1,
  /** plan / --dry-run: there are changes to make. */
  changesPending: 2,
  /**
   * Done as far as this tool may go, but the cut-over is not complete: something it must not touch was left alone
   * (a foreign `alloy` record, a second enabled override at another address). The report names it.
   */
  incomplete: 3,
  /** plan: a section could not be checked (for instance no credentials for it), so "no changes" cannot be said. */
  unchecked: 4,
  /**
   * deploy: stopped by Ctrl-C (SIGINT); the NAS stopped at a step boundary and undid what the run had changed, or
   * had already proven the change and finished it. The report says which.
   */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

const priority: readonly ExitCodeValue[] = [
  ExitCode.failed,
  ExitCode.interrupted,
  ExitCode.unchecked,
  ExitCode.incomplete,
  ExitCode.changesPending,
  ExitCode.ok,
];

/** The code a run ends with when its parts ended with `codes`. */
export function worstExitCode(codes: readonly ExitCodeValue[]): ExitCodeValue {
  return priority.find((p) => codes.includes(p)) ?? ExitCode.ok;
}
