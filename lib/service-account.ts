import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';

export interface AlloyServiceAccountProps {
  /** Namespace of the ServiceAccount. @default 'alloy' */
  readonly namespace?: string;
  /** ServiceAccount name. @default 'alloy' */
  readonly name?: string;
  /** Labels of the ServiceAccount. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * The identity the ClusterRoleBinding grants the Kubernetes API to. It does not mount its token into every pod
 * (`automountServiceAccountToken: false`): the Alloy pod asks for it itself, and only when a source needs it.
 */
export class AlloyServiceAccount extends kplus.ServiceAccount {
  constructor(scope: Construct, id: string, props: AlloyServiceAccountProps = {}) {
    super(scope, id, {
      metadata: {
        name: props.name ?? ALLOY_DEFAULTS.names.serviceAccount,
        namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace,
        labels: props.labels,
      },
      automountToken: false,
    });
  }
}
