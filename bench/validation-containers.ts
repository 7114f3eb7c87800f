import type { SshDockerHost } from '../test/support/ssh-docker-host';

/** A deploy's time span, in wall-clock milliseconds. */
export interface Window {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * For each window, the run times in seconds (create to remove) of the containers created and removed inside it,
 * from the engine's `docker events --format '{{json .}}'` lines: a deploy's validation container, whatever it is
 * named. A container that outlives its window (alloy-legacy itself) does not count.
 */
export function transientSpans(eventLines: string, windows: readonly Window[]): number[][] {
  const events = eventLines
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; Action?: string; status?: string; timeNano: number })
    .map((e) => ({ id: e.id, action: e.Action ?? e.status, ms: e.timeNano / 1e6 }));
  return windows.map((w) => {
    const inside = events.filter((e) => e.ms >= w.startMs && e.ms <= w.endMs);
    const created = new Map(inside.filter((e) => e.action === 'create').map((e) => [e.id, e.ms]));
    return inside
      .filter((e) => e.action === 'remove' && created.has(e.id))
      .map((e) => (e.ms - (created.get(e.id) as number)) / 1000);
  });
}

/**
 * transientSpans over the host engine's container events. podman 4.3 answers nothing at all when `--until` lies in
 * the past, so it is the next whole second (the engine takes whole seconds), which the CLI then waits for.
 */
export function validationContainers(host: SshDockerHost, windows: readonly Window[]): number[][] {
  if (windows.length === 0) return [];
  const seconds = (ms: number) => String(Math.floor(ms / 1000));
  const since = seconds(Math.min(...windows.map((w) => w.startMs)));
  const until = String(Math.ceil(Date.now() / 1000));
  const r = host.docker([
    'events',
    '--since',
    since,
    '--until',
    until,
    '--filter',
    'type=container',
    '--format',
    '{{json .}}',
  ]);
  if (r.code !== 0) throw new Error(`docker events: ${r.stderr}`);
  return transientSpans(r.stdout, windows);
}
