import { createRenamedArgs } from '../../legacy/deploy/apply-rename';
import type { ContainerSpec } from '../../legacy/deploy/container-spec';
import { containerSpecFor } from '../../legacy/deploy/desired';
import { layoutFor } from '../../legacy/deploy/layout';
import type { ObservedContainer, ObservedState } from '../../legacy/deploy/observed';
import { type DesiredDeploy, desiredConfigHash, fileChanges, planDeploy, planRename } from '../../legacy/deploy/plan';
import { legacyAlloySchema } from '../../lib/config/schema';

const layout = layoutFor('/volume2/docker');
const config = legacyAlloySchema.parse({
  target: { host: 'nas.example.net', user: 'deployer' },
  cloudflare: { zone: 'example.net', cnameTarget: 'home.example.net' },
  unbound: { backend: 'opnsense' },
});
const spec = containerSpecFor(config, 'alloy.example.net', layout);
const files = [
  { name: 'a.alloy', sha256: 'aaa', content: Buffer.from('a') },
  { name: 'b.alloy', sha256: 'bbb', content: Buffer.from('b') },
];
const desired: DesiredDeploy = { layout, files, container: spec };
const hash = desiredConfigHash(files);

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

/** A NAS where the desired state is fully deployed and runs; tests change one thing at a time. */
function deployed(overrides: Partial<ObservedState> = {}): ObservedState {
  return {
    now: 1000,
    rootDirExists: true,
    configDir: {
      exists: true,
      files: [
        { name: 'a.alloy', sha256: 'aaa' },
        { name: 'b.alloy', sha256: 'bbb' },
      ],
    },
    dataDirExists: true,
    previousConfigExists: true,
    old: { configDirExists: false, dataDirExists: false },
    containers: { current: container(), previous: null, old: null },
    engineProblem: null,
    imagePresent: true,
    lock: null,
    ready: 200,
    running: { sha256: hash, lastLoadSuccessful: true },
    ...overrides,
  };
}

const kinds = (plan: { steps: readonly { kind: string }[] }) => plan.steps.map((a) => a.kind);
const older: ContainerSpec = { ...spec, image: 'grafana/alloy:v1.9.0' };
const proof = ['wait-ready', 'verify-hash'];

