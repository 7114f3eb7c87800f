import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { type AlloyPort, kplusProtocol } from './ports';

/** Where the pieces are mounted in the pod. The TLS folder sits outside /etc/alloy so it does not shadow the config. */
export const MOUNT_PATHS = { config: '/etc/alloy', data: '/var/lib/alloy/data', tls: '/etc/alloy-tls' } as const;

/** uid/gid of the `alloy` user that the grafana/alloy image creates (its default user is root). */
export const ALLOY_UID = 473;

/** Kubernetes resource quantities, passed through as written. */
export interface ResourceAmounts {
  readonly cpu?: string;
  readonly memory?: string;
}

export interface AlloyDeploymentProps {
  /** Namespace of the Deployment. */
  readonly namespace: string;
  /** Image reference, e.g. `grafana/alloy:v1.10.1`. */
  readonly image: string;
  /** ConfigMap mounted at /etc/alloy. */
  readonly configMap: kplus.IConfigMap;
  /** Digest of the configuration; a change rolls the pod so Alloy loads it. */
  readonly configChecksum: string;
  /** PVC mounted at /var/lib/alloy/data (WAL, positions). */
  readonly dataClaim: kplus.IPersistentVolumeClaim;
  /** Secret with tls.crt/tls.key, mounted at /etc/alloy-tls. */
  readonly tlsSecretName: string;
  /** Container ports; the one named `http` serves the UI/API and the probes. */
  readonly ports: readonly AlloyPort[];
  /** UI/API port, probed for readiness and liveness. @default 12345 */
  readonly httpPort?: number;
  /** `--stability.level`. @default 'generally-available' */
  readonly stabilityLevel?: string;
  /** Existing Secret whose keys all become env vars. @default none */
  readonly envFromSecretName?: string;
  /** Plain env vars set on the container (not secret). @default none */
  readonly env?: Record<string, string>;
  /** Resource requests. @default cpu 100m, memory 256Mi */
  readonly requests?: ResourceAmounts;
  /** Resource limits. @default memory 1Gi, no CPU limit (throttling delays OTLP batches) */
  readonly limits?: ResourceAmounts;
  /** Deployment name. @default 'alloy' */
  readonly name?: string;
  /** Labels of the Deployment and its pods. @default none */
  readonly labels?: Record<string, string>;
  /** Labels the selector matches; must be a subset of `labels`. */
  readonly selectorLabels: Record<string, string>;
}

function quantities(amounts: ResourceAmounts): Record<string, k8s.Quantity> {
  return Object.fromEntries(
    Object.entries(amounts)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, k8s.Quantity.fromString(v)]),
  );
}

/**
 * One Alloy pod. Recreate, because the ReadWriteOnce data volume cannot attach to a second pod while the first
 * runs; a liveness check on the TCP port only, because `/-/healthy` fails whenever one component is unhealthy and
 * restarting would replay the WAL without fixing that component.
 */
export class AlloyDeployment extends kplus.Deployment {
  constructor(scope: Construct, id: string, props: AlloyDeploymentProps) {
    const httpPort = props.httpPort ?? 12345;
    super(scope, id, {
      metadata: { name: props.name ?? 'alloy', namespace: props.namespace, labels: props.labels },
      replicas: 1,
      strategy: kplus.DeploymentStrategy.recreate(),
      select: false,
      podMetadata: { labels: props.labels, annotations: { 'checksum/config': props.configChecksum } },
      automountServiceAccountToken: false,
      securityContext: {
        user: ALLOY_UID,
        group: ALLOY_UID,
        fsGroup: ALLOY_UID,
        // A chown of the whole WAL on every start would slow restarts as the volume fills.
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
        ensureNonRoot: true,
      },
    });
    this.select(kplus.LabelSelector.of({ labels: props.selectorLabels }));

    const container = this.addContainer({
      name: 'alloy',
      image: props.image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      args: [
        'run',
        MOUNT_PATHS.config,
        `--server.http.listen-addr=0.0.0.0:${httpPort}`,
        `--storage.path=${MOUNT_PATHS.data}`,
        `--stability.level=${props.stabilityLevel ?? 'generally-available'}`,
      ],
      ports: props.ports.map((p) => ({
        name: p.name,
        number: p.containerPort,
        protocol: kplusProtocol(p),
      })),
      // The server answers TLS only; the kubelet does not verify the certificate of an HTTPS probe.
      readiness: kplus.Probe.fromHttpGet('/-/ready', {
        port: httpPort,
        scheme: kplus.ConnectionScheme.HTTPS,
        periodSeconds: Duration.seconds(10),
        failureThreshold: 3,
      }),
      liveness: kplus.Probe.fromTcpSocket({
        port: httpPort,
        initialDelaySeconds: Duration.seconds(30),
        periodSeconds: Duration.seconds(20),
        failureThreshold: 6,
      }),
      securityContext: {
        user: ALLOY_UID,
        group: ALLOY_UID,
        ensureNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      envVariables: Object.fromEntries(
        Object.entries(props.env ?? {}).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)]),
      ),
    });
    if (props.envFromSecretName) {
      container.env.copyFrom(
        kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, 'EnvSecret', props.envFromSecretName)),
      );
    }

    container.mount(
      MOUNT_PATHS.config,
      kplus.Volume.fromConfigMap(this, 'ConfigVolume', props.configMap, { name: 'config' }),
      {
        readOnly: true,
      },
    );
    container.mount(
      MOUNT_PATHS.data,
      kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', props.dataClaim, { name: 'data' }),
    );
    container.mount(
      MOUNT_PATHS.tls,
      kplus.Volume.fromSecret(this, 'TlsVolume', kplus.Secret.fromSecretName(this, 'TlsSecret', props.tlsSecretName), {
        name: 'tls',
      }),
      { readOnly: true },
    );

    const patch = ApiObject.of(this);
    // Quantities go through as written (cdk8s-plus would otherwise impose 1 CPU / 512Mi); as Quantity objects,
    // since the generated L1 object serializes them through their `.value`.
    patch.addJsonPatch(
      JsonPatch.replace('/spec/template/spec/containers/0/resources', {
        requests: quantities(props.requests ?? { cpu: '100m', memory: '256Mi' }),
        limits: quantities(props.limits ?? { memory: '1Gi' }),
      }),
    );
    // cdk8s-plus labels every pod with its construct path even when it does not select on it; keep only ours.
    patch.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  }
}
