/** The committed version-aware registry: up to date with ../shared/alloy/releases/, and what it answers per release. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildRegistry,
  REGISTRY_DATA_FILE,
  readReleases,
  renderRegistry,
} from '../../alloy-lint/registry/build-registry';
import { ARGUMENT_OVERRIDES } from '../../alloy-lint/registry/overrides';
import { defaultRegistry, UnknownReleaseError } from '../../alloy-lint/registry/registry';
import { describeShared, SHARED_ALLOY } from './shared-fixtures';

describeShared('registry.data.json', () => {
  const releases = readReleases(join(SHARED_ALLOY, 'releases'));

  it('is what `npm run registry` generates from ../shared/alloy/releases/ (run it if this fails)', () => {
    expect(readFileSync(REGISTRY_DATA_FILE, 'utf8')).toBe(renderRegistry(buildRegistry(releases)));
  });

  it('has every release, and every component of each release exactly there', () => {
    const registry = defaultRegistry();
    expect(registry.releases).toEqual(releases.map((r) => r.version));
    for (const r of releases) {
      const view = registry.release(r.version);
      const removed = new Set(
        Object.entries(r.arguments.components)
          .filter(([, e]) => e.removed)
          .map(([n]) => n),
      );
      const expected = r.components.components.map((c) => c.name).filter((n) => !removed.has(n));
      expect(view.componentNames().sort()).toEqual([...new Set(expected)].sort());
    }
    expect(registry.source.license).toMatch(/^Apache-2\.0/);
  });

  it('holds each documented attribute of v1.10.1 with its type and required flag', () => {
    const r = releases.find((x) => x.version === 'v1.10.1');
    const view = defaultRegistry().release('v1.10.1');
    let checked = 0;
    for (const [name, entry] of Object.entries(r?.arguments.components ?? {})) {
      const c = view.component(name);
      if (c === undefined || !entry.complete) continue;
      for (const [attr, info] of Object.entries(entry.attributes)) {
        expect(view.attributes(c.entry, '').get(attr)).toEqual({ type: info.type, required: info.required });
        checked++;
      }
      for (const [path, block] of Object.entries(entry.blocks)) {
        if (ARGUMENT_OVERRIDES.some((o) => o.component === name && o.block === path)) continue;
        const attrs = view.attributes(c.entry, path);
        for (const [attr, info] of Object.entries(block.attributes)) {
          expect([path, attr, attrs.get(attr)]).toEqual([path, attr, { type: info.type, required: info.required }]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(4000);
  });
});

describe('registry lookups by release', () => {
  const registry = defaultRegistry();
  const v1101 = registry.release('v1.10.1');

  it('knows when a component came: otelcol.exporter.file is not in v1.10.1 but in v1.13.2', () => {
    expect(v1101.component('otelcol.exporter.file')).toBeUndefined();
    expect(registry.release('v1.13.2').component('otelcol.exporter.file')?.exports).toEqual(['input']);
    expect(registry.data.components['otelcol.exporter.file'].since).toBe('v1.13.2');
  });

  it('knows when a component went: otelcol.receiver.opencensus is removed in v1.13.2', () => {
    expect(registry.release('v1.12.2').component('otelcol.receiver.opencensus')).toBeDefined();
    expect(registry.release('v1.13.2').component('otelcol.receiver.opencensus')).toBeUndefined();
    expect(registry.data.components['otelcol.receiver.opencensus'].until).toBe('v1.13.2');
  });

  it('knows attributes per release: http > keep_alives_enabled of otelcol.receiver.otlp since v1.12.2', () => {
    const entry = registry.data.components['otelcol.receiver.otlp'];
    expect(registry.release('v1.11.3').attributes(entry, 'http').has('keep_alives_enabled')).toBe(false);
    expect(registry.release('v1.12.2').attributes(entry, 'http').get('keep_alives_enabled')).toEqual({
      type: 'boolean',
      required: false,
    });
    expect(v1101.attributes(entry, 'grpc > tls').get('reload_interval')).toEqual({ type: 'duration', required: false });
  });

  it('corrects the stability doc error of otelcol.receiver.prometheus at v1.10.1, saying why', () => {
    expect(v1101.component('otelcol.receiver.prometheus')?.stability).toBe('generally-available');
    expect(registry.data.overrides['otelcol.receiver.prometheus stability at v1.10.1']).toMatch(
      /StabilityGenerallyAvailable/,
    );
    expect(registry.release('v1.9.2').component('otelcol.receiver.prometheus')?.stability).toBe('public-preview');
  });

  it('keeps the export correction of otelcol.exporter.file and lists every override with a reason', () => {
    expect(registry.data.overrides['otelcol.exporter.file exports']).toMatch(/example uses/);
    for (const reason of Object.values(registry.data.overrides)) expect(reason.length).toBeGreaterThan(30);
    expect(Object.keys(registry.data.overrides).length).toBe(1 + 4 + ARGUMENT_OVERRIDES.length);
  });

  it('maps a patch it lacks to its minor line and a newer release to the newest data, each with a note; refuses an older one', () => {
    expect(registry.release('v1.10.0')).toMatchObject({ name: 'v1.10.0', dataRelease: 'v1.10.1', known: true });
    expect(registry.release('v1.10.0').note).toBe(
      "the linter has no data for Alloy v1.10.0: judged by v1.10.1's data, the nearest release of its minor line it has",
    );
    expect(registry.release('1.10.5')).toMatchObject({ name: 'v1.10.5', dataRelease: 'v1.10.2', known: true });
    expect(registry.release('v1.40.0')).toMatchObject({
      dataRelease: registry.newest,
      known: false,
      newerThanData: true,
    });
    expect(registry.release('v1.40.0').note).toMatch(/^Alloy v1\.40\.0 is newer than the linter's release data/);
    expect(registry.release('v1.10.1').note).toBeUndefined();
    expect(() => registry.release('v1.2.0')).toThrow(UnknownReleaseError);
    expect(() => registry.release('v1.2.0')).toThrow(
      `older than the releases the linter has data for (${registry.range})`,
    );
    expect(() => registry.release('latest')).toThrow(/not an Alloy release: "latest"/);
  });

  it('knows config blocks, stdlib functions, constants and legacy aliases', () => {
    expect(v1101.isConfigBlock('logging')).toBe(true);
    expect(v1101.isConfigBlock('otelcol.exporter.otlp')).toBe(false);
    expect(registry.isFunction('sys.env')).toBe(true);
    expect(registry.isExperimentalFunction('array.group_by')).toBe(true);
    expect(registry.isConstant('constants.hostname')).toBe(true);
    expect(registry.aliasOf('env')).toBe('sys.env');
    expect(registry.isStdlibRoot('encoding')).toBe(true);
    expect(registry.isComponentNamespace('otelcol')).toBe(true);
  });
});
