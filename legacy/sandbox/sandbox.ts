/**
 * `legacy-deploy sandbox up|status|down [dir]`: a NAS on this machine to rehearse the cut-over on. It is the
 * integration tests' host (host.ts: a real sshd on 127.0.0.1 with its own host key and a throw-away deploy user,
 * podman as the Docker engine), seeded with the pre-refactor `alloy` container (pre-refactor.ts), plus a real
 * Unbound for the file DNS backend (unbound.ts), and a config folder pointing at all of it. Everything lives in
 * `dir`; what was started is recorded there (pids with their start times, the user), so `status` and `down` work
 * from any later process and tell a stale pid from a live one.
 */
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { loadStacks } from '../../lib/config/load';
import { type AlloyImage, ensureAlloyImage, imageChanges } from '../../tools/alloy/alloy-image';
import { AlloyBuildError, releaseToBuild } from '../../tools/alloy/build-alloy';
import { UserError } from '../shared/user-error';
import {
  hostPrograms,
  hostRunning,
  readHostState,
  type SshDockerHost,
  startSshDockerHost,
  stopHostAt,
  stubImage,
} from './host';
import { seedPreRefactorAlloy } from './pre-refactor';
import { isRunning, type ProcessRecord } from './processes';
import { missingPackages } from './programs';
import { startUnbound, stopUnbound, unboundPrograms, unboundTool } from './unbound';

/** The Alloy image the sandbox's engine holds, as `provideAlloyImage` loaded it. */
export interface SandboxImage {
  /** repository:tag, as dev.yaml's image and version name it. */
  readonly reference: string;
  readonly repository: string;
  readonly version: string;
  /** What the image is, said wherever the sandbox describes itself (a stand-in says so). */
  readonly label: string;
}

/**
 * Loads the Alloy image into the sandbox's engine: the one place that decides which image the sandbox runs. With
 * `realAlloy`, the real Alloy built from the Go module proxy (tools/alloy: the stacks' pin, or the nearest release
 * the proxy builds, said in the label); otherwise the busybox stand-in (stub-image.ts) tagged with `version`.
 */
export async function provideAlloyImage(
  host: SshDockerHost,
  version: string,
  options: { realAlloy?: boolean; progress?: (line: string) => void } = {},
): Promise<SandboxImage> {
  if (options.realAlloy) {
    let built: { image: AlloyImage; note?: string };
    try {
      const { release, note } = releaseToBuild(version);
      built = { image: await ensureAlloyImage(release, options.progress), note };
    } catch (e) {
      if (e instanceof AlloyBuildError) throw new UserError(`sandbox up --real-alloy: ${e.message}`);
      throw e;
    }
    const { image, note } = built;
    host.importImage(image.tar, `${REAL_ALLOY_REPOSITORY}:${image.version}`, imageChanges);
    return {
      reference: `${REAL_ALLOY_REPOSITORY}:${image.version}`,
      repository: REAL_ALLOY_REPOSITORY,
      version: image.version,
      label: `Grafana Alloy ${image.version}, built from the Go module proxy${note ? ` (${note})` : ''}`,
    };
  }
  host.tagStubImage(version);
  return {
    reference: `${stubImage}:${version}`,
    repository: stubImage,
    version,
    label:
      'STAND-IN, not Grafana Alloy: busybox answering /-/ready, /-/reload and /metrics as Alloy does; ' +
      '`alloy validate` accepts any folder with a .alloy file (`sandbox up --real-alloy` builds the real one, with Go)',
  };
}

/** The repository the real Alloy image is imported as (the engine's local storage; never pulled). */
export const REAL_ALLOY_REPOSITORY = 'localhost/grafana/alloy';

interface SandboxState {
  /** `up` created the folder (then `down` removes it; otherwise it leaves it empty). */
  readonly createdDir: boolean;
  readonly image?: SandboxImage;
  readonly unbound?: { readonly process: ProcessRecord; readonly dir: string; readonly port: number };
}

export interface SandboxLayout {
  readonly dir: string;
  readonly hostDir: string;
  readonly unboundDir: string;
  readonly configDir: string;
  readonly identity: string;
  readonly knownHosts: string;
  readonly stateFile: string;
}

export function sandboxLayout(dir: string): SandboxLayout {
  const abs = resolve(dir);
  const configDir = join(abs, 'config');
  return {
    dir: abs,
    hostDir: join(abs, 'host'),
    unboundDir: join(abs, 'unbound'),
    configDir,
    identity: join(configDir, 'id_ed25519'),
    knownHosts: join(configDir, 'known_hosts'),
    stateFile: join(abs, 'sandbox.json'),
  };
}

function readState(l: SandboxLayout): SandboxState | null {
  try {
    return JSON.parse(readFileSync(l.stateFile, 'utf8')) as SandboxState;
  } catch {
    return null;
  }
}

