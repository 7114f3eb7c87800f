import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { type ProgramResult, runProgram } from './run-program';

const repo = resolve(__dirname, '../..');

export type CliResult = ProgramResult;

/**
 * The caller's environment without what would reach outside the test host: no ssh-agent (tests pass --identity),
 * no Cloudflare or OPNsense credentials (`plan` would ask the real APIs for its DNS sections).
 */
function hermeticEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SSH_AUTH_SOCK: '' };
  for (const name of Object.keys(env)) if (/^(CLOUDFLARE|OPNSENSE)_/.test(name)) delete env[name];
  return env;
}

/** Runs `legacy-deploy <args>` from source in its own process, as a user would, without a TTY. */
export function runLegacyDeploy(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; onStderr?: (text: string) => void; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return runProgram(process.execPath, ['--import', 'tsx', 'test/support/legacy-deploy-entry.ts', ...args], {
    cwd: repo,
    env: { ...hermeticEnv(), ...options.env },
    onStderr: options.onStderr,
    onSpawn: options.onSpawn,
  });
}
