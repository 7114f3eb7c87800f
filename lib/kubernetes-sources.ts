/**
 * What `alloy.collect.kubernetes` can turn on: for each source, the chart's pipeline file (in
 * assets/alloy_kubernetes/) and the RBAC rules it needs. The ClusterRole, the pipeline files and the linter's
 * RBAC check (lib/rbac-check.ts) all read this one table, so the chart grants exactly what the enabled files use.
 */

/** The sources, as the keys of `alloy.collect.kubernetes`. */
export type KubernetesSource = 'podLogs' | 'events';

export type KubernetesCollect = Readonly<Record<KubernetesSource, boolean>>;

/** One RBAC rule of the core API group (`""`): the only group these sources read. */
export interface CoreRule {
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

const READ = ['get', 'list', 'watch'] as const;

export interface KubernetesSourceSpec {
  /** Its pipeline file in assets/alloy_kubernetes/ (and key in the ConfigMap). */
  readonly file: string;
  readonly rules: readonly CoreRule[];
  /** The component that must split its targets over the replicas in HA mode (a `clustering` block). */
  readonly clusteredComponent: string;
  /** What each replica would ship twice without that block, for messages. */
  readonly unit: string;
}

export const KUBERNETES_SOURCES: Readonly<Record<KubernetesSource, KubernetesSourceSpec>> = {
  // discovery.kubernetes (role pod) lists and watches pods; loki.source.kubernetes gets each pod and streams
  // pods/log. namespaces and nodes, and list/watch on pods/log (which serves get only), are the list, the
  // Alloy Helm chart's: they also cover role node and attach_metadata in a pipeline of one's own.
  podLogs: {
    file: 'collect_pod_logs.alloy',
    rules: [{ resources: ['pods', 'pods/log', 'namespaces', 'nodes'], verbs: READ }],
    clusteredComponent: 'loki.source.kubernetes',
    unit: 'log line',
  },
  // loki.source.kubernetes_events runs an informer on core/v1 Events.
  events: {
    file: 'collect_kubernetes_events.alloy',
    rules: [{ resources: ['events'], verbs: READ }],
    clusteredComponent: 'loki.source.kubernetes_events',
    unit: 'event',
  },
};

export const KUBERNETES_SOURCE_NAMES = Object.keys(KUBERNETES_SOURCES) as KubernetesSource[];

/** The stack-file key of a source, for messages. */
export const optionKey = (source: KubernetesSource) => `alloy.collect.kubernetes.${source}`;

export function enabledSources(collect: Partial<KubernetesCollect> | undefined): KubernetesSource[] {
  return KUBERNETES_SOURCE_NAMES.filter((s) => collect?.[s] === true);
}

/** The rules the enabled sources need, in table order. */
export function rulesFor(sources: readonly KubernetesSource[]): CoreRule[] {
  return sources.flatMap((s) => KUBERNETES_SOURCES[s].rules);
}

/** The source whose rules grant `verb` on `resource`, if any. */
export function sourceGranting(resource: string, verb: string): KubernetesSource | undefined {
  return KUBERNETES_SOURCE_NAMES.find((s) =>
    KUBERNETES_SOURCES[s].rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb)),
  );
}

/**
 * The first release whose component has a `clustering` block (grafana/alloy's Go sources and the reference docs
 * of each release, ../shared/alloy/releases/: loki.source.kubernetes has it in every release from v1.9,
 * loki.source.kubernetes_events from v1.16.0).
 */
export const CLUSTERING_SINCE: Readonly<Record<string, string>> = {
  'loki.source.kubernetes': 'v1.0.0',
  'loki.source.kubernetes_events': 'v1.16.0',
};

/** Whether release tag `version` (vX.Y.Z) is `since` or newer. */
export function isAtLeast(version: string, since: string): boolean {
  const parts = (v: string) => v.replace(/^v/, '').split('.').map(Number);
  const [a, b] = [parts(version), parts(since)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function hasClustering(component: string, version: string): boolean {
  const since = CLUSTERING_SINCE[component];
  return since !== undefined && isAtLeast(version, since);
}
