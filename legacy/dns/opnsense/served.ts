/**
 * What Unbound answers right now for the override's name. OPNsense saves an override at once but serves it only
 * after a reconfigure, and says nothing about changes saved but not applied; asking the resolver itself is how a
 * run finds an earlier one that saved the override and then failed to reconfigure (a 403, a lost connection).
 */
import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface ResolverAddress {
  readonly address: string;
  readonly port: number;
}

/** `answers`: what the resolver said (none for NXDOMAIN / no A record); `unknown`: it could not be asked. */
export type Served =
  | { readonly kind: 'answers'; readonly via: string; readonly addresses: readonly string[] }
  | { readonly kind: 'unknown'; readonly via: string; readonly why: string };

const noSuchAnswer = new Set(['ENOTFOUND', 'ENODATA']);

export async function servedAddresses(fqdn: string, server: ResolverAddress, timeoutMs = 3000): Promise<Served> {
  const via = `${server.address}:${server.port}`;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  resolver.setServers([via]);
  try {
    return { kind: 'answers', via, addresses: (await resolver.resolve4(fqdn)).sort() };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (noSuchAnswer.has(code)) return { kind: 'answers', via, addresses: [] };
    return { kind: 'unknown', via, why: code || String(e) };
  }
}

/**
 * The Unbound the override lives in: `verify.resolver` (dev.yaml) when set, else the firewall itself on port 53,
 * where OPNsense runs it.
 */
export async function firewallResolver(
  configured: { resolver?: string; resolverPort: number },
  endpoint: URL,
): Promise<ResolverAddress> {
  if (configured.resolver) return { address: configured.resolver, port: configured.resolverPort };
  const host = endpoint.hostname.replace(/^\[|\]$/g, '');
  return { address: isIP(host) ? host : (await lookup(host)).address, port: 53 };
}
