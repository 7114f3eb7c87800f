import { redactCredentials } from './redact';

/** Where the DNS and verify commands write: plain lines to stdout, `--verbose` detail to stderr. */
export interface Report {
  line(text: string): void;
  /** Diagnostic detail (HTTP exchanges, retries); shown with --verbose only. */
  detail(text: string): void;
}

export function processReport(options: { verbose?: boolean; quiet?: boolean } = {}): Report {
  return {
    line: (text) => {
      if (!options.quiet) process.stdout.write(`${text}\n`);
    },
    detail: (text) => {
      if (options.verbose) process.stderr.write(`${text}\n`);
    },
  };
}

/** Collects lines in memory (tests, and `--json` where the lines are not printed). */
export function memoryReport(): Report & { lines: string[]; details: string[] } {
  const lines: string[] = [];
  const details: string[] = [];
  return { lines, details, line: (t) => lines.push(t), detail: (t) => details.push(t) };
}

/** The values of the credential variables the DNS commands read, for redaction of anything they print. */
function credentialValues(env: NodeJS.ProcessEnv): string[] {
  const names = ['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_API_KEY', 'OPNSENSE_API_KEY', 'OPNSENSE_API_SECRET'];
  const values = names.map((n) => env[n]?.trim()).filter((v): v is string => !!v);
  const key = env.OPNSENSE_API_KEY?.trim();
  const secret = env.OPNSENSE_API_SECRET?.trim();
  if (key && secret) values.push(Buffer.from(`${key}:${secret}`).toString('base64'));
  return values;
}

/**
 * How a `dns` or `verify` command ends on an error: one line on stderr (the message only: a user error is never a
 * stack trace) and, with --json, `{ "ok": false, "error": ... }` on stdout. Returns the exit code, 1.
 */
export function reportFailure(e: unknown, options: { json?: boolean }): 1 {
  const raw = e instanceof Error ? e.message : String(e);
  const message = redactCredentials(raw, credentialValues(process.env));
  process.stderr.write(`legacy-deploy: ${message}\n`);
  if (options.json) process.stdout.write(`${JSON.stringify({ ok: false, error: message }, null, 2)}\n`);
  return 1;
}
