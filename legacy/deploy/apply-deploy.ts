import { Readable } from 'node:stream';
import {
  type InterruptProgram,
  interruptCall,
  onInterruptCall,
  type RemoteCall,
  remoteCommand,
  remoteProtocol,
  type StepOutput,
  splitAtInterruption,
  stepOutputs,
} from '../remote/script';
import { ExitCode } from '../shared/exit-codes';
import type { Output } from '../shared/output';
import { explainFailure, type RemoteSession } from '../shared/ssh-session';
import { UserError } from '../shared/user-error';
import { dockerRunArgs, specLabel } from './container-spec';
import type { DeploySettings, LocalFile } from './desired';
import { releaseCall, remoteContext } from './lock';
import type { ObservedState } from './observed';
import type { DeployPlan, DeployStep, DeployStepKind } from './plan';
import { describeStep } from './plan-output';
import { nothingDone, type RollbackRecord, recordStep, rollbackFor, type UndoStep } from './rollback';
import { tarArchive } from './tar';

export interface DeployRun {
  readonly session: RemoteSession;
  readonly settings: DeploySettings;
  readonly files: readonly LocalFile[];
  readonly out: Output;
  /** Test-only: cut the connection after this many plan steps (LEGACY_DEPLOY_TEST_STOP_AFTER_STEP). */
  readonly stopAfterStep?: number;
}

/** Steps that leave alloy-legacy and its config as they were (they only prepare). */
const untouchedBy: ReadonlySet<DeployStepKind> = new Set(['pull', 'make-dirs', 'stage', 'validate']);

type StepOf<K extends DeployStepKind> = Extract<DeployStep, { kind: K }>;

/** `alloy validate`'s flags that the container's own `alloy run` arguments set, so both judge alike. */
function validateFlags(args: readonly string[]): string[] {
  return args.filter((a) => /^--(stability\.level|feature\.community-components\.enabled)(=|$)/.test(a));
}

/** The executors: one small function per step kind, each the remote call that does exactly that step. */
const executors: { [K in DeployStepKind]: (step: StepOf<K>, s: DeploySettings) => RemoteCall } = {
  restore: () => ({ step: 'restore_previous', args: [] }),
  pull: (step) => ({ step: 'pull', args: [step.image] }),
  'make-dirs': () => ({ step: 'make_dirs', args: [] }),
  stage: () => ({ step: 'stage', args: [] }),
  validate: (step, s) => ({ step: 'validate', args: [step.image, ...validateFlags(s.container.args)] }),
  'set-aside': () => ({ step: 'set_aside', args: [] }),
  'swap-and-reload': () => ({ step: 'swap_and_reload', args: [] }),
  reload: () => ({ step: 'reload', args: [] }),
  'swap-and-recreate': (_, s) => ({
    step: 'swap_and_create',
    args: dockerRunArgs(s.container, { [specLabel]: JSON.stringify(s.container) }).slice(1),
  }),
  'swap-and-start': () => ({ step: 'swap_and_start', args: [] }),
  'wait-ready': (_, s) => ({ step: 'wait_ready', args: [String(s.readyTimeoutSeconds)] }),
  'verify-hash': (step, s) => ({ step: 'verify_hash', args: [step.sha256, String(s.readyTimeoutSeconds)] }),
  'remove-previous': (_, s) => ({ step: 'remove_container', args: [s.layout.previousContainer] }),
};

export function remoteCallFor(step: DeployStep, settings: DeploySettings): RemoteCall {
  return (executors[step.kind] as (step: DeployStep, s: DeploySettings) => RemoteCall)(step, settings);
}

const undoCalls: Record<UndoStep, (s: DeploySettings) => RemoteCall> = {
  'restore-config': () => ({ step: 'restore_config', args: [] }),
  'reload-restored': () => ({ step: 'reload', args: [] }),
  'remove-new-container': (s) => ({ step: 'remove_container', args: [s.layout.container] }),
  'stop-started-container': (s) => ({ step: 'stop_container', args: [s.layout.container] }),
  'restore-previous-container': () => ({ step: 'restore_previous', args: [] }),
  'wait-ready': (s) => ({ step: 'wait_ready', args: [String(s.readyTimeoutSeconds)] }),
};

const undoText: Record<UndoStep, string> = {
  'restore-config': 'the previous config files are back',
  'reload-restored': 'Alloy reloaded them',
  'remove-new-container': 'the new container was removed',
  'stop-started-container': 'alloy-legacy is stopped again, as it was',
  'restore-previous-container': 'the previous container runs again',
  'wait-ready': 'it is ready',
};

const { marker } = remoteProtocol;