function writeState(l: SandboxLayout, state: SandboxState): void {
  writeFileSync(l.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/** One process of the sandbox as `status` reports it. */
export interface SandboxProcess {
  readonly name: string;
  readonly pid: number;
  readonly running: boolean;
}

export interface SandboxStatus {
  readonly dir: string;
  /** `running`: every process runs; `stale`: some recorded process is gone (or its pid now another's); `absent`. */
  readonly state: 'running' | 'stale' | 'absent';
  readonly processes: readonly SandboxProcess[];
  readonly user?: string;
  readonly sshPort?: number;
  readonly httpPort?: number;
  readonly unboundPort?: number;
  readonly image?: SandboxImage;
  readonly configDir?: string;
}

export function sandboxStatus(dir: string): SandboxStatus {
  const l = sandboxLayout(dir);
  const state = readState(l);
  const host = readHostState(l.hostDir);
  if (!state && !host) return { dir: l.dir, state: 'absent', processes: [] };
  const records = [...(host?.processes ?? []), ...(state?.unbound ? [state.unbound.process] : [])];
  const processes = records.map((p) => ({ name: p.name, pid: p.pid, running: isRunning(p) }));
  const running =
    host !== null && hostRunning(host) && state?.unbound !== undefined && isRunning(state.unbound.process);
  return {
    dir: l.dir,
    state: running ? 'running' : 'stale',
    processes,
    user: host?.user,
    sshPort: host?.sshPort,
    httpPort: host?.httpPort,
    unboundPort: state?.unbound?.port,
    image: state?.image,
    configDir: existsSync(l.configDir) ? l.configDir : undefined,
  };
}

/** What `up` needs that this machine lacks, as one line, or undefined. */
export function sandboxUnmet(): string | undefined {
  const packages = missingPackages([...hostPrograms, ...unboundPrograms]);
  if (packages.length > 0) {
    return `the sandbox needs Debian packages that are not installed: apt-get install -y ${packages.join(' ')}`;
  }
  if (process.getuid?.() !== 0) {
    return 'the sandbox needs root (it adds a throw-away user, runs sshd and rootful podman, as the tests do): run it with sudo';
  }
  return undefined;
}

/** Every folder above `dir` must let the throw-away SSH user through (o+x), or it cannot reach its NAS folder. */
function refuseUntraversable(dir: string): void {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      throw new UserError(
        `sandbox: ${d} is not searchable by other users (mode ${(statSync(d).mode & 0o777).toString(8)}), so the sandbox's SSH user could not reach ${dir}: choose a folder below one that is (e.g. /tmp/alloy-sandbox)`,
      );
    }
    if (d === dirname(d)) return;
  }
}

export interface UpOptions {
  readonly dir: string;
  /** The stack whose dev.yaml (version, settings) and prod.yaml the sandbox's config folder starts from. */
  readonly sourceConfigDir: string;
  readonly progress: (message: string) => void;
  /** Run the real Alloy (built from the Go module proxy on first use; needs Go) instead of the stand-in. Default false. */
  readonly realAlloy?: boolean;
}

export interface UpResult {
  readonly layout: SandboxLayout;
  readonly status: SandboxStatus;
  readonly image: SandboxImage;
  readonly rootDir: string;
  readonly unboundInclude: string;
}

