import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { CentralPipeline } from './central-pipeline';
import { ALLOY_DEFAULTS } from './defaults';

/**
 * Annotation on the ConfigMap holding the `alloy_config_hash` Alloy reports once it has loaded these files;
 * `legacy-deploy verify` compares the running hash with it.
 */
export const CONFIG_HASH_ANNOTATION = 'alloy-deploy/alloy-config-hash';

export interface AlloyConfigMapProps {
  /** The pipeline it holds (centralPipeline): its files become the keys, its hash the annotation. */
  readonly pipeline: CentralPipeline;
  /** Namespace of the ConfigMap. @default 'alloy' */
  readonly namespace?: string;
  /** ConfigMap name. @default 'alloy-config' */
  readonly name?: string;
  /** Labels of the ConfigMap. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * The Alloy pipeline: every file of the central pipeline as one key, annotated with its hash. A change reaches the
 * running pod through the kubelet's ConfigMap sync and the reloader sidecar, never through a restart.
 */
export class AlloyConfigMap extends kplus.ConfigMap {
  /** The pipeline this ConfigMap mounts, by reference: the workloads check they run what it was made for. */
  public readonly pipeline: CentralPipeline;
  /** SHA-256 Alloy will report as `alloy_config_hash{sha256=...}` for these files (the pipeline's hash). */
  public readonly configHash: string;

  constructor(scope: Construct, id: string, props: AlloyConfigMapProps) {
    super(scope, id, {
      metadata: {
        name: props.name ?? ALLOY_DEFAULTS.names.configMap,
        namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace,
        labels: props.labels,
        annotations: { [CONFIG_HASH_ANNOTATION]: props.pipeline.hash },
      },
      data: { ...props.pipeline.files },
    });
    this.pipeline = props.pipeline;
    this.configHash = props.pipeline.hash;
  }
}
