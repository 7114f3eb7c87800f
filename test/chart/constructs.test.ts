/**
 * Each construct on its own in a `Testing.chart()`, imported from the package's public face (lib/index.ts) as
 * another cdk8s app would: the defaults documented on its props are what it synthesizes.
 */
import { join } from 'node:path';
import { App, type Chart, Testing } from 'cdk8s';
import {
  ALLOY_DEFAULTS,
  AlloyAutoscaler,
  AlloyCertificate,
  AlloyChart,
  AlloyClusterService,
  AlloyConfigMap,
  AlloyDataClaim,
  AlloyDeployment,
  AlloyDisruptionBudget,
  AlloyNamespace,
  AlloyService,
  AlloyStatefulSet,
  alloyPorts,
  CONFIG_HASH_ANNOTATION,
  centralPipeline,
  HTTP_PORT,
  selectorLabels,
} from '../../lib';
import { REPO_DIR } from '../support/shared';

const assetsDir = join(REPO_DIR, 'assets/alloy');
// biome-ignore lint/suspicious/noExplicitAny: synthesized manifests, read freely
type Manifest = any;
const only = (chart: Chart): Manifest[] => Testing.synth(chart);
const ofKind = (chart: Chart, kind: string): Manifest => {
  const found = only(chart).filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
};

/** The pieces a workload needs, in a fresh chart; its ConfigMap holds the pipeline made for `replicas`. */
function podParts(chart: Chart, replicas = 1) {
  return {
    selectorLabels: selectorLabels(),
    labels: selectorLabels(),
    configMap: new AlloyConfigMap(chart, 'ConfigMap', { pipeline: centralPipeline({ assetsDir, replicas }) }),
    tlsSecretName: new AlloyCertificate(chart, 'Certificate', { hostname: 'otel.example.org' }).secretName,
    ports: alloyPorts([]),
  };
}

test('AlloyNamespace: named alloy, cluster-scoped', () => {
  const chart = Testing.chart();
  new AlloyNamespace(chart, 'Namespace');
  expect(ofKind(chart, 'Namespace').metadata).toEqual({ name: 'alloy' });
});

test("AlloyConfigMap: the pipeline's files as keys in namespace alloy, its hash as the annotation", () => {
  const chart = Testing.chart();
  const pipeline = centralPipeline({ assetsDir });
  const configMap = new AlloyConfigMap(chart, 'ConfigMap', { pipeline });
  const object = ofKind(chart, 'ConfigMap');
  expect(object.metadata).toMatchObject({ name: 'alloy-config', namespace: 'alloy' });
  expect(object.data).toEqual(pipeline.files);
  expect(Object.keys(object.data)).toEqual(Object.keys(pipeline.files));
  expect(object.metadata.annotations[CONFIG_HASH_ANNOTATION]).toBe(pipeline.hash);
  expect(configMap.configHash).toBe(pipeline.hash);
  expect(Object.keys(object.data)).toContain('collect_otlp.alloy');
});

test('AlloyDataClaim: alloy-data, ReadWriteOnce, 1Gi, the default StorageClass', () => {
  const chart = Testing.chart();
  new AlloyDataClaim(chart, 'Claim');
  const claim = ofKind(chart, 'PersistentVolumeClaim');
  expect(claim.metadata).toMatchObject({ name: 'alloy-data', namespace: 'alloy' });
  expect(claim.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } });
  expect(claim.spec.storageClassName).toBeUndefined();
});

test('AlloyCertificate: alloy-tls for the hostname from the lets-encrypt ClusterIssuer', () => {
  const chart = Testing.chart();
  new AlloyCertificate(chart, 'Certificate', { hostname: 'otel.example.org' });
  expect(ofKind(chart, 'Certificate').spec).toEqual({
    secretName: 'alloy-tls',
    dnsNames: ['otel.example.org'],
    issuerRef: { kind: 'ClusterIssuer', group: 'cert-manager.io', name: 'lets-encrypt' },
  });
});

test('AlloyDeployment: one pod, Recreate, Alloy at the default version and the reloader, default resources', () => {
  const chart = Testing.chart();
  const parts = podParts(chart);
  const dataClaim = new AlloyDataClaim(chart, 'Claim');
  new AlloyDeployment(chart, 'Deployment', { ...parts, dataClaim });
  const deployment = ofKind(chart, 'Deployment');
  expect(deployment.metadata).toMatchObject({ name: 'alloy', namespace: 'alloy' });
  expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  const [alloy, reloader] = deployment.spec.template.spec.containers;
  expect(alloy.image).toBe(`grafana/alloy:${ALLOY_DEFAULTS.version}`);
  expect(alloy.resources).toEqual(ALLOY_DEFAULTS.resources);
  expect(reloader.image).toBe(
    `quay.io/prometheus-operator/prometheus-config-reloader:${ALLOY_DEFAULTS.configReloader.version}`,
  );
  expect(reloader.resources).toEqual(ALLOY_DEFAULTS.configReloader.resources);
});

