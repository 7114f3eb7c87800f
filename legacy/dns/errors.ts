/**
 * A problem the user can fix (credentials, config, a rejected request). The CLI prints only its message, never a
 * stack trace; messages must never contain a secret.
 */
export class DnsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DnsError';
  }
}
