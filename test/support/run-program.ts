import { type ChildProcess, spawn } from 'node:child_process';

export interface ProgramResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a program to its end without a TTY and collects its output. Asynchronous, so that servers living in the
 * caller's event loop (emulators, the benchmark's delay proxy) keep answering meanwhile.
 */
export function runProgram(
  command: string,
  args: readonly string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    onStderr?: (text: string) => void;
    /** Called with the started process (to signal it). */
    onSpawn?: (child: ChildProcess) => void;
  },
): Promise<ProgramResult> {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      options.onStderr?.(String(d));
    });
    child.on('error', fail);
    child.on('close', (code) => ok({ code, stdout, stderr }));
  });
}
