/**
 * Every default of the central chart, in one place: the stack file's schema (lib/config/schema.ts) and the
 * constructs' optional props both read them from here, so a value is never repeated as a fallback.
 */
export const ALLOY_DEFAULTS = {
  /** grafana/alloy release tag (Renovate keeps config/prod.yaml's copy current). */
  version: 'v1.10.1',
  clusterIssuer: 'lets-encrypt',
  storage: { size: '1Gi' },
  /** No CPU limit: throttling delays OTLP batches. */
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  stabilityLevel: 'generally-available',
  /** RFC 3164 is what most network gear sends. */
  syslogFormat: 'rfc3164',
  replicas: 1,
  configReloader: {
    /** quay.io/prometheus-operator/prometheus-config-reloader tag, the reloader the Alloy Helm chart uses. */
    version: 'v0.89.0',
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
  },
  ha: {
    /** Which CA cluster peers verify each other's certificate against (see ClusterCa). */
    clusterCa: 'system',
    /** gRPC max_connection_age of the OTLP receiver in HA mode, so edges reconnect and spread over the replicas. */
    maxConnectionAge: '5m',
    targetCPUUtilizationPercentage: 70,
  },
  /** Collection of the cluster's own logs and events through the Kubernetes API (lib/kubernetes-sources.ts). */
  collect: { kubernetes: { podLogs: false, events: false } },
  /** false: `alloy run --disable-reporting` (no anonymous usage reports to Grafana Labs). */
  usageReporting: false,
  /** LoadBalancer ports that may differ from the container port (the UI/API listens on 12345 in the pod). */
  servicePorts: { http: 12345 },
  /** Labels dropped from every metric before remote write (a cardinality guard). */
  dropLabels: [] as readonly string[],
  names: {
    namespace: 'alloy',
    workload: 'alloy',
    configMap: 'alloy-config',
    dataClaim: 'alloy-data',
    certificate: 'alloy-tls',
    service: 'alloy',
    clusterService: 'alloy-cluster',
    serviceAccount: 'alloy',
    clusterRole: 'alloy',
    clusterRoleBinding: 'alloy',
  },
  assetsDir: 'assets/alloy',
  /** The chart's own pipeline files for `collect.kubernetes`, added to the ConfigMap only when their source is on. */
  kubernetesAssetsDir: 'assets/alloy_kubernetes',
} as const;

/**
 * `system`: the image's CA bundle (a publicly trusted issuer such as Let's Encrypt); `secret`: `ca.crt` of the
 * certificate's Secret (a private or self-signed issuer, which cert-manager writes there).
 */
export type ClusterCa = 'system' | 'secret';
export const clusterCaChoices = ['system', 'secret'] as const satisfies readonly ClusterCa[];
