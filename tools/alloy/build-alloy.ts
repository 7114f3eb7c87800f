/**
 * Builds the real Grafana Alloy binary of the release the stack files pin, from the Go module proxy, the way
 * upstream documents for third-party builds (grafana/alloy `extension/alloyengine/README.md`): a module of our own
 * that requires `github.com/grafana/alloy` at that release and carries the release's own replace and exclude
 * directives (Go ignores a dependency's), generated from the release's `go.mod` by the go command itself
 * (`go mod edit -json`), never written by hand, so a Renovate bump of the version rebuilds with the right block.
 *
 * Nothing here runs at `npm ci` or `synth`: the test setup and the sandbox call it on demand. The result is cached
 * by release under the cache folder (see cacheRoot): the binary plus a stamp naming exactly what was built; Go's own
 * module and build caches make a rebuild after a cache wipe of ours fast too.
 *
 * `node --import tsx tools/alloy/build-alloy.ts [vX.Y.Z]` builds one release (default: the stacks' pin) and prints
 * the binary's path.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';

export const ALLOY_MODULE = 'github.com/grafana/alloy';
const SYNTAX_MODULE = 'github.com/grafana/alloy/syntax';
/**
 * Build tags: `netgo` as upstream's image build. Left out on purpose: `builtinassets` (the web UI must be built from
 * a checkout, it is not in the module zip: the UI answers 404, which nothing here needs) and
 * `promtail_journal_enabled` (cgo and libsystemd for `loki.source.journal`, which no pipeline of ours uses).
 */
const BUILD_TAGS = ['netgo'];
/**
 * cgo is on, as in upstream's build (CGO_ENABLED=1 in its Makefile): the Oracle driver every build links
 * (github.com/godror/godror, for prometheus.exporter.oracledb) does not compile without it. The binary then links
 * glibc dynamically; the image carries the libraries `ldd` names (alloy-image.ts).
 */
const CGO = '1';
/** Bump when the way a binary is built changes: every cached binary is then rebuilt. */
const RECIPE = 2;

/** Where built binaries and images are cached: $ALLOY_DEPLOY_CACHE, else $XDG_CACHE_HOME/alloy-deploy, else ~/.cache/alloy-deploy. */
export function cacheRoot(): string {
  if (process.env.ALLOY_DEPLOY_CACHE) return resolve(process.env.ALLOY_DEPLOY_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'alloy-deploy');
}

export class AlloyBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AlloyBuildError';
  }
}

const REPO = resolve(__dirname, '../..');

/** The Alloy release both stack files pin; an error naming both when they differ. */
export function pinnedAlloyRelease(configDir = join(REPO, 'config')): string {
  const read = (file: string, key: string[]) => {
    const path = join(configDir, file);
    const value = parseDocument(readFileSync(path, 'utf8')).getIn(key);
    if (typeof value !== 'string' || !/^v\d+\.\d+\.\d+$/.test(value))
      throw new AlloyBuildError(`${path}: ${key.join('.')}: expected a release like v1.10.1, got ${String(value)}`);
    return value;
  };
  const dev = read('dev.yaml', ['alloyLegacy', 'version']);
  const prod = read('prod.yaml', ['alloy', 'version']);
  if (dev !== prod)
    throw new AlloyBuildError(
      `the stacks pin different Alloy releases: config/dev.yaml alloyLegacy.version ${dev}, config/prod.yaml alloy.version ${prod}; make them agree to build one`,
    );
  return dev;
}

