/**
 * `legacy-deploy plan` as a user runs it (its own process, the real sshd + podman test host for the NAS part,
 * the contract emulators for DNS): a DNS section it could not check is never "no changes" and the exit code says
 * so (4); `--ca-file` reaches the OPNsense check (issue #10, defects 12 and 13).
 */
import { loadDnsStack } from '../../legacy/dns/stack';
import { startCloudflareEmulator } from '../support/cloudflare-emulator';
import { LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { startOpnsenseEmulator } from '../support/opnsense-emulator';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';
import { createTestCa } from '../support/tls-certs';

const describeHost = sshDockerHostAvailable('legacy-deploy plan (DNS sections)') ? describe : describe.skip;

describeHost('legacy-deploy plan: the DNS sections', () => {
  let f: LegacyDeployFixture;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1']);
    f.setAssets({ 'main.alloy': 'logging {\n  level = "info"\n}\n' });
  }, 120_000);
  afterAll(async () => f?.stop());

  it('exits 4 and prints "not checked" (not "no changes") for DNS sections without credentials', async () => {
    const r = await f.cli('plan');
    expect(r.code).toBe(4);
    const dns = r.stdout.slice(r.stdout.indexOf('Cloudflare DNS'));
    expect(dns).toMatch(/^Cloudflare DNS \(zone tobiash\.net\):\n {2}! not checked: no Cloudflare credentials/m);
    expect(dns).toMatch(/^Unbound host override \(opnsense\):\n {2}! not checked: set OPNSENSE_ENDPOINT/m);
    expect(dns).not.toContain('no changes');
    const json = await f.cli('plan', ['--json']);
    expect(
      JSON.parse(json.stdout)
        .sections.slice(-2)
        .map((s: { exitCode: number }) => s.exitCode),
    ).toEqual([4, 4]);
  });

  it('checks both DNS backends when they are reachable, trusting the firewall CA given with --ca-file', async () => {
    const stack = loadDnsStack(f.configDir);
    const ca = createTestCa();
    const cert = ca.issue('fw', { ipAddresses: ['127.0.0.1'] });
    const cf = await startCloudflareEmulator({ zones: ['tobiash.net'], tokens: [{ value: 't0ken' }] });
    const opn = await startOpnsenseEmulator({ cert: cert.cert, key: cert.key, apiKeys: [{ key: 'k', secret: 's' }] });
    try {
      cf.seed('tobiash.net', {
        type: 'CNAME',
        name: 'alloy-legacy',
        content: stack.legacy.cloudflare.cnameTarget,
        ttl: 60,
      });
      opn.seed({
        hostname: 'alloy',
        domain: 'tobiash.net',
        server: stack.central.loadBalancerIP,
        description: 'managed by alloy-deploy',
      });
      opn.live = new Map(opn.hosts);
      const env = {
        CLOUDFLARE_API_TOKEN: 't0ken',
        ...cf.clientEnv,
        OPNSENSE_ENDPOINT: opn.endpoint,
        OPNSENSE_API_KEY: 'k',
        OPNSENSE_API_SECRET: 's',
      };
      const withoutCa = await f.cli('plan', [], { env });
      expect(withoutCa.code).toBe(4);
      expect(withoutCa.stdout).toMatch(/! not checked: TLS to .* failed .*--ca-file/);
      const r = await f.cli('plan', ['--ca-file', ca.caFile], { env });
      // The NAS still has everything to do (2); both DNS sections are checked and as wanted.
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`Unbound host override via OPNsense (${opn.endpoint}):\n  no changes`);
      expect(r.stdout).toContain('Cloudflare DNS (zone tobiash.net):\n  no changes');
      expect(cf.writes()).toEqual([]);
      expect(opn.writes()).toEqual([]);
    } finally {
      await cf.close();
      await opn.close();
      ca.cleanup();
    }
  });
});
