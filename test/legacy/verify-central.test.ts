/**
 * `verify`'s central config check against a local HTTPS stand-in for the central /metrics on 127.0.0.1, with a
 * certificate for the central hostname from a test CA: the expected hash is computed from assets/alloy exactly as
 * the chart's ConfigMap annotation is, and the running one is read over verified TLS.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDnsStack } from '../../legacy/dns/stack';
import { judgeCentralConfig } from '../../legacy/verify/central-config';
import { checkCentralConfig } from '../../legacy/verify/checks';
import { centralPipeline } from '../../lib/central-pipeline';
import { CONFIG_HASH_ANNOTATION } from '../../lib/config-map';
import { alloyConfigMetrics } from '../support/alloy-metrics';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { find, ScratchProject } from '../support/manifests';
import { REPO_DIR } from '../support/shared';
import { createTestCa, type IssuedCert, type TestCa } from '../support/tls-certs';
import { type RunningServer, startReadyServer } from '../support/tls-servers';

const configDir = resolve(REPO_DIR, 'config');
const assets = join(REPO_DIR, 'assets/alloy');
const { central } = loadDnsStack(configDir);
const { hostname } = central;
const other = 'f'.repeat(64);

let ca: TestCa;
let cert: IssuedCert;
let server: RunningServer;
const state = { metrics: '' };
let expected: string;

beforeAll(async () => {
  ca = createTestCa();
  cert = ca.issue('central', { dnsNames: [hostname], days: 60 });
  server = await startReadyServer(cert, true, () => state.metrics);
  expected = centralPipeline({ ...central, assetsDir: assets }).hash;
});
afterAll(async () => {
  await server?.close();
  ca?.cleanup();
});

const check = (trustTestCa = true) =>
  checkCentralConfig(
    'config central',
    {
      url: new URL(`https://${hostname}:${server.port}/metrics`),
      connectHost: '127.0.0.1',
      ca: trustTestCa ? ca.caPem : undefined,
    },
    expected,
    3000,
  );

test('the expected hash is SHA-256 of assets/alloy/*.alloy in name order, and the one the chart annotates', () => {
  const digest = createHash('sha256');
  for (const f of readdirSync(assets)
    .filter((n) => n.endsWith('.alloy'))
    .sort()) {
    digest.update(readFileSync(join(assets, f)));
  }
  expect(expected).toBe(digest.digest('hex'));
  const project = new ScratchProject();
  try {
    expect(find(project.synth(), 'ConfigMap').metadata.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(expected);
  } finally {
    project.remove();
  }
});

test('match: the running hash is the expected one and the last load succeeded', async () => {
  state.metrics = alloyConfigMetrics(expected, true);
  expect(await check()).toEqual({
    name: 'config central',
    ok: true,
    detail: `running config hash ${expected} is the expected one; last load successful`,
  });
});

test('mismatch: fails, naming both hashes', async () => {
  state.metrics = alloyConfigMetrics(other, true);
  const result = await check();
  expect(result.ok).toBe(false);
  expect(result.detail).toContain(`running config hash ${other}`);
  expect(result.detail).toContain(`expected ${expected}`);
});

test('last load failed: fails even when the reported hash matches, naming both hashes', async () => {
  state.metrics = alloyConfigMetrics(other, false);
  const failed = await check();
  expect(failed.ok).toBe(false);
  expect(failed.detail).toMatch(/^last config load failed \(alloy_config_last_load_successful 0\)/);
  expect(failed.detail).toContain(other);
  expect(failed.detail).toContain(`expected ${expected}`);
  state.metrics = alloyConfigMetrics(expected, false);
  expect((await check()).ok).toBe(false);
});

test('over verified TLS only: a certificate from a CA it was not told to trust fails the check', async () => {
  state.metrics = alloyConfigMetrics(expected, true);
  const result = await check(false);
  expect(result.ok).toBe(false);
  expect(result.detail).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|self[- ]signed|unable to verify/i);
});

test('an Alloy without the config series fails with what is missing', () => {
  expect(judgeCentralConfig('up 1\n', expected)).toEqual({
    ok: false,
    detail: `no alloy_config_hash in /metrics (expected hash ${expected})`,
  });
});

test('a missing pipeline folder is one clear line and exit 1, before any check runs', async () => {
  const r = await runLegacyDeploy(['--config-dir', configDir, 'verify', '--central-assets', '/nonexistent/alloy']);
  expect(r.code).toBe(1);
  expect(r.stderr.trim()).toBe('legacy-deploy: --central-assets: /nonexistent/alloy: error: folder does not exist');
  expect(r.stdout).toBe('');
});
