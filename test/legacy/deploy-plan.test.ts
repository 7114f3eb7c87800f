import type { ContainerSpec } from '../../legacy/deploy/container-spec';
import { containerSpecFor } from '../../legacy/deploy/desired';
import { layoutFor } from '../../legacy/deploy/layout';
import type { ObservedContainer, ObservedState } from '../../legacy/deploy/observed';
import { type DesiredDeploy, fileChanges, planDeploy, planRename } from '../../legacy/deploy/plan';
import { createRenamedContainerScript } from '../../legacy/deploy/scripts';
import { legacyAlloySchema } from '../../lib/config/schema';

const layout = layoutFor('/volume2/docker');
const config = legacyAlloySchema.parse({
  target: { host: 'nas.example.net', user: 'deployer' },
  cloudflare: { zone: 'example.net', cnameTarget: 'home.example.net' },
  unbound: { backend: 'opnsense' },
});
const spec = containerSpecFor(config, 'alloy.example.net', layout);
const files = [
  { name: 'a.alloy', sha256: 'aaa' },
  { name: 'b.alloy', sha256: 'bbb' },
];
const desired: DesiredDeploy = { layout, files, container: spec };

function container(overrides: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: 'c1',
    name: 'alloy-legacy',
    running: true,
    status: 'running',
    image: spec.image,
    startedAt: '2025-01-01T00:00:00Z',
    spec,
    networkMode: 'host',
    restartPolicy: 'always',
    mounts: [],
    env: [],
    cmd: [],
    entrypoint: [],
    user: '',
    labels: {},
    ...overrides,
  };
}

/** A NAS where the desired state is fully deployed; tests change one thing at a time. */
function deployed(overrides: Partial<ObservedState> = {}): ObservedState {
  return {
    now: 1000,
    rootDirExists: true,
    configDir: { exists: true, files: ['a.alloy', 'b.alloy'] },
    manifest: { files: { 'a.alloy': 'aaa', 'b.alloy': 'bbb' } },
    dataDirExists: true,
    previousConfigExists: true,
    old: { configDirExists: false, dataDirExists: false },
    containers: { current: container(), previous: null, old: null },
    containersSource: 'docker',
    imagePresent: true,
    lock: null,
    ...overrides,
  };
}

const kinds = (plan: { actions: readonly { kind: string }[] }) => plan.actions.map((a) => a.kind);

