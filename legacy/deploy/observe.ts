import { posix } from 'node:path';
import { parseSpecLabel, specLabel } from './container-spec';
import type { Layout } from './layout';
import type { ObservedContainer, ObservedFile, ObservedLock, ObservedState, RunningConfig } from './observed';

/*
 * Reading what the remote script's `observe` step printed (legacy/remote/alloy-legacy.sh): marked sections of
 * folder names, `sha256sum` lines of the config files, the lock's owner file, `docker inspect`, the image id, the
 * NAS clock, GET /-/ready and Alloy's alloy_config_* metrics.
 */

function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | null = null;
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^@@([a-z]+)$/.exec(line);
    if (m) {
      if (current) out.set(current, lines.join('\n'));
      current = m[1];
      lines = [];
    } else if (current) lines.push(line);
  }
  if (current) out.set(current, lines.join('\n'));
  return out;
}

function keyValues(text: string): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) kv[line.slice(0, i)] = line.slice(i + 1);
  }
  return kv;
}

interface InspectObject {
  Id: string;
  Name?: string;
  State?: { Status?: string; Running?: boolean; StartedAt?: string };
  Config?: {
    Image?: string;
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    Cmd?: string[] | null;
    /** Docker gives a list; some podman versions a plain string. */
    Entrypoint?: string[] | string | null;
    User?: string;
  };
  HostConfig?: { NetworkMode?: string; RestartPolicy?: { Name?: string } };
  Mounts?: { Type?: string; Source: string; Destination: string; RW: boolean }[] | null;
}

function toContainer(o: InspectObject): ObservedContainer {
  return {
    id: o.Id,
    name: (o.Name ?? '').replace(/^\//, ''),
    running: o.State?.Running === true,
    status: o.State?.Status ?? 'unknown',
    image: o.Config?.Image ?? '',
    startedAt: o.State?.StartedAt ?? '',
    spec: parseSpecLabel(o.Config?.Labels?.[specLabel]),
    networkMode: o.HostConfig?.NetworkMode ?? '',
    restartPolicy: o.HostConfig?.RestartPolicy?.Name ?? '',
    mounts: (o.Mounts ?? [])
      .filter((m) => !m.Type || m.Type === 'bind')
      .map((m) => ({ source: m.Source, destination: m.Destination, readOnly: !m.RW })),
    env: o.Config?.Env ?? [],
    cmd: o.Config?.Cmd ?? [],
    entrypoint: [o.Config?.Entrypoint ?? []].flat().filter((e) => e !== ''),
    user: o.Config?.User ?? '',
    labels: o.Config?.Labels ?? {},
  };
}

function parseInspect(text: string, layout: Layout) {
  const start = text.indexOf('[');
  const objects: InspectObject[] = start >= 0 ? JSON.parse(text.slice(start)) : [];
  const container = (name: string) => {
    const o = objects.find((x) => x.State && (x.Name ?? '').replace(/^\//, '') === name);
    return o ? toContainer(o) : null;
  };
  return {
    current: container(layout.container),
    previous: container(layout.previousContainer),
    old: container(layout.old.container),
  };
}

function parseLock(text: string, now: number): ObservedLock | null {
  if (text.trim() === '') return null;
  const kv = keyValues(text);
  const since = Number(kv.mtime ?? now);
  const alive = kv.alive;
  return {
    owner: kv.owner ?? '(no owner file)',
    pid: kv.pid ?? '?',
    since,
    ageSeconds: Math.max(0, now - since),
    holderAlive: alive === 'yes' ? true : alive === 'no' ? false : 'unknown',
    time: kv.time ?? '',
  };
}

/** Lines of `sha256sum <path>`: hash, two spaces, the path (its last part is the file name). */
function parseFiles(text: string): ObservedFile[] {
  const files: ObservedFile[] = [];
  for (const line of text.split('\n')) {
    const m = /^\\?([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) files.push({ name: posix.basename(m[2]), sha256: m[1] });
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function parseRunning(text: string): RunningConfig {
  // Other labels may come with sha256: upstream adds cluster_name (sorted before it) or alloy_cluster.
  const hash = [...text.matchAll(/^alloy_config_hash\{[^}]*\bsha256="([0-9a-f]+)"[^}]*\} 1$/gm)].pop()?.[1] ?? null;
  const loaded = /^alloy_config_last_load_successful (\S+)$/m.exec(text)?.[1];
  return { sha256: hash, lastLoadSuccessful: loaded === undefined ? null : Number(loaded) === 1 };
}

/** The `@@engine` section: `answered`, or the complaints of `docker inspect` and its exit status. */
function engineProblem(text: string): string | null {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 1 && lines[0] === 'answered') return null;
  return lines.join(' / ') || 'no answer';
}

/** The observed state from the `observe` step's output; throws when it is cut short or unreadable. */
export function parseObservation(stdout: string, layout: Layout, dockerPath: string): ObservedState {
  const sec = sections(stdout);
  if (!sec.has('end')) throw new Error('the observation was cut short (connection lost?)');
  const now =
    Number(/^now=(\d+)$/m.exec(sec.get('lock') ?? '')?.[1]) ||
    Number((sec.get('clock') ?? '').trim()) ||
    Math.floor(Date.now() / 1000);
  const dirs = new Set((sec.get('dirs') ?? '').split('\n').map((l) => l.trim()));
  let inspect: ReturnType<typeof parseInspect>;
  try {
    inspect = parseInspect(sec.get('inspect') ?? '', layout);
  } catch {
    throw new Error(`could not read the output of ${dockerPath} inspect on the NAS`);
  }
  return {
    now,
    rootDirExists: dirs.has('root'),
    configDir: { exists: dirs.has('config'), files: parseFiles(sec.get('files') ?? '') },
    dataDirExists: dirs.has('data'),
    previousConfigExists: dirs.has('previous-config'),
    old: { configDirExists: dirs.has('old-config'), dataDirExists: dirs.has('old-data') },
    containers: { current: inspect.current, previous: inspect.previous, old: inspect.old },
    engineProblem: engineProblem(sec.get('engine') ?? ''),
    imagePresent: (sec.get('image') ?? '').trim() !== '',
    lock: parseLock(sec.get('lock') ?? '', now),
    ready: Number((sec.get('ready') ?? '').trim()) || null,
    running: parseRunning(sec.get('metrics') ?? ''),
  };
}
