import { type ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';

/** Kubernetes resource quantities, passed through as written. */
export interface ResourceAmounts {
  readonly cpu?: string;
  readonly memory?: string;
}

/** Requests and limits of one container. */
export interface ContainerResources {
  readonly requests?: ResourceAmounts;
  readonly limits?: ResourceAmounts;
}

function quantities(amounts: ResourceAmounts = {}): Record<string, k8s.Quantity> {
  return Object.fromEntries(
    Object.entries(amounts)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, k8s.Quantity.fromString(v)]),
  );
}

/**
 * Sets a container's resources as written (cdk8s-plus would otherwise impose 1 CPU / 512Mi); as Quantity objects,
 * since the generated L1 object serializes them through their `.value`.
 */
export function patchContainerResources(
  object: ApiObject,
  containerIndex: number,
  resources: Required<ContainerResources>,
): void {
  object.addJsonPatch(
    JsonPatch.replace(`/spec/template/spec/containers/${containerIndex}/resources`, {
      requests: quantities(resources.requests),
      limits: quantities(resources.limits),
    }),
  );
}
