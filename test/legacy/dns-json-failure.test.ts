/**
 * Every `dns` and `verify` failure with --json prints `{ "ok": false, "error": ... }` on stdout (and the same one
 * line on stderr, no stack trace), as the other commands do (issue #10, "The design to reach": Layers).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';

const configDir = resolve(__dirname, '../../config');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'alloy-json-failure-'));
  writeFileSync(join(dir, 'prod.yaml'), readFileSync(join(configDir, 'prod.yaml')));
  writeFileSync(join(dir, 'dev.yaml'), readFileSync(join(configDir, 'dev.yaml')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const json = (...args: string[]) => runLegacyDeploy(['--config-dir', dir, '--json', ...args]);

function expectFailure(r: { code: number | null; stdout: string; stderr: string }, error: RegExp) {
  expect(r.code).toBe(1);
  const doc = JSON.parse(r.stdout);
  expect(doc).toEqual({ ok: false, error: expect.stringMatching(error) });
  expect(r.stderr).toBe(`legacy-deploy: ${doc.error}\n`);
}

describe('--json on failure', () => {
  it('dns cloudflare without credentials, and with a broken dev.yaml', async () => {
    expectFailure(await json('dns', 'cloudflare'), /^no Cloudflare credentials: set CLOUDFLARE_API_TOKEN/);
    const dev = parseDocument(readFileSync(join(dir, 'dev.yaml'), 'utf8'));
    dev.setIn(['alloyLegacy', 'cloudflare', 'ttl'], 'sixty');
    writeFileSync(join(dir, 'dev.yaml'), dev.toString());
    expectFailure(await json('dns', 'cloudflare'), /dev\.yaml:\d+: alloyLegacy\.cloudflare\.ttl: /);
  });

  it('dns unbound with an http:// OPNSENSE_ENDPOINT', async () => {
    const r = await runLegacyDeploy(['--config-dir', dir, '--json', 'dns', 'unbound'], {
      env: { OPNSENSE_ENDPOINT: 'http://127.0.0.1:1', OPNSENSE_API_KEY: 'k', OPNSENSE_API_SECRET: 's' },
    });
    expectFailure(r, /^OPNSENSE_ENDPOINT must be an https:\/\/ URL/);
  });

  it('verify with a bad option, and verify whose checks fail (ok: false, the error names them)', async () => {
    expectFailure(await json('verify', '--resolver', 'not-an-ip'), /^--resolver takes an IPv4 address/);
    const failed = await json(
      'verify',
      '--resolver',
      '127.0.0.1:1',
      '--connect',
      '127.0.0.1',
      '--https-port',
      '1',
      '--otlp-port',
      '1',
      '--legacy-url',
      'http://127.0.0.1:1',
      '--timeout',
      '1',
      '--central-assets',
      resolve(__dirname, '../../assets/alloy'),
    );
    expect(failed.code).toBe(1);
    const doc = JSON.parse(failed.stdout);
    expect(doc).toMatchObject({
      ok: false,
      error:
        '7 of 7 checks failed: dns, tls-http, tls-otlp, ready-central, config-central, ready-legacy, exporter-legacy',
    });
    expect(doc.checks).toHaveLength(7);
  });
});
