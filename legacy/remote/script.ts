import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellJoin, shellQuote } from '../shared/shell';

/**
 * The remote script (alloy-legacy.sh beside this file) and the command line that runs some of its steps in one
 * exec. The script's text is the same for every run; the values go in as positional arguments.
 */

/** The step_* functions of alloy-legacy.sh. */
export type RemoteStep =
  | 'observe'
  | 'lock'
  | 'release'
  | 'interrupt'
  | 'pull'
  | 'make_dirs'
  | 'stage'
  | 'validate'
  | 'set_aside'
  | 'swap_and_reload'
  | 'reload'
  | 'swap_and_create'
  | 'swap_and_start'
  | 'restore_config'
  | 'restore_previous'
  | 'wait_ready'
  | 'verify_hash'
  | 'remove_container'
  | 'stop_container'
  | 'start_container'
  | 'create_container'
  | 'logs'
  | 'move_dir'
  | 'on_interrupt';

/** One call of a remote step with its arguments. */
export interface RemoteCall {
  readonly step: RemoteStep;
  readonly args: readonly string[];
}

/** What every exec passes first: the docker binary, rootDir and Alloy's HTTP port. */
export interface RemoteContext {
  readonly dockerPath: string;
  readonly rootDir: string;
  readonly httpPort: number;
}

/**
 * The protocol between legacy-deploy and alloy-legacy.sh besides the step names, in one table: the exit statuses
 * that mean something and the markers the steps print (test/legacy/remote-script.test.ts holds the script to it).
 */
export const remoteProtocol = {
  exit: {
    /** The lock step: another run holds the lock (its owner record is printed). */
    locked: 75,
    /** The run stopped at a step boundary because it was interrupted, and ran its undo program. */
    interrupted: 130,
  },
  marker: {
    locked: '@@locked',
    tookOver: '@@took-over',
    removedLock: '@@removed-lock',
    /** The config before this change is kept in the previous-config folder, so restoring it is safe. */
    savedPrevious: '@@saved-previous',
    swapped: '@@swapped',
    setAside: '@@set-aside',
    created: '@@created',
    started: '@@started',
    /** `@@status=CODE`: the HTTP status of a reload, or `docker wait`'s status of the validation. */
    status: '@@status',
    restoredConfig: '@@restored-config',
    /** `@@interrupted STEP`: the run stopped before STEP; the undo program's frames and the release follow. */
    interrupted: '@@interrupted',
    /** `@@actor=PID` (interrupt): the pid of the script the interrupt was left for. */
    actor: '@@actor',
  },
} as const;

/** Exit status of the lock step when another run holds the lock. */
export const LOCKED_EXIT = remoteProtocol.exit.locked;

/** What an interrupted run does at the step boundaries that follow: undo these calls and stop, or finish. */
export type InterruptProgram =
  | { readonly mode: 'undo'; readonly calls: readonly RemoteCall[] }
  | { readonly mode: 'finish' };

/** The pseudo-step that sets the interrupt program for the boundaries after it (not framed, not run). */
export function onInterruptCall(program: InterruptProgram): RemoteCall {
  const calls = program.mode === 'undo' ? program.calls : [];
  return {
    step: 'on_interrupt',
    args: [program.mode, ...calls.flatMap((c) => [c.step, String(c.args.length), ...c.args])],
  };
}

export const interruptCall: RemoteCall = { step: 'interrupt', args: [] };

let scriptText: string | undefined;

/** The script's text as shipped: beside this module in the sources, or in the source tree when this module is built output. */
export function remoteScript(): string {
  if (scriptText === undefined) {
    const candidates = [join(__dirname, 'alloy-legacy.sh'), join(__dirname, '../../../legacy/remote/alloy-legacy.sh')];
    const file = candidates.find((c) => existsSync(c));
    if (!file) throw new Error(`alloy-legacy.sh not found (looked in ${candidates.join(', ')})`);
    // Shipped without its comment lines and indentation (half its size, one TCP window less per exec on a slow
    // link); the code is unchanged. The script has no here-documents or multi-line strings these could touch.
    scriptText = readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.trimStart())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .join('\n');
  }
  return scriptText;
}

/**
 * The command line of one exec running `calls` in order. `exec` makes the script the login shell's process, so
 * its `$PPID` is the SSH session (what the lock records to tell a stale lock). `stopAfter` is the test-only switch
 * (see the script's header).
 */
export function remoteCommand(context: RemoteContext, calls: readonly RemoteCall[], stopAfter?: number): string {
  const args = [
    context.dockerPath,
    context.rootDir,
    String(context.httpPort),
    stopAfter === undefined ? '' : String(stopAfter),
    ...calls.flatMap((c) => [c.step, String(c.args.length), ...c.args]),
  ];
  return `exec sh -c ${shellQuote(remoteScript())} alloy-legacy ${shellJoin(args)}`;
}

/** One step's part of an exec's stdout; `status` null when the exec ended inside the step (connection lost). */
export interface StepOutput {
  readonly step: string;
  readonly status: number | null;
  readonly output: string;
}

/**
 * An exec's stdout split where an interrupted run stopped (`@@interrupted STEP`): the steps before, the step it
 * stopped before (null when it was not interrupted) and the undo program's output with the release.
 */
export function splitAtInterruption(stdout: string): { steps: string; stoppedBefore: string | null; undo: string } {
  const m = new RegExp(`^${remoteProtocol.marker.interrupted} (\\w+)$`, 'm').exec(stdout);
  if (!m) return { steps: stdout, stoppedBefore: null, undo: '' };
  return { steps: stdout.slice(0, m.index), stoppedBefore: m[1], undo: stdout.slice(m.index + m[0].length + 1) };
}

/** Splits an exec's stdout at the dispatcher's `@@step` / `@@done` frames. */
export function stepOutputs(stdout: string): StepOutput[] {
  const outputs: StepOutput[] = [];
  let current: { step: string; lines: string[] } | null = null;
  for (const line of stdout.split('\n')) {
    const start = /^@@step (\w+)$/.exec(line);
    const done = /^@@done (\w+) (\d+)$/.exec(line);
    if (start) current = { step: start[1], lines: [] };
    else if (done && current) {
      outputs.push({ step: current.step, status: Number(done[2]), output: current.lines.join('\n') });
      current = null;
    } else current?.lines.push(line);
  }
  if (current) outputs.push({ step: current.step, status: null, output: current.lines.join('\n') });
  return outputs;
}
