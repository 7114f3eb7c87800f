import fc from 'fast-check';
import { hasMorePages } from '../../legacy/dns/cloudflare/api';
import {
  type CloudflareAction,
  type CloudflareDesired,
  type ObservedRecord,
  planCloudflare,
} from '../../legacy/dns/cloudflare/plan';
import { recordFqdn, splitHostname } from '../../legacy/dns/names';
import { nextDelay, parseRetryAfter, type RetryPolicy } from '../../legacy/dns/retry';

const desired: CloudflareDesired = {
  zone: 'tobiash.net',
  cname: { name: 'alloy-legacy.tobiash.net', content: 'home.tobiash.net', ttl: 60, proxied: false },
  oldName: 'alloy.tobiash.net',
  oldContent: 'home.tobiash.net',
};
const noForce = { deleteForeignOldRecord: false };
let nextId = 0;
const rec = (r: Partial<ObservedRecord> & Pick<ObservedRecord, 'type' | 'name' | 'content'>): ObservedRecord => ({
  id: `id${nextId++}`,
  ttl: 60,
  proxied: false,
  ...r,
});
const nasCname = () => rec({ type: 'CNAME', name: 'alloy.tobiash.net', content: 'home.tobiash.net' });
const kinds = (actions: CloudflareAction[]) => actions.map((a) => a.kind);

describe('Cloudflare plan: the alloy-legacy CNAME', () => {
  it('is created when the name is empty, before the old record is removed', () => {
    const actions = planCloudflare(desired, { atName: [], atOldName: [nasCname()] }, noForce);
    expect(kinds(actions)).toEqual(['create', 'delete']);
    expect(actions[0]).toMatchObject({ kind: 'create', record: desired.cname });
  });

  it('is kept when content, TTL and proxy already match (content compared case- and trailing-dot-insensitively)', () => {
    const current = rec({ type: 'CNAME', name: 'alloy-legacy.tobiash.net', content: 'Home.Tobiash.net.' });
    expect(kinds(planCloudflare(desired, { atName: [current], atOldName: [] }, noForce))).toEqual(['keep', 'keep']);
  });

  it('is updated in place (by id) naming each difference', () => {
    const current = rec({
      type: 'CNAME',
      name: 'alloy-legacy.tobiash.net',
      content: 'old.example.net',
      ttl: 1,
      proxied: true,
    });
    const [action] = planCloudflare(desired, { atName: [current], atOldName: [] }, noForce);
    expect(action).toEqual({
      kind: 'update',
      id: current.id,
      record: desired.cname,
      changes: ['content old.example.net → home.tobiash.net', 'TTL 1 → 60', 'proxied true → false'],
    });
  });

  it('is not forced over an A record at the name (a CNAME cannot sit beside it): skipped with the reason', () => {
    const a = rec({ type: 'A', name: 'alloy-legacy.tobiash.net', content: '203.0.113.7' });
    const [action] = planCloudflare(desired, { atName: [a], atOldName: [] }, noForce);
    expect(action).toMatchObject({ kind: 'skip', record: a });
    expect(action.kind === 'skip' && action.reason).toMatch(/A record 203\.0\.113\.7 .*remove it by hand/);
  });

  it('ignores records of other types at the name (TXT does not resolve the name)', () => {
    const txt = rec({ type: 'TXT', name: 'alloy-legacy.tobiash.net', content: 'hello' });
    expect(kinds(planCloudflare(desired, { atName: [txt], atOldName: [] }, noForce))).toEqual(['create', 'keep']);
  });
});

describe('Cloudflare plan: the old alloy record', () => {
  it('is deleted only when it is the unproxied CNAME to the NAS target', () => {
    const old = nasCname();
    const actions = planCloudflare(desired, { atName: [], atOldName: [old] }, noForce);
    expect(actions[1]).toMatchObject({ kind: 'delete', record: old });
  });

  it.each([
    ['an A record', { type: 'A', content: '192.0.2.10' }, /a A record/],
    [
      'a CNAME to another target',
      { type: 'CNAME', content: 'elsewhere.example.net' },
      /a CNAME to elsewhere\.example\.net/,
    ],
    [
      'a proxied CNAME to the NAS target',
      { type: 'CNAME', content: 'home.tobiash.net', proxied: true },
      /a proxied CNAME/,
    ],
  ])('is left alone and reported when it is %s', (_, shape, why) => {
    const old = rec({ name: 'alloy.tobiash.net', ...(shape as { type: string; content: string }) });
    const [, action] = planCloudflare(desired, { atName: [], atOldName: [old] }, noForce);
    expect(action.kind).toBe('skip');
    expect(action.kind === 'skip' && action.reason).toMatch(why);
    expect(action.kind === 'skip' && action.reason).toMatch(/--delete-foreign-alloy-record/);
  });

  it('is deleted whatever it is when --delete-foreign-alloy-record forces it', () => {
    const a = rec({ type: 'A', name: 'alloy.tobiash.net', content: '192.0.2.10' });
    const [, action] = planCloudflare(desired, { atName: [], atOldName: [a] }, { deleteForeignOldRecord: true });
    expect(action).toMatchObject({ kind: 'delete', record: a });
  });

  it('needs nothing when the name has no A/AAAA/CNAME record', () => {
    const txt = rec({ type: 'TXT', name: 'alloy.tobiash.net', content: 'v=spf1 -all' });
    const [, action] = planCloudflare(desired, { atName: [], atOldName: [txt] }, { deleteForeignOldRecord: true });
    expect(action).toMatchObject({ kind: 'keep', name: 'alloy.tobiash.net' });
  });

  it('refuses a config where the new and the old name are the same', () => {
    expect(() =>
      planCloudflare({ ...desired, oldName: 'alloy-legacy.tobiash.net' }, { atName: [], atOldName: [] }, noForce),
    ).toThrow(/both alloy-legacy\.tobiash\.net/);
  });
});

