import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startPreRefactorAlloy, writePreRefactorFolders } from '../../legacy/sandbox/pre-refactor';
import { alloyConfig, LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';

/*
 * legacy-deploy rename: the one-time move from container `alloy`, alloy-config and alloy-data to the alloy-legacy
 * names, on a real sshd + podman host seeded with the old layout (the old container running, Alloy-like data).
 */
const describeHost = sshDockerHostAvailable('legacy-deploy rename tests') ? describe : describe.skip;

/** sha256 of every file below `dir`, by relative path. */
function checksums(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** The NAS as it is today (the sandbox's seed, with settings a hand-made container may carry, which rename must keep). */
function seedOldLayout(f: LegacyDeployFixture): Record<string, string> {
  writePreRefactorFolders(f.host, alloyConfig('info'));
  // before the old container writes its own files into the data folder
  const seeded = checksums(f.path('alloy-data'));
  startPreRefactorAlloy(f.host, {
    image: 'localhost/alloy-stub:v1.10.1',
    user: '0:0',
    labels: { 'com.example.owner': 'homelab' },
  });
  return seeded;
}

async function waitReady(f: LegacyDeployFixture): Promise<void> {
  for (let i = 0; i < 100 && (await f.ready()) !== 200; i++) await new Promise((r) => setTimeout(r, 100));
}

/** Every seeded file is still there with the same bytes (the new instance may add its own files). */
function expectSeededDataIntact(f: LegacyDeployFixture, seeded: Record<string, string>): void {
  const now = checksums(f.path('alloy-legacy-data'));
  for (const [file, sum] of Object.entries(seeded)) expect({ file, sum: now[file] }).toEqual({ file, sum });
}

describeHost('legacy-deploy rename from the old layout', () => {
  let f: LegacyDeployFixture;
  let seeded: Record<string, string>;
  let oldId: string | undefined;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1']);
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    seeded = seedOldLayout(f);
    oldId = f.container('alloy')?.id;
    await waitReady(f);
  });
  afterAll(async () => {
    await f?.stop();
  });

  test('plan shows the rename steps and exits 2', async () => {
    const r = await f.cli('plan');
    expect(r.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(r.stdout).toContain('legacy Alloy (rename)');
    expect(r.stdout).toContain(`move ${f.path('alloy-data')} → ${f.path('alloy-legacy-data')}`);
  });

  test('deploy refuses to run over the old layout and names the fix', async () => {
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run `legacy-deploy rename` first');
    expect(f.containerNames()).toEqual(['alloy']);
  });

  test('rename --dry-run changes nothing', async () => {
    const r = await f.cli('rename', ['--dry-run']);
    expect(r.code).toBe(2);
    expect(f.containerNames()).toEqual(['alloy']);
    expect(f.container('alloy')?.running).toBe(true);
    expect(existsSync(f.path('alloy-config'))).toBe(true);
    expect(existsSync(f.path('alloy-legacy-data'))).toBe(false);
  });

  test('rename: alloy-legacy runs from the renamed folders; the data survives byte for byte', async () => {
    const r = await f.cli('rename');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    const c = f.container();
    expect(c?.running).toBe(true);
    expect(c?.image).toBe('localhost/alloy-stub:v1.10.1');
    expect(c?.binds).toContain(`${f.path('alloy-legacy-config')}:/etc/alloy:ro`);
    expect(c?.binds).toContain(`${f.path('alloy-legacy-data')}:/var/lib/alloy/data`);
    expect(c?.user).toBe('0:0');
    expect(c?.labels['com.example.owner']).toBe('homelab');
    expect(c?.entrypoint).toEqual(['/bin/alloy']);
    expect(existsSync(f.path('alloy-config'))).toBe(false);
    expect(existsSync(f.path('alloy-data'))).toBe(false);
    expect(f.remoteFiles('alloy-legacy-config')['config.alloy']).toBe(alloyConfig('info'));
    expectSeededDataIntact(f, seeded);
    // the same data folder, continued: the old start and the new one are both recorded in it
    expect(f.dataFile('starts').trim().split('\n')).toHaveLength(2);
    expect(await f.ready()).toBe(200);
  });

  test('rename run twice: the second run finds nothing to do and touches nothing', async () => {
    const before = f.container();
    expect(before?.id).not.toBe(oldId);
    const r = await f.cli('rename');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no changes');
    expect(f.container()).toEqual(before);
    expectSeededDataIntact(f, seeded);
  });

  test('an old folder reappearing next to the new one is refused, not merged', async () => {
    mkdirSync(f.path('alloy-data'));
    writeFileSync(f.path('alloy-data', 'stray'), 'x');
    const r = await f.cli('rename');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`both ${f.path('alloy-data')} and ${f.path('alloy-legacy-data')} exist`);
    expect(readFileSync(f.path('alloy-data', 'stray'), 'utf8')).toBe('x');
    expectSeededDataIntact(f, seeded);
    rmSync(f.path('alloy-data'), { recursive: true });
  });

  test('deploy after the rename recreates alloy-legacy with its own spec and keeps the data', async () => {
    const r = await f.cli('deploy');
    expect(r.stderr).toContain('was not created by legacy-deploy');
    expect(r.code).toBe(0);
    expect(Object.keys(f.remoteFiles('alloy-legacy-config')).sort()).toEqual(['main.alloy']);
    expectSeededDataIntact(f, seeded);
    expect(await f.ready()).toBe(200);
  });
});

describeHost('legacy-deploy rename resumes a run that stopped half-way', () => {
  let f: LegacyDeployFixture;
  let seeded: Record<string, string>;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1']);
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    seeded = seedOldLayout(f);
    await waitReady(f);
  });
  afterAll(async () => {
    await f?.stop();
  });

  test('after "stop alloy" and "move alloy-config" were done, rename does the rest', async () => {
    // The state a rename leaves when its connection drops after the first move.
    expect(f.host.docker(['stop', 'alloy']).code).toBe(0);
    expect(f.host.docker(['inspect', '--type', 'container', 'alloy']).code).toBe(0);
    renameSync(f.path('alloy-config'), f.path('alloy-legacy-config'));

    const plan = await f.cli('plan');
    expect(plan.stderr).not.toContain('legacy-deploy:');
    expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(plan.stdout).not.toContain('stop container alloy');
    expect(plan.stdout).not.toContain(`move ${f.path('alloy-config')}`);

    const r = await f.cli('rename');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    expect(f.container()?.running).toBe(true);
    expectSeededDataIntact(f, seeded);
    expect(await f.ready()).toBe(200);
  });
});
