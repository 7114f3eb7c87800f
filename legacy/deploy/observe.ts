import { type ContainerSpec, parseSpecLabel, specLabel } from './container-spec';
import type { DeploySettings } from './desired';
import type { Manifest, ObservedContainer, ObservedLock, ObservedState } from './observed';
import { shellQuote as q } from './shell';

/**
 * Shell function printing the HTTP status of a request to the instance, run on the NAS itself: its port is on
 * the host network there, and doing it inside the same exec as the change costs no extra round trip. DSM has
 * curl; without it, wget (GNU or busybox) answers with the status line that `-S` prints.
 */
export const httpFunction = `http_status() {
  if command -v curl >/dev/null 2>&1; then curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X "$1" "$2"; return 0; fi
  # busybox wget (1.35) crashes on -T: only GNU wget gets a timeout
  if wget --version >/dev/null 2>&1; then w='wget --timeout=10'; elif command -v wget >/dev/null 2>&1; then w=wget
  else w='busybox wget'; fi
  if [ "$1" = POST ]; then set -- "$2" --post-data=; else set -- "$2"; fi
  $w -S -O /dev/null "$@" 2>&1 | sed -n 's/^ *HTTP\\/[0-9.]* \\([0-9]*\\).*/\\1/p' | tail -n 1
}`;

/**
 * Sets `$started` to the stat start time of a process (field 22; empty when there is no such process), to tell a
 * live lock holder from a reused pid. It sets a variable rather than printing: `$(...)` would fork a subshell.
 */
export const processStartFunction = `proc_start() {
  started=; [ -r "/proc/$1/stat" ] || return 0
  read -r s < "/proc/$1/stat"; s=\${s##*") "}; set -- $s; started=\${20}
}`;

/**
 * Sets `$v` to the value of a `key=value` line of a file, with shell builtins only: every process started on the
 * NAS costs a few milliseconds, and these scripts run on every deploy.
 */
export const keyValueFunction = `kv() { v=; while IFS='=' read -r k rest; do [ "$k" = "$2" ] && v=$rest; done 2>/dev/null < "$1"; }`;

/**
 * The containers as `docker inspect` shows them, or as it showed them last time. Starting the docker CLI is most of
 * an observation's cost (~50 ms here, more on a NAS), and a container's image, command, mounts and labels cannot
 * change while its main process lives: recreating, restarting or starting it gives a new process. So when
 * alloy-legacy is the only container of ours and runs, the inspect output is remembered on the NAS with that
 * process's pid and start time, and reused while the same process runs. Changes made by hand that keep the process
 * (`docker rename`, `docker update`, `docker pause`) are not seen through it: `fresh` always asks docker (plan,
 * status), and every fresh look replaces what is remembered.
 */
function inspectContainersScript(s: DeploySettings, fresh: boolean): string {
  const l = s.layout;
  const docker = q(s.dockerPath);
  const remembered = q(l.rememberedInspect);
  const ask = [
    // `--type container`: without it docker looks up a missing name as image, network, volume... (slow on podman).
    `containers=$(${docker} inspect --type container ${[l.container, l.previousContainer, l.old.container].join(' ')} 2>/dev/null)`,
    'source=docker',
    'case "$containers" in',
    `  *'"Id"'*'"Id"'*) ;;`,
    `  *'"Name": "/${l.container}"'*)`,
    `    p=\${containers#*'"Pid": '}; p=\${p%%[!0-9]*}; proc_start "\${p:-0}"`,
    `    [ -n "$started" ] && printf '%s %s\\n%s\\n' "$p" "$started" "$containers" > ${remembered}.tmp && mv -f ${remembered}.tmp ${remembered} ;;`,
    'esac',
  ];
  if (fresh) return ask.join('\n');
  return [
    'containers=',
    // The first line (pid, start time) by the read builtin; the rest by cat: read takes a file byte by byte.
    `if [ -r ${remembered} ] && read -r pid start < ${remembered} && [ -n "$start" ]; then`,
    '  proc_start "$pid"',
    `  [ "$started" = "$start" ] && containers=$(cat ${remembered}) && source=remembered`,
    'fi',
    'if [ -z "$containers" ]; then',
    ...ask.map((line) => `  ${line}`),
    'fi',
  ].join('\n');
}

/**
 * One remote command that prints the whole observed state in marked sections. `fresh` asks docker about the
 * containers even when a remembered answer is still valid (see inspectContainersScript).
 */
