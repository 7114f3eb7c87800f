import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { alloyConfig, extraConfig, LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';

/*
 * Issue #10's deploy defects against the real sshd + podman host, each a test that failed on the code before the
 * rebuild: hidden .alloy files linted but not uploaded (2), env vars in a world-readable file on the NAS (3), edits
 * by hand never noticed (4), a cached value reaching a remote shell (7), a NAS holding a mix of two checkouts that
 * status calls "same" (14); plus real validation before the swap and the hash proof after it.
 */
const describeHost = sshDockerHostAvailable('legacy-deploy defect tests') ? describe : describe.skip;

describeHost('legacy-deploy defects (issue #10) on a real SSH + Docker-API host', () => {
  let f: LegacyDeployFixture;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1']);
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** Every file below `dir`, recursively. */
  function filesUnder(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
    );
  }

  async function status() {
    const r = await f.cli('status', ['--json']);
    expect(r.code).toBe(0);
    return JSON.parse(r.stdout);
  }

  test('defect 2: a hidden .alloy file is linted and uploaded alike, and Alloy runs it', async () => {
    f.setAssets({ 'main.alloy': alloyConfig('info'), '.export.alloy': extraConfig('hidden') });
    const r = await f.cli('deploy');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    expect(f.remoteFiles('alloy-legacy-config')['.export.alloy']).toBe(extraConfig('hidden'));
    // the hash Alloy reports counts the hidden file, as the local one does
    expect((await status()).running).toMatchObject({ same: true });
  });

  test('defect 3: nothing on the NAS holds the container settings; the config files are 0644, no wider', async () => {
    const central = `${parseDocument(readFileSync(join(f.configDir, 'prod.yaml'), 'utf8')).getIn(['alloy', 'hostname'])}:4317`;
    expect(existsSync(f.path('.alloy-legacy.inspect'))).toBe(false);
    const written = filesUnder(f.host.rootDir).filter((p) => !p.startsWith(f.path('alloy-legacy-data')));
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) {
      expect({ file, env: readFileSync(file, 'utf8').includes(central) }).toEqual({ file, env: false });
      expect({ file, mode: statSync(file).mode & 0o777 }).toEqual({ file, mode: 0o644 });
    }
  });

  test('defect 4: a config file edited by hand on the NAS is seen by status, plan and deploy, and put right', async () => {
    const target = f.path('alloy-legacy-config', 'main.alloy');
    writeFileSync(target, alloyConfig('debug'));
    const s = await status();
    expect(s.config.upToDate).toBe(false);
    expect(s.config.differing).toEqual([{ name: 'main.alloy', change: 'change' }]);
    const plan = await f.cli('plan', ['--json']);
    expect(plan.code).toBe(4); // 4: the DNS sections are unchecked (no DNS credentials in these tests)
    expect(JSON.parse(plan.stdout).sections[0].items).toContainEqual(expect.objectContaining({ mark: '~' }));
    const r = await f.cli('deploy');
    expect(r.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(alloyConfig('info'));
    expect((await status()).config.upToDate).toBe(true);
  });

  test('defect 14: a NAS holding a mix of two checkouts is not "same" for either; the next deploy converges', async () => {
    // What the race left: B's main.alloy beside A's extra file, and a manifest (of the old code) listing B's files.
    f.setAssets({ 'main.alloy': alloyConfig('warn'), '.export.alloy': extraConfig('hidden') });
    const cfg = f.path('alloy-legacy-config');
    writeFileSync(join(cfg, 'main.alloy'), alloyConfig('warn'));
    writeFileSync(join(cfg, '.export.alloy'), extraConfig('from-checkout-a'));
    writeFileSync(join(cfg, '.legacy-deploy-manifest.json'), JSON.stringify({ files: {} }));
    const s = await status();
    expect(s.config.upToDate).toBe(false);
    expect(s.config.differing).toEqual([
      { name: '.export.alloy', change: 'change' },
      { name: '.legacy-deploy-manifest.json', change: 'remove' },
    ]);
    const r = await f.cli('deploy');
    expect(r.code).toBe(0);
    expect(Object.keys(f.remoteFiles('alloy-legacy-config')).sort()).toEqual(['.export.alloy', 'main.alloy']);
    expect((await status()).config.upToDate).toBe(true);
    expect((await status()).running.same).toBe(true);
  });

  test('defect 14: two deploys from two checkouts at once never leave a mix; the winner runs exactly its files', async () => {
    const [a, b] = ['checkout-a', 'checkout-b'].map((name) => {
      const dir = join(f.host.dir, name);
      mkdirSync(dir, { recursive: true });
      return dir;
    });
    const filesA = { 'main.alloy': alloyConfig('warn'), 'a.alloy': extraConfig('a') };
    const filesB = { 'main.alloy': alloyConfig('error'), 'b.alloy': extraConfig('b') };
    for (const [dir, files] of [
      [a, filesA],
      [b, filesB],
    ] as const) {
      for (const [n, c] of Object.entries(files)) writeFileSync(join(dir, n), c);
    }
    const deployFrom = (dir: string) => f.cli('deploy', ['--assets', dir]);
    const [ra, rb] = await Promise.all([deployFrom(a), deployFrom(b)]);
    // each either deployed or was refused by the lock; never anything else
    for (const r of [ra, rb]) {
      if (r.code !== 0) expect(r.stderr).toContain('another legacy-deploy holds the lock');
    }
    expect([ra.code, rb.code]).toContain(0);
    const there = f.remoteFiles('alloy-legacy-config');
    expect([filesA, filesB]).toContainEqual(there);
    const winner = 'a.alloy' in there ? a : b;
    const s = JSON.parse((await f.cli('status', ['--json', '--assets', winner])).stdout);
    expect(s.config.upToDate).toBe(true);
    expect(s.running.same).toBe(true);
    const loser = winner === a ? b : a;
    expect(JSON.parse((await f.cli('status', ['--json', '--assets', loser])).stdout).config.upToDate).toBe(false);
  });

  test('alloy validate with the target image rejects a config before anything is swapped; its diagnostics shown', async () => {
    const before = f.container();
    const filesBefore = f.remoteFiles('alloy-legacy-config');
    f.setAssets({
      'main.alloy': alloyConfig('error'),
      FAIL_VALIDATE: 'Error: /etc/alloy/main.alloy:2:3: component "x" does not exist\n',
    });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'alloy validate (localhost/alloy-stub:v1.10.1) rejected the config; alloy-legacy was not touched',
    );
    expect(r.stderr).toContain('Error: /etc/alloy/main.alloy:2:3: component "x" does not exist');
    expect(f.remoteFiles('alloy-legacy-config')).toEqual(filesBefore);
    expect(f.container()).toEqual(before);
    expect(f.containerNames()).toEqual(['alloy-legacy']); // the validation container is gone
    expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
  });

  test('a reload that Alloy accepts but that does not yield the local hash is rolled back', async () => {
    const filesBefore = f.remoteFiles('alloy-legacy-config');
    const hashBefore = (await status()).running.hash;
    f.useConfig({ readyTimeoutSeconds: 2 });
    f.setAssets({ 'main.alloy': alloyConfig('error'), WRONG_HASH: 'the stand-in reports another hash\n' });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /does not run the deployed config: expected alloy_config_hash [0-9a-f]{64}, running 0{64}/,
    );
    expect(r.stderr).toContain('rolled back: the previous config files are back, Alloy reloaded them');
    expect(f.remoteFiles('alloy-legacy-config')).toEqual(filesBefore);
    expect((await status()).running.hash).toBe(hashBefore);
    f.useConfig({});
  });

  test('defect 7: no settings cache; a rootDir with quotes, spaces and $(...) reaches the NAS as a value', async () => {
    // a remote shell that ran the name as code would create `pwned` in the SSH user's home (its working folder)
    const odd = join(f.host.rootDir, 'it\'s a "dir" $(touch pwned) `touch pwned`');
    mkdirSync(odd);
    const { uid, gid } = statSync(f.host.rootDir);
    chownSync(odd, uid, gid);
    const dev = join(f.configDir, 'dev.yaml');
    const doc = parseDocument(readFileSync(dev, 'utf8'));
    doc.setIn(['alloyLegacy', 'target', 'rootDir'], odd);
    writeFileSync(dev, doc.toString());
    try {
      f.host.docker(['rm', '-f', 'alloy-legacy']);
      f.setAssets({ 'main.alloy': alloyConfig('info') });
      const r = await f.cli('deploy');
      expect(r.stderr).not.toContain('legacy-deploy:');
      expect(r.code).toBe(0);
      expect(readFileSync(join(odd, 'alloy-legacy-config', 'main.alloy'), 'utf8')).toBe(alloyConfig('info'));
      expect(f.container()?.binds).toContain(`${odd}/alloy-legacy-config:/etc/alloy:ro`);
      expect(existsSync(join(f.host.dir, 'home', 'pwned'))).toBe(false);
      expect(existsSync(join(f.host.dir, 'cache', 'legacy-deploy'))).toBe(false);
    } finally {
      f.useConfig({});
    }
  });
});
