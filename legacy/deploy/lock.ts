import { hostname, userInfo } from 'node:os';
import {
  LOCKED_EXIT,
  type RemoteCall,
  type RemoteContext,
  remoteCommand,
  remoteProtocol,
  stepOutputs,
} from '../remote/script';
import type { Output } from '../shared/output';
import type { RemoteSession, RunResult } from '../shared/ssh-session';
import { UserError } from '../shared/user-error';
import type { DeploySettings } from './desired';
import { parseObservation } from './observe';
import type { ObservedLock, ObservedState } from './observed';

/** Who is deploying, written into the lock's owner file. */
export interface LockOwner {
  readonly owner: string;
  readonly pid: number;
}

export function lockOwner(): LockOwner {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry for this uid (some containers): keep $USER
  }
  return { owner: `${user}@${hostname()}`, pid: process.pid };
}

export function describeAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

export function describeLock(lock: ObservedLock): string {
  return `${lock.owner} (pid ${lock.pid}), taken ${describeAge(lock.ageSeconds)} ago${lock.time ? ` (${lock.time})` : ''}`;
}

/** The note plan and status print about a lock they found (they take none). */
export function lockNote(lock: ObservedLock | null): string[] {
  if (!lock) return [];
  return lock.holderAlive === false
    ? [`lock stale: ${describeLock(lock)}; no run acts under it any more, the next deploy takes it over`]
    : [`lock held: ${describeLock(lock)}; a deploy or rename is running`];
}

/** What to say when the Docker engine did not answer: nothing about the containers is known. */
export function engineProblemText(observed: ObservedState, settings: DeploySettings): string | null {
  return observed.engineProblem === null
    ? null
    : `the Docker engine on the NAS did not answer through ${settings.dockerPath} (${observed.engineProblem}): ` +
        'the containers cannot be seen; check target.dockerPath in dev.yaml and that the engine runs';
}

export function remoteContext(settings: DeploySettings): RemoteContext {
  return { dockerPath: settings.dockerPath, rootDir: settings.layout.rootDir, httpPort: settings.httpPort };
}

/** The observe step for this deploy's image. */
export function observeCall(settings: DeploySettings): RemoteCall {
  return { step: 'observe', args: [settings.container.image] };
}

export const releaseCall: RemoteCall = { step: 'release', args: [] };

/** Observes without the lock (plan, status, --dry-run): one exec. */
export async function observeUnlocked(session: RemoteSession, settings: DeploySettings): Promise<ObservedState> {
  const r = await session.run(remoteCommand(remoteContext(settings), [observeCall(settings)]));
  return observation(r, session, settings);
}

function observation(r: RunResult, session: RemoteSession, settings: DeploySettings): ObservedState {
  const observe = stepOutputs(r.stdout).find((o) => o.step === 'observe');
  if (r.code === null || !observe || observe.status === null) {
    throw new UserError(`lost the connection to ${session.description} while looking around`);
  }
  try {
    return parseObservation(observe.output, settings.layout, settings.dockerPath);
  } catch (e) {
    throw new UserError(`${(e as Error).message}${r.stderr ? `: ${r.stderr.trim()}` : ''}`);
  }
}

function ownerLine(text: string): string {
  const kv = lockState(text);
  const age = kv.now && kv.mtime ? `, taken ${describeAge(Math.max(0, Number(kv.now) - Number(kv.mtime)))} ago` : '';
  return `${kv.owner ?? 'unknown owner'} (pid ${kv.pid ?? '?'})${age}${kv.time ? ` (${kv.time})` : ''}`;
}

/** Seconds a run waits for an interrupted run whose NAS side still acts (its last step, its undo, the release). */
export function interruptedRunWait(settings: DeploySettings): number {
  return settings.readyTimeoutSeconds * 3 + 60;
}

function lockState(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^(\w+)=(.*)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

/** The lock's SSH session has ended but the script it started still acts under it: an interrupted run finishing. */
function interruptedRunActs(text: string): boolean {
  const kv = lockState(text);
  return kv.sessionAlive === 'no' && kv.actorAlive === 'yes';
}

/**
 * deploy's and rename's first exec: take the lock, then observe, so that nothing they act on is seen outside the
 * lock. A live lock (its SSH session, or the script acting under it, still runs) refuses the run, but one whose
 * session has ended while its script still acts (an interrupted run stopping and undoing) is waited for, at most
 * `interruptedRunWait` seconds; a lock that is not live, or has no complete owner record, is taken over (said as a
 * warning), and `force` (--force-unlock) removes any. The lock is held until the run's last exec releases it.
 */
export async function lockAndObserve(
  session: RemoteSession,
  settings: DeploySettings,
  options: { owner: LockOwner; force: boolean; out: Output },
): Promise<ObservedState> {
  const attempt = async (waitSeconds: number) => {
    const lock: RemoteCall = {
      step: 'lock',
      args: [
        options.owner.owner,
        String(options.owner.pid),
        new Date().toISOString(),
        options.force ? 'force' : '',
        String(waitSeconds),
      ],
    };
    const r = await session.run(remoteCommand(remoteContext(settings), [lock, observeCall(settings)]));
    return { r, locked: stepOutputs(r.stdout).find((o) => o.step === 'lock') };
  };
  let { r, locked } = await attempt(0);
  if (locked?.status === LOCKED_EXIT && interruptedRunActs(locked.output)) {
    const wait = interruptedRunWait(settings);
    options.out.progress(
      `the lock ${settings.layout.lockDir} is held by an interrupted run, ${ownerLine(locked.output)}, whose NAS side ` +
        `(pid ${lockState(locked.output).actor}) still acts; waiting up to ${wait} s for it to finish`,
    );
    ({ r, locked } = await attempt(wait));
    if (locked?.status === LOCKED_EXIT && interruptedRunActs(locked.output)) {
      throw new UserError(
        `an interrupted legacy-deploy, ${ownerLine(locked.output)}, still acts on the NAS (pid ` +
          `${lockState(locked.output).actor}) after ${wait} s: run again once it has finished`,
      );
    }
  }
  if (locked?.status === LOCKED_EXIT) {
    throw new UserError(
      `another legacy-deploy holds the lock ${settings.layout.lockDir}: ${ownerLine(locked.output)}. Wait for it to ` +
        'finish; if no deploy is running (e.g. it was killed), run again with --force-unlock.',
    );
  }
  if (locked && locked.status !== null && locked.status !== 0) {
    const said = r.stderr.trim() || locked.output;
    const noSpace = /no space left on device/i.test(said) ? ' (no space left on the NAS)' : '';
    throw new UserError(`could not take the lock ${settings.layout.lockDir}${noSpace}: ${said}`);
  }
  if (locked?.output.includes(remoteProtocol.marker.tookOver)) {
    options.out.warn(
      lockState(locked.output).incomplete === 'yes'
        ? `took over a lock without a complete owner record, so no run held it (a run that could not write its record, e.g. on a full disk, left it)`
        : `took over a stale lock of ${ownerLine(locked.output)}: its SSH session had ended and nothing acted under it`,
    );
  }
  if (locked?.output.includes(remoteProtocol.marker.removedLock)) {
    options.out.warn(`--force-unlock: removed the lock of ${ownerLine(locked.output)}`);
  }
  return observation(r, session, settings);
}
