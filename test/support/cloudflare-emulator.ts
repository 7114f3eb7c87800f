/**
 * A local stand-in for the Cloudflare zones + DNS records API, held to ../shared/contracts/cloudflare-dns.md:
 * the v4 envelope, token and global-key auth (9106/6003/9109/10000), request validation (type, name, content,
 * TTL 9021, proxied, comment, tags), the conflict rules (81053/81058), 81044/7003 for unknown ids and routes,
 * page/per_page pagination (a page past the end is an empty success), a configurable rate limit (429/971 with
 * `retry-after`), and injectable faults. It keeps state in memory and logs every request for the tests to count.
 * It serves HTTPS only, as the real API does, with a certificate from a test CA that clients trust through
 * NODE_EXTRA_CA_CERTS=`caFile`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIPv4, isIPv6 } from 'node:net';
import { createTestCa, type TestCa } from './tls-certs';

export interface EmulatedRecord {
  id: string;
  zone_id: string;
  type: string;
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
  proxiable: boolean;
  comment: string | null;
  tags: string[];
  settings: Record<string, unknown>;
  meta: Record<string, unknown>;
  created_on: string;
  modified_on: string;
}

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly status: number;
  /** Which credential scheme the request used; the values themselves are never logged. */
  readonly auth: 'token' | 'global-key' | 'none';
}

export interface Fault {
  readonly status: 429 | 500 | 502 | 503 | 403 | 401;
  /** For 429: the `retry-after` header in seconds. */
  readonly retryAfter?: number;
  /** Only requests with this method take the fault (e.g. 'POST'); default any. */
  readonly method?: string;
  /** The error message to answer with instead of the standard one (e.g. one that echoes a credential). */
  readonly message?: string;
}

export interface CloudflareEmulatorOptions {
  readonly zones: readonly string[];
  /** Accepted API tokens; `readOnly` ones get 403/10000 on writes. */
  readonly tokens?: readonly { value: string; readOnly?: boolean }[];
  /** Accepted global keys. */
  readonly globalKeys?: readonly { email: string; key: string }[];
  /** Requests allowed per window and credential before 429/971; default 1200 per 300 s as in production. */
  readonly rateLimit?: { readonly limit: number; readonly windowSeconds: number };
  /** Server certificate and key (PEM) for 127.0.0.1; default: issued by a CA of the emulator's own (`caFile`). */
  readonly tls?: { readonly cert: string; readonly key: string };
}

const recordTypes = new Set([
  'A',
  'AAAA',
  'CAA',
  'CERT',
  'CNAME',
  'DNSKEY',
  'DS',
  'HTTPS',
  'LOC',
  'MX',
  'NAPTR',
  'NS',
  'PTR',
  'SMIMEA',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
  'URI',
]);
const proxiableTypes = new Set(['A', 'AAAA', 'CNAME']);
const addressTypes = new Set(['A', 'AAAA', 'CNAME']);
const hostnamePattern =
  /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?$/;
const tagPattern = /^[A-Za-z0-9_-]+:.*$/;
const idPattern = /^[0-9a-f]{32}$/;

class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const newId = () => randomBytes(16).toString('hex');
/** RFC 3339 with microseconds, as Cloudflare writes them. */
const now = () => new Date().toISOString().replace(/Z$/, '000Z');
const lower = (s: string) => s.toLowerCase().replace(/\.$/, '');

export class CloudflareEmulator {
  readonly requests: LoggedRequest[] = [];
  readonly zones: { id: string; name: string }[];
  private records: EmulatedRecord[] = [];
  private faults: Fault[] = [];
  private lost: string[] = [];
  private before: { method: string; run: () => void }[] = [];
  private windows = new Map<string, { start: number; count: number }>();
  private server!: Server;
  private ca: TestCa | undefined;
  baseURL = '';
  /** The PEM CA that signed the emulator's certificate (unset when `tls` was given). */
  caFile = '';

  constructor(private readonly options: CloudflareEmulatorOptions) {
    this.zones = options.zones.map((name) => ({ id: newId(), name: lower(name) }));
  }

  async start(): Promise<this> {
    let tls = this.options.tls;
    if (!tls) {
      this.ca = createTestCa('Cloudflare emulator CA');
      this.caFile = this.ca.caFile;
      tls = this.ca.issue('api', { ipAddresses: ['127.0.0.1'] });
    }
    this.server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseURL = `https://127.0.0.1:${port}/client/v4`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.ca?.cleanup();
  }

  /** Runs `change` just before the next request with this method is handled (another client's write in between). */
  beforeNext(method: string, change: () => void): void {
    this.before.push({ method, run: change });
  }

