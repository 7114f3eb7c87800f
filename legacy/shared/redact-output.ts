/**
 * THE redaction every line legacy-deploy prints goes through (progress, warnings, plans, --verbose detail, errors,
 * --json documents): the credential values this run was given are removed wherever they appear, whoever put them
 * there (a server echoing the token as a zone id, an OPNSENSE_ENDPOINT holding the secret, a host override's
 * description); and control characters other than line breaks and tabs are shown escaped, so that text a server
 * sent cannot move the cursor, recolour or rewrite the terminal. Server error text gets more (shapes of credentials
 * that were never given, legacy/dns/redact.ts) before it reaches a message.
 */

/** The env vars holding credentials (the DNS commands' API credentials). */
export const CREDENTIAL_VARIABLES = [
  'CLOUDFLARE_API_TOKEN',
  'CLOUDFLARE_API_KEY',
  'OPNSENSE_API_KEY',
  'OPNSENSE_API_SECRET',
] as const;

export const REDACTED = '[redacted]';

/** A value shorter than this is not removed: it would turn ordinary words and numbers into [redacted]. */
const MIN_SECRET_LENGTH = 4;

/**
 * The credential values of `env` in every form they travel in: as given, URL-encoded (in a URL), and OPNsense's
 * key:secret as Basic-auth base64.
 */
export function credentialValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = CREDENTIAL_VARIABLES.map((n) => env[n]?.trim()).filter((v): v is string => !!v);
  const key = env.OPNSENSE_API_KEY?.trim();
  const secret = env.OPNSENSE_API_SECRET?.trim();
  if (key && secret) values.push(Buffer.from(`${key}:${secret}`).toString('base64'));
  return [...new Set([...values, ...values.map(encodeURIComponent)])];
}

/** `text` with each of `secrets` replaced, longest first (a secret may contain a shorter one). */
export function removeSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  let out = text;
  for (const secret of [...known].sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * Control characters but \t and \n, shown as \xNN; a colour (SGR) sequence, `ESC [ digits m`, which our own plans
 * paint with, is kept: it cannot move the cursor or clear the screen.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped here
const CONTROL = /\u001b\[[0-9;]*m|[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** A line (or lines) as it may be printed. */
export function redactOutput(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return removeSecrets(text, credentialValues(env)).replace(CONTROL, (c) =>
    c.length > 1 ? c : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
