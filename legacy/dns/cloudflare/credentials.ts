/** Cloudflare credentials, from the environment only; errors name the variable to fix and never echo a value. */
import { DnsError } from '../errors';

export type CloudflareCredentials =
  | { readonly kind: 'token'; readonly apiToken: string }
  | { readonly kind: 'global-key'; readonly apiKey: string; readonly apiEmail: string };

const value = (env: NodeJS.ProcessEnv, name: string) => {
  const v = env[name]?.trim();
  return v ? v : undefined;
};

export function cloudflareCredentials(env: NodeJS.ProcessEnv): CloudflareCredentials {
  const apiToken = value(env, 'CLOUDFLARE_API_TOKEN');
  if (apiToken) return { kind: 'token', apiToken };
  const apiKey = value(env, 'CLOUDFLARE_API_KEY');
  const apiEmail = value(env, 'CLOUDFLARE_EMAIL');
  if (apiKey && apiEmail) return { kind: 'global-key', apiKey, apiEmail };
  if (apiKey) throw new DnsError('CLOUDFLARE_API_KEY is set but CLOUDFLARE_EMAIL is not: set CLOUDFLARE_EMAIL too');
  if (apiEmail) throw new DnsError('CLOUDFLARE_EMAIL is set but CLOUDFLARE_API_KEY is not: set CLOUDFLARE_API_KEY too');
  throw new DnsError(
    'no Cloudflare credentials: set CLOUDFLARE_API_TOKEN (a token with Zone:DNS:Edit), or CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL',
  );
}

/** The variables a user should look at when Cloudflare rejects these credentials. */
export function credentialVariables(c: CloudflareCredentials): string {
  return c.kind === 'token' ? 'CLOUDFLARE_API_TOKEN' : 'CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL';
}
