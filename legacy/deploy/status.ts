import type { Output } from '../shared/output';
import type { SessionStats } from '../shared/ssh-session';
import { UserError } from '../shared/user-error';
import { combinedChecksum, type DeploySettings, type LocalFile } from './desired';
import { sameImage } from './image-reference';
import { describeLock, engineProblemText } from './lock';
import type { ObservedState } from './observed';
import { desiredConfigHash, fileChanges } from './plan';

function uptime(startedAt: string, now: number): string {
  const started = Date.parse(startedAt);
  if (Number.isNaN(started) || started <= 0) return 'unknown';
  const s = Math.max(0, now - Math.floor(started / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

/**
 * `status`: what runs on the NAS and whether it is the local config, by the files as they are there and by the
 * hash Alloy itself reports; exit 0 when it could look (1 when the Docker engine did not answer). It takes no lock and says when one is held.
 */
export function printStatus(
  out: Output,
  settings: DeploySettings,
  files: readonly LocalFile[],
  observed: ObservedState,
  stats: SessionStats,
): number {
  const engine = engineProblemText(observed, settings);
  if (engine) throw new UserError(engine);
  const c = observed.containers.current;
  const checksum = (list: readonly { name: string; sha256: string }[]) =>
    combinedChecksum(Object.fromEntries(list.map((f) => [f.name, f.sha256])));
  const changed = fileChanges(files, observed.configDir.files);
  const localHash = desiredConfigHash(files);
  const runningHash = observed.running.sha256;
  const status = {
    container: c
      ? {
          name: c.name,
          state: c.status,
          image: c.image,
          id: c.id.slice(0, 12),
          uptime: c.running ? uptime(c.startedAt, observed.now) : null,
        }
      : null,
    ready: observed.ready === 200,
    readyStatus: observed.ready,
    config: {
      onNas: observed.configDir.exists ? checksum(observed.configDir.files) : null,
      local: checksum(files),
      upToDate: observed.configDir.exists && changed.length === 0,
      differing: changed,
    },
    running: {
      hash: runningHash,
      local: localHash,
      same: runningHash === localHash,
      lastLoadSuccessful: observed.running.lastLoadSuccessful,
    },
    wantedImage: settings.container.image,
    oldLayout: observed.containers.old !== null || observed.old.configDirExists || observed.old.dataDirExists,
    lock: observed.lock ? { holder: describeLock(observed.lock), stale: observed.lock.holderAlive === false } : null,
  };
  const lines = [
    `container   ${c ? `${c.name} ${c.status}${c.running ? `, up ${status.container?.uptime}` : ''}` : `${settings.layout.container} does not exist`}`,
    `image       ${c ? c.image : '-'}${c && !sameImage(c.image, settings.container.image) ? ` (wanted ${settings.container.image})` : ''}`,
    `ready       ${status.ready ? 'yes' : `no${observed.ready ? ` (HTTP ${observed.ready})` : ''}`} (GET /-/ready on port ${settings.httpPort})`,
    `files       on the NAS ${status.config.onNas ?? 'none'} / local ${status.config.local}${status.config.upToDate ? ' (same)' : ` (differs: ${changed.map((f) => `${f.name} ${f.change === 'add' ? 'missing' : f.change === 'remove' ? 'extra' : 'changed'}`).join(', ') || 'no config folder'})`}`,
    `running     alloy_config_hash ${runningHash ? runningHash.slice(0, 12) : 'unknown'} / local ${localHash.slice(0, 12)}${runningHash === localHash ? ' (same)' : ' (differs)'}${observed.running.lastLoadSuccessful === false ? ', last load FAILED' : ''}`,
  ];
  if (status.oldLayout) lines.push('old layout  still there: run `legacy-deploy rename`');
  if (status.lock)
    lines.push(`lock        ${status.lock.holder}${status.lock.stale ? ' (stale)' : ' (a deploy is running)'}`);
  out.text(lines.join('\n'));
  out.result({ ok: true, ...status, stats });
  return 0;
}
