import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProdStack } from '../../lib/config/load';
import { alloyConfig, extraConfig, LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';

/*
 * legacy-deploy deploy/plan/status against a real sshd + podman test host with the stand-in Alloy image. The tests
 * run in order on one host: each starts from the state the previous one left (fresh → no-op → config change → ...).
 */
const describeHost = sshDockerHostAvailable('legacy-deploy deploy tests') ? describe : describe.skip;

describeHost('legacy-deploy deploy on a real SSH + Docker-API host', () => {
  let f: LegacyDeployFixture;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start();
  });
  afterAll(async () => {
    await f?.stop();
  });

  test('plan on a fresh NAS lists folders, files and the new container, and exits 2', async () => {
    f.setAssets({ 'main.alloy': alloyConfig('info'), 'extra.alloy': extraConfig() });
    const r = await f.cli('plan');
    expect(r.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(r.stdout).toContain(`create folder ${f.path('alloy-legacy-config')}`);
    expect(r.stdout).toContain('config file main.alloy (added)');
    expect(r.stdout).toContain('create container alloy-legacy');
    expect(f.containerNames()).toEqual([]);
  });

  test('deploy --dry-run prints the plan and changes nothing', async () => {
    const r = await f.cli('deploy', ['--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('create container alloy-legacy');
    expect(f.containerNames()).toEqual([]);
    expect(f.remoteFiles('.')).toEqual({});
  });

  test('a config the Alloy linter rejects is refused before anything on the NAS changes', async () => {
    f.setAssets({ 'main.alloy': alloyConfig('info'), 'extra.alloy': alloyConfig('warn') });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not pass the Alloy linter');
    expect(r.stderr).toMatch(/extra\.alloy:\d+:\d+|main\.alloy:\d+:\d+/);
    expect(f.containerNames()).toEqual([]);
    expect(f.remoteFiles('.')).toEqual({});
    f.setAssets({ 'main.alloy': alloyConfig('info'), 'extra.alloy': extraConfig() });
  });

  test('an env var the container does not get is a warning, not a refusal; the ones it gets go unmentioned', async () => {
    f.setAssets({
      'main.alloy': alloyConfig('info'),
      'extra.alloy':
        'otelcol.exporter.otlp "x" {\n  client {\n    endpoint = sys.env("ALLOY_CENTRAL_OTLP_ENDPOINT")\n' +
        '    headers  = {"x-extra" = sys.env("NOT_PROVIDED")}\n  }\n}\n',
    });
    try {
      const r = await f.cli('deploy', ['--dry-run']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('sys.env("NOT_PROVIDED") is read, but the alloy-legacy container does not set it');
      expect(r.stderr).not.toContain('ALLOY_CENTRAL_OTLP_ENDPOINT');
      expect(f.containerNames()).toEqual([]);
    } finally {
      f.setAssets({ 'main.alloy': alloyConfig('info'), 'extra.alloy': extraConfig() });
    }
  });

  test('fresh deploy: uploads the files, runs alloy-legacy with the agreed image, mounts, args and env, ready', async () => {
    const r = await f.cli('deploy');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    const c = f.container();
    expect(c).not.toBeNull();
    expect(c?.running).toBe(true);
    expect(c?.image).toBe('localhost/alloy-stub:v1.10.1');
    expect(c?.network).toBe('host');
    expect(c?.restart).toBe('always');
    const hp = f.host.hostPaths;
    expect(c?.binds.sort()).toEqual(
      [
        `${f.path('alloy-legacy-config')}:/etc/alloy:ro`,
        `${f.path('alloy-legacy-data')}:/var/lib/alloy/data`,
        `${hp.dockerSocket}:/var/run/docker.sock:ro`,
        `${hp.varLog}:/mnt/var/log:ro`,
        `${hp.proc}:/host/proc:ro`,
        `${hp.sys}:/host/sys:ro`,
        `${hp.root}:/host/root:ro`,
      ].sort(),
    );
    expect(c?.args).toEqual([
      'run',
      '/etc/alloy',
      `--server.http.listen-addr=0.0.0.0:${f.host.httpPort}`,
      '--storage.path=/var/lib/alloy/data',
      '--disable-reporting',
    ]);
    // The central endpoint comes from prod.yaml's alloy.hostname, the one source of truth.
    const central = loadProdStack(`${f.configDir}/prod.yaml`).alloy.hostname;
    expect(c?.env).toContain(`ALLOY_CENTRAL_OTLP_ENDPOINT=${central}:4317`);
    expect(f.dataFile('central-endpoint').trim()).toBe(`${central}:4317`);
    const files = f.remoteFiles('alloy-legacy-config');
    expect(files['main.alloy']).toBe(alloyConfig('info'));
    expect(files['extra.alloy']).toBe(extraConfig());
    expect(await f.ready()).toBe(200);
    expect(f.dataFile('starts').trim().split('\n')).toHaveLength(1);
  });

  test('no-op redeploy: one SSH connection, two remote commands (lock + observe, release), nothing uploaded', async () => {
    const before = f.container();
    const logins = f.host.acceptedLogins();
    const r = await f.cli('deploy', [], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('up to date');
    const json = await f.cli('deploy', ['--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).stats).toEqual({ connections: 1, commands: 2, bytesUploaded: 0 });
    expect(f.host.acceptedLogins() - logins).toBe(2); // one per run, as sshd itself counts them
    expect(f.container()).toEqual(before);
  });

  test('plan with nothing to do on the NAS says so', async () => {
    const r = await f.cli('plan');
    expect(r.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(r.stdout).toContain('no changes');
  });

  test('config-only change: files replaced and Alloy reloaded, the container is not restarted', async () => {
    const before = f.container();
    const loadedBefore = f.dataFile('loaded-config');
    f.setAssets({ 'main.alloy': alloyConfig('debug'), 'extra.alloy': extraConfig() });
    const plan = await f.cli('plan');
    expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(plan.stdout).toContain('config file main.alloy (changed)');
    expect(plan.stdout).toContain('and reload (POST /-/reload, no restart)');
    const r = await f.cli('deploy', ['--json']);
    expect(r.code).toBe(0);
    // one connection, two execs: lock + observe, then stage + validate + swap + reload + verify + release
    expect(JSON.parse(r.stdout).stats).toMatchObject({ connections: 1, commands: 2 });
    const after = f.container();
    expect(after?.id).toBe(before?.id);
    expect(after?.startedAt).toBe(before?.startedAt);
    expect(f.dataFile('starts').trim().split('\n')).toHaveLength(1);
    expect(f.dataFile('reloads').trim().split('\n')).toHaveLength(1);
    expect(f.remoteFiles('alloy-legacy-config')['main.alloy']).toBe(alloyConfig('debug'));
    expect(f.dataFile('loaded-config')).not.toBe(loadedBefore);
    // the replaced config is kept for rollback
    expect(f.remoteFiles('alloy-legacy-config.previous')['main.alloy']).toBe(alloyConfig('info'));
  });

  test('a removed file is deleted on the NAS and Alloy reloaded', async () => {
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    const r = await f.cli('deploy');
    expect(r.code).toBe(0);
    expect(Object.keys(f.remoteFiles('alloy-legacy-config')).sort()).toEqual(['main.alloy']);
    expect(f.dataFile('reloads').trim().split('\n')).toHaveLength(2);
  });

  test('rejected reload (HTTP 400): exit 1 with the reason, old files put back, Alloy keeps the old config', async () => {
    const before = f.container();
    const loadedBefore = f.dataFile('loaded-config');
    f.setAssets({ 'main.alloy': alloyConfig('error'), FAIL_RELOAD: 'the stand-in rejects reloads\n' });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('reload rejected (HTTP 400');
    expect(r.stderr).not.toContain('@@'); // issue #10, defect 13: no framing marker of the remote script in a message
    expect(r.stderr).toContain('previous config files were put back');
    const files = f.remoteFiles('alloy-legacy-config');
    expect(files['main.alloy']).toBe(alloyConfig('debug'));
    expect(files.FAIL_RELOAD).toBeUndefined();
    expect(f.container()?.id).toBe(before?.id);
    expect(f.dataFile('loaded-config')).toBe(loadedBefore);
    // and a later plan still sees the change as pending: it compares the files that are there
    expect((await f.cli('plan')).code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
  });

  test('version change: the container is recreated on the new image; data folder kept', async () => {
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    const before = f.container();
    f.useConfig({ version: 'v1.11.0' });
    const plan = await f.cli('plan');
    expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(plan.stdout).toContain(
      'recreate container alloy-legacy: image localhost/alloy-stub:v1.10.1 → localhost/alloy-stub:v1.11.0',
    );
    const r = await f.cli('deploy');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    const after = f.container();
    expect(after?.id).not.toBe(before?.id);
    expect(after?.image).toBe('localhost/alloy-stub:v1.11.0');
    expect(after?.running).toBe(true);
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    expect(f.dataFile('starts').trim().split('\n')).toHaveLength(2);
    expect(await f.ready()).toBe(200);
  });

  test('failed health check after a recreate rolls back to the previous config and container', async () => {
    const before = f.container();
    f.useConfig({ version: 'v1.10.1', readyTimeoutSeconds: 2 });
    f.setAssets({ 'main.alloy': alloyConfig('info'), FAIL_READY: 'never ready\n' });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not become ready within 2 s');
    expect(r.stderr).toContain(
      'rolled back: the previous config files are back, the previous container runs again, it is ready',
    );
    expect(r.stderr).toContain('last log lines of alloy-legacy:');
    expect(r.stderr).toContain('alloy-stub: listening on');
    const after = f.container();
    expect(after?.id).toBe(before?.id);
    expect(after?.image).toBe('localhost/alloy-stub:v1.11.0');
    expect(after?.running).toBe(true);
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    const files = f.remoteFiles('alloy-legacy-config');
    expect(files['main.alloy']).toBe(alloyConfig('debug'));
    expect(files.FAIL_READY).toBeUndefined();
    expect(await f.ready()).toBe(200);
  });

  test('a container left aside by an interrupted recreate is removed once the current one is confirmed ready', async () => {
    f.useConfig({ version: 'v1.11.0' });
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    const current = f.container();
    expect(
      f.host.docker(['create', '--name', 'alloy-legacy-previous', 'localhost/alloy-stub:v1.10.1', 'run']).code,
    ).toBe(0);
    const plan = await f.cli('plan');
    expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(plan.stdout).toContain('alloy-legacy was created by a run that did not finish');
    expect(plan.stdout).toContain('remove container alloy-legacy-previous');
    const r = await f.cli('deploy');
    expect(r.code).toBe(0);
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    expect(f.container()).toEqual(current);
  });

  test('failed health check after starting a stopped container: stopped again, previous config files put back', async () => {
    f.useConfig({ version: 'v1.11.0', readyTimeoutSeconds: 2 });
    expect(f.host.docker(['stop', 'alloy-legacy']).code).toBe(0);
    const before = f.container();
    expect(before?.running).toBe(false);
    const configBefore = remoteBytes('alloy-legacy-config');
    f.setAssets({ 'main.alloy': alloyConfig('warn'), FAIL_READY: 'never ready\n' });
    const plan = await f.cli('plan');
    expect(plan.stdout).toContain('start container alloy-legacy');
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not become ready within 2 s');
    expect(r.stderr).toContain(
      'rolled back: alloy-legacy is stopped again, as it was, the previous config files are back',
    );
    expect(r.stderr).toContain('last log lines of alloy-legacy:');
    const after = f.container();
    expect(after?.id).toBe(before?.id);
    expect(after?.running).toBe(false);
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    // byte for byte: the next plan sees exactly the state before this run
    expect(remoteBytes('alloy-legacy-config')).toEqual(configBefore);

    // and a good config starts it again
    f.useConfig({ version: 'v1.11.0' });
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    const next = await f.cli('deploy');
    expect(next.code).toBe(0);
    expect(f.container()?.running).toBe(true);
    expect(await f.ready()).toBe(200);
  });

  /** The files of a folder on the "NAS" as raw bytes, dot-files included. */
  function remoteBytes(dir: string): Record<string, Buffer> {
    const full = f.path(dir);
    return Object.fromEntries(readdirSync(full).map((n) => [n, readFileSync(join(full, n))]));
  }

  test('status shows state, image, uptime, readiness and deployed vs local config checksum', async () => {
    f.useConfig({ version: 'v1.11.0' });
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    const same = await f.cli('status', ['--json']);
    expect(same.code).toBe(0);
    const s = JSON.parse(same.stdout);
    expect(s.container).toMatchObject({
      name: 'alloy-legacy',
      state: 'running',
      image: 'localhost/alloy-stub:v1.11.0',
    });
    expect(s.container.uptime).toMatch(/^\d+m \d+s$/);
    expect(s.ready).toBe(true);
    expect(s.config.upToDate).toBe(true);
    f.setAssets({ 'main.alloy': alloyConfig('warn') });
    const differs = await f.cli('status');
    expect(differs.code).toBe(0);
    expect(differs.stdout).toMatch(
      /files {7}on the NAS [0-9a-f]{16} \/ local [0-9a-f]{16} \(differs: main\.alloy changed\)/,
    );
    expect(differs.stdout).toMatch(/running {5}alloy_config_hash [0-9a-f]{12} \/ local [0-9a-f]{12} \(differs\)/);
    expect(s.running).toMatchObject({ same: true, lastLoadSuccessful: true });
    expect(differs.stdout).toContain('ready       yes');
  });

  test('NO_COLOR and a non-TTY give plain output; --json is valid JSON on stdout only', async () => {
    const r = await f.cli('plan', ['--json']);
    expect(r.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    const parsed = JSON.parse(r.stdout);
    expect(parsed.changes).toBe(true);
    expect(parsed.sections[0].items).toContainEqual({ mark: '~', text: '   config file main.alloy (changed)' });
    expect(r.stdout + r.stderr).not.toContain(String.fromCharCode(27));
  });

  test('a container stopped by hand is seen (docker is asked every run) and started again', async () => {
    expect((await f.cli('deploy')).code).toBe(0); // the status test above left a local change
    expect(f.host.docker(['stop', 'alloy-legacy']).code).toBe(0);
    const plan = await f.cli('deploy', ['--dry-run', '--json']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('start container alloy-legacy');
    const r = await f.cli('deploy');
    expect(r.code).toBe(0);
    expect(f.container()?.running).toBe(true);
    await f.waitReady();
  });
});
