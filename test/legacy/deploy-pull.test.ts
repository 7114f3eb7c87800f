import { alloyConfig, LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { sshDockerHostAvailable, type TestRegistry } from '../support/ssh-docker-host';

/*
 * legacy-deploy deploy when the image is not on the NAS yet: `docker pull` over SSH from a real registry (Debian's
 * docker-registry on 127.0.0.1) into the test host's engine. The tests run in order on one host, which starts with
 * alloy-legacy running the local stand-in image v1.10.1.
 */
const describeHost = sshDockerHostAvailable('legacy-deploy pull tests', { registry: true }) ? describe : describe.skip;

describeHost('legacy-deploy deploy pulls a missing image from a registry', () => {
  let f: LegacyDeployFixture;
  let registry: TestRegistry;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1'], { registry: true });
    registry = f.host.registry as TestRegistry;
    f.setAssets({ 'main.alloy': alloyConfig('info') });
    const r = await f.cli('deploy');
    if (r.code !== 0) throw new Error(`baseline deploy failed: ${r.stderr}`);
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** The engine's id of an image, without the `sha256:` prefix; null when the engine does not have it. */
  function localImageId(ref: string): string | null {
    const r = f.host.docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
    return r.code === 0 ? bare(r.stdout) : null;
  }
  const bare = (id: string) => id.trim().replace(/^sha256:/, '');

  /** The layer digests of `<repository>:<tag>` as the registry lists them (asked after the deploy under test). */
  async function registryLayers(tag: string): Promise<string[]> {
    const [address, repo] = registry.repository.split('/');
    const r = await fetch(`http://${address}/v2/${repo}/manifests/${tag}`, {
      headers: {
        accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
  }

  test('a version that is only in the registry is pulled, then alloy-legacy is recreated on it and ready', async () => {
    const imageId = bare(registry.push('v1.12.0'));
    const image = `${registry.repository}:v1.12.0`;
    expect(localImageId(image)).toBeNull(); // the engine must pull it: push() left no local copy
    const before = f.container();
    f.useConfig({ image: registry.repository, version: 'v1.12.0' });

    const plan = await f.cli('plan');
    expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(plan.stdout).toContain(`pull image ${image}`);
    expect(plan.stdout).toContain(`recreate container alloy-legacy: image localhost/alloy-stub:v1.10.1 → ${image}`);
    expect(localImageId(image)).toBeNull(); // plan changes nothing

    const r = await f.cli('deploy');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`done: pull image ${image}`);

    // The engine has the pushed image now, and the registry served its manifest and its layer's bytes.
    expect(localImageId(image)).toBe(imageId);
    const served = registry.requests();
    expect(served).toContain('GET /v2/alloy-stub/manifests/v1.12.0 200');
    for (const layer of await registryLayers('v1.12.0'))
      expect(served).toContain(`GET /v2/alloy-stub/blobs/${layer} 200`);

    // alloy-legacy is a new container running exactly that image.
    const after = f.container();
    expect(after?.id).not.toBe(before?.id);
    expect(after?.image).toBe(image);
    expect(after?.running).toBe(true);
    expect(bare(f.host.docker(['inspect', '--format', '{{.Image}}', 'alloy-legacy']).stdout)).toBe(imageId);
    const release = f.host.docker(['exec', 'alloy-legacy', 'cat', '/etc/alloy-stub-release']);
    expect(release.stdout.trim()).toBe('v1.12.0');
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    expect(await f.ready()).toBe(200);
  });

  test('a re-run finds the image on the NAS: nothing to do, nothing pulled, the registry is not asked', async () => {
    const before = f.container();
    const served = registry.requests().length;
    const plan = await f.cli('plan');
    expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(plan.stdout).not.toContain('pull image');
    const r = await f.cli('deploy');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('up to date');
    expect(r.stderr).not.toContain('pulling');
    expect(registry.requests()).toHaveLength(served);
    expect(f.container()).toEqual(before);
  });

  test('a version the registry does not have: exit 1 naming the image, alloy-legacy and its config untouched', async () => {
    const before = f.container();
    const configBefore = f.remoteFiles('alloy-legacy-config');
    const [starts, loaded] = [f.dataFile('starts'), f.dataFile('loaded-config')];
    const image = `${registry.repository}:v9.9.9`;
    // A config change rides along: it must not be put in place either when the pull fails.
    f.setAssets({ 'main.alloy': alloyConfig('debug') });
    f.useConfig({ image: registry.repository, version: 'v9.9.9' });

    const r = await f.cli('deploy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pulling ${image} failed`);
    expect(r.stderr).toContain('manifest unknown'); // the registry's own answer reaches the user
    expect(r.stderr).toContain('alloy-legacy was not touched');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(registry.requests()).toContain('GET /v2/alloy-stub/manifests/v9.9.9 404');

    expect(f.container()).toEqual(before); // same id, image, start time, mounts, args
    expect(f.containerNames()).toEqual(['alloy-legacy']);
    expect(f.remoteFiles('alloy-legacy-config')).toEqual(configBefore);
    expect(f.dataFile('starts')).toBe(starts);
    expect(f.dataFile('loaded-config')).toBe(loaded);
    expect(localImageId(image)).toBeNull();
    expect(await f.ready()).toBe(200);

    // The lock was released: the next plan runs and still shows the whole change as pending.
    const plan = await f.cli('plan');
    expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    expect(plan.stdout).toContain(`pull image ${image}`);
    expect(plan.stdout).toContain('config file main.alloy (changed)');
  });

  test('once the registry has that version, the same deploy succeeds', async () => {
    const before = f.container();
    const imageId = bare(registry.push('v9.9.9'));
    const r = await f.cli('deploy');
    expect(r.stderr).not.toContain('legacy-deploy:');
    expect(r.code).toBe(0);
    const after = f.container();
    expect(after?.id).not.toBe(before?.id);
    expect(after?.image).toBe(`${registry.repository}:v9.9.9`);
    expect(bare(f.host.docker(['inspect', '--format', '{{.Image}}', 'alloy-legacy']).stdout)).toBe(imageId);
    expect(f.remoteFiles('alloy-legacy-config')['main.alloy']).toBe(alloyConfig('debug'));
    expect(await f.ready()).toBe(200);
  });
});
