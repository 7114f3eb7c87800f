import { remoteProtocol } from '../remote/script';
import type { DeployStepKind } from './plan';

const { marker } = remoteProtocol;

/**
 * What a deploy did before one of its steps failed, as the steps themselves reported it (the remote script's
 * markers): the executor fills it in, `rollbackFor` reads it. Nothing in it is guessed from the plan alone.
 */
export interface RollbackRecord {
  /** The config as it was before this run is kept in the previous-config folder (`@@saved-previous`). */
  readonly configSaved: boolean;
  /** swap-and-reload already put the previous files back itself (its reload was rejected). */
  readonly configRestoredOnNas: boolean;
  /**
   * A container is kept aside as alloy-legacy-previous while alloy-legacy is unproven: this run set it aside
   * (`@@set-aside`), or an interrupted run left it. Cleared once remove-previous has removed it.
   */
  readonly previousKept: boolean;
  /** A new alloy-legacy may exist: swap-and-recreate got as far as `docker run` (which can create, then fail). */
  readonly createAttempted: boolean;
  /** swap-and-start got as far as `docker start` on a container that was stopped before this run. */
  readonly startAttempted: boolean;
  /** Alloy was asked to load the new files (a reload was sent, whatever it answered). */
  readonly reloadSent: boolean;
}

export const nothingDone: RollbackRecord = {
  configSaved: false,
  configRestoredOnNas: false,
  previousKept: false,
  createAttempted: false,
  startAttempted: false,
  reloadSent: false,
};

/** Undo steps, named as the remote script's functions they run. */
export type UndoStep =
  | 'restore-config'
  | 'reload-restored'
  | 'remove-new-container'
  | 'stop-started-container'
  | 'restore-previous-container'
  | 'wait-ready';

/**
 * Pure: the undo steps that bring the NAS back to how it was before the run, in order. The config goes back
 * before a container starts on it; a container kept aside comes back (and the new one goes); a container this run
 * created goes; one it started is stopped again; files Alloy was asked to load are put back and reloaded.
 */
export function rollbackFor(record: RollbackRecord): UndoStep[] {
  const restoreConfig = record.configSaved && !record.configRestoredOnNas;
  const undo: UndoStep[] = [];
  if (record.previousKept) {
    if (restoreConfig) undo.push('restore-config');
    undo.push('restore-previous-container', 'wait-ready');
  } else if (record.createAttempted) {
    undo.push('remove-new-container');
    if (restoreConfig) undo.push('restore-config');
  } else if (record.startAttempted) {
    // Stopped first, so that it never runs the files half-way through the restore.
    undo.push('stop-started-container');
    if (restoreConfig) undo.push('restore-config');
  } else if (restoreConfig || record.configRestoredOnNas) {
    if (restoreConfig) undo.push('restore-config');
    // Also when swap-and-reload put the files back itself: Alloy reports the hash of the files it last tried to
    // load, accepted or not (upstream InstrumentConfig), so until the put-back files are loaded again its
    // alloy_config_hash names the rejected config and alloy_config_last_load_successful is 0 (seen on the real
    // Alloy: test/legacy/deploy-real-alloy.test.ts).
    if (record.reloadSent) undo.push('reload-restored');
  }
  return undo;
}

/** The record after a step of `kind` reported `markers` and ended `ok` or not. */
export function recordStep(
  record: RollbackRecord,
  kind: DeployStepKind,
  markers: ReadonlySet<string>,
  ok: boolean,
): RollbackRecord {
  return {
    configSaved: record.configSaved || markers.has(marker.savedPrevious),
    configRestoredOnNas: record.configRestoredOnNas || markers.has(marker.restoredConfig),
    previousKept: (record.previousKept || markers.has(marker.setAside)) && !(kind === 'remove-previous' && ok),
    createAttempted: record.createAttempted || (kind === 'swap-and-recreate' && markers.has(marker.swapped)),
    startAttempted: record.startAttempted || (kind === 'swap-and-start' && markers.has(marker.swapped)),
    reloadSent: record.reloadSent || ((kind === 'swap-and-reload' || kind === 'reload') && markers.has(marker.status)),
  };
}
