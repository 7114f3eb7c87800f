/**
 * The argument check against the docs' own examples (../shared/alloy/examples/docs-snippets, at v1.18.1, the
 * newest release both registries have; judged by the Go-derived registry): no false error, and a seeded-mutation
 * test of how many real mistakes it catches.
 *
 * An example that a check rejects is either a linter error (then fixed, or the docs' error corrected in
 * alloy-lint/registry/overrides.ts with the Go struct tag that settles it) or an example that is wrong itself,
 * listed below with the reason. Every listed example must still be rejected, so the list cannot go stale.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Diagnostic, lintSources, parse } from '../../alloy-lint';
import { defaultRegistry } from '../../alloy-lint/registry/registry';
import { type BlockStmt, type Expr, endPos, type Stmt, startPos } from '../../alloy-lint/syntax/ast';
import { describeShared, SHARED_ALLOY } from './shared-fixtures';

const RELEASE = 'v1.18.1';
const DIR = join(SHARED_ALLOY, 'examples/docs-snippets');

const FRAGMENT = (what: string, tag: string) =>
  `a fragment of a larger example: it leaves out ${what}, which the code requires (${tag}, no ",optional")`;
const FORWARD_TO = FRAGMENT('forward_to', '`alloy:"forward_to,attr"`');
const TARGETS_AND_FORWARD_TO = FRAGMENT('targets and forward_to', '`alloy:"targets,attr"`, `alloy:"forward_to,attr"`');

/** Examples that are wrong themselves: the error each must still get, and why the example, not the linter, is wrong. */
const WRONG_EXAMPLES: Record<string, { errors: RegExp[]; reason: string }> = {
  'configure__load-remote-configuration__1.alloy': {
    errors: [/missing the required attribute "forward_to"/],
    reason: FORWARD_TO,
  },
  'configure__load-remote-configuration__2.alloy': {
    errors: [/missing the required attribute "forward_to"/],
    reason: FORWARD_TO,
  },
  'get-started__components___index__1.alloy': {
    errors: [/unknown component COMPONENT_NAME/],
    reason: 'a template with COMPONENT_NAME as a placeholder',
  },
  'get-started__components__configure-components__1.alloy': {
    errors: [/unknown component COMPONENT_NAME/],
    reason: 'a template with COMPONENT_NAME as a placeholder',
  },
  'get-started__syntax__6.alloy': {
    errors: [/unknown component BLOCK_NAME/],
    reason: 'a template with BLOCK_NAME as a placeholder',
  },
  'get-started__components__build-pipelines__7.alloy': {
    errors: [/missing the required attribute "targets"/],
    reason: `empty bodies that show label names only; ${TARGETS_AND_FORWARD_TO}`,
  },
  'get-started__components__configure-components__4.alloy': {
    errors: [/has no block "queue_config" .* \(it belongs at prometheus.remote_write > endpoint > queue_config\)/],
    reason: 'queue_config is a block of endpoint (EndpointOptions), not of prometheus.remote_write itself',
  },
  'get-started__syntax__4.alloy': {
    errors: [/has no block "queue_config"/],
    reason: 'queue_config is a block of endpoint (EndpointOptions), not of prometheus.remote_write itself',
  },
  'get-started__expressions__operators__1.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'get-started__syntax__2.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'get-started__syntax__3.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'get-started__syntax__7.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'reference__components__loki__loki.process__10.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'reference__components__loki__loki.process__12.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'reference__components__loki__loki.source.gelf__2.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'reference__components__loki__loki.source.syslog__2.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'shared__reference__components__pyroscope-troubleshooting__1.alloy': { errors: [/"forward_to"/], reason: FORWARD_TO },
  'reference__components__prometheus__prometheus.scrape__4.alloy': {
    errors: [/"targets"/],
    reason: TARGETS_AND_FORWARD_TO,
  },
  'release-notes__1.alloy': { errors: [/"targets"/], reason: TARGETS_AND_FORWARD_TO },
  'release-notes__2.alloy': { errors: [/"targets"/], reason: TARGETS_AND_FORWARD_TO },
  'reference__components__local__local.file__2.alloy': {
    errors: [/unknown component grafana_cloud.stack/],
    reason: 'grafana_cloud.stack is no Alloy component (no registration in grafana/alloy, no reference page)',
  },
  'reference__components__remote__remote.vault__3.alloy': {
    errors: [/unknown component metrics.remote_write/],
    reason: 'metrics.remote_write is the Grafana Agent static-mode name; Alloy has prometheus.remote_write',
  },
  'reference__components__remote__remote.http__2.alloy': {
    errors: [/prometheus.remote_write has no block "client"/],
    reason: 'prometheus.remote_write takes its URL in an endpoint block; client is not one of its blocks',
  },
  'reference__components__otelcol__otelcol.exporter.datadog__2.alloy': {
    errors: [
      /metrics has no attribute "resource_attributes_as_tags" .* \(it belongs in otelcol.exporter.datadog > metrics > exporter\)/,
    ],
    reason:
      'the attribute belongs to the exporter block of metrics (DatadogMetricsExporterArguments `alloy:"resource_attributes_as_tags,attr,optional"`), as the same page documents',
  },
  'reference__components__otelcol__otelcol.extension.jaeger_remote_sampling__4.alloy': {
    errors: [/missing the required block "source"/],
    reason: FRAGMENT('the source block', 'Source ArgumentsSource `alloy:"source,block"`'),
  },
  ...Object.fromEntries(
    [2, 3].map((n) => [
      `reference__components__beyla__beyla.ebpf__${n}.alloy`,
      {
        errors: [/beyla.ebpf > attributes is missing the required block "kubernetes"/],
        reason:
          'an attributes block without kubernetes, which the code requires: Attributes has Kubernetes KubernetesDecorator `alloy:"kubernetes,block"` (no ",optional") in internal/component/beyla/ebpf/args.go; the docs call it optional',
      },
    ]),
  ),
  'reference__components__database_observability__database_observability.mysql__2.alloy': {
    errors: [/database_observability.mysql has no block "database_instance"/, /"data_source_name"/],
    reason:
      'from docs newer than v1.18.1: the database_instance block came in v1.19 (Databases []DatabaseArguments `alloy:"database_instance,block,optional"`); v1.18.1 requires DataSourceName `alloy:"data_source_name,attr"`',
  },
  ...Object.fromEntries(
    [2, 3, 4, 5, 6].map((n) => [
      `reference__components__otelcol__otelcol.processor.redaction__${n}.alloy`,
      {
        errors: [/unknown component otelcol.processor.redaction in Alloy v1.18.1/],
        reason: 'the examples are from docs newer than v1.18.1, which does not have otelcol.processor.redaction',
      },
    ]),
  ),
};

