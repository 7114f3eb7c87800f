import type { Command } from 'commander';
import type { runDnsCommand as RunDnsCommand } from './run-command';

/** Options of the `dns` commands, merged with the program's global --config-dir and --json. */
export interface DnsCommandOptions {
  readonly configDir: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly verbose?: boolean;
  readonly deleteForeignAlloyRecord?: boolean;
  readonly caFile?: string;
  readonly identity?: string;
  readonly knownHosts?: string;
  readonly acceptNewHostKey?: boolean;
}

/**
 * Registers `dns cloudflare` and `dns unbound`. The implementations (and the Cloudflare SDK) load inside the
 * actions, so `legacy-deploy --help` stays fast.
 */
export function registerDnsCommands(program: Command): void {
  const dns = program
    .command('dns')
    .description('the cut-over DNS changes: Cloudflare CNAME and the Unbound host override');
  const act = (name: 'cloudflare' | 'unbound') => async (_: unknown, command: Command) => {
    const { runDnsCommand } = require('./run-command') as { runDnsCommand: typeof RunDnsCommand };
    process.exitCode = await runDnsCommand(name, command.optsWithGlobals() as DnsCommandOptions);
  };
  dns
    .command('cloudflare')
    .description(
      'upsert the alloy-legacy CNAME, remove the old alloy CNAME when it is the NAS one. Credentials: env ' +
        'CLOUDFLARE_API_TOKEN, or CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL; CLOUDFLARE_BASE_URL (https) overrides the ' +
        'API root. Exit 3 when a record the cut-over needs gone is left alone',
    )
    .option('--dry-run', 'print the plan and change nothing (exit 2 when something would change)')
    .option(
      '--delete-foreign-alloy-record',
      'also delete an old-name record this tool did not write (A, other target, proxied)',
    )
    .option('--verbose', 'log each API exchange (method, URL, status) and retry on stderr; never credentials')
    .action(act('cloudflare'));
  dns
    .command('unbound')
    .description(
      'point the central hostname at the LoadBalancer IP in Unbound: OPNsense API (env OPNSENSE_ENDPOINT, ' +
        'OPNSENSE_API_KEY, OPNSENSE_API_SECRET) or a local-data file, as unbound.backend in dev.yaml says. ' +
        'Exit 3 when a competing override is left alone',
    )
    .option('--dry-run', 'print the plan and change nothing (exit 2 when something would change)')
    .option('--ca-file <file>', 'PEM CA that signed the firewall certificate (opnsense; TLS is always verified)')
    .option('--verbose', 'log each API exchange and retry on stderr; never credentials')
    .option('--identity <file>', 'SSH private key for the file backend with ssh: true (default: ssh-agent)')
    .option('--known-hosts <file>', 'known_hosts to verify target.host against (default ~/.ssh/known_hosts)')
    .option('--accept-new-host-key', 'record an unknown host key (never a changed one)')
    .action(act('unbound'));
}
