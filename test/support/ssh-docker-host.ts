import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { findProgram, needsMet } from './requirements';

/*
 * A real test host on this machine, standing in for the Synology NAS: an OpenSSH server on 127.0.0.1 with a test
 * user and key, a Docker-API engine (rootful podman with its own storage, on a socket the SSH user may use, set as
 * DOCKER_HOST for that user's commands), and a stand-in Alloy image built from busybox. See
 * ../shared/notes/test-host.md for why each setting is there.
 */

export const hostPrograms = ['sshd', 'ssh-keygen', 'podman', 'runc', 'busybox', 'docker', 'useradd', 'userdel'];

/** With `{ registry: true }` the host also runs a Docker registry (Debian's docker-registry package). */
export const registryPrograms = ['docker-registry'];

/** True when the host (with its registry, if asked for) can be started; otherwise skips loudly (or throws under CI). */
export function sshDockerHostAvailable(suite: string, options: { registry?: boolean } = {}): boolean {
  const programs = options.registry ? [...hostPrograms, ...registryPrograms] : hostPrograms;
  return needsMet(suite, { programs, root: true });
}

export const stubImage = 'localhost/alloy-stub';

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
  /** Image repository without tag; default the local stand-in `localhost/alloy-stub`. */
  readonly image?: string;
  readonly version?: string;
  readonly readyTimeoutSeconds?: number;
  /** target.dockerPath; default the docker CLI of this machine. */
  readonly dockerPath?: string;
}

function freePort(): Promise<number> {
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

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`test host: ${what} did not come up within ${timeoutMs} ms`);
}

