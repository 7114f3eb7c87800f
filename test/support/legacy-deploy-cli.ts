import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const repo = resolve(__dirname, '../..');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

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
  options: { env?: NodeJS.ProcessEnv; onStderr?: (text: string) => void } = {},
): Promise<CliResult> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/legacy-deploy-entry.ts', ...args], {
      cwd: repo,
      env: { ...hermeticEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
