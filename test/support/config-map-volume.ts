/**
 * A ConfigMap volume as the kubelet lays it out (its atomic writer): the files live in a timestamped folder,
 * `..data` is a symlink to the current one, and each key is a symlink `key -> ..data/key`. An update writes a new
 * folder and swaps `..data` with one rename, so a reader never sees half an update; a subPath mount would instead
 * pin the first folder and never change.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

let generation = 0;

export function writeConfigMapVolume(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const folder = `..${Date.now()}_${generation++}`;
  mkdirSync(join(dir, folder));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, folder, name), content);
  symlinkSync(folder, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  const keys = new Set(Object.keys(files));
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('..')) {
      if (entry !== '..data' && entry !== folder) rmSync(join(dir, entry), { recursive: true, force: true });
    } else if (!keys.has(entry)) rmSync(join(dir, entry));
  }
  for (const key of keys) {
    try {
      symlinkSync(join('..data', key), join(dir, key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
