import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alloyConfigHash } from '../../alloy-lint';
import { CONFIG_HASH_ANNOTATION } from '../../lib/config-map';
import { find, type K8sObject, ScratchProject, withScratchProject } from '../support/manifests';
import { REPO_DIR } from '../support/shared';

let project: ScratchProject;
let objects: K8sObject[];
beforeAll(() => {
  project = new ScratchProject();
  objects = project.synth();
});
afterAll(() => project.remove());

const deployment = () => find(objects, 'Deployment');
const podSpec = () => deployment().spec.template.spec;
const container = () => podSpec().containers[0];
const reloader = () => podSpec().containers.find((c: { name: string }) => c.name === 'config-reloader');

describe('every object', () => {
  test('one replica: the six objects, each once, in a stable order (a Deployment with one PVC)', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/alloy',
      'ConfigMap/alloy-config',
      'PersistentVolumeClaim/alloy-data',
      'Certificate/alloy-tls',
      'Deployment/alloy',
      'Service/alloy',
    ]);
  });

  test('namespaced objects live in namespace alloy; the Namespace itself has no metadata.namespace', () => {
    for (const o of objects) {
      if (o.kind === 'Namespace') expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe('alloy');
    }
  });

  test('carry the Kubernetes recommended labels, the version taken from the stack file', () => {
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'alloy',
        'app.kubernetes.io/instance': 'alloy',
        'app.kubernetes.io/version': 'v1.10.1',
        'app.kubernetes.io/component': expect.any(String),
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
    }
  });

  test('names carry no cdk8s hash suffix and no label carries a construct address', () => {
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/-[0-9a-f]{8}"/);
    expect(text).not.toContain('cdk8s.io/metadata.addr');
  });
});

describe('ConfigMap alloy-config', () => {
  test('holds every assets/alloy/*.alloy file as a key, sorted, with the file contents', () => {
    const dir = join(REPO_DIR, 'assets/alloy');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.alloy'))
      .sort();
    const configMap = find(objects, 'ConfigMap');
    expect(Object.keys(configMap.data ?? {})).toEqual(files);
    for (const f of files) expect(configMap.data?.[f]).toBe(readFileSync(join(dir, f), 'utf8'));
  });

  test('the expected-hash annotation is SHA-256 of the files contents concatenated in path order', () => {
    const configMap = find(objects, 'ConfigMap');
    const names = Object.keys(configMap.data ?? {}).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const digest = require('node:crypto').createHash('sha256');
    for (const name of names) digest.update(configMap.data?.[name] ?? '');
    expect(configMap.metadata.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(digest.digest('hex'));
    expect(configMap.metadata.annotations?.[CONFIG_HASH_ANNOTATION]).toBe(
      alloyConfigHash(Object.entries(configMap.data ?? {}).map(([name, content]) => ({ name, content }))),
    );
  });
});

describe('PersistentVolumeClaim alloy-data', () => {
  test('is ReadWriteOnce with the configured size', () => {
    const pvc = find(objects, 'PersistentVolumeClaim');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pvc.spec.resources.requests.storage).toBe('1Gi');
    expect(pvc.spec.storageClassName).toBeUndefined();
  });
});

describe('Certificate alloy-tls', () => {
  test('is a cert-manager v1 Certificate for the hostname, signed by the configured ClusterIssuer', () => {
    const cert = find(objects, 'Certificate');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.spec).toEqual({
      secretName: 'alloy-tls',
      dnsNames: ['alloy.tobiash.net'],
      issuerRef: { kind: 'ClusterIssuer', group: 'cert-manager.io', name: 'lets-encrypt' },
    });
  });
});

