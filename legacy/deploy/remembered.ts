import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeploySettings } from './desired';
import { observeScript } from './observe';
import { cacheDir } from './settings-cache';

/*
 * The raw text of the last observation a deploy saw of one target, kept in the user's cache folder. Only a hint:
 * the fast path checks it on the NAS before changing anything, so a stale or foreign file costs a round trip at
 * worst, never a wrong change. Addressed by the target and by the observation script itself (which encodes the
 * layout, image and docker path), so a settings change never reads an old entry.
 */
function rememberedFile(settings: DeploySettings, env: NodeJS.ProcessEnv): string | null {
  const dir = cacheDir(env);
  if (!dir) return null;
  const { host, port, user } = settings.target;
  const key = createHash('sha256')
    .update(`observation v1\0${user}@${host}:${port}\0`)
    .update(observeScript(settings))
    .digest('hex');
  return join(dir, `observed-${key}.txt`);
}

export function readRemembered(settings: DeploySettings, env: NodeJS.ProcessEnv = process.env): string | null {
  const file = rememberedFile(settings, env);
  try {
    return file ? readFileSync(file, 'utf8') : null;
  } catch {
    return null;
  }
}

/** Stores `observation` for the next run, or forgets the entry (null) when this run changed the NAS unseen. */
export function remember(
  settings: DeploySettings,
  observation: string | null,
  env: NodeJS.ProcessEnv = process.env,
): void {
  const file = rememberedFile(settings, env);
  if (!file) return;
  try {
    if (observation === null) {
      rmSync(file, { force: true });
      return;
    }
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, observation, { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // a cache that cannot be written only costs time
  }
}
