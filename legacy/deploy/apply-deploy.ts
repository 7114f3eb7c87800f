import { Readable } from 'node:stream';
import type { DeploySettings, LocalFile } from './desired';
import { UserError } from './errors';
import { acquireLockScript, describeLock, LOCKED_EXIT, type LockOwner, releaseLockScript } from './lock';
import type { Manifest, ObservedState } from './observed';
import type { Output } from './output';
import type { DeployAction, DeployPlan, FileChange } from './plan';
import { explainFailure, type RemoteSession, type RunResult } from './remote';
import {
  createDirsScript,
  logsScript,
  pullScript,
  reloadOrRestoreScript,
  removeContainerScript,
  restoreConfigScript,
  restorePreviousContainerScript,
  runContainerScript,
  setAsideMarker,
  setAsideScript,
  stagedEntryName,
  startContainerScript,
  stopContainerScript,
  swapConfigScript,
  uploadScript,
  waitReadyScript,
} from './scripts';
import { tarArchive } from './tar';

export interface DeployRun {
  readonly session: RemoteSession;
  readonly settings: DeploySettings;
  readonly files: readonly LocalFile[];
  readonly out: Output;
  readonly owner: LockOwner;
  readonly forceUnlock: boolean;
}

export interface DeployResult {
  readonly changed: boolean;
  readonly actions: readonly string[];
}

/** Printed by the combined config-only exec once the tar is fully received. */
const uploadedMarker = '@@uploaded';

const join = (...scripts: string[]) => scripts.filter((s) => s !== '').join('\n');

/**
 * What a rollback does with the container, so that it ends as it was before the run: the one kept aside comes
 * back, a newly created one goes, one this run started is stopped again, one this run did not touch is left.
 */
type ContainerUndo = 'restore-previous' | 'remove-new' | 'stop-started' | 'leave';

function failed(r: RunResult): boolean {
  return r.code !== 0;
}

/** The lock script for this run, taking over a lock whose SSH session has ended, refusing a live one. */
export function lockScriptFor(
  run: Pick<DeployRun, 'settings' | 'owner' | 'forceUnlock' | 'out'>,
  observed: ObservedState,
) {
  const lock = observed.lock;
  if (lock && !run.forceUnlock) {
    if (lock.holderAlive === false) {
      run.out.warn(`taking over a stale lock of ${describeLock(lock)}: its SSH session has ended`);
      return acquireLockScript(run.settings.layout, run.owner, { takeOver: lock.raw });
    }
    throw lockedError(describeLock(lock), run.settings.layout.lockDir);
  }
  if (lock) run.out.warn(`--force-unlock: removing the lock of ${describeLock(lock)}`);
  return acquireLockScript(run.settings.layout, run.owner, { force: run.forceUnlock });
}

export function lockedError(holder: string, lockDir: string): UserError {
  return new UserError(
    `another legacy-deploy holds the lock ${lockDir}: ${holder}. Wait for it to finish; if no deploy is running ` +
      '(e.g. it was killed), run again with --force-unlock.',
  );
}

function lockFailure(r: RunResult, lockDir: string): UserError {
  const owner = /^owner=(.*)$/m.exec(r.stdout)?.[1] ?? 'unknown owner';
  return lockedError(owner, lockDir);
}

/** The manifest of this deploy, as written on the NAS. */
function manifestText(files: readonly LocalFile[], owner: LockOwner): string {
  const manifest: Manifest = {
    files: Object.fromEntries(files.map((f) => [f.name, f.sha256])),
    deployedAt: new Date().toISOString(),
    deployedBy: owner.owner,
  };
  return JSON.stringify(manifest, null, 2);
}

async function tarFor(run: DeployRun, changes: readonly FileChange[]): Promise<{ stream: Readable; bytes: number }> {
  const { layout } = run.settings;
  const byName = new Map(run.files.map((f) => [f.name, f]));
  const entries = changes
    .filter((c) => c.change !== 'remove')
    .map((c) => ({ name: stagedEntryName(layout, c.name), content: (byName.get(c.name) as LocalFile).content }));
  const archive = await tarArchive(entries);
  return { stream: Readable.from([archive]), bytes: archive.length };
}

