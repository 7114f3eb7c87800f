/**
 * `legacy-deploy verify` against real parts on 127.0.0.1: a real Unbound answering the override, TLS servers with
 * certificates from a test CA (valid, wrong name, expired, expiring soon), and a stand-in legacy instance serving
 * /-/ready and /metrics. The expected hostname and IP always come from config/prod.yaml.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { loadDnsStack } from '../../legacy/dns/stack';
import { runVerifyChecks, type VerifyOptions } from '../../legacy/verify/run';
import { centralPipeline } from '../../lib/central-pipeline';
import { alloyConfigMetrics } from '../support/alloy-metrics';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { createTestCa, type IssuedCert, opensslDate, type TestCa } from '../support/tls-certs';
import { type RunningServer, startReadyServer, startTlsListener } from '../support/tls-servers';
import { describeWithUnbound, startUnbound, type TestUnbound } from '../support/unbound';

const configDir = resolve(__dirname, '../../config');
const { central } = loadDnsStack(configDir);
const { hostname, loadBalancerIP } = central;
/** The central stand-in's /metrics: running the committed assets/alloy, loaded successfully. */
const centralMetrics = alloyConfigMetrics(
  centralPipeline({ ...central, assetsDir: resolve(configDir, '../assets/alloy') }).hash,
  true,
);

const healthyMetrics = [
  '# TYPE otelcol_exporter_sent_metric_points_total counter',
  'otelcol_exporter_sent_metric_points_total{component_id="otelcol.exporter.otlp.central"} 4200',
  'otelcol_exporter_send_failed_metric_points_total{component_id="otelcol.exporter.otlp.central"} 0',
  'otelcol_exporter_sent_log_records_total{component_id="otelcol.exporter.otlp.central"} 17',
  'otelcol_exporter_send_failed_log_records_total{component_id="otelcol.exporter.otlp.central"} 0',
].join('\n');

