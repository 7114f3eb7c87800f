/**
 * Server error text (a Cloudflare `errors[].message`, an OPNsense error body, a proxy's HTML page) is printed to
 * help the user, but a server may echo what it was sent. Before such text reaches a message, the credentials this
 * run holds are removed, and so is anything shaped like one: an Authorization value, a `key=`/`token:`-style
 * assignment, or a long opaque token.
 */
import { REDACTED, removeSecrets } from '../shared/redact-output';

/** `Bearer x`, `Basic x`, and `name: value` / `name=value` / `"name":"value"` for credential-like names. */
const labelled = [
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\b((?:x-auth-key|x-auth-email|authorization|api[_-]?key|api[_-]?secret|api[_-]?token|access[_-]?token|token|secret|password|passwd)["']?\s*[:=]\s*["']?)(?!(?:Bearer|Basic)\s)[^\s"',;&}]+/gi,
];

/**
 * An opaque run of 32+ token characters that mixes letters and digits. Cloudflare ids (32 hex) and UUIDs are
 * identifiers a user needs to see, so pure hex and UUID shapes are kept.
 */
const opaque = /[A-Za-z0-9_+/=-]{32,}/g;
const keepShapes = [/^[0-9a-f]{32}$/i, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i];

function looksOpaque(run: string): boolean {
  if (keepShapes.some((shape) => shape.test(run))) return false;
  if (/^[/-]/.test(run) || run.includes('//')) return false; // a URL path, not a token
  return /[A-Za-z]/.test(run) && /[0-9]/.test(run);
}

/** `text` with `secrets` (exact values, and their Basic-auth form) and credential-shaped parts replaced. */
export function redactCredentials(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = removeSecrets(text, secrets);
  out = out.replace(labelled[0], (_, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(labelled[1], (_, name: string) => `${name}${REDACTED}`);
  return out.replace(opaque, (run) => (looksOpaque(run) ? REDACTED : run));
}
