/**
 * The rules of `alloy.collect.kubernetes`, as a pure function of the settings (like ha-rules.ts): the stack file's
 * schema reports them with line numbers, and AlloyChart refuses the same settings when another app passes them.
 */
import {
  CLUSTERING_SINCE,
  enabledSources,
  isAtLeast,
  KUBERNETES_SOURCES,
  type KubernetesCollect,
} from '../kubernetes-sources';
import type { HaProblem } from './ha-rules';

export interface CollectSettings {
  readonly version: string;
  readonly replicas: number;
  readonly collect?: { readonly kubernetes?: Partial<KubernetesCollect> };
}

/**
 * In HA mode a source whose component has no `clustering` block in the pinned release would run on every replica
 * and ship everything once per replica: refused, naming both keys and the release that fixes it.
 */
export function collectProblems(s: CollectSettings): HaProblem[] {
  if (s.replicas <= 1) return [];
  return enabledSources(s.collect?.kubernetes).flatMap((source) => {
    const { clusteredComponent: component, unit } = KUBERNETES_SOURCES[source];
    const since = CLUSTERING_SINCE[component];
    if (isAtLeast(s.version, since)) return [];
    return [
      {
        path: ['collect', 'kubernetes', source],
        message:
          `cannot be on with alloy.replicas > 1 (${s.replicas}) on ${s.version}: ${component} has no clustering ` +
          `block before ${since}, so every replica would ship every ${unit}; ` +
          `set alloy.version to ${since} or later, or alloy.replicas to 1`,
      },
    ];
  });
}
