import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import {
  descendants,
  isRunning,
  killPid,
  mountsUnder,
  type ProcessRecord,
  processesMentioning,
  processesOfUid,
  startDetached,
  stopProcess,
} from './processes';
import { findProgram } from './programs';
import { buildStubImageTar, stubImage } from './stub-image';

/*
 * A real host on this machine, standing in for the Synology NAS: an OpenSSH server on 127.0.0.1 with its own host
 * key, a throw-away user and key, a Docker-API engine (rootful podman with its own storage, on a socket the SSH user
 * may use, set as DOCKER_HOST for that user's commands), and the stand-in Alloy image. The integration tests and
 * `legacy-deploy sandbox` both start it here. Everything it makes lives in its folder; what it started and added
 * (pids with their start times, the user) is written to <dir>/host.json as it goes, so that stopHostAt(dir) can undo
 * it from any process, after a crash of the one that started it too. See ../shared/notes/test-host.md for why each
 * setting is there.
 */

export const hostPrograms = ['sshd', 'ssh-keygen', 'podman', 'runc', 'busybox', 'docker', 'useradd', 'userdel', 'tar'];

/** With `{ registry: true }` the host also runs a Docker registry (Debian's docker-registry package). */
export const registryPrograms = ['docker-registry'];

export { stubImage };

/**
 * A real Docker registry (distribution) on 127.0.0.1, plain HTTP, no auth, storage in the host's temp folder. The
 * host's engine treats it as an insecure registry, so `docker pull <repository>:<tag>` over SSH fetches from it.
 */
export interface TestRegistry {
  /** `127.0.0.1:<port>/alloy-stub`: the image setting for dev.yaml. */
  readonly repository: string;
  /**
   * Puts the stand-in Alloy image into the registry as `<repository>:<tag>` and removes it from the engine again, so
   * using it needs a pull. The pushed image carries `/etc/alloy-stub-release` (the tag), which makes its layer new to
   * the engine: a pull has to download it. Returns the image id (what `docker inspect` shows as `.Image`).
   */
  push(tag: string): string;
  /** Requests the registry served so far, as `METHOD path status` (from its access log). */
  requests(): string[];
}

export interface SshDockerHost {
  readonly dir: string;
  /** The "NAS" rootDir, owned by the SSH user. */
  readonly rootDir: string;
  readonly sshPort: number;
  readonly user: string;
  /** Client private key. */
  readonly identity: string;
  /** known_hosts with the test sshd's key pinned. */
  readonly knownHosts: string;
  /** The host key line as known_hosts records it (`[127.0.0.1]:port type key`). */
  readonly knownHostsLine: string;
  readonly dockerPath: string;
  readonly dockerSocket: string;
  readonly httpPort: number;
  readonly hostPaths: { dockerSocket: string; varLog: string; proc: string; sys: string; root: string };
  readonly sshdLog: string;
  /** Only when started with `{ registry: true }`. */
  readonly registry?: TestRegistry;
  /** Imports an image file system tar as `ref` with `podman import --change` lines (the real Alloy image). */
  importImage(tar: string, ref: string, changes: readonly string[]): void;
  /** The real docker CLI against this host's engine (run locally as root). */
  docker(args: readonly string[]): { stdout: string; stderr: string; code: number };
  /** Podman (with this host's storage and settings) run locally as root; throws with its stderr on failure. */
  podman(args: readonly string[]): string;
  /** Tags the stand-in image as `localhost/alloy-stub:<version>`. */
  tagStubImage(version: string): void;
  /** Writes dev.yaml and prod.yaml into `dir` pointing at this host; returns `dir`. */
  writeConfig(dir: string, overrides?: ConfigOverrides): string;
  /** Drops every SSH connection by killing the sshd processes serving them (the listener stays). */
  killConnections(): number;
  /** Count of accepted SSH logins so far (from sshd's log). */
  acceptedLogins(): number;
  stop(): Promise<void>;
}