/** Applies a plan to an in-memory record list the way the executors do against the API. */
function applyToState(state: ObservedRecord[], actions: CloudflareAction[]): ObservedRecord[] {
  let next = [...state];
  for (const a of actions) {
    if (a.kind === 'create') next.push({ id: `new${nextId++}`, type: 'CNAME', ...a.record });
    if (a.kind === 'update') next = next.map((r) => (r.id === a.id ? { ...r, ...a.record } : r));
    if (a.kind === 'delete') next = next.filter((r) => r.id !== a.record.id);
  }
  return next;
}

describe('Cloudflare plan: idempotence (property)', () => {
  const name = fc.constantFrom('alloy-legacy.tobiash.net', 'alloy.tobiash.net');
  const record = fc.record({
    type: fc.constantFrom('A', 'AAAA', 'CNAME', 'TXT'),
    name,
    content: fc.constantFrom('home.tobiash.net', 'elsewhere.example.net', '192.0.2.1'),
    ttl: fc.constantFrom(1, 60, 300),
    proxied: fc.boolean(),
  });

  it('planning again after applying a plan yields no create, update or delete', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 4 }), fc.boolean(), (records, force) => {
        const state = records.map((r) => rec(r));
        const at = (s: ObservedRecord[]) => ({
          atName: s.filter((r) => r.name === desired.cname.name),
          atOldName: s.filter((r) => r.name === desired.oldName),
        });
        const first = planCloudflare(desired, at(state), { deleteForeignOldRecord: force });
        const second = planCloudflare(desired, at(applyToState(state, first)), { deleteForeignOldRecord: force });
        expect(second.filter((a) => ['create', 'update', 'delete'].includes(a.kind))).toEqual([]);
      }),
    );
  });
});

describe('names', () => {
  it('expands record names inside the zone and splits a hostname for OPNsense', () => {
    expect(recordFqdn('alloy-legacy', 'tobiash.net')).toBe('alloy-legacy.tobiash.net');
    expect(recordFqdn('Alloy.Tobiash.net.', 'tobiash.net')).toBe('alloy.tobiash.net');
    expect(recordFqdn('@', 'tobiash.net')).toBe('tobiash.net');
    expect(splitHostname('alloy.tobiash.net')).toEqual({ host: 'alloy', domain: 'tobiash.net' });
    expect(() => splitHostname('localhost')).toThrow(/no domain part/);
  });
});

describe('retry policy', () => {
  const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8000, maxRetryAfterMs: 60_000 };
  const http = (status: number, retryAfter?: string) => ({
    retryable: status === 429 || status >= 500,
    retryAfter,
    what: `HTTP ${status}`,
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });

  it('waits what Retry-After asks on 429', () => {
    expect(nextDelay(1, http(429, '2'), policy)).toEqual({ delayMs: 2000 });
  });

  it('backs off exponentially on 5xx, with at most 25 % jitter taken off, capped', () => {
    expect(nextDelay(1, http(503), policy, () => 0)).toEqual({ delayMs: 500 });
    expect(nextDelay(3, http(503), policy, () => 0)).toEqual({ delayMs: 2000 });
    expect(nextDelay(3, http(503), policy, () => 1)).toEqual({ delayMs: 1500 });
    expect(nextDelay(3, http(503), { ...policy, maxAttempts: 10, maxDelayMs: 1000 }, () => 0)).toEqual({
      delayMs: 1000,
    });
  });

  it('stops after maxAttempts, on errors that are not transient, and when asked to wait longer than the cap', () => {
    expect(nextDelay(4, http(500), policy)).toEqual({ stop: 'HTTP 500; gave up after 4 attempts' });
    expect(nextDelay(1, http(403), policy)).toEqual({ stop: 'HTTP 403 (not retried)' });
    expect(nextDelay(1, http(429, '300'), policy)).toEqual({
      stop: 'HTTP 429; the server asks to wait 300 s, more than the 60 s this tool waits',
    });
  });
});

describe('pagination', () => {
  it('follows total_pages; without it a full page means there may be more', () => {
    expect(hasMorePages({ page: 1, per_page: 100, total_pages: 1 }, 3)).toBe(false);
    expect(hasMorePages({ page: 1, per_page: 100, total_pages: 2 }, 100)).toBe(true);
    expect(hasMorePages({ page: 1, per_page: 100 }, 100)).toBe(true);
    expect(hasMorePages({ page: 1, per_page: 100 }, 7)).toBe(false);
  });
});