describe('planDeploy (desired vs observed → ordered actions)', () => {
  test('nothing to do when the deployed state matches', () => {
    expect(planDeploy(desired, deployed())).toEqual({ actions: [], blockers: [] });
  });

  test('a fresh NAS gets folders, every file, the image and a new container, in that order', () => {
    const plan = planDeploy(
      desired,
      deployed({
        configDir: { exists: false, files: [] },
        manifest: null,
        dataDirExists: false,
        containers: { current: null, previous: null, old: null },
        imagePresent: false,
      }),
    );
    expect(kinds(plan)).toEqual(['pull-image', 'create-dirs', 'upload-config', 'create-container']);
    expect(plan.actions[1]).toEqual({ kind: 'create-dirs', dirs: [layout.configDir, layout.dataDir] });
    expect(plan.actions[2]).toMatchObject({
      changes: [
        { name: 'a.alloy', change: 'add' },
        { name: 'b.alloy', change: 'add' },
      ],
    });
    expect(plan.actions[3]).toMatchObject({ replaces: false });
  });

  test('a config-only change on a running container reloads and never recreates', () => {
    const plan = planDeploy(desired, deployed({ manifest: { files: { 'a.alloy': 'old', 'b.alloy': 'bbb' } } }));
    expect(kinds(plan)).toEqual(['upload-config', 'reload']);
    expect(plan.actions[0]).toMatchObject({ changes: [{ name: 'a.alloy', change: 'change' }] });
  });

  test('a file deployed before but no longer wanted is removed (and reloaded)', () => {
    const plan = planDeploy(
      desired,
      deployed({ configDir: { exists: true, files: ['a.alloy', 'b.alloy', 'c.alloy'] } }),
    );
    expect(plan.actions[0]).toMatchObject({ changes: [{ name: 'c.alloy', change: 'remove' }] });
    expect(kinds(plan)).toEqual(['upload-config', 'reload']);
  });

  test('a new image version recreates the container, keeping the old one until the new is ready', () => {
    const older: ContainerSpec = { ...spec, image: 'grafana/alloy:v1.9.0' };
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: container({ spec: older }), previous: null, old: null } }),
    );
    expect(kinds(plan)).toEqual(['create-container']);
    expect(plan.actions[0]).toEqual({
      kind: 'create-container',
      replaces: true,
      reasons: [`image grafana/alloy:v1.9.0 → ${spec.image}`],
    });
  });

  test('an image that is not on the NAS yet is pulled before the container is touched', () => {
    const older: ContainerSpec = { ...spec, image: 'grafana/alloy:v1.9.0' };
    const plan = planDeploy(
      desired,
      deployed({ imagePresent: false, containers: { current: container({ spec: older }), previous: null, old: null } }),
    );
    expect(kinds(plan)).toEqual(['pull-image', 'create-container']);
  });

  test('changed mounts, env or args recreate with the differences named', () => {
    const other: ContainerSpec = {
      ...spec,
      binds: spec.binds.filter((b) => !b.includes('/var/log')),
      env: { ALLOY_CENTRAL_OTLP_ENDPOINT: 'old.example.net:4317' },
    };
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: container({ spec: other }), previous: null, old: null } }),
    );
    expect(plan.actions[0]).toMatchObject({ kind: 'create-container', replaces: true });
    const reasons = (plan.actions[0] as { reasons: readonly string[] }).reasons;
    expect(reasons).toContain('mount + /var/log:/mnt/var/log:ro');
    expect(reasons).toContain('env ALLOY_CENTRAL_OTLP_ENDPOINT old.example.net:4317 → alloy.example.net:4317');
  });

  test('a container not created by legacy-deploy (no spec label) is recreated', () => {
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: container({ spec: null }), previous: null, old: null } }),
    );
    expect(plan.actions[0]).toMatchObject({ kind: 'create-container', replaces: true });
  });

  test('a config change together with a recreate uploads and recreates, without a reload', () => {
    const older: ContainerSpec = { ...spec, image: 'grafana/alloy:v1.9.0' };
    const plan = planDeploy(
      desired,
      deployed({ manifest: null, containers: { current: container({ spec: older }), previous: null, old: null } }),
    );
    expect(kinds(plan)).toEqual(['upload-config', 'create-container']);
  });

  test('a stopped container that is otherwise up to date is started', () => {
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: container({ running: false, status: 'exited' }), previous: null, old: null } }),
    );
    expect(kinds(plan)).toEqual(['start-container']);
  });

  test('a recreate interrupted after setting the old container aside is repaired first', () => {
    const previous = container({ name: 'alloy-legacy-previous', running: false, status: 'exited' });
    const plan = planDeploy(desired, deployed({ containers: { current: null, previous, old: null } }));
    expect(kinds(plan)).toEqual(['restore-previous-container', 'start-container']);
  });

  test('a leftover previous container next to a current one is removed first, before a recreate needs its name', () => {
    const previous = container({ name: 'alloy-legacy-previous', running: false });
    const plan = planDeploy(desired, deployed({ containers: { current: container(), previous, old: null } }));
    expect(plan.actions).toEqual([{ kind: 'remove-leftover-container', name: 'alloy-legacy-previous' }]);
    const older: ContainerSpec = { ...spec, image: 'grafana/alloy:v1.9.0' };
    const withRecreate = planDeploy(
      desired,
      deployed({ containers: { current: container({ spec: older }), previous, old: null } }),
    );
    expect(kinds(withRecreate)).toEqual(['remove-leftover-container', 'create-container']);
  });

  test('a missing rootDir blocks deploy and rename, naming the setting', () => {
    const missing = deployed({ rootDirExists: false });
    expect(planDeploy(desired, missing).blockers).toEqual([
      expect.stringContaining('check target.rootDir in dev.yaml'),
    ]);
    expect(planRename(layout, missing).blockers).toEqual([expect.stringContaining('/volume2/docker does not exist')]);
  });

  test('the old layout blocks a deploy until rename has run', () => {
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: null, previous: null, old: container({ name: 'alloy', spec: null }) } }),
    );
    expect(plan.blockers).toEqual([expect.stringContaining('run `legacy-deploy rename` first')]);
  });
});

describe('fileChanges', () => {
  test('without a manifest every remote file counts as changed (its checksum is unknown)', () => {
    expect(fileChanges(files, deployed({ manifest: null }))).toEqual([
      { name: 'a.alloy', change: 'change' },
      { name: 'b.alloy', change: 'change' },
    ]);
  });

  test('a file deleted on the NAS by hand is added back even though the manifest lists it', () => {
    expect(fileChanges(files, deployed({ configDir: { exists: true, files: ['b.alloy'] } }))).toEqual([
      { name: 'a.alloy', change: 'add' },
    ]);
  });
});

