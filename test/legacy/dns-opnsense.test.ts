/**
 * `dns unbound` with the opnsense backend: the pure plan, then the real HTTPS client against the contract emulator
 * (TLS from a test CA, trusted only through --ca-file): one search, add or set, exactly one reconfigure when
 * something changed and none otherwise, field-by-field validation errors, retries, and no secret in any output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { opnsenseSettings } from '../../legacy/dns/opnsense/api';
import {
  desiredFields,
  needsReconfigure,
  normalizeRow,
  type OverrideRow,
  opnsenseSection,
  planOpnsense,
} from '../../legacy/dns/opnsense/plan';
import { runOpnsenseDns } from '../../legacy/dns/opnsense/run';
import { sectionExitCode } from '../../legacy/dns/plan-view';
import { memoryReport } from '../../legacy/dns/report';
import { type DnsStack, hostOverride, loadDnsStack } from '../../legacy/dns/stack';
import { ExitCode } from '../../legacy/shared/exit-codes';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { type OpnsenseEmulator, startOpnsenseEmulator } from '../support/opnsense-emulator';
import { createTestCa, type TestCa } from '../support/tls-certs';

const configDir = resolve(__dirname, '../../config');
const stack = loadDnsStack(configDir);
const override = hostOverride(stack.central);
const description = 'managed by alloy-deploy';
const KEY = 'opn-key-4fQz-do-not-print';
const SECRET = 'opn-secret-Hh71-do-not-print';

describe('OPNsense plan (pure)', () => {
  const wanted = desiredFields(override, description);
  const row = (r: Partial<OverrideRow>): OverrideRow => ({
    uuid: 'u1',
    enabled: '1',
    hostname: override.host,
    domain: override.domain,
    rr: 'A',
    server: override.address,
    description,
    ...r,
  });

  it('splits the prod hostname into host + domain and sends strings only', () => {
    expect(wanted).toEqual({
      enabled: '1',
      hostname: 'alloy',
      domain: 'tobiash.net',
      rr: 'A',
      server: stack.central.loadBalancerIP,
      description,
    });
  });

  it('adds when no row has exactly this host and domain (search matches substrings, the plan filters exactly)', () => {
    const near = [
      row({ hostname: 'alloy-legacy' }),
      row({ domain: 'tobiash.net.example' }),
      row({ hostname: 'x', domain: 'alloy.tobiash.net' }),
    ];
    expect(planOpnsense(wanted, near)).toEqual([{ kind: 'create', fields: wanted }]);
  });

  it('keeps an identical row (host and domain compared case-insensitively)', () => {
    expect(planOpnsense(wanted, [row({ hostname: 'Alloy', domain: 'Tobiash.NET' })]).map((a) => a.kind)).toEqual([
      'keep',
    ]);
  });

  it('sets a differing row in place, naming each change; a disabled row is re-enabled', () => {
    const [action] = planOpnsense(wanted, [row({ uuid: 'u9', server: '10.0.0.5', enabled: '0', description: '' })]);
    expect(action).toEqual({
      kind: 'update',
      uuid: 'u9',
      fields: wanted,
      changes: [`server 10.0.0.5 → ${override.address}`, 'enabled 0 → 1', `description "" → "${description}"`],
    });
  });

  it('manages the enabled A row and reports other A/AAAA rows for the name instead of touching them', () => {
    const actions = planOpnsense(wanted, [
      row({ uuid: 'off', enabled: '0', server: '10.0.0.1' }),
      row({ uuid: 'on' }),
      row({ uuid: 'v6', rr: 'AAAA', server: 'fd00::1' }),
      row({ uuid: 'mx', rr: 'MX', server: '' }),
    ]);
    expect(actions.map((a) => [a.kind, 'row' in a ? a.row.uuid : ''])).toEqual([
      ['keep', 'on'],
      ['ignore', 'off'],
      ['skip', 'v6'],
    ]);
  });

  it('a competing enabled override leaves the cut-over incomplete; a disabled one or one at the same address does not', () => {
    const section = (rows: OverrideRow[]) => opnsenseSection('https://fw', planOpnsense(wanted, rows));
    const code = (rows: OverrideRow[]) => sectionExitCode(section(rows), 'applied');
    expect(code([row({ uuid: 'on' }), row({ uuid: 'other', server: '10.0.0.7' })])).toBe(ExitCode.incomplete);
    expect(code([row({ uuid: 'on' }), row({ uuid: 'v6', rr: 'AAAA', server: 'fd00::1' })])).toBe(ExitCode.incomplete);
    expect(code([row({ uuid: 'on' }), row({ uuid: 'off', server: '10.0.0.7', enabled: '0' })])).toBe(ExitCode.ok);
    expect(code([row({ uuid: 'on' }), row({ uuid: 'twin' })])).toBe(ExitCode.ok);
    expect(section([row({ uuid: 'on' }), row({ uuid: 'off', enabled: '0', server: '10.0.0.7' })]).actions[1]).toEqual({
      kind: 'keep',
      subject: 'host override alloy.tobiash.net',
      detail:
        'A 10.0.0.7: another A override for alloy.tobiash.net (uuid off), disabled: it answers nothing; left alone',
    });
  });

  it('a kept override is reconfigured when the resolver does not serve it; unknown liveness is noted, not acted on', () => {
    const via = '192.0.2.1:53';
    const live = planOpnsense(wanted, [row({})], { kind: 'answers', via, addresses: [override.address] });
    expect(live.map((a) => a.kind)).toEqual(['keep']);
    const stale = planOpnsense(wanted, [row({})], { kind: 'answers', via, addresses: ['10.0.0.99'] });
    expect(stale.map((a) => a.kind)).toEqual(['keep', 'apply-saved']);
    expect(needsReconfigure(stale)).toBe(true);
    const none = planOpnsense(wanted, [row({})], { kind: 'answers', via, addresses: [] });
    expect(opnsenseSection('https://fw', none).actions[1]).toEqual({
      kind: 'update',
      subject: 'Unbound service',
      detail: `reconfigure: the override is saved but not live (the resolver ${via} has no answer)`,
    });
    const unknown = planOpnsense(wanted, [row({})], { kind: 'unknown', via, why: 'ETIMEOUT' });
    expect(unknown.map((a) => a.kind)).toEqual(['keep', 'unconfirmed']);
    expect(needsReconfigure(unknown)).toBe(false);
    // A create or update reconfigures anyway; the resolver is not consulted for it.
    expect(planOpnsense(wanted, [], { kind: 'answers', via, addresses: [] }).map((a) => a.kind)).toEqual(['create']);
  });

  it('reads ≤25.1 rows whose rr is a label', () => {
    expect(
      normalizeRow({ uuid: 'u', hostname: 'alloy', domain: 'tobiash.net', rr: 'A (IPv4 address)', server: '1.2.3.4' })
        .rr,
    ).toBe('A');
  });

  it('refuses plain-http endpoints and credentials in the URL; names missing variables', () => {
    const env = { OPNSENSE_API_KEY: KEY, OPNSENSE_API_SECRET: SECRET };
    expect(() => opnsenseSettings({ ...env, OPNSENSE_ENDPOINT: 'http://192.0.2.1' })).toThrow(
      /must be an https:\/\/ URL/,
    );
    expect(() => opnsenseSettings({ ...env, OPNSENSE_ENDPOINT: 'https://u:p@192.0.2.1' })).toThrow(
      /must not hold credentials/,
    );
    expect(() => opnsenseSettings({ OPNSENSE_ENDPOINT: 'https://192.0.2.1' })).toThrow(
      /set OPNSENSE_API_KEY, OPNSENSE_API_SECRET/,
    );
    expect(opnsenseSettings({ ...env, OPNSENSE_ENDPOINT: 'https://fw.lan:8443' }).apiUrl.href).toBe(
      'https://fw.lan:8443/api/',
    );
    expect(opnsenseSettings({ ...env, OPNSENSE_ENDPOINT: 'https://fw.lan/api/' }).apiUrl.href).toBe(
      'https://fw.lan/api/',
    );
  });
});

describe('dns unbound (opnsense) against the emulator over verified TLS', () => {
  let ca: TestCa;
  let emu: OpnsenseEmulator;
  const opnStack: DnsStack = { ...stack, legacy: { ...stack.legacy, unbound: { backend: 'opnsense', description } } };
  beforeAll(() => {
    ca = createTestCa();
  });
  afterAll(() => ca.cleanup());
  beforeEach(async () => {
    const server = ca.issue(`fw${Date.now()}`, { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] });
    emu = await startOpnsenseEmulator({
      cert: server.cert,
      key: server.key,
      apiKeys: [
        { key: KEY, secret: SECRET },
        { key: 'viewer', secret: 'viewer-secret', privileges: ['unbound/settings/search'] },
      ],
    });
  });
  afterEach(async () => emu.close());

  const env = () => ({ OPNSENSE_ENDPOINT: emu.endpoint, OPNSENSE_API_KEY: KEY, OPNSENSE_API_SECRET: SECRET });
  const run = (options: { dryRun?: boolean; caFile?: string; env?: NodeJS.ProcessEnv; stack?: DnsStack } = {}) => {
    const report = memoryReport();
    const result = runOpnsenseDns(options.stack ?? opnStack, {
      dryRun: options.dryRun ?? false,
      env: options.env ?? env(),
      report,
      caFile: 'caFile' in options ? options.caFile : ca.caFile,
    });
    return { report, result };
  };

  it('adds the override and reconfigures once; a second run makes 1 search, no write, no reconfigure', async () => {
    emu.seed({ hostname: 'nas', domain: 'home.lan', server: '192.168.1.20' });
    const first = await run().result;
    expect(first.writes).toBe(2); // add + reconfigure
    expect(emu.requests.map((r) => r.path)).toEqual([
      '/api/unbound/settings/search_host_override',
      '/api/unbound/settings/add_host_override',
      '/api/unbound/service/reconfigure',
    ]);
    expect(emu.reconfigures).toBe(1);
    expect(emu.pending).toBe(false);
    expect([...emu.live.values()]).toContainEqual(
      expect.objectContaining({ hostname: 'alloy', domain: 'tobiash.net', rr: 'A', server: override.address }),
    );

    emu.clearLog();
    const { report, result } = run();
    expect((await result).writes).toBe(0);
    expect(emu.requests.map((r) => r.path)).toEqual(['/api/unbound/settings/search_host_override']);
    expect(emu.writes()).toEqual([]);
    expect(emu.reconfigures).toBe(1);
    expect(report.lines.join('\n')).toMatch(/= keep +host override alloy\.tobiash\.net +A .* is as wanted/);
  });

  it('sets a stale override in place (same uuid) and applies it with one reconfigure', async () => {
    const uuid = emu.seed({ hostname: 'alloy', domain: 'tobiash.net', server: '10.0.0.99', description: 'old' });
    emu.live = new Map(emu.hosts);
    await run().result;
    expect(emu.requests.map((r) => r.path)).toEqual([
      '/api/unbound/settings/search_host_override',
      `/api/unbound/settings/set_host_override/${uuid}`,
      '/api/unbound/service/reconfigure',
    ]);
    expect(emu.hosts.get(uuid)).toMatchObject({ server: override.address, description });
    expect(emu.hosts.size).toBe(1);
  });

  it('an add whose answer is lost is not added twice: the retry finds the saved override first', async () => {
    emu.loseResponses('add_host_override');
    const { report, result } = run();
    expect((await result).writes).toBe(2); // add + reconfigure
    expect(emu.requests.map((r) => r.path)).toEqual([
      '/api/unbound/settings/search_host_override',
      '/api/unbound/settings/add_host_override', // saved, answer lost
      '/api/unbound/settings/search_host_override', // the retry looks first
      '/api/unbound/service/reconfigure',
    ]);
    expect(emu.hosts.size).toBe(1);
    expect(emu.pending).toBe(false);
    expect(report.details.join('\n')).toMatch(/the previous try saved alloy \(uuid [0-9a-f-]{36}\)/);
  });

  it('--dry-run searches only', async () => {
    const { report, result } = run({ dryRun: true });
    expect((await result).writes).toBe(0);
    expect(emu.writes()).toEqual([]);
    expect(report.lines.join('\n')).toContain(`+ create host override alloy.tobiash.net  A ${override.address}`);
    expect(report.lines.join('\n')).toContain('reconfigure, so the saved override goes live');
  });

  it('verifies TLS: without the CA (or with another CA) it fails and points to --ca-file; nothing is sent', async () => {
    await expect(run({ caFile: undefined }).result).rejects.toThrow(
      /TLS to https:\/\/127\.0\.0\.1:\d+ failed \(\w+\): .*--ca-file/,
    );
    const other = createTestCa('another CA');
    try {
      await expect(run({ caFile: other.caFile }).result).rejects.toThrow(/does not verify against .*ca\.pem/);
    } finally {
      other.cleanup();
    }
    expect(emu.requests).toEqual([]);
  });

  it('shows API validation errors field by field, and stores nothing', async () => {
    const bad: DnsStack = {
      ...stack,
      legacy: { ...stack.legacy, unbound: { backend: 'opnsense', description: 'line one\nline two' } },
    };
    await expect(run({ stack: bad }).result).rejects.toThrow(
      'OPNsense refused the host override alloy.tobiash.net:\n  host.description: Text may not contain newlines.',
    );
    expect(emu.hosts.size).toBe(0);
    expect(emu.reconfigures).toBe(0);
  });

  it('retries 429 (honouring Retry-After) and 500, then succeeds', async () => {
    emu.inject({ status: 429, retryAfter: 1 }, { status: 500 });
    const { report, result } = run();
    await result;
    expect(emu.requests.map((r) => r.status).slice(0, 3)).toEqual([429, 500, 200]);
    expect(report.details.join('\n')).toMatch(/HTTP 429, retrying in 1\.0 s/);
    expect(emu.reconfigures).toBe(1);
  });

  it('names the variables on 401 and the privilege on 403', async () => {
    await expect(run({ env: { ...env(), OPNSENSE_API_SECRET: 'wrong' } }).result).rejects.toThrow(
      /rejected the API key \(401 Authentication Failed\): fix OPNSENSE_API_KEY and OPNSENSE_API_SECRET/,
    );
    await expect(
      run({ env: { ...env(), OPNSENSE_API_KEY: 'viewer', OPNSENSE_API_SECRET: 'viewer-secret' } }).result,
    ).rejects.toThrow(
      /refused POST \/api\/unbound\/settings\/add_host_override \(403 Forbidden\): .*"Services: Unbound"/,
    );
  });

  it('the CLI exits 3 and --json says ok: false while a second enabled override at another address is left alone', async () => {
    emu.seed({ hostname: 'alloy', domain: 'tobiash.net', server: override.address, description });
    emu.seed({ hostname: 'alloy', domain: 'tobiash.net', server: '10.0.0.7', description: 'by hand' });
    emu.live = new Map(emu.hosts);
    const dir = mkdtempSync(join(tmpdir(), 'alloy-opn-cli-'));
    try {
      writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(configDir, 'prod.yaml')));
      const dev = parseDocument(readFileSync(join(configDir, 'dev.yaml'), 'utf8'));
      dev.setIn(['alloyLegacy', 'unbound'], { backend: 'opnsense', description, caFile: ca.caFile });
      writeFileSync(join(dir, 'dev.yaml'), dev.toString());
      const r = await runLegacyDeploy(['--config-dir', dir, '--json', 'dns', 'unbound'], { env: env() });
      expect(r.code).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, exitCode: 3, writes: 0 });
      expect(emu.writes()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('redacts the key pair and credential-shaped text an error body echoes', async () => {
    const basic = Buffer.from(`${KEY}:${SECRET}`).toString('base64');
    emu.inject({ status: 400, message: `bad request from key=${KEY} secret ${SECRET} (Basic ${basic})` });
    const failure = run().result;
    await expect(failure).rejects.toThrow(
      'OPNsense POST /api/unbound/settings/search_host_override failed: HTTP 400 {"status":400,"message":"bad request from key=[redacted] secret [redacted] (Basic [redacted])"}',
    );
  });

  it('every line goes through the same redaction: a server-sent description, an endpoint holding the secret (issue #17 §5)', async () => {
    emu.seed({ hostname: 'alloy', domain: 'tobiash.net', server: '10.0.0.99', description: `note ${SECRET}\u001b[2J` });
    const dir = mkdtempSync(join(tmpdir(), 'alloy-opn-cli-'));
    try {
      writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(configDir, 'prod.yaml')));
      const dev = parseDocument(readFileSync(join(configDir, 'dev.yaml'), 'utf8'));
      dev.setIn(['alloyLegacy', 'unbound'], { backend: 'opnsense', description, caFile: ca.caFile });
      writeFileSync(join(dir, 'dev.yaml'), dev.toString());
      const cli = (args: string[], e: NodeJS.ProcessEnv) =>
        runLegacyDeploy(['--config-dir', dir, 'dns', 'unbound', '--dry-run', '--verbose', ...args], { env: e });
      const plan = await cli([], env());
      expect(plan.code).toBe(2);
      expect(plan.stdout).toContain('description "note [redacted]\\x1b[2J" →');
      const json = await cli(['--json'], env());
      expect(json.stdout).toContain('note [redacted]');
      const endpoint = await cli([], { ...env(), OPNSENSE_ENDPOINT: `${emu.endpoint}/${SECRET}/` });
      expect(endpoint.code).toBe(1);
      expect(endpoint.stderr).toContain('/[redacted]/api/unbound/settings/search_host_override');
      for (const out of [plan, json, endpoint]) expect(out.stdout + out.stderr).not.toContain(SECRET);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI takes --ca-file, prints the plan, and never prints the key or secret, even with --verbose', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alloy-opn-cli-'));
    try {
      writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(configDir, 'prod.yaml')));
      const dev = parseDocument(readFileSync(join(configDir, 'dev.yaml'), 'utf8'));
      dev.setIn(['alloyLegacy', 'unbound'], { backend: 'opnsense', description });
      writeFileSync(join(dir, 'dev.yaml'), dev.toString());
      const cli = (args: string[], e: NodeJS.ProcessEnv) =>
        runLegacyDeploy(['--config-dir', dir, 'dns', 'unbound', '--verbose', ...args], { env: e });
      emu.inject({ status: 500 });
      const ok = await cli(['--ca-file', ca.caFile], env());
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('done: Unbound reconfigured');
      expect(ok.stderr).toMatch(/POST https:\/\/127\.0\.0\.1:\d+\/api\/unbound\/settings\/search_host_override → 500/);
      const noCa = await cli([], env());
      expect(noCa.code).toBe(1);
      expect(noCa.stderr).toMatch(/^legacy-deploy: TLS to .*--ca-file/m);
      const bad = await cli(['--ca-file', ca.caFile], { ...env(), OPNSENSE_API_SECRET: `${SECRET}x` });
      expect(bad.code).toBe(1);
      for (const out of [ok, noCa, bad]) {
        for (const secret of [KEY, SECRET, Buffer.from(`${KEY}:${SECRET}`).toString('base64')]) {
          expect(out.stdout + out.stderr).not.toContain(secret);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
