import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AlloyFile, formatSource, parse } from '../alloy-lint';
import { ALLOY_DEFAULTS } from './defaults';
import { enabledSources, hasClustering, KUBERNETES_SOURCES, type KubernetesCollect } from './kubernetes-sources';

type Block = Extract<AlloyFile['body'][number], { kind: 'block' }>;

export interface KubernetesPipelineProps {
  /** Which sources are on. @default none */
  readonly collect?: Partial<KubernetesCollect>;
  /** The pinned release: decides which components take a `clustering` block. @default 'v1.10.1' */
  readonly version?: string;
  /** More than 1: HA mode, where the sources split their targets over the cluster. @default 1 */
  readonly replicas?: number;
  /** Folder of the sources' files. @default 'assets/alloy_kubernetes' */
  readonly dir?: string;
}

/**
 * The pipeline files of the enabled `alloy.collect.kubernetes` sources, by file name. The files in the folder are
 * written for one replica and valid on every release; in HA mode each component whose pinned release has a
 * `clustering` block gets `clustering { enabled = true }`, so the replicas split the targets instead of each
 * shipping all of them (lib/config/collect-rules.ts refuses HA mode where a source has no such block).
 */
export function kubernetesPipelineFiles(props: KubernetesPipelineProps): Record<string, string> {
  const dir = props.dir ?? ALLOY_DEFAULTS.kubernetesAssetsDir;
  const version = props.version ?? ALLOY_DEFAULTS.version;
  const clustered = (props.replicas ?? ALLOY_DEFAULTS.replicas) > 1;
  const files: Record<string, string> = {};
  for (const source of enabledSources(props.collect)) {
    const name = KUBERNETES_SOURCES[source].file;
    const text = readFileSync(join(dir, name), 'utf8');
    files[name] = clustered ? withClustering(text, join(dir, name), version) : text;
  }
  return files;
}

/** Adds `clustering { enabled = true }` to each top-level component of `text` that has the block in `version`. */
export function withClustering(text: string, file: string, version: string): string {
  const { ast, diagnostics } = parse(text, file);
  if (diagnostics.length > 0) return text; // the synth's linter reports the syntax errors
  const bytes = Buffer.from(text);
  const inserts = ast.body
    .filter((s): s is Block => s.kind === 'block' && hasClustering(s.name.join('.'), version))
    .filter((s) => !s.body.some((c) => c.kind === 'block' && c.name.join('.') === 'clustering'))
    .map((s) => s.rCurly);
  if (inserts.length === 0) return text;
  const parts: Buffer[] = [];
  let at = 0;
  for (const offset of inserts) {
    parts.push(bytes.subarray(at, offset), Buffer.from('\n\tclustering {\n\t\tenabled = true\n\t}\n'));
    at = offset;
  }
  parts.push(bytes.subarray(at));
  return formatSource(Buffer.concat(parts).toString('utf8'), file);
}