  /** The environment that points a client at this emulator and makes it trust the emulator's certificate. */
  get clientEnv(): { CLOUDFLARE_BASE_URL: string; NODE_EXTRA_CA_CERTS: string } {
    return { CLOUDFLARE_BASE_URL: this.baseURL, NODE_EXTRA_CA_CERTS: this.caFile };
  }

  /** fetch from this process, trusting the emulator's CA (for tests that speak to it directly). */
  async fetch(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
    const undici = await import('undici');
    const dispatcher = new undici.Agent({ connect: { ca: readFileSync(this.caFile, 'utf8') } });
    try {
      const res = await undici.fetch(`${this.baseURL}${path}`, { ...init, dispatcher });
      return { status: res.status, headers: res.headers, json: (await res.json()) as unknown };
    } finally {
      await dispatcher.close();
    }
  }

  /** The next requests (one per fault) fail as given, before auth or validation. */
  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /**
   * The next request with each of these methods is carried out, then its connection is dropped before the answer
   * (a response lost on the way back): the client cannot know that its write took effect.
   */
  loseResponses(...methods: string[]): void {
    this.lost.push(...methods);
  }

  /** Stores a record directly (test set-up), bypassing the request log. */
  seed(
    zone: string,
    r: { type: string; name: string; content: string; ttl?: number; proxied?: boolean },
  ): EmulatedRecord {
    const z = this.zoneByName(zone);
    const record = this.buildRecord(z.id, z.name, { ttl: 1, proxied: false, ...r });
    this.records.push(record);
    return record;
  }

  /** Removes a record directly (another client's delete), bypassing the request log. */
  removeRecord(id: string): void {
    this.records = this.records.filter((r) => r.id !== id);
  }

  recordsIn(zone: string): EmulatedRecord[] {
    const z = this.zoneByName(zone);
    return this.records.filter((r) => r.zone_id === z.id).map((r) => ({ ...r }));
  }

  /** Requests that changed (or tried to change) state. */
  writes(): LoggedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  private zoneByName(name: string) {
    const z = this.zones.find((zone) => zone.name === lower(name));
    if (!z) throw new Error(`emulator has no zone ${name}`);
    return z;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const hook = this.before.findIndex((b) => b.method === method);
    if (hook >= 0) this.before.splice(hook, 1)[0].run();
    let body: unknown;
    let auth: LoggedRequest['auth'] = 'none';
    let status = 200;
    let payload: unknown;
    let headers: Record<string, string> = {};
    try {
      const fault = this.takeFault(method);
      if (fault) throw faultFailure(fault);
      const credential = this.authenticate(req);
      auth = credential.scheme;
      headers = this.rateLimit(credential.key);
      body = parseJson(raw, method);
      if (credential.readOnly && method !== 'GET') {
        throw new ApiFailure(403, 10000, 'Authentication error');
      }
      payload = this.route(method, url, body);
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e;
      status = e.status;
      headers = { ...headers, ...e.headers };
      payload = { success: false, errors: [{ code: e.code, message: e.message }], messages: [], result: null };
    }
    this.requests.push({ method, path: url.pathname, query: url.searchParams, body, status, auth });
    const lose = this.lost.indexOf(method);
    if (lose >= 0) {
      this.lost.splice(lose, 1);
      res.socket?.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(payload));
  }

  private takeFault(method: string): Fault | undefined {
    const i = this.faults.findIndex((f) => !f.method || f.method === method);
    return i < 0 ? undefined : this.faults.splice(i, 1)[0];
  }

  private authenticate(req: IncomingMessage): { scheme: LoggedRequest['auth']; key: string; readOnly: boolean } {
    const authorization = req.headers.authorization;
    const email = req.headers['x-auth-email'];
    const key = req.headers['x-auth-key'];
    if (authorization !== undefined) {
      const m = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(String(authorization));
      if (!m) throw new ApiFailure(400, 6003, 'Invalid request headers');
      const token = (this.options.tokens ?? []).find((t) => t.value === m[1]);
      if (!token) throw new ApiFailure(403, 9109, 'Invalid access token');
      return { scheme: 'token', key: `token:${m[1]}`, readOnly: token.readOnly ?? false };
    }
    if (email !== undefined || key !== undefined) {
      if (!email || !key) throw new ApiFailure(400, 6003, 'Invalid request headers');
      const ok = (this.options.globalKeys ?? []).some((g) => g.email === email && g.key === key);
      if (!ok) throw new ApiFailure(403, 9103, 'Unknown X-Auth-Key or X-Auth-Email');
      return { scheme: 'global-key', key: `key:${email}`, readOnly: false };
    }
    throw new ApiFailure(400, 9106, 'Missing X-Auth-Email header');
  }

