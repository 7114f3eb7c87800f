import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { type AlloyPodProps, TLS_FILES } from './alloy-pod';
import { AlloyAutoscaler } from './autoscaler';
import { AlloyCertificate } from './certificate';
import { AlloyClusterService } from './cluster-service';
import { haProblems } from './config/ha-rules';
import { AlloyConfigMap } from './config-map';
import { ALLOY_DEFAULTS, type ClusterCa } from './defaults';
import { AlloyDeployment } from './deployment';
import { recommendedLabels, selectorLabels } from './labels';
import { AlloyNamespace } from './namespace';
import { AlloyDataClaim } from './persistent-volume-claim';
import { AlloyDisruptionBudget } from './pod-disruption-budget';
import { alloyPorts, type ExtraPortProps } from './ports';
import type { ContainerResources } from './resources';
import { AlloyService } from './service';
import { AlloyStatefulSet } from './stateful-set';

/** HA mode settings (only with replicas > 1). */
export interface AlloyHaProps {
  /** CA the cluster peers verify each other against. @default 'system' */
  readonly clusterCa?: ClusterCa;
  /** OTLP gRPC `max_connection_age`, so edges reconnect and spread over the replicas. @default '5m' */
  readonly maxConnectionAge?: string;
  /** A CPU HorizontalPodAutoscaler from `replicas` up to `maxReplicas`. @default none */
  readonly autoscaling?: { readonly maxReplicas: number; readonly targetCPUUtilizationPercentage?: number };
}

/** The central Alloy's settings; the keys are those of `alloy` in config/prod.yaml. */
export interface AlloyChartProps extends ChartProps {
  /** Public name of the instance; the certificate is issued for it. */
  readonly hostname: string;
  /** Address MetalLB pins for the LoadBalancer Service. */
  readonly loadBalancerIP: string;
  /** grafana/alloy image tag. @default 'v1.10.1' */
  readonly version?: string;
  /** cert-manager ClusterIssuer. @default 'lets-encrypt' */
  readonly clusterIssuer?: string;
  /** Data volume size (per replica) and StorageClass. @default 1Gi, the cluster's default StorageClass */
  readonly storage?: { readonly size?: string; readonly storageClass?: string };
  /** Alloy's resources. @default requests 100m/256Mi, limit 1Gi memory, no CPU limit */
  readonly resources?: ContainerResources;
  /** Ports beyond 12345/4317/4318. @default none */
  readonly extraPorts?: readonly ExtraPortProps[];
  /** Existing Secret whose keys become env vars. @default none */
  readonly envFromSecret?: { readonly name: string; readonly keys: readonly string[] };
  /** `--stability.level`. @default 'generally-available' */
  readonly stabilityLevel?: string;
  /** 1: a Deployment; 2–20: HA mode, a clustered StatefulSet. @default 1 */
  readonly replicas?: number;
  /** The reloader sidecar. @default prometheus-config-reloader v0.89.0, requests 10m/16Mi, limit 64Mi memory */
  readonly configReloader?: AlloyPodProps['configReloader'];
  /** HA mode settings; an error with one replica. @default none */
  readonly ha?: AlloyHaProps;
  /** Format the syslog listener parses; messages in the other one are dropped. @default 'rfc3164' */
  readonly syslogFormat?: 'rfc3164' | 'rfc5424';
  /** Folder of the central pipeline's `*.alloy` files. @default 'assets/alloy' */
  readonly assetsDir?: string;
  /** Namespace of every object. @default 'alloy' */
  readonly namespaceName?: string;
}

/** The env var the pipeline reads the OTLP gRPC max_connection_age from (collect_otlp.alloy). */
export const MAX_CONNECTION_AGE_ENV = 'ALLOY_OTLP_MAX_CONNECTION_AGE';

/** gRPC's own default: 0 means connections are never aged out (grpc-go treats a zero MaxConnectionAge as infinity). */
const NO_MAX_CONNECTION_AGE = '0s';

/**
 * Env vars the chart sets itself: where the pipeline finds the mounted certificate, the connection age and the
 * syslog format.
 */
