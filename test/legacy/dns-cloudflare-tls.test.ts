/**
 * A Cloudflare API whose certificate this machine does not trust (a TLS-inspecting proxy without its CA in
 * NODE_EXTRA_CA_CERTS; here the emulator's private CA left out): one line saying so and naming the fix, no retries
 * (issue #16 §4: it said "Connection error; gave up after 4 attempts").
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { freePort } from '../../legacy/sandbox/host';
import { type CloudflareEmulator, startCloudflareEmulator } from '../support/cloudflare-emulator';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { REPO_DIR } from '../support/shared';

const TOKEN = 'cf-token-tls-do-not-print';
let emu: CloudflareEmulator;
let dir: string;
beforeAll(async () => {
  emu = await startCloudflareEmulator({ zones: ['tobiash.net'], tokens: [{ value: TOKEN }] });
  dir = mkdtempSync(join(tmpdir(), 'alloy-dns-tls-'));
  writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(REPO_DIR, 'config/prod.yaml')));
  // the NAS (which plan also asks) is a port on 127.0.0.1 where nothing listens: no traffic leaves this machine
  const dev = parseDocument(readFileSync(join(REPO_DIR, 'config/dev.yaml'), 'utf8'));
  dev.setIn(['alloyLegacy', 'target', 'host'], '127.0.0.1');
  dev.setIn(['alloyLegacy', 'target', 'port'], await freePort());
  writeFileSync(join(dir, 'dev.yaml'), dev.toString());
});
afterAll(async () => {
  await emu?.close();
  rmSync(dir, { recursive: true, force: true });
});

const untrusted = () => ({ CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_BASE_URL: emu.baseURL, NODE_EXTRA_CA_CERTS: '' });

test('dns cloudflare: one line naming the untrusted certificate and NODE_EXTRA_CA_CERTS, not retried', async () => {
  const r = await runLegacyDeploy(['--config-dir', dir, 'dns', 'cloudflare', '--verbose'], { env: untrusted() });
  expect(r.code).toBe(1);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('legacy-deploy:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(
    /^legacy-deploy: Cloudflare .*: the certificate of 127\.0\.0\.1:\d+ is not trusted by this machine \([A-Z_]+\); .*NODE_EXTRA_CA_CERTS$/,
  );
  expect(r.stderr).not.toMatch(/retrying|gave up|attempts/);
  expect(r.stderr).not.toContain(TOKEN);
});

test('plan: the Cloudflare section is not checked for the same reason, in one line', async () => {
  const r = await runLegacyDeploy(
    ['plan', '--config-dir', dir, '--identity', join(dir, 'none'), '--known-hosts', join(dir, 'none')],
    { env: untrusted() },
  );
  expect(r.stdout).toMatch(
    /^Cloudflare DNS \(zone tobiash\.net\):\n {2}! not checked: Cloudflare .*is not trusted by this machine .*NODE_EXTRA_CA_CERTS\n/m,
  );
});

test('with the CA in NODE_EXTRA_CA_CERTS the same run goes through', async () => {
  const r = await runLegacyDeploy(['--config-dir', dir, 'dns', 'cloudflare', '--dry-run'], {
    env: { CLOUDFLARE_API_TOKEN: TOKEN, ...emu.clientEnv },
  });
  expect(r.stderr).not.toContain('legacy-deploy:');
  expect(r.code).toBe(2);
});
