import { createHash } from 'node:crypto';
import type { DeploySettings } from './desired';
import { inspectScript, observeScript } from './observe';
import type { ObservedState } from './observed';
import type { DeployPlan } from './plan';

/*
 * The config-only fast path: the plan is computed (by the same pure planner) against the observation the last run
 * remembered, and applied in ONE exec that first checks, on the NAS and under the lock, that the NAS still gives
 * exactly that observation (compare-and-swap). If it does not, nothing is changed and the exec returns the fresh
 * observation, with which the normal path continues. Either way the exec ends with a fresh observation, which is
 * what the next run remembers.
 */

/** Line before the fresh observation at the end of the fast exec (not a `@@name` section of the observation). */
export const fastObservationMarker = '@@fast-observation';
/** Printed when the precondition held: the NAS now waits for the local verdict (the lint) and the tar. */
export const fastGoMarker = '@@fast-go';
/** Printed when the local side sent `stop` instead of the tar: nothing was changed. */
export const fastStoppedMarker = '@@fast-stopped';

/** Pure: whether the plan made against a remembered observation may take the single-exec path. */
export function fastPathAllowed(
  remembered: ObservedState | null,
  plan: DeployPlan,
  options: { readonly dryRun: boolean; readonly forceUnlock: boolean },
): boolean {
  if (!remembered || options.dryRun || options.forceUnlock) return false;
  // A lock (even a stale one) needs the normal path's reporting and take-over.
  if (remembered.lock !== null || plan.blockers.length > 0) return false;
  const kinds = plan.actions.map((a) => a.kind);
  return kinds.length === 2 && kinds[0] === 'upload-config' && kinds[1] === 'reload';
}

/** The observation without its lock section: the fast exec compares it while holding the lock itself. */
export function withoutLockSection(observation: string): string {
  const out: string[] = [];
  let inLock = false;
  for (const line of observation.split('\n')) {
    if (/^@@[a-z]+$/.test(line)) inLock = line === '@@lock';
    if (!inLock) out.push(line);
  }
  return out.join('\n');
}

/** sha256 of the lock-less observation as the NAS computes it (`printf '%s\n' "$(observe)" | sha256sum`). */
export function observationDigest(observation: string): string {
  const normalized = `${withoutLockSection(observation).replace(/\n+$/, '')}\n`;
  return createHash('sha256').update(normalized).digest('hex');
}

/**
 * The single exec: take the lock, compare the NAS's observation with `expectedDigest`, and only on a match (and a
 * `go` line on stdin) run `change` (receive the tar, swap, reload or restore, unlock). Otherwise release the lock
 * (if taken), drain the unused upload and change nothing. Ends with the full observation after the
 * `fastObservationMarker` line.
 */
export function fastConfigScript(
  settings: DeploySettings,
  expectedDigest: string,
  lockScript: string,
  releaseScript: string,
  change: string,
): string {
  return [
    // Functions are defined at top level: `case` patterns inside `$( )` trip up some shells.
    'observe_nas() {',
    observeScript(settings, { lock: false, inspected: true }),
    '}',
    'observe_full() {',
    observeScript(settings, { inspected: true }),
    '}',
    // The lock first: the compared state cannot change between the check and the change.
    'lock_out=$(',
    lockScript,
    '); lock_rc=$?',
    // One docker inspect, taken under the lock, for both observations: a reload changes nothing docker shows,
    // and no other legacy-deploy can change the container while this one holds the lock.
    inspectScript(settings),
    `if [ "$lock_rc" = 0 ] && [ "$(printf '%s\\n' "$(observe_nas)" | sha256sum 2>/dev/null | cut -c1-64)" = ${expectedDigest} ]; then`,
    `  echo ${fastGoMarker}`,
    // The local side lints while the NAS gets this far, then sends `go` and the tar, or `stop` (lint failed).
    '  read -r verdict',
    '  if [ "$verdict" = go ]; then',
    change,
    '  else',
    `    ${releaseScript.split('\n').join('; ')}`,
    `    echo ${fastStoppedMarker}`,
    '  fi',
    'else',
    `  [ "$lock_rc" = 0 ] && { ${releaseScript.split('\n').join('; ')}; }`,
    '  cat >/dev/null',
    'fi',
    `echo ${fastObservationMarker}`,
    'observe_full',
  ].join('\n');
}

/** Splits the fast exec's output into what the change printed and the observation that follows it. */
export function parseFastOutput(stdout: string): { went: boolean; changeOutput: string; observation: string | null } {
  const marked = `\n${stdout}`;
  const found = marked.lastIndexOf(`\n${fastObservationMarker}\n`);
  const head = found >= 0 ? marked.slice(1, Math.max(1, found)) : stdout;
  const lines = head.split('\n');
  const went = lines.includes(fastGoMarker) && !lines.includes(fastStoppedMarker);
  const changeOutput = went ? head.slice(head.indexOf(fastGoMarker) + fastGoMarker.length + 1) : '';
  return {
    went,
    changeOutput,
    observation: found >= 0 ? marked.slice(found + fastObservationMarker.length + 2) : null,
  };
}

export type { DeploySettings };
