/**
 * A failure the user can act on: printed as one clear message (no stack trace) and mapped to an exit code.
 * `details` are extra lines (e.g. the container's last log lines) printed after the message.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = 'UserError';
  }
}
