/**
 * The linter rule the chart adds at synth: a component that reads the in-cluster Kubernetes API needs RBAC, and the
 * chart grants only what `alloy.collect.kubernetes` turns on. Such a component would start, fail every request
 * with 403 and keep the pod unhealthy; this makes it an error naming the file, the component and the option.
 * Built on the toolkit's public parse API (lib/alloy): the linter itself knows nothing of the chart's RBAC.
 */
import { type AlloyFile, type Diagnostic, parse, type SourceFile } from '../alloy-lint';
import { enabledSources, type KubernetesCollect, optionKey, rulesFor, sourceGranting } from './kubernetes-sources';

type Stmt = AlloyFile['body'][number];
type Block = Extract<Stmt, { kind: 'block' }>;

/** An API permission: a verb on a resource (`pods/log`; `<resource>.<group>` outside the core group). */
interface Need {
  readonly verb: string;
  readonly resource: string;
}

const read = (...resources: string[]): Need[] =>
  resources.flatMap((resource) => ['list', 'watch'].map((verb) => ({ verb, resource })));
const get = (...resources: string[]): Need[] => resources.map((resource) => ({ verb: 'get', resource }));

/** The resources discovery.kubernetes watches per role (Prometheus' Kubernetes SD). */
const DISCOVERY_ROLES: Readonly<Record<string, Need[]>> = {
  pod: read('pods'),
  node: read('nodes'),
  service: read('services'),
  endpoints: read('endpoints', 'services', 'pods'),
  endpointslice: read('endpointslices.discovery.k8s.io', 'services', 'pods'),
  ingress: read('ingresses.networking.k8s.io'),
};

/** Components that talk to the Kubernetes API with the pod's service account, and what they need. */
const API_NEEDS: Readonly<Record<string, (block: Block) => Need[]>> = {
  'discovery.kubernetes': (b) => DISCOVERY_ROLES[stringAttribute(b, 'role') ?? 'pod'] ?? read('pods'),
  'loki.source.kubernetes': () => [...get('pods'), ...get('pods/log')],
  'loki.source.kubernetes_events': () => read('events'),
  'loki.source.podlogs': () => [...read('podlogs.monitoring.grafana.com', 'pods', 'namespaces'), ...get('pods/log')],
  'discovery.kubelet': () => get('nodes/proxy'),
  'otelcol.processor.k8sattributes': () => read('pods', 'namespaces', 'replicasets.apps'),
  'prometheus.operator.podmonitors': () => read('podmonitors.monitoring.coreos.com'),
  'prometheus.operator.servicemonitors': () => read('servicemonitors.monitoring.coreos.com'),
  'prometheus.operator.probes': () => read('probes.monitoring.coreos.com'),
  'prometheus.operator.scrapeconfigs': () => read('scrapeconfigs.monitoring.coreos.com'),
  'remote.kubernetes.configmap': () => get('configmaps'),
  'remote.kubernetes.secret': () => get('secrets'),
  'loki.rules.kubernetes': () => read('prometheusrules.monitoring.coreos.com', 'namespaces'),
  'mimir.rules.kubernetes': () => read('prometheusrules.monitoring.coreos.com', 'namespaces'),
};

/** Attributes that point a component at another API server, where the chart's RBAC plays no part. */
const ELSEWHERE = new Set(['api_server', 'kubeconfig_file']);

function stringAttribute(block: Block, name: string): string | undefined {
  for (const s of block.body) {
    if (s.kind === 'attribute' && s.name === name && s.value.kind === 'literal' && s.value.value.startsWith('"')) {
      return JSON.parse(s.value.value) as string;
    }
  }
  return undefined;
}

function talksToAnotherCluster(block: Block): boolean {
  return block.body.some(
    (s) =>
      (s.kind === 'attribute' && ELSEWHERE.has(s.name)) ||
      (s.kind === 'block' && s.name.join('.') === 'client' && talksToAnotherCluster(s)),
  );
}

/** Every block of a file, nested ones too (components inside `declare` and `foreach` bodies). */
function* blocks(body: readonly Stmt[]): Generator<Block> {
  for (const s of body) {
    if (s.kind !== 'block') continue;
    yield s;
    yield* blocks(s.body);
  }
}

/**
 * One error per component that needs a permission the enabled sources do not grant. Files that do not parse are
 * left to the linter, which reports their syntax errors.
 */
export function rbacDiagnostics(files: readonly SourceFile[], collect: Partial<KubernetesCollect> | undefined) {
  const granted = rulesFor(enabledSources(collect));
  const isGranted = (n: Need) => granted.some((r) => r.resources.includes(n.resource) && r.verbs.includes(n.verb));
  const diagnostics: Diagnostic[] = [];
  for (const f of files) {
    const { ast, diagnostics: syntax } = parse(f.text, f.file);
    if (syntax.length > 0) continue;
    for (const block of blocks(ast.body)) {
      const name = block.name.join('.');
      const needs = API_NEEDS[name];
      if (!needs || talksToAnotherCluster(block)) continue;
      const missing = needs(block).filter((n) => !isGranted(n));
      if (missing.length === 0) continue;
      const options = [...new Set(missing.map((n) => sourceGranting(n.resource, n.verb)))];
      const fix = options.every((o) => o !== undefined)
        ? `turn on ${options.map(optionKey).join(' and ')}`
        : 'no alloy.collect.kubernetes option grants it';
      const what = missing.map((n) => `${n.verb} ${n.resource}`).join(', ');
      diagnostics.push({
        file: f.file,
        line: ast.lines.line(block.namePos),
        column: ast.lines.column(block.namePos),
        severity: 'error',
        message: `${name} "${block.label}" needs Kubernetes RBAC the chart does not grant (${what}): ${fix}`,
      });
    }
  }
  return diagnostics;
}
