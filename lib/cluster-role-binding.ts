import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';

export interface AlloyClusterRoleBindingProps {
  /** The ClusterRole granted. */
  readonly role: kplus.IClusterRole;
  /** The ServiceAccount it is granted to. */
  readonly serviceAccount: kplus.IServiceAccount;
  /** ClusterRoleBinding name. @default 'alloy' */
  readonly name?: string;
  /** Labels of the ClusterRoleBinding. @default none */
  readonly labels?: Record<string, string>;
}

/** Grants the ClusterRole to the Alloy ServiceAccount, and to nothing else. */
export class AlloyClusterRoleBinding extends kplus.ClusterRoleBinding {
  constructor(scope: Construct, id: string, props: AlloyClusterRoleBindingProps) {
    super(scope, id, {
      metadata: { name: props.name ?? ALLOY_DEFAULTS.names.clusterRoleBinding, labels: props.labels },
      role: props.role,
    });
    this.addSubjects(props.serviceAccount);
  }
}