/** The findings of the release-aware checks (they name the release), not the reference checks of fragments. */
const releaseErrors = (diagnostics: Diagnostic[]) =>
  diagnostics.filter((d) => d.severity === 'error' && / in Alloy v\d/.test(d.message));

function lintExample(file: string, text: string | Buffer) {
  return lintSources([{ file, text }], { alloyVersion: RELEASE });
}

describeShared('docs examples', () => {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith('.alloy'))
    .sort();

  it('no false error: every rejected example is a listed wrong one, and every listed one is still rejected', () => {
    const unexplained: string[] = [];
    for (const file of files) {
      const errors = releaseErrors(lintExample(file, readFileSync(join(DIR, file))).diagnostics);
      const wrong = WRONG_EXAMPLES[file];
      if (wrong === undefined) {
        unexplained.push(...errors.map((d) => `${file}:${d.line}:${d.column}: ${d.message}`));
        continue;
      }
      for (const pattern of wrong.errors)
        expect([file, errors.some((d) => pattern.test(d.message))]).toEqual([file, true]);
    }
    expect(unexplained).toEqual([]);
    expect(files.length).toBe(464);
    for (const file of Object.keys(WRONG_EXAMPLES)) expect(files).toContain(file);
  });

  it('catches at least 95 % of seeded mistakes: misspelt names, moved blocks, dropped required attributes, wrong literal kinds', () => {
    const clean = files.filter((f) => WRONG_EXAMPLES[f] === undefined);
    const mutations = clean.flatMap((file) => mutationsOf(file, readFileSync(join(DIR, file), 'utf8')));
    // Up to 150 of each kind, drawn with a fixed seed.
    const kinds = [...new Set(mutations.map((m) => m.kind))];
    const sample = kinds.flatMap((kind) =>
      seededSample(
        mutations.filter((m) => m.kind === kind),
        150,
        11,
      ),
    );
    const byKind = new Map<string, { tried: number; caught: number }>();
    const missed: string[] = [];
    for (const m of sample) {
      const before = releaseErrors(lintExample(m.file, m.original).diagnostics).length;
      // Caught by the release-aware checks themselves: a syntax or reference error does not count.
      const after = releaseErrors(lintExample(m.file, m.mutated).diagnostics).length;
      const caught = after > before;
      const k = byKind.get(m.kind) ?? { tried: 0, caught: 0 };
      k.tried++;
      if (caught) k.caught++;
      else missed.push(`${m.kind} ${m.file}: ${m.what}`);
      byKind.set(m.kind, k);
    }
    const total = sample.length;
    const caught = [...byKind.values()].reduce((n, k) => n + k.caught, 0);
    process.stdout.write(
      `seeded mutations: ${caught}/${total} caught (${((100 * caught) / total).toFixed(1)} %); ${[...byKind]
        .map(([kind, k]) => `${kind} ${k.caught}/${k.tried}`)
        .join(', ')}\n${missed.slice(0, 20).join('\n')}\n`,
    );
    expect(byKind.size).toBe(5);
    expect(total).toBeGreaterThan(400);
    expect(caught / total).toBeGreaterThanOrEqual(0.95);
  });
});

