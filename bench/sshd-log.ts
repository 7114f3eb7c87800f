import { existsSync, readFileSync } from 'node:fs';

/** What sshd (at LogLevel VERBOSE) logged: connections logged in, and the sessions opened in them. */
export interface SshdCounts {
  /** `Accepted publickey`: one per SSH connection. */
  readonly connections: number;
  /** `Starting session: command`: one per remote exec. */
  readonly execs: number;
  /** Every `Starting session:` (execs, subsystems such as sftp, shells). */
  readonly sessions: number;
}

export function sshdCounts(logFile: string): SshdCounts {
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  const count = (re: RegExp) => (log.match(re) ?? []).length;
  return {
    connections: count(/Accepted publickey for /g),
    execs: count(/Starting session: command /g),
    sessions: count(/Starting session: /g),
  };
}

export function countsSince(before: SshdCounts, after: SshdCounts): SshdCounts {
  return {
    connections: after.connections - before.connections,
    execs: after.execs - before.execs,
    sessions: after.sessions - before.sessions,
  };
}
