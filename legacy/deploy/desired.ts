import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LegacyAlloyConfig } from '../../lib/config/schema';
import type { ContainerSpec } from './container-spec';
import { UserError } from './errors';
import type { Layout } from './layout';

export interface LocalFile {
  readonly name: string;
  readonly sha256: string;
  readonly content: Buffer;
}

/** Everything a run needs to know about the wanted state, computed locally before connecting. */
export interface DeploySettings {
  readonly target: { readonly host: string; readonly port: number; readonly user: string };
  readonly dockerPath: string;
  readonly httpPort: number;
  readonly readyTimeoutSeconds: number;
  readonly layout: Layout;
  readonly container: ContainerSpec;
}

/** Alloy listens on 127.0.0.1 by default; on the host network it must listen on all interfaces. */
export function containerSpecFor(config: LegacyAlloyConfig, centralHostname: string, layout: Layout): ContainerSpec {
  return {
    name: layout.container,
    image: `${config.image}:${config.version}`,
    network: 'host',
    restart: 'always',
    binds: [
      `${layout.configDir}:/etc/alloy:ro`,
      `${layout.dataDir}:/var/lib/alloy/data`,
      `${config.hostPaths.dockerSocket}:/var/run/docker.sock:ro`,
      `${config.hostPaths.varLog}:/mnt/var/log:ro`,
      `${config.hostPaths.proc}:/host/proc:ro`,
      `${config.hostPaths.sys}:/host/sys:ro`,
      `${config.hostPaths.root}:/host/root:ro`,
    ],
    // The central endpoint has one source of truth: prod.yaml's alloy.hostname.
    env: {
      ALLOY_CENTRAL_OTLP_ENDPOINT: `${centralHostname}:4317`,
      // What the pipeline cannot know itself (assets/alloy_legacy/process_convert.alloy, export_central.alloy).
      OTEL_RESOURCE_ATTRIBUTES: `host.name=${config.resource.hostName ?? config.target.host},service.name=${config.resource.serviceName}`,
      ALLOY_CENTRAL_QUEUE_SIZE: String(config.sendQueue.queueSize),
      ALLOY_CENTRAL_RETRY_FOR: config.sendQueue.retryFor,
    },
    args: [
      'run',
      '/etc/alloy',
      `--server.http.listen-addr=0.0.0.0:${config.httpPort}`,
      '--storage.path=/var/lib/alloy/data',
      ...(config.usageReporting ? [] : ['--disable-reporting']),
    ],
  };
}

const safeName = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * The files to deploy: the regular files directly in `dir` (Alloy loads a folder's *.alloy files, not
 * sub-folders). Dot-files (editor leftovers, .gitkeep) are skipped.
 */
export function readLocalFiles(dir: string): LocalFile[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new UserError(`cannot read the assets folder ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const files: LocalFile[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (!statSync(path).isFile()) throw new UserError(`${path}: only plain files are deployed, not folders`);
    if (!safeName.test(name)) throw new UserError(`${path}: use letters, digits, '.', '_' and '-' in file names`);
    const content = readFileSync(path);
    files.push({ name, content, sha256: createHash('sha256').update(content).digest('hex') });
  }
  if (!files.some((f) => f.name.endsWith('.alloy'))) throw new UserError(`${dir} holds no .alloy file to deploy`);
  return files;
}

/** One checksum for a set of files (name and content), to compare deployed vs local at a glance. */
export function combinedChecksum(files: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) h.update(`${name}\0${files[name]}\n`);
  return h.digest('hex').slice(0, 16);
}
