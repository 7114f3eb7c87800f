import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';

/** Bad input stops legacy-deploy before it connects anywhere, with one clear message and no stack trace. */
describe('legacy-deploy input errors', () => {
  let dir: string;
  let configDir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'legacy-deploy-errors-'));
    configDir = join(dir, 'config');
    mkdirSync(configDir);
    for (const f of ['dev.yaml', 'prod.yaml']) copyFileSync(resolve(__dirname, '../../config', f), join(configDir, f));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[]) => runLegacyDeploy(args, { env: { XDG_CACHE_HOME: join(dir, 'cache') } });

  test('an invalid dev.yaml is named with file, line and key', async () => {
    const dev = join(configDir, 'dev.yaml');
    const good = readFileSync(dev, 'utf8');
    writeFileSync(dev, good.replace(/httpPort: \d+/, 'httpPort: 99999'));
    try {
      const r = await run(['deploy', '--config-dir', configDir, '--identity', '/nonexistent']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`invalid configuration:\\n${dev}:\\d+: alloyLegacy\\.httpPort: `));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      writeFileSync(dev, good);
    }
  });

  test('a missing assets folder is named', async () => {
    const r = await run(['plan', '--config-dir', configDir, '--assets', join(dir, 'nope'), '--identity', '/x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot read the assets folder ${join(dir, 'nope')}: ENOENT`);
  });

  test('--ready-timeout must be whole seconds', async () => {
    const r = await run(['deploy', '--config-dir', configDir, '--ready-timeout', 'soon']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--ready-timeout takes whole seconds');
  });
});
