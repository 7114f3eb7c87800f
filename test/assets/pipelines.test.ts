import { join } from 'node:path';
import { lintDirectory } from '../../alloy-lint';
import type { BlockStmt } from '../../alloy-lint/syntax/ast';
import { containerSpecFor } from '../../legacy/deploy/desired';
import { layoutFor } from '../../legacy/deploy/layout';
import { chartEnv, providedEnv } from '../../lib/alloy-chart';
import { loadDevStack, loadProdStack } from '../../lib/config/load';
import { allAttributeTexts, attributes, type Component, componentsOf, nestedBlock } from '../support/alloy-config';
import { REPO_DIR } from '../support/shared';

const central = componentsOf(join(REPO_DIR, 'assets/alloy'));
const legacy = componentsOf(join(REPO_DIR, 'assets/alloy_legacy'));

function one(components: Component[], name: string): Component {
  const found = components.filter((c) => c.name === name);
  if (found.length !== 1) throw new Error(`expected one ${name}, found ${found.length}`);
  return found[0];
}
const names = (components: Component[]) => components.map((c) => c.name);
const tlsFromCertManager = {
  cert_file: 'sys.env("ALLOY_TLS_CERT_FILE")',
  key_file: 'sys.env("ALLOY_TLS_KEY_FILE")',
};

describe('central pipeline (assets/alloy)', () => {
  const receiver = one(central, 'otelcol.receiver.otlp');

  test.each([
    ['grpc', '0.0.0.0:4317'],
    ['http', '0.0.0.0:4318'],
  ])('OTLP %s listens on %s with TLS from the mounted certificate, re-read on renewal', (protocol, endpoint) => {
    expect(attributes(nestedBlock(receiver.block, protocol)).endpoint).toBe(`"${endpoint}"`);
    const tls = attributes(nestedBlock(receiver.block, `${protocol} > tls`));
    expect(tls).toMatchObject(tlsFromCertManager);
    expect(tls.reload_interval).toMatch(/^"\d+[smh]"$/);
  });

  test('the HTTP server (UI/API on 12345) is served with the same certificate', () => {
    expect(attributes(nestedBlock(one(central, 'http').block, 'tls'))).toEqual(tlsFromCertManager);
  });

  test('processing: resource detection, attribute clean-up, batching, in that order', () => {
    const outputOf = (name: string) => attributes(nestedBlock(one(central, name).block, 'output'));
    expect(outputOf('otelcol.receiver.otlp').traces).toBe('[otelcol.processor.resourcedetection.default.input]');
    expect(outputOf('otelcol.processor.resourcedetection').traces).toBe('[otelcol.processor.attributes.cleanup.input]');
    expect(outputOf('otelcol.processor.attributes').traces).toBe('[otelcol.processor.batch.default.input]');
  });

  test('metrics go to Mimir by remote write; logs and traces to Grafana Cloud OTLP with basic auth from env vars', () => {
    const batch = attributes(nestedBlock(one(central, 'otelcol.processor.batch').block, 'output'));
    expect(batch.metrics).toBe('[otelcol.exporter.prometheus.mimir.input]');
    expect(attributes(one(central, 'otelcol.exporter.prometheus').block).forward_to).toBe(
      '[prometheus.relabel.drop_labels.receiver]',
    );
    // The cardinality guard (alloy.dropLabels) sits between the exporter and remote write.
    expect(attributes(one(central, 'prometheus.relabel').block).forward_to).toBe(
      '[prometheus.remote_write.mimir.receiver]',
    );
    expect(batch.logs).toBe('[otelcol.exporter.otlphttp.grafana_cloud.input]');
    expect(batch.traces).toBe('[otelcol.exporter.otlphttp.grafana_cloud.input]');
    const client = attributes(nestedBlock(one(central, 'otelcol.exporter.otlphttp').block, 'client'));
    expect(client.auth).toBe('otelcol.auth.basic.grafana_cloud.handler');
    const auth = attributes(one(central, 'otelcol.auth.basic').block);
    expect(auth.username).toMatch(/^sys\.env\("\w+"\)$/);
    expect(auth.password).toMatch(/^sys\.env\("\w+"\)$/);
  });

  test('no Docker socket or host-file collection: that stays on the NAS', () => {
    const forbidden = ['discovery.docker', 'loki.source.docker', 'loki.source.file', 'local.file_match'];
    expect(names(central).filter((n) => forbidden.includes(n))).toEqual([]);
    expect(central.flatMap((c) => allAttributeTexts(c.block)).join('\n')).not.toContain('docker.sock');
  });
});

