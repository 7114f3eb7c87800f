import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';
import { type KubernetesSource, rulesFor } from './kubernetes-sources';

export interface AlloyClusterRoleProps {
  /** The `alloy.collect.kubernetes` sources whose reads it allows; at least one. */
  readonly sources: readonly KubernetesSource[];
  /** ClusterRole name. @default 'alloy' */
  readonly name?: string;
  /** Labels of the ClusterRole. @default none */
  readonly labels?: Record<string, string>;
}

/**
 * Read access to exactly the core-API resources the enabled sources use (lib/kubernetes-sources.ts), with the
 * verbs spelled out: no wildcard, nothing written. Cluster-wide, since pods and events live in every namespace.
 */
export class AlloyClusterRole extends kplus.ClusterRole {
  constructor(scope: Construct, id: string, props: AlloyClusterRoleProps) {
    if (props.sources.length === 0) throw new Error('AlloyClusterRole: no source enabled, so nothing to allow');
    super(scope, id, { metadata: { name: props.name ?? ALLOY_DEFAULTS.names.clusterRole, labels: props.labels } });
    // One rule per table row, as a reviewer reads it (allow() would write one rule per resource, each with an
    // empty resourceNames list).
    const rules = rulesFor(props.sources).map((r) => ({ apiGroups: [''], resources: r.resources, verbs: r.verbs }));
    ApiObject.of(this).addJsonPatch(JsonPatch.add('/rules', rules));
  }
}