export function observeScript(s: DeploySettings, options: { probeReady?: boolean; fresh?: boolean } = {}): string {
  const l = s.layout;
  const docker = q(s.dockerPath);
  const dirs: [string, string][] = [
    ['root', l.rootDir],
    ['config', l.configDir],
    ['data', l.dataDir],
    ['previous-config', l.previousConfigDir],
    ['old-config', l.old.configDir],
    ['old-data', l.old.dataDir],
  ];
  return [
    processStartFunction,
    `echo @@dirs; ${dirs.map(([name, path]) => `[ -d ${q(path)} ] && echo ${name}`).join('; ')}`,
    // Builtins (globs, read) rather than ls and cat: fewer processes on the no-op path.
    `echo @@files; for f in ${q(l.configDir)}/* ${q(l.configDir)}/.[!.]*; do [ -e "$f" ] && echo "\${f##*/}"; done`,
    `echo @@manifest; while IFS= read -r line || [ -n "$line" ]; do printf '%s\\n' "$line"; done 2>/dev/null < ${q(`${l.configDir}/${l.manifestName}`)}`,
    // The NAS's clock is read only when there is a lock whose age to tell.
    keyValueFunction,
    `echo @@lock; if [ -d ${q(l.lockDir)} ]; then echo "now=$(date +%s)"; echo "mtime=$(date -r ${q(l.lockDir)} +%s)"; ` +
      `cat ${q(`${l.lockDir}/owner`)} 2>/dev/null; kv ${q(`${l.lockDir}/owner`)} session; ` +
      `[ -n "$v" ] && proc_start "$v" && echo "sessionStartNow=$started"; fi`,
    inspectContainersScript(s, options.fresh === true),
    'echo @@inspect; printf \'%s\\n\' "$containers"',
    'echo @@source; echo "$source"',
    // An image a container was created from is present; only otherwise ask for it (one docker call saved).
    `echo @@image; case "$containers" in *${q(`"Image": "${s.container.image}"`)}*) echo present ;; ` +
      `*) ${docker} image inspect --format '{{.Id}}' ${q(s.container.image)} 2>/dev/null ;; esac`,
    ...(options.probeReady
      ? [httpFunction, 'echo @@clock; date +%s', `echo @@ready; http_status GET http://127.0.0.1:${s.httpPort}/-/ready`]
      : []),
    'echo; echo @@end',
  ].join('\n');
}

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

function parseInspect(text: string, s: DeploySettings) {
  const start = text.indexOf('[');
  const objects: InspectObject[] = start >= 0 ? JSON.parse(text.slice(start)) : [];
  const container = (name: string) => {
    const o = objects.find((x) => x.State && (x.Name ?? '').replace(/^\//, '') === name);
    return o ? toContainer(o) : null;
  };
  return {
    current: container(s.layout.container),
    previous: container(s.layout.previousContainer),
    old: container(s.layout.old.container),
  };
}

function parseLock(text: string, now: number): ObservedLock | null {
  if (text.trim() === '') return null;
  const kv = keyValues(text);
  const since = Number(kv.mtime ?? now);
  let holderAlive: boolean | 'unknown' = 'unknown';
  if (kv.session && kv.sessionStart) holderAlive = kv.sessionStartNow === kv.sessionStart;
  const raw = text
    .split('\n')
    .filter((l) => !/^(now|mtime|sessionStartNow)=/.test(l))
    .join('\n')
    .trim();
  return {
    owner: kv.owner ?? '(no owner file)',
    pid: kv.pid ?? '?',
    since,
    ageSeconds: Math.max(0, now - since),
    holderAlive,
    time: kv.time ?? '',
    raw,
  };
}

function parseManifest(text: string): Manifest | null {
  try {
    const m = JSON.parse(text) as Manifest;
    return m && typeof m.files === 'object' ? m : null;
  } catch {
    return null;
  }
}

export function parseObservation(stdout: string, s: DeploySettings): ObservedState {
  const sec = sections(stdout);
  if (!sec.has('end')) throw new Error('the observation was cut short (connection lost?)');
  const now =
    Number(/^now=(\d+)$/m.exec(sec.get('lock') ?? '')?.[1]) ||
    Number((sec.get('clock') ?? '').trim()) ||
    Math.floor(Date.now() / 1000);
  const dirs = new Set((sec.get('dirs') ?? '').split('\n').map((l) => l.trim()));
  const files = (sec.get('files') ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && l !== s.layout.manifestName);
  let inspect: ReturnType<typeof parseInspect>;
  try {
    inspect = parseInspect(sec.get('inspect') ?? '', s);
  } catch {
    throw new Error(`could not read the output of ${s.dockerPath} inspect on the NAS`);
  }
  const readyText = sec.get('ready');
  return {
    now,
    rootDirExists: dirs.has('root'),
    configDir: { exists: dirs.has('config'), files },
    manifest: parseManifest(sec.get('manifest') ?? ''),
    dataDirExists: dirs.has('data'),
    previousConfigExists: dirs.has('previous-config'),
    old: { configDirExists: dirs.has('old-config'), dataDirExists: dirs.has('old-data') },
    containers: { current: inspect.current, previous: inspect.previous, old: inspect.old },
    containersSource: (sec.get('source') ?? '').trim() === 'remembered' ? 'remembered' : 'docker',
    imagePresent: (sec.get('image') ?? '').trim() !== '',
    lock: parseLock(sec.get('lock') ?? '', now),
    ...(readyText !== undefined ? { ready: Number(readyText.trim()) || null } : {}),
  };
}

export type { ContainerSpec };
