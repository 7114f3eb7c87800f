/**
 * The Cloudflare side: one SDK client per run and thin executors, each one API call. The SDK is imported lazily so
 * that `legacy-deploy --help` does not load it. Its own retries are off (maxRetries 0): it would sleep for as long as
 * any `Retry-After` asks, so this module retries through `withRetries`, which caps the wait.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates } from 'node:tls';
import { DnsError } from '../errors';
import { redactCredentials } from '../redact';
import { type Failure, RetriesExhausted, type RetryPolicy, withRetries } from '../retry';
import { type CloudflareCredentials, credentialVariables } from './credentials';
import type { DesiredCname, ObservedRecord } from './plan';

export interface CloudflareApiOptions {
  readonly credentials: CloudflareCredentials;
  /** The API root; tests point it at the emulator. Default: the SDK's (https://api.cloudflare.com/client/v4). */
  readonly baseURL?: string;
  /** One line per HTTP exchange and per retry (method, URL, status): never headers or bodies. */
  readonly log?: (line: string) => void;
  readonly retryPolicy?: RetryPolicy;
  /**
   * A PEM file of extra CAs to trust beside the public roots: the run's NODE_EXTRA_CA_CERTS (a TLS-inspecting
   * proxy, the tests' emulator). Node applies that variable to its own process at start-up; reading it from the
   * run's environment lets a run in another environment (a test) trust the same CAs.
   */
  readonly extraCaFile?: string;
}

