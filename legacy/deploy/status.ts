import { combinedChecksum, type DeploySettings, type LocalFile } from './desired';
import { describeLock } from './lock';
import type { ObservedState } from './observed';
import type { Output } from './output';
import type { SessionStats } from './remote';

function uptime(startedAt: string, now: number): string {
  const started = Date.parse(startedAt);
  if (Number.isNaN(started) || started <= 0) return 'unknown';
  const s = Math.max(0, now - Math.floor(started / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

/** `status`: what runs on the NAS and whether its config is the local one; always exit 0 when it could look. */
export function printStatus(
  out: Output,
  settings: DeploySettings,
  files: readonly LocalFile[],
  observed: ObservedState,
  stats: SessionStats,
): number {
  const c = observed.containers.current;
  const local = combinedChecksum(Object.fromEntries(files.map((f) => [f.name, f.sha256])));
  const deployed = observed.manifest ? combinedChecksum(observed.manifest.files) : null;
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
    readyStatus: observed.ready ?? null,
    config: { deployed, local, upToDate: deployed === local, deployedAt: observed.manifest?.deployedAt ?? null },
    wantedImage: settings.container.image,
    oldLayout: observed.containers.old !== null || observed.old.configDirExists || observed.old.dataDirExists,
    lock: observed.lock ? { holder: describeLock(observed.lock), stale: observed.lock.holderAlive === false } : null,
  };
  const lines = [
    `container   ${c ? `${c.name} ${c.status}${c.running ? `, up ${status.container?.uptime}` : ''}` : `${settings.layout.container} does not exist`}`,
    `image       ${c ? c.image : '-'}${c && c.image !== settings.container.image ? ` (wanted ${settings.container.image})` : ''}`,
    `ready       ${status.ready ? 'yes' : `no${observed.ready ? ` (HTTP ${observed.ready})` : ''}`} (GET /-/ready on port ${settings.httpPort})`,
    `config      deployed ${deployed ?? 'none'} / local ${local}${status.config.upToDate ? ' (same)' : ' (differs)'}`,
  ];
  if (status.oldLayout) lines.push('old layout  still there: run `legacy-deploy rename`');
  if (status.lock) lines.push(`lock        ${status.lock.holder}${status.lock.stale ? ' (stale)' : ''}`);
  out.text(lines.join('\n'));
  out.result({ ok: true, ...status, stats });
  return 0;
}
