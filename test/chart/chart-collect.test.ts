/**
 * `alloy.collect.kubernetes` (issue #13): pod logs and events through the Kubernetes API, each with exactly the
 * RBAC it needs, and nothing of it when off. Each rule is asserted by name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AlloyFile, formatSource, parse } from '../../alloy-lint';
import { loadDnsStack } from '../../legacy/dns/stack';
import { centralConfigHash } from '../../legacy/verify/run';
import { CONFIG_HASH_ANNOTATION } from '../../lib/config-map';
import { find, haMode, type K8sObject, withScratchProject } from '../support/manifests';
import { REPO_DIR } from '../support/shared';

type Block = Extract<AlloyFile['body'][number], { kind: 'block' }>;

/** A prod.yaml edit turning sources on (the committed file lists both, false). */
const collect =
  (sources: { podLogs?: boolean; events?: boolean }) =>
  (text: string): string => {
    let out = text;
    for (const [key, on] of Object.entries(sources)) {
      if (!new RegExp(`^ {6}${key}: false$`, 'm').test(out)) throw new Error(`prod.yaml has no "${key}: false" line`);
      out = out.replace(new RegExp(`^ {6}${key}: false$`, 'm'), `      ${key}: ${on}`);
    }
    return out;
  };

const synthWith = (...edits: ((t: string) => string)[]): K8sObject[] =>
  withScratchProject((project) => {
    for (const edit of edits) project.editProd(edit);
    return project.synth();
  });

const kinds = (objects: K8sObject[]) => objects.map((o) => o.kind);
const podSpecOf = (objects: K8sObject[]) =>
  objects.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')?.spec.template.spec;
const configFiles = (objects: K8sObject[]) => find(objects, 'ConfigMap').data ?? {};
const assetFile = (name: string) => readFileSync(join(REPO_DIR, 'assets/alloy_kubernetes', name), 'utf8');

/** The top-level components of a pipeline file, by `name "label"`. */
function components(text: string): Record<string, Block> {
  const { ast, diagnostics } = parse(text);
  expect(diagnostics).toEqual([]);
  return Object.fromEntries(
    ast.body.filter((s): s is Block => s.kind === 'block').map((b) => [`${b.name.join('.')} "${b.label}"`, b]),
  );
}
const hasClusteringEnabled = (b: Block) =>
  b.body.some(
    (s) =>
      s.kind === 'block' &&
      s.name.join('.') === 'clustering' &&
      s.body.some(
        (a) => a.kind === 'attribute' && a.name === 'enabled' && a.value.kind === 'literal' && a.value.value === 'true',
      ),
  );

describe('collection off (the default)', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = withScratchProject((p) => p.synth());
  });

  test('no RBAC objects: no ServiceAccount, ClusterRole or ClusterRoleBinding', () => {
    expect(kinds(objects)).not.toEqual(expect.arrayContaining(['ServiceAccount']));
    expect(kinds(objects)).not.toContain('ClusterRole');
    expect(kinds(objects)).not.toContain('ClusterRoleBinding');
  });

  test('no token mount: automountServiceAccountToken false and no serviceAccountName', () => {
    expect(podSpecOf(objects).automountServiceAccountToken).toBe(false);
    expect(podSpecOf(objects).serviceAccountName).toBeUndefined();
  });

  test('no collect.kubernetes pipeline file in the ConfigMap', () => {
    expect(Object.keys(configFiles(objects))).not.toContain('collect_pod_logs.alloy');
    expect(Object.keys(configFiles(objects))).not.toContain('collect_kubernetes_events.alloy');
  });
});

describe('podLogs on', () => {
  let objects: K8sObject[];
  beforeAll(() => {
    objects = synthWith(collect({ podLogs: true }));
  });

  test('ServiceAccount alloy in namespace alloy, which mounts no token into other pods', () => {
    const sa = find(objects, 'ServiceAccount');
    expect(sa.metadata).toMatchObject({ name: 'alloy', namespace: 'alloy' });
    expect((sa as unknown as { automountServiceAccountToken: boolean }).automountServiceAccountToken).toBe(false);
  });

  test('the ClusterRole grants exactly get/list/watch on pods, pods/log, namespaces, nodes (no *)', () => {
    const role = find(objects, 'ClusterRole') as unknown as { rules: unknown[] };
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'pods/log', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(JSON.stringify(role.rules)).not.toContain('*');
  });

  test('the binding names the ServiceAccount and the ClusterRole, and nothing else', () => {
    const binding = find(objects, 'ClusterRoleBinding') as unknown as { roleRef: unknown; subjects: unknown[] };
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'alloy' });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'alloy', namespace: 'alloy' }]);
  });

  test('the pod runs as the ServiceAccount and mounts its token', () => {
    expect(podSpecOf(objects).serviceAccountName).toBe('alloy');
    expect(podSpecOf(objects).automountServiceAccountToken).toBe(true);
  });

  test('the ConfigMap adds collect_pod_logs.alloy as written, and no events file', () => {
    expect(configFiles(objects)['collect_pod_logs.alloy']).toBe(assetFile('collect_pod_logs.alloy'));
    expect(Object.keys(configFiles(objects))).not.toContain('collect_kubernetes_events.alloy');
  });

  test('pod logs: discovery.kubernetes role pod -> labels namespace/pod/container -> loki.source.kubernetes -> the logs path', () => {
    const c = components(configFiles(objects)['collect_pod_logs.alloy']);
    const text = configFiles(objects)['collect_pod_logs.alloy'];
    expect(Object.keys(c)).toEqual([
      'discovery.kubernetes "pods"',
      'discovery.relabel "pod_logs"',
      'loki.source.kubernetes "pods"',
      'otelcol.receiver.loki "pod_logs"',
    ]);
    const rules = c['discovery.relabel "pod_logs"'].body.filter((s): s is Block => s.kind === 'block');
    const mapping = rules.map((r) => {
      const attr = (n: string) => r.body.find((a) => a.kind === 'attribute' && a.name === n);
      const source = attr('source_labels');
      const target = attr('target_label');
      return [
        source?.kind === 'attribute' && source.value.kind === 'array' && source.value.elements[0].kind === 'literal'
          ? source.value.elements[0].value
          : undefined,
        target?.kind === 'attribute' && target.value.kind === 'literal' ? target.value.value : undefined,
      ];
    });
    expect(mapping).toEqual([
      ['"__meta_kubernetes_namespace"', '"namespace"'],
      ['"__meta_kubernetes_pod_name"', '"pod"'],
      ['"__meta_kubernetes_pod_container_name"', '"container"'],
    ]);
    expect(text).toContain('targets    = discovery.relabel.pod_logs.output');
    expect(text).toContain('logs = [otelcol.processor.resourcedetection.default.input]');
  });

  test('one replica: no clustering block (it would be a no-op)', () => {
    expect(
      hasClusteringEnabled(components(configFiles(objects)['collect_pod_logs.alloy'])['loki.source.kubernetes "pods"']),
    ).toBe(false);
  });
});

