/** The OPNsense emulator is held to ../shared/contracts/opnsense-unbound-host-override.md. */
import { request } from 'node:https';
import { resolve } from 'node:path';
import { runOpnsenseDns } from '../../legacy/dns/opnsense/run';
import { memoryReport } from '../../legacy/dns/report';
import { loadDnsStack } from '../../legacy/dns/stack';
import { type OpnsenseEmulator, startOpnsenseEmulator } from '../support/opnsense-emulator';
import { createTestCa, type TestCa } from '../support/tls-certs';

const auth = `Basic ${Buffer.from('k:s').toString('base64')}`;

describe('OPNsense emulator follows the contract', () => {
  let ca: TestCa;
  let emu: OpnsenseEmulator;
  let legacy: OpnsenseEmulator;
  beforeAll(async () => {
    ca = createTestCa();
    const server = ca.issue('fw', { ipAddresses: ['127.0.0.1'] });
    emu = await startOpnsenseEmulator({ cert: server.cert, key: server.key, apiKeys: [{ key: 'k', secret: 's' }] });
    legacy = await startOpnsenseEmulator({
      cert: server.cert,
      key: server.key,
      apiKeys: [{ key: 'k', secret: 's' }],
      legacyRows: true,
    });
  });
  afterAll(async () => {
    await emu.close();
    await legacy.close();
    ca.cleanup();
  });
  beforeEach(() => {
    emu.hosts.clear();
    emu.clearLog();
  });

  /** A raw request (body as given, so empty bodies and odd JSON can be sent). */
  const send = (path: string, options: { method?: string; body?: string; headers?: Record<string, string> } = {}) =>
    new Promise<{ status: number; json: unknown }>((ok, fail) => {
      const req = request(
        `${emu.endpoint}${path}`,
        {
          method: options.method ?? 'POST',
          ca: ca.caPem,
          headers: { authorization: auth, 'content-type': 'application/json', ...options.headers },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => {
            text += c;
          });
          res.on('end', () => ok({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
        },
      );
      req.on('error', fail);
      req.end(options.body);
    });
  const post = (path: string, body: unknown) => send(path, { body: JSON.stringify(body) });
  const host = {
    enabled: '1',
    hostname: 'alloy',
    domain: 'tobiash.net',
    rr: 'A',
    server: '192.0.2.40',
    description: 'd',
  };

  it('answers auth failures, empty JSON bodies and unknown endpoints as the contract lists', async () => {
    expect(
      await send('/api/unbound/settings/search_host_override', {
        body: '{}',
        headers: { authorization: 'Basic eDp5' },
      }),
    ).toEqual({
      status: 401,
      json: { status: 401, message: 'Authentication Failed' },
    });
    expect(await send('/api/unbound/settings/add_host_override', { body: '' })).toEqual({
      status: 400,
      json: { status: 400, message: 'Invalid JSON syntax' },
    });
    expect(await post('/api/unbound/settings/no_such_thing', {})).toEqual({
      status: 404,
      json: { errorMessage: 'Endpoint not found' },
    });
  });

  it('adds, searches by tokens (every token a substring of some field), and accepts camelCase paths', async () => {
    const added = (await post('/api/unbound/settings/add_host_override', { host })).json as {
      result: string;
      uuid: string;
    };
    expect(added.result).toBe('saved');
    expect(added.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const search = async (searchPhrase: string) =>
      (await post('/api/unbound/settings/searchHostOverride', { searchPhrase })).json as {
        rows: unknown[];
        total: number;
      };
    expect((await search('ALLOY tobiash')).total).toBe(1);
    expect((await search('alloy.tobiash.net')).total).toBe(0);
    expect((await search('')).rows).toEqual([
      { uuid: added.uuid, ...host, mxprio: '', mx: '', ttl: '', txtdata: '', addptr: '1', '%rr': 'A (IPv4 address)' },
    ]);
  });

  it('validates with the §4 messages keyed host.<field>, and stores nothing on failure', async () => {
    const failed = await post('/api/unbound/settings/add_host_override', {
      host: { hostname: '10.0.0.1', domain: 'bad_domain', rr: 'CNAME', server: 'nope', enabled: false },
    });
    expect(failed.json).toEqual({
      result: 'failed',
      validations: {
        'host.enabled': 'A value is required.',
        'host.hostname': 'A valid hostname must be specified.',
        'host.domain': 'A valid domain must be specified.',
        'host.rr': 'Option [CNAME] not in list.',
        'host.server': 'Please specify a valid network segment or IP address.',
      },
    });
    expect((await post('/api/unbound/settings/add_host_override', { host: { domain: 'x.lan' } })).json).toEqual({
      result: 'failed',
      validations: { 'host.server': 'The field IP address is required.' },
    });
    expect((await post('/api/unbound/settings/add_host_override', {})).json).toEqual({ result: 'failed' });
    expect(emu.hosts.size).toBe(0);
  });

  it('set updates only the fields given, upserts a new UUIDv4, refuses other ids; del, toggle and get behave', async () => {
    const { uuid } = (await post('/api/unbound/settings/add_host_override', { host })).json as { uuid: string };
    expect(
      (await post(`/api/unbound/settings/set_host_override/${uuid}`, { host: { server: '192.0.2.41' } })).json,
    ).toEqual({ result: 'saved' });
    expect(emu.hosts.get(uuid)).toMatchObject({ ...host, server: '192.0.2.41' });
    const fresh = '0f1c2d3e-4b5a-4c6d-8e9f-a0b1c2d3e4f5';
    expect((await post(`/api/unbound/settings/set_host_override/${fresh}`, { host })).json).toEqual({
      result: 'saved',
    });
    expect(emu.hosts.has(fresh)).toBe(true);
    expect((await post('/api/unbound/settings/set_host_override/not-a-uuid', { host })).json).toEqual({
      result: 'failed',
    });
    expect((await post(`/api/unbound/settings/toggle_host_override/${uuid}/0`, {})).json).toEqual({
      result: 'Disabled',
      changed: true,
    });
    expect((await post(`/api/unbound/settings/toggle_host_override/${uuid}/0`, {})).json).toEqual({
      result: 'Disabled',
      changed: false,
    });
    const got = (await send(`/api/unbound/settings/get_host_override/${uuid}`, { method: 'GET' })).json as {
      host: { rr: Record<string, { selected: number }> };
    };
    expect(got.host.rr.A.selected).toBe(1);
    expect(
      (await send('/api/unbound/settings/get_host_override/0f1c2d3e-0000-4c6d-8e9f-000000000000', { method: 'GET' }))
        .json,
    ).toEqual([]);
    expect((await post(`/api/unbound/settings/del_host_override/${uuid}`, {})).json).toEqual({ result: 'deleted' });
    expect((await post(`/api/unbound/settings/del_host_override/${uuid}`, {})).json).toEqual({ result: 'not found' });
  });

  it('makes saved changes live only on POST reconfigure', async () => {
    await post('/api/unbound/settings/add_host_override', { host });
    expect(emu.pending).toBe(true);
    expect((await send('/api/unbound/service/reconfigure', { method: 'GET' })).json).toEqual({ status: 'failed' });
    expect(emu.pending).toBe(true);
    expect((await post('/api/unbound/service/reconfigure', {})).json).toEqual({ status: 'ok' });
    expect(emu.pending).toBe(false);
  });

  it('a key that may edit overrides but lacks "Services: Unbound" saves, then gets 403 on reconfigure; the change stays pending', async () => {
    const server = ca.issue('fw-privileges', { ipAddresses: ['127.0.0.1'] });
    const applied: unknown[] = [];
    const limited = await startOpnsenseEmulator({
      cert: server.cert,
      key: server.key,
      apiKeys: [
        { key: 'k', secret: 's', privileges: ['unbound/settings'] },
        { key: 'admin', secret: 'a' },
      ],
      onReconfigure: (live) => applied.push(live),
    });
    try {
      const as = (key: string, secret: string, path: string) =>
        new Promise<{ status: number; json: unknown }>((ok, fail) => {
          const req = request(
            `${limited.endpoint}${path}`,
            {
              method: 'POST',
              ca: ca.caPem,
              headers: {
                authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`,
                'content-type': 'application/json',
              },
            },
            (res) => {
              let text = '';
              res.on('data', (c) => {
                text += c;
              });
              res.on('end', () => ok({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
            },
          );
          req.on('error', fail);
          req.end(path.endsWith('add_host_override') ? JSON.stringify({ host }) : '{}');
        });
      expect((await as('k', 's', '/api/unbound/settings/add_host_override')).json).toMatchObject({ result: 'saved' });
      expect(await as('k', 's', '/api/unbound/service/reconfigure')).toEqual({
        status: 403,
        json: { status: 403, message: 'Forbidden' },
      });
      expect(limited.pending).toBe(true);
      expect(applied).toEqual([]);
      expect((await as('admin', 'a', '/api/unbound/service/reconfigure')).json).toEqual({ status: 'ok' });
      expect(limited.pending).toBe(false);
      expect(applied).toEqual([[expect.objectContaining({ hostname: 'alloy', server: host.server })]]);
    } finally {
      await limited.close();
    }
  });

  it('the client stays idempotent against the ≤25.1 row shape (rr as a label)', async () => {
    const stack = loadDnsStack(resolve(__dirname, '../../config'));
    const env = { OPNSENSE_ENDPOINT: legacy.endpoint, OPNSENSE_API_KEY: 'k', OPNSENSE_API_SECRET: 's' };
    const options = { dryRun: false, env, report: memoryReport(), caFile: ca.caFile };
    expect((await runOpnsenseDns(stack, options)).writes).toBe(2);
    const rows = [...legacy.hosts.values()];
    expect(rows).toHaveLength(1);
    legacy.clearLog();
    expect((await runOpnsenseDns(stack, options)).writes).toBe(0);
    expect(legacy.requests.map((r) => r.path)).toEqual(['/api/unbound/settings/search_host_override']);
  });
});