  private rateLimit(credential: string): Record<string, string> {
    const { limit, windowSeconds } = this.options.rateLimit ?? { limit: 1200, windowSeconds: 300 };
    const t = Date.now();
    let w = this.windows.get(credential);
    if (!w || t - w.start >= windowSeconds * 1000) {
      w = { start: t, count: 0 };
      this.windows.set(credential, w);
    }
    w.count++;
    const left = Math.max(0, Math.ceil((w.start + windowSeconds * 1000 - t) / 1000));
    if (w.count > limit) {
      throw new ApiFailure(
        429,
        971,
        `More than ${limit} requests per ${windowSeconds} seconds reached. Please wait and consider throttling your request speed`,
        { 'retry-after': String(left) },
      );
    }
    return {
      ratelimit: `"default";r=${limit - w.count};t=${left}`,
      'ratelimit-policy': `"burst";q=${limit};w=${windowSeconds}`,
    };
  }

  private route(method: string, url: URL, body: unknown): unknown {
    const parts = url.pathname
      .replace(/^\/client\/v4/, '')
      .split('/')
      .filter(Boolean);
    if (parts[0] === 'zones' && parts.length === 1 && method === 'GET') return this.listZones(url.searchParams);
    if (parts[0] === 'zones' && parts[2] === 'dns_records' && parts.length <= 4) {
      const zone = this.zones.find((z) => z.id === parts[1]);
      if (!idPattern.test(parts[1] ?? '') || !zone) throw routeFailure(url);
      if (parts.length === 3) {
        if (method === 'GET') return this.listRecords(zone.id, url.searchParams);
        if (method === 'POST') return single(publicRecord(this.create(zone, body)));
        throw routeFailure(url);
      }
      if (!idPattern.test(parts[3])) throw routeFailure(url);
      const record = this.records.find((r) => r.zone_id === zone.id && r.id === parts[3]);
      if (!record) throw new ApiFailure(404, 81044, 'Record does not exist.');
      if (method === 'GET') return single(publicRecord(record));
      if (method === 'PUT') return single(publicRecord(this.replace(zone, record, body, 'put')));
      if (method === 'PATCH') return single(publicRecord(this.replace(zone, record, body, 'patch')));
      if (method === 'DELETE') {
        this.records = this.records.filter((r) => r !== record);
        return single({ id: record.id });
      }
    }
    throw routeFailure(url);
  }

  private listZones(q: URLSearchParams): unknown {
    const perPage = intParam(q, 'per_page', 20);
    if (perPage < 5 || perPage > 50) throw new ApiFailure(400, 1001, 'per_page must be between 5 and 50');
    const page = intParam(q, 'page', 1);
    const name = q.get('name');
    const matches = this.zones.filter((z) => name === null || stringFilter(name, z.name));
    return paged(
      matches.map((z) => ({
        id: z.id,
        name: z.name,
        status: 'active',
        paused: false,
        type: 'full',
        development_mode: 0,
        owner: { id: '0123456789abcdef0123456789abcdef', name: 'emulated', type: 'user' },
        meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
        name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
        original_name_servers: null,
        original_registrar: null,
        original_dnshost: null,
        account: { id: '0123456789abcdef0123456789abcdef', name: 'emulated' },
        created_on: '2026-01-01T00:00:00Z',
        modified_on: '2026-01-01T00:00:00Z',
        activated_on: '2026-01-01T00:00:00Z',
      })),
      page,
      perPage,
    );
  }

  private listRecords(zoneId: string, q: URLSearchParams): unknown {
    const perPage = intParam(q, 'per_page', 100);
    if (perPage < 1) throw new ApiFailure(400, 1004, 'per_page must be at least 1');
    const page = intParam(q, 'page', 1);
    const type = q.get('type');
    if (type !== null && !recordTypes.has(type))
      throw new ApiFailure(400, 1004, `DNS record type "${type}" is invalid`);
    const matchAny = q.get('match') === 'any';
    const tests: ((r: EmulatedRecord) => boolean)[] = [];
    if (type !== null) tests.push((r) => r.type === type);
    for (const field of ['name', 'content'] as const) {
      const exact = q.get(field) ?? q.get(`${field}.exact`);
      if (exact !== null) tests.push((r) => lower(r[field]) === lower(exact));
      for (const op of ['contains', 'startswith', 'endswith'] as const) {
        const v = q.get(`${field}.${op}`);
        if (v === null) continue;
        const needle = v.toLowerCase();
        tests.push((r) => {
          const hay = r[field].toLowerCase();
          return op === 'contains'
            ? hay.includes(needle)
            : op === 'startswith'
              ? hay.startsWith(needle)
              : hay.endsWith(needle);
        });
      }
    }
    const proxied = q.get('proxied');
    if (proxied !== null) tests.push((r) => String(r.proxied) === proxied);
    const matches = this.records.filter(
      (r) =>
        r.zone_id === zoneId && (tests.length === 0 || (matchAny ? tests.some((t) => t(r)) : tests.every((t) => t(r)))),
    );
    return paged(matches.map(publicRecord), page, perPage);
  }