/** The markers each step prints when it succeeds (alloy-legacy.sh): what a run has done once it got past it. */
const markersOnSuccess: Record<DeployStepKind, readonly string[]> = {
  restore: [],
  pull: [],
  'make-dirs': [],
  stage: [],
  validate: [marker.status],
  'set-aside': [marker.setAside],
  'swap-and-reload': [marker.savedPrevious, marker.swapped, marker.status],
  reload: [marker.status],
  'swap-and-recreate': [marker.savedPrevious, marker.swapped, marker.created],
  'swap-and-start': [marker.savedPrevious, marker.swapped, marker.started],
  'wait-ready': [],
  'verify-hash': [],
  'remove-previous': [],
};

/**
 * Pure: what an interrupted run does at each step boundary (index i: before step i; the last, before the release).
 * Until the new config is proven (verify-hash), it undoes what the steps before the boundary did, as `rollbackFor`
 * would after a failure there; once proven, it finishes.
 */
export function boundaryUndo(plan: DeployPlan, first: RollbackRecord): (UndoStep[] | 'finish')[] {
  const proven = plan.steps.findIndex((st) => st.kind === 'verify-hash');
  const programs: (UndoStep[] | 'finish')[] = [];
  let record = first;
  for (let i = 0; i <= plan.steps.length; i++) {
    programs.push(proven >= 0 && i > proven ? 'finish' : rollbackFor(record));
    const step = plan.steps[i];
    if (step) record = recordStep(record, step.kind, new Set(markersOnSuccess[step.kind]), true);
  }
  return programs;
}

function interruptProgram(undo: UndoStep[] | 'finish', s: DeploySettings): InterruptProgram {
  return undo === 'finish' ? { mode: 'finish' } : { mode: 'undo', calls: undo.map((u) => undoCalls[u](s)) };
}

/** The staged upload: every file of the desired config under `staging/` (the lock folder is the tar's root). */
async function stagedTar(files: readonly LocalFile[]): Promise<{ stream: Readable; bytes: number }> {
  const archive = await tarArchive(files.map((f) => ({ name: `staging/${f.name}`, content: f.content })));
  return { stream: Readable.from([archive]), bytes: archive.length };
}

function markersOf(output: string): Set<string> {
  return new Set(
    output
      .split('\n')
      .filter((l) => l.startsWith('@@'))
      .map((l) => l.replace(/=.*$/, '')),
  );
}

function bodyOf(output: string): string[] {
  return output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('@@'));
}

/** Why a step failed, in the user's terms. */
function failureReason(step: DeployStep, output: StepOutput, stderr: string, s: DeploySettings): string {
  const said = [...bodyOf(output.output), ...stderr.split('\n').filter((l) => l.trim() !== '')].slice(-5).join(' / ');
  const noSpace = /no space left on device/i.test(`${output.output}\n${stderr}`) ? ': no space left on the NAS' : '';
  const markers = markersOf(output.output);
  const swaps = step.kind === 'swap-and-reload' || step.kind === 'swap-and-recreate' || step.kind === 'swap-and-start';
  if (swaps && !markers.has(marker.savedPrevious)) {
    return `${describeStep(step, s)} failed at keeping the current config in ${s.layout.previousConfigDir}${noSpace} (${said || `exit status ${output.status}`}); the config in use was not touched`;
  }
  if (swaps && !markers.has(marker.swapped)) {
    return `${describeStep(step, s)} failed at moving the staged files into ${s.layout.configDir}${noSpace} (${said || `exit status ${output.status}`})`;
  }
  if (noSpace) return `${describeStep(step, s)} failed${noSpace} (${said})`;
  switch (step.kind) {
    case 'validate':
      return `alloy validate (${step.image}) rejected the config`;
    case 'swap-and-reload':
    case 'reload': {
      const status = /@@status=(\d+)/.exec(output.output)?.[1];
      return status && status !== '000'
        ? `reload rejected (HTTP ${status}${said ? `: ${said}` : ''})`
        : `the reload request got no answer from port ${s.httpPort}`;
    }
    case 'wait-ready':
      return `${s.layout.container} did not become ready within ${s.readyTimeoutSeconds} s (${said || 'no answer'})`;
    case 'verify-hash':
      return `${s.layout.container} does not run the deployed config: expected alloy_config_hash ${step.sha256}, ${said}`;
    case 'pull':
      return `pulling ${step.image} failed: ${said || `exit status ${output.status}`}`;
    default:
      return `${describeStep(step, s)} failed (${said || `exit status ${output.status}`})`;
  }
}

/**
 * Ctrl-C while the NAS acts: the first asks it (a second exec on the same connection) to stop at its next step
 * boundary and run its undo program, and the run waits for that, printing what it does; a second leaves at once
 * (the NAS still does it alone: its SSH session has ended). Returns the function that removes the handler.
 */
