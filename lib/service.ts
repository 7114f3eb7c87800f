import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';
import { type AlloyPort, kplusProtocol } from './ports';

export interface AlloyServiceProps {
  /** The Deployment or StatefulSet whose pods it serves; its selector becomes the Service's. */
  readonly workload: kplus.Workload;
  /** Address MetalLB assigns; pinned so DNS (Unbound) can point at it. */
  readonly loadBalancerIP: string;
  /** Ports to expose; each targets the container port of the same name. */
  readonly ports: readonly AlloyPort[];
  /** Namespace of the Service. @default 'alloy' */
  readonly namespace?: string;
  /** Service name. @default 'alloy' */
  readonly name?: string;
  /** Labels of the Service. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * The LoadBalancer in front of Alloy. The address is pinned with MetalLB's `metallb.io/loadBalancerIPs`
 * annotation: `spec.loadBalancerIP` is deprecated since Kubernetes 1.24, the `metallb.universe.tf/` prefix since
 * MetalLB 0.14.9.
 */
export class AlloyService extends kplus.Service {
  constructor(scope: Construct, id: string, props: AlloyServiceProps) {
    super(scope, id, {
      metadata: {
        name: props.name ?? ALLOY_DEFAULTS.names.service,
        namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace,
        labels: props.labels,
        annotations: { 'metallb.io/loadBalancerIPs': props.loadBalancerIP },
      },
      type: kplus.ServiceType.LOAD_BALANCER,
      ports: props.ports.map((p) => ({
        name: p.name,
        port: p.port,
        targetPort: p.containerPort,
        protocol: kplusProtocol(p),
      })),
    });
    this.select(props.workload);
  }
}