/** Starts the sandbox in `dir`; on any failure undoes what it started and throws. */
export async function sandboxUp(options: UpOptions): Promise<UpResult> {
  const l = sandboxLayout(options.dir);
  const unmet = sandboxUnmet();
  if (unmet) throw new UserError(unmet);
  const before = sandboxStatus(l.dir);
  if (before.state === 'running') {
    throw new UserError(`sandbox: one already runs in ${l.dir} (legacy-deploy sandbox status / down ${options.dir})`);
  }
  if (before.state === 'stale') {
    options.progress(`a stale sandbox is recorded in ${l.dir}: removing it first`);
    await sandboxDown(l.dir, { keepDir: true });
  }
  if (existsSync(l.dir) && readdirSync(l.dir).length > 0) {
    throw new UserError(`sandbox: ${l.dir} is not empty and holds no sandbox: choose a new or empty folder`);
  }
  // a Unix socket path has at most 107 bytes: the engine's socket lives at <dir>/host/podman/docker.sock
  if (join(l.hostDir, 'podman/docker.sock').length > 100) {
    throw new UserError(`sandbox: ${l.dir} is too long a path for the engine's Unix socket: choose a shorter one`);
  }
  refuseUntraversable(l.dir);
  const stacks = loadStacks(options.sourceConfigDir);
  const createdDir = !existsSync(l.dir);
  mkdirSync(l.dir, { recursive: true });
  writeState(l, { createdDir });
  try {
    options.progress('starting sshd and podman (the NAS)');
    const host = await startSshDockerHost({ dir: l.hostDir });
    const image = await provideAlloyImage(host, stacks.legacy.version, {
      realAlloy: options.realAlloy,
      progress: options.progress,
    });
    writeState(l, { createdDir, image });
    options.progress(`seeding the pre-refactor alloy container (${image.reference})`);
    seedPreRefactorAlloy(host, {
      image: image.reference,
      config: 'logging {\n  level  = "info"\n  format = "logfmt"\n}\n',
    });

    options.progress('starting Unbound');
    const { hostname } = stacks.central;
    // Before the cut-over the name points elsewhere (here: the NAS); `dns unbound` moves it to the LoadBalancer IP.
    const unbound = await startUnbound({
      dir: l.unboundDir,
      include: `local-data: "${hostname}. 300 IN A 127.0.0.1"\n`,
    });
    writeState(l, { createdDir, image, unbound: { process: unbound.process, dir: unbound.dir, port: unbound.port } });
    // The file backend edits the include as the deploy user over SSH, as on a DNS host where that user may.
    const { uid, gid } = statSync(host.rootDir);
    for (const path of [unbound.dir, unbound.includeFile]) chownSync(path, uid, gid);

    host.writeConfig(l.configDir, {
      sourceConfigDir: options.sourceConfigDir,
      image: image.repository,
      version: image.version,
      readyTimeoutSeconds: 30,
    });
    const devFile = join(l.configDir, 'dev.yaml');
    const dev = parseDocument(readFileSync(devFile, 'utf8'));
    dev.setIn(['alloyLegacy', 'unbound'], {
      backend: 'file',
      path: unbound.includeFile,
      config: unbound.config,
      ssh: true,
      // A non-interactive SSH shell may lack sbin in PATH: absolute paths, as dev.yaml allows.
      checkconf: unboundTool('unbound-checkconf'),
      control: unboundTool('unbound-control'),
    });
    dev.setIn(['alloyLegacy', 'verify', 'resolver'], '127.0.0.1');
    dev.setIn(['alloyLegacy', 'verify', 'resolverPort'], unbound.port);
    dev.commentBefore = ` Written by \`legacy-deploy sandbox up\`: the sandbox NAS in ${l.dir}, not a real one.`;
    writeFileSync(devFile, dev.toString());
    copyFileSync(host.knownHosts, l.knownHosts);
    // a key file must be private, or ssh refuses it
    writeFileSync(l.identity, readFileSync(host.identity), { mode: 0o600 });
    return {
      layout: l,
      status: sandboxStatus(l.dir),
      image,
      rootDir: host.rootDir,
      unboundInclude: unbound.includeFile,
    };
  } catch (e) {
    await sandboxDown(l.dir, { keepDir: !createdDir });
    throw e;
  }
}

/**
 * Stops and removes the sandbox in `dir`: Unbound and the host's processes (by pid, a reused pid left alone), its
 * containers and images, its user, and its files. `dir` itself goes when `up` created it. Nothing there: a no-op.
 * Returns whether there was anything to remove.
 */
export async function sandboxDown(dir: string, options: { keepDir?: boolean } = {}): Promise<boolean> {
  const l = sandboxLayout(dir);
  const state = readState(l);
  const hasHost = readHostState(l.hostDir) !== null || existsSync(l.hostDir);
  if (!state && !hasHost) return false;
  if (state?.unbound) await stopUnbound(state.unbound.process, state.unbound.dir);
  if (hasHost) await stopHostAt(l.hostDir);
  for (const path of [l.unboundDir, l.configDir, l.stateFile]) rmSync(path, { recursive: true, force: true });
  if (state?.createdDir && !options.keepDir && existsSync(l.dir) && readdirSync(l.dir).length === 0)
    rmSync(l.dir, { recursive: true });
  return true;
}

/** The rehearsal `up` prints: the cut-over's commands against the sandbox, in order. */
export function rehearsal(l: SandboxLayout, cwd: string = process.cwd()): string[] {
  const rel = (p: string) => (p.startsWith(`${cwd}/`) ? p.slice(cwd.length + 1) : p);
  const ssh = `--config-dir ${rel(l.configDir)} --identity ${rel(l.identity)} --known-hosts ${rel(l.knownHosts)}`;
  return [
    `npx legacy-deploy plan ${ssh}`,
    `npx legacy-deploy rename ${ssh}`,
    `npx legacy-deploy deploy ${ssh}`,
    `npx legacy-deploy dns unbound ${ssh}`,
    // the sandbox's "LoadBalancer" is this machine: the central checks connect here, never out to the real name
    `npx legacy-deploy verify --config-dir ${rel(l.configDir)} --connect 127.0.0.1`,
  ];
}

/** What `verify` can and cannot prove in the sandbox (there is no central Alloy, no LoadBalancer). */
export const verifyInSandbox = [
  'passes: dns (the sandbox Unbound answers the LoadBalancer IP after `dns unbound`), ready-legacy (the NAS instance)',
  'fails, nothing to check against here: tls-http, tls-otlp, ready-central, config-central (no central Alloy runs ' +
    'in the sandbox; --connect 127.0.0.1 keeps them on this machine), exporter-legacy (the stand-in image sends no OTLP)',
];
