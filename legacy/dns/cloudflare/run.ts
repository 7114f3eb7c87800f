/** `legacy-deploy dns cloudflare`: observe → plan → print → apply. */
import { DnsError } from '../errors';
import { formatSection, type PlanSection, sectionChanges } from '../plan-view';
import type { Report } from '../report';
import { cloudflareDesired, type DnsStack } from '../stack';
import { CloudflareApi } from './api';
import { cloudflareCredentials } from './credentials';
import {
  type CloudflareAction,
  type CloudflarePlanOptions,
  cloudflareSection,
  type DesiredCname,
  planCloudflare,
  planCname,
} from './plan';

export interface CloudflareRunOptions extends CloudflarePlanOptions {
  readonly dryRun: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly report: Report;
}

export interface CloudflarePlanned {
  readonly api: CloudflareApi;
  readonly zoneId: string;
  readonly actions: readonly CloudflareAction[];
  readonly section: PlanSection;
}

/**
 * The Cloudflare API root: env CLOUDFLARE_BASE_URL (a proxy or the tests' emulator), else the SDK's default. Only
 * https: the token travels in every request's Authorization header.
 */
export function cloudflareBaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.CLOUDFLARE_BASE_URL?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DnsError('CLOUDFLARE_BASE_URL is not a URL (expected e.g. https://api.cloudflare.com/client/v4)');
  }
  if (url.protocol !== 'https:')
    throw new DnsError('CLOUDFLARE_BASE_URL must be an https:// URL: the API token must not travel in clear text');
  if (url.username || url.password)
    throw new DnsError('CLOUDFLARE_BASE_URL must not hold credentials; use CLOUDFLARE_API_TOKEN');
  return value;
}

/** Observation: one zone lookup, then one list per record name (the new CNAME and the old one). */
export async function planCloudflareDns(
  stack: DnsStack,
  options: CloudflarePlanOptions & { env: NodeJS.ProcessEnv; report: Report },
): Promise<CloudflarePlanned> {
  const desired = cloudflareDesired(stack.legacy);
  const api = await CloudflareApi.connect({
    credentials: cloudflareCredentials(options.env),
    baseURL: cloudflareBaseUrl(options.env),
    extraCaFile: options.env.NODE_EXTRA_CA_CERTS?.trim() || undefined,
    log: options.report.detail,
  });
  const zoneId = await api.zoneId(desired.zone);
  const atName = await api.recordsAt(zoneId, desired.cname.name);
  const atOldName = await api.recordsAt(zoneId, desired.oldName);
  const actions = planCloudflare(desired, { atName, atOldName }, options);
  return { api, zoneId, actions, section: cloudflareSection(desired.zone, actions) };
}

/** Executes each action with one API call; `keep` and `skip` do nothing. Returns the number of writes. */
export async function applyCloudflare(planned: CloudflarePlanned, report: Report): Promise<number> {
  const { api, zoneId } = planned;
  let writes = 0;
  for (const action of planned.actions) {
    switch (action.kind) {
      case 'create': {
        const outcome = await api.create(zoneId, action.record);
        if (outcome === 'exists') {
          report.line(`  ${action.record.name} was created meanwhile by someone else; looking again`);
          writes += await reconcileCreated(planned, action.record, report);
          continue;
        }
        if (outcome === 'created-answer-lost') {
          report.line(
            `  done: create CNAME ${action.record.name} (Cloudflare's answer was lost; the retry found the record in place)`,
          );
          writes += 1 + (await reconcileCreated(planned, action.record, report));
          continue;
        }
        break;
      }
      case 'update':
        await api.update(zoneId, action.id, action.record);
        break;
      case 'delete':
        if ((await api.delete(zoneId, action.record)) === 'gone') {
          report.line(`  ${action.record.type} ${action.record.name} was deleted meanwhile by someone else`);
          continue;
        }
        break;
      default:
        continue;
    }
    writes++;
    report.line(
      `  done: ${action.kind} ${'type' in action.record ? action.record.type : 'CNAME'} ${action.record.name}`,
    );
  }
  return writes;
}

/** The CNAME is there after a create: look again and update it if it differs (or explain why we cannot). */
async function reconcileCreated(planned: CloudflarePlanned, record: DesiredCname, report: Report): Promise<number> {
  const again = planCname(record, await planned.api.recordsAt(planned.zoneId, record.name));
  let writes = 0;
  for (const action of again) {
    if (action.kind === 'skip') throw new DnsError(`cannot create CNAME ${record.name}: ${action.reason}`);
    if (action.kind === 'update') {
      await planned.api.update(planned.zoneId, action.id, action.record);
      report.line(`  done: update CNAME ${record.name}`);
      writes++;
    }
  }
  return writes;
}

export async function runCloudflareDns(
  stack: DnsStack,
  options: CloudflareRunOptions,
): Promise<{ planned: CloudflarePlanned; writes: number }> {
  const planned = await planCloudflareDns(stack, options);
  options.report.line(formatSection(planned.section));
  if (options.dryRun || sectionChanges(planned.section) === 0) return { planned, writes: 0 };
  options.report.line('Applying:');
  return { planned, writes: await applyCloudflare(planned, options.report) };
}