describe('legacy pipeline (assets/alloy_legacy)', () => {
  test('gathers only local data: Docker logs via the socket, Synology logs, host and self metrics', () => {
    // Sources of data: discovery (not relabelling), log sources, file matching, exporters that produce metrics.
    const collectors = names(legacy).filter(
      (n) => /^(discovery|loki\.source|local|prometheus\.exporter)\./.test(n) && n !== 'discovery.relabel',
    );
    expect(collectors.sort()).toEqual(
      [
        'discovery.docker',
        'local.file_match',
        'loki.source.docker',
        'loki.source.file',
        'prometheus.exporter.self',
        'prometheus.exporter.unix',
      ].sort(),
    );
    expect(attributes(one(legacy, 'loki.source.docker').block).host).toBe('"unix:///var/run/docker.sock"');
    expect(attributes(one(legacy, 'local.file_match').block).path_targets).toContain('"/mnt/var/log/');
  });

  test('everything leaves through one otelcol.exporter.otlp to the central instance, TLS verified', () => {
    const exporters = names(legacy).filter((n) =>
      /exporter\.(otlp|otlphttp|prometheus|loki)$|remote_write|write$/.test(n),
    );
    expect(exporters).toEqual(['otelcol.exporter.otlp']);
    const exporter = one(legacy, 'otelcol.exporter.otlp');
    expect(attributes(nestedBlock(exporter.block, 'client')).endpoint).toBe('sys.env("ALLOY_CENTRAL_OTLP_ENDPOINT")');
    // No `insecure` or `insecure_skip_verify` anywhere: the exporter's defaults are TLS on and verified.
    const tls = nestedBlock(exporter.block, 'client > tls');
    expect(Object.keys(attributes(tls)).filter((k) => k.startsWith('insecure'))).toEqual([]);
  });

  test('every log and metric pipeline ends in that exporter', () => {
    const batch = attributes(nestedBlock(one(legacy, 'otelcol.processor.batch').block, 'output'));
    expect(batch).toEqual({
      metrics: '[otelcol.exporter.otlp.central.input]',
      logs: '[otelcol.exporter.otlp.central.input]',
    });
    for (const source of ['loki.source.docker', 'loki.source.file', 'prometheus.scrape']) {
      for (const c of legacy.filter((x) => x.name === source)) {
        expect(attributes(c.block).forward_to).toMatch(/^\[otelcol\.receiver\.(loki|prometheus)\.local\.receiver\]$/);
      }
    }
  });
});

/**
 * The pipelines deliver the data right, not only load (issue #11), each point checked against the v1.10.1 reference
 * (../shared/alloy/releases/v1.10.1/arguments.json) and tied to where its value comes from.
 */
