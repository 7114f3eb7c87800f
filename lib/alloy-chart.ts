import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { formatDiagnostic } from '../alloy-lint';
import { type AlloyPodProps, TLS_FILES } from './alloy-pod';
import { AlloyAutoscaler } from './autoscaler';
import { type CentralPipeline, centralPipeline, isMadeFor } from './central-pipeline';
import { AlloyCertificate } from './certificate';
import { AlloyClusterRole } from './cluster-role';
import { AlloyClusterRoleBinding } from './cluster-role-binding';
import { AlloyClusterService } from './cluster-service';
import { AlloyConfigMap } from './config-map';
import { ALLOY_DEFAULTS, type ClusterCa } from './defaults';
import { AlloyDeployment } from './deployment';
import { enabledSources, type KubernetesCollect, type KubernetesSource } from './kubernetes-sources';
import { recommendedLabels, selectorLabels } from './labels';
import { AlloyNamespace } from './namespace';
import { AlloyDataClaim } from './persistent-volume-claim';
import { AlloyDisruptionBudget } from './pod-disruption-budget';
import { alloyPorts, type ExtraPortProps, type ServicePortsProps } from './ports';
import type { ContainerResources } from './resources';
import { AlloyService } from './service';
import { AlloyServiceAccount } from './service-account';
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
  /**
   * What the instance collects itself: `kubernetes.podLogs` (every pod's logs through the API) and
   * `kubernetes.events`; each adds its pipeline file and exactly the RBAC it needs. @default nothing
   */
  readonly collect?: { readonly kubernetes?: Partial<KubernetesCollect> };
  /** Send anonymous usage reports to Grafana Labs; false runs `alloy run --disable-reporting`. @default false */
  readonly usageReporting?: boolean;
  /** LoadBalancer ports that differ from the container ports. @default http 12345 */
  readonly servicePorts?: ServicePortsProps;
  /** Metric labels dropped before remote write (`ALLOY_DROP_LABELS`, process_drop_labels.alloy). @default none */
  readonly dropLabels?: readonly string[];
  /** Folder of the central pipeline's `*.alloy` files (read only without `pipeline`). @default 'assets/alloy' */
  readonly assetsDir?: string;
  /** Folder of the `collect.kubernetes` pipeline files (read only without `pipeline`). @default 'assets/alloy_kubernetes' */
  readonly kubernetesAssetsDir?: string;
  /**
   * The pipeline, computed once by the caller (synth lints the same value); it must have been made for this chart's
   * version, replicas, ha and collect. @default centralPipeline of these props and folders
   */
  readonly pipeline?: CentralPipeline;
  /** Namespace of every object. @default 'alloy' */
  readonly namespaceName?: string;
}

/** The env var the pipeline reads the OTLP gRPC max_connection_age from (collect_otlp.alloy). */
export const MAX_CONNECTION_AGE_ENV = 'ALLOY_OTLP_MAX_CONNECTION_AGE';

/** gRPC's own default: 0 means connections are never aged out (grpc-go treats a zero MaxConnectionAge as infinity). */
const NO_MAX_CONNECTION_AGE = '0s';

/** The env var the cardinality guard reads the dropped labels from (process_drop_labels.alloy). */
export const DROP_LABELS_ENV = 'ALLOY_DROP_LABELS';

type ChartEnvProps = Pick<AlloyChartProps, 'replicas' | 'ha' | 'syslogFormat' | 'dropLabels'>;

/**
 * Env vars the chart sets itself: where the pipeline finds the mounted certificate, the connection age, the syslog
 * format, and the dropped labels as one alternation (label names hold no regex metacharacters); empty matches no
 * label.
 */
export function chartEnv(props: ChartEnvProps): Record<string, string> {
  const ha = (props.replicas ?? ALLOY_DEFAULTS.replicas) > 1;
  return {
    ALLOY_TLS_CERT_FILE: TLS_FILES.cert,
    ALLOY_TLS_KEY_FILE: TLS_FILES.key,
    [MAX_CONNECTION_AGE_ENV]: ha
      ? (props.ha?.maxConnectionAge ?? ALLOY_DEFAULTS.ha.maxConnectionAge)
      : NO_MAX_CONNECTION_AGE,
    ALLOY_SYSLOG_FORMAT: props.syslogFormat ?? ALLOY_DEFAULTS.syslogFormat,
    [DROP_LABELS_ENV]: (props.dropLabels ?? ALLOY_DEFAULTS.dropLabels).join('|'),
  };
}

/** The env vars a central pipeline may read: the chart's own and the keys of the configured Secret. */
export function providedEnv(props: ChartEnvProps & Pick<AlloyChartProps, 'envFromSecret'>): string[] {
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
    // The pipeline's maker checks the settings (HA and collect rules): given one, only that it is made for these.
    const pipeline = props.pipeline ?? centralPipeline(props);
    if (!isMadeFor(pipeline, props)) {
      throw new Error('pipeline: made for other version, replicas, ha or collect settings than the chart is given');
    }
    const refused = pipeline.diagnostics.filter((d) => d.severity === 'error');
    if (refused.length > 0) throw new Error(refused.map(formatDiagnostic).join('\n'));

    const namespace = props.namespaceName ?? ALLOY_DEFAULTS.names.namespace;
    const labels = recommendedLabels({ version });
    const ports = alloyPorts(props.extraPorts ?? [], props.servicePorts);
    const sources = enabledSources(props.collect?.kubernetes);

    new AlloyNamespace(this, 'Namespace', { name: namespace, labels });
    this.configMap = new AlloyConfigMap(this, 'ConfigMap', { namespace, labels, pipeline });
    // The API identity only when a source needs one: without it the pod keeps the default account, no token.
    const serviceAccount = sources.length > 0 ? this.kubernetesAccess(namespace, labels, sources) : undefined;
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
      usageReporting: props.usageReporting,
      serviceAccount,
    };

    let workload: AlloyDeployment | AlloyStatefulSet;
    if (dataClaim) {
      workload = new AlloyDeployment(this, 'Deployment', { ...pod, dataClaim });
    } else {
      const clusterService = new AlloyClusterService(this, 'ClusterService', { namespace, labels });
      const statefulSet = new AlloyStatefulSet(this, 'StatefulSet', {
        ...pod,
        configMap: this.configMap,
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

  /** ServiceAccount, ClusterRole and ClusterRoleBinding for the enabled sources. */
  private kubernetesAccess(namespace: string, labels: Record<string, string>, sources: KubernetesSource[]) {
    const serviceAccount = new AlloyServiceAccount(this, 'ServiceAccount', { namespace, labels });
    const role = new AlloyClusterRole(this, 'ClusterRole', { sources, labels });
    new AlloyClusterRoleBinding(this, 'ClusterRoleBinding', { role, serviceAccount, labels });
    return serviceAccount;
  }
}
