import { sameImage } from './image-reference';

/**
 * What `docker run` is given for alloy-legacy. Recorded as JSON in a container label so the next run can tell
 * exactly which field changed without parsing engine-specific `docker inspect` defaults.
 */
export interface ContainerSpec {
  readonly name: string;
  /** repository:tag */
  readonly image: string;
  readonly network: string;
  readonly restart: string;
  /** `source:destination[:ro]`, in a fixed order. */
  readonly binds: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Arguments after the image's entrypoint. */
  readonly args: readonly string[];
}

export const specLabel = 'legacy-deploy.spec';

/** Human-readable differences, empty when the container already matches. */
export function specDifferences(observed: ContainerSpec, desired: ContainerSpec): string[] {
  const diffs: string[] = [];
  if (!sameImage(observed.image, desired.image)) diffs.push(`image ${observed.image} → ${desired.image}`);
  if (observed.network !== desired.network) diffs.push(`network ${observed.network} → ${desired.network}`);
  if (observed.restart !== desired.restart) diffs.push(`restart ${observed.restart} → ${desired.restart}`);
  const removed = observed.binds.filter((b) => !desired.binds.includes(b));
  const added = desired.binds.filter((b) => !observed.binds.includes(b));
  for (const b of removed) diffs.push(`mount - ${b}`);
  for (const b of added) diffs.push(`mount + ${b}`);
  const names = new Set([...Object.keys(observed.env), ...Object.keys(desired.env)]);
  for (const name of [...names].sort()) {
    if (observed.env[name] !== desired.env[name]) {
      diffs.push(`env ${name} ${observed.env[name] ?? '(unset)'} → ${desired.env[name] ?? '(unset)'}`);
    }
  }
  if (JSON.stringify(observed.args) !== JSON.stringify(desired.args)) {
    diffs.push(`args ${observed.args.join(' ')} → ${desired.args.join(' ')}`);
  }
  return diffs;
}

/** `docker run -d` arguments (after the docker binary) for a spec, with extra labels. */
export function dockerRunArgs(spec: ContainerSpec, labels: Readonly<Record<string, string>> = {}): string[] {
  return [
    'run',
    '-d',
    '--name',
    spec.name,
    '--network',
    spec.network,
    '--restart',
    spec.restart,
    ...spec.binds.flatMap((b) => ['-v', b]),
    ...Object.entries(spec.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    spec.image,
    ...spec.args,
  ];
}

/** Parses the spec label back; null when missing or not ours. */
export function parseSpecLabel(value: string | undefined): ContainerSpec | null {
  if (!value) return null;
  try {
    const s = JSON.parse(value) as ContainerSpec;
    return typeof s.image === 'string' && Array.isArray(s.binds) && Array.isArray(s.args) ? s : null;
  } catch {
    return null;
  }
}
