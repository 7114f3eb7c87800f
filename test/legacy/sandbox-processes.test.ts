/**
 * The sandbox knows its processes by pid and start time (legacy/sandbox/processes.ts): a pid now held by another
 * process (reused) is not running as far as the sandbox is concerned and is never signalled; a zombie is not running.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, startDetached, startTimeOf, stopProcess } from '../../legacy/sandbox/processes';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sandbox-proc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a record runs while its pid runs with the recorded start time', async () => {
  const p = startDetached('sleeper', 'sleep', ['30'], join(dir, 'sleep.log'));
  expect(p.startTime).toBe(startTimeOf(p.pid));
  expect(isRunning(p)).toBe(true);
  await stopProcess(p);
  expect(isRunning(p)).toBe(false);
});

test('a reused pid (another start time) is not ours: not running, and stopProcess leaves it alone', async () => {
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  const pid = other.pid as number;
  try {
    const stale = { name: 'sshd', pid, startTime: String(Number(startTimeOf(pid)) - 1) };
    expect(isRunning(stale)).toBe(false);
    await stopProcess(stale);
    expect(other.exitCode).toBeNull();
    expect(isRunning({ ...stale, startTime: startTimeOf(pid) as string })).toBe(true);
  } finally {
    other.kill('SIGKILL');
  }
});