function portOpen(port: number): Promise<boolean> {
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
async function startRegistry(dir: string, children: ChildProcess[]): Promise<{ address: string; accessLog: string }> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const config = join(dir, 'config.yml');
  // A fixed secret only silences the "no HTTP secret" warning; it signs upload state, nothing to protect here.
  const yaml = `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\n`;
  writeFileSync(config, `${yaml}http:\n  addr: ${address}\n  secret: alloy-deploy-tests\n`);
  const accessLog = join(dir, 'access.log');
  const errorLog = join(dir, 'registry.log');
  const [out, err] = [openSync(accessLog, 'a'), openSync(errorLog, 'a')];
  const registry = spawn(findProgram('docker-registry') as string, ['serve', config], { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  children.push(registry);
  await waitFor('docker-registry', () => portOpen(port)).catch((e) => {
    throw new Error(`${(e as Error).message}: ${readFileSync(errorLog, 'utf8')}`);
  });
  return { address, accessLog };
}

/** All processes below `pid`, parents before children (read from /proc: procps may not be installed). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // the command name (2nd field) may hold spaces; the parent pid is the 2nd field after its closing ')'
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited meanwhile
    }
  }
  const walk = (p: number): number[] => (parents.get(p) ?? []).flatMap((c) => [c, ...walk(c)]);
  return walk(pid);
}

/** Mount points below `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1])
    .filter((m) => m?.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Pids of the processes (other than this one) whose /proc/<pid>/<file> passes `test`. */
function processesWhere(file: 'status' | 'cmdline', test: (text: string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
    .filter((e) => {
      try {
        return test(readFileSync(`/proc/${e}/${file}`, 'utf8'));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** Pids of the processes running as `user` (by real uid). */
function processesOfUser(user: string): number[] {
  const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim();
  if (!uid) return [];
  return processesWhere('status', (status) => /^Uid:\s+(\d+)/m.exec(status)?.[1] === uid);
}

/** Processes whose command line names `path`: podman's conmon monitors daemonize out of our process tree. */
function processesMentioning(path: string): number[] {
  return processesWhere('cmdline', (cmdline) => cmdline.includes(path));
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/*
 * The stand-in Alloy image's entrypoint, held to upstream grafana/alloy (internal/alloycli): `run <path> [flags]`
 * and `validate [flags] <path>`. validate takes exactly one path (cobra.ExactArgs(1)) and the flags
 * --stability.level, --feature.community-components.enabled, --config.format (others are "unknown flag"), prints
 * its diagnostics on stderr and exits 1 on any error (main.go exits 1 when the command returns one), 0 when valid.
 * The stub cannot parse Alloy syntax: a file named FAIL_VALIDATE beside the config stands for a config Alloy
 * rejects (its content is the diagnostic printed), a folder without *.alloy file is rejected as upstream does.
 */
const stubEntrypoint = `#!/bin/sh
# Stand-in for grafana/alloy in tests: run <config dir> --server.http.listen-addr=HOST:PORT --storage.path=DIR,
# or validate [flags] <config dir>
if [ "$1" = validate ]; then
  shift
  paths=0
  for arg in "$@"; do
    case "$arg" in
      --stability.level=* | --feature.community-components.enabled | --feature.community-components.enabled=* | --config.format=*) ;;
      -*) echo "Error: unknown flag: $arg" >&2; exit 1 ;;
      *) paths=$((paths + 1)); dir=$arg ;;
    esac
  done
  [ "$paths" = 1 ] || { echo "Error: accepts 1 arg(s), received $paths" >&2; exit 1; }
  [ -e "$dir" ] || { echo "Error: encountered errors during validation: stat $dir: no such file or directory" >&2; exit 1; }
  if [ -e "$dir/FAIL_VALIDATE" ]; then cat "$dir/FAIL_VALIDATE" >&2; echo "Error: validation failed" >&2; exit 1; fi
  [ -n "$(/bin/alloy-files "$dir")" ] || { echo "Error: validation failed: no .alloy files in $dir" >&2; exit 1; }
  exit 0
fi
[ "$1" = run ] || { echo "alloy-stub: expected 'run' or 'validate', got '$1'" >&2; exit 64; }
export CONFIG_DIR="$2"; shift 2
for arg in "$@"; do
  case "$arg" in
    --server.http.listen-addr=*) addr="\${arg#*=}" ;;
    --storage.path=*) export STORAGE="\${arg#*=}" ;;
  esac
done
port="\${addr##*:}"
[ -n "$port" ] && [ -n "$STORAGE" ] || { echo "alloy-stub: missing listen address or storage path" >&2; exit 64; }
rm -f "$STORAGE/last-load-failed"
echo "start" >> "$STORAGE/starts"
echo "$ALLOY_CENTRAL_OTLP_ENDPOINT" > "$STORAGE/central-endpoint"
/bin/load-config
echo "alloy-stub: listening on $addr, config $CONFIG_DIR, storage $STORAGE"
busybox nc -ll -p "$port" -e /bin/handler &
pid=$!
trap 'kill $pid; exit 0' TERM INT
wait $pid
`;

/** The *.alloy files of a folder (hidden ones too, as Alloy's folder loading reads them), in byte order of names. */
const stubAlloyFiles = `#!/bin/sh
ls -1a "$1" | grep '[.]alloy$' | LC_ALL=C sort | while IFS= read -r n; do [ -f "$1/$n" ] && printf '%s\\n' "$1/$n"; done
`;

/**
 * Records which config the stub "runs", as Alloy's alloy_config_hash: SHA-256 over the *.alloy files' contents
 * concatenated in name order (lib/alloy/config-hash.ts), written to $STORAGE/loaded-config.
 */
const stubLoadConfig = `#!/bin/sh
/bin/alloy-files "$CONFIG_DIR" | while IFS= read -r f; do cat "$f"; done | sha256sum | cut -d' ' -f1 > "$STORAGE/loaded-config"
`;

/**
 * One HTTP request per connection (busybox nc -e); marker files in the config folder make it fail on purpose.
 * /metrics serves alloy_config_hash{cluster_name="",sha256=...} of the last successful load (labels as upstream's
 * internal/alloycli config metrics, ConstLabels cluster_name) and alloy_config_last_load_successful;
 * a rejected reload keeps the hash and sets the latter to 0, as Alloy does.
 */
const stubHandler = `#!/bin/sh
cr=$(printf '\\r')
read -r method path rest
while read -r line; do case "$line" in "" | "$cr") break ;; esac; done
respond() { printf 'HTTP/1.1 %s\\r\\nContent-Type: text/plain\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' "$1" "\${#2}" "$2"; }
case "$method $path" in
  "GET /-/ready")
    if [ -e "$CONFIG_DIR/FAIL_READY" ]; then respond '503 Service Unavailable' 'Alloy is not ready.'
    else respond '200 OK' 'Alloy is ready.'; fi ;;
  "GET /metrics")
    hash=$(cat "$STORAGE/loaded-config" 2>/dev/null)
    ok=1; [ -e "$STORAGE/last-load-failed" ] && ok=0
    [ -e "$CONFIG_DIR/WRONG_HASH" ] && hash=0000000000000000000000000000000000000000000000000000000000000000
    respond '200 OK' "# TYPE alloy_config_hash gauge
alloy_config_hash{cluster_name=\\"\\",sha256=\\"$hash\\"} 1
# TYPE alloy_config_last_load_successful gauge
alloy_config_last_load_successful $ok
" ;;
  "POST /-/reload")
    if [ -e "$CONFIG_DIR/FAIL_RELOAD" ]; then
      echo "alloy-stub: reload rejected" >&2
      : > "$STORAGE/last-load-failed"
      respond '400 Bad Request' 'error during the initial load: FAIL_RELOAD marker'
    else /bin/load-config; rm -f "$STORAGE/last-load-failed"; echo reload >> "$STORAGE/reloads"; respond '200 OK' 'config reloaded'; fi ;;
  *) respond '404 Not Found' 'not found' ;;
esac
`;

export async function startSshDockerHost(options: { registry?: boolean } = {}): Promise<SshDockerHost> {
  const dir = mkdtempSync('/tmp/ldh-');
  chmodSync(dir, 0o755);
  const user = `ldh${randomBytes(3).toString('hex')}`;
  const children: ChildProcess[] = [];
  const podmanDirs = { root: join(dir, 'podman/root'), runroot: join(dir, 'podman/run'), tmp: join(dir, 'podman/tmp') };
  const podmanEnv: NodeJS.ProcessEnv & { CONTAINERS_CONF: string } = {
    ...process.env,
    CONTAINERS_CONF: join(dir, 'podman/containers.conf'),
  };
  const podmanArgs = [
    '--root',
    podmanDirs.root,
    '--runroot',
    podmanDirs.runroot,
    '--tmpdir',
    podmanDirs.tmp,
    '--events-backend',
    'file',
  ];
  let userCreated = false;

  const stop = async () => {
    if (existsSync(podmanDirs.root)) {
      spawnSync('podman', [...podmanArgs, 'rm', '-a', '-f', '-t', '0'], { env: podmanEnv, stdio: 'ignore' });
    }
    // Processes of the test user (sessions, their shells) are descendants of our sshd: end them by pid first.
    for (const child of children)
      if (child.pid && child.exitCode === null) descendants(child.pid).reverse().forEach(killPid);
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.pid) {
        let timer: NodeJS.Timeout | undefined;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
        clearTimeout(timer);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
    // A `docker exec` leaves a conmon (daemonized, so not below our children) that outlives `podman rm` by minutes.
    for (const pid of processesMentioning(join(dir, 'podman'))) killPid(pid);
    if (userCreated) {
      // A session whose parent was killed is re-parented to init, outside the tree above; it still runs as our
      // throw-away user, which only this host's sshd logged in.
      for (const pid of processesOfUser(user)) killPid(pid);
      try {
        withPasswdLockRetry('userdel', [user]);
      } catch (e) {
        process.stderr.write(`test host: ${(e as Error).message}\n`);
      }
    }
    // podman leaves its overlay mounted under the storage root, and the `podman container cleanup` that a removed
    // container's conmon starts may mount it again a moment later: unmount and remove until it stays removed.
    for (let attempt = 0; ; attempt++) {
      for (const m of mountsUnder(dir)) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
      try {
        rmSync(dir, { recursive: true, force: true });
        break;
      } catch (e) {
        if (attempt >= 25) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  try {
    const sshPort = await freePort();
    const httpPort = await freePort();
    const dockerPath = findProgram('docker') as string;

    // The SSH user, with a home inside the temp folder; '*' unlocks key login (a '!' password is refused).
    mkdirSync(join(dir, 'home'));
    withPasswdLockRetry('useradd', ['-M', '-d', join(dir, 'home'), '-s', '/bin/sh', '-p', '*', user]);
    userCreated = true;
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
    chownSync(join(dir, 'home'), uid, gid);

    // Keys: the server's host key and the client's login key.
    const keys = join(dir, 'keys');
    mkdirSync(keys, { mode: 0o700 });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'host_key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'client_key')]);
    const authorizedKeys = join(dir, 'authorized_keys');
    writeFileSync(authorizedKeys, readFileSync(join(keys, 'client_key.pub')), { mode: 0o600 });
    chownSync(authorizedKeys, uid, gid);
    const [type, key] = readFileSync(join(keys, 'host_key.pub'), 'utf8').trim().split(/\s+/);
    const knownHostsLine = `[127.0.0.1]:${sshPort} ${type} ${key}`;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, `${knownHostsLine}\n`);

    // The Docker engine: rootful podman with this host's own storage, runroot and tmpdir.
    mkdirSync(join(dir, 'podman'));
    writeFileSync(podmanEnv.CONTAINERS_CONF, '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n');
    // Optional registry; the engine must be told it speaks plain HTTP (only this registry: the file replaces the
    // system's registries.conf for this engine).
    const registry = options.registry ? await startRegistry(join(dir, 'registry'), children) : undefined;
    if (registry) {
      const registriesConf = join(dir, 'podman/registries.conf');
      writeFileSync(registriesConf, `[[registry]]\nlocation = "${registry.address}"\ninsecure = true\n`);
      podmanEnv.CONTAINERS_REGISTRIES_CONF = registriesConf;
    }
    const dockerSocket = join(dir, 'podman/docker.sock');
    const podman = spawn('podman', [...podmanArgs, 'system', 'service', '--time=0', `unix://${dockerSocket}`], {
      env: podmanEnv,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let podmanErr = '';
    podman.stderr?.on('data', (d) => {
      podmanErr += d;
    });
    children.push(podman);
    await waitFor(`podman system service (${podmanErr})`, () => existsSync(dockerSocket));
    chmodSync(dockerSocket, 0o666);

    // The "NAS": rootDir and the host paths the container mounts, all in the temp folder.
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

    // The stand-in Alloy image.
    const image = join(dir, 'stub');
    for (const d of ['bin', 'etc/alloy', 'var/lib/alloy/data', 'tmp']) mkdirSync(join(image, d), { recursive: true });
    writeFileSync(join(image, 'bin/busybox'), readFileSync(findProgram('busybox') as string), { mode: 0o755 });
    for (const applet of [
      'sh',
      'cat',
      'sha256sum',
      'cut',
      'printf',
      'echo',
      'kill',
      'date',
      'ls',
      'grep',
      'sort',
      'rm',
    ]) {
      symlinkSync('busybox', join(image, 'bin', applet));
    }
    writeFileSync(join(image, 'bin/alloy'), stubEntrypoint, { mode: 0o755 });
    writeFileSync(join(image, 'bin/load-config'), stubLoadConfig, { mode: 0o755 });
    writeFileSync(join(image, 'bin/alloy-files'), stubAlloyFiles, { mode: 0o755 });
    writeFileSync(join(image, 'bin/handler'), stubHandler, { mode: 0o755 });
    execFileSync('tar', ['-C', image, '-cf', join(dir, 'stub.tar'), '.']);
    /** Imports an image file system tar as `ref`; returns the image id. */
    const importStub = (tar: string, ref: string) =>
      execFileSync('podman', [...podmanArgs, 'import', '-q', '--change', 'ENTRYPOINT ["/bin/alloy"]', tar, ref], {
        env: podmanEnv,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
    importStub(join(dir, 'stub.tar'), `${stubImage}:base`);

    // sshd, with the engine's socket as DOCKER_HOST for the user's commands.
    mkdirSync('/run/sshd', { recursive: true });
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
        // The temp folder is under /tmp (world-writable), which StrictModes would refuse for the key file.
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
    const sshd = spawn(findProgram('sshd') as string, ['-D', '-f', sshdConfig, '-E', sshdLog], { stdio: 'ignore' });
    children.push(sshd);
    await waitFor('sshd', () => portOpen(sshPort));

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
          for (const args of [
            ['push', '-q', ref],
            ['rmi', ref],
          ]) {
            execFileSync('podman', [...podmanArgs, ...args], { env: podmanEnv, stdio: ['ignore', 'ignore', 'pipe'] });
          }
          return id;
        },
        requests() {
          const log = readFileSync(registry.accessLog, 'utf8');
          return [...log.matchAll(/"(\w+) (\S+) HTTP\/[\d.]+" (\d{3})/g)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
        },
      },
      docker,
      importImage(tar, ref, changes) {
        execFileSync('podman', [...podmanArgs, 'import', '-q', ...changes.flatMap((c) => ['--change', c]), tar, ref], {
          env: podmanEnv,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      },
      tagStubImage(version) {
        execFileSync('podman', [...podmanArgs, 'tag', `${stubImage}:base`, `${stubImage}:${version}`], {
          env: podmanEnv,
        });
      },
      writeConfig(configDir, overrides = {}) {
        mkdirSync(configDir, { recursive: true });
        const repoConfig = resolve(__dirname, '../../config');
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
        writeFileSync(join(configDir, 'dev.yaml'), dev.toString());
        return configDir;
      },
      killConnections() {
        // Each connection is a process tree under the listener (monitor → session → shell → tar ...); killing only
        // the monitor leaves the session process serving the socket, so the whole tree goes, leaves first.
        const victims = descendants(sshd.pid as number);
        for (const pid of victims.reverse()) killPid(pid);
        return victims.length;
      },
      acceptedLogins() {
        return existsSync(sshdLog) ? (readFileSync(sshdLog, 'utf8').match(/Accepted publickey/g) ?? []).length : 0;
      },
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
