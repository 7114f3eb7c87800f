import { posix } from 'node:path';

/** Names of everything legacy-deploy owns on the NAS, all under the configured rootDir. */
export interface Layout {
  readonly rootDir: string;
  readonly container: string;
  /** The running container renamed aside during a recreate, until the new one is ready. */
  readonly previousContainer: string;
  /** Mounted at /etc/alloy: a stable folder (a bind mount pins its inode, so it is updated file by file). */
  readonly configDir: string;
  /** The config before the last change, kept for rollback. */
  readonly previousConfigDir: string;
  /**
   * Where an upload lands before it is moved into configDir; same filesystem, so moves are renames. Inside the
   * lock folder: only the lock holder writes it, and releasing (or taking over) the lock removes it with the lock.
   */
  readonly stagingDir: string;
  readonly dataDir: string;
  readonly lockDir: string;
  /** The last `docker inspect` of the containers, with the pid and start time of alloy-legacy's process then. */
  readonly rememberedInspect: string;
  /** Checksums of what was deployed, inside configDir (a dot-file: Alloy loads only *.alloy). */
  readonly manifestName: string;
  /** The layout before the rename. */
  readonly old: { readonly container: string; readonly configDir: string; readonly dataDir: string };
}

export const manifestName = '.legacy-deploy-manifest.json';

export function layoutFor(rootDir: string): Layout {
  const at = (name: string) => posix.join(rootDir, name);
  return {
    rootDir,
    container: 'alloy-legacy',
    previousContainer: 'alloy-legacy-previous',
    configDir: at('alloy-legacy-config'),
    previousConfigDir: at('alloy-legacy-config.previous'),
    stagingDir: at('.alloy-legacy.lock/staging'),
    dataDir: at('alloy-legacy-data'),
    lockDir: at('.alloy-legacy.lock'),
    rememberedInspect: at('.alloy-legacy.inspect'),
    manifestName,
    old: { container: 'alloy', configDir: at('alloy-config'), dataDir: at('alloy-data') },
  };
}
