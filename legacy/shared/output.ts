import { redactOutput } from './redact-output';

/**
 * Where a run reports: progress and errors on stderr, the result on stdout (JSON with --json); every line through
 * the one output redaction (redact-output.ts).
 */
export interface Output {
  readonly json: boolean;
  readonly color: boolean;
  progress(message: string): void;
  warn(message: string): void;
  /** Human text to stdout (nothing in --json mode). */
  text(message: string): void;
  result(value: unknown): void;
}

/** Colour only on a terminal and never when NO_COLOR is set (https://no-color.org). */
export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export function consoleOutput(json: boolean): Output {
  const color = wantsColor(process.stderr);
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  return {
    json,
    color: !json && wantsColor(process.stdout),
    progress: (m) => process.stderr.write(`${paint('2', '…')} ${redactOutput(m)}\n`),
    warn: (m) => process.stderr.write(`${paint('33', 'warning:')} ${redactOutput(m)}\n`),
    text: (m) => {
      if (!json) process.stdout.write(redactOutput(m.endsWith('\n') ? m : `${m}\n`));
    },
    result: (v) => {
      if (json) process.stdout.write(`${redactOutput(JSON.stringify(v, null, 2))}\n`);
    },
  };
}

/** A failure as every command reports it: the message, extra lines, the exit code. */
export function describeFailure(e: unknown): { message: string; details: readonly string[]; exitCode: number } {
  if (e instanceof Error && e.name === 'UserError') {
    const u = e as Error & { details: readonly string[]; exitCode: number };
    return { message: u.message, details: u.details, exitCode: u.exitCode };
  }
  if (e instanceof Error && e.name === 'ConfigError') {
    return { message: `invalid configuration:\n${e.message}`, details: [], exitCode: 1 };
  }
  // The other areas' user errors (DnsError and its kinds) carry a message meant for the user, without a trace.
  if (e instanceof Error && /^Dns/.test(e.name)) return { message: e.message, details: [], exitCode: 1 };
  return {
    message: `unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    details: [],
    exitCode: 1,
  };
}

/**
 * Prints a failure: `legacy-deploy: <message>` and its detail lines on stderr; with --json also the same
 * `{ "ok": false, "error": ... }` document on stdout in every command. Returns the exit code.
 */
export function reportFailure(json: boolean, e: unknown, extra: Record<string, unknown> = {}): number {
  const { message, details, exitCode } = describeFailure(e);
  process.stderr.write(redactOutput(`legacy-deploy: ${message}\n${details.map((d) => `${d}\n`).join('')}`));
  if (json) {
    process.stdout.write(
      `${redactOutput(JSON.stringify({ ok: false, error: message, details, ...extra }, null, 2))}\n`,
    );
  }
  return exitCode;
}