describeWithUnbound('verify against real Unbound, TLS servers and a stand-in legacy instance', () => {
  let ca: TestCa;
  let certs: Record<'valid' | 'wrongName' | 'expired' | 'soon', IssuedCert>;
  let unbound: TestUnbound;
  let legacy: Server;
  let legacyPort: number;
  const legacyState = { ready: true, metrics: healthyMetrics };
  let servers: RunningServer[] = [];

  beforeAll(async () => {
    ca = createTestCa();
    certs = {
      valid: ca.issue('valid', { dnsNames: [hostname], days: 60 }),
      wrongName: ca.issue('wrong-name', { dnsNames: ['other.example.net'], days: 60 }),
      expired: ca.issue('expired', { dnsNames: [hostname], startDate: opensslDate(-90), endDate: opensslDate(-2) }),
      soon: ca.issue('soon', { dnsNames: [hostname], days: 5 }),
    };
    unbound = await startUnbound({ include: `local-data: "${hostname}. 300 IN A ${loadBalancerIP}"\n` });
    legacy = createServer((req, res) => {
      if (req.url === '/-/ready')
        res.writeHead(legacyState.ready ? 200 : 503).end(legacyState.ready ? 'Alloy is ready.' : 'not ready');
      else if (req.url === '/metrics')
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(legacyState.metrics);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => legacy.listen(0, '127.0.0.1', r));
    legacyPort = (legacy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await unbound?.stop();
    await new Promise((r) => legacy?.close(r));
    ca?.cleanup();
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    legacyState.ready = true;
    legacyState.metrics = healthyMetrics;
  });

  /** Starts the central stand-ins with the given certificates and returns options pointing verify at them. */
  async function central(
    https: IssuedCert,
    otlp: IssuedCert,
    extra: Partial<VerifyOptions> = {},
  ): Promise<VerifyOptions> {
    const [h, o] = await Promise.all([startReadyServer(https, true, () => centralMetrics), startTlsListener(otlp)]);
    servers.push(h, o);
    return {
      configDir,
      resolver: `127.0.0.1:${unbound.port}`,
      connect: '127.0.0.1',
      caFile: ca.caFile,
      httpsPort: String(h.port),
      otlpPort: String(o.port),
      legacyUrl: `http://127.0.0.1:${legacyPort}`,
      timeout: '3',
      ...extra,
    };
  }
  const verdicts = async (options: VerifyOptions) =>
    Object.fromEntries((await runVerifyChecks(loadDnsStack(configDir), options)).map((r) => [r.id, r]));

  it('passes every check when DNS, certificates, readiness and the exporter are right', async () => {
    const results = await runVerifyChecks(loadDnsStack(configDir), await central(certs.valid, certs.valid));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(results).toHaveLength(7);
    expect(results[0]).toMatchObject({
      name: `dns ${hostname}`,
      detail: `${loadBalancerIP} via 127.0.0.1:${unbound.port}`,
    });
    expect(results[1].detail).toMatch(new RegExp(`^valid for ${hostname.replace(/\./g, '\\.')}, (59|60) days left`));
    expect(results.find((r) => r.id === 'config-central')?.ok).toBe(true);
    expect(results[6].detail).toBe(
      'sent 4217 (metric_points 4200, log_records 17); send failures 0 (metric_points 0, log_records 0)',
    );
  });

  it('fails a certificate for another name and an expired one, each with the reason', async () => {
    const v = await verdicts(await central(certs.wrongName, certs.expired));
    expect(v['tls-http']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(new RegExp(`^certificate not valid for ${hostname.replace(/\./g, '\\.')}`)),
    });
    expect(v['tls-otlp']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^certificate expired on \d{4}-\d\d-\d\d$/),
    });
    // /-/ready over a certificate for another name is refused too: the HTTPS client verifies.
    expect(v['ready-central']).toMatchObject({
      ok: false,
      detail: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID'),
    });
    expect(v.dns.ok && v['ready-legacy'].ok && v['exporter-legacy'].ok).toBe(true);
  });

  it('fails a certificate expiring within --min-days and passes it with a smaller limit', async () => {
    const strict = await verdicts(await central(certs.soon, certs.soon, { minDays: '14' }));
    expect(strict['tls-http']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^certificate expires in [45] days .* fewer than 14$/),
    });
    const lax = await verdicts(await central(certs.soon, certs.soon, { minDays: '3' }));
    expect(lax['tls-http'].ok).toBe(true);
  });

  it('fails a certificate from a CA it was not told to trust', async () => {
    const v = await verdicts(await central(certs.valid, certs.valid, { caFile: undefined }));
    expect(v['tls-http']).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^certificate not trusted \(.+\); --ca-file adds a CA$/),
    });
  });

  it('fails a wrong DNS answer, a legacy instance that is not ready, and exporter send failures', async () => {
    const options = await central(certs.valid, certs.valid);
    const elsewhere = await startUnbound({ include: `local-data: "${hostname}. 300 IN A 10.20.30.40"\n` });
    legacyState.ready = false;
    legacyState.metrics = healthyMetrics.replace(
      'send_failed_log_records_total{component_id="otelcol.exporter.otlp.central"} 0',
      'send_failed_log_records_total{component_id="otelcol.exporter.otlp.central"} 3',
    );
    try {
      const v = await verdicts({ ...options, resolver: `127.0.0.1:${elsewhere.port}` });
      expect(v.dns).toMatchObject({
        ok: false,
        detail: `answered 10.20.30.40 via 127.0.0.1:${elsewhere.port}, expected only ${loadBalancerIP}`,
      });
      expect(v['ready-legacy']).toMatchObject({ ok: false, detail: 'HTTP 503: not ready' });
      expect(v['exporter-legacy']).toMatchObject({ ok: false, detail: expect.stringContaining('send failures 3') });
    } finally {
      await elsewhere.stop();
    }
  });

  it('fails when the legacy instance is down', async () => {
    const v = await verdicts({ ...(await central(certs.valid, certs.valid)), legacyUrl: 'http://127.0.0.1:1' });
    expect(v['ready-legacy']).toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') });
    expect(v['exporter-legacy']).toMatchObject({ ok: false, detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('the CLI prints the table and exits 0 only when all pass; --json gives the checks as data', async () => {
    const options = await central(certs.valid, certs.expired);
    const args = (otlpPort: string) => [
      '--resolver',
      options.resolver as string,
      '--connect',
      '127.0.0.1',
      '--ca-file',
      ca.caFile,
      '--https-port',
      options.httpsPort as string,
      '--otlp-port',
      otlpPort,
      '--legacy-url',
      options.legacyUrl as string,
    ];
    const failing = await runLegacyDeploy(['--config-dir', configDir, 'verify', ...args(options.otlpPort as string)]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toMatch(/^CHECK +RESULT +DETAIL$/m);
    expect(failing.stdout).toMatch(
      new RegExp(`^tls ${hostname.replace(/\./g, '\\.')}:\\d+ \\(OTLP gRPC\\) +FAIL +certificate expired`, 'm'),
    );
    expect(failing.stdout).toContain('6 of 7 checks passed');

    const otlp = await startTlsListener(certs.valid);
    servers.push(otlp);
    const passing = await runLegacyDeploy(['--config-dir', configDir, '--json', 'verify', ...args(String(otlp.port))]);
    expect(passing.code).toBe(0);
    const doc = JSON.parse(passing.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.checks.map((c: { id: string }) => c.id)).toEqual([
      'dns',
      'tls-http',
      'tls-otlp',
      'ready-central',
      'config-central',
      'ready-legacy',
      'exporter-legacy',
    ]);
  });
});
