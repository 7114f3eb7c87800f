import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';

export interface AlloyNamespaceProps {
  /** Namespace name. @default 'alloy' */
  readonly name?: string;
  /** Labels of the Namespace object. @default none */
  readonly labels?: Record<string, string>;
}

/** The namespace every other object lives in. Cluster-scoped: it carries no metadata.namespace of its own. */
export class AlloyNamespace extends kplus.Namespace {
  constructor(scope: Construct, id: string, props: AlloyNamespaceProps = {}) {
    super(scope, id, { metadata: { name: props.name ?? ALLOY_DEFAULTS.names.namespace, labels: props.labels } });
  }
}
