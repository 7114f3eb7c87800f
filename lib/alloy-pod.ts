import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { configReloaderContainer } from './config-reloader';
import { ALLOY_DEFAULTS } from './defaults';
import { type AlloyPort, HTTP_PORT, kplusProtocol } from './ports';
import { type ContainerResources, patchContainerResources } from './resources';
import { lockedDownContainer } from './security-context';

/** Where the pieces are mounted in the pod. The TLS folder sits outside /etc/alloy so it does not shadow the config. */
export const MOUNT_PATHS = { config: '/etc/alloy', data: '/var/lib/alloy/data', tls: '/etc/alloy-tls' } as const;

/** Files cert-manager writes into the certificate's Secret, as mounted in the pod. */
export const TLS_FILES = {
  cert: `${MOUNT_PATHS.tls}/tls.crt`,
  key: `${MOUNT_PATHS.tls}/tls.key`,
  /** Written for private and self-signed issuers (often absent for ACME ones). */
  ca: `${MOUNT_PATHS.tls}/ca.crt`,
} as const;

/** The CA bundle of the grafana/alloy image (Ubuntu's ca-certificates). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** uid/gid of the `alloy` user that the grafana/alloy image creates (its default user is root). */
export const ALLOY_UID = 473;

/** The name of the data volume: the PVC's volume in a Deployment, the claim template in a StatefulSet. */
export const DATA_VOLUME = 'data';

/** What Alloy's pod is made of, the same for the Deployment and the StatefulSet. */
export interface AlloyPodProps {
  /** Namespace of the workload. @default 'alloy' */
  readonly namespace?: string;
  /** Workload name. @default 'alloy' */
  readonly name?: string;
  /** Labels of the workload and its pods. @default none */
  readonly labels?: Record<string, string>;
  /** Labels the selector matches; a subset of `labels`, and version-free (a selector is immutable). */
  readonly selectorLabels: Record<string, string>;
  /** grafana/alloy image tag. @default 'v1.10.1' */
  readonly version?: string;
  /** ConfigMap mounted (whole, never through subPath) at /etc/alloy. */
  readonly configMap: kplus.IConfigMap;
  /** Secret with tls.crt/tls.key (and ca.crt for a private issuer), mounted at /etc/alloy-tls. */
  readonly tlsSecretName: string;
  /** Container ports; the one named `http` serves the UI/API, the probes and `/-/reload`. */
  readonly ports: readonly AlloyPort[];
  /** `--stability.level`. @default 'generally-available' */
  readonly stabilityLevel?: string;
  /** Existing Secret whose keys all become env vars. @default none */
  readonly envFromSecretName?: string;
  /** Plain env vars set on the container (not secret). @default none */
  readonly env?: Record<string, string>;
  /** Alloy's resources. @default requests cpu 100m, memory 256Mi; limits memory 1Gi, no CPU limit */
  readonly resources?: ContainerResources;
  /** The reloader sidecar. @default prometheus-config-reloader v0.89.0, requests 10m/16Mi, limit 64Mi memory */
  readonly configReloader?: { readonly version?: string; readonly resources?: ContainerResources };
  /** Send anonymous usage reports to Grafana Labs; false runs `alloy run --disable-reporting`. @default false */
  readonly usageReporting?: boolean;
  /**
   * The identity the pod talks to the Kubernetes API as; only with one is its token mounted
   * (`automountServiceAccountToken: true`). @default none (the namespace's default account, no token)
   */
  readonly serviceAccount?: kplus.IServiceAccount;
}

/**
 * What `service.select(workload)` and other selectors by reference match: the workload's own selector labels.
 * cdk8s-plus would match the construct-address label instead, which these pods do not carry.
 */
export function podSelectorOf(workload: kplus.Workload): kplus.PodSelectorConfig {
  return {
    labelSelector: kplus.LabelSelector.of({ labels: workload.matchLabels }),
    namespaces: workload.metadata.namespace ? { names: [workload.metadata.namespace] } : undefined,
  };
}

/** The metadata and pod-level settings cdk8s-plus takes in a workload's constructor. */
export function workloadBase(props: AlloyPodProps) {
  return {
    metadata: {
      name: props.name ?? ALLOY_DEFAULTS.names.workload,
      namespace: props.namespace ?? ALLOY_DEFAULTS.names.namespace,
      labels: props.labels,
    },
    select: false,
    podMetadata: { labels: props.labels },
    serviceAccount: props.serviceAccount,
    automountServiceAccountToken: props.serviceAccount !== undefined,
    securityContext: {
      user: ALLOY_UID,
      group: ALLOY_UID,
      fsGroup: ALLOY_UID,
      // A chown of the whole WAL on every start would slow restarts as the volume fills.
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      ensureNonRoot: true,
    },
  };
}

