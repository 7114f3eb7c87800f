/**
 * `dns cloudflare` with the real `cloudflare` SDK against the contract emulator on 127.0.0.1: what it writes, how
 * many calls it makes (≤1 zone lookup, 1 list per record name, zero writes on a second run), retries, and what it
 * tells the user when credentials are wrong, without ever printing them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { runCloudflareDns } from '../../legacy/dns/cloudflare/run';
import { DnsError } from '../../legacy/dns/errors';
import { memoryReport } from '../../legacy/dns/report';
import { loadDnsStack } from '../../legacy/dns/stack';
import { legacyAlloySchema } from '../../lib/config/schema';
import { type CloudflareEmulator, type LoggedRequest, startCloudflareEmulator } from '../support/cloudflare-emulator';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';

const configDir = resolve(__dirname, '../../config');
const stack = loadDnsStack(configDir);
const zone = stack.legacy.cloudflare.zone;
const newName = `${stack.legacy.cloudflare.record}.${zone}`;
const oldName = `${stack.legacy.cloudflare.oldRecord}.${zone}`;
const target = stack.legacy.cloudflare.cnameTarget;
const TOKEN = 'cf-token-Z3kR9-do-not-print';
const RO_TOKEN = 'cf-readonly-Q8w2-do-not-print';
const KEY = 'cf-global-key-7b7e0c-do-not-print';
const EMAIL = 'ops@tobiash.net';

let emu: CloudflareEmulator;
beforeEach(async () => {
  emu = await startCloudflareEmulator({
    zones: [zone, 'other.example'],
    tokens: [{ value: TOKEN }, { value: RO_TOKEN, readOnly: true }],
    globalKeys: [{ email: EMAIL, key: KEY }],
  });
});
afterEach(async () => {
  await emu.close();
});

const tokenEnv = () => ({ CLOUDFLARE_API_TOKEN: TOKEN, ...emu.clientEnv });
const run = (env: NodeJS.ProcessEnv, options: { dryRun?: boolean; force?: boolean } = {}) => {
  const report = memoryReport();
  const result = runCloudflareDns(stack, {
    dryRun: options.dryRun ?? false,
    deleteForeignOldRecord: options.force ?? false,
    env,
    report,
  });
  return { report, result };
};

/** The call counts the issue asks to report. */
function counts(log: readonly LoggedRequest[]) {
  const lists = log.filter((r) => r.method === 'GET' && r.path.endsWith('/dns_records'));
  return {
    zoneLookups: log.filter((r) => r.method === 'GET' && r.path.endsWith('/zones')).length,
    listsPerName: Object.fromEntries(
      [...new Set(lists.map((r) => r.query.get('name.exact') ?? r.query.get('name') ?? ''))].map((n) => [
        n,
        lists.filter((r) => (r.query.get('name.exact') ?? r.query.get('name')) === n).length,
      ]),
    ),
    writes: log.filter((r) => r.method !== 'GET').length,
  };
}

