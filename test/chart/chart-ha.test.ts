/**
 * HA mode (`alloy.replicas > 1`): a clustered StatefulSet, its headless cluster Service, a PodDisruptionBudget and
 * optionally an autoscaler. Each rule of the mode is asserted by name; the snapshot catches everything else.
 */
import { SYSTEM_CA_BUNDLE } from '../../lib/alloy-pod';
import { find, haMode, type K8sObject, ScratchProject, withScratchProject } from '../support/manifests';

let project: ScratchProject;
let objects: K8sObject[];
beforeAll(() => {
  project = new ScratchProject();
  project.editProd(haMode(3));
  objects = project.synth();
});
afterAll(() => project.remove());

const statefulSet = () => find(objects, 'StatefulSet');
const podSpec = () => statefulSet().spec.template.spec;
const alloy = () => podSpec().containers.find((c: { name: string }) => c.name === 'alloy');
const podLabels = () => statefulSet().spec.template.metadata.labels;
const flag = (name: string) =>
  alloy()
    .args.find((a: string) => a.startsWith(`--${name}=`))
    ?.slice(name.length + 3);
// biome-ignore lint/suspicious/noExplicitAny: manifests are checked by schema, tests read them freely
const byName = (list: { name: string }[] = []): Record<string, any> => Object.fromEntries(list.map((x) => [x.name, x]));

/** Every file a mounted volume provides, as `mountPath/key` (the Secret's keys as cert-manager writes them). */
function mountedFiles(): string[] {
  const volumes = byName(podSpec().volumes);
  return alloy().volumeMounts.flatMap((m: { name: string; mountPath: string }) => {
    const v = volumes[m.name];
    if (v?.secret) return ['tls.crt', 'tls.key', 'ca.crt'].map((k) => `${m.mountPath}/${k}`);
    return [];
  });
}

test('the objects of HA mode, each once: no Deployment, no shared PVC', () => {
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
    'Namespace/alloy',
    'ConfigMap/alloy-config',
    'Certificate/alloy-tls',
    'Service/alloy-cluster',
    'StatefulSet/alloy',
    'PodDisruptionBudget/alloy',
    'Service/alloy',
  ]);
});

describe('StatefulSet alloy', () => {
  test('the configured replicas, Parallel pod management, RollingUpdate', () => {
    expect(statefulSet().spec.replicas).toBe(3);
    expect(statefulSet().spec.podManagementPolicy).toBe('Parallel');
    expect(statefulSet().spec.updateStrategy.type).toBe('RollingUpdate');
  });

  test('one ReadWriteOnce claim per replica from volumeClaimTemplates, mounted as the data volume', () => {
    const [template] = statefulSet().spec.volumeClaimTemplates;
    expect(statefulSet().spec.volumeClaimTemplates).toHaveLength(1);
    expect(template.spec).toMatchObject({
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
    });
    const dataMount = byName(alloy().volumeMounts)[template.metadata.name];
    expect(dataMount.mountPath).toBe('/var/lib/alloy/data');
    expect(byName(podSpec().volumes)[template.metadata.name]).toBeUndefined();
  });

  test('claim template labels carry no version (claim templates cannot change once created)', () => {
    expect(statefulSet().spec.volumeClaimTemplates[0].metadata.labels['app.kubernetes.io/version']).toBeUndefined();
  });

  test('governed by the headless cluster Service', () => {
    expect(statefulSet().spec.serviceName).toBe('alloy-cluster');
  });

  test('clustering on, joining through the headless cluster Service on the http port', () => {
    expect(flag('cluster.enabled')).toBe('true');
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'alloy-cluster') as K8sObject;
    const port = service.spec.ports[0].port;
    expect(flag('cluster.join-addresses')).toBe(`alloy-cluster.alloy.svc:${port}`);
    expect(port).toBe(byName(alloy().ports).http.containerPort);
  });

  test('every cluster TLS flag points at a mounted file (the CA: the image bundle by default)', () => {
    expect(flag('cluster.enable-tls')).toBe('true');
    const files = mountedFiles();
    expect(files).toContain(flag('cluster.tls-cert-path'));
    expect(files).toContain(flag('cluster.tls-key-path'));
    expect(flag('cluster.tls-ca-path')).toBe(SYSTEM_CA_BUNDLE);
  });

  test('the cluster TLS files are the certificate the HTTP server serves (the pipeline env vars)', () => {
    const env = Object.fromEntries(alloy().env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(flag('cluster.tls-cert-path')).toBe(env.ALLOY_TLS_CERT_FILE);
    expect(flag('cluster.tls-key-path')).toBe(env.ALLOY_TLS_KEY_FILE);
  });

  test('tls-server-name is the certificate hostname (peers dial pod IPs)', () => {
    expect(flag('cluster.tls-server-name')).toBe(find(objects, 'Certificate').spec.dnsNames[0]);
  });

  test('topology spread across nodes on kubernetes.io/hostname, selecting the pod labels', () => {
    const [spread] = podSpec().topologySpreadConstraints;
    expect(spread.topologyKey).toBe('kubernetes.io/hostname');
    expect(spread.maxSkew).toBe(1);
    expect(podLabels()).toMatchObject(spread.labelSelector.matchLabels);
    expect(spread.labelSelector.matchLabels).toEqual(statefulSet().spec.selector.matchLabels);
  });

  test('max_connection_age for the OTLP receiver: 5m by default', () => {
    const env = Object.fromEntries(alloy().env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.ALLOY_OTLP_MAX_CONNECTION_AGE).toBe('5m');
  });

  test('no config checksum on the pod template; the reloader runs beside Alloy as in one-replica mode', () => {
    expect(statefulSet().spec.template.metadata.annotations).toBeUndefined();
    expect(podSpec().containers.map((c: { name: string }) => c.name)).toEqual(['alloy', 'config-reloader']);
  });
});

