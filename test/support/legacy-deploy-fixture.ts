import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imageChanges } from '../../tools/alloy/alloy-image';
import { type CliResult, runLegacyDeploy } from './legacy-deploy-cli';
import { realAlloyImage } from './real-alloy';
import { type ConfigOverrides, type SshDockerHost, startSshDockerHost } from './ssh-docker-host';

/** The repository the real Alloy images are imported as on the test host (the engine's local storage). */
export const REAL_ALLOY_IMAGE = 'localhost/grafana/alloy';

/** The parts of `docker inspect` the legacy-deploy tests assert on. */
export interface ContainerFacts {
  readonly id: string;
  readonly running: boolean;
  readonly image: string;
  readonly startedAt: string;
  readonly binds: string[];
  readonly env: string[];
  readonly args: string[];
  readonly network: string;
  readonly restart: string;
  readonly user: string;
  readonly labels: Record<string, string>;
  readonly entrypoint: string[];
}

/**
 * One test host plus a config folder and an assets folder for legacy-deploy, shared by the tests of one file.
 * `cli` runs the real CLI (from source, in its own process) against the host with the test's key and known_hosts.
 */
export class LegacyDeployFixture {
  readonly configDir: string;
  readonly assetsDir: string;

  private constructor(
    readonly host: SshDockerHost,
    /** What every useConfig starts from: the stand-in, or the real image and release. */
    private readonly defaults: ConfigOverrides = {},
    /** Set when the engine runs the real Alloy image: its release. */
    readonly release?: string,
  ) {
    this.configDir = join(host.dir, 'config');
    this.assetsDir = join(host.dir, 'assets');
    mkdirSync(this.assetsDir);
    host.writeConfig(this.configDir, defaults);
  }

  /**
   * A host whose engine holds the real Alloy image (test/support/real-alloy.ts: the stacks' pin, or the nearest
   * release the Go module proxy builds), imported as REAL_ALLOY_IMAGE:<release>; dev.yaml points at it.
   */
  static async startReal(hostOptions: { registry?: boolean } = {}): Promise<LegacyDeployFixture & { release: string }> {
    const image = await realAlloyImage();
    const host = await startSshDockerHost(hostOptions);
    try {
      host.importImage(image.tar, `${REAL_ALLOY_IMAGE}:${image.version}`, imageChanges);
    } catch (e) {
      await host.stop();
      throw e;
    }
    const fixture = new LegacyDeployFixture(host, { image: REAL_ALLOY_IMAGE, version: image.version }, image.version);
    return fixture as LegacyDeployFixture & { release: string };
  }

  /** A host whose engine holds the stand-in image tagged with each of `versions`. */
  static async start(
    versions: readonly string[] = ['v1.10.1', 'v1.11.0'],
    hostOptions: { registry?: boolean } = {},
  ): Promise<LegacyDeployFixture> {
    const host = await startSshDockerHost(hostOptions);
    for (const v of versions) host.tagStubImage(v);
    return new LegacyDeployFixture(host);
  }

  stop(): Promise<void> {
    return this.host.stop();
  }

  /** Makes the assets folder hold exactly these files. */
  setAssets(files: Readonly<Record<string, string | Buffer>>): void {
    for (const name of readdirSync(this.assetsDir)) rmSync(join(this.assetsDir, name), { force: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.assetsDir, name), content);
  }

  /** Rewrites dev.yaml with these overrides on top of the fixture's defaults (the image it was started with). */
  useConfig(overrides: ConfigOverrides): void {
    this.host.writeConfig(this.configDir, { ...this.defaults, ...overrides });
  }

  cli(
    command: string,
    extra: readonly string[] = [],
    options: {
      onStderr?: (text: string) => void;
      knownHosts?: string;
      /** false: no --identity (the key must come from ssh-agent via `env.SSH_AUTH_SOCK`). */
      identity?: false;
      env?: NodeJS.ProcessEnv;
      /** Called with the CLI's process (to signal it). */
      onSpawn?: (child: ChildProcess) => void;
    } = {},
  ): Promise<CliResult> {
    return runLegacyDeploy(
      [
        command,
        '--config-dir',
        this.configDir,
        ...(options.identity === false ? [] : ['--identity', this.host.identity]),
        '--known-hosts',
        options.knownHosts ?? this.host.knownHosts,
        '--assets',
        this.assetsDir,
        ...extra,
      ],
      // the settings cache goes into the host's temp folder, not the user's ~/.cache
      {
        onStderr: options.onStderr,
        onSpawn: options.onSpawn,
        env: { XDG_CACHE_HOME: join(this.host.dir, 'cache'), ...options.env },
      },
    );
  }

  /** docker inspect through the engine itself (not through legacy-deploy). */
  container(name = 'alloy-legacy'): ContainerFacts | null {
    const r = this.host.docker(['inspect', '--type', 'container', name]);
    if (r.code !== 0) return null;
    const [o] = JSON.parse(r.stdout);
    return {
      id: o.Id,
      running: o.State.Running,
      image: o.Config.Image,
      startedAt: o.State.StartedAt,
      binds: (o.Mounts ?? []).map(
        (m: { Source: string; Destination: string; RW: boolean }) => `${m.Source}:${m.Destination}${m.RW ? '' : ':ro'}`,
      ),
      env: o.Config.Env ?? [],
      args: o.Config.Cmd ?? [],
      network: o.HostConfig.NetworkMode,
      restart: o.HostConfig.RestartPolicy.Name,
      user: o.Config.User ?? '',
      labels: o.Config.Labels ?? {},
      entrypoint: [o.Config.Entrypoint ?? []].flat(),
    };
  }

  containerNames(): string[] {
    return this.host
      .docker(['ps', '-a', '--format', '{{.Names}}'])
      .stdout.split('\n')
      .filter((n) => n !== '')
      .sort();
  }

  path(...parts: string[]): string {
    return join(this.host.rootDir, ...parts);
  }

  /** Files of a folder on the "NAS" with their contents. */
  remoteFiles(dir: string): Record<string, string> {
    const full = this.path(dir);
    if (!existsSync(full)) return {};
    return Object.fromEntries(readdirSync(full).map((n) => [n, readFileSync(join(full, n), 'utf8')]));
  }

  /** What the stand-in Alloy wrote into its data folder (starts, reloads, the config checksum it loaded). */
  dataFile(name: string, dataDir = 'alloy-legacy-data'): string {
    const file = this.path(dataDir, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Polls GET /-/ready (after a restart the tests did themselves) until 200; throws after `timeoutMs`. */
  async waitReady(timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((await this.ready()) !== 200) {
      if (Date.now() > end) throw new Error(`alloy-legacy not ready within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** GET /-/ready on the host network, as the NAS would answer it. */
  async ready(): Promise<number | null> {
    try {
      const r = await fetch(`http://127.0.0.1:${this.host.httpPort}/-/ready`, { signal: AbortSignal.timeout(3000) });
      return r.status;
    } catch {
      return null;
    }
  }
}

/** A small valid Alloy config; `level` makes different contents. */
export function alloyConfig(level = 'info'): string {
  return `logging {\n  level  = "${level}"\n  format = "logfmt"\n}\n`;
}

/** A second valid file (a component block: the logging block may appear only once per folder). */
export function extraConfig(name = 'alloy'): string {
  return `prometheus.exporter.self "${name}" { }\n`;
}
