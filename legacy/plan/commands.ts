import type { Command } from 'commander';
import { withConnectionOptions } from '../deploy/commands';
import type { PlanOptions, runPlanCommand as RunPlanCommand } from './run';

/** Registers `plan`; its implementation loads inside the action. */
export function registerPlanCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('plan')
      .description(
        'what rename/deploy and dns would change; takes no lock. Exit 0 nothing, 2 changes, 3 incomplete, 4 unchecked',
      ),
  )
    .option('--ca-file <file>', 'PEM CA that signed the firewall certificate (unbound backend opnsense)')
    .action(async (_: unknown, command: Command) => {
      const { runPlanCommand } = require('./run') as { runPlanCommand: typeof RunPlanCommand };
      process.exitCode = await runPlanCommand(command.optsWithGlobals() as PlanOptions);
    });
}