  private create(zone: { id: string; name: string }, body: unknown): EmulatedRecord {
    const input = validateRecord(body, zone.name, 'post');
    const record = this.buildRecord(zone.id, zone.name, input);
    this.checkConflicts(record);
    this.records.push(record);
    return record;
  }

  private replace(
    zone: { id: string; name: string },
    record: EmulatedRecord,
    body: unknown,
    mode: 'put' | 'patch',
  ): EmulatedRecord {
    const input = validateRecord(body, zone.name, mode, record);
    const updated: EmulatedRecord = {
      ...record,
      type: input.type,
      name: input.name,
      content: input.content,
      ttl: input.proxied ? 1 : input.ttl,
      proxied: input.proxied,
      proxiable: proxiableTypes.has(input.type),
      comment: input.comment,
      tags: input.tags,
      modified_on: now(),
    };
    this.checkConflicts(updated, record.id);
    Object.assign(record, updated);
    return record;
  }

  private buildRecord(
    zoneId: string,
    zoneName: string,
    input: RecordInput | (Partial<RecordInput> & { type: string; name: string; content: string }),
  ): EmulatedRecord {
    const t = now();
    const proxied = input.proxied ?? false;
    return {
      id: newId(),
      zone_id: zoneId,
      type: input.type,
      name: expandName(input.name, zoneName),
      content: input.content,
      ttl: proxied ? 1 : (input.ttl ?? 1),
      proxied,
      proxiable: proxiableTypes.has(input.type),
      comment: input.comment ?? null,
      tags: input.tags ?? [],
      settings: {},
      meta: {},
      created_on: t,
      modified_on: t,
    };
  }

  private checkConflicts(candidate: EmulatedRecord, ignoreId?: string): void {
    const others = this.records.filter(
      (r) => r.zone_id === candidate.zone_id && r.id !== ignoreId && r.name === candidate.name,
    );
    if (others.some((r) => r.type === candidate.type && lower(r.content) === lower(candidate.content))) {
      throw new ApiFailure(400, 81058, 'An identical record already exists.');
    }
    const clash =
      candidate.type === 'CNAME'
        ? others.some((r) => addressTypes.has(r.type))
        : addressTypes.has(candidate.type) && others.some((r) => r.type === 'CNAME');
    if (clash) throw new ApiFailure(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
  }
}

interface RecordInput {
  type: string;
  name: string;
  content: string;
  ttl: number;
  proxied: boolean;
  comment: string | null;
  tags: string[];
}

/** Field rules of contract §2.3; PUT resets omitted optional fields, PATCH keeps them. */
function validateRecord(
  body: unknown,
  zone: string,
  mode: 'post' | 'put' | 'patch',
  current?: EmulatedRecord,
): RecordInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiFailure(400, 9207, 'Request body is invalid.');
  const b = body as Record<string, unknown>;
  const base: RecordInput =
    mode === 'patch' && current
      ? {
          type: current.type,
          name: current.name,
          content: current.content,
          ttl: current.ttl,
          proxied: current.proxied,
          comment: current.comment,
          tags: current.tags,
        }
      : { type: '', name: '', content: '', ttl: 1, proxied: false, comment: null, tags: [] };
  const type = b.type ?? base.type;
  if (typeof type !== 'string' || type === '') throw new ApiFailure(400, 9004, 'DNS record type is required.');
  if (!recordTypes.has(type)) throw new ApiFailure(400, 1004, `DNS record type "${type}" is invalid`);
  const name = b.name ?? base.name;
  if (typeof name !== 'string' || name === '') throw new ApiFailure(400, 9005, 'DNS record name is required.');
  if (name.length > 255) throw new ApiFailure(400, 9005, 'DNS record name is too long.');
  const fqdn = expandName(name, zone);
  if (fqdn !== zone && !fqdn.endsWith(`.${zone}`))
    throw new ApiFailure(400, 9005, `${name} is not inside the zone ${zone}.`);
  const content = b.content ?? base.content;
  if (typeof content !== 'string' || content === '') throw new ApiFailure(400, 9006, 'DNS record content is required.');
  if (type === 'CNAME' && (!hostnamePattern.test(content) || lower(content) === fqdn)) {
    throw new ApiFailure(400, 9007, 'Content for CNAME record is invalid.');
  }
  if (type === 'A' && !isIPv4(content))
    throw new ApiFailure(400, 9005, 'Content for A record must be a valid IPv4 address.');
  if (type === 'AAAA' && !isIPv6(content))
    throw new ApiFailure(400, 9005, 'Content for AAAA record must be a valid IPv6 address.');
  const ttl = 'ttl' in b ? b.ttl : base.ttl;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || (ttl !== 1 && (ttl < 60 || ttl > 86400))) {
    throw new ApiFailure(400, 9021, 'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.');
  }
  const proxied = 'proxied' in b ? b.proxied : base.proxied;
  if (typeof proxied !== 'boolean') throw new ApiFailure(400, 9003, 'proxied must be a boolean.');
  if (proxied && !proxiableTypes.has(type)) throw new ApiFailure(400, 9004, `${type} records cannot be proxied.`);
  const comment = 'comment' in b ? b.comment : base.comment;
  if (comment !== null && (typeof comment !== 'string' || /[\r\n]/.test(comment))) {
    throw new ApiFailure(400, 9100, 'comment must be a string without line breaks.');
  }
  const tags = 'tags' in b ? b.tags : base.tags;
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || !tagPattern.test(t))) {
    throw new ApiFailure(400, 9101, 'tags must be name:value strings.');
  }
  return {
    type,
    name: fqdn,
    content: type === 'CNAME' ? lower(content) : content,
    ttl,
    proxied,
    comment: comment as string | null,
    tags: tags as string[],
  };
}

