import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import {
  type AlloyPodProps,
  addAlloyContainers,
  DATA_VOLUME,
  podSelectorOf,
  SYSTEM_CA_BUNDLE,
  TLS_FILES,
  workloadBase,
} from './alloy-pod';
import type { AlloyClusterService } from './cluster-service';
import type { AlloyConfigMap } from './config-map';
import { ALLOY_DEFAULTS, type ClusterCa } from './defaults';

export interface AlloyStatefulSetProps extends AlloyPodProps {
  /** The pipeline's ConfigMap: its pipeline must be made for these replicas and this version (clustering blocks). */
  readonly configMap: AlloyConfigMap;
  /** Number of pods (2–20). */
  readonly replicas: number;
  /** Headless Service the peers join through; also the StatefulSet's governing Service. */
  readonly clusterService: AlloyClusterService;
  /** The certificate's DNS name: peers dial pod IPs and verify the certificate against this name. */
  readonly hostname: string;
  /** CA the peers verify each other against. @default 'system' */
  readonly clusterCa?: ClusterCa;
  /** Size of each replica's data volume. @default '1Gi' */
  readonly storageSize?: string;
  /** StorageClass of the data volumes. @default the cluster's default StorageClass */
  readonly storageClass?: string;
}

/** `alloy run` flags for clustering over the TLS HTTP server; every path is a mounted file or the image's bundle. */
export function clusterArgs(props: { joinAddress: string; hostname: string; clusterCa: ClusterCa }): string[] {
  return [
    '--cluster.enabled=true',
    `--cluster.join-addresses=${props.joinAddress}`,
    '--cluster.enable-tls=true',
    `--cluster.tls-ca-path=${props.clusterCa === 'secret' ? TLS_FILES.ca : SYSTEM_CA_BUNDLE}`,
    `--cluster.tls-cert-path=${TLS_FILES.cert}`,
    `--cluster.tls-key-path=${TLS_FILES.key}`,
    `--cluster.tls-server-name=${props.hostname}`,
  ];
}

/**
 * HA mode: a clustered StatefulSet with one ReadWriteOnce volume per replica (a shared RWO claim cannot serve several
 * WALs). Parallel pod management, since peers join each other and no ordering is needed; RollingUpdate replaces one
 * pod at a time.
 */
export class AlloyStatefulSet extends kplus.StatefulSet {
  constructor(scope: Construct, id: string, props: AlloyStatefulSetProps) {
    if (props.replicas < 2)
      throw new Error('AlloyStatefulSet: replicas must be 2 or more (one replica: AlloyDeployment)');
    // The HA rules (a release whose clustering over TLS is broken, too many replicas) were checked where the
    // pipeline was made; what is left is that the pods run the pipeline made for them.
    const { settings } = props.configMap.pipeline;
    const version = props.version ?? ALLOY_DEFAULTS.version;
    if (settings.replicas !== props.replicas || settings.version !== version) {
      throw new Error(
        `AlloyStatefulSet: ${props.replicas} replicas of ${version} cannot mount a pipeline made for ` +
          `${settings.replicas} of ${settings.version} (make it with centralPipeline({ replicas, version }))`,
      );
    }
    super(scope, id, {
      ...workloadBase(props),
      replicas: props.replicas,
      service: props.clusterService,
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      strategy: kplus.StatefulSetUpdateStrategy.rollingUpdate(),
    });
    addAlloyContainers(this, props, {
      clusterArgs: clusterArgs({
        joinAddress: props.clusterService.joinAddress,
        hostname: props.hostname,
        clusterCa: props.clusterCa ?? ALLOY_DEFAULTS.ha.clusterCa,
      }),
    });
    const patch = ApiObject.of(this);
    patch.addJsonPatch(
      JsonPatch.add('/spec/volumeClaimTemplates', [
        {
          // Claim templates cannot change after creation: version-free labels, so a release bump still applies.
          metadata: { name: DATA_VOLUME, labels: props.selectorLabels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            volumeMode: 'Filesystem',
            ...(props.storageClass ? { storageClassName: props.storageClass } : {}),
            resources: {
              requests: { storage: k8s.Quantity.fromString(props.storageSize ?? ALLOY_DEFAULTS.storage.size) },
            },
          },
        },
      ]),
    );
    // Soft spread: with ScheduleAnyway a drain of one node of two still finds a place for the evicted pod.
    patch.addJsonPatch(
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: this.matchLabels },
        },
      ]),
    );
  }

  /** Selectors by reference (`service.select(this)`) match the selector labels. */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return podSelectorOf(this);
  }
}
