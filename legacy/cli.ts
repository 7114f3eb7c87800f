import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerDeployCommands } from './deploy/commands';
import { registerDnsCommands } from './dns/commands';
import { registerPlanCommand } from './plan/commands';
import { registerSandboxCommand } from './sandbox/commands';
import { reportFailure } from './shared/output';
import { registerVerifyCommand } from './verify/commands';

/**
 * The `legacy-deploy` program. Each area registers its own sub-commands; heavy modules (ssh2, the Cloudflare SDK)
 * are imported inside the action handlers so that `--help` stays fast.
 */
export function buildProgram(): Command {
  const program = new Command('legacy-deploy')
    .description(
      'Deploy and cut over the legacy Alloy on the Synology NAS (stack dev).\n' +
        'Every path, given as an option or argument or left at its default, is relative to the working directory.',
    )
    .version(packageVersion(), '--version', 'print the version of legacy-deploy')
    .option('--config-dir <dir>', 'folder holding prod.yaml and dev.yaml', 'config')
    .option('--json', 'machine-readable output on stdout')
    .showHelpAfterError();
  registerPlanCommand(program);
  registerDeployCommands(program);
  registerDnsCommands(program);
  registerVerifyCommand(program);
  registerSandboxCommand(program);
  return program;
}

/** The version in package.json (two folders up from both legacy/cli.ts and build/legacy/cli.js's sources). */
function packageVersion(): string {
  for (const up of ['..', '../..']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not this level
    }
  }
  return 'unknown';
}

export function main(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((e: unknown) => {
      // Every command's failure looks the same, --json included: { "ok": false, "error": ... } on stdout.
      process.exitCode = reportFailure(argv.includes('--json'), e);
    })
    .finally(exitOnceFlushed);
}

/**
 * Ends the process once the command is done and its output is flushed, rather than when the SSH socket has wound
 * down and Node has torn down its heap: ~15 ms of a deploy that takes ~0.4 s. Every command awaits all its work.
 */
function exitOnceFlushed(): void {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit();
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