interface GoResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function go(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): GoResult {
  const r = spawnSync('go', args, {
    cwd: options.cwd,
    env: { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: CGO, GOWORK: 'off', ...options.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new AlloyBuildError(
        'building the real Alloy needs Go (the go command is not on PATH): install golang-go or Go from go.dev',
      );
    throw r.error;
  }
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** What `go mod download -json` says of one module version. */
export interface ModuleDownload {
  readonly Path: string;
  readonly Version: string;
  readonly Dir?: string;
  readonly GoMod?: string;
  readonly Sum?: string;
  readonly Error?: string;
  readonly Origin?: { readonly Hash?: string; readonly Ref?: string };
}

export function downloadModule(path: string, version: string): ModuleDownload {
  const r = go(['mod', 'download', '-json', `${path}@${version}`]);
  try {
    return JSON.parse(r.stdout) as ModuleDownload;
  } catch {
    return { Path: path, Version: version, Error: r.stderr.trim() || `go mod download exited ${r.code}` };
  }
}

/** The proxy answered that it does not serve this version (as opposed to a network failure). */
function refused(d: ModuleDownload): boolean {
  return d.Error !== undefined && /(403|404|410) |not available|unknown revision|invalid version/i.test(d.Error);
}

/** The module proxy's answer for `requested`: the release, or an error naming it (refused, or the network). */
export function servedRelease(requested: string): ModuleDownload {
  if (!/^v\d+\.\d+\.\d+$/.test(requested)) throw new AlloyBuildError(`not an Alloy release: ${requested}`);
  const d = downloadModule(ALLOY_MODULE, requested);
  if (!d.Error) return d;
  if (refused(d)) throw new AlloyBuildError(`the Go module proxy does not serve ${ALLOY_MODULE}@${requested}`);
  throw new AlloyBuildError(`go mod download ${ALLOY_MODULE}@${requested}: ${d.Error}`);
}

/** Whether the proxy serves `requested` (a refusal answers at once; other errors throw). */
export function proxyServes(requested: string): boolean {
  const d = downloadModule(ALLOY_MODULE, requested);
  if (!d.Error) return true;
  if (refused(d)) return false;
  throw new AlloyBuildError(`go mod download ${ALLOY_MODULE}@${requested}: ${d.Error}`);
}

/**
 * The release built when the Go module proxy does not serve the stacks' pin. The goal stays the pin
 * (v1.10.1 today), which the proxy here refuses (403). Its sibling v1.10.0 is served but cannot be built from the
 * proxy: its code imports `syntax/typecheck`, which the `syntax v0.1.0` its go.mod requires lacks; the syntax module
 * of its own commit (a pseudo-version) is refused too, and `syntax v0.1.1` changed `typecheck.TryUnwrapBlockAttr`, so
 * `internal/validator` does not compile (measured: after 64 minutes of building, the only failing package). v1.11.0
 * is the nearest release that builds: its code matches `syntax v0.1.1`, and its module has the `alloy` main package
 * (from v1.13 on, upstream builds the binary from a separate `collector/` module the proxy does not serve).
 */
export const FALLBACK_RELEASE = 'v1.11.0';

/**
 * The release to build for the stacks' pin (the test suites' and the sandbox's real Alloy), and why when it is not
 * the pin (said once by the caller). Asking the proxy costs one request; a refusal answers at once.
 */
export function releaseToBuild(pin = pinnedAlloyRelease()): { release: string; note?: string } {
  if (proxyServes(pin)) return { release: pin };
  return {
    release: FALLBACK_RELEASE,
    note: `the Go module proxy does not serve the pinned Alloy ${pin}: building the real ${FALLBACK_RELEASE} instead, the nearest release that builds from it (tools/alloy/build-alloy.ts says why not v1.10.0)`,
  };
}

interface GoModJson {
  readonly Go?: string;
  readonly Require?: readonly { Path: string; Version: string }[];
  readonly Replace?: readonly { Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }[];
  readonly Exclude?: readonly { Path: string; Version: string }[];
}

function readGoMod(file: string): GoModJson {
  const r = go(['mod', 'edit', '-json', file]);
  if (r.code !== 0) throw new AlloyBuildError(`go mod edit -json ${file}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as GoModJson;
}

/**
 * The `go mod edit` arguments that give our module the release's replace and exclude directives. The release's one
 * local replace (`syntax => ./syntax`: the syntax module from the same commit) cannot be followed from a module
 * zip; it becomes the syntax module at `syntaxVersion`.
 */
export function directivesOf(upstream: GoModJson, syntaxVersion: string): string[] {
  const args: string[] = [];
  for (const r of upstream.Replace ?? []) {
    const old = r.Old.Version ? `${r.Old.Path}@${r.Old.Version}` : r.Old.Path;
    if (r.New.Version === undefined) {
      if (r.Old.Path !== SYNTAX_MODULE)
        throw new AlloyBuildError(
          `the release replaces ${r.Old.Path} with the local folder ${r.New.Path}: only ${SYNTAX_MODULE} can be mapped to a module`,
        );
      args.push(`-replace=${old}=${SYNTAX_MODULE}@${syntaxVersion}`);
    } else args.push(`-replace=${old}=${r.New.Path}@${r.New.Version}`);
  }
  for (const e of upstream.Exclude ?? []) args.push(`-exclude=${e.Path}@${e.Version}`);
  return args;
}

function nextPatch(version: string): string {
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!m) throw new AlloyBuildError(`${SYNTAX_MODULE} version ${version} is not a release`);
  return `v${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}

export interface AlloyBinary {
  /** The release asked for. */
  readonly requested: string;
  /** The release built (the same; the module's own word for it). */
  readonly version: string;
  readonly binary: string;
  /** The `h1:` hash of the module zip, as go.sum records it. */
  readonly moduleSum: string;
  readonly syntaxVersion: string;
  readonly revision: string;
}

interface Stamp extends AlloyBinary {
  readonly recipe: number;
  readonly goVersion: string;
  readonly tags: readonly string[];
  readonly builtAt: string;
  readonly seconds: number;
}

function goVersion(): string {
  const r = go(['env', 'GOVERSION']);
  if (r.code !== 0) throw new AlloyBuildError(`go env GOVERSION: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** A stamp that matches what would be built now, and the binary it names is still there. */
function validStamp(file: string, requested: string): Stamp | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(file, 'utf8')) as Stamp;
    if (stamp.recipe !== RECIPE || stamp.requested !== requested || stamp.goVersion !== goVersion()) return undefined;
    if (!existsSync(stamp.binary)) return undefined;
    return stamp;
  } catch {
    return undefined;
  }
}

/**
 * The real Alloy binary for `requested` (default: the stacks' pin), built once and then reused. `progress` gets one
 * line when a build starts and one when it ends.
 */
export function ensureAlloyBinary(
  requested = pinnedAlloyRelease(),
  progress: (line: string) => void = () => {},
): AlloyBinary {
  const dir = join(cacheRoot(), 'alloy', requested);
  const stampFile = join(dir, 'stamp.json');
  const cached = validStamp(stampFile, requested);
  if (cached) return cached;
  mkdirSync(dir, { recursive: true });
  return withBuildLock(
    join(dir, 'build.lock'),
    progress,
    () => validStamp(stampFile, requested) ?? build(requested, dir, stampFile, progress),
  );
}

/**
 * Runs `body` holding a lock folder, so that parallel test workers build a release once: the others wait and then
 * find the stamp. The owner's pid is inside; a lock whose owner is gone (or has no owner record) is stale.
 */
function withBuildLock<T>(lock: string, progress: (line: string) => void, body: () => T): T {
  let told = false;
  for (;;) {
    // The lock appears with its owner record inside (made beside it, then renamed into place), so a waiter never
    // sees a lock without an owner and takes a live build for a stale one.
    const staged = `${lock}.${process.pid}`;
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(staged);
    writeFileSync(join(staged, 'pid'), `${process.pid}\n`);
    try {
      renameSync(staged, lock);
      break;
    } catch (e) {
      rmSync(staged, { recursive: true, force: true });
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lock, 'pid'), 'utf8').trim());
      } catch {
        // released meanwhile, or left without a record by an older version of this file: stale either way
      }
      if (!owner || !alive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) progress(`alloy: waiting for the build in process ${owner}`);
      told = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    }
  }
  try {
    return body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function build(requested: string, dir: string, stampFile: string, progress: (line: string) => void): AlloyBinary {
  const started = Date.now();
  const release = servedRelease(requested);
  const version = release.Version;
  progress(`alloy: building ${ALLOY_MODULE}@${version} from the Go module proxy; the first build takes a while`);
  const upstream = readGoMod(release.GoMod as string);
  const required = upstream.Require?.find((r) => r.Path === SYNTAX_MODULE)?.Version;
  if (!required) throw new AlloyBuildError(`${ALLOY_MODULE}@${version}'s go.mod requires no ${SYNTAX_MODULE}`);

  const moduleDir = join(dir, 'module');
  rmSync(moduleDir, { recursive: true, force: true });
  mkdirSync(moduleDir, { recursive: true });
  // The release's go.sum seeds ours: the build list is the release's own, so its sums cover it.
  writeFileSync(join(moduleDir, 'go.sum'), readFileSync(join(release.Dir as string, 'go.sum')));

  // The syntax module: the release's required version, unless the release's code imports a package that version
  // lacks (v1.10 requires v0.1.0 but imports syntax/typecheck, added later); then the next served patch, as the go
  // command itself judges by loading every package the binary needs.
  let syntaxVersion = required;
  for (let attempt = 0; ; attempt++) {
    writeFileSync(
      join(moduleDir, 'go.mod'),
      `// Generated by tools/alloy/build-alloy.ts from ${ALLOY_MODULE}@${version}'s go.mod: do not edit.\nmodule alloy-deploy.local/alloy\n\ngo ${upstream.Go ?? '1.24'}\n\nrequire ${ALLOY_MODULE} ${version}\n`,
    );
    const edit = go(['mod', 'edit', ...directivesOf(upstream, syntaxVersion), 'go.mod'], { cwd: moduleDir });
    if (edit.code !== 0) throw new AlloyBuildError(`go mod edit: ${edit.stderr.trim()}`);
    const list = go(['list', '-deps', '-f', '{{.ImportPath}}', ALLOY_MODULE], { cwd: moduleDir });
    if (list.code === 0) break;
    // -mod=mod makes the go command look for a module of its own for a package the syntax version lacks
    const syntaxPackage = `${SYNTAX_MODULE}/`.replace(/[./]/g, '\\$&');
    const missingSyntax = new RegExp(
      `(finding module for package|does not contain package|no required module provides package) ${syntaxPackage}`,
    );
    if (!missingSyntax.test(list.stderr) || attempt >= 5)
      throw new AlloyBuildError(`loading ${ALLOY_MODULE}@${version}: ${firstLines(list.stderr)}`);
    const next = nextPatch(syntaxVersion);
    const d = downloadModule(SYNTAX_MODULE, next);
    if (d.Error)
      throw new AlloyBuildError(
        `${ALLOY_MODULE}@${version} imports a ${SYNTAX_MODULE} package that ${syntaxVersion} lacks, and the proxy does not serve ${next}: ${d.Error}`,
      );
    syntaxVersion = next;
  }

  const revision = release.Origin?.Hash ?? '';
  const ldflags = [
    '-s',
    '-w',
    `-X ${ALLOY_MODULE}/internal/build.Version=${version}`,
    `-X ${ALLOY_MODULE}/internal/build.Revision=${revision}`,
    `-X ${ALLOY_MODULE}/internal/build.Branch=${release.Origin?.Ref?.replace('refs/tags/', '') ?? version}`,
    `-X ${ALLOY_MODULE}/internal/build.BuildUser=alloy-deploy`,
    `-X ${ALLOY_MODULE}/internal/build.BuildDate=${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
    `-X ${ALLOY_MODULE}/syntax/internal/stdlib.Version=${version}`,
  ].join(' ');
  const binary = join(dir, 'alloy');
  const partial = `${binary}.partial`;
  const build = go(
    ['build', '-trimpath', '-tags', BUILD_TAGS.join(','), '-ldflags', ldflags, '-o', partial, ALLOY_MODULE],
    {
      cwd: moduleDir,
    },
  );
  if (build.code !== 0) throw new AlloyBuildError(`go build ${ALLOY_MODULE}@${version}: ${firstLines(build.stderr)}`);
  renameSync(partial, binary);

  const stamp: Stamp = {
    requested,
    version,
    binary,
    moduleSum: release.Sum as string,
    syntaxVersion,
    revision,
    recipe: RECIPE,
    goVersion: goVersion(),
    tags: BUILD_TAGS,
    builtAt: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(stampFile, `${JSON.stringify(stamp, null, 2)}\n`);
  progress(`alloy: built ${version} in ${stamp.seconds} s: ${binary}`);
  return stamp;
}

/** The first lines of the go command's errors, without its progress lines. */
function firstLines(text: string, n = 8): string {
  return text
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith('go: downloading '))
    .slice(0, n)
    .join('\n');
}

/** A short digest of a file, for image stamps. */
export function fileDigest(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

if (require.main === module) {
  try {
    const built = ensureAlloyBinary(process.argv[2] ?? pinnedAlloyRelease(), (line) =>
      process.stderr.write(`${line}\n`),
    );
    process.stdout.write(`${built.binary}\n`);
  } catch (e) {
    if (e instanceof AlloyBuildError) {
      process.stderr.write(`build-alloy: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
}
