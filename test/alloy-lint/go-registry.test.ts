/**
 * The Go-derived registry (tools/registry + go-registry.ts): the committed data is what the per-release files
 * merge to, it knows every release the stacks pin, it holds what Alloy's Go declarations say where the docs are
 * wrong, the docs-vs-Go report is current, and the generator reads each shape of declaration it must (on a
 * miniature source tree written for the test, given as a git checkout).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lintSources } from '../../alloy-lint';
import { renderRegistry } from '../../alloy-lint/registry/build-registry';
import { DOCS_VS_GO_FILE, docsVsGo, docsVsGoReport } from '../../alloy-lint/registry/docs-vs-go';
import { readRelease } from '../../alloy-lint/registry/generate';
import {
  buildGoRegistry,
  GO_REGISTRY_FILE,
  JUDGED_BY,
  readGoReleases,
  releaseDataOf,
} from '../../alloy-lint/registry/go-registry';
import { defaultRegistry, docsRegistry, goRegistry } from '../../alloy-lint/registry/registry';
import { parseVersion } from '../../alloy-lint/registry/versions';
import { ALLOY_DEFAULTS } from '../../lib/defaults';

const ROOT = resolve(__dirname, '../..');
const minor = (v: string) => (parseVersion(v) ?? []).slice(0, 2).join('.');

/** Every grafana/alloy release a stack file pins (the lines Renovate bumps) and the chart's default. */
function pinnedReleases(): string[] {
  const pins = new Set<string>([ALLOY_DEFAULTS.version]);
  for (const file of readdirSync(join(ROOT, 'config')).filter((f) => f.endsWith('.yaml'))) {
    const lines = readFileSync(join(ROOT, 'config', file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!/renovate:.*packageName=grafana\/alloy\b/.test(line)) return;
      const m = /^\s*version:\s*(\S+)/.exec(lines[i + 1] ?? '');
      if (m === null) throw new Error(`config/${file}:${i + 2}: no version line after the renovate comment`);
      pins.add(m[1]);
    });
  }
  return [...pins].sort();
}

