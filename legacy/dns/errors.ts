import { UserError } from '../shared/user-error';

/**
 * The DNS area's kind of the one UserError of every command: a problem the user can fix (credentials, config, a
 * rejected request). The CLI prints only its message, never a stack trace; messages must never contain a secret.
 */
export class DnsError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'DnsError';
  }
}