describeShared('docs examples, unrestricted', () => {
  it('catches at least 95 % of misspelt attributes anywhere in a registry component, judged or not', () => {
    // The test above draws mutations only where the registry judges (fully documented components and blocks);
    // this one misspells every attribute of every registry component, so the unjudged parts count as misses.
    const release = defaultRegistry(RELEASE).release(RELEASE);
    let tried = 0;
    let caught = 0;
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.alloy') && WRONG_EXAMPLES[f] === undefined)) {
      const text = readFileSync(join(DIR, file), 'utf8');
      const parsed = parse(text, file);
      if (parsed.diagnostics.length > 0) continue;
      const bytes = Buffer.from(text);
      const before = releaseErrors(lintExample(file, text).diagnostics).length;
      const visit = (stmts: Stmt[]) => {
        for (const s of stmts) {
          if (s.kind === 'block') {
            visit(s.body);
            continue;
          }
          const misspelt = `${s.name.slice(0, -1)}x${s.name.slice(-1)}`;
          const mutated = Buffer.concat([
            bytes.subarray(0, s.namePos),
            Buffer.from(misspelt),
            bytes.subarray(s.namePos + Buffer.byteLength(s.name)),
          ]).toString();
          tried++;
          if (releaseErrors(lintExample(file, mutated).diagnostics).length > before) caught++;
        }
      };
      for (const top of parsed.ast.body) {
        if (top.kind === 'block' && release.component(top.name.join('.')) !== undefined) visit(top.body);
      }
    }
    process.stdout.write(`misspelt attributes, every registry component: ${caught}/${tried} caught\n`);
    expect(tried).toBeGreaterThan(1500);
    expect(caught / tried).toBeGreaterThanOrEqual(0.95);
  });
});

interface Mutation {
  kind: 'misspelt attribute' | 'misspelt block' | 'moved block' | 'dropped required' | 'wrong kind';
  file: string;
  what: string;
  original: string;
  mutated: string;
}

