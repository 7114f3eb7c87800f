/**
 * A local stand-in for the OPNsense Unbound host-override API, held to
 * ../shared/contracts/opnsense-unbound-host-override.md: HTTPS on 127.0.0.1 with a certificate from a test CA (so
 * clients must trust that CA), Basic auth (401) and per-key privileges (403), 400 for an empty JSON body, snake_case
 * or camelCase paths, string-only records, the validation messages of §4 keyed `host.<field>`, upsert on set with
 * a UUIDv4, and a reconfigure counter with the "live" state as of the last reconfigure. Faults can be injected and
 * every request is logged.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo, isIP } from 'node:net';
import { readBody } from './cloudflare-emulator';

export interface HostRecord {
  enabled: string;
  hostname: string;
  domain: string;
  rr: string;
  mxprio: string;
  mx: string;
  ttl: string;
  server: string;
  txtdata: string;
  addptr: string;
  description: string;
}

export interface OpnsenseRequest {
  readonly method: string;
  /** Path with camelCase segments folded to snake_case, e.g. /api/unbound/settings/add_host_override. */
  readonly path: string;
  readonly body: unknown;
  readonly status: number;
}

export interface OpnsenseFault {
  readonly status: 400 | 429 | 500 | 401 | 403;
  readonly retryAfter?: number;
  /** The message to answer with instead of the standard one (e.g. one that echoes a credential). */
  readonly message?: string;
}

export interface OpnsenseEmulatorOptions {
  /** TLS server certificate and key (PEM) for 127.0.0.1. */
  readonly cert: string;
  readonly key: string;
  /** Accepted key/secret pairs; `privileges` limits a key to URL prefixes below /api/ (default: all). */
  readonly apiKeys: readonly { key: string; secret: string; privileges?: readonly string[] }[];
  /** Return rows in the ≤25.1 shape (rr as a label, fewer keys). */
  readonly legacyRows?: boolean;
  /**
   * Called by a successful reconfigure with the records now live, before it answers (OPNsense answers once its
   * Unbound has restarted): tests feed them to a real Unbound, so that what the resolver serves can be asked.
   */
  readonly onReconfigure?: (live: readonly HostRecord[]) => void;
}

const rrLabels: Record<string, string> = {
  A: 'A (IPv4 address)',
  AAAA: 'AAAA (IPv6 address)',
  MX: 'MX (Mail server)',
  TXT: 'TXT (Text)',
};
const defaults: HostRecord = {
  enabled: '1',
  hostname: '',
  domain: '',
  rr: 'A',
  mxprio: '',
  mx: '',
  ttl: '',
  server: '',
  txtdata: '',
  addptr: '1',
  description: '',
};
const fields = Object.keys(defaults) as (keyof HostRecord)[];
const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const label = '[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?';
const domainPattern = new RegExp(`^${label}(\\.${label})*$`);
const hostLabel = '[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?';
const hostnamePattern = new RegExp(`^(\\*|${hostLabel}(\\.${hostLabel})*)$`);

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}

export class OpnsenseEmulator {
  readonly requests: OpnsenseRequest[] = [];
  /** Saved records keyed by uuid, in insertion order. */
  readonly hosts = new Map<string, HostRecord>();
  /** What Unbound serves: a copy of `hosts` taken at the last reconfigure. */
  live = new Map<string, HostRecord>();
  reconfigures = 0;
  private faults: OpnsenseFault[] = [];
  private lost: string[] = [];
  private server!: Server;
  endpoint = '';

  constructor(private readonly options: OpnsenseEmulatorOptions) {}

