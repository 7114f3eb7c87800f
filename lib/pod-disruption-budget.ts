import type * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';

export interface AlloyDisruptionBudgetProps {
  /** The workload whose pods it protects; its selector becomes the budget's. */
  readonly workload: kplus.Workload;
  /** Labels of the budget. @default none */
  readonly labels?: Record<string, string>;
}

/** At most one Alloy replica voluntarily down at a time (node drains, cluster upgrades). */
export class AlloyDisruptionBudget extends k8s.KubePodDisruptionBudget {
  constructor(scope: Construct, id: string, props: AlloyDisruptionBudgetProps) {
    super(scope, id, {
      metadata: { name: props.workload.name, namespace: props.workload.metadata.namespace, labels: props.labels },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: props.workload.matchLabels },
      },
    });
  }
}
