import { boundaryUndo } from '../../legacy/deploy/apply-deploy';
import type { DeployPlan } from '../../legacy/deploy/plan';
import { nothingDone, type RollbackRecord, recordStep, rollbackFor } from '../../legacy/deploy/rollback';

/** The rollback choice is a pure function of what the steps reported (legacy/deploy/rollback.ts). */
const record = (overrides: Partial<RollbackRecord>): RollbackRecord => ({ ...nothingDone, ...overrides });
const markers = (...m: string[]) => new Set(m);

describe('rollbackFor', () => {
  test('nothing done (pull, stage or validate failed): nothing to undo', () => {
    expect(rollbackFor(nothingDone)).toEqual([]);
  });

  test('a rejected reload already put the files back on the NAS: nothing more', () => {
    expect(rollbackFor(record({ configSaved: true, configRestoredOnNas: true }))).toEqual([]);
  });

  test('reloaded but the hash proof failed: the previous files back, and reloaded', () => {
    expect(rollbackFor(record({ configSaved: true, reloadSent: true }))).toEqual(['restore-config', 'reload-restored']);
  });

  test('a recreate after set-aside: config back first, then the kept container, then wait for it', () => {
    expect(rollbackFor(record({ configSaved: true, previousKept: true, createAttempted: true }))).toEqual([
      'restore-config',
      'restore-previous-container',
      'wait-ready',
    ]);
  });

  test('a set-aside whose recreate never swapped the config leaves the config alone', () => {
    expect(rollbackFor(record({ previousKept: true }))).toEqual(['restore-previous-container', 'wait-ready']);
  });

  test('a fresh create: the new container goes, the config comes back', () => {
    expect(rollbackFor(record({ configSaved: true, createAttempted: true }))).toEqual([
      'remove-new-container',
      'restore-config',
    ]);
  });

  test('a start of a stopped container: stopped again before the files go back', () => {
    expect(rollbackFor(record({ configSaved: true, startAttempted: true }))).toEqual([
      'stop-started-container',
      'restore-config',
    ]);
  });

  test('the config kept this run is never "restored" when this run did not keep it', () => {
    // (the previous-config folder then holds an older deploy's files)
    expect(rollbackFor(record({ reloadSent: true }))).toEqual([]);
    expect(rollbackFor(record({ startAttempted: true }))).toEqual(['stop-started-container']);
  });
});

describe('recordStep', () => {
  test('markers fill the record; a successful remove-previous ends what a restore could bring back', () => {
    let r = recordStep(nothingDone, 'set-aside', markers('@@set-aside'), true);
    expect(r.previousKept).toBe(true);
    r = recordStep(r, 'swap-and-recreate', markers('@@saved-previous', '@@swapped'), false);
    expect(r).toMatchObject({ configSaved: true, createAttempted: true });
    expect(recordStep(r, 'remove-previous', markers(), true).previousKept).toBe(false);
    expect(recordStep(r, 'remove-previous', markers(), false).previousKept).toBe(true);
  });

  test('a reload that was answered counts as sent, also when the files were put back at once', () => {
    const swapped = markers('@@saved-previous', '@@swapped', '@@status');
    expect(recordStep(nothingDone, 'swap-and-reload', swapped, true).reloadSent).toBe(true);
    const rejected = markers('@@saved-previous', '@@swapped', '@@status', '@@restored-config');
    const record = recordStep(nothingDone, 'swap-and-reload', rejected, false);
    expect(record).toMatchObject({ reloadSent: true, configRestoredOnNas: true });
    // Alloy reports the rejected files' hash until the put-back files are loaded again: they are reloaded
    expect(rollbackFor(record)).toEqual(['reload-restored']);
  });

  test('a swap that never kept the previous config gives no config to restore', () => {
    expect(recordStep(nothingDone, 'swap-and-start', markers(), false)).toEqual(nothingDone);
  });
});

describe('boundaryUndo: what an interrupted run does before each step', () => {
  test('a version change undoes what the steps before did until the proof, then finishes', () => {
    const plan: DeployPlan = {
      steps: [
        { kind: 'stage', changes: [] },
        { kind: 'validate', image: 'i' },
        { kind: 'set-aside' },
        { kind: 'swap-and-recreate', reasons: ['image'], replaces: true },
        { kind: 'wait-ready' },
        { kind: 'verify-hash', sha256: 'a'.repeat(64) },
        { kind: 'remove-previous' },
      ],
      blockers: [],
      desiredHash: 'a'.repeat(64),
    };
    const back = ['restore-config', 'restore-previous-container', 'wait-ready'];
    expect(boundaryUndo(plan, nothingDone)).toEqual([
      [],
      [],
      [],
      ['restore-previous-container', 'wait-ready'],
      back,
      back,
      'finish',
      'finish',
    ]);
  });

  test('a config-only change: the previous files back and reloaded once they were reloaded', () => {
    const plan: DeployPlan = {
      steps: [
        { kind: 'stage', changes: [] },
        { kind: 'validate', image: 'i' },
        { kind: 'swap-and-reload' },
        { kind: 'verify-hash', sha256: 'a'.repeat(64) },
      ],
      blockers: [],
      desiredHash: 'a'.repeat(64),
    };
    expect(boundaryUndo(plan, nothingDone)).toEqual([[], [], [], ['restore-config', 'reload-restored'], 'finish']);
  });
});
