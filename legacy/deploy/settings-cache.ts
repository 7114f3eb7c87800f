import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DeploySettings } from './desired';
import type { loadSettings as LoadSettings } from './settings';

/*
 * Validating the stack files needs zod and yaml, whose loading is the largest part of a no-op redeploy (more than
 * the SSH round trip). The validated settings are therefore kept per user, addressed by the exact bytes of
 * dev.yaml and prod.yaml and of the code that turns them into settings: any edit to either is a different key, so
 * a stale entry is never read. Only valid configs are stored; an invalid one always takes the full path and its
 * error.
 */

/** The modules whose code decides the settings; their source (or build output) is part of the key. */
const settingsCode = ['./settings', './desired', './layout', '../../lib/config/load', '../../lib/config/schema'];

function cacheDir(env: NodeJS.ProcessEnv): string | null {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'legacy-deploy');
  const home = env.HOME || homedir();
  return home ? join(home, '.cache', 'legacy-deploy') : null;
}

function cacheKey(configDir: string): string {
  const h = createHash('sha256').update('settings v1\0').update(resolve(configDir));
  for (const file of ['dev.yaml', 'prod.yaml']) h.update('\0').update(readFileSync(join(configDir, file)));
  for (const m of settingsCode) h.update('\0').update(readFileSync(require.resolve(m)));
  return h.digest('hex');
}

export function loadSettingsCached(configDir: string, env: NodeJS.ProcessEnv = process.env): DeploySettings {
  const dir = cacheDir(env);
  let key: string | null = null;
  try {
    key = dir ? cacheKey(configDir) : null;
    if (dir && key) return JSON.parse(readFileSync(join(dir, `${key}.json`), 'utf8')) as DeploySettings;
  } catch {
    // not cached yet (or a config file is unreadable: the full load below reports that properly)
  }
  const { loadSettings } = require('./settings') as { loadSettings: typeof LoadSettings };
  const settings = loadSettings(configDir);
  if (dir && key) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `${key}.${process.pid}.tmp`);
      writeFileSync(tmp, JSON.stringify(settings), { mode: 0o600 });
      renameSync(tmp, join(dir, `${key}.json`));
    } catch {
      // a cache that cannot be written only costs time
    }
  }
  return settings;
}
