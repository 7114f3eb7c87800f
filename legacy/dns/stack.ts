/**
 * What the DNS commands want, derived from the two stack files: the central hostname and LoadBalancer IP come from
 * prod.yaml only (one source of truth), the Cloudflare and Unbound settings from dev.yaml.
 */
import { join } from 'node:path';
import { loadDevStack, loadProdStack } from '../../lib/config/load';
import type { CentralAlloyConfig, LegacyAlloyConfig } from '../../lib/config/schema';
import type { CloudflareDesired } from './cloudflare/plan';
import { recordFqdn, splitHostname } from './names';

export interface DnsStack {
  readonly central: CentralAlloyConfig;
  readonly legacy: LegacyAlloyConfig;
}

export function loadDnsStack(configDir: string): DnsStack {
  return {
    central: loadProdStack(join(configDir, 'prod.yaml')).alloy,
    legacy: loadDevStack(join(configDir, 'dev.yaml')).alloyLegacy,
  };
}

export function cloudflareDesired(legacy: LegacyAlloyConfig): CloudflareDesired {
  const cf = legacy.cloudflare;
  return {
    zone: cf.zone,
    cname: {
      name: recordFqdn(cf.record, cf.zone),
      content: cf.cnameTarget,
      // Cloudflare serves (and stores) a proxied record with TTL 1, automatic, whatever was sent; wanting the
      // configured TTL there would patch the record on every run.
      ttl: cf.proxied ? 1 : cf.ttl,
      proxied: cf.proxied,
    },
    oldName: recordFqdn(cf.oldRecord, cf.zone),
    oldContent: cf.cnameTarget,
  };
}

/** The Unbound host override: the central hostname answering with the LoadBalancer IP. */
export interface HostOverride {
  readonly fqdn: string;
  readonly host: string;
  readonly domain: string;
  readonly address: string;
}

export function hostOverride(central: CentralAlloyConfig): HostOverride {
  const { host, domain } = splitHostname(central.hostname);
  return { fqdn: central.hostname, host, domain, address: central.loadBalancerIP };
}
