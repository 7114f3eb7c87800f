/**
 * The OPNsense Unbound API over HTTPS (node:https, so a private CA can be trusted per request). TLS is always
 * verified: a self-signed firewall is trusted through a CA file, never by switching verification off.
 * 429, 5xx and dropped connections are retried with the shared bounded policy.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { DnsError } from '../errors';
import { redactCredentials } from '../redact';
import { type Failure, RetriesExhausted, type RetryPolicy, withRetries } from '../retry';
import { normalizeRow, type OverrideFields, type OverrideRow } from './plan';

export interface OpnsenseSettings {
  /** Base URL ending in /api, e.g. https://192.168.1.1/api. */
  readonly apiUrl: URL;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** PEM text of the CA(s) to trust instead of the public roots. */
  readonly ca?: string;
  readonly caFile?: string;
}

/** Reads OPNSENSE_ENDPOINT / OPNSENSE_API_KEY / OPNSENSE_API_SECRET; errors name the variable, never a value. */
export function opnsenseSettings(env: NodeJS.ProcessEnv, caFile?: string): OpnsenseSettings {
  const get = (name: string) => env[name]?.trim() || undefined;
  const endpoint = get('OPNSENSE_ENDPOINT');
  const apiKey = get('OPNSENSE_API_KEY');
  const apiSecret = get('OPNSENSE_API_SECRET');
  const missing = [
    !endpoint && 'OPNSENSE_ENDPOINT',
    !apiKey && 'OPNSENSE_API_KEY',
    !apiSecret && 'OPNSENSE_API_SECRET',
  ].filter(Boolean);
  if (missing.length > 0 || !endpoint || !apiKey || !apiSecret) {
    const message = `set ${missing.join(', ')} (the OPNsense address, e.g. https://192.168.1.1, and an API key pair)`;
    throw new DnsError(message);
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DnsError('OPNSENSE_ENDPOINT is not a URL (expected e.g. https://192.168.1.1)');
  }
  if (url.protocol !== 'https:')
    throw new DnsError('OPNSENSE_ENDPOINT must be an https:// URL: the API key must not travel in clear text');
  if (url.username || url.password)
    throw new DnsError('OPNSENSE_ENDPOINT must not hold credentials; use OPNSENSE_API_KEY and OPNSENSE_API_SECRET');
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/api') ? `${path}/` : `${path}/api/`;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new DnsError(`cannot read the CA file ${caFile}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new DnsError(`${caFile} holds no PEM certificate`);
  }
  return { apiUrl: url, apiKey, apiSecret, ca, caFile };
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfter: string | null,
  ) {
    super(`HTTP ${status}`);
  }
}

const tlsCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const transientCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

export interface OpnsenseCallCounts {
  search: number;
  add: number;
  set: number;
  reconfigure: number;
}

export class OpnsenseApi {
  readonly calls: OpnsenseCallCounts = { search: 0, add: 0, set: 0, reconfigure: 0 };

  constructor(
    private readonly settings: OpnsenseSettings,
    private readonly options: { log?: (line: string) => void; retryPolicy?: RetryPolicy } = {},
  ) {}

  get endpoint(): string {
    return this.settings.apiUrl.origin;
  }

  get apiUrl(): URL {
    return this.settings.apiUrl;
  }

  /** Every row whose fields contain `hostname`; the exact host+domain match is the plan's job (contract §3.1). */
  async search(hostname: string): Promise<OverrideRow[]> {
    this.calls.search++;
    const reply = (await this.post('unbound/settings/search_host_override', {
      searchPhrase: hostname,
      rowCount: -1,
      current: 1,
    })) as {
      rows?: Record<string, unknown>[];
    };
    if (!Array.isArray(reply.rows))
      throw new DnsError(
        `OPNsense search_host_override answered without rows: ${this.redact(JSON.stringify(reply).slice(0, 200))}`,
      );
    return reply.rows.map(normalizeRow);
  }

  /**
   * OPNsense does not refuse a duplicate, so a retried add first looks whether the try before it was saved (its
   * answer lost on the way back) and, if so, takes that row instead of adding a second one.
   */
  async add(fields: OverrideFields): Promise<string> {
    this.calls.add++;
    const reply = await this.post('unbound/settings/add_host_override', { host: fields }, async () => {
      const search = new URL('unbound/settings/search_host_override', this.settings.apiUrl);
      const found = (await this.once(search, { searchPhrase: fields.hostname, rowCount: -1, current: 1 })) as {
        rows?: Record<string, unknown>[];
      };
      const saved = (found.rows ?? []).map(normalizeRow).find((row) => sameOverride(row, fields));
      if (!saved) return undefined;
      this.options.log?.(`OPNsense add_host_override: the previous try saved ${fields.hostname} (uuid ${saved.uuid})`);
      return { result: 'saved', uuid: saved.uuid };
    });
    return expectSaved(reply, fields).uuid ?? '';
  }

  async set(uuid: string, fields: OverrideFields): Promise<void> {
    this.calls.set++;
    expectSaved(
      await this.post(`unbound/settings/set_host_override/${encodeURIComponent(uuid)}`, { host: fields }),
      fields,
    );
  }

