import { join } from 'node:path';
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
