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
