import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
    expect(r.stderr).toContain(`${join(dir, 'nope')}: error: folder does not exist`);
  });

  /** An assets folder holding main.alloy plus `add(dir)`; the deploy must refuse it before connecting. */
  async function deployWith(add: (assets: string) => void, json = false) {
    const assets = mkdtempSync(join(dir, 'assets-'));
    writeFileSync(join(assets, 'main.alloy'), 'logging { }\n');
    add(assets);
    const r = await run([
      'deploy',
      '--config-dir',
      configDir,
      '--assets',
      assets,
      '--identity',
      '/nonexistent',
      ...(json ? ['--json'] : []),
    ]);
    return { r, assets };
  }

  test('a symlink in the assets folder is refused, naming it (issue #10 defect 1: a linked private key)', async () => {
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, 'PRIVATE KEY\n', { mode: 0o600 });
    const { r, assets } = await deployWith((a) => symlinkSync(key, join(a, 'notes.txt')));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `legacy-deploy: ${join(assets, 'notes.txt')}: error: is a symbolic link: refused (copy the file into the folder instead)\n`,
    );
  });

  test('a dangling link and a non-UTF-8 name are one line each, no stack trace (defect 6)', async () => {
    const dangling = await deployWith((a) => symlinkSync(join(a, 'gone'), join(a, 'b.alloy')));
    expect(dangling.r.code).toBe(1);
    expect(dangling.r.stderr).toMatch(/^legacy-deploy: \S+b\.alloy: error: is a symbolic link: refused .*\n$/);
    const latin1 = await deployWith((a) => writeFileSync(Buffer.from(`${a}/caf\xe9.alloy`, 'latin1'), 'x'), true);
    expect(latin1.r.code).toBe(1);
    expect(latin1.r.stderr).toBe(
      `legacy-deploy: ${latin1.assets}/caf\\xe9.alloy: error: file name is not valid UTF-8: rename it\n`,
    );
    expect(JSON.parse(latin1.r.stdout)).toMatchObject({ ok: false, error: expect.stringContaining('not valid UTF-8') });
  });

  test.each([
    ['plan', ['plan', '--identity', '/nonexistent', '--assets', '/nonexistent-assets']],
    ['dns cloudflare', ['dns', 'cloudflare']],
  ])('--json on failure prints { ok: false, error } on stdout in every command (%s)', async (_name, args) => {
    const r = await run([...args, '--config-dir', configDir, '--json']);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(false);
    expect(typeof result.error).toBe('string');
    expect(r.stderr).toContain(`legacy-deploy: ${result.error}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('--ready-timeout must be whole seconds', async () => {
    const r = await run(['deploy', '--config-dir', configDir, '--ready-timeout', 'soon']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--ready-timeout takes whole seconds');
  });
});