export interface ConfigOverrides {
  /** The config folder whose prod.yaml and dev.yaml are the starting point; default the repository's config/. */
  readonly sourceConfigDir?: string;
  /** Image repository without tag; default the local stand-in `localhost/alloy-stub`. */
  readonly image?: string;
  readonly version?: string;
  readonly readyTimeoutSeconds?: number;
  /** target.dockerPath; default the docker CLI of this machine. */
  readonly dockerPath?: string;
  /** resource.serviceName (the container's OTEL_RESOURCE_ATTRIBUTES: a change recreates it); default dev.yaml's. */
  readonly serviceName?: string;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
    s.connect(port, '127.0.0.1');
  });
}

/** useradd/userdel lock /etc/passwd; parallel test files may collide, so retry a few times. */
function withPasswdLockRetry(program: string, args: string[]): void {
  for (let attempt = 0; ; attempt++) {
    const r = spawnSync(program, args, { encoding: 'utf8' });
    if (r.status === 0) return;
    // a lock held by a parallel useradd, or a killed session of the user that has not quite exited yet
    if (attempt >= 20 || !/lock|currently used/i.test(r.stderr)) {
      throw new Error(`${program} ${args.join(' ')}: ${r.stderr}`);
    }
    spawnSync('sleep', ['0.2']);
  }
}

/**
 * Debian's docker-registry (distribution 2.x) serving plain HTTP on 127.0.0.1 without auth, storage under `dir`.
 * Its access log (stdout) is kept in `accessLog`; the process joins `children`, so the host's stop() ends it.
 */
async function startRegistry(
  dir: string,
  started: (p: ProcessRecord) => void,
): Promise<{ address: string; accessLog: string }> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yml');
  // A fixed secret only silences the "no HTTP secret" warning; it signs upload state, nothing to protect here.
  const yaml = `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\n`;
  writeFileSync(config, `${yaml}http:\n  addr: ${address}\n  secret: alloy-deploy-tests\n`);
  const accessLog = join(dir, 'access.log');
  // registry 2.x logs its access lines and its errors on the same streams: one file for both
  started(startDetached('docker-registry', findProgram('docker-registry') as string, ['serve', config], accessLog));
  await waitFor('docker-registry', () => portOpen(port)).catch((e) => {
    throw new Error(`${(e as Error).message}: ${readFileSync(accessLog, 'utf8')}`);
  });
  return { address, accessLog };
}

/** What a host started and added, as <dir>/host.json holds it. */
export interface HostState {
  readonly user: string;
  /** Set once useradd succeeded: the user stopHostAt removes. */
  readonly uid?: number;
  readonly processes: readonly ProcessRecord[];
  readonly sshPort: number;
  readonly httpPort: number;
  /** /run/sshd (sshd's privilege separation folder) when this host created it. */
  readonly createdRunSshd?: boolean;
}

const stateFile = (dir: string) => join(dir, 'host.json');

/** The state of the host in `dir`, or null when none was started there. */
export function readHostState(dir: string): HostState | null {
  try {
    return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as HostState;
  } catch {
    return null;
  }
}

function podmanSetup(dir: string): { args: string[]; env: NodeJS.ProcessEnv } {
  const registriesConf = join(dir, 'podman/registries.conf');
  return {
    args: [
      '--root',
      join(dir, 'podman/root'),
      '--runroot',
      join(dir, 'podman/run'),
      '--tmpdir',
      join(dir, 'podman/tmp'),
      '--events-backend',
      'file',
    ],
    env: {
      ...process.env,
      CONTAINERS_CONF: join(dir, 'podman/containers.conf'),
      ...(existsSync(registriesConf) ? { CONTAINERS_REGISTRIES_CONF: registriesConf } : {}),
    },
  };
}

/** Whether every process the host in `dir` started still runs (false when there is none). */
export function hostRunning(state: HostState): boolean {
  return state.processes.length > 0 && state.processes.every(isRunning);
}

