import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import { AlloyCertificate } from './certificate';
import type { CentralAlloyConfig } from './config/schema';
import { AlloyConfigMap } from './config-map';
import { AlloyDeployment, MOUNT_PATHS } from './deployment';
import { recommendedLabels, selectorLabels } from './labels';
import { AlloyNamespace } from './namespace';
import { AlloyDataClaim } from './persistent-volume-claim';
import { alloyPorts, HTTP_PORT } from './ports';
import { AlloyService } from './service';

export interface AlloyChartProps extends ChartProps {
  /** The `alloy` section of the prod stack file. */
  readonly alloy: CentralAlloyConfig;
  /** Folder of the central pipeline's `*.alloy` files. @default 'assets/alloy' */
  readonly assetsDir?: string;
  /** Namespace of every object. @default 'alloy' */
  readonly namespaceName?: string;
}

/** Env vars the chart sets itself: where the pipeline finds the mounted certificate. */
export const TLS_ENV = {
  ALLOY_TLS_CERT_FILE: `${MOUNT_PATHS.tls}/tls.crt`,
  ALLOY_TLS_KEY_FILE: `${MOUNT_PATHS.tls}/tls.key`,
} as const;

/** Env vars the chart sets itself: the certificate's files and the pipeline settings of the stack file. */
export function chartEnv(alloy: CentralAlloyConfig): Record<string, string> {
  return { ...TLS_ENV, ALLOY_SYSLOG_FORMAT: alloy.syslogFormat };
}

/** The env vars a central pipeline may read: the chart's own and the keys of the configured Secret. */
export function providedEnv(alloy: CentralAlloyConfig): string[] {
  return [...Object.keys(chartEnv(alloy)), ...(alloy.envFromSecret?.keys ?? [])].sort();
}

/** The central Alloy: an OTLP gateway behind a MetalLB LoadBalancer, with TLS from cert-manager. */
export class AlloyChart extends Chart {
  constructor(scope: Construct, id: string, props: AlloyChartProps) {
    // No chart-wide namespace: cdk8s would stamp it on the cluster-scoped Namespace object too.
    super(scope, id, { ...props, disableResourceNameHashes: true });
    const { alloy } = props;
    const namespace = props.namespaceName ?? 'alloy';
    const labels = recommendedLabels({ version: alloy.version });
    const ports = alloyPorts(alloy.extraPorts);

    new AlloyNamespace(this, 'Namespace', { name: namespace, labels });
    const configMap = new AlloyConfigMap(this, 'ConfigMap', {
      namespace,
      labels,
      assetsDir: props.assetsDir ?? 'assets/alloy',
    });
    const dataClaim = new AlloyDataClaim(this, 'DataClaim', {
      namespace,
      labels,
      size: alloy.storage.size,
      storageClass: alloy.storage.storageClass,
    });
    const certificate = new AlloyCertificate(this, 'Certificate', {
      namespace,
      labels,
      hostname: alloy.hostname,
      clusterIssuer: alloy.clusterIssuer,
    });
    new AlloyDeployment(this, 'Deployment', {
      namespace,
      labels,
      selectorLabels: selectorLabels(),
      image: `grafana/alloy:${alloy.version}`,
      configMap,
      configChecksum: configMap.checksum,
      dataClaim,
      tlsSecretName: certificate.secretName,
      ports,
      httpPort: HTTP_PORT,
      stabilityLevel: alloy.stabilityLevel,
      envFromSecretName: alloy.envFromSecret?.name,
      env: chartEnv(alloy),
      requests: alloy.resources.requests,
      limits: alloy.resources.limits,
    });
    new AlloyService(this, 'Service', {
      namespace,
      labels,
      selectorLabels: selectorLabels(),
      loadBalancerIP: alloy.loadBalancerIP,
      ports,
    });
  }
}
