/** The committed component registry: up to date with ../shared/alloy/components.json, and what it answers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildRegistry,
  type ComponentsJson,
  REGISTRY_DATA_FILE,
  renderRegistry,
} from '../../alloy-lint/registry/build-registry';
import { defaultRegistry } from '../../alloy-lint/registry/registry';
import { describeShared, SHARED_ALLOY } from './shared-fixtures';

describeShared('registry.data.json', () => {
  it('is what `npm run registry` generates from ../shared/alloy/components.json (run it if this fails)', () => {
    const json = JSON.parse(readFileSync(join(SHARED_ALLOY, 'components.json'), 'utf8')) as ComponentsJson;
    expect(readFileSync(REGISTRY_DATA_FILE, 'utf8')).toBe(renderRegistry(buildRegistry(json)));
  });

  it('keeps every component of the source, and names its source and licence', () => {
    const json = JSON.parse(readFileSync(join(SHARED_ALLOY, 'components.json'), 'utf8')) as ComponentsJson;
    const registry = defaultRegistry();
    for (const c of json.components) expect(registry.component(c.name)).toBeDefined();
    expect(registry.source.license).toMatch(/^Apache-2\.0/);
    expect(registry.source.commit).toBe(json.source.commit);
  });
});

describe('registry lookups', () => {
  const registry = defaultRegistry();

  it('knows component exports, with null for undocumented ones', () => {
    expect(registry.component('otelcol.exporter.otlp')?.exports).toEqual(['input']);
    expect(registry.component('prometheus.remote_write')?.exports).toEqual(['receiver']);
    expect(registry.component('discovery.relabel')?.exports).toEqual(['output', 'rules']);
    expect(registry.component('otelcol.receiver.otlp')?.exports).toEqual([]);
    expect(registry.component('loki.source.journal')?.exports).toBeNull();
    expect(registry.component('no.such.component')).toBeUndefined();
  });

  it('corrects the documented export error of otelcol.exporter.file, saying why', () => {
    expect(registry.component('otelcol.exporter.file')?.exports).toEqual(['input']);
    expect(registry.data.overrides['otelcol.exporter.file']).toMatch(/example uses/);
  });

  it('knows config blocks, stdlib functions, constants and legacy aliases', () => {
    expect(registry.isConfigBlock('logging')).toBe(true);
    expect(registry.isConfigBlock('import.git')).toBe(true);
    expect(registry.isConfigBlock('otelcol.exporter.otlp')).toBe(false);
    expect(registry.isFunction('sys.env')).toBe(true);
    expect(registry.isFunction('array.group_by')).toBe(true);
    expect(registry.isExperimentalFunction('array.group_by')).toBe(true);
    expect(registry.isConstant('constants.hostname')).toBe(true);
    expect(registry.aliasOf('env')).toBe('sys.env');
    expect(registry.isStdlibRoot('encoding')).toBe(true);
    expect(registry.isComponentNamespace('otelcol')).toBe(true);
  });
});
