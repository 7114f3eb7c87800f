/**
 * The smaller options of issue #13, each asserted by name: no usage reports (both instances), the UI/API's
 * LoadBalancer port apart from its container port, and the dropped labels reaching the metrics pipeline.
 */
import { join } from 'node:path';
import { type AlloyFile, parse } from '../../alloy-lint';
import { containerSpecFor } from '../../legacy/deploy/desired';
import { layoutFor } from '../../legacy/deploy/layout';
import { loadSettings } from '../../legacy/deploy/settings';
import { DROP_LABELS_ENV } from '../../lib/alloy-chart';
import { ConfigError, loadProdStack } from '../../lib/config/load';
import { legacyAlloySchema } from '../../lib/config/schema';
import { find, haMode, type K8sObject, withScratchProject } from '../support/manifests';
import { REPO_DIR } from '../support/shared';

type Block = Extract<AlloyFile['body'][number], { kind: 'block' }>;
// biome-ignore lint/suspicious/noExplicitAny: manifests are checked by schema, tests read them freely
type Any = any;

const synthWith = (...edits: ((t: string) => string)[]): K8sObject[] =>
  withScratchProject((project) => {
    for (const edit of edits) project.editProd(edit);
    return project.synth();
  });
const workloadOf = (objects: K8sObject[]) =>
  objects.find((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as K8sObject;
const containerOf = (objects: K8sObject[], name = 'alloy') =>
  workloadOf(objects).spec.template.spec.containers.find((c: { name: string }) => c.name === name);
const set = (key: string, value: string) => (t: string) => {
  const line = new RegExp(`^( {2}${key}:).*$`, 'm');
  if (!line.test(t)) throw new Error(`prod.yaml has no "  ${key}:" line`);
  return t.replace(line, `$1 ${value}`);
};

const httpServicePort = (port: number) => (t: string) => {
  if (!t.includes('  servicePorts:\n    http: 12345\n')) throw new Error('prod.yaml has no servicePorts.http: 12345');
  return t.replace('  servicePorts:\n    http: 12345\n', `  servicePorts:\n    http: ${port}\n`);
};

describe('--disable-reporting (alloy.usageReporting: false, the default)', () => {
  test('the central Alloy runs with --disable-reporting, one replica and HA mode alike', () => {
    expect(containerOf(synthWith()).args).toContain('--disable-reporting');
    expect(containerOf(synthWith(haMode(3))).args).toContain('--disable-reporting');
  });

  test('usageReporting: true drops the flag', () => {
    expect(containerOf(synthWith(set('usageReporting', 'true'))).args).not.toContain('--disable-reporting');
  });

  test('the legacy container runs with it too: the committed dev.yaml, and the default of the model', () => {
    expect(loadSettings(join(REPO_DIR, 'config')).container.args).toContain('--disable-reporting');
    const base = {
      target: { host: 'nas.example.net', user: 'deployer' },
      cloudflare: { zone: 'example.net', cnameTarget: 'home.example.net' },
      unbound: { backend: 'opnsense' },
    };
    const layout = layoutFor('/volume2/docker');
    const spec = (extra: object) => containerSpecFor(legacyAlloySchema.parse({ ...base, ...extra }), 'a.b.net', layout);
    expect(spec({}).args).toContain('--disable-reporting');
    expect(spec({ usageReporting: true }).args).not.toContain('--disable-reporting');
  });
});

describe('alloy.servicePorts.http (default 12345)', () => {
  test('443 on the LoadBalancer maps onto the container port 12345, which the pod keeps listening on', () => {
    const objects = synthWith(httpServicePort(443));
    const http = find(objects, 'Service').spec.ports.find((p: { name: string }) => p.name === 'http');
    expect(http).toEqual({ name: 'http', port: 443, targetPort: 12345, protocol: 'TCP' });
    const alloy = containerOf(objects);
    expect(alloy.ports.find((p: { name: string }) => p.name === 'http').containerPort).toBe(12345);
    expect(alloy.args).toContain('--server.http.listen-addr=0.0.0.0:12345');
    expect(alloy.readinessProbe.httpGet.port).toBe(12345);
    expect(containerOf(objects, 'config-reloader').args.join(' ')).toContain('https://localhost:12345/-/reload');
  });

  test('the default keeps the Service port at 12345', () => {
    const http = find(synthWith(), 'Service').spec.ports.find((p: { name: string }) => p.name === 'http');
    expect(http).toMatchObject({ port: 12345, targetPort: 12345 });
  });

  test('a built-in port (OTLP 4317) as the UI/API service port is refused with the line', () => {
    withScratchProject((project) => {
      project.editProd(httpServicePort(4317));
      expect(() => loadProdStack(project.path('config/prod.yaml'))).toThrow(
        /prod\.yaml:\d+: alloy\.servicePorts\.http: port 4317\/TCP is a built-in port/,
      );
    });
  });

  test('a service port an extra port already takes is refused with the line', () => {
    withScratchProject((project) => {
      project.editProd(httpServicePort(4443));
      project.editProd((t) =>
        t.replace(
          '      port: 514\n      containerPort: 5514\n      protocol: UDP',
          '      port: 4443\n      containerPort: 5514',
        ),
      );
      expect(() => loadProdStack(project.path('config/prod.yaml'))).toThrow(ConfigError);
      expect(() => loadProdStack(project.path('config/prod.yaml'))).toThrow(
        /prod\.yaml:\d+: alloy\.extraPorts\[0\]\.port: duplicate port 4443\/TCP \(servicePorts\.http\)/,
      );
    });
  });
});

describe('alloy.dropLabels (default empty)', () => {
  const files = (objects: K8sObject[]) => find(objects, 'ConfigMap').data as Record<string, string>;
  const blocks = (text: string): Block[] => parse(text).ast.body.filter((s): s is Block => s.kind === 'block');
  /** What prometheus.relabel's labeldrop does with the env value: Alloy anchors the regex as ^(?:...)$. */
  const dropped = (regex: string, names: string[]) => names.filter((n) => new RegExp(`^(?:${regex})$`).test(n));
  const env = (objects: K8sObject[]) =>
    containerOf(objects).env.find((e: { name: string }) => e.name === DROP_LABELS_ENV)?.value;

  test('the labels reach the pipeline: ALLOY_DROP_LABELS holds them, the labeldrop rule reads it', () => {
    const objects = synthWith(set('dropLabels', '[k8s_pod_uid, http_client_ip]'));
    expect(env(objects)).toBe('k8s_pod_uid|http_client_ip');
    const relabel = blocks(files(objects)['process_drop_labels.alloy']).find(
      (b) => b.name.join('.') === 'prometheus.relabel' && b.label === 'drop_labels',
    ) as Block;
    const rule = relabel.body.find((s): s is Block => s.kind === 'block' && s.name.join('.') === 'rule') as Block;
    const attrs = Object.fromEntries(
      rule.body.map((a) => [a.kind === 'attribute' ? a.name : '', JSON.stringify((a as Any).value)]),
    );
    expect(JSON.parse(attrs.action)).toMatchObject({ kind: 'literal', value: '"labeldrop"' });
    expect(attrs.regex).toContain(`"\\"${DROP_LABELS_ENV}\\""`);
    expect(attrs.regex).toContain('"env"');
    expect(dropped(env(objects), ['k8s_pod_uid', 'http_client_ip', 'k8s_pod_uid_x', 'job', 'instance'])).toEqual([
      'k8s_pod_uid',
      'http_client_ip',
    ]);
  });

  test('every metrics path passes the guard: remote_write is fed only by prometheus.relabel.drop_labels', () => {
    const all = files(synthWith());
    const feeders = Object.values(all).flatMap((text) =>
      blocks(text)
        .filter((b) => JSON.stringify(b).includes('"remote_write"'))
        .filter((b) => b.name.join('.') !== 'prometheus.remote_write')
        .map((b) => `${b.name.join('.')} "${b.label}"`),
    );
    expect(feeders).toEqual(['prometheus.relabel "drop_labels"']);
    const intoGuard = Object.values(all).flatMap((text) =>
      blocks(text)
        .filter((b) => JSON.stringify(b).includes('"drop_labels"') && b.label !== 'drop_labels')
        .map((b) => `${b.name.join('.')} "${b.label}"`),
    );
    expect(intoGuard.sort()).toEqual(['otelcol.exporter.prometheus "mimir"', 'prometheus.scrape "self"']);
  });

  test('empty (the default) drops no label', () => {
    const objects = synthWith();
    expect(env(objects)).toBe('');
    expect(dropped(env(objects), ['job', 'instance', '__name__', 'le'])).toEqual([]);
  });

  test('a name that is not a Prometheus label name, or one listed twice, is refused with the line', () => {
    withScratchProject((project) => {
      project.editProd(set('dropLabels', '[ok_label, "bad-label", ok_label]'));
      let message = '';
      try {
        loadProdStack(project.path('config/prod.yaml'));
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/prod\.yaml:\d+: alloy\.dropLabels\[1\]: .*Prometheus label name/);
      expect(message).toMatch(/alloy\.dropLabels\[2\]: "ok_label" is listed twice/);
    });
  });
});