function onCtrlC(run: DeployRun): () => void {
  const { session, settings, out } = run;
  let asked = false;
  const handler = () => {
    if (asked) {
      out.warn(
        'second Ctrl-C: leaving now; the NAS stops at its next step boundary and undoes the change by itself, ' +
          'and the next deploy waits for that',
      );
      process.exit(ExitCode.interrupted);
    }
    asked = true;
    out.warn(
      'Ctrl-C: asking the NAS to stop at its next step boundary and undo what this run changed; waiting for it ' +
        '(Ctrl-C again to leave it to do that alone)',
    );
    void session.run(remoteCommand(remoteContext(settings), [interruptCall]));
  };
  process.on('SIGINT', handler);
  return () => process.off('SIGINT', handler);
}

/**
 * Runs a deploy plan, step for step, under the lock `lockAndObserve` took: all steps and the release in one exec
 * (the staged tar on its stdin), each step preceded by what the NAS does when the run is interrupted there
 * (`boundaryUndo`), its progress printed as the NAS reports it. When a step fails, the undo steps that
 * `rollbackFor` chooses from what the steps reported run in a second exec, with the release. Interrupted (Ctrl-C,
 * a lost connection), the NAS stops at the next step boundary and undoes the change itself, or finishes it once
 * proven; a script killed outright leaves the NAS as its last finished step left it, and the next deploy plans
 * from there.
 */
export async function applyDeploy(run: DeployRun, observed: ObservedState, plan: DeployPlan): Promise<void> {
  const removeHandler = onCtrlC(run);
  try {
    await applySteps(run, observed, plan);
  } finally {
    removeHandler();
  }
}

async function applySteps(run: DeployRun, observed: ObservedState, plan: DeployPlan): Promise<void> {
  const { session, settings, out } = run;
  const context = remoteContext(settings);
  const first: RollbackRecord = {
    ...nothingDone,
    previousKept: observed.containers.current !== null && observed.containers.previous !== null,
  };
  const boundaries = boundaryUndo(plan, first);
  const calls = plan.steps.flatMap((step, i) => [
    onInterruptCall(interruptProgram(boundaries[i], settings)),
    remoteCallFor(step, settings),
  ]);
  const beforeRelease = onInterruptCall(interruptProgram(boundaries[plan.steps.length], settings));
  const tar = plan.steps.some((s) => s.kind === 'stage') ? await stagedTar(run.files) : undefined;
  if (tar)
    out.progress(`uploading ${run.files.length} file(s), ${tar.bytes} bytes, into ${settings.layout.stagingDir}`);
  const progress = liveProgress(run, plan, boundaries);
  const r = await session.run(remoteCommand(context, [...calls, beforeRelease, releaseCall], run.stopAfterStep), {
    stdin: tar?.stream,
    stdinBytes: tar?.bytes,
    onStdout: progress,
  });
  const split = splitAtInterruption(r.stdout);
  const outputs = stepOutputs(split.steps);
  if (split.stoppedBefore !== null) {
    const at = outputs.filter((o) => o.status === 0).length;
    return reportInterrupted(run, plan, at, boundaries[at], stepOutputs(split.undo), r.code);
  }
  let record = first;
  for (const [i, step] of plan.steps.entries()) {
    const output = outputs[i];
    const lost = !output || output.status === null || (output.status !== 0 && r.code === null);
    if (lost) {
      // Nothing past this step ran here; the NAS stops at its next step boundary and undoes what this run did
      // (or finishes, once proven), or, killed outright, stays as its last finished step left it.
      const untouched = plan.steps.slice(0, i + 1).every((s) => untouchedBy.has(s.kind));
      throw new UserError(
        `lost the connection to ${session.description} at step ${i + 1} of ${plan.steps.length} (${describeStep(step, settings)}); ` +
          `${untouched ? 'alloy-legacy was not touched; ' : 'the NAS stops at its next step boundary and undoes what this run changed; '}` +
          'run deploy again: it waits for the NAS to finish that, then plans from what is there',
      );
    }
    record = recordStep(record, step.kind, markersOf(output.output), output.status === 0);
    if (output.status === 0) continue;
    const reason = failureReason(step, output, r.stderr, settings);
    const details = step.kind === 'validate' ? bodyOf(output.output).map((l) => `  ${l}`) : [];
    return rollBack(run, record, reason, details, untouchedBy.has(step.kind));
  }
  if (outputs[plan.steps.length]?.status !== 0) {
    out.warn(
      `every step is done, but the lock ${settings.layout.lockDir} may not have been released ` +
        `(${explainFailure(r)}): the next run takes it over once this SSH session has ended`,
    );
  }
}