describe('the Go-derived registry data', () => {
  const files = readGoReleases();
  const registry = goRegistry();

  it('is what the per-release files merge to (run `npm run registry -- --merge` if this fails)', () => {
    expect(readFileSync(GO_REGISTRY_FILE, 'utf8')).toBe(
      renderRegistry(buildGoRegistry(files, docsRegistry().data.stdlib)),
    );
  });

  it('knows every release a stack pins: its own data, or its minor line with the reason it is judged by another', () => {
    const pins = pinnedReleases();
    expect(pins).toContain('v1.10.1');
    for (const pin of pins) {
      const ownData = registry.releases.includes(pin);
      const judgedBy = JUDGED_BY[pin];
      const explanation = ownData
        ? 'own data'
        : judgedBy !== undefined && registry.releases.includes(judgedBy.by) && minor(judgedBy.by) === minor(pin)
          ? `judged by ${judgedBy.by}`
          : `unknown: run npm run registry -- ${pin} (or with --checkout DIR of its tag) and commit the result`;
      expect([pin, explanation]).toEqual([pin, ownData ? 'own data' : `judged by ${judgedBy?.by}`]);
      expect(registry.release(pin).known).toBe(true);
      expect(defaultRegistry(pin)).toBe(registry);
    }
  });

  it('records the exact source of each release: the module version, its go.sum hash and the commit', () => {
    for (const f of files) {
      expect(f.source).toMatchObject({ kind: 'module', module: 'github.com/grafana/alloy', version: f.source.release });
      expect(f.source.sum).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
      expect(f.source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(f.problems).toEqual([]);
    }
    expect(Object.keys(registry.source.modules as object)).toEqual(registry.releases);
  });

  it('holds the Go names where the docs named fields wrongly (issue 19), at the pinned release', () => {
    const r = registry.release('v1.10.1');
    const entry = (name: string) => {
      const view = r.component(name);
      if (view === undefined) throw new Error(`${name} missing`);
      return view.entry;
    };
    const lb = entry('otelcol.exporter.loadbalancing');
    expect(r.childBlocks(lb, '')).toContain('sending_queue');
    expect(r.childBlocks(lb, '')).not.toContain('queue');
    const docker = entry('loki.source.docker');
    expect(r.childBlocks(docker, '')).toContain('http_client_config');
    expect(r.childBlocks(docker, '')).not.toContain('client');
    const api = entry('loki.source.api');
    expect(r.childBlocks(api, '')).toContain('grpc');
    expect(r.attributes(api, '').has('graceful_shutdown_timeout')).toBe(true);
    expect(r.attributes(entry('loki.source.windowsevent'), '').has('legacy_bookmark_path')).toBe(true);
    expect(r.isRequired(r.block(entry('beyla.ebpf'), 'output'))).toBe(false);
    // Registered behind build tags: the Linux registration (generally-available), not the placeholder of other
    // platforms (public-preview, no arguments).
    expect(r.component('beyla.ebpf')?.stability).toBe('generally-available');
    expect(r.attributes(entry('beyla.ebpf'), '').has('executable_name')).toBe(true);
  });

  it('knows a block that a release moved away and the next brought back (absent in between)', () => {
    const beyla = registry.data.components['beyla.ebpf'];
    const path = 'ebpf > payload_extraction > http > openai';
    expect(registry.release('v1.17.1').block(beyla, path)).toBeDefined();
    expect(registry.release('v1.18.1').block(beyla, path)).toBeUndefined();
    expect(registry.release('v1.18.1').block(beyla, 'ebpf > payload_extraction > http > genai > openai')).toBeDefined();
    expect(registry.release('v1.19.2').block(beyla, path)).toBeDefined();
  });

  it('judges every entry the docs-derived data left incomplete', () => {
    const docs = docsRegistry();
    const incomplete = Object.entries(docs.data.components).filter(([, e]) => e.incompleteIn !== undefined);
    expect(incomplete.length).toBeGreaterThan(0);
    for (const [name, e] of incomplete) {
      for (const release of e.incompleteIn ?? []) {
        if (!registry.releases.some((r) => minor(r) === minor(release))) continue;
        expect([name, release, registry.release(release).component(name)?.judged]).toEqual([name, release, true]);
      }
    }
    expect(registry.release('v1.10.1').component('otelcol.processor.tail_sampling')?.judged).toBe(true);
  });

  it('rejects the docs-only names Alloy rejects, and accepts the Go names, at the pinned release', () => {
    const errors = (body: string) =>
      lintSources([{ file: 'a.alloy', text: `otelcol.exporter.loadbalancing "lb" {\n${body}}\n` }], {
        alloyVersion: 'v1.10.1',
      })
        .diagnostics.filter((d) => d.severity === 'error')
        .map((d) => d.message);
    const base = 'resolver {\n static {\n hostnames = ["a"]\n }\n}\nprotocol {\n otlp {\n client {}\n }\n}\n';
    expect(errors(`${base}sending_queue {\n enabled = true\n}\n`)).toEqual([]);
    expect(errors(`${base}queue {\n enabled = true\n}\n`)).toEqual([
      'otelcol.exporter.loadbalancing has no block "queue" in Alloy v1.10.0 (it belongs at otelcol.exporter.loadbalancing > protocol > otlp > queue)',
    ]);
  });

  it('rejects every name only the docs have (a docs-only name used instead of the Go name), in every release', () => {
    let tried = 0;
    const missed: string[] = [];
    for (const [release, { items }] of docsVsGo(docsRegistry(), registry)) {
      const docsOnlyBlocks = new Set(
        items.filter((i) => i.what.startsWith('block only in the docs')).map((i) => `${i.component} > ${i.path}`),
      );
      // A name inside a docs-only block is caught at that block (its body is not read further).
      const underDocsOnly = (component: string, path: string) =>
        path
          .split(' > ')
          .some((_, n, parts) => n > 0 && docsOnlyBlocks.has(`${component} > ${parts.slice(0, n).join(' > ')}`));
      for (const item of items) {
        if (underDocsOnly(item.component, item.path)) continue;
        const m = /^attribute "([a-z_][a-z0-9_]*)" only in the docs/.exec(item.what);
        const isBlock = item.what.startsWith('block only in the docs');
        const parts = item.path === '' ? [] : item.path.split(' > ');
        const name = isBlock ? parts.pop() : m?.[1];
        if (name === undefined || registry.release(release).configBlock(item.component) !== undefined) continue;
        const inner = isBlock ? `${name} {\n}\n` : `${name} = 1\n`;
        const body = parts.reduceRight((acc, p) => `${p} {\n${acc}}\n`, inner);
        const text = `${item.component} "x" {\n${body}}\n`;
        const messages = lintSources([{ file: 'a.alloy', text }], { alloyVersion: release }).diagnostics.map(
          (d) => d.message,
        );
        tried++;
        const wanted = isBlock ? `has no block "${name}"` : `has no attribute "${name}"`;
        if (!messages.some((msg) => msg.includes(wanted)))
          missed.push(`${release} ${item.component} > ${item.path}: ${name}`);
      }
    }
    process.stdout.write(`docs-only names: ${tried - missed.length}/${tried} rejected\n`);
    expect(tried).toBeGreaterThan(60);
    expect(missed).toEqual([]);
  });

  it('judges a minor line the Go module proxy does not serve by the docs-derived data', () => {
    expect(defaultRegistry('v1.13.2')).toBe(docsRegistry());
    expect(defaultRegistry('v1.10.1')).toBe(goRegistry());
    expect(defaultRegistry()).toBe(goRegistry());
    expect(defaultRegistry('v1.40.0')).toBe(goRegistry());
    expect(registry.changedAt('v1.15.1')).toBe('after v1.11.0, by v1.15.1');
    expect(registry.changedAt('v1.11.0')).toBe('in v1.11.0');
  });

  it('has a current docs-vs-Go report (run `npm run registry -- --merge` if this fails)', () => {
    const report = docsVsGoReport(docsRegistry(), registry);
    expect(readFileSync(DOCS_VS_GO_FILE, 'utf8')).toBe(report);
    expect(report).toContain('- otelcol.exporter.loadbalancing > queue: block only in the docs (Alloy rejects it)');
    expect(report).toContain('- loki.source.docker > http_client_config: block only in Go (the docs do not list it)');
  });
});

const GO = spawnSync('go', ['version']).status === 0;
if (!GO) process.stderr.write('*** SKIPPED tools/registry generator tests: no Go on PATH\n');

(GO ? describe : describe.skip)('tools/registry on a source tree (the --checkout route)', () => {
  const source = join(__dirname, 'registry-source');
  let data: ReturnType<typeof releaseDataOf>;
  beforeAll(() => {
    data = releaseDataOf(readRelease('v9.9.9', source).output);
  }, 120_000);

  it('reads component.Register: constant names, stability, community, exports (none for Exports: nil)', () => {
    expect(Object.keys(data.components)).toEqual(['demo.community', 'demo.platform', 'demo.widget']);
    expect(data.components['demo.widget']).toMatchObject({ stability: 'public-preview', exports: ['receiver'] });
    expect(data.components['demo.community']).toMatchObject({ community: true, exports: [] });
    expect(data.components['demo.community'].stability).toBeUndefined();
    expect(data.source).toEqual({ release: 'v9.9.9', kind: 'checkout', module: 'github.com/grafana/alloy' });
    // The miniature has no nodeconf/ or tracing: the generator names each config block it cannot find.
    expect(data.problems).toHaveLength(8);
    for (const p of data.problems) expect(p).toMatch(/^config block [a-z.]+: internal\/\S+ not found$/);
  });

  it('maps Go types to Alloy value kinds and `,optional` to required', () => {
    expect(data.components['demo.widget'].attributes).toEqual({
      endpoint: 'string!',
      handler: 'capsule(common.Handler)',
      labels: 'map(string)',
      level: 'string', // a Go int with MarshalText
      password: 'secret',
      proxy_url: 'string', // from the squashed ClientArguments
      timeout: 'duration',
    });
  });

  it('reads blocks: required, repeatable (a named slice), squashed, enum (stage.X) and a recursive enum', () => {
    expect(data.components['demo.widget'].blocks).toEqual({
      output: { required: true, attributes: { metrics: 'list(capsule(common.Handler))' } },
      rule: { repeatable: true, attributes: { match: 'string!' } },
      'stage.drop': { repeatable: true, attributes: { source: 'string' } },
      'stage.match': { repeatable: true, childrenSameAs: '', attributes: { selector: 'string!' } },
      tls: { attributes: { ca_file: 'string' } },
    });
  });

  it('refuses a folder that is no grafana/alloy checkout, in one line naming it', () => {
    expect(() => readRelease('v1.12.2', __dirname)).toThrow(
      new RegExp(`^registry: ${__dirname} is not a checkout of grafana/alloy \\(no internal/component/all\\)$`),
    );
  });

  it('takes the real registration over a stub for other platforms, and reads services and config blocks', () => {
    expect(data.components['demo.platform']).toMatchObject({
      stability: 'experimental',
      attributes: { path: 'string!' },
    });
    expect(data.configBlocks.http.blocks).toEqual({ tls: { attributes: { cert_file: 'string' } } });
    expect(data.configBlocks.logging.attributes).toEqual({ format: 'string', level: 'string' });
    expect(data.configBlocks.declare).toMatchObject({ openAttributes: true, openBlocks: true });
  });
});

describe('npm run registry', () => {
  it('says in one line that it needs Go when Go is not on PATH, and writes nothing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-go-'));
    try {
      writeFileSync(join(empty, 'README'), 'a PATH without go');
      const before = readFileSync(GO_REGISTRY_FILE, 'utf8');
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'alloy-lint/registry/generate.ts', 'v1.19.2'], {
        cwd: ROOT,
        env: { ...process.env, PATH: empty },
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([
        'npm run registry: needs Go (1.22 or newer) on PATH to read Alloy releases from their sources; install Go, or run it with --merge to merge the committed per-release files only',
      ]);
      expect(readFileSync(GO_REGISTRY_FILE, 'utf8')).toBe(before);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
