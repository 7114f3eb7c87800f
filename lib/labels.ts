/** Kubernetes recommended labels (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/). */
export interface AlloyLabelsProps {
  /** `app.kubernetes.io/instance`. @default 'alloy' */
  readonly instance?: string;
  /** `app.kubernetes.io/version`: the Alloy release tag. */
  readonly version: string;
}

/**
 * Selector labels stay the same across versions; a Deployment's selector is immutable, so the version label must
 * not be part of it.
 */
export function selectorLabels(instance = 'alloy'): Record<string, string> {
  return { 'app.kubernetes.io/name': 'alloy', 'app.kubernetes.io/instance': instance };
}

export function recommendedLabels(props: AlloyLabelsProps): Record<string, string> {
  return {
    ...selectorLabels(props.instance),
    'app.kubernetes.io/version': props.version,
    'app.kubernetes.io/component': 'otel-gateway',
    'app.kubernetes.io/part-of': 'monitoring',
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}