describe('data delivered right', () => {
  const prod = loadProdStack(join(REPO_DIR, 'config/prod.yaml')).alloy;
  const dev = loadDevStack(join(REPO_DIR, 'config/dev.yaml')).alloyLegacy;
  const nas = containerSpecFor(dev, prod.hostname, layoutFor(dev.target.rootDir));
  const output = (components: Component[], name: string, label?: string) => {
    const c = components.find((x) => x.name === name && (label === undefined || x.label === label));
    return attributes(nestedBlock(c?.block as BlockStmt, 'output'));
  };

  test('existing resource values win at the center (override defaults to true), and the NAS sets its own host.name and service.name', () => {
    expect(attributes(one(central, 'otelcol.processor.resourcedetection').block).override).toBe('false');
    const detection = one(legacy, 'otelcol.processor.resourcedetection');
    expect(attributes(detection.block)).toEqual({ detectors: '["env"]', override: 'false' });
    // otelcol.receiver.loki builds an empty resource: both receivers go through the detection before the batch.
    expect(output(legacy, 'otelcol.receiver.loki').logs).toBe('[otelcol.processor.resourcedetection.nas.input]');
    expect(output(legacy, 'otelcol.receiver.prometheus').metrics).toBe(
      '[otelcol.processor.resourcedetection.nas.input]',
    );
    expect(output(legacy, 'otelcol.processor.resourcedetection')).toEqual({
      metrics: '[otelcol.processor.batch.default.input]',
      logs: '[otelcol.processor.batch.default.input]',
    });
    // The env detector reads OTEL_RESOURCE_ATTRIBUTES, which the container gets from dev.yaml.
    expect(nas.env.OTEL_RESOURCE_ATTRIBUTES).toBe(
      `host.name=${dev.target.host},service.name=${dev.resource.serviceName}`,
    );
    expect(
      containerSpecFor({ ...dev, resource: { hostName: 'ds920', serviceName: 'nas' } }, prod.hostname, layoutFor('/v'))
        .env.OTEL_RESOURCE_ATTRIBUTES,
    ).toBe('host.name=ds920,service.name=nas');
  });

  test('syslog: the format is configurable (RFC 3164 by default) and host, app and severity are kept as labels', () => {
    const syslog = one(central, 'loki.source.syslog');
    expect(attributes(nestedBlock(syslog.block, 'listener')).syslog_format).toBe('sys.env("ALLOY_SYSLOG_FORMAT")');
    expect(chartEnv(prod).ALLOY_SYSLOG_FORMAT).toBe(prod.syslogFormat);
    expect(prod.syslogFormat).toBe('rfc3164');
    expect(attributes(syslog.block).relabel_rules).toBe('loki.relabel.syslog.rules');
    const relabel = one(central, 'loki.relabel');
    const rules = relabel.block.body
      .filter((s): s is BlockStmt => s.kind === 'block' && s.name.join('.') === 'rule')
      .map((r) => [attributes(r).source_labels, attributes(r).target_label]);
    expect(rules).toEqual([
      ['["__syslog_message_hostname"]', '"host"'],
      ['["__syslog_message_app_name"]', '"app"'],
      ['["__syslog_message_severity"]', '"severity"'],
    ]);
  });

  test("NAS volume metrics: rootfs_path is the host's / mounted read-only, not the container's", () => {
    expect(attributes(one(legacy, 'prometheus.exporter.unix').block).rootfs_path).toBe('"/host/root"');
    expect(nas.binds).toContain(`${dev.hostPaths.root}:/host/root:ro`);
    expect(dev.hostPaths.root).toBe('/');
  });

  test('a central outage: the send queue and the retry horizon are explicit and come from dev.yaml; the queue is in memory by choice', () => {
    const exporter = one(legacy, 'otelcol.exporter.otlp').block;
    expect(attributes(nestedBlock(exporter, 'sending_queue'))).toEqual({
      enabled: 'true',
      queue_size: 'sys.env("ALLOY_CENTRAL_QUEUE_SIZE")',
    });
    expect(attributes(nestedBlock(exporter, 'retry_on_failure'))).toEqual({
      enabled: 'true',
      max_elapsed_time: 'sys.env("ALLOY_CENTRAL_RETRY_FOR")',
    });
    expect(nas.env.ALLOY_CENTRAL_QUEUE_SIZE).toBe(String(dev.sendQueue.queueSize));
    expect(nas.env.ALLOY_CENTRAL_RETRY_FOR).toBe(dev.sendQueue.retryFor);
    // Longer than the exporter's default of 5m; no storage: an on-disk queue would need public-preview at v1.10.1.
    expect(dev.sendQueue.retryFor).toBe('2h');
    expect(names(legacy)).not.toContain('otelcol.storage.file');
  });

  test('Mimir: basic auth and the X-Scope-OrgID tenant from the Secret', () => {
    const endpoint = nestedBlock(one(central, 'prometheus.remote_write').block, 'endpoint');
    expect(attributes(endpoint).headers).toBe('{"X-Scope-OrgID" = sys.env("MIMIR_TENANT_ID")}');
    expect(attributes(nestedBlock(endpoint as BlockStmt, 'basic_auth'))).toEqual({
      username: 'sys.env("MIMIR_USERNAME")',
      password: 'sys.env("MIMIR_PASSWORD")',
    });
    expect(prod.envFromSecret?.keys).toEqual(
      expect.arrayContaining(['MIMIR_USERNAME', 'MIMIR_PASSWORD', 'MIMIR_TENANT_ID']),
    );
    expect(Object.keys(chartEnv(prod))).not.toContain('MIMIR_PASSWORD');
  });

  test('both pipelines pass the linter as the releases and stability levels the stacks pin', () => {
    expect(
      lintDirectory(join(REPO_DIR, 'assets/alloy'), {
        alloyVersion: prod.version,
        stabilityLevel: prod.stabilityLevel,
        providedEnv: providedEnv(prod),
      }).diagnostics,
    ).toEqual([]);
    expect(
      lintDirectory(join(REPO_DIR, 'assets/alloy_legacy'), {
        alloyVersion: dev.version,
        stabilityLevel: 'generally-available',
        providedEnv: Object.keys(nas.env),
      }).diagnostics,
    ).toEqual([]);
  });
});