describe('planDeploy (desired vs observed → the steps the executor runs, in order)', () => {
  test('nothing to do when the files are there, the container matches and Alloy runs their hash', () => {
    expect(planDeploy(desired, deployed())).toEqual({ steps: [], blockers: [], desiredHash: hash });
  });

  test('a fresh NAS: image, folders, stage, validate, create, then the proof', () => {
    const plan = planDeploy(
      desired,
      deployed({
        configDir: { exists: false, files: [] },
        dataDirExists: false,
        containers: { current: null, previous: null, old: null },
        imagePresent: false,
        ready: null,
        running: { sha256: null, lastLoadSuccessful: null },
      }),
    );
    expect(kinds(plan)).toEqual(['pull', 'make-dirs', 'stage', 'validate', 'swap-and-recreate', ...proof]);
    expect(plan.steps[1]).toEqual({ kind: 'make-dirs', dirs: [layout.configDir, layout.dataDir] });
    expect(plan.steps[2]).toMatchObject({
      changes: [
        { name: 'a.alloy', change: 'add' },
        { name: 'b.alloy', change: 'add' },
      ],
    });
    expect(plan.steps[3]).toEqual({ kind: 'validate', image: spec.image });
    expect(plan.steps[4]).toMatchObject({ replaces: false });
    expect(plan.steps[6]).toEqual({ kind: 'verify-hash', sha256: hash });
  });

  test('a config-only change on a running container is validated, swapped in and reloaded, never recreated', () => {
    const plan = planDeploy(
      desired,
      deployed({
        configDir: {
          exists: true,
          files: [
            { name: 'a.alloy', sha256: 'old' },
            { name: 'b.alloy', sha256: 'bbb' },
          ],
        },
      }),
    );
    expect(kinds(plan)).toEqual(['stage', 'validate', 'swap-and-reload', 'verify-hash']);
    expect(plan.steps[0]).toMatchObject({ changes: [{ name: 'a.alloy', change: 'change' }] });
  });

  test('a file edited on the NAS by hand is a change: the files are compared, not a manifest (defect 4)', () => {
    const edited = deployed({
      configDir: {
        exists: true,
        files: [
          { name: 'a.alloy', sha256: 'edited' },
          { name: 'b.alloy', sha256: 'bbb' },
        ],
      },
    });
    expect(kinds(planDeploy(desired, edited))).toEqual(['stage', 'validate', 'swap-and-reload', 'verify-hash']);
  });

  test('a file there but no longer wanted is removed (and reloaded)', () => {
    const plan = planDeploy(
      desired,
      deployed({
        configDir: { exists: true, files: [...deployed().configDir.files, { name: 'c.alloy', sha256: 'ccc' }] },
      }),
    );
    expect(plan.steps[0]).toMatchObject({ changes: [{ name: 'c.alloy', change: 'remove' }] });
    expect(kinds(plan)).toEqual(['stage', 'validate', 'swap-and-reload', 'verify-hash']);
  });

  test('files in place but Alloy runs another config (a run cut off before its reload): reload and verify', () => {
    const plan = planDeploy(desired, deployed({ running: { sha256: 'f'.repeat(64), lastLoadSuccessful: true } }));
    expect(kinds(plan)).toEqual(['reload', 'verify-hash']);
  });

  test('an Alloy that does not report its hash is not reloaded on every run', () => {
    expect(planDeploy(desired, deployed({ running: { sha256: null, lastLoadSuccessful: null } })).steps).toEqual([]);
  });

  test('a new image version: the new image validates the config, the old container is kept aside until proven', () => {
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: container({ spec: older }), previous: null, old: null } }),
    );
    expect(kinds(plan)).toEqual(['stage', 'validate', 'set-aside', 'swap-and-recreate', ...proof, 'remove-previous']);
    expect(plan.steps[3]).toEqual({
      kind: 'swap-and-recreate',
      replaces: true,
      reasons: [`image grafana/alloy:v1.9.0 → ${spec.image}`],
    });
  });

  test('an image that is not on the NAS yet is pulled before anything else', () => {
    const plan = planDeploy(
      desired,
      deployed({ imagePresent: false, containers: { current: container({ spec: older }), previous: null, old: null } }),
    );
    expect(kinds(plan)[0]).toBe('pull');
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
    const recreate = plan.steps.find((s) => s.kind === 'swap-and-recreate');
    expect(recreate).toMatchObject({ replaces: true });
    const reasons = (recreate as { reasons: readonly string[] }).reasons;
    expect(reasons).toContain('mount + /var/log:/mnt/var/log:ro');
    expect(reasons).toContain('env ALLOY_CENTRAL_OTLP_ENDPOINT old.example.net:4317 → alloy.example.net:4317');
  });

  test('a container not created by legacy-deploy (no spec label) is recreated', () => {
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: container({ spec: null }), previous: null, old: null } }),
    );
    expect(plan.steps.find((s) => s.kind === 'swap-and-recreate')).toMatchObject({ replaces: true });
  });

  test('a config change together with a recreate swaps with the recreate, without a reload', () => {
    const plan = planDeploy(
      desired,
      deployed({
        configDir: { exists: true, files: [] },
        containers: { current: container({ spec: older }), previous: null, old: null },
      }),
    );
    expect(kinds(plan)).not.toContain('swap-and-reload');
    expect(kinds(plan)).toContain('swap-and-recreate');
  });

  test('a stopped container that is otherwise up to date: validated, started, proven', () => {
    const plan = planDeploy(
      desired,
      deployed({ containers: { current: container({ running: false, status: 'exited' }), previous: null, old: null } }),
    );
    expect(kinds(plan)).toEqual(['stage', 'validate', 'swap-and-start', ...proof]);
  });

  test('a recreate cut off after setting the old container aside: it is restored first, then proven', () => {
    const previous = container({ name: 'alloy-legacy-previous', running: false, status: 'exited' });
    const plan = planDeploy(desired, deployed({ containers: { current: null, previous, old: null } }));
    expect(kinds(plan)).toEqual(['restore', ...proof]);
  });

  test('a container kept aside next to an unproven new one: the new one is proven before the old one goes', () => {
    const previous = container({ name: 'alloy-legacy-previous', running: false });
    const plan = planDeploy(desired, deployed({ containers: { current: container(), previous, old: null } }));
    expect(kinds(plan)).toEqual(['wait-ready', 'verify-hash', 'remove-previous']);
    const withRecreate = planDeploy(
      desired,
      deployed({ containers: { current: container({ spec: older }), previous, old: null } }),
    );
    expect(kinds(withRecreate).slice(0, 2)).toEqual(['wait-ready', 'remove-previous']);
    expect(kinds(withRecreate)).toContain('set-aside');
  });

  test('a running container that is not ready is waited for (and nothing else is touched)', () => {
    expect(kinds(planDeploy(desired, deployed({ ready: 503 })))).toEqual(['wait-ready']);
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
    expect(plan.steps).toEqual([]);
  });
});

