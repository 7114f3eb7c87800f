import { createHash } from 'node:crypto';
import { formatDiagnostic, pipelineFilesOf } from '../../alloy-lint';
import type { LegacyAlloyConfig } from '../../lib/config/schema';
import { UserError } from '../shared/user-error';
import type { ContainerSpec } from './container-spec';
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

/** Names that stay one word in the NAS's listings (sha256sum, tar); `.name.alloy` is allowed, as Alloy loads it. */
const safeName = /^[A-Za-z0-9_.][A-Za-z0-9._-]*$/;

/**
 * The files to deploy: exactly what the toolkit says the pipeline folder holds (pipelineFilesOf: the same files the
 * linter checks and synth would read; links, sub-folders and odd names refused with one line naming the path).
 */
export function readLocalFiles(dir: string): LocalFile[] {
  const { files, problem } = pipelineFilesOf(dir);
  if (problem) throw new UserError(formatDiagnostic(problem));
  return files.map((f) => {
    if (!safeName.test(f.name)) throw new UserError(`${f.path}: use letters, digits, '.', '_' and '-' in file names`);
    return { name: f.name, content: f.content, sha256: createHash('sha256').update(f.content).digest('hex') };
  });
}

/** One checksum for a set of files (name and content), to compare deployed vs local at a glance. */
export function combinedChecksum(files: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) h.update(`${name}\0${files[name]}\n`);
  return h.digest('hex').slice(0, 16);
}
