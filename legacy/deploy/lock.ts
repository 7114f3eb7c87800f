import type { Layout } from './layout';
import { keyValueFunction, processStartFunction } from './observe';
import type { ObservedLock } from './observed';
import { shellQuote as q } from './shell';

/** Exit status of the lock script when someone else holds the lock. */
export const LOCKED_EXIT = 75;

/** Who is deploying, written into the lock's owner file. */
export interface LockOwner {
  readonly owner: string;
  readonly pid: number;
}

/**
 * Takes the remote lock: `mkdir` is atomic, so of two deploys exactly one creates the folder. The owner file names
 * the user, machine, pid and time, and the SSH session process on the NAS (`$PPID` of this command) with its
 * start time: when that session ends without releasing (a killed connection), the next run can tell the lock is
 * stale. `takeOver` removes the lock only if its owner file still has that exact text (a known-stale lock);
 * `force` removes any lock (--force-unlock).
 */
export function acquireLockScript(
  layout: Layout,
  owner: LockOwner,
  options: { takeOver?: string; force?: boolean } = {},
): string {
  const lock = q(layout.lockDir);
  const ownerFile = q(`${layout.lockDir}/owner`);
  return [
    processStartFunction,
    options.force ? `rm -rf ${lock}` : '',
    options.takeOver !== undefined
      ? `[ "$(cat ${ownerFile} 2>/dev/null)" = ${q(options.takeOver)} ] && rm -rf ${lock}`
      : '',
    `if mkdir ${lock} 2>/dev/null; then`,
    // `time` is the deploying machine's clock, for people; the age is told from the folder's mtime (the NAS clock).
    '  proc_start "$PPID"',
    `  printf 'owner=%s\\npid=%s\\ntime=%s\\nsession=%s\\nsessionStart=%s\\n' ${q(owner.owner)} ${owner.pid} ${q(new Date().toISOString())} "$PPID" "$started" > ${ownerFile}`,
    `elif [ -d ${lock} ]; then`,
    `  cat ${ownerFile} 2>/dev/null; exit ${LOCKED_EXIT}`,
    'else',
    `  echo ${q(`cannot create ${layout.lockDir}`)} >&2; exit 1`,
    'fi',
  ]
    .filter((l) => l !== '')
    .join('\n');
}

/** Removes the lock if this SSH session holds it (every command of one run shares the session's `$PPID`). */
export function releaseLockScript(layout: Layout): string {
  const ownerFile = q(`${layout.lockDir}/owner`);
  return `${keyValueFunction}\nkv ${ownerFile} session; [ "$v" = "$PPID" ] && rm -rf ${q(layout.lockDir)}; true`;
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