/**
 * Undoes the host in `dir`, from its state file: its containers and images, its processes (by pid, each checked
 * against its start time), the processes of its user, the user, and the folder itself. Safe to repeat.
 */
export async function stopHostAt(dir: string, options: { keepDir?: boolean } = {}): Promise<void> {
  const state = readHostState(dir);
  const podman = podmanSetup(dir);
  if (existsSync(join(dir, 'podman/root'))) {
    spawnSync('podman', [...podman.args, 'rm', '-a', '-f', '-t', '0'], { env: podman.env, stdio: 'ignore' });
    spawnSync('podman', [...podman.args, 'rmi', '-a', '-f'], { env: podman.env, stdio: 'ignore' });
  }
  for (const p of state?.processes ?? []) {
    // Sessions of the SSH user and their shells are descendants of our sshd: end them by pid first.
    if (isRunning(p)) for (const pid of descendants(p.pid).reverse()) killPid(pid);
  }
  for (const p of [...(state?.processes ?? [])].reverse()) await stopProcess(p);
  // A `docker exec` leaves a conmon (daemonized, so not below our processes) that outlives `podman rm` by minutes.
  for (const pid of processesMentioning(join(dir, 'podman/'))) killPid(pid);
  if (state?.uid !== undefined) {
    // A session whose parent was killed is re-parented to init, outside the tree above; it still runs as our
    // throw-away user, which only this host's sshd logged in.
    for (const pid of processesOfUid(state.uid)) killPid(pid);
    const present = spawnSync('id', ['-u', state.user], { encoding: 'utf8' }).stdout.trim() === String(state.uid);
    if (present) withPasswdLockRetry('userdel', [state.user]);
  }
  if (state?.createdRunSshd) {
    try {
      if (readdirSync('/run/sshd').length === 0) rmSync('/run/sshd', { recursive: true });
    } catch {
      // gone, or in use by another sshd now
    }
  }
  // podman leaves its overlay mounted under the storage root, and the `podman container cleanup` that a removed
  // container's conmon starts may mount it again a moment later: unmount and remove until it stays removed.
  for (let attempt = 0; ; attempt++) {
    for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    try {
      if (options.keepDir) {
        for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
      } else rmSync(dir, { recursive: true, force: true });
      break;
    } catch (e) {
      if (attempt >= 25) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/**
 * Starts the host in `options.dir` (created; it must not exist or be empty), or in a new temp folder. With
 * `{ registry: true }` it runs a Docker registry on 127.0.0.1 too.
 */
export async function startSshDockerHost(options: { registry?: boolean; dir?: string } = {}): Promise<SshDockerHost> {
  const dir = options.dir ?? mkdtempSync('/tmp/ldh-');
  mkdirSync(dir, { recursive: true });
  // The SSH user reaches its files, the docker socket and the NAS folder through this folder.
  chmodSync(dir, 0o755);
  const user = `ldh${randomBytes(3).toString('hex')}`;
  const podman = podmanSetup(dir);
  const sshPort = await freePort();
  const httpPort = await freePort();
  let state: HostState = { user, processes: [], sshPort, httpPort };
  const record = (change: Partial<HostState>) => {
    state = { ...state, ...change };
    writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
  };
  const started = (p: ProcessRecord) => record({ processes: [...state.processes, p] });
  record({});

  try {
    const dockerPath = findProgram('docker') as string;

    // The SSH user, with a home inside the folder; '*' unlocks key login (a '!' password is refused).
    mkdirSync(join(dir, 'home'));
    withPasswdLockRetry('useradd', ['-M', '-d', join(dir, 'home'), '-s', '/bin/sh', '-p', '*', user]);
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
    record({ uid });
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
    chownSync(join(dir, 'home'), uid, gid);

    // Keys: the server's host key and the client's login key.
    const keys = join(dir, 'keys');
    mkdirSync(keys, { mode: 0o700 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'sandbox-host', '-f', join(keys, 'host_key')]);
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'sandbox-client',
      '-f',
      join(keys, 'client_key'),
    ]);
    const authorizedKeys = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, readFileSync(join(keys, 'client_key.pub')), { mode: 0o600 });
    chownSync(authorizedKeys, uid, gid);
    const [type, key] = readFileSync(join(keys, 'host_key.pub'), 'utf8').trim().split(/\s+/);
    const knownHostsLine = `[127.0.0.1]:${sshPort} ${type} ${key}`;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${knownHostsLine}\n`);

    // The Docker engine: rootful podman with this host's own storage, runroot and tmpdir.
    mkdirSync(join(dir, 'podman'));
    writeFileSync(
      join(dir, 'podman/containers.conf'),
      '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n',
    );
    // Optional registry; the engine must be told it speaks plain HTTP (only this registry: the file replaces the
    // system's registries.conf for this engine).
    const registry = options.registry ? await startRegistry(join(dir, 'registry'), started) : undefined;
    if (registry) {
      const registriesConf = join(dir, 'podman/registries.conf');
      writeFileSync(registriesConf, `[[registry]]\nlocation = "${registry.address}"\ninsecure = true\n`);
      podman.env.CONTAINERS_REGISTRIES_CONF = registriesConf;
    }
    const dockerSocket = join(dir, 'podman/docker.sock');
    const podmanLog = join(dir, 'podman.log');
    started(
      startDetached(
        'podman',
        findProgram('podman') as string,
        [...podman.args, 'system', 'service', '--time=0', `unix://${dockerSocket}`],
        podmanLog,
        podman.env,
      ),
    );
    await waitFor('podman system service', () => existsSync(dockerSocket)).catch((e) => {
      throw new Error(`${(e as Error).message}: ${readFileSync(podmanLog, 'utf8')}`);
    });
    chmodSync(dockerSocket, 0o666);

    // The "NAS": rootDir and the host paths the container mounts, all in the folder.
    const rootDir = join(dir, 'nas');
    mkdirSync(rootDir);
    chownSync(rootDir, uid, gid);
    const hostPaths = {
      dockerSocket,
      varLog: join(dir, 'host/var-log'),
      proc: join(dir, 'host/proc'),
      sys: join(dir, 'host/sys'),
      root: join(dir, 'host/root'),
    };
    for (const d of [hostPaths.varLog, hostPaths.proc, hostPaths.sys, hostPaths.root])
      mkdirSync(d, { recursive: true });
    writeFileSync(join(hostPaths.varLog, 'messages.log'), 'a host log line\n');

    const runPodman = (args: readonly string[]) =>
      execFileSync('podman', [...podman.args, ...args], {
        env: podman.env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
    // The stand-in Alloy image.
    buildStubImageTar(join(dir, 'stub'), join(dir, 'stub.tar'));
    /** Imports an image file system tar as `ref`; returns the image id. */
    const importStub = (tar: string, ref: string) =>
      runPodman(['import', '-q', '--change', 'ENTRYPOINT ["/bin/alloy"]', tar, ref]);
    importStub(join(dir, 'stub.tar'), `${stubImage}:base`);

    // sshd, with the engine's socket as DOCKER_HOST for the user's commands.
    if (!existsSync('/run/sshd')) {
      mkdirSync('/run/sshd', { recursive: true });
      record({ createdRunSshd: true });
    }
    const sshdLog = join(dir, 'sshd.log');
    const sshdConfig = join(dir, 'sshd_config');
    writeFileSync(
      sshdConfig,
      [
        `Port ${sshPort}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(keys, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        // The folder may lie under /tmp (world-writable), which StrictModes would refuse for the key file.
        'StrictModes no',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitRootLogin no',
        `AllowUsers ${user}`,
        `SetEnv DOCKER_HOST=unix://${dockerSocket}`,
        'LogLevel VERBOSE',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    const sshd = startDetached('sshd', findProgram('sshd') as string, ['-D', '-f', sshdConfig, '-E', sshdLog], sshdLog);
    started(sshd);
    await waitFor('sshd', () => portOpen(sshPort)).catch((e) => {
      throw new Error(`${(e as Error).message}: ${readFileSync(sshdLog, 'utf8')}`);
    });

    const docker = (args: readonly string[]) => {
      const r = spawnSync(dockerPath, args, {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST: `unix://${dockerSocket}` },
      });
      return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
    };

    return {
      dir,
      rootDir,
      sshPort,
      user,
      identity: join(keys, 'client_key'),
      knownHosts,
      knownHostsLine,
      dockerPath,
      dockerSocket,
      httpPort,
      hostPaths,
      sshdLog,
      registry: registry && {
        repository: `${registry.address}/alloy-stub`,
        push(tag) {
          const release = join(dir, 'registry', `release-${tag}`);
          mkdirSync(join(release, 'etc'), { recursive: true });
          writeFileSync(join(release, 'etc/alloy-stub-release'), `${tag}\n`);
          copyFileSync(join(dir, 'stub.tar'), `${release}.tar`);
          execFileSync('tar', ['-rf', `${release}.tar`, '-C', release, './etc/alloy-stub-release']);
          const ref = `${registry.address}/alloy-stub:${tag}`;
          const id = importStub(`${release}.tar`, ref);
          runPodman(['push', '-q', ref]);
          runPodman(['rmi', ref]);
          return id;
        },
        requests() {
          const log = readFileSync(registry.accessLog, 'utf8');
          return [...log.matchAll(/"(\w+) (\S+) HTTP\/[\d.]+" (\d{3})/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
        },
      },
      docker,
      importImage(tar, ref, changes) {
        runPodman(['import', '-q', ...changes.flatMap((c) => ['--change', c]), tar, ref]);
      },
      podman: runPodman,
      tagStubImage(version) {
        runPodman(['tag', `${stubImage}:base`, `${stubImage}:${version}`]);
      },
      writeConfig(configDir, overrides = {}) {
        mkdirSync(configDir, { recursive: true });
        const repoConfig = overrides.sourceConfigDir ?? resolve(__dirname, '../../config');
        writeFileSync(join(configDir, 'prod.yaml'), readFileSync(join(repoConfig, 'prod.yaml')));
        const dev = parseDocument(readFileSync(join(repoConfig, 'dev.yaml'), 'utf8'));
        dev.setIn(['alloyLegacy', 'image'], overrides.image ?? stubImage);
        dev.setIn(['alloyLegacy', 'version'], overrides.version ?? 'v1.10.1');
        dev.setIn(['alloyLegacy', 'target'], {
          host: '127.0.0.1',
          user,
          port: sshPort,
          rootDir,
          dockerPath: overrides.dockerPath ?? dockerPath,
        });
        dev.setIn(['alloyLegacy', 'httpPort'], httpPort);
        dev.setIn(['alloyLegacy', 'hostPaths'], hostPaths);
        dev.setIn(['alloyLegacy', 'readyTimeoutSeconds'], overrides.readyTimeoutSeconds ?? 10);
        if (overrides.serviceName !== undefined)
          dev.setIn(['alloyLegacy', 'resource', 'serviceName'], overrides.serviceName);
        writeFileSync(join(configDir, 'dev.yaml'), dev.toString());
        return configDir;
      },
      killConnections() {
        // Each connection is a process tree under the listener (monitor → session → shell → tar ...); killing only
        // the monitor leaves the session process serving the socket, so the whole tree goes, leaves first.
        const victims = isRunning(sshd) ? descendants(sshd.pid) : [];
        for (const pid of victims.reverse()) killPid(pid);
        return victims.length;
      },
      acceptedLogins() {
        return existsSync(sshdLog) ? (readFileSync(sshdLog, 'utf8').match(/Accepted publickey/g) ?? []).length : 0;
      },
      stop: () => stopHostAt(dir),
    };
  } catch (e) {
    await stopHostAt(dir, { keepDir: options.dir !== undefined });
    throw e;
  }
}
