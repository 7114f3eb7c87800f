import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { alloyConfigHash, formatDiagnostic, pipelineFilesOf } from '../alloy-lint';
import { ALLOY_DEFAULTS } from './defaults';

/**
 * Annotation on the ConfigMap holding the `alloy_config_hash` Alloy reports once it has loaded these files;
 * `legacy-deploy verify` compares the running hash with it.
 */
export const CONFIG_HASH_ANNOTATION = 'alloy-deploy/alloy-config-hash';

export interface AlloyConfigMapProps {
  /** Folder whose `*.alloy` files become the ConfigMap's keys. @default 'assets/alloy' */
  readonly assetsDir?: string;
  /** More files by name (the chart's `collect.kubernetes` pipelines); a name the folder has too is an error. @default none */
  readonly extraFiles?: Readonly<Record<string, string>>;
  /** Namespace of the ConfigMap. @default 'alloy' */
  readonly namespace?: string;
  /** ConfigMap name. @default 'alloy-config' */
  readonly name?: string;
  /** Labels of the ConfigMap. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * The `*.alloy` files of a pipeline folder, sorted by name, as the linter and the deploy see them (pipelineFilesOf:
 * links, sub-folders and odd names refused); a missing or empty folder is an error.
 */
export function readAlloyFiles(dir: string): Record<string, string> {
  const { files, problem } = pipelineFilesOf(dir);
  if (problem) throw new Error(formatDiagnostic(problem));
  return Object.fromEntries(
    files.filter((f) => f.name.endsWith('.alloy')).map((f) => [f.name, f.content.toString('utf8')]),
  );
}

/**
 * The Alloy pipeline: every `*.alloy` file of the assets folder as one key. A change reaches the running pod
 * through the kubelet's ConfigMap sync and the reloader sidecar, never through a restart.
 */
export class AlloyConfigMap extends kplus.ConfigMap {
  /** SHA-256 Alloy will report as `alloy_config_hash{sha256=...}` for these files. */
  public readonly configHash: string;

  constructor(scope: Construct, id: string, props: AlloyConfigMapProps = {}) {
    const assetsDir = props.assetsDir ?? ALLOY_DEFAULTS.assetsDir;
    const own = readAlloyFiles(assetsDir);
    for (const name of Object.keys(props.extraFiles ?? {})) {
      if (name in own) throw new Error(`${assetsDir}/${name}: the chart adds a file of this name itself; rename it`);
    }
    const all: Record<string, string> = { ...own, ...props.extraFiles };
    const files = Object.fromEntries(
      Object.keys(all)
        .sort()
        .map((name) => [name, all[name]]),
    );
    const configHash = alloyConfigHash(Object.entries(files).map(([name, content]) => ({ name, content })));
    super(scope, id, {
      metadata: {
        name: props.name ?? ALLOY_DEFAULTS.names.configMap,
        namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace,
        labels: props.labels,
        annotations: { [CONFIG_HASH_ANNOTATION]: configHash },
      },
      data: files,
    });
    this.configHash = configHash;
  }
}
