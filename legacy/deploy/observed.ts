import type { ContainerSpec } from './container-spec';

/** A container as `docker inspect` shows it, reduced to what the plans compare. */
export interface ObservedContainer {
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  readonly status: string;
  /** Image reference it was created from (Config.Image). */
  readonly image: string;
  readonly startedAt: string;
  /** The spec legacy-deploy recorded when it created the container; null for containers made otherwise. */
  readonly spec: ContainerSpec | null;
  readonly networkMode: string;
  readonly restartPolicy: string;
  readonly mounts: readonly { readonly source: string; readonly destination: string; readonly readOnly: boolean }[];
  readonly env: readonly string[];
  readonly cmd: readonly string[];
  /** Config.Entrypoint (the image's, unless overridden at create time). */
  readonly entrypoint: readonly string[];
  /** Config.User; empty for the image's default user. */
  readonly user: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The remote lock as found; `holderAlive` is false when the SSH session that took it has ended. */
export interface ObservedLock {
  readonly owner: string;
  readonly pid: string;
  /** Seconds since the epoch on the NAS clock (the lock folder's mtime). */
  readonly since: number;
  /** When the holder took it, by the holder's clock (ISO 8601); empty for locks without an owner file. */
  readonly time: string;
  readonly ageSeconds: number;
  readonly holderAlive: boolean | 'unknown';
}

/** A file in the mounted config folder, hashed where it lies (not what a manifest once said). */
export interface ObservedFile {
  readonly name: string;
  readonly sha256: string;
}

/** What Alloy's /metrics says about the config it runs; null fields when it did not say. */
export interface RunningConfig {
  /** `alloy_config_hash{sha256="..."}`. */
  readonly sha256: string | null;
  /** `alloy_config_last_load_successful`. */
  readonly lastLoadSuccessful: boolean | null;
}

/** Everything one observation of the NAS reports. */
export interface ObservedState {
  readonly now: number;
  /** target.rootDir itself: legacy-deploy never creates it (on DSM it is a shared folder). */
  readonly rootDirExists: boolean;
  readonly configDir: { readonly exists: boolean; readonly files: readonly ObservedFile[] };
  readonly dataDirExists: boolean;
  readonly previousConfigExists: boolean;
  readonly old: { readonly configDirExists: boolean; readonly dataDirExists: boolean };
  readonly containers: {
    readonly current: ObservedContainer | null;
    readonly previous: ObservedContainer | null;
    readonly old: ObservedContainer | null;
  };
  /**
   * null when the Docker engine answered `docker inspect`; else what went wrong (a wrong dockerPath, no engine
   * behind it): then nothing about the containers is known, and "no container" would be a guess.
   */
  readonly engineProblem: string | null;
  readonly imagePresent: boolean;
  /** The lock as found (plan, status; deploy and rename observe after taking it, so it is theirs then). */
  readonly lock: ObservedLock | null;
  /** HTTP status of GET /-/ready; null if nothing answered. */
  readonly ready: number | null;
  readonly running: RunningConfig;
}
