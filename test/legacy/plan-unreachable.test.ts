/**
 * `plan` against a NAS it cannot reach (issue #16 §4): it shows what it could check, marks the NAS section not
 * checked and exits 4, as the exit-code table promises (it stopped with exit 1 and no DNS section). The NAS is a
 * port on 127.0.0.1 where nothing listens.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { freePort } from '../../legacy/sandbox/host';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { REPO_DIR } from '../support/shared';

let dir: string;
let port: number;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ld-unreachable-'));
  cpSync(join(REPO_DIR, 'config'), join(dir, 'config'), { recursive: true });
  port = await freePort(); // free, so nothing listens there
  const devFile = join(dir, 'config/dev.yaml');
  const dev = parseDocument(readFileSync(devFile, 'utf8'));
  dev.setIn(['alloyLegacy', 'target', 'host'], '127.0.0.1');
  dev.setIn(['alloyLegacy', 'target', 'port'], port);
  writeFileSync(devFile, dev.toString());
  writeFileSync(join(dir, 'known_hosts'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an unreachable NAS: the NAS section is not checked, the DNS sections are shown, exit 4', async () => {
  const r = await runLegacyDeploy([
    'plan',
    '--config-dir',
    join(dir, 'config'),
    '--identity',
    join(dir, 'no-key-needed-before-the-connection'),
    '--known-hosts',
    join(dir, 'known_hosts'),
  ]);
  expect(r.stderr).not.toContain('legacy-deploy:');
  expect(r.code).toBe(4);
  expect(r.stdout).toContain(
    `legacy Alloy (NAS deployer@127.0.0.1:${port}):\n  ! not checked: cannot connect to deployer@[127.0.0.1]:${port}: connection refused (is sshd running on that port?)\n`,
  );
  expect(r.stdout).toMatch(/^Cloudflare DNS \(zone tobiash\.net\):\n {2}! not checked: /m);
  expect(r.stdout).toMatch(/^Unbound host override \(opnsense\):\n {2}! not checked: /m);
});

test('--json says ok: false and lists every section', async () => {
  const r = await runLegacyDeploy([
    '--json',
    'plan',
    '--config-dir',
    join(dir, 'config'),
    '--identity',
    join(dir, 'no-key-needed-before-the-connection'),
    '--known-hosts',
    join(dir, 'known_hosts'),
  ]);
  expect(r.code).toBe(4);
  const doc = JSON.parse(r.stdout);
  expect(doc.ok).toBe(false);
  expect(JSON.stringify(doc)).toContain('connection refused');
  expect(JSON.stringify(doc)).toContain('Cloudflare DNS');
});