/** Prints each step as the NAS reports it done, and what an interrupted run undoes, as it happens. */
function liveProgress(run: DeployRun, plan: DeployPlan, boundaries: readonly (UndoStep[] | 'finish')[]) {
  const { settings, out } = run;
  let pending = '';
  let done = 0;
  let undo: UndoStep[] | null = null;
  let undone = 0;
  return (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const frame = /^@@done (\w+) (\d+)$/.exec(line);
      if (line.startsWith(`${marker.interrupted} `)) {
        const program = boundaries[done];
        undo = program === 'finish' ? [] : program;
        const next = plan.steps[done];
        out.progress(
          `interrupted: the NAS stopped before ${next ? `step ${done + 1} (${describeStep(next, settings)})` : 'the release'}` +
            `${undo.length > 0 ? `; undoing: ${undo.join(', ')}` : '; nothing to undo'}`,
        );
      } else if (frame && undo === null && frame[2] === '0' && done < plan.steps.length) {
        out.progress(`done: ${describeStep(plan.steps[done], settings)}`);
        done++;
      } else if (frame && undo !== null && undone < undo.length) {
        out.progress(`${frame[2] === '0' ? 'undone' : 'undo FAILED'}: ${undoText[undo[undone]]}`);
        undone++;
      }
    }
  };
}

/** The end of a run the NAS stopped at a step boundary (`at`: the steps done before it) and undid. */
function reportInterrupted(
  run: DeployRun,
  plan: DeployPlan,
  at: number,
  program: UndoStep[] | 'finish',
  undone: StepOutput[],
  code: number | null,
): never {
  const { settings } = run;
  const undo = program === 'finish' ? [] : program;
  const where =
    at < plan.steps.length
      ? `before step ${at + 1} of ${plan.steps.length} (${describeStep(plan.steps[at], settings)})`
      : 'before the release';
  const failed = undone.findIndex((o) => o.status !== 0);
  const released = undone.length === undo.length + 1 && failed === -1;
  if (released && code === ExitCode.interrupted) {
    const outcome =
      undo.length === 0
        ? plan.steps.slice(0, at).every((s) => untouchedBy.has(s.kind))
          ? 'alloy-legacy was not touched'
          : 'nothing was left to undo'
        : `rolled back: ${undo.map((u) => undoText[u]).join(', ')}`;
    throw new UserError(
      `interrupted: the NAS stopped ${where}; ${outcome}; the lock is released`,
      ExitCode.interrupted,
    );
  }
  const at2 = failed === -1 ? undone.length : failed;
  const what = at2 < undo.length ? undo[at2] : 'the release';
  throw new UserError(
    `interrupted: the NAS stopped ${where}, but undoing failed at ${what} ` +
      `(${code === null ? 'the SSH connection was lost' : bodyOf(undone[at2]?.output ?? '').join(' / ') || `exit status ${code}`}): check the NAS by hand`,
    ExitCode.failed,
  );
}

async function rollBack(
  run: DeployRun,
  record: RollbackRecord,
  reason: string,
  details: string[],
  untouched: boolean,
): Promise<never> {
  const { session, settings, out } = run;
  const undo = rollbackFor(record);
  if (undo.length > 0) out.progress(`rolling back: ${undo.join(', ')}`);
  const logs: RemoteCall = { step: 'logs', args: [settings.layout.container] };
  // The container's last log lines tell why it failed, unless the failure was before anything touched it.
  const before = untouched ? [] : [logs];
  const r = await session.run(
    remoteCommand(remoteContext(settings), [...before, ...undo.map((u) => undoCalls[u](settings)), releaseCall]),
  );
  const outputs = stepOutputs(r.stdout);
  const logLines = untouched ? [] : bodyOf(outputs[0]?.output ?? '');
  const undone = outputs.slice(before.length, before.length + undo.length);
  let outcome: string;
  if (record.configRestoredOnNas) {
    outcome = 'the previous config files were put back at once, so a restart loads the config Alloy keeps running';
  } else if (undo.length === 0) {
    outcome = untouched ? 'alloy-legacy was not touched' : 'nothing on the NAS was changed';
  } else if (undone.length === undo.length && undone.every((o) => o.status === 0)) {
    outcome = `rolled back: ${undo.map((u) => undoText[u]).join(', ')}`;
  } else {
    const failed = undone.findIndex((o) => o.status !== 0);
    outcome = `rolling back failed too at ${undo[failed === -1 ? undone.length : failed]} (${explainFailure(r)}): check the NAS by hand`;
  }
  const shownLogs =
    logLines.length > 0 ? [`last log lines of ${settings.layout.container}:`, ...logLines.map((l) => `  ${l}`)] : [];
  throw new UserError(`${reason}; ${outcome}`, 1, [...details, ...shownLogs]);
}