  async reconfigure(): Promise<void> {
    this.calls.reconfigure++;
    const reply = (await this.post('unbound/service/reconfigure', {})) as { status?: string };
    if (String(reply.status).toLowerCase() !== 'ok') {
      throw new DnsError(
        `OPNsense did not apply the Unbound configuration (reconfigure answered ${this.redact(JSON.stringify(reply).slice(0, 200))})`,
      );
    }
  }

  /** `beforeRetry` may answer for a retry instead of sending the request again (see `add`). */
  private async post(path: string, body: unknown, beforeRetry?: () => Promise<unknown | undefined>): Promise<unknown> {
    const url = new URL(path, this.settings.apiUrl);
    const label = `POST ${url.pathname}`;
    let tries = 0;
    const send = async () => {
      if (tries++ > 0 && beforeRetry) {
        const answer = await beforeRetry();
        if (answer !== undefined) return answer;
      }
      return this.once(url, body);
    };
    try {
      return await withRetries(send, classify, {
        label: `OPNsense ${label}`,
        log: this.options.log,
        policy: this.options.retryPolicy,
      });
    } catch (e) {
      throw this.explain(label, e);
    }
  }

  private once(url: URL, body: unknown): Promise<unknown> {
    const payload = JSON.stringify(body);
    const auth = Buffer.from(`${this.settings.apiKey}:${this.settings.apiSecret}`).toString('base64');
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${auth}`,
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
          ...(this.settings.ca ? { ca: this.settings.ca } : {}),
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            this.options.log?.(`POST ${url.origin}${url.pathname} → ${status}`);
            if (status !== 200) {
              const retryAfter = res.headers['retry-after'];
              return reject(
                new HttpFailure(status, text, Array.isArray(retryAfter) ? retryAfter[0] : (retryAfter ?? null)),
              );
            }
            try {
              resolve(JSON.parse(text));
            } catch {
              reject(
                new DnsError(
                  `OPNsense ${url.pathname} answered with something other than JSON: ${this.redact(text.slice(0, 120))}`,
                ),
              );
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out after 30 s'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private explain(label: string, e: unknown): Error {
    const where = this.settings.apiUrl.origin;
    if (e instanceof RetriesExhausted) return new DnsError(e.message);
    if (e instanceof HttpFailure) {
      if (e.status === 401)
        return new DnsError(
          `OPNsense at ${where} rejected the API key (401 Authentication Failed): fix OPNSENSE_API_KEY and OPNSENSE_API_SECRET`,
        );
      if (e.status === 403) {
        return new DnsError(
          `OPNsense at ${where} refused ${label} (403 Forbidden): give the API key's user the "Services: Unbound" privilege`,
        );
      }
      if (e.status === 404)
        return new DnsError(
          `OPNsense at ${where} has no ${label.slice(5)} (404): check OPNSENSE_ENDPOINT and the firewall version`,
        );
      return new DnsError(`OPNsense ${label} failed: HTTP ${e.status} ${this.redact(e.body.slice(0, 200))}`);
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code && tlsCodes.has(code)) {
      const hint = this.settings.caFile
        ? `the certificate does not verify against ${this.settings.caFile}`
        : 'for a self-signed firewall certificate pass its CA with --ca-file (or unbound.caFile in dev.yaml)';
      return new DnsError(`TLS to ${where} failed (${code}): ${hint}`);
    }
    if (e instanceof DnsError) return e;
    return new DnsError(`OPNsense at ${where}: ${this.redact(e instanceof Error ? e.message : String(e))}`);
  }

  /** Server text without the API key pair (also in its Basic form) or anything shaped like a credential. */
  private redact(text: string): string {
    const { apiKey, apiSecret } = this.settings;
    return redactCredentials(text, [apiKey, apiSecret, Buffer.from(`${apiKey}:${apiSecret}`).toString('base64')]);
  }
}

function classify(e: unknown): Failure | undefined {
  if (e instanceof HttpFailure) {
    return { retryable: e.status === 429 || e.status >= 500, retryAfter: e.retryAfter, what: `HTTP ${e.status}` };
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (code && transientCodes.has(code)) return { retryable: true, what: code };
  return undefined;
}

const sameOverride = (row: OverrideRow, f: OverrideFields) =>
  row.enabled === f.enabled &&
  row.hostname.toLowerCase() === f.hostname.toLowerCase() &&
  row.domain.toLowerCase() === f.domain.toLowerCase() &&
  row.rr === f.rr &&
  row.server === f.server &&
  row.description === f.description;

/** Business failures arrive as HTTP 200 `result: failed`, with `validations` keyed `host.<field>` (contract §3.3). */
function expectSaved(reply: unknown, fields: OverrideFields): { uuid?: string } {
  const r = reply as { result?: string; uuid?: string; validations?: Record<string, string | string[]> };
  if (r.result === 'saved') return r;
  const name = `${fields.hostname}.${fields.domain}`;
  const lines = Object.entries(r.validations ?? {}).flatMap(([field, messages]) =>
    (Array.isArray(messages) ? messages : [messages]).map((m) => `  ${field}: ${redactCredentials(String(m))}`),
  );
  throw new DnsError(
    lines.length > 0
      ? `OPNsense refused the host override ${name}:\n${lines.join('\n')}`
      : `OPNsense refused the host override ${name} (result "${redactCredentials(String(r.result ?? '?'))}", no field details)`,
  );
}
