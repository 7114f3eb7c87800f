import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One key line of a known_hosts file that names the host being checked. */
export interface KnownKey {
  readonly line: number;
  readonly type: string;
  readonly key: string;
  readonly revoked: boolean;
}

export type HostKeyVerdict =
  | { readonly kind: 'known' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'changed'; readonly expected: KnownKey }
  | { readonly kind: 'revoked'; readonly entry: KnownKey };

/** How OpenSSH names a host in known_hosts: plain for port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** OpenSSH's host pattern list: comma-separated, `*`/`?` wildcards, `!` negation, or one hashed `|1|salt|hash`. */
function patternListMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const raw of patterns.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (wildcardToRegExp(pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The key lines of known_hosts text that apply to `name` (see knownHostsName). */
export function keysForHost(text: string, name: string): KnownKey[] {
  const keys: KnownKey[] = [];
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: string | undefined;
    if (fields[0].startsWith('@')) marker = fields.shift();
    // @cert-authority lines vouch for certificates, which legacy-deploy does not use.
    if (marker === '@cert-authority' || fields.length < 3) return;
    const [patterns, type, key] = fields;
    if (patternListMatches(patterns, name)) keys.push({ line: index + 1, type, key, revoked: marker === '@revoked' });
  });
  return keys;
}

/** Key type named inside an SSH public key blob (uint32 length + type string). */
export function keyTypeOf(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString('ascii');
}

/** `SHA256:...` as `ssh-keygen -l` prints it. */
export function fingerprint(blobBase64: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(blobBase64, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** Compares the key a server presented with what known_hosts says about that host. */
export function verifyHostKey(known: readonly KnownKey[], type: string, blobBase64: string): HostKeyVerdict {
  const revoked = known.find((k) => k.revoked && k.key === blobBase64);
  if (revoked) return { kind: 'revoked', entry: revoked };
  const trusted = known.filter((k) => !k.revoked);
  if (trusted.some((k) => k.type === type && k.key === blobBase64)) return { kind: 'known' };
  // Any other recorded key for this host, of this type or another, means the host is known but now shows a key we
  // never saw: treat it as changed (accepting it could hide a man in the middle).
  const expected = trusted.find((k) => k.type === type) ?? trusted[0];
  return expected ? { kind: 'changed', expected } : { kind: 'unknown' };
}

/** Host key algorithms in the order the client offers them: types already recorded for the host first. */
export function preferredHostKeyAlgorithms(known: readonly KnownKey[]): string[] {
  const all = [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
    'ssh-rsa',
  ];
  const algorithmsOf = (type: string) => (type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type]);
  const first = known.filter((k) => !k.revoked).flatMap((k) => algorithmsOf(k.type));
  return [...new Set([...first.filter((a) => all.includes(a)), ...all])];
}

export function readKnownHosts(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Records a newly accepted key the way `ssh -o StrictHostKeyChecking=accept-new` does. */
export function appendKnownHost(file: string, name: string, type: string, blobBase64: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = readKnownHosts(file);
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${separator}${name} ${type} ${blobBase64}\n`, { mode: 0o600 });
}
