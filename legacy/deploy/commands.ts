import type { Command } from 'commander';
import type { runDeployCommand as RunDeployCommand } from './run';

/** Options every deploy-area command takes (merged with the program's global --config-dir and --json). */
export interface DeployOptions {
  readonly configDir: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly identity?: string;
  readonly knownHosts?: string;
  readonly acceptNewHostKey?: boolean;
  readonly forceUnlock?: boolean;
  readonly assets: string;
  readonly readyTimeout?: string;
}

export function withConnectionOptions(command: Command): Command {
  return command
    .option('--identity <file>', 'SSH private key (default: the key in ssh-agent, SSH_AUTH_SOCK)')
    .option('--known-hosts <file>', 'known_hosts file to verify the NAS against (default ~/.ssh/known_hosts)')
    .option(
      '--accept-new-host-key',
      'record an unknown host key (never a changed one), like StrictHostKeyChecking=accept-new',
    )
    .option('--assets <dir>', 'folder of Alloy config files to deploy', 'assets/alloy_legacy');
}

/** `--dry-run`, on the commands that change something (plan and status change nothing, so they have none). */
export function withDryRun(command: Command): Command {
  return command.option('--dry-run', 'print the plan and change nothing (exit 2 when something would change)');
}

/**
 * Registers rename / deploy / status. The implementations (and with them ssh2) are imported inside the actions,
 * so `legacy-deploy --help` loads nothing but commander.
 */
export function registerDeployCommands(program: Command): void {
  const act = (name: 'rename' | 'deploy' | 'status') => async (_: unknown, command: Command) => {
    const { runDeployCommand } = require('./run') as { runDeployCommand: typeof RunDeployCommand };
    process.exitCode = await runDeployCommand(name, command.optsWithGlobals() as DeployOptions);
  };
  withDryRun(
    withConnectionOptions(
      program
        .command('rename')
        .description(
          'one-time, resumable migration: container alloy → alloy-legacy, alloy-config/-data → alloy-legacy-*',
        ),
    ),
  )
    .option('--force-unlock', 'remove a remote lock left by another run first')
    .option('--ready-timeout <seconds>', 'how long to wait for /-/ready (default: readyTimeoutSeconds in dev.yaml)')
    .action(act('rename'));
  withDryRun(
    withConnectionOptions(
      program
        .command('deploy')
        .description(
          'lint, stage and alloy-validate the config, swap it in, reload or recreate, prove the running config hash; roll back on failure or Ctrl-C (exit 130)',
        ),
    ),
  )
    .option('--force-unlock', 'remove a remote lock left by another run first')
    .option('--ready-timeout <seconds>', 'how long to wait for /-/ready (default: readyTimeoutSeconds in dev.yaml)')
    .action(act('deploy'));
  withConnectionOptions(
    program
      .command('status')
      .description(
        'container, image, uptime, readiness, config files on the NAS and running hash vs local; takes no lock',
      ),
  ).action(act('status'));
}
