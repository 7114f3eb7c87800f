import { readFileSync, writeFileSync } from 'node:fs';
import { alloyConfigHash } from '../../alloy-lint/folder/config-hash';
import { alloyConfig, LegacyDeployFixture, REAL_ALLOY_IMAGE } from '../support/legacy-deploy-fixture';
import { COLD_BUILD_TIMEOUT_MS, realAlloyAvailable } from '../support/real-alloy';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';

/*
 * legacy-deploy against the real Alloy: the image of the release the stacks pin (or, where the Go module proxy does
 * not serve it, the nearest release that builds: test/support/real-alloy.ts), built from the Go module proxy
 * (tools/alloy), in the test host's podman. What the stand-in imitated is proven here on the program itself: the
 * running alloy_config_hash equals the hash legacy-deploy computes, a reload changes it without a restart, a config
 * `alloy validate` accepts but Alloy cannot load is refused by the reload (and, at a recreate, never becomes ready)
 * with the old config still running, a config `alloy validate` refuses never reaches the swap, and the data folder
 * survives reload, recreate and rollback byte for byte. A recreate is forced by a change of the container's settings
 * (resource.serviceName, its environment), since one release is built. The tests run in order on one host.
 */
const describeReal =
  sshDockerHostAvailable('legacy-deploy on the real Alloy') && realAlloyAvailable('legacy-deploy on the real Alloy')
    ? describe
    : describe.skip;

/**
 * Passes `alloy validate` (which decodes arguments but builds nothing: upstream internal/validator) and fails to
 * load: prometheus.exporter.kafka's arguments decode with no kafka_uris, and its Build refuses them ("empty
 * kafka_uris provided", upstream internal/static/integrations/kafka_exporter). alloy-lint accepts it too: nothing
 * in the arguments' types says the list may not be empty.
 */
const LOADS_NEVER = 'prometheus.exporter.kafka "broken" { }\n';

/**
 * Passes alloy-lint (it judges literals, not expressions) and is refused by `alloy validate`, which evaluates the
 * expression while decoding: "unrecognized log level \"2\"".
 */
const VALIDATE_REFUSES = 'logging {\n  level  = 1 + 1\n  format = "logfmt"\n}\n';

