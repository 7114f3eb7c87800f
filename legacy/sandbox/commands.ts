import type { Command } from 'commander';
import type { runSandboxCommand as RunSandboxCommand, SandboxOptions } from './run';

/** Registers `sandbox up|status|down [dir]`; the implementation loads inside the actions so `--help` stays fast. */
export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description(
      'a NAS on this machine to rehearse the cut-over on: sshd on 127.0.0.1, podman as Docker, the pre-refactor ' +
        'alloy container, a local Unbound, and a config folder pointing at them (needs root and the test host packages)',
    );
  const act = (name: 'up' | 'status' | 'down') => async (dir: string | undefined, _: unknown, command: Command) => {
    const { runSandboxCommand } = require('./run') as { runSandboxCommand: typeof RunSandboxCommand };
    process.exitCode = await runSandboxCommand(name, { ...(command.optsWithGlobals() as SandboxOptions), dir });
  };
  const dirArg = ['[dir]', 'the sandbox folder, from the working directory (default .sandbox)'] as const;
  sandbox
    .command('up')
    .description(
      "start the sandbox in dir (new or empty) from --config-dir's dev.yaml and prod.yaml, write dir/config, print the rehearsal",
    )
    .argument(...dirArg)
    .option(
      '--real-alloy',
      'run the real Alloy instead of the stand-in: built from the Go module proxy on first use (needs Go; the first build takes 30-60 minutes)',
    )
    .action(act('up'));
  sandbox
    .command('status')
    .description('what runs in dir; exit 0 when everything runs, 1 when nothing or only part of it (stale)')
    .argument(...dirArg)
    .action(act('status'));
  sandbox
    .command('down')
    .description(
      'stop every process the sandbox started, remove its containers, images, user and files; safe to repeat',
    )
    .argument(...dirArg)
    .action(act('down'));
}