describe('events on', () => {
  test('the ClusterRole grants exactly get/list/watch on events; the events file is added', () => {
    const objects = synthWith(collect({ events: true }));
    expect((find(objects, 'ClusterRole') as unknown as { rules: unknown[] }).rules).toEqual([
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(configFiles(objects)['collect_kubernetes_events.alloy']).toBe(assetFile('collect_kubernetes_events.alloy'));
    expect(Object.keys(configFiles(objects))).not.toContain('collect_pod_logs.alloy');
    const c = components(configFiles(objects)['collect_kubernetes_events.alloy']);
    expect(Object.keys(c)).toEqual([
      'loki.source.kubernetes_events "cluster"',
      'otelcol.receiver.loki "kubernetes_events"',
    ]);
  });

  test('both on: one ClusterRole with both rules, one binding, one ServiceAccount', () => {
    const objects = synthWith(collect({ podLogs: true, events: true }));
    expect((find(objects, 'ClusterRole') as unknown as { rules: unknown[] }).rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'pods/log', 'namespaces', 'nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(kinds(objects).filter((k) => k === 'ClusterRoleBinding' || k === 'ServiceAccount')).toEqual([
      'ServiceAccount',
      'ClusterRoleBinding',
    ]);
  });
});

test('verify expects the hash of the ConfigMap the chart writes, added files and clustering included', () => {
  withScratchProject((project) => {
    project.editProd(haMode(3));
    project.editProd(collect({ podLogs: true }));
    const configMap = find(project.synth(), 'ConfigMap');
    expect(Object.keys(configMap.data ?? {})).toContain('collect_pod_logs.alloy');
    // verify's own computation, from the same config dir and the folders beside it.
    const configDir = project.path('config');
    expect(centralConfigHash({ configDir }, loadDnsStack(configDir).central)).toBe(
      configMap.metadata.annotations?.[CONFIG_HASH_ANNOTATION],
    );
  });
});

describe('HA mode', () => {
  test('pod logs: loki.source.kubernetes gets clustering { enabled = true } (the block exists at v1.10.1)', () => {
    const objects = synthWith(haMode(3), collect({ podLogs: true }));
    expect(podSpecOf(objects)).toMatchObject({ serviceAccountName: 'alloy', automountServiceAccountToken: true });
    expect(find(objects, 'StatefulSet')).toBeDefined();
    const c = components(configFiles(objects)['collect_pod_logs.alloy']);
    expect(hasClusteringEnabled(c['loki.source.kubernetes "pods"'])).toBe(true);
    // discovery has no clustering block: each replica discovers all, the source splits them.
    expect(hasClusteringEnabled(c['discovery.kubernetes "pods"'])).toBe(false);
  });

  test('events on v1.10.1 with replicas > 1 is refused, naming both keys and the release that fixes it', () => {
    withScratchProject((project) => {
      project.editProd(haMode(3));
      project.editProd(collect({ events: true }));
      expect(() => project.synth()).toThrow(
        /config\/prod.yaml:\d+: alloy\.collect\.kubernetes\.events: .*alloy\.replicas > 1 \(3\) on v1\.10\.1.*v1\.16\.0/,
      );
      expect(() => project.synth()).toThrow(/every replica would ship every event/);
    });
  });

  test('events on v1.16.3 with replicas > 1: loki.source.kubernetes_events gets clustering { enabled = true }', () => {
    const objects = synthWith(haMode(3), collect({ events: true }), (t) =>
      t.replace('version: v1.10.1', 'version: v1.16.3'),
    );
    const c = components(configFiles(objects)['collect_kubernetes_events.alloy']);
    expect(hasClusteringEnabled(c['loki.source.kubernetes_events "cluster"'])).toBe(true);
  });
});

test("the chart's pipeline files are formatted as `alloy fmt` would format them", () => {
  for (const name of ['collect_pod_logs.alloy', 'collect_kubernetes_events.alloy']) {
    expect(formatSource(assetFile(name))).toBe(assetFile(name));
  }
});
