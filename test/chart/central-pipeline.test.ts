/**
 * One computation of the central pipeline (lib/central-pipeline.ts): what synth lints, what the ConfigMap mounts,
 * the hash it annotates and the hash `legacy-deploy verify` expects are one value, made once from the stack config
 * and the two folders. Each rule is asserted on the value the consumers take, not on a re-computation.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { App, Testing } from 'cdk8s';
import { alloyConfigHash, type Diagnostic } from '../../alloy-lint';
import { loadDnsStack } from '../../legacy/dns/stack';
import { centralConfigHash } from '../../legacy/verify/run';
import { AlloyChart } from '../../lib/alloy-chart';
import { centralPipeline, PipelineError } from '../../lib/central-pipeline';
import { loadProdStack } from '../../lib/config/load';
import { CONFIG_HASH_ANNOTATION } from '../../lib/config-map';
import { find, haMode, type ScratchProject, withScratchProject } from '../support/manifests';
import { REPO_DIR } from '../support/shared';

const chartProps = { hostname: 'alloy.example.net', loadBalancerIP: '10.0.0.1' };

/** HA mode with pod logs on: the pipeline then has an added file with clustering the chart inserted. */
function haWithPodLogs(project: ScratchProject) {
  project.editProd(haMode(3));
  project.editProd((t) => t.replace('      podLogs: false', '      podLogs: true'));
  return centralPipeline({
    ...loadProdStack(project.path('config/prod.yaml')).alloy,
    assetsDir: project.path('assets/alloy'),
    kubernetesAssetsDir: project.path('assets/alloy_kubernetes'),
  });
}

test('what is linted is what is mounted: each source text is the file of its name, and the hash is of those texts', () => {
  withScratchProject((project) => {
    const pipeline = haWithPodLogs(project);
    const names = pipeline.sources.map((s) => basename(s.file));
    expect(names.sort()).toEqual(Object.keys(pipeline.files).sort());
    for (const s of pipeline.sources) expect(pipeline.files[basename(s.file)]).toBe(s.text);
    expect(pipeline.files['collect_pod_logs.alloy']).toMatch(/clustering \{\n\t\tenabled = true\n\t\}/);
    expect(pipeline.hash).toBe(
      alloyConfigHash(pipeline.sources.map((s) => ({ name: basename(s.file), content: s.text }))),
    );
  });
});

