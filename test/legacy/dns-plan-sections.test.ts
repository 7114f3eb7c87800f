/** The DNS sections `legacy-deploy plan` prints: observed through both emulators, nothing written. */
import { resolve } from 'node:path';
import { runCloudflareDns } from '../../legacy/dns/cloudflare/run';
import { runOpnsenseDns } from '../../legacy/dns/opnsense/run';
import { dnsPlanSections } from '../../legacy/dns/plan-sections';
import { memoryReport } from '../../legacy/dns/report';
import { loadDnsStack } from '../../legacy/dns/stack';
import { ExitCode } from '../../legacy/shared/exit-codes';
import { renderPlan } from '../../legacy/shared/plan';
import { type CloudflareEmulator, startCloudflareEmulator } from '../support/cloudflare-emulator';
import { type OpnsenseEmulator, startOpnsenseEmulator } from '../support/opnsense-emulator';
import { createTestCa, type TestCa } from '../support/tls-certs';

const configDir = resolve(__dirname, '../../config');
const stack = loadDnsStack(configDir);

describe('DNS sections of legacy-deploy plan', () => {
  let ca: TestCa;
  let cf: CloudflareEmulator;
  let opn: OpnsenseEmulator;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    ca = createTestCa();
    const cert = ca.issue('fw', { ipAddresses: ['127.0.0.1'] });
    cf = await startCloudflareEmulator({ zones: [stack.legacy.cloudflare.zone], tokens: [{ value: 't0ken' }] });
    opn = await startOpnsenseEmulator({ cert: cert.cert, key: cert.key, apiKeys: [{ key: 'k', secret: 's' }] });
    cf.seed(stack.legacy.cloudflare.zone, {
      type: 'CNAME',
      name: 'alloy',
      content: stack.legacy.cloudflare.cnameTarget,
      ttl: 60,
    });
    env = {
      CLOUDFLARE_API_TOKEN: 't0ken',
      ...cf.clientEnv,
      OPNSENSE_ENDPOINT: opn.endpoint,
      OPNSENSE_API_KEY: 'k',
      OPNSENSE_API_SECRET: 's',
    };
  });
  afterAll(async () => {
    await cf.close();
    await opn.close();
    ca.cleanup();
  });

  it('lists pending changes of both backends without writing anything, then none once applied', async () => {
    const pending = await dnsPlanSections({ configDir, env, caFile: ca.caFile });
    expect(pending.map((s) => [s.title, s.items.map((i) => i.mark)])).toEqual([
      ['Cloudflare DNS (zone tobiash.net)', ['+', '-']],
      [`Unbound host override via OPNsense (${opn.endpoint})`, ['+', '~']],
    ]);
    expect(pending[0].items[0].text).toBe(
      'create CNAME alloy-legacy.tobiash.net: → home.tobiash.net (TTL 60, DNS only)',
    );
    expect(pending.map((s) => s.exitCode)).toEqual([ExitCode.changesPending, ExitCode.changesPending]);
    expect(cf.writes()).toEqual([]);
    expect(opn.writes()).toEqual([]);

    await runCloudflareDns(stack, { dryRun: false, deleteForeignOldRecord: false, env, report: memoryReport() });
    await runOpnsenseDns(stack, { dryRun: false, env, report: memoryReport(), caFile: ca.caFile });
    const done = await dnsPlanSections({ configDir, env, caFile: ca.caFile });
    expect(done.map((s) => s.items)).toEqual([[], []]);
    expect(done.map((s) => s.exitCode)).toEqual([ExitCode.ok, ExitCode.ok]);
    expect(done[1].notes).toEqual([
      `unchanged: host override alloy.tobiash.net: A ${stack.central.loadBalancerIP} is as wanted`,
      // no Unbound answers on the emulator's address: liveness is noted as unknown, not claimed
      expect.stringMatching(
        /^unchanged: Unbound service: not confirmed live: the resolver 127\.0\.0\.1:53 did not answer/,
      ),
    ]);
  });

  it('a backend it could not check is unchecked (exit code 4) with a "!" line, never "no changes"', async () => {
    const none = await dnsPlanSections({ configDir, env: {} });
    expect(none.map((s) => s.exitCode)).toEqual([ExitCode.unchecked, ExitCode.unchecked]);
    expect(none.map((s) => s.items)).toEqual([
      [{ mark: '!', text: expect.stringMatching(/^not checked: no Cloudflare credentials: set CLOUDFLARE_API_TOKEN/) }],
      [
        {
          mark: '!',
          text: expect.stringMatching(/^not checked: set OPNSENSE_ENDPOINT, OPNSENSE_API_KEY, OPNSENSE_API_SECRET/),
        },
      ],
    ]);
    expect(renderPlan(none, false)).not.toContain('no changes');

    const rejected = await dnsPlanSections({ configDir, env: { ...env, CLOUDFLARE_API_TOKEN: 'wrong' } });
    expect(rejected[0]).toMatchObject({
      exitCode: ExitCode.unchecked,
      items: [{ mark: '!', text: expect.stringMatching(/^not checked: .*fix CLOUDFLARE_API_TOKEN/) }],
    });
    expect(rejected[1]).toMatchObject({
      exitCode: ExitCode.unchecked,
      items: [{ mark: '!', text: expect.stringMatching(/^not checked: TLS to .*--ca-file/) }],
    });
  });

  it('a foreign alloy record left alone makes the Cloudflare section incomplete (exit code 3)', async () => {
    const own = await startCloudflareEmulator({ zones: [stack.legacy.cloudflare.zone], tokens: [{ value: 't0ken' }] });
    try {
      own.seed(stack.legacy.cloudflare.zone, { type: 'A', name: 'alloy', content: '203.0.113.9', ttl: 300 });
      const [cloudflare] = await dnsPlanSections({ configDir, env: { ...env, ...own.clientEnv }, caFile: ca.caFile });
      expect(cloudflare.exitCode).toBe(ExitCode.incomplete);
      expect(cloudflare.items.map((i) => i.mark)).toEqual(['+', '!']);
    } finally {
      await own.close();
    }
  });
});
