import { loadStacks, type Stacks } from '../../lib/config/load';
import { containerSpecFor, type DeploySettings } from './desired';
import { layoutFor } from './layout';

/** Reads and validates dev.yaml and prod.yaml (zod; throws ConfigError naming file, line and key). */
export function loadSettings(configDir: string): DeploySettings {
  return settingsFrom(loadStacks(configDir));
}

/** What the deploy area needs of the stacks, narrowed once. */
export function settingsFrom({ legacy, central }: Stacks): DeploySettings {
  const layout = layoutFor(legacy.target.rootDir);
  return {
    target: { host: legacy.target.host, port: legacy.target.port, user: legacy.target.user },
    dockerPath: legacy.target.dockerPath,
    httpPort: legacy.httpPort,
    readyTimeoutSeconds: legacy.readyTimeoutSeconds,
    layout,
    container: containerSpecFor(legacy, central.hostname, layout),
  };
}
