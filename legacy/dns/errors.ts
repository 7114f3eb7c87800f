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

/**
 * A backend's credentials or endpoint are simply not set. `dns` commands fail on it like any DnsError; `plan`
 * shows it as a note, so that planning the NAS without DNS credentials at hand still works.
 */
export class DnsNotConfigured extends DnsError {
  constructor(message: string) {
    super(message);
    this.name = 'DnsNotConfigured';
  }
}
