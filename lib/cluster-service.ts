import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';
import { HTTP_PORT } from './ports';

export interface AlloyClusterServiceProps {
  /** Namespace of the Service. @default 'alloy' */
  readonly namespace?: string;
  /** Service name; `--cluster.join-addresses` names it. @default 'alloy-cluster' */
  readonly name?: string;
  /** Labels of the Service. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * The headless Service Alloy peers find each other through (`--cluster.join-addresses`) and the StatefulSet's
 * governing Service. `publishNotReadyAddresses`: a peer is not ready until it has joined, so peers must be listed
 * before they are ready. Select the workload with `select(statefulSet)`.
 */
export class AlloyClusterService extends kplus.Service {
  constructor(scope: Construct, id: string, props: AlloyClusterServiceProps = {}) {
    super(scope, id, {
      metadata: {
        name: props.name ?? ALLOY_DEFAULTS.names.clusterService,
        namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace,
        labels: props.labels,
      },
      type: kplus.ServiceType.CLUSTER_IP,
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      ports: [{ name: 'http', port: HTTP_PORT, targetPort: HTTP_PORT, protocol: kplus.Protocol.TCP }],
    });
  }

  /** `host:port` the peers join at (cluster-local DNS of the headless Service). */
  get joinAddress(): string {
    return `${this.name}.${this.metadata.namespace}.svc:${HTTP_PORT}`;
  }
}
