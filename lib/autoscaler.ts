import type * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';

export interface AlloyAutoscalerProps {
  /** The StatefulSet to scale; its configured replicas are the floor. */
  readonly target: kplus.StatefulSet;
  /** Upper bound of replicas. */
  readonly maxReplicas: number;
  /** Average CPU use, in percent of the request, to scale at. @default 70 */
  readonly targetCPUUtilizationPercentage?: number;
  /** Labels of the autoscaler. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * An autoscaling/v2 HorizontalPodAutoscaler on CPU. `minReplicas` is the StatefulSet's replicas, so the autoscaler
 * never takes the cluster below what the stack file asks for.
 */
export class AlloyAutoscaler extends k8s.KubeHorizontalPodAutoscalerV2 {
  constructor(scope: Construct, id: string, props: AlloyAutoscalerProps) {
    const { target } = props;
    super(scope, id, {
      metadata: { name: target.name, namespace: target.metadata.namespace, labels: props.labels },
      spec: {
        scaleTargetRef: { apiVersion: target.apiVersion, kind: target.kind, name: target.name },
        minReplicas: target.replicas,
        maxReplicas: props.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: {
                type: 'Utilization',
                averageUtilization:
                  props.targetCPUUtilizationPercentage ?? ALLOY_DEFAULTS.ha.targetCPUUtilizationPercentage,
              },
            },
          },
        ],
      },
    });
    // The StatefulSet then leaves spec.replicas out, so that `kubectl apply` does not undo the autoscaler's count.
    target.markHasAutoscaler();
  }
}