/** Every mutation a clean example allows, in the components the release documents fully. */
function mutationsOf(file: string, text: string): Mutation[] {
  const bytes = Buffer.from(text);
  const edit = (start: number, end: number, insert: string) =>
    Buffer.concat([bytes.subarray(0, start), Buffer.from(insert), bytes.subarray(end)]).toString();
  const release = defaultRegistry(RELEASE).release(RELEASE);
  const out: Mutation[] = [];
  const add = (kind: Mutation['kind'], what: string, mutated: string) =>
    out.push({ kind, file, what, original: text, mutated });
  const parsed = parse(text, file);
  if (parsed.diagnostics.length > 0) return [];
  const body: Stmt[] = parsed.ast.body;
  for (const top of body) {
    if (top.kind !== 'block') continue;
    const name = top.name.join('.');
    const view = release.component(name);
    if (view === undefined || !view.judged || view.entry.openAttributes || view.entry.openBlocks) continue;
    const walk = (block: BlockStmt, path: string) => {
      const attrs = release.attributes(view.entry, path);
      const children = release.childBlocks(view.entry, path);
      const holder = path === '' ? view.entry : release.block(view.entry, path);
      const sameAs = path === '' ? undefined : release.block(view.entry, path)?.childrenSameAs;
      if (holder?.openAttributes || holder?.openBlocks || sameAs !== undefined) return;
      for (const s of block.body) {
        if (s.kind === 'attribute') {
          const spec = attrs.get(s.name);
          if (spec === undefined) continue;
          const misspelt = `${s.name.slice(0, -1)}x${s.name.slice(-1)}`;
          if (!attrs.has(misspelt)) {
            add('misspelt attribute', `${path} ${s.name}`, edit(s.namePos, s.namePos + s.name.length, misspelt));
          }
          if (spec.required === true) {
            const end = valueRange(s.value)[1];
            add('dropped required', `${path} ${s.name}`, edit(s.namePos, end, ''));
          }
          const wrong = wrongLiteral(spec.type, s.value);
          if (wrong !== undefined) {
            const [start, end] = valueRange(s.value);
            add('wrong kind', `${path} ${s.name} = ${wrong}`, edit(start, end, wrong));
          }
          continue;
        }
        const child = s.name.join('.');
        if (!children.includes(child)) continue;
        const childPath = path === '' ? child : `${path} > ${child}`;
        if (s.name.length === 1) {
          const misspelt = `${child.slice(0, -1)}x${child.slice(-1)}`;
          if (!children.includes(misspelt)) {
            add('misspelt block', childPath, edit(s.namePos, s.namePos + child.length, misspelt));
          }
        }
        // Moved: a nested block written one level up, where that release does not document it.
        if (path !== '') {
          const parentPath = path.includes(' > ') ? path.slice(0, path.lastIndexOf(' > ')) : '';
          if (!release.childBlocks(view.entry, parentPath).includes(child)) {
            // Written just before its parent, which puts it in the grandparent's body.
            const moved = Buffer.concat([
              bytes.subarray(0, block.namePos),
              bytes.subarray(s.namePos, s.rCurly + 1),
              Buffer.from('\n'),
              bytes.subarray(block.namePos, s.namePos),
              bytes.subarray(s.rCurly + 1),
            ]).toString();
            add('moved block', `${childPath} -> ${parentPath || '(top)'}`, moved);
          }
        }
        walk(s, childPath);
      }
    };
    walk(top, '');
  }
  return out;
}

/** A literal of another kind than the documented plain type, when the value is a literal; undefined otherwise. */
function wrongLiteral(type: string, value: Expr): string | undefined {
  if (value.kind !== 'literal' && value.kind !== 'array' && value.kind !== 'object') return undefined;
  const t = type.toLowerCase();
  if (t === 'string' || t === 'secret') return '[1]';
  if (t === 'number' || t === 'int' || t === 'float') return 'true';
  if (t === 'bool' || t === 'boolean') return '"yes"';
  if (t === 'duration') return '"5 minutes"';
  if (t.startsWith('list(')) return '"x"';
  if (t.startsWith('map(')) return '[]';
  return undefined;
}

/** Byte range of an attribute's value expression (start inclusive, end exclusive). */
function valueRange(value: Expr): [number, number] {
  return [startPos(value), endPos(value) + 1];
}

/** A deterministic sample (mulberry32), so that every run tries the same mutations. */
function seededSample<T>(items: T[], n: number, seed: number): T[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}
