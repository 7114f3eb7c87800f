import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { type AlloyPodProps, addAlloyContainers, DATA_VOLUME, podSelectorOf, workloadBase } from './alloy-pod';

export interface AlloyDeploymentProps extends AlloyPodProps {
  /** PVC mounted at /var/lib/alloy/data (WAL, positions). */
  readonly dataClaim: kplus.IPersistentVolumeClaim;
}

/**
 * One Alloy pod (the single-replica mode). Recreate, because the ReadWriteOnce data volume cannot attach to a
 * second pod while the first runs. No config checksum on the pod template: a ConfigMap change reaches Alloy through
 * the reloader sidecar, without a restart; an image, argument or mount change still rolls the pod.
 */
export class AlloyDeployment extends kplus.Deployment {
  constructor(scope: Construct, id: string, props: AlloyDeploymentProps) {
    super(scope, id, { ...workloadBase(props), replicas: 1, strategy: kplus.DeploymentStrategy.recreate() });
    addAlloyContainers(this, props, {
      dataVolume: kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', props.dataClaim, { name: DATA_VOLUME }),
    });
  }

  /** Selectors by reference (`service.select(this)`) match the selector labels. */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return podSelectorOf(this);
  }
}
