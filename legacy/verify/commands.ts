import type { Command } from 'commander';
import type { runVerifyCommand as RunVerifyCommand, VerifyOptions } from './run';

/** Registers `verify`; its implementation loads inside the action so `--help` stays fast. */
export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'check the cut-over (PRD §3.3): the hostname resolves to the LoadBalancer IP, TLS on 12345 and 4317, ' +
        '/-/ready of both instances, the central Alloy runs assets/alloy (alloy_config_hash, last load successful), ' +
        'the legacy OTLP exporter sends without failures; exit 0 only when all pass',
    )
    .option('--min-days <n>', 'fail when a certificate expires within n days (default: verify.minDays in dev.yaml)')
    .option('--resolver <ip[:port]>', 'DNS server to ask (default: verify.resolver in dev.yaml, else this machine)')
    .option('--connect <address>', 'connect the TLS and readiness checks here instead of to the hostname')
    .option('--ca-file <file>', 'also trust this PEM CA for the central certificate')
    .option('--https-port <port>', 'central HTTPS port (default: alloy.servicePorts.http in prod.yaml)')
    .option('--otlp-port <port>', 'central OTLP gRPC port (default 4317)')
    .option('--legacy-url <url>', 'legacy instance base URL (default http://target.host:httpPort)')
    .option('--timeout <seconds>', 'per-check timeout (default 5)')
    .option('--central-assets <dir>', 'central pipeline the running config must match (default assets/alloy)')
    .action(async (_: unknown, command: Command) => {
      const { runVerifyCommand } = require('./run') as { runVerifyCommand: typeof RunVerifyCommand };
      process.exitCode = await runVerifyCommand(command.optsWithGlobals() as VerifyOptions);
    });
}
