import { type ProgramResult, runProgram } from '../test/support/run-program';

export interface TimedRun extends ProgramResult {
  readonly seconds: number;
}

/**
 * Runs a program to its end and times it. Asynchronous on purpose: the delay proxy lives in this process's event
 * loop, which a spawnSync would stall (and with it every byte on the link).
 */
export async function timedRun(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<TimedRun> {
  const start = process.hrtime.bigint();
  const r = await runProgram(command, args, options);
  return { ...r, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
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
