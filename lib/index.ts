/**
 * The central Alloy chart as constructs another cdk8s app can use: `AlloyChart` puts them together from the keys of
 * config/prod.yaml's `alloy`; each construct also works on its own, with documented defaults (lib/defaults.ts).
 */
export {
  AlloyChart,
  type AlloyChartProps,
  type AlloyHaProps,
  chartEnv,
  DROP_LABELS_ENV,
  MAX_CONNECTION_AGE_ENV,
  providedEnv,
} from './alloy-chart';
export { ALLOY_UID, type AlloyPodProps, MOUNT_PATHS, SYSTEM_CA_BUNDLE, TLS_FILES } from './alloy-pod';
export { AlloyAutoscaler, type AlloyAutoscalerProps } from './autoscaler';
export {
  type CentralPipeline,
  type CentralPipelineProps,
  centralPipeline,
  isMadeFor,
  PipelineError,
  type PipelineSettings,
  settingsOf,
} from './central-pipeline';
export { AlloyCertificate, type AlloyCertificateProps } from './certificate';
export { AlloyClusterRole, type AlloyClusterRoleProps } from './cluster-role';
export { AlloyClusterRoleBinding, type AlloyClusterRoleBindingProps } from './cluster-role-binding';
export { AlloyClusterService, type AlloyClusterServiceProps } from './cluster-service';
export { AlloyConfigMap, type AlloyConfigMapProps, CONFIG_HASH_ANNOTATION } from './config-map';
export { CONFIG_RELOADER_IMAGE, type ConfigReloaderProps, configReloaderContainer, reloadUrl } from './config-reloader';
export { ALLOY_DEFAULTS, type ClusterCa } from './defaults';
export { AlloyDeployment, type AlloyDeploymentProps } from './deployment';
export { type KubernetesPipelineProps, kubernetesPipelineFiles } from './kubernetes-pipeline';
export {
  CLUSTERING_SINCE,
  KUBERNETES_SOURCES,
  type KubernetesCollect,
  type KubernetesSource,
} from './kubernetes-sources';
export { recommendedLabels, selectorLabels } from './labels';
export { AlloyNamespace, type AlloyNamespaceProps } from './namespace';
export { AlloyDataClaim, type AlloyDataClaimProps } from './persistent-volume-claim';
export { AlloyDisruptionBudget, type AlloyDisruptionBudgetProps } from './pod-disruption-budget';
export { type AlloyPort, alloyPorts, type ExtraPortProps, HTTP_PORT, type ServicePortsProps } from './ports';
export { rbacDiagnostics } from './rbac-check';
export type { ContainerResources, ResourceAmounts } from './resources';
export { AlloyService, type AlloyServiceProps } from './service';
export { AlloyServiceAccount, type AlloyServiceAccountProps } from './service-account';
export { AlloyStatefulSet, type AlloyStatefulSetProps, clusterArgs } from './stateful-set';