describe('dns cloudflare against the emulator', () => {
  it('cut-over: creates alloy-legacy → target (DNS only, TTL 60), removes the NAS alloy CNAME; a second run writes nothing', async () => {
    emu.seed(zone, { type: 'CNAME', name: oldName, content: target, ttl: 60 });
    const first = await run(tokenEnv()).result;
    expect(first.writes).toBe(2);
    expect(
      emu.recordsIn(zone).map(({ type, name, content, ttl, proxied }) => ({ type, name, content, ttl, proxied })),
    ).toEqual([{ type: 'CNAME', name: newName, content: target, ttl: 60, proxied: false }]);
    const firstCounts = counts(emu.requests);
    expect(firstCounts).toEqual({ zoneLookups: 1, listsPerName: { [newName]: 1, [oldName]: 1 }, writes: 2 });
    // The new name exists before the old one goes, so the NAS always has a public name.
    expect(emu.writes().map((w) => w.method)).toEqual(['POST', 'DELETE']);

    emu.clearLog();
    const { report, result } = run(tokenEnv());
    expect((await result).writes).toBe(0);
    expect(counts(emu.requests)).toEqual({ zoneLookups: 1, listsPerName: { [newName]: 1, [oldName]: 1 }, writes: 0 });
    expect(report.lines.join('\n')).toContain('(no changes)');
  });

  it('cloudflare.proxied: true converges: the record Cloudflare stores with TTL 1 is kept, and --dry-run finds nothing', async () => {
    const proxied = {
      ...stack,
      legacy: { ...stack.legacy, cloudflare: { ...stack.legacy.cloudflare, proxied: true, ttl: 60 } },
    };
    const options = (dryRun: boolean) => ({
      dryRun,
      deleteForeignOldRecord: false,
      env: tokenEnv(),
      report: memoryReport(),
    });
    expect((await runCloudflareDns(proxied, options(false))).writes).toBe(1);
    expect(emu.recordsIn(zone)).toEqual([expect.objectContaining({ name: newName, proxied: true, ttl: 1 })]);
    emu.clearLog();
    const again = await runCloudflareDns(proxied, options(false));
    expect(again.writes).toBe(0);
    expect(emu.writes()).toEqual([]);
    const dry = await runCloudflareDns(proxied, options(true));
    expect(dry.planned.section.actions.map((a) => [a.kind, a.detail])).toEqual([
      ['keep', `CNAME ${target} (TTL auto, proxied) is as wanted`],
      ['keep', 'no A/AAAA/CNAME record: nothing to remove'],
    ]);
  });

  it('--dry-run prints the plan and makes no write call', async () => {
    emu.seed(zone, { type: 'CNAME', name: oldName, content: target, ttl: 60 });
    const { report, result } = run(tokenEnv(), { dryRun: true });
    expect((await result).writes).toBe(0);
    expect(emu.writes()).toEqual([]);
    const text = report.lines.join('\n');
    expect(text).toContain(`+ create CNAME ${newName}  → ${target} (TTL 60, DNS only)`);
    expect(text).toContain(`- delete CNAME ${oldName}`);
  });

  it('updates a drifted alloy-legacy CNAME with PATCH, keeping its comment', async () => {
    const seeded = emu.seed(zone, {
      type: 'CNAME',
      name: newName,
      content: 'old-home.example.net',
      ttl: 1,
      proxied: true,
    });
    seeded.comment = 'added by hand';
    await run(tokenEnv()).result;
    expect(emu.writes().map((w) => `${w.method} ${w.path.split('/').pop()}`)).toEqual([`PATCH ${seeded.id}`]);
    expect(emu.recordsIn(zone)[0]).toMatchObject({
      content: target,
      ttl: 60,
      proxied: false,
      comment: 'added by hand',
    });
  });

  it('leaves a foreign alloy record (an A record) alone and says so; --delete-foreign-alloy-record removes it', async () => {
    emu.seed(zone, { type: 'A', name: oldName, content: '203.0.113.9', ttl: 300 });
    const { report, result } = run(tokenEnv());
    await result;
    expect(report.lines.join('\n')).toMatch(
      /! skip +A alloy\.tobiash\.net .*not the NAS record this tool wrote; left alone/,
    );
    expect(emu.recordsIn(zone).some((r) => r.type === 'A')).toBe(true);

    await run(tokenEnv(), { force: true }).result;
    expect(emu.recordsIn(zone).map((r) => r.type)).toEqual(['CNAME']);
  });

  it('authenticates with CLOUDFLARE_API_KEY + CLOUDFLARE_EMAIL (global key) and sends no token', async () => {
    await run({ CLOUDFLARE_API_KEY: KEY, CLOUDFLARE_EMAIL: EMAIL, ...emu.clientEnv }).result;
    expect(new Set(emu.requests.map((r) => r.auth))).toEqual(new Set(['global-key']));
    expect(emu.recordsIn(zone).map((r) => r.name)).toEqual([newName]);
  });

  it('retries a 429 after the Retry-After it names, and 5xx with backoff, then succeeds', async () => {
    emu.inject({ status: 429, retryAfter: 1 }, { status: 503 });
    const started = Date.now();
    const { report, result } = run(tokenEnv());
    await result;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(emu.requests.map((r) => r.status).slice(0, 3)).toEqual([429, 503, 200]);
    expect(report.details.join('\n')).toMatch(/HTTP 429, retrying in 1\.0 s \(attempt 2\/4\)/);
    expect(emu.recordsIn(zone).map((r) => r.name)).toEqual([newName]);
  });

  it("a create whose answer is lost is retried, found in place, and reported as this run's write (not someone else's)", async () => {
    emu.seed(zone, { type: 'CNAME', name: oldName, content: target, ttl: 60 });
    emu.loseResponses('POST');
    const { report, result } = run(tokenEnv());
    const { writes } = await result;
    expect(emu.writes().map((w) => [w.method, w.status])).toEqual([
      ['POST', 200], // carried out, answer lost
      ['POST', 400], // the retry: 81058, an identical record exists
      ['DELETE', 200],
    ]);
    expect(writes).toBe(2); // the create and the delete
    const text = report.lines.join('\n');
    expect(text).toContain(
      `done: create CNAME ${newName} (Cloudflare's answer was lost; the retry found the record in place)`,
    );
    expect(text).not.toContain('someone else');
    expect(emu.recordsIn(zone).map(({ type, name, content }) => ({ type, name, content }))).toEqual([
      { type: 'CNAME', name: newName, content: target },
    ]);
  });

  it('a delete whose answer is lost counts as done; a record someone else deleted meanwhile is no error', async () => {
    emu.seed(zone, { type: 'CNAME', name: oldName, content: target, ttl: 60 });
    emu.loseResponses('DELETE');
    const lost = await run(tokenEnv()).result;
    expect(emu.writes().map((w) => [w.method, w.status])).toEqual([
      ['POST', 200],
      ['DELETE', 200], // carried out, answer lost
      ['DELETE', 404], // the retry: 81044, already gone
    ]);
    expect(lost.writes).toBe(2);
    expect(emu.recordsIn(zone).map((r) => r.name)).toEqual([newName]);

    const old = emu.seed(zone, { type: 'CNAME', name: oldName, content: target, ttl: 60 });
    emu.clearLog();
    emu.beforeNext('DELETE', () => emu.removeRecord(old.id)); // someone deletes it between our list and our delete
    const { report, result } = run(tokenEnv());
    expect((await result).writes).toBe(0);
    expect(report.lines.join('\n')).toContain(`CNAME ${oldName} was deleted meanwhile by someone else`);
  });

  it('a CNAME someone else creates between our list and our create is reconciled, and only our writes are counted', async () => {
    emu.beforeNext('POST', () => emu.seed(zone, { type: 'CNAME', name: newName, content: target, ttl: 300 }));
    const { report, result } = run(tokenEnv());
    expect((await result).writes).toBe(1); // the PATCH of the TTL; the refused POST wrote nothing
    expect(emu.writes().map((w) => [w.method, w.status])).toEqual([
      ['POST', 400],
      ['PATCH', 200],
    ]);
    expect(report.lines.join('\n')).toContain(`${newName} was created meanwhile by someone else; looking again`);
    expect(emu.recordsIn(zone)).toEqual([expect.objectContaining({ name: newName, ttl: 60 })]);
  });

  it('gives up after 4 attempts on a persistent 500, and at once on a Retry-After beyond its cap', async () => {
    emu.inject({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await expect(run(tokenEnv()).result).rejects.toThrow(
      /zone lookup tobiash\.net: HTTP 500; gave up after 4 attempts/,
    );
    expect(emu.requests).toHaveLength(4);

    emu.clearLog();
    emu.inject({ status: 429, retryAfter: 600 });
    await expect(run(tokenEnv()).result).rejects.toThrow(/asks to wait 600 s, more than the 60 s/);
    expect(emu.requests).toHaveLength(1);
  });

  it('names the variable to fix on a rejected token, a read-only token, a wrong global key, and missing credentials', async () => {
    const rejected = run({ CLOUDFLARE_API_TOKEN: 'not-a-valid-token', ...emu.clientEnv }).result;
    await expect(rejected).rejects.toThrow(DnsError);
    await expect(rejected).rejects.toThrow(/rejected the credentials \(HTTP 403, code 9109.*fix CLOUDFLARE_API_TOKEN/);

    await expect(run({ CLOUDFLARE_API_TOKEN: RO_TOKEN, ...emu.clientEnv }).result).rejects.toThrow(
      /denied create CNAME .*code 10000.*CLOUDFLARE_API_TOKEN lack permission/,
    );
    await expect(
      run({ CLOUDFLARE_API_KEY: 'wrong', CLOUDFLARE_EMAIL: EMAIL, ...emu.clientEnv }).result,
    ).rejects.toThrow(/code 9103.*fix CLOUDFLARE_API_KEY and CLOUDFLARE_EMAIL/);
    await expect(run({ CLOUDFLARE_API_KEY: KEY, ...emu.clientEnv }).result).rejects.toThrow(
      /CLOUDFLARE_API_KEY is set but CLOUDFLARE_EMAIL is not/,
    );
    await expect(run({ ...emu.clientEnv }).result).rejects.toThrow(
      /no Cloudflare credentials: set CLOUDFLARE_API_TOKEN/,
    );
  });

  it('reports a zone it cannot see without retrying', async () => {
    const other = {
      ...stack,
      legacy: { ...stack.legacy, cloudflare: { ...stack.legacy.cloudflare, zone: 'missing.example' } },
    };
    const report = memoryReport();
    await expect(
      runCloudflareDns(other, { dryRun: true, deleteForeignOldRecord: false, env: tokenEnv(), report }),
    ).rejects.toThrow(/no zone named missing\.example/);
    expect(emu.requests).toHaveLength(1);
  });
});

describe('legacy-deploy dns cloudflare (the CLI, in its own process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alloy-dns-cli-'));
    writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(configDir, 'prod.yaml')));
    writeFileSync(join(dir, 'dev.yaml'), readFileSync(join(configDir, 'dev.yaml')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cli = (args: string[], env: NodeJS.ProcessEnv) =>
    runLegacyDeploy(['--config-dir', dir, 'dns', 'cloudflare', ...args], {
      env: { CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_API_KEY: '', CLOUDFLARE_EMAIL: '', CLOUDFLARE_LOG: 'debug', ...env },
    });

  it('--verbose logs every exchange yet no credential appears anywhere in stdout or stderr', async () => {
    emu.seed(zone, { type: 'CNAME', name: oldName, content: target, ttl: 60 });
    emu.inject({ status: 429, retryAfter: 1 });
    const ok = await cli(['--verbose'], tokenEnv());
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/GET https:\/\/127\.0\.0\.1:\d+\/client\/v4\/zones\?name=tobiash\.net → 429/);
    expect(ok.stderr).toMatch(/POST .*\/dns_records → 200/);
    expect(ok.stdout).toContain('done: create CNAME alloy-legacy.tobiash.net');

    const keyRun = await cli(['--verbose', '--dry-run'], {
      CLOUDFLARE_API_KEY: KEY,
      CLOUDFLARE_EMAIL: EMAIL,
      ...emu.clientEnv,
    });
    const bad = await cli(['--verbose'], { CLOUDFLARE_API_TOKEN: `${TOKEN}x`, ...emu.clientEnv });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^legacy-deploy: Cloudflare rejected the credentials .*fix CLOUDFLARE_API_TOKEN$/m);
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace
    for (const out of [ok, keyRun, bad]) {
      for (const secret of [TOKEN, KEY]) {
        expect(out.stdout).not.toContain(secret);
        expect(out.stderr).not.toContain(secret);
      }
    }
  });

  it('--dry-run exits 2 when something would change, 0 when nothing would; --json gives the plan as data', async () => {
    const pending = await cli(['--dry-run'], tokenEnv());
    expect(pending.code).toBe(2);
    expect(emu.writes()).toEqual([]);
    await cli([], tokenEnv());
    const json = await runLegacyDeploy(['--config-dir', dir, '--json', 'dns', 'cloudflare', '--dry-run'], {
      env: { CLOUDFLARE_API_KEY: '', CLOUDFLARE_EMAIL: '', ...tokenEnv() },
    });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ ok: true, dryRun: true, changes: 0, writes: 0 });
    expect(doc.section.actions.map((a: { kind: string }) => a.kind)).toEqual(['keep', 'keep']);
  });

  it('exits 3 (incomplete) and --json says ok: false while a foreign alloy record is left alone', async () => {
    emu.seed(zone, { type: 'A', name: oldName, content: '203.0.113.9', ttl: 300 });
    const dry = await cli(['--dry-run'], tokenEnv());
    expect(dry.code).toBe(3);
    const applied = await runLegacyDeploy(['--config-dir', dir, '--json', 'dns', 'cloudflare'], { env: tokenEnv() });
    expect(applied.code).toBe(3);
    expect(applied.stderr).toBe(
      'legacy-deploy: the cut-over is incomplete: 1 left alone (the "!" lines say why and what to do)\n',
    );
    const doc = JSON.parse(applied.stdout);
    expect(doc).toMatchObject({ ok: false, exitCode: 3, writes: 1, error: expect.stringContaining('incomplete') });
    expect(doc.section.actions.map((a: { kind: string }) => a.kind)).toEqual(['create', 'skip']);
    // Done as far as the tool may go: the next run writes nothing and still says incomplete.
    emu.clearLog();
    expect((await cli([], tokenEnv())).code).toBe(3);
    expect(emu.writes()).toEqual([]);
    expect((await cli(['--delete-foreign-alloy-record'], tokenEnv())).code).toBe(0);
    expect((await cli([], tokenEnv())).code).toBe(0);
  });

  it('refuses an http:// CLOUDFLARE_BASE_URL before sending anything (the token would travel in clear text)', async () => {
    const r = await cli([], {
      CLOUDFLARE_API_TOKEN: TOKEN,
      CLOUDFLARE_BASE_URL: emu.baseURL.replace('https:', 'http:'),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'legacy-deploy: CLOUDFLARE_BASE_URL must be an https:// URL: the API token must not travel in clear text\n',
    );
    expect(emu.requests).toEqual([]);
  });

  it('redacts credentials a server echoes in its error text before printing it', async () => {
    const foreign = 'Zk3R9xQ2mLw8Vb4Nc7Ty1Ps6Hd5Jf0Ga';
    emu.inject({ status: 403, message: `Invalid access token ${TOKEN} (Authorization: Bearer ${foreign})` });
    const r = await cli([], tokenEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^legacy-deploy: Cloudflare rejected the credentials \(HTTP 403, code 9109: Invalid access token \[redacted\] \(Authorization: Bearer \[redacted\]\)\)/,
    );
    expect(r.stderr + r.stdout).not.toContain(TOKEN);
    expect(r.stderr + r.stdout).not.toContain(foreign);
  });

  it('a TTL Cloudflare would refuse (2–59, above 86400) is rejected at load time, naming file and key; 1 and 60–86400 pass', async () => {
    const withTtl = (ttl: number) => {
      const doc = parseDocument(readFileSync(join(configDir, 'dev.yaml'), 'utf8'));
      doc.setIn(['alloyLegacy', 'cloudflare', 'ttl'], ttl);
      return doc.toJS().alloyLegacy;
    };
    for (const ttl of [1, 60, 300, 86400]) expect(legacyAlloySchema.safeParse(withTtl(ttl)).success).toBe(true);
    for (const ttl of [0, 2, 30, 59, 86401, 60.5])
      expect(legacyAlloySchema.safeParse(withTtl(ttl)).success).toBe(false);

    const doc = parseDocument(readFileSync(join(dir, 'dev.yaml'), 'utf8'));
    doc.setIn(['alloyLegacy', 'cloudflare', 'ttl'], 30);
    writeFileSync(join(dir, 'dev.yaml'), doc.toString());
    const r = await cli([], tokenEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^legacy-deploy: .*dev\.yaml:\d+: alloyLegacy\.cloudflare\.ttl: Cloudflare allows a TTL of 1 \(automatic\) or 60 to 86400 seconds$/m,
    );
    expect(emu.requests).toEqual([]);
  });

  it('a broken dev.yaml is reported by file and key, before any API call', async () => {
    const doc = parseDocument(readFileSync(join(dir, 'dev.yaml'), 'utf8'));
    doc.setIn(['alloyLegacy', 'cloudflare', 'ttl'], 'sixty');
    writeFileSync(join(dir, 'dev.yaml'), doc.toString());
    const r = await cli([], tokenEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/dev\.yaml:\d+: alloyLegacy\.cloudflare\.ttl: /);
    expect(emu.requests).toEqual([]);
  });
});
