import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { ALLOY_DEFAULTS } from './defaults';

export interface AlloyDataClaimProps {
  /** Namespace of the claim. @default 'alloy' */
  readonly namespace?: string;
  /** Requested size as a Kubernetes quantity. @default '1Gi' */
  readonly size?: string;
  /** StorageClass. @default the cluster's default StorageClass */
  readonly storageClass?: string;
  /** Claim name. @default 'alloy-data' */
  readonly name?: string;
  /** Labels of the claim. @default none */
  readonly labels?: Record<string, string>;
}

/** Alloy's WAL and component state, so a restart does not lose buffered data. ReadWriteOnce: one pod at a time. */
export class AlloyDataClaim extends kplus.PersistentVolumeClaim {
  constructor(scope: Construct, id: string, props: AlloyDataClaimProps = {}) {
    super(scope, id, {
      metadata: {
        name: props.name ?? ALLOY_DEFAULTS.names.dataClaim,
        namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace,
        labels: props.labels,
      },
      accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
      storageClassName: props.storageClass,
      volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
    });
    // The quantity goes through as written (cdk8s-plus only takes a Size). The generated L1 object serializes
    // quantities through their `.value`, so the patch must carry a Quantity, not a bare string.
    ApiObject.of(this).addJsonPatch(
      JsonPatch.add('/spec/resources', {
        requests: { storage: k8s.Quantity.fromString(props.size ?? ALLOY_DEFAULTS.storage.size) },
      }),
    );
  }
}
