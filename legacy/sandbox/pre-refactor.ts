/**
 * The NAS as it was before this project: container `alloy` running from <rootDir>/alloy-config with its WAL and
 * file positions in <rootDir>/alloy-data, the layout `legacy-deploy rename` moves. The rename tests and
 * `legacy-deploy sandbox up` seed it the same way.
 */
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SshDockerHost } from './host';

export interface PreRefactorOptions {
  /** repository:tag of the image the old container runs. */
  readonly image: string;
  /** The old pipeline (config.alloy). */
  readonly config: string;
  /** Settings a hand-made container may carry, which rename must keep (`--user`, labels). */
  readonly user?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Creates the old folders and starts `alloy` from them. */
export function seedPreRefactorAlloy(host: SshDockerHost, options: PreRefactorOptions): void {
  writePreRefactorFolders(host, options.config);
  startPreRefactorAlloy(host, options);
}

/** The old config folder (owned by the SSH user, as on the NAS) and the old data folder with a WAL and positions. */
export function writePreRefactorFolders(host: SshDockerHost, pipeline: string): void {
  const { uid, gid } = statSync(host.rootDir);
  const config = join(host.rootDir, 'alloy-config');
  const data = join(host.rootDir, 'alloy-data');
  mkdirSync(config);
  writeFileSync(join(config, 'config.alloy'), pipeline);
  mkdirSync(join(data, 'loki.source.file.synology'), { recursive: true });
  mkdirSync(join(data, 'prometheus.remote_write.default/wal'), { recursive: true });
  writeFileSync(
    join(data, 'loki.source.file.synology/positions.yml'),
    'positions:\n  /mnt/var/log/messages.log: "1234"\n',
  );
  writeFileSync(join(data, 'prometheus.remote_write.default/wal/00000000'), randomBytes(256 * 1024));
  writeFileSync(join(data, 'prometheus.remote_write.default/wal/00000001'), randomBytes(64 * 1024 + 7));
  for (const path of [config, join(config, 'config.alloy')]) chownSync(path, uid, gid);
}

/** Runs `alloy` from the old folders, as the hand-made container on the NAS does. */
export function startPreRefactorAlloy(host: SshDockerHost, options: Omit<PreRefactorOptions, 'config'>): void {
  const config = join(host.rootDir, 'alloy-config');
  const data = join(host.rootDir, 'alloy-data');
  const hp = host.hostPaths;
  const r = host.docker([
    'run',
    '-d',
    '--name',
    'alloy',
    '--network',
    'host',
    '--restart',
    'always',
    ...(options.user ? ['--user', options.user] : []),
    ...Object.entries(options.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    '-v',
    `${config}:/etc/alloy:ro`,
    '-v',
    `${data}:/var/lib/alloy/data`,
    '-v',
    `${hp.dockerSocket}:/var/run/docker.sock:ro`,
    '-v',
    `${hp.varLog}:/mnt/var/log:ro`,
    options.image,
    'run',
    '/etc/alloy',
    `--server.http.listen-addr=127.0.0.1:${host.httpPort}`,
    '--storage.path=/var/lib/alloy/data',
  ]);
  if (r.code !== 0) throw new Error(`starting the pre-refactor alloy container failed: ${r.stderr.trim()}`);
}