/**
 * A record as the 2024 API returns it: no `zone_id` (older responses had it; clients must not rely on it) and no
 * `comment` key when there is none (the spec types it as a string).
 */
function publicRecord(r: EmulatedRecord): Omit<EmulatedRecord, 'zone_id' | 'comment'> & { comment?: string } {
  const { zone_id: _zone, comment, ...rest } = r;
  return comment === null ? rest : { ...rest, comment };
}

function expandName(name: string, zone: string): string {
  const n = lower(name);
  if (n === '@' || n === zone) return zone;
  return n.endsWith(`.${zone}`) ? n : `${n}.${zone}`;
}

function stringFilter(filter: string, value: string): boolean {
  const v = value.toLowerCase();
  const [op, arg] = /^(contains|starts_with|ends_with|not_equal):(.*)$/.exec(filter)?.slice(1) ?? ['equal', filter];
  const a = arg.toLowerCase();
  switch (op) {
    case 'contains':
      return v.includes(a);
    case 'starts_with':
      return v.startsWith(a);
    case 'ends_with':
      return v.endsWith(a);
    case 'not_equal':
      return v !== a;
    default:
      return v === a;
  }
}

function paged<T>(items: T[], page: number, perPage: number) {
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    success: true,
    errors: [],
    messages: [],
    result: slice,
    result_info: {
      page,
      per_page: perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.ceil(items.length / perPage),
    },
  };
}

const single = (result: unknown) => ({ success: true, errors: [], messages: [], result });

function intParam(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name);
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new ApiFailure(400, 1004, `${name} must be a positive integer`);
  return n;
}

function routeFailure(url: URL): ApiFailure {
  return new ApiFailure(404, 7003, `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`);
}

function faultFailure(f: Fault): ApiFailure {
  if (f.status === 429) {
    return new ApiFailure(
      429,
      971,
      f.message ??
        'More than 1200 requests per 300 seconds reached. Please wait and consider throttling your request speed',
      {
        'retry-after': String(f.retryAfter ?? 1),
      },
    );
  }
  if (f.status === 403) return new ApiFailure(403, 9109, f.message ?? 'Invalid access token');
  if (f.status === 401) return new ApiFailure(401, 10001, f.message ?? 'Unauthorized');
  return new ApiFailure(f.status, 10000 + f.status, f.message ?? 'Internal server error');
}

/** DELETE may carry no body or `{}`; other methods with a body must send valid JSON. */
function parseJson(raw: string, method: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiFailure(400, 9207, `Request body is invalid (${method}).`);
  }
}

/** The whole request body as text (shared with the OPNsense emulator). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startCloudflareEmulator(options: CloudflareEmulatorOptions): Promise<CloudflareEmulator> {
  return new CloudflareEmulator(options).start();
}
