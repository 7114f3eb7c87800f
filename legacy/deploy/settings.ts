import { join } from 'node:path';
import { loadDevStack, loadProdStack } from '../../lib/config/load';
import { containerSpecFor, type DeploySettings } from './desired';
import { layoutFor } from './layout';

/** Reads and validates dev.yaml and prod.yaml (zod; throws ConfigError naming file, line and key). */
export function loadSettings(configDir: string): DeploySettings {
  const legacy = loadDevStack(join(configDir, 'dev.yaml')).alloyLegacy;
  const central = loadProdStack(join(configDir, 'prod.yaml')).alloy;
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