test('AlloyStatefulSet: clustered replicas with claim templates; fewer than 2 replicas or v1.16.2 are refused', () => {
  const chart = Testing.chart();
  const parts = podParts(chart, 2);
  const clusterService = new AlloyClusterService(chart, 'ClusterService');
  new AlloyStatefulSet(chart, 'StatefulSet', { ...parts, replicas: 2, clusterService, hostname: 'otel.example.org' });
  const set = ofKind(chart, 'StatefulSet');
  expect(set.spec).toMatchObject({ replicas: 2, serviceName: 'alloy-cluster', podManagementPolicy: 'Parallel' });
  expect(set.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('1Gi');
  expect(set.spec.template.spec.containers[0].args).toContain('--cluster.tls-server-name=otel.example.org');

  const other = Testing.chart();
  const more = { ...podParts(other, 3), clusterService: new AlloyClusterService(other, 'ClusterService') };
  expect(() => new AlloyStatefulSet(other, 'One', { ...more, replicas: 1, hostname: 'h.example' })).toThrow(
    /replicas must be 2 or more/,
  );
  // The HA rules are the pipeline's maker's: no pipeline exists for v1.16.2 in HA mode...
  expect(() => centralPipeline({ assetsDir, replicas: 3, version: 'v1.16.2' })).toThrow(
    /^version: v1.16.2 cannot run HA mode .*grafana\/alloy#6436/,
  );
  // ...and a StatefulSet runs only the pipeline made for its replicas and release (clustering blocks depend on both).
  expect(
    () => new AlloyStatefulSet(other, 'Broken', { ...more, replicas: 3, version: 'v1.16.2', hostname: 'h.example' }),
  ).toThrow(/3 replicas of v1.16.2 cannot mount a pipeline made for 3 of v1.10.1/);
  expect(() => new AlloyStatefulSet(other, 'Two', { ...more, replicas: 2, hostname: 'h.example' })).toThrow(
    /2 replicas of v1.10.1 cannot mount a pipeline made for 3 of v1.10.1/,
  );
});

test('AlloyClusterService: headless alloy-cluster on the http port, publishing not-ready peers', () => {
  const chart = Testing.chart();
  const service = new AlloyClusterService(chart, 'ClusterService');
  const object = ofKind(chart, 'Service');
  expect(object.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
  expect(object.spec.ports).toEqual([{ name: 'http', port: HTTP_PORT, targetPort: HTTP_PORT, protocol: 'TCP' }]);
  expect(service.joinAddress).toBe(`alloy-cluster.alloy.svc:${HTTP_PORT}`);
});

test('AlloyDisruptionBudget and AlloyAutoscaler take their target by reference', () => {
  const chart = Testing.chart();
  const parts = podParts(chart, 3);
  const clusterService = new AlloyClusterService(chart, 'ClusterService');
  const set = new AlloyStatefulSet(chart, 'StatefulSet', { ...parts, replicas: 3, clusterService, hostname: 'h.ex' });
  new AlloyDisruptionBudget(chart, 'Budget', { workload: set });
  new AlloyAutoscaler(chart, 'Autoscaler', { target: set, maxReplicas: 5 });
  const pdb = ofKind(chart, 'PodDisruptionBudget');
  expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: selectorLabels() } });
  const hpa = ofKind(chart, 'HorizontalPodAutoscaler');
  expect(hpa.spec).toMatchObject({
    minReplicas: 3,
    maxReplicas: 5,
    scaleTargetRef: { kind: 'StatefulSet', name: 'alloy' },
  });
  expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(ALLOY_DEFAULTS.ha.targetCPUUtilizationPercentage);
});

test('AlloyService: selects the workload by reference (its selector labels), LoadBalancer on the pinned IP', () => {
  const chart = Testing.chart();
  const parts = podParts(chart);
  const workload = new AlloyDeployment(chart, 'Deployment', {
    ...parts,
    dataClaim: new AlloyDataClaim(chart, 'Claim'),
  });
  new AlloyService(chart, 'Service', { workload, loadBalancerIP: '10.0.0.5', ports: parts.ports });
  const service = ofKind(chart, 'Service');
  expect(service.spec.selector).toEqual(workload.matchLabels);
  expect(service.metadata.annotations).toEqual({ 'metallb.io/loadBalancerIPs': '10.0.0.5' });
});

test('AlloyChart: from another app with only hostname and IP; HA options with one replica are refused', () => {
  const app = Testing.app();
  const chart = new AlloyChart(app, 'alloy', { hostname: 'otel.example.org', loadBalancerIP: '10.0.0.5', assetsDir });
  expect(only(chart).map((o) => o.kind)).toEqual([
    'Namespace',
    'ConfigMap',
    'PersistentVolumeClaim',
    'Certificate',
    'Deployment',
    'Service',
  ]);
  expect(
    () =>
      new AlloyChart(new App(), 'ha', {
        hostname: 'otel.example.org',
        loadBalancerIP: '10.0.0.5',
        assetsDir,
        ha: { maxConnectionAge: '1m' },
      }),
  ).toThrow(/^ha: HA options need alloy.replicas > 1/);
});
