import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ScratchProject, withScratchProject } from '../support/manifests';
import { REPO_DIR } from '../support/shared';

/** A scratch project that can run the real app (`main.ts`) and the real `cdk8s synth`. */
function runnableProject(): ScratchProject {
  const project = new ScratchProject();
  for (const f of ['main.ts', 'cdk8s.yaml', 'package.json']) copyFileSync(join(REPO_DIR, f), project.path(f));
  for (const d of ['lib', 'imports', 'node_modules']) symlinkSync(join(REPO_DIR, d), project.path(d));
  return project;
}

function run(project: ScratchProject, command: string[], env: Record<string, string> = {}) {
  const [bin, ...args] = command;
  const r = spawnSync(bin, args, { cwd: project.dir, encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `body` with a file rewritten by `edit`, and puts the original bytes back afterwards. */
function withEditedFile(file: string, edit: (text: string) => string, body: () => void): void {
  const original = readFileSync(file, 'utf8');
  writeFileSync(file, edit(original));
  try {
    body();
  } finally {
    writeFileSync(file, original);
  }
}

const synthApp = ['node', '--import', 'tsx', 'main.ts'];
const committedDist = () => readFileSync(join(REPO_DIR, 'dist/alloy.k8s.yaml'), 'utf8');

test('the committed dist/ is what a fresh synth of the committed config produces', () => {
  withScratchProject((project) => {
    project.synth();
    expect(readFileSync(project.path('dist/alloy.k8s.yaml'), 'utf8')).toBe(committedDist());
  });
});

describe('bad input leaves the previous dist/ exactly as it was and exits 1 with a message per problem', () => {
  let project: ScratchProject;
  let previous: string;
  beforeAll(() => {
    project = runnableProject();
    expect(run(project, synthApp).status).toBe(0);
    previous = readFileSync(project.path('dist/alloy.k8s.yaml'), 'utf8');
  });
  afterAll(() => project.remove());

  const distUnchanged = () => {
    expect(readdirSync(project.path('dist'))).toEqual(['alloy.k8s.yaml']);
    expect(readFileSync(project.path('dist/alloy.k8s.yaml'), 'utf8')).toBe(previous);
    expect(readdirSync(project.dir).filter((f) => f.startsWith('dist.tmp-'))).toEqual([]);
  };

  test('a broken stack file', () => {
    withEditedFile(
      project.path('config/prod.yaml'),
      (t) => t.replace('192.168.1.240', '192.168.1.300').replace('  clusterIssuer:', '  issuer:'),
      () => {
        const r = run(project, synthApp);
        expect(r.status).toBe(1);
        expect(r.stderr).toContain('config/prod.yaml:8: alloy.loadBalancerIP:');
        expect(r.stderr).toContain('config/prod.yaml:9: alloy.issuer: unknown key');
        expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
        distUnchanged();
      },
    );
  });

  test('an empty pipeline folder', () => {
    const backup = project.path('alloy-assets-backup');
    renameSync(project.path('assets/alloy'), backup);
    mkdirSync(project.path('assets/alloy'));
    try {
      const r = run(project, synthApp);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/assets\/alloy: error: no .alloy files/);
      distUnchanged();
    } finally {
      rmSync(project.path('assets/alloy'), { recursive: true });
      renameSync(backup, project.path('assets/alloy'));
    }
  });

  test('a pipeline the Alloy linter rejects: each problem with file:line:col', () => {
    withEditedFile(
      project.path('assets/alloy/export_mimir.alloy'),
      (t) => t.replace('relabel.drop_labels.receiver]', 'relabel.drop_labels.receivers]'),
      () => {
        const r = run(project, synthApp);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/assets\/alloy\/export_mimir.alloy:\d+:\d+: error: .*has no export "receivers"/);
        distUnchanged();
      },
    );
  });

  test('a pipeline judged as the release prod.yaml pins: an attribute v1.10.1 does not know', () => {
    withEditedFile(
      project.path('assets/alloy/collect_otlp.alloy'),
      (t) => t.replace('reload_interval =', 'reload_intervall ='),
      () => {
        const r = run(project, synthApp);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(
          /assets\/alloy\/collect_otlp.alloy:\d+:\d+: error: otelcol.receiver.otlp > grpc > tls has no attribute "reload_intervall" in Alloy v1.10.1 \(did you mean "reload_interval"\?\)/,
        );
        distUnchanged();
      },
    );
  });

  test('HA mode: the committed pipelines state their clustering, and one that does not is refused', () => {
    withEditedFile(
      project.path('config/prod.yaml'),
      (t) => t.replace(/^ {2}replicas: 1$/m, '  replicas: 3'),
      () => {
        const ha = run(project, synthApp);
        // Nothing but the objects the switch from one replica leaves in the cluster (kubectl apply never deletes).
        expect(
          ha.stderr
            .split('\n')
            .filter(Boolean)
            .map((l) => /: (\S+ \S+) left the chart/.exec(l)?.[1]),
        ).toEqual(['Deployment alloy/alloy', 'PersistentVolumeClaim alloy/alloy-data']);
        expect(ha.status).toBe(0);
        previous = readFileSync(project.path('dist/alloy.k8s.yaml'), 'utf8');
        withEditedFile(
          project.path('assets/alloy/collect_self_metrics.alloy'),
          (t) => t.replace(/\n\t\/\/ Every replica[\s\S]*?\t}\n/, '\n'),
          () => {
            const r = run(project, synthApp);
            expect(r.status).toBe(1);
            expect(r.stderr).toMatch(
              /assets\/alloy\/collect_self_metrics.alloy:\d+:\d+: error: prometheus.scrape "self" needs clustering \{ enabled = true \} when Alloy runs clustered/,
            );
            distUnchanged();
          },
        );
      },
    );
    expect(run(project, synthApp).status).toBe(0);
    previous = readFileSync(project.path('dist/alloy.k8s.yaml'), 'utf8');
  });

  test('an env var the Deployment does not provide (not in envFromSecret.keys nor set by the chart)', () => {
    withEditedFile(
      project.path('assets/alloy/export_mimir.alloy'),
      (t) => t.replace('MIMIR_REMOTE_WRITE_URL', 'MIMIR_URL'),
      () => {
        const r = run(project, synthApp);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/assets\/alloy\/export_mimir.alloy:\d+:\d+: error: .*MIMIR_URL/);
        distUnchanged();
      },
    );
  });

  test('`cdk8s synth` with a broken stack file (the CLI empties only its scratch folder, not dist/)', () => {
    withEditedFile(
      project.path('config/prod.yaml'),
      (t) => t.replace('version: v1.10.1', 'version: latest'),
      () => {
        const r = run(project, ['npx', 'cdk8s', 'synth'], { CDK8S_CHECK_UPGRADE: 'false' });
        expect(r.status).not.toBe(0);
        expect(r.stdout + r.stderr).toContain('alloy.version:');
        distUnchanged();
      },
    );
  });

  test('`cdk8s synth` with a good stack file writes dist/', () => {
    rmSync(project.path('dist'), { recursive: true });
    const r = run(project, ['npx', 'cdk8s', 'synth'], { CDK8S_CHECK_UPGRADE: 'false' });
    expect(r.status).toBe(0);
    distUnchanged();
  });
});

test('no secret value from the environment reaches dist/ or the output', () => {
  const project = runnableProject();
  const secrets = {
    GRAFANA_CLOUD_API_KEY: 'glc_known-secret-value-1',
    GRAFANA_CLOUD_INSTANCE_ID: 'known-secret-value-2',
    GRAFANA_CLOUD_OTLP_ENDPOINT: 'https://known-secret-value-3.example',
    MIMIR_REMOTE_WRITE_URL: 'https://known-secret-value-4.example',
    CLOUDFLARE_API_TOKEN: 'known-secret-value-5',
    OPNSENSE_API_SECRET: 'known-secret-value-6',
  };
  try {
    const r = run(project, synthApp, secrets);
    expect(r.status).toBe(0);
    const everything = r.stdout + r.stderr + readFileSync(project.path('dist/alloy.k8s.yaml'), 'utf8');
    for (const value of Object.values(secrets)) expect(everything).not.toContain(value);
    // The pipeline reads them by name at run time instead.
    expect(everything).toContain('sys.env("GRAFANA_CLOUD_API_KEY")');
  } finally {
    project.remove();
  }
});
