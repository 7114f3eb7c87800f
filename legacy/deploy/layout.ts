import { posix } from 'node:path';

/**
 * Names of everything legacy-deploy owns on the NAS, all under the configured rootDir. The remote script
 * (legacy/remote/alloy-legacy.sh, `main`) derives the same paths from rootDir; test/legacy/remote-script.test.ts
 * holds the two to each other.
 */
export interface Layout {
  readonly rootDir: string;
  readonly container: string;
  /** The running container renamed aside during a recreate, until the new one is ready on the new config. */
  readonly previousContainer: string;
  /** The short-lived container that runs `alloy validate` on the staged config. */
  readonly validateContainer: string;
  /** Mounted at /etc/alloy: a stable folder (a bind mount pins its inode, so it is updated file by file). */
  readonly configDir: string;
  /** The config before the last change, kept for rollback. */
  readonly previousConfigDir: string;
  /**
   * Where the whole desired config lands before it is validated and moved into configDir. Inside the lock folder:
   * only the lock holder writes it, and releasing (or taking over) the lock removes it with the lock.
   */
  readonly stagingDir: string;
  readonly dataDir: string;
  readonly lockDir: string;
  /** The layout before the rename. */
  readonly old: { readonly container: string; readonly configDir: string; readonly dataDir: string };
}

export function layoutFor(rootDir: string): Layout {
  const at = (name: string) => posix.join(rootDir, name);
  return {
    rootDir,
    container: 'alloy-legacy',
    previousContainer: 'alloy-legacy-previous',
    validateContainer: 'alloy-legacy-validate',
    configDir: at('alloy-legacy-config'),
    previousConfigDir: at('alloy-legacy-config.previous'),
    stagingDir: at('.alloy-legacy.lock/staging'),
    dataDir: at('alloy-legacy-data'),
    lockDir: at('.alloy-legacy.lock'),
    old: { container: 'alloy', configDir: at('alloy-config'), dataDir: at('alloy-data') },
  };
}
