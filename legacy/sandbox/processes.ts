/**
 * The processes a test host started, known by pid alone, so that a new process (`sandbox status`/`down`, or a test's
 * stop()) can find and end them. A pid is recorded with its start time (field 22 of /proc/<pid>/stat, in clock
 * ticks since boot): a pid whose start time differs is a reused pid, not ours, and is never signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessRecord {
  readonly name: string;
  readonly pid: number;
  readonly startTime: string;
}

/** `/proc/<pid>/stat` split after the command name (which may hold spaces): [state, ppid, ...]. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The start time of a running pid, or null. */
export function startTimeOf(pid: number): string | null {
  // field 22 of stat is index 19 after the name (fields 3.. start at index 0)
  return statFields(pid)?.[19] ?? null;
}

/** Whether the recorded process still runs (same pid and start time, not a zombie). */
export function isRunning(p: ProcessRecord): boolean {
  const fields = statFields(p.pid);
  return fields !== null && fields[0] !== 'Z' && fields[19] === p.startTime;
}

/**
 * Starts a program in its own process group, detached from this process (it outlives a `sandbox up`), its output
 * appended to `log`. Returns its record.
 */
export function startDetached(
  name: string,
  program: string,
  args: readonly string[],
  log: string,
  env: NodeJS.ProcessEnv = process.env,
): ProcessRecord {
  const fd = openSync(log, 'a');
  const child = spawn(program, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} (${program}) did not start; see ${log}`);
  return { name, pid, startTime: startTimeOf(pid) ?? '' };
}

export function killPid(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Ends a recorded process: SIGTERM, up to `graceMs` to exit, then SIGKILL. A reused pid is left alone. */
export async function stopProcess(p: ProcessRecord, graceMs = 3000): Promise<void> {
  if (!isRunning(p)) return;
  killPid(p.pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (isRunning(p) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  if (isRunning(p)) killPid(p.pid, 'SIGKILL');
  for (let i = 0; i < 40 && isRunning(p); i++) await new Promise((r) => setTimeout(r, 50));
}

/** All processes below `pid`, parents before children (read from /proc: procps may not be installed). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const walk = (p: number): number[] => (parents.get(p) ?? []).flatMap((c) => [c, ...walk(c)]);
  return walk(pid);
}

/** Pids of the processes (other than this one) whose /proc/<pid>/<file> passes `test`. */
function processesWhere(file: 'status' | 'cmdline', test: (text: string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((e) => {
      try {
        return test(readFileSync(`/proc/${e}/${file}`, 'utf8'));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** Pids of the processes running as the user with this uid (by real uid). */
export function processesOfUid(uid: number): number[] {
  return processesWhere('status', (status) => /^Uid:\s+(\d+)/m.exec(status)?.[1] === String(uid));
}

/** Processes whose command line names `path`: podman's conmon monitors daemonize out of our process tree. */
export function processesMentioning(path: string): number[] {
  return processesWhere('cmdline', (cmdline) => cmdline.split('\0').some((arg) => arg.includes(path)));
}

/** Mount points below `dir`, deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m?.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}