describe('fileChanges (by the hashes of the files that are there)', () => {
  test('a file deleted on the NAS by hand is added back', () => {
    expect(fileChanges(files, [{ name: 'b.alloy', sha256: 'bbb' }])).toEqual([{ name: 'a.alloy', change: 'add' }]);
  });

  test('a file of another content is changed, an extra one removed', () => {
    expect(
      fileChanges(files, [
        { name: 'a.alloy', sha256: 'x' },
        { name: 'b.alloy', sha256: 'bbb' },
        { name: '.legacy-deploy-manifest.json', sha256: 'm' },
      ]),
    ).toEqual([
      { name: 'a.alloy', change: 'change' },
      { name: '.legacy-deploy-manifest.json', change: 'remove' },
    ]);
  });
});

const renameKinds = (plan: { actions: readonly { kind: string }[] }) => plan.actions.map((a) => a.kind);

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
      dataDirExists: false,
      old: { configDirExists: true, dataDirExists: true },
      containers: { current: null, previous: null, old: oldContainer },
      ...overrides,
    });

  test('from the old layout: stop, move both folders, create the renamed container, start it, remove the old', () => {
    const plan = planRename(layout, oldLayout());
    expect(renameKinds(plan)).toEqual([
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
    const args = createRenamedArgs(create.container).join(' ');
    expect(args).toContain('--user 473:473 --label com.example.owner=homelab --entrypoint /bin/tini ');
    expect(args).toContain(' grafana/alloy:v1.8.0 -- /bin/alloy run /etc/alloy ');
  });

  test('after a finished rename there is nothing to do', () => {
    expect(planRename(layout, deployed())).toEqual({ actions: [], blockers: [] });
  });

  test('a rename that stopped after moving the config folder resumes with the rest', () => {
    const plan = planRename(
      layout,
      oldLayout({
        configDir: { exists: true, files: [{ name: 'config.alloy', sha256: 'c' }] },
        old: { configDirExists: false, dataDirExists: true },
        containers: { current: null, previous: null, old: container({ ...oldContainer, running: false }) },
      }),
    );
    expect(renameKinds(plan)).toEqual(['move-dir', 'create-renamed-container', 'start-container', 'remove-container']);
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
    expect(renameKinds(plan)).toEqual(['start-container', 'remove-container']);
  });

  test('both the old and the new folder existing is refused: nothing is merged or overwritten', () => {
    const plan = planRename(layout, oldLayout({ dataDirExists: true }));
    expect(plan.actions).toEqual([]);
    expect(plan.blockers).toEqual([expect.stringContaining('both /volume2/docker/alloy-data and')]);
  });
});