describe('planRename (old names → alloy-legacy names, resumable)', () => {
  const oldContainer = container({
    name: 'alloy',
    spec: null,
    image: 'grafana/alloy:v1.8.0',
    mounts: [
      { source: '/volume2/docker/alloy-config', destination: '/etc/alloy', readOnly: true },
      { source: '/volume2/docker/alloy-data', destination: '/var/lib/alloy/data', readOnly: false },
      { source: '/var/run/docker.sock', destination: '/var/run/docker.sock', readOnly: true },
    ],
    env: ['PATH=/bin'],
    cmd: ['run', '/etc/alloy', '--server.http.listen-addr=0.0.0.0:9091'],
    entrypoint: ['/bin/tini', '--', '/bin/alloy'],
    user: '473:473',
    labels: { 'com.example.owner': 'homelab' },
  });
  const oldLayout = (overrides: Partial<ObservedState> = {}) =>
    deployed({
      configDir: { exists: false, files: [] },
      manifest: null,
      dataDirExists: false,
      old: { configDirExists: true, dataDirExists: true },
      containers: { current: null, previous: null, old: oldContainer },
      ...overrides,
    });

  test('from the old layout: stop, move both folders, create the renamed container, start it, remove the old', () => {
    const plan = planRename(layout, oldLayout());
    expect(kinds(plan)).toEqual([
      'stop-container',
      'move-dir',
      'move-dir',
      'create-renamed-container',
      'start-container',
      'remove-container',
    ]);
    expect(plan.actions[1]).toEqual({ kind: 'move-dir', from: layout.old.configDir, to: layout.configDir });
    expect(plan.actions[2]).toEqual({ kind: 'move-dir', from: layout.old.dataDir, to: layout.dataDir });
  });

  test("the renamed container keeps the old one's image, command, env, entrypoint, user and labels, with the mounts' paths renamed", () => {
    const create = planRename(layout, oldLayout()).actions.find((a) => a.kind === 'create-renamed-container');
    expect(create).toEqual({
      kind: 'create-renamed-container',
      container: {
        name: 'alloy-legacy',
        image: 'grafana/alloy:v1.8.0',
        network: 'host',
        restart: 'always',
        binds: [
          '/volume2/docker/alloy-legacy-config:/etc/alloy:ro',
          '/volume2/docker/alloy-legacy-data:/var/lib/alloy/data',
          '/var/run/docker.sock:/var/run/docker.sock:ro',
        ],
        env: ['PATH=/bin'],
        args: ['run', '/etc/alloy', '--server.http.listen-addr=0.0.0.0:9091'],
        entrypoint: ['/bin/tini', '--', '/bin/alloy'],
        user: '473:473',
        labels: { 'com.example.owner': 'homelab' },
      },
    });
  });

  test('docker create gets the first entrypoint word as --entrypoint and the rest before the command', () => {
    const create = planRename(layout, oldLayout()).actions.find((a) => a.kind === 'create-renamed-container');
    if (create?.kind !== 'create-renamed-container') throw new Error('no create action');
    const script = createRenamedContainerScript('/usr/local/bin/docker', create.container);
    expect(script).toContain('--user 473:473 --label com.example.owner=homelab --entrypoint /bin/tini ');
    expect(script).toContain(' grafana/alloy:v1.8.0 -- /bin/alloy run /etc/alloy ');
  });

  test('after a finished rename there is nothing to do', () => {
    expect(planRename(layout, deployed())).toEqual({ actions: [], blockers: [] });
  });

  test('a rename that stopped after moving the config folder resumes with the rest', () => {
    const plan = planRename(
      layout,
      oldLayout({
        configDir: { exists: true, files: ['config.alloy'] },
        old: { configDirExists: false, dataDirExists: true },
        containers: { current: null, previous: null, old: container({ ...oldContainer, running: false }) },
      }),
    );
    expect(kinds(plan)).toEqual(['move-dir', 'create-renamed-container', 'start-container', 'remove-container']);
  });

  test('a rename that stopped after creating alloy-legacy starts it and removes the old container', () => {
    const plan = planRename(
      layout,
      oldLayout({
        configDir: { exists: true, files: [] },
        dataDirExists: true,
        old: { configDirExists: false, dataDirExists: false },
        containers: {
          current: container({ running: false, spec: null }),
          previous: null,
          old: container({ ...oldContainer, running: false }),
        },
      }),
    );
    expect(kinds(plan)).toEqual(['start-container', 'remove-container']);
  });

  test('both the old and the new folder existing is refused: nothing is merged or overwritten', () => {
    const plan = planRename(layout, oldLayout({ dataDirExists: true }));
    expect(plan.actions).toEqual([]);
    expect(plan.blockers).toEqual([expect.stringContaining('both /volume2/docker/alloy-data and')]);
  });
});