/**
 * Adds Alloy and the reloader to a workload. `clusterArgs` are appended to `alloy run` (HA mode); `dataVolume`
 * is the PVC's volume, or undefined when a StatefulSet's claim template provides the `data` volume.
 * Readiness is `/-/ready` over HTTPS; liveness only a TCP check, because `/-/healthy` fails whenever one component
 * is unhealthy and a restart would replay the WAL without fixing that component.
 */
export function addAlloyContainers(
  workload: kplus.Workload,
  props: AlloyPodProps,
  options: { readonly clusterArgs?: readonly string[]; readonly dataVolume?: kplus.Volume },
): kplus.Container {
  workload.select(kplus.LabelSelector.of({ labels: props.selectorLabels }));
  const container = workload.addContainer({
    name: 'alloy',
    image: `grafana/alloy:${props.version ?? ALLOY_DEFAULTS.version}`,
    imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
    args: [
      'run',
      MOUNT_PATHS.config,
      `--server.http.listen-addr=0.0.0.0:${HTTP_PORT}`,
      `--storage.path=${MOUNT_PATHS.data}`,
      `--stability.level=${props.stabilityLevel ?? ALLOY_DEFAULTS.stabilityLevel}`,
      ...((props.usageReporting ?? ALLOY_DEFAULTS.usageReporting) ? [] : ['--disable-reporting']),
      ...(options.clusterArgs ?? []),
    ],
    ports: props.ports.map((p) => ({ name: p.name, number: p.containerPort, protocol: kplusProtocol(p) })),
    // The server answers TLS only; the kubelet does not verify the certificate of an HTTPS probe.
    readiness: kplus.Probe.fromHttpGet('/-/ready', {
      port: HTTP_PORT,
      scheme: kplus.ConnectionScheme.HTTPS,
      periodSeconds: Duration.seconds(10),
      failureThreshold: 3,
    }),
    liveness: kplus.Probe.fromTcpSocket({
      port: HTTP_PORT,
      initialDelaySeconds: Duration.seconds(30),
      periodSeconds: Duration.seconds(20),
      failureThreshold: 6,
    }),
    securityContext: lockedDownContainer(ALLOY_UID),
    envVariables: Object.fromEntries(Object.entries(props.env ?? {}).map(([k, v]) => [k, kplus.EnvValue.fromValue(v)])),
  });
  if (props.envFromSecretName) {
    container.env.copyFrom(
      kplus.Env.fromSecret(kplus.Secret.fromSecretName(workload, 'EnvSecret', props.envFromSecretName)),
    );
  }

  const configVolume = kplus.Volume.fromConfigMap(workload, 'ConfigVolume', props.configMap, { name: 'config' });
  container.mount(MOUNT_PATHS.config, configVolume, { readOnly: true });
  if (options.dataVolume) container.mount(MOUNT_PATHS.data, options.dataVolume);
  const tlsSecret = kplus.Secret.fromSecretName(workload, 'TlsSecret', props.tlsSecretName);
  container.mount(MOUNT_PATHS.tls, kplus.Volume.fromSecret(workload, 'TlsVolume', tlsSecret, { name: 'tls' }), {
    readOnly: true,
  });

  const reloaderDefaults = ALLOY_DEFAULTS.configReloader;
  const reloader = workload.addContainer(
    configReloaderContainer({
      version: props.configReloader?.version ?? reloaderDefaults.version,
      watchedDir: MOUNT_PATHS.config,
      alloyHttpPort: HTTP_PORT,
    }),
  );
  reloader.mount(MOUNT_PATHS.config, configVolume, { readOnly: true });

  const patch = ApiObject.of(workload);
  patchContainerResources(patch, 0, { ...ALLOY_DEFAULTS.resources, ...props.resources });
  patchContainerResources(patch, 1, { ...reloaderDefaults.resources, ...props.configReloader?.resources });
  if (!options.dataVolume) {
    patch.addJsonPatch(
      JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/-', {
        name: DATA_VOLUME,
        mountPath: MOUNT_PATHS.data,
      }),
    );
  }
  // cdk8s-plus labels every pod with its construct path even when it does not select on it; keep only ours.
  patch.addJsonPatch(JsonPatch.remove('/spec/template/metadata/labels/cdk8s.io~1metadata.addr'));
  return container;
}
