import { credentialValues, redactOutput } from '../shared/redact-output';
import { redactCredentials } from './redact';

/**
 * Where the DNS and verify commands write: plain lines to stdout, `--verbose` detail to stderr; every line through
 * the one output redaction (shared/redact-output.ts).
 */
export interface Report {
  line(text: string): void;
  /** Diagnostic detail (HTTP exchanges, retries); shown with --verbose only. */
  detail(text: string): void;
}

export function processReport(options: { verbose?: boolean; quiet?: boolean } = {}): Report {
  return {
    line: (text) => {
      if (!options.quiet) process.stdout.write(`${redactOutput(text)}\n`);
    },
    detail: (text) => {
      if (options.verbose) process.stderr.write(`${redactOutput(text)}\n`);
    },
  };
}

/** Collects lines in memory (tests, and `--json` where the lines are not printed). */
export function memoryReport(): Report & { lines: string[]; details: string[] } {
  const lines: string[] = [];
  const details: string[] = [];
  return { lines, details, line: (t) => lines.push(t), detail: (t) => details.push(t) };
}

/**
 * How a `dns` or `verify` command ends on an error: one line on stderr (the message only: a user error is never a
 * stack trace) and, with --json, `{ "ok": false, "error": ... }` on stdout. Returns the exit code, 1.
 */
export function reportFailure(e: unknown, options: { json?: boolean }): 1 {
  const raw = e instanceof Error ? e.message : String(e);
  const message = redactOutput(redactCredentials(raw, credentialValues(process.env)));
  process.stderr.write(`legacy-deploy: ${message}\n`);
  if (options.json) process.stdout.write(`${redactOutput(JSON.stringify({ ok: false, error: message }, null, 2))}\n`);
  return 1;
}