/** Runs a deploy plan. Every failure after the lock is taken leaves the previous working state running. */
export async function applyDeploy(run: DeployRun, observed: ObservedState, plan: DeployPlan): Promise<DeployResult> {
  const { session, settings, out } = run;
  const { layout, dockerPath: docker } = settings;
  const manifest = manifestText(run.files, run.owner);
  if (plan.blockers.length > 0) throw new UserError(plan.blockers.join('\n'));
  if (plan.actions.length === 0) return { changed: false, actions: [] };

  const lockScript = lockScriptFor(run, observed);
  const upload = plan.actions.find((a) => a.kind === 'upload-config');
  let locked = false;
  let configSwapped = false;
  const release = async () => {
    if (locked) await session.run(releaseLockScript(layout));
    locked = false;
  };

  // A config-only change is one exec: lock, receive the tar, move the files in, reload (or put them back), unlock.
  const configOnly =
    upload !== undefined && plan.actions.every((a) => a.kind === 'upload-config' || a.kind === 'reload');

  try {
    // Taking the lock and receiving the upload share one exec: the tar only lands in the staging folder.
    if (configOnly) {
      // all in reload()
    } else if (upload) {
      const tar = await tarFor(run, upload.changes);
      out.progress(`uploading ${upload.changes.length} change(s), ${tar.bytes} bytes, to ${layout.stagingDir}`);
      const r = await session.run(join(lockScript, uploadScript(layout)), { stdin: tar.stream, stdinBytes: tar.bytes });
      if (r.code === LOCKED_EXIT) throw lockFailure(r, layout.lockDir);
      locked = r.code !== null;
      if (failed(r)) throw new UserError(`upload failed (${explainFailure(r)}); alloy-legacy was not touched`);
    } else {
      const r = await session.run(lockScript);
      if (r.code === LOCKED_EXIT) throw lockFailure(r, layout.lockDir);
      if (failed(r)) throw new UserError(`could not take the lock ${layout.lockDir}: ${explainFailure(r)}`);
      locked = true;
    }

    for (const action of plan.actions) {
      await step(action);
    }
    await release();
    return { changed: true, actions: plan.actions.map((a) => a.kind) };
  } finally {
    if (locked && session) await release().catch(() => undefined);
  }

  async function step(action: DeployAction): Promise<void> {
    switch (action.kind) {
      case 'restore-previous-container': {
        out.progress(`renaming ${layout.previousContainer} back to ${layout.container}`);
        const r = await session.run(restorePreviousContainerScript(docker, layout));
        if (failed(r)) throw new UserError(`could not restore ${layout.previousContainer}: ${explainFailure(r)}`);
        return;
      }
      case 'pull-image': {
        out.progress(`pulling ${action.image} (this can take a while)`);
        const r = await session.run(pullScript(docker, action.image));
        if (failed(r))
          throw new UserError(`pulling ${action.image} failed: ${explainFailure(r)}; alloy-legacy was not touched`);
        return;
      }
      case 'create-dirs': {
        const r = await session.run(createDirsScript(action.dirs));
        if (failed(r)) throw new UserError(`could not create ${action.dirs.join(', ')}: ${explainFailure(r)}`);
        return;
      }
      case 'upload-config':
        return; // staged above; moved into place by the action that makes Alloy read it
      case 'reload':
        return reload();
      case 'create-container':
        return recreate(action.replaces);
      case 'start-container':
        return start();
      case 'remove-leftover-container':
        return removeLeftover(action.name, observed.previousConfigExists);
    }
  }

  async function reload(): Promise<void> {
    const swap = upload ? swapConfigScript(layout, upload.changes) : '';
    // The lock is released in the same exec (either way the NAS ends in a consistent state): one command less.
    const reloadAndUnlock = reloadOrRestoreScript(layout, settings.httpPort, manifest, releaseLockScript(layout));
    let r: RunResult;
    if (configOnly && upload) {
      const tar = await tarFor(run, upload.changes);
      out.progress(`uploading ${upload.changes.length} change(s), ${tar.bytes} bytes, and reloading (POST /-/reload)`);
      r = await session.run(join(lockScript, uploadScript(layout), `echo ${uploadedMarker}`, swap, reloadAndUnlock), {
        stdin: tar.stream,
        stdinBytes: tar.bytes,
      });
      if (r.code === LOCKED_EXIT) throw lockFailure(r, layout.lockDir);
      if (!r.stdout.includes(uploadedMarker)) {
        throw new UserError(`upload failed (${explainFailure(r)}); alloy-legacy was not touched`);
      }
    } else {
      out.progress('moving the new config into place and reloading (POST /-/reload)');
      r = await session.run(join(swap, reloadAndUnlock));
    }
    locked = false;
    const status = /@@status=(\d*)/.exec(r.stdout)?.[1];
    if (status === '200') return;
    if (r.code === null || status === undefined) {
      throw new UserError(
        `the reload did not finish (${explainFailure(r)}). The NAS either has the new files and the reload, or the ` +
          'old files back: run deploy again, it checks and completes what is missing',
      );
    }
    const body = r.stdout.replace(/\n?@@status=.*$/s, '').trim();
    const reason =
      status && status !== '000'
        ? `reload rejected (HTTP ${status}${body ? `: ${body}` : ''})`
        : `the reload request got no answer from port ${settings.httpPort}`;
    const logs = await containerLogs(layout.container);
    throw new UserError(
      `${reason}; the previous config files were put back, so a restart loads the config Alloy keeps running`,
      1,
      logs,
    );
  }

  /**
   * An earlier recreate stopped before removing the container it kept aside: the current one was never confirmed
   * ready. Confirm it now; if it is not ready, go back to the kept one, as that run would have.
   */
  async function removeLeftover(name: string, previousConfigKept: boolean): Promise<void> {
    out.progress(`an earlier run left ${name}: checking that ${layout.container} is ready before removing it`);
    const ready = await session.run(waitReadyScript(settings.httpPort, settings.readyTimeoutSeconds));
    if (failed(ready)) {
      configSwapped = previousConfigKept;
      return rollback(
        `${layout.container} (left by an interrupted run) is not ready (${explainFailure(ready)})`,
        'restore-previous',
      );
    }
    await session.run(removeContainerScript(docker, name, true));
  }

  async function recreate(replaces: boolean): Promise<void> {
    out.progress(
      replaces
        ? `recreating ${layout.container} (${settings.container.image}); the old one is kept until the new one is ready`
        : `creating ${layout.container} (${settings.container.image})`,
    );
    const swap = upload ? swapConfigScript(layout, upload.changes, { manifest }) : '';
    const created = await session.run(
      join(swap, replaces ? setAsideScript(docker, layout) : '', runContainerScript(docker, settings.container)),
    );
    configSwapped = upload !== undefined;
    if (failed(created)) {
      // Set aside or not decides what the rollback may touch: before that, alloy-legacy is still the old one.
      const asideDone = created.stdout.includes(setAsideMarker);
      return rollback(
        `could not start the new container (${explainFailure(created)})`,
        !replaces ? 'remove-new' : asideDone ? 'restore-previous' : 'leave',
      );
    }
    await waitReadyOrRollback(replaces ? 'restore-previous' : 'remove-new');
    if (replaces) await session.run(removeContainerScript(docker, layout.previousContainer, true));
  }

  async function start(): Promise<void> {
    out.progress(`starting ${layout.container}`);
    const swap = upload ? swapConfigScript(layout, upload.changes, { manifest }) : '';
    const r = await session.run(join(swap, startContainerScript(docker, layout.container)));
    configSwapped = upload !== undefined;
    // It was stopped before this run: a rollback stops it again (with the previous config back in place).
    if (failed(r)) return rollback(`could not start ${layout.container} (${explainFailure(r)})`, 'stop-started');
    await waitReadyOrRollback('stop-started');
  }

  async function waitReadyOrRollback(undo: ContainerUndo): Promise<void> {
    out.progress(`waiting up to ${settings.readyTimeoutSeconds} s for GET /-/ready`);
    const ready = await session.run(waitReadyScript(settings.httpPort, settings.readyTimeoutSeconds));
    if (failed(ready)) {
      return rollback(
        `${layout.container} did not become ready within ${settings.readyTimeoutSeconds} s (${explainFailure(ready)})`,
        undo,
      );
    }
  }

  async function containerLogs(name: string): Promise<string[]> {
    const r = await session.run(logsScript(docker, name));
    if (r.code !== 0) return []; // no such container (docker run itself failed): no logs to show
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .filter((l) => l !== '');
    return lines.length > 0 ? [`last log lines of ${name}:`, ...lines.map((l) => `  ${l}`)] : [];
  }

  async function rollback(reason: string, undo: ContainerUndo): Promise<never> {
    const logs = await containerLogs(layout.container);
    out.progress('rolling back to the previous config and container');
    const containerStep: Record<ContainerUndo, string> = {
      'restore-previous': restorePreviousContainerScript(docker, layout),
      'remove-new': `${removeContainerScript(docker, layout.container, true)} 2>/dev/null || true`,
      // Stopped first, so the container never runs the restored files half-way through the restore.
      'stop-started': stopContainerScript(docker, layout.container),
      leave: '',
    };
    const steps = [containerStep[undo], configSwapped ? restoreConfigScript(layout) : ''];
    const undone = await session.run(join(...steps));
    let outcome: string;
    if (failed(undone)) outcome = `rolling back failed too (${explainFailure(undone)}): check the NAS by hand`;
    else if (undo === 'restore-previous') {
      await session.run(startContainerScript(docker, layout.container));
      const ready = await session.run(waitReadyScript(settings.httpPort, settings.readyTimeoutSeconds));
      outcome = failed(ready)
        ? `the previous container was restored but is not ready either (${explainFailure(ready)})`
        : 'rolled back: the previous config and container are running again';
    } else if (undo === 'stop-started') {
      outcome = configSwapped
        ? `rolled back: the previous config files were put back and ${layout.container} is stopped again, as it was`
        : `${layout.container} is stopped again, as it was`;
    } else {
      outcome = configSwapped ? 'rolled back: the previous config files were put back' : 'nothing else was changed';
    }
    throw new UserError(`${reason}; ${outcome}`, 1, logs);
  }
}