describeReal('legacy-deploy on the real Alloy', () => {
  let f: LegacyDeployFixture;
  let release: string;
  beforeAll(async () => {
    const real = await LegacyDeployFixture.startReal();
    f = real;
    release = real.release;
  }, COLD_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await f?.stop();
  });

  /** The config series of the running Alloy's own /metrics. */
  async function runningConfig(): Promise<{ hash: string; lastLoadSuccessful: boolean }> {
    const text = await (await fetch(`http://127.0.0.1:${f.host.httpPort}/metrics`)).text();
    const hash = /^alloy_config_hash\{[^}]*sha256="([0-9a-f]{64})"[^}]*\} 1$/m.exec(text)?.[1];
    const ok = /^alloy_config_last_load_successful (\d)/m.exec(text)?.[1];
    if (!hash || !ok) throw new Error(`no config series in /metrics:\n${text.slice(0, 500)}`);
    return { hash, lastLoadSuccessful: ok === '1' };
  }

  /** The hash Alloy must report for the local assets, as legacy-deploy computes it. */
  function localHash(files: Record<string, string>): string {
    return alloyConfigHash(Object.entries(files).map(([name, content]) => ({ name, content })));
  }

  /** A file in the data folder that Alloy does not write: it must survive every change byte for byte. */
  const WAL_FILE = 'wal-sentinel.bin';
  const walBytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256));

  test('the image runs the release it names: `alloy --version` tells the truth', () => {
    const r = f.host.docker(['run', '--rm', `${REAL_ALLOY_IMAGE}:${release}`, '--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`alloy, version ${release}`);
  });

  test('fresh deploy on the real Alloy: ready, and the running alloy_config_hash is the one legacy-deploy computed', async () => {
    const files = { 'main.alloy': alloyConfig('info') };
    f.setAssets(files);
    const r = await f.cli('deploy');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    expect(f.container()?.image).toBe(`${REAL_ALLOY_IMAGE}:${release}`);
    expect(await f.ready()).toBe(200);
    expect(await runningConfig()).toEqual({ hash: localHash(files), lastLoadSuccessful: true });
    writeFileSync(f.path('alloy-legacy-data', WAL_FILE), walBytes);
  });

  test('config-only change: reloaded without a restart, the running hash follows', async () => {
    const before = f.container();
    const files = { 'main.alloy': alloyConfig('debug'), 'self.alloy': 'prometheus.exporter.self "alloy" { }\n' };
    f.setAssets(files);
    const r = await f.cli('deploy');
    expect(r.code).toBe(0);
    expect(f.container()).toMatchObject({ id: before?.id, startedAt: before?.startedAt });
    expect(await runningConfig()).toEqual({ hash: localHash(files), lastLoadSuccessful: true });
    expect(readFileSync(f.path('alloy-legacy-data', WAL_FILE))).toEqual(walBytes);
  });

  test('a config alloy validate refuses never reaches the swap', async () => {
    const before = {
      files: f.remoteFiles('alloy-legacy-config'),
      container: f.container(),
      running: await runningConfig(),
    };
    f.setAssets({ 'main.alloy': VALIDATE_REFUSES });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `alloy validate (${REAL_ALLOY_IMAGE}:${release}) rejected the config; alloy-legacy was not touched`,
    );
    expect(r.stderr).toContain('unrecognized log level "2"');
    expect(f.remoteFiles('alloy-legacy-config')).toEqual(before.files);
    expect(f.container()).toEqual(before.container);
    expect(await runningConfig()).toEqual(before.running);
  });

  test('a config that validates but cannot load: the reload answers 400, the old config keeps running, rolled back', async () => {
    const before = {
      files: f.remoteFiles('alloy-legacy-config'),
      container: f.container(),
      running: await runningConfig(),
    };
    f.setAssets({ 'main.alloy': alloyConfig('debug'), 'kafka.alloy': LOADS_NEVER });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('reload rejected (HTTP 400');
    expect(r.stderr).toContain('empty kafka_uris provided');
    expect(r.stderr).toContain('previous config files were put back');
    expect(f.remoteFiles('alloy-legacy-config')).toEqual(before.files);
    expect(f.container()).toMatchObject({ id: before.container?.id, startedAt: before.container?.startedAt });
    expect(await f.ready()).toBe(200);
    // Alloy reported the rejected files' hash after the 400: the rollback loads the put-back files again
    expect(await runningConfig()).toEqual(before.running);
    expect(readFileSync(f.path('alloy-legacy-data', WAL_FILE))).toEqual(walBytes);
  });

  test('a settings change recreates the container: ready, hash proven, data folder kept byte for byte', async () => {
    const files = { 'main.alloy': alloyConfig('debug'), 'self.alloy': 'prometheus.exporter.self "alloy" { }\n' };
    f.setAssets(files);
    const before = f.container();
    f.useConfig({ serviceName: 'nas-recreated' });
    const r = await f.cli('deploy');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    const after = f.container();
    expect(after?.id).not.toBe(before?.id);
    expect(after?.env).toContainEqual(expect.stringContaining('service.name=nas-recreated'));
    expect(await runningConfig()).toEqual({ hash: localHash(files), lastLoadSuccessful: true });
    expect(readFileSync(f.path('alloy-legacy-data', WAL_FILE))).toEqual(walBytes);
  });

  test('a recreate whose config cannot load never becomes ready: rolled back to the old container and config', async () => {
    const before = {
      files: f.remoteFiles('alloy-legacy-config'),
      container: f.container(),
      running: await runningConfig(),
    };
    f.useConfig({ serviceName: 'nas-never-ready', readyTimeoutSeconds: 5 });
    f.setAssets({ 'main.alloy': alloyConfig('info'), 'kafka.alloy': LOADS_NEVER });
    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did not become ready within 5 s');
    expect(r.stderr).toContain('rolled back');
    expect(r.stderr).toContain('empty kafka_uris provided'); // from the last log lines of the new container
    expect(f.container()).toMatchObject({
      id: before.container?.id,
      image: `${REAL_ALLOY_IMAGE}:${release}`,
      running: true,
    });
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    expect(f.remoteFiles('alloy-legacy-config')).toEqual(before.files);
    await f.waitReady();
    expect(await runningConfig()).toEqual(before.running);
    expect(readFileSync(f.path('alloy-legacy-data', WAL_FILE))).toEqual(walBytes);
  });

  test('status reads the real /metrics and /-/ready: running hash equals the local one', async () => {
    f.useConfig({ serviceName: 'nas-recreated' });
    f.setAssets({ 'main.alloy': alloyConfig('debug'), 'self.alloy': 'prometheus.exporter.self "alloy" { }\n' });
    const r = await f.cli('status', ['--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.ready).toBe(true);
    expect(s.running).toMatchObject({ same: true, lastLoadSuccessful: true });
  });
});