  async start(): Promise<this> {
    this.server = createServer(
      { cert: this.options.cert, key: this.options.key },
      (req, res) => void this.handle(req, res),
    );
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  inject(...faults: OpnsenseFault[]): void {
    this.faults.push(...faults);
  }

  /**
   * The next request to each of these actions (e.g. `add_host_override`) is carried out, then its connection is
   * dropped before the answer: the client cannot know that its change was saved.
   */
  loseResponses(...actions: string[]): void {
    this.lost.push(...actions);
  }

  /** Stores a record directly (test set-up); returns its uuid. */
  seed(record: Partial<HostRecord>, uuid: string = randomUUID()): string {
    this.hosts.set(uuid, { ...defaults, ...record });
    return uuid;
  }

  /** True when saved changes are not live yet (no reconfigure since). */
  get pending(): boolean {
    return JSON.stringify([...this.hosts]) !== JSON.stringify([...this.live]);
  }

  /** Requests that could change state: everything except search and get. */
  writes(): OpnsenseRequest[] {
    return this.requests.filter((r) => !/\/(search|get)_host_override/.test(r.path));
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://emulator');
    const path = url.pathname.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown;
    let reply: Reply;
    try {
      reply =
        this.takeFault() ??
        this.authorize(req, path) ??
        this.parse(req, raw, (b) => (body = b)) ??
        this.route(method, path, url, body);
    } catch (e) {
      reply = new Reply(500, { errorMessage: String(e), errorTitle: 'An error occurred' });
    }
    this.requests.push({ method, path, body, status: reply.status });
    const lose = this.lost.findIndex((action) => path.endsWith(`/${action}`) || path.includes(`/${action}/`));
    if (lose >= 0) {
      this.lost.splice(lose, 1);
      res.socket?.destroy();
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  }

  private takeFault(): Reply | undefined {
    const f = this.faults.shift();
    if (!f) return undefined;
    if (f.status === 401) return new Reply(401, { status: 401, message: f.message ?? 'Authentication Failed' });
    if (f.status === 403) return new Reply(403, { status: 403, message: f.message ?? 'Forbidden' });
    if (f.status === 400) return new Reply(400, { status: 400, message: f.message ?? 'Invalid JSON syntax' });
    if (f.status === 429)
      return new Reply(
        429,
        { status: 429, message: f.message ?? 'Too Many Requests' },
        { 'retry-after': String(f.retryAfter ?? 1) },
      );
    return new Reply(500, { errorMessage: f.message ?? 'injected failure', errorTitle: 'An error occurred' });
  }

  private authorize(req: IncomingMessage, path: string): Reply | undefined {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    const [key, secret] = m ? Buffer.from(m[1], 'base64').toString('utf8').split(':', 2) : [];
    const account = this.options.apiKeys.find((k) => k.key === key && k.secret === secret);
    if (!account) return new Reply(401, { status: 401, message: 'Authentication Failed' });
    const rel = path.replace(/^\/api\//, '');
    if (account.privileges && !account.privileges.some((p) => rel.startsWith(p))) {
      return new Reply(403, { status: 403, message: 'Forbidden' });
    }
    return undefined;
  }

  /** A JSON content type with an empty (or unparsable) body is refused, as OPNsense does. */
  private parse(req: IncomingMessage, raw: string, set: (b: unknown) => void): Reply | undefined {
    const json = (req.headers['content-type'] ?? '').includes('application/json');
    if (req.method !== 'POST') return undefined;
    if (json && raw.trim() === '') return new Reply(400, { status: 400, message: 'Invalid JSON syntax' });
    if (!json) return undefined;
    try {
      set(JSON.parse(raw));
    } catch {
      return new Reply(400, { status: 400, message: 'Invalid JSON syntax' });
    }
    return undefined;
  }

  private route(method: string, path: string, url: URL, body: unknown): Reply {
    const m = /^\/api\/unbound\/(settings|service)\/([a-z_]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
    if (!m) return new Reply(404, { errorMessage: 'Endpoint not found' });
    const [, controller, action, id, arg] = m;
    const ok = (b: unknown) => new Reply(200, b);
    const post = method === 'POST';
    if (controller === 'service' && action === 'reconfigure') {
      if (!post) return ok({ status: 'failed' });
      this.reconfigures++;
      this.live = new Map([...this.hosts].map(([k, v]) => [k, { ...v }]));
      this.options.onReconfigure?.([...this.live.values()]);
      return ok({ status: 'ok' });
    }
    if (controller !== 'settings') return new Reply(404, { errorMessage: 'Endpoint not found' });
    const host = (body as { host?: unknown } | undefined)?.host;
    switch (action) {
      case 'search_host_override':
        return ok(this.search(url.searchParams, body));
      case 'get_host_override':
        return ok(this.get(id));
      case 'add_host_override': {
        if (!post) return new Reply(200, { result: 'failed' });
        if (typeof host !== 'object' || host === null) return ok({ result: 'failed' });
        const record = { ...defaults, ...coerce(host) };
        const validations = validate(record);
        if (validations) return ok({ result: 'failed', validations });
        const uuid = randomUUID();
        this.hosts.set(uuid, record);
        return ok({ result: 'saved', uuid });
      }
      case 'set_host_override': {
        if (!post || !id) return ok({ result: 'failed' });
        if (typeof host !== 'object' || host === null) return ok({ result: 'failed' });
        const current = this.hosts.get(id);
        if (!current && !uuidV4.test(id)) return ok({ result: 'failed' });
        const record = { ...(current ?? defaults), ...coerce(host) };
        const validations = validate(record);
        if (validations) return ok({ result: 'failed', validations });
        this.hosts.set(id, record);
        return ok({ result: 'saved' });
      }
      case 'del_host_override':
        if (!post || !id) return ok({ result: 'failed' });
        return ok({ result: this.hosts.delete(id) ? 'deleted' : 'not found' });
      case 'toggle_host_override': {
        const record = id ? this.hosts.get(id) : undefined;
        if (!post || !record) return ok({ result: 'failed' });
        const next = arg === '0' || arg === '1' ? arg : record.enabled === '1' ? '0' : '1';
        const changed = next !== record.enabled;
        record.enabled = next;
        return ok({ result: next === '1' ? 'Enabled' : 'Disabled', changed });
      }
      default:
        return new Reply(404, { errorMessage: 'Endpoint not found' });
    }
  }

  private search(query: URLSearchParams, body: unknown) {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const param = (name: string, fallback: string) => String(b[name] ?? query.get(name) ?? fallback);
    const tokens = param('searchPhrase', '').toLowerCase().split(' ').filter(Boolean);
    const rowCount = Number(param('rowCount', '-1'));
    const current = Math.max(1, Number(param('current', '1')));
    const rows = [...this.hosts]
      .map(([uuid, h]) => this.row(uuid, h))
      .filter((row) => tokens.every((t) => Object.values(row).some((v) => String(v).toLowerCase().includes(t))));
    const page = rowCount > 0 ? rows.slice((current - 1) * rowCount, current * rowCount) : rows;
    return { rows: page, rowCount: page.length, total: rows.length, current };
  }

  private row(uuid: string, h: HostRecord): Record<string, string> {
    if (this.options.legacyRows) {
      const { enabled, hostname, domain, rr, mxprio, mx, server, description } = h;
      return { uuid, enabled, hostname, domain, rr: rrLabels[rr] ?? rr, mxprio, mx, server, description };
    }
    return { uuid, ...h, '%rr': rrLabels[h.rr] ?? h.rr };
  }

  private get(id: string | undefined): unknown {
    const h = id === undefined ? defaults : this.hosts.get(id);
    if (!h) return [];
    const rr = Object.fromEntries(
      Object.entries(rrLabels).map(([k, value]) => [k, { value, selected: k === h.rr ? 1 : 0 }]),
    );
    return { host: { ...h, rr } };
  }
}

/** JSON true/false become "1"/"" and numbers their decimal string, as OPNsense's model does; unknown keys drop. */
function coerce(host: object): Partial<HostRecord> {
  const out: Partial<HostRecord> = {};
  for (const [k, v] of Object.entries(host)) {
    if (!fields.includes(k as keyof HostRecord)) continue;
    out[k as keyof HostRecord] = v === true ? '1' : v === false || v === null ? '' : String(v);
  }
  return out;
}

/** The §4 messages; undefined when the record is valid. */
function validate(h: HostRecord): Record<string, string | string[]> | undefined {
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => {
    errors[`host.${field}`] ??= [];
    errors[`host.${field}`].push(message);
  };
  if (h.enabled !== '0' && h.enabled !== '1')
    add('enabled', h.enabled === '' ? 'A value is required.' : 'Option not in list.');
  if (h.hostname !== '' && (!hostnamePattern.test(h.hostname) || isIP(h.hostname) !== 0))
    add('hostname', 'A valid hostname must be specified.');
  if (h.domain === '') add('domain', 'A value is required.');
  else if (!domainPattern.test(h.domain)) add('domain', 'A valid domain must be specified.');
  if (!(h.rr in rrLabels)) add('rr', `Option [${h.rr}] not in list.`);
  if (h.rr === 'A' || h.rr === 'AAAA') {
    if (h.server === '') add('server', 'The field IP address is required.');
  }
  if (h.server !== '' && isIP(h.server) === 0) add('server', 'Please specify a valid network segment or IP address.');
  if (h.rr === 'MX') {
    if (h.mxprio === '') add('mxprio', 'The field MX Priority is required.');
    if (h.mx === '') add('mx', 'The field MX Host is required.');
  }
  if (h.mxprio !== '' && !/^\d+$/.test(h.mxprio)) add('mxprio', 'Invalid integer value.');
  if (h.rr === 'TXT' && h.txtdata === '') add('txtdata', 'The field TXT Data is required.');
  if (h.ttl !== '' && (!/^\d+$/.test(h.ttl) || Number(h.ttl) > 2147483647)) add('ttl', 'Invalid integer value.');
  if (h.addptr !== '0' && h.addptr !== '1') add('addptr', 'Option not in list.');
  if (h.description.length > 255) add('description', 'Description should be a string between 1 and 255 characters.');
  if (/[\r\n]/.test(h.description)) add('description', 'Text may not contain newlines.');
  const keys = Object.keys(errors);
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k, errors[k].length === 1 ? errors[k][0] : errors[k]]));
}

export async function startOpnsenseEmulator(options: OpnsenseEmulatorOptions): Promise<OpnsenseEmulator> {
  return new OpnsenseEmulator(options).start();
}
