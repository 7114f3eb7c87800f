import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { alloyConfig, extraConfig, LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';

/*
 * The NAS side under faults that are not a cut connection (issue #17 §2 and §5, issue #16 §5), on the real sshd +
 * podman test host: a full disk (rootDir on a small tmpfs), a lock folder without a complete owner record, the
 * modes of the folders legacy-deploy creates, and a Docker engine that does not answer.
 */
const describeHost = sshDockerHostAvailable('legacy-deploy NAS fault tests') ? describe : describe.skip;

const mode = (path: string) => statSync(path).mode & 0o777;

describeHost('legacy-deploy on the NAS: full disk, incomplete lock, modes, no engine', () => {
  let f: LegacyDeployFixture;
  let mounted = false;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1']);
    // rootDir on a 2 MiB tmpfs, owned by the SSH user as before
    const { uid, gid } = statSync(f.host.rootDir);
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0755', 'tmpfs', f.host.rootDir]);
    if (r.status !== 0) throw new Error(`mount tmpfs: ${r.stderr}`);
    mounted = true;
    chownSync(f.host.rootDir, uid, gid);
  });
  afterAll(async () => {
    for (const name of ['alloy-legacy', 'alloy-legacy-previous', 'alloy-legacy-validate'])
      f?.host.docker(['rm', '-f', name]);
    if (mounted) spawnSync('umount', ['-l', f.host.rootDir]);
    await f?.stop();
  });

  const filler = () => f.path('filler');
  /** Fills the NAS's disk until `leaveBytes` are left (a file written until ENOSPC, then cut back). */
  function fill(leaveBytes: number): void {
    spawnSync('dd', ['if=/dev/zero', `of=${filler()}`, 'bs=4096', 'status=none']);
    const size = statSync(filler()).size;
    spawnSync('truncate', ['-s', String(Math.max(0, size - leaveBytes)), filler()]);
  }
  const unfill = () => rmSync(filler(), { force: true });

  async function fresh(files: Record<string, string>): Promise<void> {
    unfill();
    for (const name of ['alloy-legacy', 'alloy-legacy-previous']) f.host.docker(['rm', '-f', name]);
    for (const d of [
      'alloy-legacy-config',
      'alloy-legacy-config.previous',
      'alloy-legacy-data',
      '.alloy-legacy.lock',
    ]) {
      rmSync(f.path(d), { recursive: true, force: true });
    }
    f.useConfig({ version: 'v1.10.1' });
    f.setAssets(files);
    const r = await f.cli('deploy');
    if (r.code !== 0) throw new Error(`deploy failed: ${r.stderr}`);
  }

  test('§2: a full disk while taking the lock says so and leaves no lock; freed, the next run deploys', async () => {
    await fresh({ 'main.alloy': alloyConfig('info') });
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    fill(0);
    const full = await f.cli('deploy');
    expect(full.stderr).toMatch(/could not take the lock .*no space left on the NAS/);
    expect(full.code).toBe(1);
    expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
    unfill();
    const next = await f.cli('deploy');
    expect(next.stderr).not.toContain('legacy-deploy:');
    expect(next.code).toBe(0);
  });

  test('§2: a lock folder without a complete owner record is stale: taken over, saying so', async () => {
    await fresh({ 'main.alloy': alloyConfig('info') });
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    // what a run that hit a full disk while writing its owner record used to leave: the folder, an empty record
    const { uid, gid } = statSync(f.host.rootDir);
    mkdirSync(f.path('.alloy-legacy.lock'));
    writeFileSync(f.path('.alloy-legacy.lock', 'owner'), '');
    chownSync(f.path('.alloy-legacy.lock'), uid, gid);
    chownSync(f.path('.alloy-legacy.lock', 'owner'), uid, gid);
    const r = await f.cli('deploy');
    expect(r.stderr).toMatch(/took over a lock without a complete owner record/);
    expect(r.code).toBe(0);
    expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
  });

  test('§2: no space to keep the current config in .previous: the failed step and why, the config in use untouched', async () => {
    // the running config is big (600 KB), the new one small: staging fits, a copy of the current one does not
    const big = `${alloyConfig('info')}${`// ${'x'.repeat(76)}\n`.repeat(7700)}`;
    await fresh({ 'main.alloy': big });
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    fill(200 * 1024);
    const r = await f.cli('deploy');
    unfill();
    expect(r.stderr).toMatch(
      /swap the files into .* failed at keeping the current config in .*alloy-legacy-config\.previous: no space left on the NAS/,
    );
    expect(r.stderr).not.toContain('got no answer');
    expect(r.code).toBe(1);
    expect(f.remoteFiles('alloy-legacy-config')).toEqual({ 'main.alloy': big });
    expect(await f.ready()).toBe(200);
    expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
    // with space again, the change goes through
    expect((await f.cli('deploy')).code).toBe(0);
  });

  test('§2: no space to stage the new config: the step and why; the lock released, the config in use untouched', async () => {
    await fresh({ 'main.alloy': alloyConfig('info') });
    const big = `${alloyConfig('debug')}${`// ${'y'.repeat(76)}\n`.repeat(7700)}`;
    f.setAssets({ 'main.alloy': big });
    fill(64 * 1024);
    const r = await f.cli('deploy');
    unfill();
    expect(r.stderr).toMatch(/stage the config in .* failed: no space left on the NAS/);
    expect(r.code).toBe(1);
    expect(f.remoteFiles('alloy-legacy-config')).toEqual({ 'main.alloy': alloyConfig('info') });
    expect(await f.ready()).toBe(200);
    expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
  });

  test('#16 §5: the lock folder and the previous config are 0700; staging stays readable to the container user through its mount', async () => {
    await fresh({ 'main.alloy': alloyConfig('info'), 'extra.alloy': extraConfig() });
    f.setAssets({ 'main.alloy': alloyConfig('debug'), 'extra.alloy': extraConfig() });
    // cut after stage: the lock folder stays with the staged config in it
    const cut = await f.cli('deploy', [], { env: { LEGACY_DEPLOY_TEST_STOP_AFTER_STEP: '1' } });
    expect(cut.code).toBe(1);
    const lock = f.path('.alloy-legacy.lock');
    expect(mode(lock)).toBe(0o700);
    expect(mode(f.path('.alloy-legacy.lock', 'owner'))).toBe(0o600);
    expect(mode(f.path('.alloy-legacy.lock', 'staging', 'main.alloy'))).toBe(0o644);
    // the real Alloy image runs as uid 473: the staged folder, mounted as /etc/alloy, must be readable by it (a
    // bind mount is reached without the 0700 lock folder above it)
    const staged = f.host.docker([
      'run',
      '--rm',
      '--user',
      '473',
      '--network',
      'none',
      '-v',
      `${f.path('.alloy-legacy.lock', 'staging')}:/etc/alloy:ro`,
      '--entrypoint',
      '/bin/cat',
      'localhost/alloy-stub:v1.10.1',
      '/etc/alloy/main.alloy',
    ]);
    expect(staged.stderr).toBe('');
    expect(staged.stdout).toBe(alloyConfig('debug'));
    const next = await f.cli('deploy');
    expect(next.code).toBe(0);
    expect(mode(f.path('alloy-legacy-config.previous'))).toBe(0o700);
    expect(mode(f.path('alloy-legacy-config.previous', 'main.alloy'))).toBe(0o644);
    // the config Alloy runs from stays readable to uid 473
    const running = f.host.docker([
      'run',
      '--rm',
      '--user',
      '473',
      '--network',
      'none',
      '-v',
      `${f.path('alloy-legacy-config')}:/etc/alloy:ro`,
      '--entrypoint',
      '/bin/cat',
      'localhost/alloy-stub:v1.10.1',
      '/etc/alloy/main.alloy',
    ]);
    expect(running.stdout).toBe(alloyConfig('debug'));
  });

  test.each([
    ['a wrong dockerPath', '/usr/bin/no-such-docker'],
    ['an engine that does not answer', 'unreachable'],
  ])(
    '§5: %s is said: status exits non-zero naming it, plan is unchecked (exit 4), deploy refuses',
    async (_name, which) => {
      await fresh({ 'main.alloy': alloyConfig('info') });
      const dockerPath = which === 'unreachable' ? f.host.dockerPath : which;
      // an unreachable engine: the docker CLI pointed at a socket nothing listens on
      const wrapper = f.path('docker-unreachable');
      if (which === 'unreachable') {
        writeFileSync(wrapper, `#!/bin/sh\nDOCKER_HOST=unix://${f.path('nothing.sock')} exec ${dockerPath} "$@"\n`, {
          mode: 0o755,
        });
      }
      f.useConfig({ version: 'v1.10.1', dockerPath: which === 'unreachable' ? wrapper : dockerPath });
      try {
        const status = await f.cli('status');
        expect(status.stderr).toMatch(/the Docker engine on the NAS did not answer through /);
        expect(status.stdout).not.toContain('does not exist');
        expect(status.code).toBe(1);
        const plan = await f.cli('deploy', ['--dry-run']);
        expect(plan.stdout).toContain('not checked');
        expect(plan.stdout).not.toMatch(/create container/);
        expect(plan.code).toBe(4);
        const deploy = await f.cli('deploy');
        expect(deploy.stderr).toMatch(/the Docker engine on the NAS did not answer/);
        expect(deploy.code).toBe(1);
        expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
      } finally {
        f.useConfig({ version: 'v1.10.1' });
        rmSync(wrapper, { force: true });
      }
    },
  );
});
