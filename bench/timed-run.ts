import { spawn } from 'node:child_process';

export interface TimedRun {
  readonly seconds: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program to its end and times it. Asynchronous on purpose: the delay proxy lives in this process's event
 * loop, which a spawnSync would stall (and with it every byte on the link).
 */
export function timedRun(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return new Promise<TimedRun>((ok, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => ok({ seconds: Number(process.hrtime.bigint() - start) / 1e9, code, stdout, stderr }));
  });
}

/** As timedRun, but a non-zero exit is an error naming the command and its output. */
export async function timedRunOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
) {
  const r = await timedRun(command, args, options);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r;
}

export const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
