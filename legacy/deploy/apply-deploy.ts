import { Readable } from 'node:stream';
import { type RemoteCall, remoteCommand, type StepOutput, stepOutputs } from '../remote/script';
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
 * Runs a deploy plan, step for step, under the lock `lockAndObserve` took: all steps and the release in one exec
 * (the staged tar on its stdin). When a step fails, the undo steps that `rollbackFor` chooses from what the steps
 * reported run in a second exec, with the release. A lost connection leaves the NAS as the last finished step
 * left it; the next deploy plans from there.
 */
export async function applyDeploy(run: DeployRun, observed: ObservedState, plan: DeployPlan): Promise<void> {
  const { session, settings, out } = run;
  const context = remoteContext(settings);
  const calls = plan.steps.map((step) => remoteCallFor(step, settings));
  const tar = plan.steps.some((s) => s.kind === 'stage') ? await stagedTar(run.files) : undefined;
  if (tar)
    out.progress(`uploading ${run.files.length} file(s), ${tar.bytes} bytes, into ${settings.layout.stagingDir}`);
  const r = await session.run(remoteCommand(context, [...calls, releaseCall], run.stopAfterStep), {
    stdin: tar?.stream,
    stdinBytes: tar?.bytes,
  });
  const outputs = stepOutputs(r.stdout);
  let record: RollbackRecord = {
    ...nothingDone,
    previousKept: observed.containers.current !== null && observed.containers.previous !== null,
  };
  for (const [i, step] of plan.steps.entries()) {
    const output = outputs[i];
    const lost = !output || output.status === null || (output.status !== 0 && r.code === null);
    if (lost) {
      // Nothing past this step ran; what the steps before it did stays, and the next deploy plans from there.
      const untouched = plan.steps.slice(0, i + 1).every((s) => untouchedBy.has(s.kind));
      throw new UserError(
        `lost the connection to ${session.description} at step ${i + 1} of ${plan.steps.length} (${describeStep(step, settings)}); ` +
          `${untouched ? 'alloy-legacy was not touched; ' : ''}run deploy again: it takes over the stale lock and plans from what is there`,
      );
    }
    record = recordStep(record, step.kind, markersOf(output.output), output.status === 0);
    if (output.status === 0) {
      out.progress(`done: ${describeStep(step, settings)}`);
      continue;
    }
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
