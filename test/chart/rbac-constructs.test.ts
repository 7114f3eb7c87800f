/**
 * The RBAC constructs on their own (Testing.chart), as another cdk8s app would use them: defaults from
 * lib/defaults.ts, composition by reference (the binding takes the role and the account objects).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdk8s';
import {
  ALLOY_DEFAULTS,
  AlloyChart,
  AlloyClusterRole,
  AlloyClusterRoleBinding,
  AlloyServiceAccount,
  KUBERNETES_SOURCES,
} from '../../lib';

describe('AlloyServiceAccount', () => {
  test('defaults: alloy in namespace alloy, no token for pods that do not ask for one', () => {
    const chart = Testing.chart();
    new AlloyServiceAccount(chart, 'Sa');
    expect(Testing.synth(chart)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: ALLOY_DEFAULTS.names.serviceAccount, namespace: ALLOY_DEFAULTS.names.namespace },
        automountServiceAccountToken: false,
      },
    ]);
  });

  test('name, namespace and labels from props', () => {
    const chart = Testing.chart();
    new AlloyServiceAccount(chart, 'Sa', { name: 'collector', namespace: 'obs', labels: { a: 'b' } });
    expect(Testing.synth(chart)[0].metadata).toEqual({ name: 'collector', namespace: 'obs', labels: { a: 'b' } });
  });
});

describe('AlloyClusterRole', () => {
  test('exactly the rules of the given sources, named alloy, cluster-scoped', () => {
    const chart = Testing.chart();
    new AlloyClusterRole(chart, 'Role', { sources: ['events'] });
    const [role] = Testing.synth(chart);
    expect(role).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: ALLOY_DEFAULTS.names.clusterRole },
      rules: [{ apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] }],
    });
  });

  test('every rule of the table spells its verbs out: no wildcard, no write verb', () => {
    const chart = Testing.chart();
    new AlloyClusterRole(chart, 'Role', { sources: ['podLogs', 'events'] });
    const rules = Testing.synth(chart)[0].rules as { verbs: string[]; resources: string[] }[];
    expect(rules.map((r) => r.resources)).toEqual(
      Object.values(KUBERNETES_SOURCES).flatMap((s) => s.rules.map((r) => [...r.resources])),
    );
    for (const r of rules) expect(r.verbs).toEqual(['get', 'list', 'watch']);
    expect(JSON.stringify(rules)).not.toContain('*');
  });

  test('no source is an error (an empty role is a mistake, not least privilege)', () => {
    expect(() => new AlloyClusterRole(Testing.chart(), 'Role', { sources: [] })).toThrow(/no source enabled/);
  });
});

describe('AlloyClusterRoleBinding', () => {
  test('binds the role it is given to the account it is given, by reference', () => {
    const chart = Testing.chart();
    const serviceAccount = new AlloyServiceAccount(chart, 'Sa', { name: 'collector', namespace: 'obs' });
    const role = new AlloyClusterRole(chart, 'Role', { sources: ['podLogs'], name: 'reader' });
    new AlloyClusterRoleBinding(chart, 'Binding', { role, serviceAccount });
    const binding = Testing.synth(chart).find((o) => o.kind === 'ClusterRoleBinding');
    expect(binding).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: ALLOY_DEFAULTS.names.clusterRoleBinding },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'reader' },
      subjects: [{ apiGroup: '', kind: 'ServiceAccount', name: 'collector', namespace: 'obs' }],
    });
  });
});

describe('AlloyChart used from another app', () => {
  test('refuses a pipeline whose component needs RBAC it does not grant, naming file, component and option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alloy-rbac-'));
    try {
      writeFileSync(join(dir, 'events.alloy'), 'loki.source.kubernetes_events "e" {\n\tforward_to = []\n}\n');
      const props = { hostname: 'alloy.example.net', loadBalancerIP: '10.0.0.1', assetsDir: dir };
      // Named by its path, as synth names it: the chart reads the diagnostics of the pipeline, not its own.
      expect(() => new AlloyChart(Testing.app(), 'a', props)).toThrow(
        new RegExp(
          `^${join(dir, 'events.alloy')}:1:1: error: loki\\.source\\.kubernetes_events "e" .*turn on alloy\\.collect\\.kubernetes\\.events$`,
        ),
      );
      const on = new AlloyChart(Testing.app(), 'b', { ...props, collect: { kubernetes: { events: true } } });
      expect(Testing.synth(on).map((o) => o.kind)).toEqual(expect.arrayContaining(['ClusterRole', 'ServiceAccount']));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