export function chartEnv(props: Pick<AlloyChartProps, 'replicas' | 'ha' | 'syslogFormat'>): Record<string, string> {
  const ha = (props.replicas ?? ALLOY_DEFAULTS.replicas) > 1;
  return {
    ALLOY_TLS_CERT_FILE: TLS_FILES.cert,
    ALLOY_TLS_KEY_FILE: TLS_FILES.key,
    [MAX_CONNECTION_AGE_ENV]: ha
      ? (props.ha?.maxConnectionAge ?? ALLOY_DEFAULTS.ha.maxConnectionAge)
      : NO_MAX_CONNECTION_AGE,
    ALLOY_SYSLOG_FORMAT: props.syslogFormat ?? ALLOY_DEFAULTS.syslogFormat,
  };
}

/** The env vars a central pipeline may read: the chart's own and the keys of the configured Secret. */
export function providedEnv(
  props: Pick<AlloyChartProps, 'replicas' | 'ha' | 'syslogFormat' | 'envFromSecret'>,
): string[] {
  return [...Object.keys(chartEnv(props)), ...(props.envFromSecret?.keys ?? [])].sort();
}

/**
 * The central Alloy: an OTLP gateway behind a MetalLB LoadBalancer, with TLS from cert-manager and a reloader
 * sidecar. One replica: a Deployment with one PVC. More: HA mode, a clustered StatefulSet with a headless cluster
 * Service, a PodDisruptionBudget and optionally an autoscaler.
 */
export class AlloyChart extends Chart {
  /** The ConfigMap, whose `configHash` is the hash Alloy reports once it runs these files. */
  public readonly configMap: AlloyConfigMap;

  constructor(scope: Construct, id: string, props: AlloyChartProps) {
    // No chart-wide namespace: cdk8s would stamp it on the cluster-scoped Namespace object too.
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const version = props.version ?? ALLOY_DEFAULTS.version;
    const replicas = props.replicas ?? ALLOY_DEFAULTS.replicas;
    const problems = haProblems({ version, replicas, ha: props.ha });
    if (problems.length > 0) throw new Error(problems.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n'));

    const namespace = props.namespaceName ?? ALLOY_DEFAULTS.names.namespace;
    const labels = recommendedLabels({ version });
    const ports = alloyPorts(props.extraPorts ?? []);

    new AlloyNamespace(this, 'Namespace', { name: namespace, labels });
    this.configMap = new AlloyConfigMap(this, 'ConfigMap', { namespace, labels, assetsDir: props.assetsDir });
    // One replica, one claim; in HA mode each replica gets its own from the StatefulSet's claim template.
    const dataClaim =
      replicas === 1
        ? new AlloyDataClaim(this, 'DataClaim', {
            namespace,
            labels,
            size: props.storage?.size,
            storageClass: props.storage?.storageClass,
          })
        : undefined;
    const certificate = new AlloyCertificate(this, 'Certificate', {
      namespace,
      labels,
      hostname: props.hostname,
      clusterIssuer: props.clusterIssuer,
    });
    const pod: AlloyPodProps = {
      namespace,
      labels,
      selectorLabels: selectorLabels(),
      version,
      configMap: this.configMap,
      tlsSecretName: certificate.secretName,
      ports,
      stabilityLevel: props.stabilityLevel,
      envFromSecretName: props.envFromSecret?.name,
      env: chartEnv(props),
      resources: props.resources,
      configReloader: props.configReloader,
    };

    let workload: AlloyDeployment | AlloyStatefulSet;
    if (dataClaim) {
      workload = new AlloyDeployment(this, 'Deployment', { ...pod, dataClaim });
    } else {
      const clusterService = new AlloyClusterService(this, 'ClusterService', { namespace, labels });
      const statefulSet = new AlloyStatefulSet(this, 'StatefulSet', {
        ...pod,
        replicas,
        clusterService,
        hostname: props.hostname,
        clusterCa: props.ha?.clusterCa,
        storageSize: props.storage?.size,
        storageClass: props.storage?.storageClass,
      });
      clusterService.select(statefulSet);
      new AlloyDisruptionBudget(this, 'DisruptionBudget', { workload: statefulSet, labels });
      if (props.ha?.autoscaling) {
        new AlloyAutoscaler(this, 'Autoscaler', { target: statefulSet, labels, ...props.ha.autoscaling });
      }
      workload = statefulSet;
    }
    new AlloyService(this, 'Service', { namespace, labels, workload, loadBalancerIP: props.loadBalancerIP, ports });
  }
}