describe('Deployment alloy', () => {
  test('one replica, Recreate (a ReadWriteOnce volume cannot attach to two pods)', () => {
    expect(deployment().spec.replicas).toBe(1);
    expect(deployment().spec.strategy).toEqual({ type: 'Recreate' });
  });

  test('selector is the version-independent subset of the pod labels', () => {
    const { selector, template } = deployment().spec;
    expect(selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/instance': 'alloy' });
    expect(template.metadata.labels).toMatchObject(selector.matchLabels);
  });

  test('runs grafana/alloy at the configured version, pulled only if not present', () => {
    expect(container().image).toBe('grafana/alloy:v1.10.1');
    expect(container().imagePullPolicy).toBe('IfNotPresent');
  });

  test('args: run /etc/alloy, listen on all addresses, storage on the volume, stability level, no usage reports', () => {
    expect(container().args).toEqual([
      'run',
      '/etc/alloy',
      '--server.http.listen-addr=0.0.0.0:12345',
      '--storage.path=/var/lib/alloy/data',
      '--stability.level=generally-available',
      '--disable-reporting',
    ]);
  });

  test('named ports http 12345, otlp-grpc 4317, otlp-http 4318 and the extra syslog port', () => {
    expect(container().ports).toEqual([
      { name: 'http', containerPort: 12345, protocol: 'TCP' },
      { name: 'otlp-grpc', containerPort: 4317, protocol: 'TCP' },
      { name: 'otlp-http', containerPort: 4318, protocol: 'TCP' },
      { name: 'syslog', containerPort: 5514, protocol: 'UDP' },
    ]);
  });

  test('readiness is /-/ready over HTTPS; liveness is a TCP check, never /-/healthy', () => {
    expect(container().readinessProbe.httpGet).toEqual({ path: '/-/ready', port: 12345, scheme: 'HTTPS' });
    expect(container().livenessProbe.tcpSocket).toEqual({ port: 12345 });
    expect(JSON.stringify(container())).not.toContain('/-/healthy');
  });

  test('mounts config at /etc/alloy (the whole volume, never subPath), data at /var/lib/alloy/data, TLS outside /etc/alloy', () => {
    const mounts = Object.fromEntries(container().volumeMounts.map((m: { name: string }) => [m.name, m]));
    const volumes = Object.fromEntries(podSpec().volumes.map((v: { name: string }) => [v.name, v]));
    expect(mounts.config).toMatchObject({ mountPath: '/etc/alloy', readOnly: true });
    for (const c of podSpec().containers) for (const m of c.volumeMounts) expect(m.subPath).toBeUndefined();
    expect(volumes.config.configMap.name).toBe('alloy-config');
    expect(mounts.data.mountPath).toBe('/var/lib/alloy/data');
    expect(volumes.data.persistentVolumeClaim.claimName).toBe('alloy-data');
    expect(mounts.tls.readOnly).toBe(true);
    expect(mounts.tls.mountPath.startsWith('/etc/alloy/')).toBe(false);
    expect(volumes.tls.secret.secretName).toBe('alloy-tls');
  });

  test('the TLS env vars the pipeline reads point into the TLS mount', () => {
    const tlsMount = container().volumeMounts.find((m: { name: string }) => m.name === 'tls').mountPath;
    const env = Object.fromEntries(container().env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.ALLOY_TLS_CERT_FILE).toBe(`${tlsMount}/tls.crt`);
    expect(env.ALLOY_TLS_KEY_FILE).toBe(`${tlsMount}/tls.key`);
  });

  test("the syslog listener's format comes from prod.yaml's syslogFormat as ALLOY_SYSLOG_FORMAT", () => {
    const env = Object.fromEntries(container().env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.ALLOY_SYSLOG_FORMAT).toBe('rfc3164');
  });

  test('envFrom the configured existing Secret, which is not itself in the output', () => {
    expect(container().envFrom).toEqual([{ secretRef: { name: 'grafana-cloud' } }]);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
  });

  test('security context the kubelet accepts with this image: uid/gid 473, non-root, locked down', () => {
    expect(podSpec().securityContext).toMatchObject({
      runAsUser: 473,
      runAsGroup: 473,
      fsGroup: 473,
      runAsNonRoot: true,
    });
    expect(container().securityContext).toEqual({
      runAsUser: 473,
      runAsGroup: 473,
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('resources come from the stack file, not cdk8s-plus defaults', () => {
    expect(container().resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } });
  });

  test('no config checksum on the pod template: a .alloy change leaves the pod template as it was', () => {
    const template = deployment().spec.template;
    expect(template.metadata.annotations).toBeUndefined();
    withScratchProject((other) => {
      const file = other.path('assets/alloy/logging.alloy');
      writeFileSync(file, readFileSync(file, 'utf8').replace('"info"', '"debug"'));
      const changed = other.synth();
      expect(find(changed, 'Deployment').spec.template).toEqual(template);
      expect(find(changed, 'ConfigMap').metadata.annotations?.[CONFIG_HASH_ANNOTATION]).not.toBe(
        find(objects, 'ConfigMap').metadata.annotations?.[CONFIG_HASH_ANNOTATION],
      );
    });
  });

  test('an image change still rolls the pod (the pod template changes)', () => {
    withScratchProject((other) => {
      other.editProd((t) => t.replace('version: v1.10.1', 'version: v1.11.0'));
      expect(find(other.synth(), 'Deployment').spec.template).not.toEqual(deployment().spec.template);
    });
  });
});

describe('the config-reloader sidecar', () => {
  test('pinned prometheus-config-reloader image from the stack file', () => {
    expect(reloader().image).toBe('quay.io/prometheus-operator/prometheus-config-reloader:v0.89.0');
    expect(reloader().imagePullPolicy).toBe('IfNotPresent');
  });

  test('reload URL is https://localhost on the http port (the server answers TLS only)', () => {
    const url = new URL(
      reloader()
        .args.find((a: string) => a.startsWith('--reload-url='))
        .slice('--reload-url='.length),
    );
    const httpPort = container().ports.find((p: { name: string }) => p.name === 'http').containerPort;
    expect(url.protocol).toBe('https:');
    expect(url.hostname).toBe('localhost');
    expect(Number(url.port)).toBe(httpPort);
    expect(url.pathname).toBe('/-/reload');
  });

  test('watches the folder Alloy loads, through the same ConfigMap volume, read-only', () => {
    expect(reloader().args).toContain(`--watched-dir=${container().args[1]}`);
    const alloyMount = container().volumeMounts.find((m: { name: string }) => m.name === 'config');
    expect(reloader().volumeMounts).toEqual([alloyMount]);
  });

  test('has its own readiness on its own port, resources, and the locked-down security context', () => {
    expect(reloader().readinessProbe.httpGet).toEqual({ path: '/healthz', port: 8080, scheme: 'HTTP' });
    expect(reloader().args).toContain('--listen-address=:8080');
    expect(reloader().resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } });
    expect(reloader().securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(reloader().securityContext.runAsUser).toBeGreaterThan(0);
  });

  test('the reloader version comes from the stack file', () => {
    withScratchProject((other) => {
      other.editProd((t) => t.replace('version: v0.89.0', 'version: v0.90.1'));
      const changed = find(other.synth(), 'Deployment').spec.template.spec.containers[1];
      expect(changed.image).toBe('quay.io/prometheus-operator/prometheus-config-reloader:v0.90.1');
    });
  });

  test('single replica: the pipeline gets max_connection_age 0s (gRPC: never)', () => {
    const env = Object.fromEntries(container().env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.ALLOY_OTLP_MAX_CONNECTION_AGE).toBe('0s');
    expect(container().args.some((a: string) => a.startsWith('--cluster.'))).toBe(false);
  });
});

describe('Service alloy', () => {
  test('is a LoadBalancer pinned to the configured IP with the current MetalLB annotation only', () => {
    const service = find(objects, 'Service');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.metadata.annotations).toEqual({ 'metallb.io/loadBalancerIPs': '192.168.1.240' });
    expect(service.spec.loadBalancerIP).toBeUndefined();
  });

  test('exposes http, otlp-grpc, otlp-http and the extra port with its protocol, each onto its container port', () => {
    expect(find(objects, 'Service').spec.ports).toEqual([
      { name: 'http', port: 12345, targetPort: 12345, protocol: 'TCP' },
      { name: 'otlp-grpc', port: 4317, targetPort: 4317, protocol: 'TCP' },
      { name: 'otlp-http', port: 4318, targetPort: 4318, protocol: 'TCP' },
      { name: 'syslog', port: 514, targetPort: 5514, protocol: 'UDP' },
    ]);
  });

  test('selects the pod labels', () => {
    const selector = find(objects, 'Service').spec.selector;
    expect(selector).toEqual({ 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/instance': 'alloy' });
    expect(deployment().spec.template.metadata.labels).toMatchObject(selector);
  });
});

describe('values from the stack file', () => {
  test('hostname, IP, version, issuer, storage and ports each change every place that derives from them', () => {
    withScratchProject((other) => {
      other.editProd((t) =>
        t
          .replace('version: v1.10.1', 'version: v1.11.0')
          .replace('hostname: alloy.tobiash.net', 'hostname: otel.example.org')
          .replace('loadBalancerIP: 192.168.1.240', 'loadBalancerIP: 10.1.2.3')
          .replace('clusterIssuer: lets-encrypt', 'clusterIssuer: staging')
          .replace('    size: 1Gi', '    size: 5Gi\n    storageClass: fast')
          .replace(/ {2}extraPorts:[\s\S]*?protocol: UDP\n/, ''),
      );
      const changed = other.synth();
      expect(find(changed, 'Deployment').spec.template.spec.containers[0].image).toBe('grafana/alloy:v1.11.0');
      for (const o of changed) expect(o.metadata.labels?.['app.kubernetes.io/version']).toBe('v1.11.0');
      expect(find(changed, 'Certificate').spec.dnsNames).toEqual(['otel.example.org']);
      expect(find(changed, 'Certificate').spec.issuerRef.name).toBe('staging');
      expect(find(changed, 'Service').metadata.annotations?.['metallb.io/loadBalancerIPs']).toBe('10.1.2.3');
      expect(find(changed, 'PersistentVolumeClaim').spec).toMatchObject({
        storageClassName: 'fast',
        resources: { requests: { storage: '5Gi' } },
      });
      expect(find(changed, 'Service').spec.ports.map((p: { name: string }) => p.name)).toEqual([
        'http',
        'otlp-grpc',
        'otlp-http',
      ]);
    });
  });

  test('without envFromSecret the container has no envFrom', () => {
    withScratchProject((other) => {
      other.editProd((t) => t.replace(/ {2}envFromSecret:[\s\S]*?MIMIR_TENANT_ID\n/, ''));
      // The pipeline may then read only the env vars the chart sets itself.
      for (const f of readdirSync(other.path('assets/alloy'))) {
        if (!['logging.alloy', 'http.alloy'].includes(f)) rmSync(other.path('assets/alloy', f));
      }
      expect(find(other.synth(), 'Deployment').spec.template.spec.containers[0].envFrom).toBeUndefined();
    });
  });

  test('without envFromSecret a pipeline that reads the Secret keys is refused at synth', () => {
    withScratchProject((other) => {
      other.editProd((t) => t.replace(/ {2}envFromSecret:[\s\S]*?MIMIR_TENANT_ID\n/, ''));
      expect(() => other.synth()).toThrow(
        /export_mimir.alloy:\d+:\d+: error: .*"MIMIR_REMOTE_WRITE_URL" is not provided/,
      );
    });
  });
});

test('snapshot of the single-replica synth (the rules above are asserted one by one; this catches everything else)', () => {
  expect(objects).toMatchSnapshot();
});
