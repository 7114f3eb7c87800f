/** Where a run reports: progress and errors on stderr, the result on stdout (JSON with --json). */
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
    progress: (m) => process.stderr.write(`${paint('2', '…')} ${m}\n`),
    warn: (m) => process.stderr.write(`${paint('33', 'warning:')} ${m}\n`),
    text: (m) => {
      if (!json) process.stdout.write(m.endsWith('\n') ? m : `${m}\n`);
    },
    result: (v) => {
      if (json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
    },
  };
}
