/**
 * The rules of HA mode, as a pure function of the settings: the stack file's schema reports them with the file's
 * line numbers, and AlloyChart refuses the same settings when another cdk8s app passes them directly.
 */
export interface HaSettings {
  readonly version: string;
  readonly replicas: number;
  readonly ha?: { readonly autoscaling?: { readonly maxReplicas: number } };
}

export interface HaProblem {
  /** Key path below `alloy`, e.g. `['ha', 'autoscaling', 'maxReplicas']`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export const MAX_REPLICAS = 20;

/** Releases whose clustering over TLS is known broken (HA mode always clusters over TLS). */
export const CLUSTER_TLS_BROKEN: Readonly<Record<string, string>> = {
  'v1.16.2': 'peers fail to join over TLS and each bootstraps its own cluster (grafana/alloy#6436, fixed in v1.16.3)',
};

export function haProblems(s: HaSettings): HaProblem[] {
  const problems: HaProblem[] = [];
  if (!Number.isInteger(s.replicas) || s.replicas < 1 || s.replicas > MAX_REPLICAS) {
    problems.push({ path: ['replicas'], message: `a whole number from 1 to ${MAX_REPLICAS}, got ${s.replicas}` });
    return problems;
  }
  if (s.replicas === 1) {
    if (s.ha !== undefined) {
      problems.push({
        path: ['ha'],
        message: 'HA options need alloy.replicas > 1 (replicas is 1): remove ha or raise replicas',
      });
    }
    return problems;
  }
  const broken = CLUSTER_TLS_BROKEN[s.version];
  if (broken) {
    problems.push({ path: ['version'], message: `${s.version} cannot run HA mode (clustering over TLS): ${broken}` });
  }
  const max = s.ha?.autoscaling?.maxReplicas;
  if (max !== undefined && (max <= s.replicas || max > MAX_REPLICAS)) {
    problems.push({
      path: ['ha', 'autoscaling', 'maxReplicas'],
      message: `more than alloy.replicas (${s.replicas}, the autoscaler's minimum) and at most ${MAX_REPLICAS}, got ${max}`,
    });
  }
  return problems;
}