test("synth's ConfigMap holds the pipeline's files and annotates its hash; verify expects that same hash", () => {
  withScratchProject((project) => {
    const pipeline = haWithPodLogs(project);
    const configMap = find(project.synth(), 'ConfigMap');
    expect(configMap.data).toEqual(pipeline.files);
    expect(configMap.metadata.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(pipeline.hash);
    const configDir = project.path('config');
    expect(centralConfigHash({ configDir }, loadDnsStack(configDir).central)).toBe(pipeline.hash);
  });
});

test('a name both folders use is refused by synth and by verify alike, naming the file; dist/ is not written', () => {
  withScratchProject((project) => {
    project.editProd((t) => t.replace('      podLogs: false', '      podLogs: true'));
    copyFileSync(
      project.path('assets/alloy_kubernetes/collect_pod_logs.alloy'),
      project.path('assets/alloy/collect_pod_logs.alloy'),
    );
    const message = `${project.path('assets/alloy/collect_pod_logs.alloy')}: error: the chart adds ${project.path('assets/alloy_kubernetes/collect_pod_logs.alloy')} under this name itself; rename it`;
    expect(() => project.synth()).toThrow(new PipelineError([message]));
    expect(readdirSync(project.dir)).not.toContain('dist');
    const configDir = project.path('config');
    // verify reads the pipeline folders from the working directory, as synth does
    const cwd = process.cwd();
    process.chdir(project.dir);
    try {
      expect(() => centralConfigHash({ configDir }, loadDnsStack(configDir).central)).toThrow(
        `--central-assets: ${message}`,
      );
    } finally {
      process.chdir(cwd);
    }
  });
});

test('a pipeline file that is not UTF-8 is refused: a ConfigMap holds text, so it would not mount what was linted', () => {
  withScratchProject((project) => {
    const file = project.path('assets/alloy/latin1.alloy');
    writeFileSync(file, Buffer.from('// caf\xe9\n', 'latin1'));
    expect(() => centralPipeline({ assetsDir: project.path('assets/alloy') })).toThrow(
      `${file}: error: is not valid UTF-8`,
    );
    expect(() => project.synth()).toThrow(PipelineError);
  });
});

describe('the chart takes the pipeline as data and computes none of it again', () => {
  const pipeline = centralPipeline({ assetsDir: join(REPO_DIR, 'assets/alloy') });

  test('given a pipeline, it reads no folder: the ConfigMap is the pipeline even with assetsDir pointing nowhere', () => {
    const chart = new AlloyChart(new App(), 'alloy', { ...chartProps, assetsDir: '/nonexistent/alloy', pipeline });
    const configMap = Testing.synth(chart).find((o) => o.kind === 'ConfigMap');
    expect(configMap.data).toEqual(pipeline.files);
    expect(configMap.metadata.annotations[CONFIG_HASH_ANNOTATION]).toBe(pipeline.hash);
  });

  test("it refuses on the pipeline's diagnostics, not on a check of its own", () => {
    const refused: Diagnostic = { file: 'assets/alloy/x.alloy', line: 2, column: 1, severity: 'error', message: 'no' };
    expect(
      () => new AlloyChart(new App(), 'a', { ...chartProps, pipeline: { ...pipeline, diagnostics: [refused] } }),
    ).toThrow(/^assets\/alloy\/x\.alloy:2:1: error: no$/);
  });

  test('it refuses a pipeline made for other settings (replicas, version, ha, collect): their files differ', () => {
    for (const other of [
      { replicas: 2 },
      { version: 'v1.16.3' },
      { collect: { kubernetes: { events: true } } },
      { ha: {} },
    ]) {
      expect(() => new AlloyChart(new App(), 'a', { ...chartProps, ...other, pipeline })).toThrow(
        /^pipeline: made for other version, replicas, ha or collect settings/,
      );
    }
  });

  test('without one, it makes it from its props, and the HA rules refuse bad settings there', () => {
    expect(
      () =>
        new AlloyChart(new App(), 'ha', {
          ...chartProps,
          assetsDir: join(REPO_DIR, 'assets/alloy'),
          replicas: 3,
          version: 'v1.16.2',
        }),
    ).toThrow(/^version: v1.16.2 cannot run HA mode/);
  });
});

test('by structure: the folders are read, and the HA, collect and RBAC rules run, in one function of lib/ and legacy/', () => {
  const callers = (call: string) =>
    sourceFiles(['lib', 'legacy'])
      .filter((f) => readFileSync(f, 'utf8').includes(call))
      .map((f) => relative(REPO_DIR, f))
      .sort();
  // The stack file's schema reports the HA and collect rules with its line numbers; the pipeline is their gate.
  expect(callers('haProblems(')).toEqual(['lib/central-pipeline.ts', 'lib/config/ha-rules.ts', 'lib/config/schema.ts']);
  expect(callers('collectProblems(')).toEqual([
    'lib/central-pipeline.ts',
    'lib/config/collect-rules.ts',
    'lib/config/schema.ts',
  ]);
  expect(callers('rbacDiagnostics(')).toEqual(['lib/central-pipeline.ts', 'lib/rbac-check.ts']);
  expect(callers('kubernetesPipelineFiles(')).toEqual(['lib/central-pipeline.ts', 'lib/kubernetes-pipeline.ts']);
  expect(callers('alloyConfigHash(').filter((f) => !f.startsWith('legacy/deploy/'))).toEqual([
    'lib/central-pipeline.ts',
  ]);
});

/** Every .ts file under the given folders of the repository. */
function sourceFiles(dirs: string[]): string[] {
  return dirs.flatMap((d) =>
    readdirSync(join(REPO_DIR, d), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .map((f) => join(REPO_DIR, d, f)),
  );
}