const loadSdk = () => import('cloudflare');
type Sdk = Awaited<ReturnType<typeof loadSdk>>;
type Cloudflare = InstanceType<Sdk['default']>;
type Fetch = (url: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** fetch that trusts the public roots plus the CAs in `caFile` (undici, the engine of Node's own fetch). */
async function fetchTrusting(caFile: string): Promise<Fetch> {
  let pem: string;
  try {
    pem = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new DnsError(`cannot read NODE_EXTRA_CA_CERTS file ${caFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const undici = await import('undici');
  // One secure context for the run: built from ~140 roots, it costs tens of ms, too much to redo per connection.
  const secureContext = createSecureContext({ ca: [...rootCertificates, pem] });
  const dispatcher = new undici.Agent({ connect: { secureContext } });
  return (url, init) =>
    undici.fetch(url as Parameters<typeof undici.fetch>[0], {
      ...(init as Parameters<typeof undici.fetch>[1]),
      dispatcher,
    }) as unknown as Promise<Response>;
}

/** OpenSSL's verdicts on a certificate chain that does not lead to a trusted root (or names another host). */
const certificateCodes =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** The certificate error code somewhere in an error's `cause` chain (fetch wraps it twice), or undefined. */
export function untrustedCertificate(e: unknown): string | undefined {
  for (let c = e, depth = 0; c instanceof Error && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as NodeJS.ErrnoException).code;
    if (code && certificateCodes.test(code)) return code;
  }
  return undefined;
}

/** What the list endpoints report beside the page (the SDK types only `page` and `per_page`). */
interface ResultInfo {
  page?: number;
  per_page?: number;
  total_pages?: number;
}

/** Whether a list page says more follow; without `total_pages`, a full page means there may be more. */
export function hasMorePages(info: ResultInfo, itemsOnPage: number): boolean {
  const page = info.page ?? 1;
  if (info.total_pages !== undefined) return page < info.total_pages;
  return info.per_page !== undefined && itemsOnPage >= info.per_page;
}

interface SdkError {
  status?: number;
  headers?: Headers | Record<string, string>;
  errors?: { code?: number; message?: string }[];
}

function header(headers: SdkError['headers'], name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const entry = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  return entry ? entry[1] : null;
}

const firstError = (e: SdkError) => e.errors?.[0];

/** The body of a create (POST) or edit (PATCH) of the managed CNAME. */
const cnameBody = (zoneId: string, r: DesiredCname) => ({
  zone_id: zoneId,
  type: 'CNAME' as const,
  name: r.name,
  content: r.content,
  ttl: r.ttl,
  proxied: r.proxied,
});

export class CloudflareApi {
  private constructor(
    private readonly sdk: Sdk,
    private readonly client: Cloudflare,
    private readonly options: CloudflareApiOptions,
  ) {}

  static async connect(options: CloudflareApiOptions): Promise<CloudflareApi> {
    const sdk = await loadSdk();
    const c = options.credentials;
    const log = options.log;
    const send: Fetch = options.extraCaFile ? await fetchTrusting(options.extraCaFile) : fetch;
    const client = new sdk.default({
      // Null the unused scheme explicitly, or the SDK would also read it from the environment and send both.
      apiToken: c.kind === 'token' ? c.apiToken : null,
      apiKey: c.kind === 'global-key' ? c.apiKey : null,
      apiEmail: c.kind === 'global-key' ? c.apiEmail : null,
      userServiceKey: null,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      maxRetries: 0,
      timeout: 30_000,
      // The SDK's own logging is off whatever CLOUDFLARE_LOG says; our log line shows method, URL and status only.
      logLevel: 'off',
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        const response = await send(url, init);
        log?.(`${init?.method ?? 'GET'} ${String(url)} → ${response.status}`);
        return response;
      },
    });
    return new CloudflareApi(sdk, client, options);
  }

  private classify = (e: unknown): Failure | undefined => {
    // A certificate this machine does not trust fails the same way on every try: not retried, explained once.
    if (e instanceof this.sdk.APIConnectionError && untrustedCertificate(e) !== undefined)
      return { retryable: false, what: 'untrusted certificate' };
    if (e instanceof this.sdk.APIConnectionError)
      return { retryable: true, what: this.redact(e.message.replace(/\.$/, '')) };
    if (!(e instanceof this.sdk.APIError)) return undefined;
    const status = e.status ?? 0;
    return {
      retryable: status === 429 || status >= 500,
      retryAfter: header(e.headers, 'retry-after'),
      what: `HTTP ${status}`,
    };
  };

  /** Calls `fn` with bounded retries, then turns what is left into a message a user can act on. */
  private async call<T>(label: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(fn, this.classify, { label, log: this.options.log, policy: this.options.retryPolicy });
    } catch (e) {
      const explained = this.explain(label, e);
      if (explained !== e) Object.defineProperty(explained, 'cause', { value: e, enumerable: false });
      throw explained;
    }
  }

  private explain(label: string, e: unknown): Error {
    if (e instanceof RetriesExhausted) return new DnsError(`Cloudflare ${e.message}`);
    const certificate = untrustedCertificate(e);
    if (certificate !== undefined) {
      const api = this.options.baseURL ?? 'https://api.cloudflare.com/client/v4';
      return new DnsError(
        `Cloudflare ${label}: the certificate of ${new URL(api).host} is not trusted by this machine (${certificate}); ` +
          "if a proxy or private CA signs it, put that CA's PEM file in NODE_EXTRA_CA_CERTS",
      );
    }
    if (!(e instanceof this.sdk.APIError)) return e instanceof Error ? e : new Error(String(e));
    const err = e as SdkError;
    const first = firstError(err);
    const what = `HTTP ${err.status}${first ? `, code ${first.code}: ${this.redact(String(first.message))}` : ''}`;
    const vars = credentialVariables(this.options.credentials);
    const code = first?.code;
    // 9109: bad token; 9103: unknown global key/email; 9106: none sent; 6003: malformed auth header.
    if (err.status === 401 || code === 9109 || code === 9103 || code === 9106 || code === 6003) {
      return new DnsError(`Cloudflare rejected the credentials (${what}) during ${label}: fix ${vars}`);
    }
    if (err.status === 403) {
      return new DnsError(
        `Cloudflare denied ${label} (${what}): the credentials in ${vars} lack permission (a token needs Zone:DNS:Edit on this zone)`,
      );
    }
    return new DnsError(`Cloudflare ${label} failed (${what})`);
  }

  /** Server text without this run's credentials or anything shaped like one. */
  private redact(text: string): string {
    const c = this.options.credentials;
    return redactCredentials(text, c.kind === 'token' ? [c.apiToken] : [c.apiKey, c.apiEmail]);
  }

  /** The zone's id; exactly one `GET /zones?name=` per call. */
  async zoneId(zone: string): Promise<string> {
    const page = await this.call(`zone lookup ${zone}`, () => this.client.zones.list({ name: zone }));
    const found = page.result[0];
    if (!found) {
      throw new DnsError(
        `Cloudflare has no zone named ${zone} visible to these credentials (check cloudflare.zone in dev.yaml)`,
      );
    }
    return found.id;
  }

  /**
   * All records at one FQDN. One request unless Cloudflare reports more pages: the SDK's auto-pagination always asks
   * for one page past the end, which would double the calls for a name with a handful of records.
   */
  async recordsAt(zoneId: string, name: string): Promise<ObservedRecord[]> {
    const label = `list records ${name}`;
    let page = await this.call(label, () =>
      this.client.dns.records.list({ zone_id: zoneId, name: { exact: name }, per_page: 100 }),
    );
    const records = [...page.result];
    while (hasMorePages(page.result_info as ResultInfo, page.result.length)) {
      const current = page;
      page = await this.call(label, () => current.getNextPage());
      records.push(...page.result);
    }
    return records.map((r) => ({
      id: r.id,
      type: r.type,
      name: r.name,
      content: String(r.content ?? ''),
      ttl: r.ttl,
      proxied: r.proxied ?? false,
    }));
  }

  /**
   * Creates the CNAME. `exists`: Cloudflare reports the name taken (81053/81057/81058) on the first try, so someone
   * wrote it between our list and this call, and the caller reconciles instead of failing (per the contract).
   * `created-answer-lost`: a try whose answer was lost (a dropped connection, a 5xx) was retried and the retry found
   * an identical record (81057/81058): that record is the lost try's, so this call did write it.
   */
  async create(zoneId: string, r: DesiredCname): Promise<'created' | 'created-answer-lost' | 'exists'> {
    let tries = 0;
    try {
      await this.call(`create CNAME ${r.name}`, () => {
        tries++;
        return this.client.dns.records.create(cnameBody(zoneId, r));
      });
      return 'created';
    } catch (e) {
      const code = this.codeOf(e);
      if (tries > 1 && (code === 81057 || code === 81058)) return 'created-answer-lost';
      if (code === 81053 || code === 81057 || code === 81058) return 'exists';
      throw e;
    }
  }

  /** PATCH, so a comment or tags someone added to the record survive. */
  async update(zoneId: string, id: string, r: DesiredCname): Promise<void> {
    await this.call(`update CNAME ${r.name}`, () => this.client.dns.records.edit(id, cnameBody(zoneId, r)));
  }

  /**
   * Deletes a record. A 404/81044 means it is gone already: `deleted` when an earlier try of this call had its
   * answer lost (that try deleted it), `gone` when the first try found it gone (someone else deleted it).
   */
  async delete(zoneId: string, record: ObservedRecord): Promise<'deleted' | 'gone'> {
    let tries = 0;
    try {
      await this.call(`delete ${record.type} ${record.name}`, () => {
        tries++;
        return this.client.dns.records.delete(record.id, { zone_id: zoneId });
      });
      return 'deleted';
    } catch (e) {
      if (this.codeOf(e) !== 81044) throw e;
      return tries > 1 ? 'deleted' : 'gone';
    }
  }

  /** The Cloudflare error code behind a DnsError this module threw, 0 when there is none. */
  private codeOf(e: unknown): number {
    const cause = e instanceof DnsError ? (e as DnsError & { cause?: unknown }).cause : undefined;
    return cause instanceof this.sdk.APIError ? (firstError(cause as SdkError)?.code ?? 0) : 0;
  }
}
