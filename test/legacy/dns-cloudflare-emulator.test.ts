/**
 * The Cloudflare emulator is held to ../shared/contracts/cloudflare-dns.md: its answers validate against the
 * contract's OpenAPI document, and it enforces the documented auth, validation, conflict and pagination rules.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { type CloudflareEmulator, startCloudflareEmulator } from '../support/cloudflare-emulator';
import { describeWithShared, sharedPath } from '../support/shared';

const TOKEN = 'emulator-test-token';

// Loosely typed JSON answers: the assertions check their shape.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = Record<string, any>;

describeWithShared('contracts/cloudflare-dns.openapi.json', 'Cloudflare emulator follows the contract', () => {
  let emu: CloudflareEmulator;
  let zoneId: string;
  const spec = () => JSON.parse(readFileSync(sharedPath('contracts/cloudflare-dns.openapi.json'), 'utf8'));
  let ajv: Ajv;

  beforeAll(() => {
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(spec(), 'cf');
  });
  beforeEach(async () => {
    emu = await startCloudflareEmulator({
      zones: ['example.com'],
      tokens: [{ value: TOKEN }],
      rateLimit: { limit: 50, windowSeconds: 60 },
    });
    zoneId = emu.zones[0].id;
  });
  afterEach(async () => emu.close());

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  ) => {
    const res = await emu.fetch(path, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { ...res, json: res.json as Json };
  };
  /** Validates a 200 answer against the response schema the spec gives for this operation. */
  const expectSpec = (specPath: string, method: string, json: unknown) => {
    const pointer = `cf#/paths/${specPath.replace(/\//g, '~1')}/${method}/responses/200/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    expect(validate(json) ? [] : validate.errors).toEqual([]);
  };
  const expectFailure = (r: { status: number; json: Json }, status: number, code: number) => {
    expect(r.status).toBe(status);
    expect(r.json).toMatchObject({ success: false, result: null, errors: [{ code }] });
    // The 2024 spec bounds codes at ≥ 1000, but the contract (newer) documents 971 for rate limiting.
    if (code < 1000) return;
    const validate = ajv.getSchema('cf#/components/schemas/dns-records_api-response-common-failure');
    expect(validate?.(r.json) ? [] : validate?.errors).toEqual([]);
  };
  const cname = { type: 'CNAME', name: 'app.example.com', content: 'lb.example.net', ttl: 60, proxied: false };

  it('answers every endpoint in the shapes the OpenAPI document gives', async () => {
    const zones = await call('GET', '/zones?name=EXAMPLE.com');
    expectSpec('/zones', 'get', zones.json);
    expect(zones.json.result.map((z: { id: string }) => z.id)).toEqual([zoneId]);
    const created = await call('POST', `/zones/${zoneId}/dns_records`, {
      ...cname,
      comment: 'c',
      tags: ['owner:platform'],
    });
    expectSpec('/zones/{zone_id}/dns_records', 'post', created.json);
    const id = created.json.result.id;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const listed = await call('GET', `/zones/${zoneId}/dns_records?type=CNAME&name.exact=APP.example.com`);
    expectSpec('/zones/{zone_id}/dns_records', 'get', listed.json);
    expect(listed.json.result_info).toEqual({ page: 1, per_page: 100, count: 1, total_count: 1, total_pages: 1 });
    expectSpec(
      '/zones/{zone_id}/dns_records/{dns_record_id}',
      'get',
      (await call('GET', `/zones/${zoneId}/dns_records/${id}`)).json,
    );
    const patched = await call('PATCH', `/zones/${zoneId}/dns_records/${id}`, { content: 'lb2.example.net' });
    expectSpec('/zones/{zone_id}/dns_records/{dns_record_id}', 'patch', patched.json);
    expect(patched.json.result).toMatchObject({ content: 'lb2.example.net', comment: 'c', tags: ['owner:platform'] });
    const put = await call('PUT', `/zones/${zoneId}/dns_records/${id}`, cname);
    expectSpec('/zones/{zone_id}/dns_records/{dns_record_id}', 'put', put.json);
    expect(put.json.result).toMatchObject({ tags: [] }); // PUT resets omitted optional fields
    expect(put.json.result).not.toHaveProperty('comment');
    const deleted = await call('DELETE', `/zones/${zoneId}/dns_records/${id}`);
    expectSpec('/zones/{zone_id}/dns_records/{dns_record_id}', 'delete', deleted.json);
    expect(deleted.json).toEqual({ success: true, errors: [], messages: [], result: { id } });
  });

  it('exact name filters match full FQDNs only; a page past the end is an empty success', async () => {
    await call('POST', `/zones/${zoneId}/dns_records`, cname);
    expect((await call('GET', `/zones/${zoneId}/dns_records?name=app`)).json.result).toEqual([]);
    expect((await call('GET', `/zones/${zoneId}/dns_records?name.endswith=.example.com`)).json.result).toHaveLength(1);
    const past = await call('GET', `/zones/${zoneId}/dns_records?page=2`);
    expect(past.json).toMatchObject({ success: true, result: [], result_info: { page: 2, count: 0, total_count: 1 } });
  });

  it('authenticates as the contract says: none 9106, malformed 6003, unknown token 9109', async () => {
    expectFailure(await call('GET', '/zones', undefined, {}), 400, 9106);
    expectFailure(await call('GET', '/zones', undefined, { authorization: 'Token abc' }), 400, 6003);
    expectFailure(await call('GET', '/zones', undefined, { authorization: 'Bearer nope' }), 403, 9109);
  });

  it('validates records: TTL 9021, CNAME to itself, A not IPv4, proxied TXT, missing type', async () => {
    const post = (b: unknown) => call('POST', `/zones/${zoneId}/dns_records`, b);
    expectFailure(await post({ ...cname, ttl: 30 }), 400, 9021);
    expect((await post({ ...cname, content: 'app.example.com' })).status).toBe(400);
    expect((await post({ type: 'A', name: 'a.example.com', content: 'lb.example.net' })).status).toBe(400);
    expect((await post({ type: 'TXT', name: 't.example.com', content: 'x', proxied: true })).status).toBe(400);
    expect((await post({ name: 'x.example.com', content: 'y.example.net' })).status).toBe(400);
    expect(emu.recordsIn('example.com')).toEqual([]);
    // A relative name is expanded inside the zone and stored lower-case.
    expect((await post({ ...cname, name: 'WWW' })).json.result.name).toBe('www.example.com');
  });

  it('stores and serves proxied records with TTL 1 (automatic), whatever TTL was sent (contract §2.3)', async () => {
    const created = await call('POST', `/zones/${zoneId}/dns_records`, { ...cname, ttl: 300, proxied: true });
    expect(created.json.result).toMatchObject({ proxied: true, ttl: 1 });
    const id = created.json.result.id;
    const listed = await call('GET', `/zones/${zoneId}/dns_records?name.exact=app.example.com`);
    expect(listed.json.result).toEqual([expect.objectContaining({ id, proxied: true, ttl: 1 })]);
    const dnsOnly = await call('PATCH', `/zones/${zoneId}/dns_records/${id}`, { proxied: false, ttl: 120 });
    expect(dnsOnly.json.result).toMatchObject({ proxied: false, ttl: 120 });
    const proxiedAgain = await call('PATCH', `/zones/${zoneId}/dns_records/${id}`, { proxied: true });
    expect(proxiedAgain.json.result).toMatchObject({ proxied: true, ttl: 1 });
    const put = await call('PUT', `/zones/${zoneId}/dns_records/${id}`, { ...cname, ttl: 600, proxied: true });
    expect(put.json.result).toMatchObject({ proxied: true, ttl: 1 });
  });

  it('enforces conflicts: identical 81058, CNAME beside A 81053; unknown id 81044, malformed id 7003', async () => {
    await call('POST', `/zones/${zoneId}/dns_records`, { type: 'A', name: 'a.example.com', content: '192.0.2.1' });
    expectFailure(
      await call('POST', `/zones/${zoneId}/dns_records`, { type: 'A', name: 'a.example.com', content: '192.0.2.1' }),
      400,
      81058,
    );
    expectFailure(await call('POST', `/zones/${zoneId}/dns_records`, { ...cname, name: 'a.example.com' }), 400, 81053);
    expectFailure(await call('DELETE', `/zones/${zoneId}/dns_records/${'0'.repeat(32)}`), 404, 81044);
    expectFailure(await call('DELETE', `/zones/${zoneId}/dns_records/not-an-id`), 404, 7003);
  });

  it('rate-limits per credential with 429/971 and retry-after, and injects 500 and 403 on demand', async () => {
    for (let i = 0; i < 50; i++) expect((await call('GET', '/zones')).status).toBe(200);
    const limited = await call('GET', '/zones');
    expectFailure(limited, 429, 971);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    const fresh = await startCloudflareEmulator({ zones: ['example.com'], tokens: [{ value: TOKEN }] });
    try {
      fresh.inject({ status: 500 }, { status: 403 });
      const get = async () => (await fresh.fetch('/zones', { headers: { authorization: `Bearer ${TOKEN}` } })).status;
      expect([await get(), await get(), await get()]).toEqual([500, 403, 200]);
      expect(fresh.requests.map((r) => r.status)).toEqual([500, 403, 200]);
    } finally {
      await fresh.close();
    }
  });
});
