import { execFileSync } from 'node:child_process';
import {
  fastGoMarker,
  fastObservationMarker,
  fastPathAllowed,
  fastStoppedMarker,
  observationDigest,
  parseFastOutput,
  withoutLockSection,
} from '../../legacy/deploy/fast-path';
import type { ObservedLock, ObservedState } from '../../legacy/deploy/observed';
import type { DeployAction, DeployPlan } from '../../legacy/deploy/plan';

/** Only the parts fastPathAllowed reads; the rest of a remembered observation does not decide anything. */
function remembered(lock: ObservedLock | null = null): ObservedState {
  return { lock } as ObservedState;
}

const upload: DeployAction = { kind: 'upload-config', changes: [{ name: 'main.alloy', change: 'change' }] };
const reload: DeployAction = { kind: 'reload' };
const plan = (actions: DeployAction[], blockers: string[] = []): DeployPlan => ({ actions, blockers });
const normalRun = { dryRun: false, forceUnlock: false };

describe('fastPathAllowed (when a deploy may go in one guarded exec)', () => {
  test('a config-only plan (upload, reload) against a remembered observation may', () => {
    expect(fastPathAllowed(remembered(), plan([upload, reload]), normalRun)).toBe(true);
  });

  test('without a remembered observation it may not: there is nothing to compare the NAS with', () => {
    expect(fastPathAllowed(null, plan([upload, reload]), normalRun)).toBe(false);
  });

  test.each<[string, DeployAction[]]>([
    ['nothing to do (the no-op run only looks)', []],
    ['a start of a stopped container', [upload, { kind: 'start-container' }]],
    ['a recreate', [upload, { kind: 'create-container', replaces: true, reasons: ['image'] }]],
    ['a pull', [{ kind: 'pull-image', image: 'x' }, upload, reload]],
    ['missing folders', [{ kind: 'create-dirs', dirs: ['/a'] }, upload, reload]],
    ['a leftover container', [{ kind: 'remove-leftover-container', name: 'p' }, upload, reload]],
    ['a reload without an upload', [reload]],
  ])('a plan with %s may not', (_name, actions) => {
    expect(fastPathAllowed(remembered(), plan(actions), normalRun)).toBe(false);
  });

  test('a plan with blockers may not', () => {
    expect(fastPathAllowed(remembered(), plan([upload, reload], ['rename first']), normalRun)).toBe(false);
  });

  test('a remembered lock (held or stale) may not: the normal path reports it or takes it over', () => {
    const lock: ObservedLock = {
      owner: 'a@b',
      pid: '1',
      since: 0,
      time: '',
      ageSeconds: 5,
      holderAlive: false,
      raw: '',
    };
    expect(fastPathAllowed(remembered(lock), plan([upload, reload]), normalRun)).toBe(false);
  });

  test('--dry-run and --force-unlock take the normal path', () => {
    expect(fastPathAllowed(remembered(), plan([upload, reload]), { dryRun: true, forceUnlock: false })).toBe(false);
    expect(fastPathAllowed(remembered(), plan([upload, reload]), { dryRun: false, forceUnlock: true })).toBe(false);
  });
});

describe('the precondition digest', () => {
  const observation = '@@dirs\nroot\n@@files\nmain.alloy\n@@lock\n@@inspect\n[]\n@@image\npresent\n\n@@end\n';

  test('leaves out the lock section (the fast exec compares while holding the lock itself)', () => {
    expect(withoutLockSection(observation)).toBe(
      '@@dirs\nroot\n@@files\nmain.alloy\n@@inspect\n[]\n@@image\npresent\n\n@@end\n',
    );
    const locked = observation.replace('@@lock\n', '@@lock\nnow=5\nowner=x\n');
    expect(observationDigest(locked)).toBe(observationDigest(observation));
  });

  test("equals what the NAS's shell computes with printf '%s\\n' \"$(observe)\" | sha256sum", () => {
    const lockless = withoutLockSection(observation);
    const nas = execFileSync('sh', ['-c', 'obs=$(cat); printf \'%s\\n\' "$obs" | sha256sum | cut -c1-64'], {
      input: lockless,
      encoding: 'utf8',
    }).trim();
    expect(observationDigest(observation)).toBe(nas);
  });

  test('differs when anything else in the observation differs', () => {
    expect(observationDigest(observation.replace('main.alloy', 'other.alloy'))).not.toBe(
      observationDigest(observation),
    );
  });
});

describe('parseFastOutput', () => {
  test('a skipped exec: no change output, the observation after the marker', () => {
    const r = parseFastOutput(`${fastObservationMarker}\n@@dirs\nroot\n@@end\n`);
    expect(r).toEqual({ went: false, changeOutput: '', observation: '@@dirs\nroot\n@@end\n' });
  });

  test('an exec that went ahead: the reload output between the go marker and the observation', () => {
    const r = parseFastOutput(
      `${fastGoMarker}\n@@uploaded\nconfig reloaded\n@@status=200\n${fastObservationMarker}\n@@end\n`,
    );
    expect(r).toEqual({
      went: true,
      changeOutput: '@@uploaded\nconfig reloaded\n@@status=200',
      observation: '@@end\n',
    });
  });

  test('an exec the local side stopped (lint failed) did not go ahead', () => {
    const r = parseFastOutput(`${fastGoMarker}\n${fastStoppedMarker}\n${fastObservationMarker}\n@@end\n`);
    expect(r).toMatchObject({ went: false, observation: '@@end\n' });
  });

  test('an exec cut short has no observation', () => {
    expect(parseFastOutput(`${fastGoMarker}\n`).observation).toBeNull();
    expect(parseFastOutput('').observation).toBeNull();
  });
});