describe('Service alloy-cluster', () => {
  test('headless, publishNotReadyAddresses (peers must find each other before they are ready)', () => {
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'alloy-cluster') as K8sObject;
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.publishNotReadyAddresses).toBe(true);
    expect(service.spec.selector).toEqual(statefulSet().spec.selector.matchLabels);
  });
});

describe('PodDisruptionBudget alloy', () => {
  test('maxUnavailable 1; its selector is the pod labels the StatefulSet selects', () => {
    const pdb = find(objects, 'PodDisruptionBudget');
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(statefulSet().spec.selector.matchLabels);
    expect(podLabels()).toMatchObject(pdb.spec.selector.matchLabels);
  });
});

test('the LoadBalancer Service selects the StatefulSet pods', () => {
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'alloy') as K8sObject;
  expect(service.spec.type).toBe('LoadBalancer');
  expect(service.spec.selector).toEqual(statefulSet().spec.selector.matchLabels);
});

describe('HA options from the stack file', () => {
  test('clusterCa secret: the CA is ca.crt of the mounted certificate Secret', () => {
    withScratchProject((other) => {
      other.editProd(haMode(2, '    clusterCa: secret\n    maxConnectionAge: 90s\n'));
      const changed = other.synth();
      const container = find(changed, 'StatefulSet').spec.template.spec.containers[0];
      expect(container.args).toContain('--cluster.tls-ca-path=/etc/alloy-tls/ca.crt');
      const tlsMount = byName(container.volumeMounts).tls.mountPath;
      expect(`${tlsMount}/ca.crt`).toBe('/etc/alloy-tls/ca.crt');
      expect(byName(container.env).ALLOY_OTLP_MAX_CONNECTION_AGE).toMatchObject({ value: '90s' });
    });
  });

  test('autoscaling: an autoscaling/v2 HPA on CPU with minReplicas = replicas; the StatefulSet leaves replicas to it', () => {
    withScratchProject((other) => {
      other.editProd(haMode(3, '    autoscaling:\n      maxReplicas: 8\n'));
      const changed = other.synth();
      const hpa = find(changed, 'HorizontalPodAutoscaler');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toEqual({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'alloy' },
        minReplicas: 3,
        maxReplicas: 8,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        ],
      });
      expect(find(changed, 'StatefulSet').spec.replicas).toBeUndefined();
    });
  });

  test('without autoscaling there is no HPA', () => {
    expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
  });
});

test('snapshot of the HA-mode synth (the rules above are asserted one by one; this catches everything else)', () => {
  expect(objects).toMatchSnapshot();
});
