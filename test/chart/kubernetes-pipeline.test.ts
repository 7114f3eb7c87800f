/** The clustering the chart adds in HA mode (lib/kubernetes-pipeline.ts) and the release table it follows. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AlloyFile, formatSource, parse } from '../../alloy-lint';
import { kubernetesPipelineFiles, withClustering } from '../../lib/kubernetes-pipeline';
import { CLUSTERING_SINCE, hasClustering, isAtLeast } from '../../lib/kubernetes-sources';
import { describeWithShared, REPO_DIR, sharedPath } from '../support/shared';

const events = 'loki.source.kubernetes_events "e" {\n\tforward_to = []\n}\n';

test('release order: patch, minor and major compare as numbers', () => {
  expect(isAtLeast('v1.16.0', 'v1.16.0')).toBe(true);
  expect(isAtLeast('v1.10.1', 'v1.16.0')).toBe(false);
  expect(isAtLeast('v1.100.0', 'v1.16.0')).toBe(true);
  expect(isAtLeast('v2.0.0', 'v1.16.0')).toBe(true);
  expect(isAtLeast('v1.15.9', 'v1.16.0')).toBe(false);
});

test('which releases have the block: loki.source.kubernetes always, kubernetes_events from v1.16.0', () => {
  expect(hasClustering('loki.source.kubernetes', 'v1.10.1')).toBe(true);
  expect(hasClustering('loki.source.kubernetes_events', 'v1.15.1')).toBe(false);
  expect(hasClustering('loki.source.kubernetes_events', CLUSTERING_SINCE['loki.source.kubernetes_events'])).toBe(true);
  expect(hasClustering('discovery.kubernetes', 'v1.18.1')).toBe(false);
});

test('adds clustering { enabled = true } as the last block of the component, formatted as alloy fmt would', () => {
  const out = withClustering(events, 'e.alloy', 'v1.16.3');
  expect(out).toBe(
    'loki.source.kubernetes_events "e" {\n\tforward_to = []\n\n\tclustering {\n\t\tenabled = true\n\t}\n}\n',
  );
  expect(formatSource(out)).toBe(out);
});

test('leaves a release without the block, other components and an existing clustering block alone', () => {
  expect(withClustering(events, 'e.alloy', 'v1.10.1')).toBe(events);
  const discovery = 'discovery.kubernetes "p" {\n\trole = "pod"\n}\n';
  expect(withClustering(discovery, 'd.alloy', 'v1.16.3')).toBe(discovery);
  const already =
    'loki.source.kubernetes "p" {\n\ttargets    = []\n\tforward_to = []\n\n\tclustering {\n\t\tenabled = false\n\t}\n}\n';
  expect(withClustering(already, 'p.alloy', 'v1.10.1')).toBe(already);
});

describeWithShared('alloy/releases', 'the clustering table agrees with every release documented in ../shared', () => {
  const releases = readdirSync(sharedPath('alloy/releases')).filter((d) => /^v\d+\.\d+\.\d+$/.test(d));
  test.each(Object.keys(CLUSTERING_SINCE))('%s', (component) => {
    expect(releases.length).toBeGreaterThan(5);
    for (const release of releases) {
      const args = JSON.parse(readFileSync(sharedPath('alloy/releases', release, 'arguments.json'), 'utf8'));
      const documented = Object.keys(args.components[component]?.blocks ?? {}).includes('clustering');
      expect(`${release}: ${hasClustering(component, release)}`).toBe(`${release}: ${documented}`);
    }
  });
});

describeWithShared('alloy/releases', "the chart's pipeline files use only documented arguments", () => {
  type Stmt = AlloyFile['body'][number];
  type Entry = { attributes: Record<string, unknown>; blocks: Record<string, { attributes: Record<string, unknown> }> };
  /** Every attribute as `path > attr` and every block as `path`, below a component. */
  const used = (body: Stmt[], path: string[] = []): string[] =>
    body.flatMap((s) =>
      s.kind === 'attribute'
        ? [[...path, s.name].join(' > ')]
        : [[...path, s.name.join('.')].join(' > '), ...used(s.body, [...path, s.name.join('.')])],
    );
  const documented = (entry: Entry): Set<string> =>
    new Set([
      ...Object.keys(entry.attributes),
      ...Object.entries(entry.blocks).flatMap(([path, b]) => [
        path,
        ...Object.keys(b.attributes).map((a) => `${path} > ${a}`),
      ]),
    ]);

  test.each([
    ['v1.10.1', 1],
    ['v1.10.1', 3],
    ['v1.16.3', 3],
  ])('%s with %d replicas', (release, replicas) => {
    const args = JSON.parse(readFileSync(sharedPath('alloy/releases', String(release), 'arguments.json'), 'utf8'));
    const files = kubernetesPipelineFiles({
      collect: { podLogs: true, events: release !== 'v1.10.1' || replicas === 1 },
      version: String(release),
      replicas: Number(replicas),
      dir: join(REPO_DIR, 'assets/alloy_kubernetes'),
    });
    const undocumented = Object.values(files).flatMap((text) =>
      parse(text).ast.body.flatMap((s) => {
        if (s.kind !== 'block') return [];
        const name = s.name.join('.');
        const entry = args.components[name] as Entry | undefined;
        if (!entry) return [`${name}: no such component`];
        const known = documented(entry);
        return used(s.body)
          .filter((u) => !known.has(u))
          .map((u) => `${name}: ${u}`);
      }),
    );
    expect(undocumented).toEqual([]);
  });
});
