/**
 * The real Alloy image, `grafana/alloy:<version>`, built on this machine from the binary of build-alloy.ts and
 * shaped like upstream's (its `Dockerfile` at the release): `/bin/alloy` as the entrypoint,
 * `run /etc/alloy/config.alloy --storage.path=/var/lib/alloy/data` as the command, `ALLOY_DEPLOY_MODE=docker`, the
 * user and group `alloy` (473) with a home, `/var/lib/alloy/data` owned by it with mode 770, the release's own
 * `example-config.alloy` as `/etc/alloy/config.alloy`, the CA certificates and time zones. Like upstream it runs as
 * root by default (upstream: "Create alloy user in container, but do not set it as default").
 *
 * What differs, and why: upstream's base is Ubuntu; here the file system holds only what the binary uses
 * (no shell, no libsystemd0: `loki.source.journal` is left out of the build), glibc as `ldd` finds it, with the CA
 * bundle and zoneinfo taken from this machine's Debian packages (ca-certificates; tzdata where installed).
 *
 * The file system is a tar built without root (tar-stream sets owners and modes), imported by `podman import` with
 * the image config as `--change` lines (imageChanges).
 */
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type * as TarStream from 'tar-stream';
import { ALLOY_MODULE, type AlloyBinary, AlloyBuildError, downloadModule, ensureAlloyBinary } from './build-alloy';

/** The image's user and group, as upstream's Dockerfile (ARG UID="473", USERNAME="alloy"). */
export const ALLOY_UID = 473;
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const ZONEINFO = '/usr/share/zoneinfo';

/** The image config, as `podman import --change` lines. */
export const imageChanges: readonly string[] = [
  'ENTRYPOINT ["/bin/alloy"]',
  'CMD ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data"]',
  'ENV ALLOY_DEPLOY_MODE=docker',
];

export interface AlloyImage extends AlloyBinary {
  /** The image's file system as a tar, for `podman import` with imageChanges. */
  readonly tar: string;
}

interface Entry {
  readonly name: string;
  readonly type: 'directory' | 'file' | 'symlink';
  readonly mode: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly linkname?: string;
  /** A file's content: a path to stream from, or the bytes. */
  readonly source?: string;
  readonly content?: string;
}

function zoneinfoEntries(dir: string, prefix: string): Entry[] {
  const out: Entry[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    const inImage = `${prefix}/${name}`;
    if (stat.isSymbolicLink()) continue; // aliases; every zone is also a plain file
    if (stat.isDirectory())
      out.push({ name: inImage, type: 'directory', mode: 0o755 }, ...zoneinfoEntries(path, inImage));
    else if (stat.isFile()) out.push({ name: inImage, type: 'file', mode: 0o644, source: path });
  }
  return out;
}

/**
 * The shared libraries the binary loads (cgo links glibc dynamically), as `ldd` resolves them on this machine, with
 * the folders that hold them: the image's libc is this machine's (Debian's libc6), as upstream's is Ubuntu's.
 */
function sharedLibraryEntries(binary: string): Entry[] {
  const r = spawnSync('ldd', [binary], { encoding: 'utf8' });
  if (r.status !== 0) {
    if (/not a dynamic executable/.test(`${r.stdout}${r.stderr}`)) return [];
    throw new AlloyBuildError(`ldd ${binary}: ${(r.stderr || r.stdout).trim()}`);
  }
  const paths = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m) paths.add(m[1]);
    else if (/not found/.test(line))
      throw new AlloyBuildError(`${binary} needs a library this machine lacks: ${line.trim()}`);
  }
  const dirs = new Set<string>();
  const files: Entry[] = [];
  for (const path of [...paths].sort()) {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    files.push({ name: parts.join('/'), type: 'file', mode: 0o755, source: realpathSync(path) });
  }
  return [...[...dirs].sort().map((name): Entry => ({ name, type: 'directory', mode: 0o755 })), ...files];
}

function entriesFor(binary: AlloyBinary, exampleConfig: string): Entry[] {
  const alloy = { uid: ALLOY_UID, gid: ALLOY_UID };
  const libraries = sharedLibraryEntries(binary.binary);
  const own = new Set(libraries.map((e) => e.name));
  return [
    ...libraries,
    ...['bin', 'etc', 'etc/alloy', 'etc/ssl', 'etc/ssl/certs', 'home', 'usr', 'usr/share', 'var', 'var/lib']
      .filter((name) => !own.has(name))
      .map((name): Entry => ({ name, type: 'directory', mode: 0o755 })),
    { name: 'tmp', type: 'directory', mode: 0o1777 },
    { name: 'root', type: 'directory', mode: 0o700 },
    { name: 'home/alloy', type: 'directory', mode: 0o750, ...alloy },
    { name: 'var/lib/alloy', type: 'directory', mode: 0o770, ...alloy },
    { name: 'var/lib/alloy/data', type: 'directory', mode: 0o770, ...alloy },
    { name: 'bin/alloy', type: 'file', mode: 0o755, source: binary.binary, ...alloy },
    { name: 'etc/alloy/config.alloy', type: 'file', mode: 0o644, source: exampleConfig, ...alloy },
    {
      name: 'etc/passwd',
      type: 'file',
      mode: 0o644,
      content: `root:x:0:0:root:/root:/sbin/nologin\nalloy:x:${ALLOY_UID}:${ALLOY_UID}::/home/alloy:/sbin/nologin\n`,
    },
    { name: 'etc/group', type: 'file', mode: 0o644, content: `root:x:0:\nalloy:x:${ALLOY_UID}:\n` },
    { name: 'etc/ssl/certs/ca-certificates.crt', type: 'file', mode: 0o644, source: CA_BUNDLE },
    // upstream installs tzdata; where this machine has no zoneinfo the image has none either (nothing of ours
    // names a time zone)
    ...(existsSync(ZONEINFO)
      ? [
          { name: 'usr/share/zoneinfo', type: 'directory', mode: 0o755 } as Entry,
          ...zoneinfoEntries(ZONEINFO, 'usr/share/zoneinfo'),
        ]
      : []),
  ];
}

async function writeTar(entries: readonly Entry[], file: string): Promise<void> {
  const { pack: newPack } = require('tar-stream') as typeof TarStream;
  const pack = newPack();
  const written = pipeline(pack, createWriteStream(file));
  const mtime = new Date(0);
  for (const e of entries) {
    const header = {
      name: e.name,
      type: e.type,
      mode: e.mode,
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      mtime,
      linkname: e.linkname,
    };
    if (e.type !== 'file') {
      pack.entry(header);
      continue;
    }
    if (e.content !== undefined) {
      pack.entry(header, e.content);
      continue;
    }
    const source = e.source as string;
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ ...header, size: statSync(source).size }, (err) => (err ? reject(err) : resolve()));
      createReadStream(source).on('error', reject).pipe(sink);
    });
  }
  pack.finalize();
  await written;
}

/**
 * The real Alloy image's file system for `requested` (default: the stacks' pin), built once per binary and then
 * reused (the tar sits beside the binary, named by the binary's build time).
 */
export async function ensureAlloyImage(
  requested?: string,
  progress: (line: string) => void = () => {},
): Promise<AlloyImage> {
  const binary = ensureAlloyBinary(requested, progress);
  for (const need of [CA_BUNDLE, ZONEINFO])
    if (!existsSync(need))
      throw new AlloyBuildError(`the Alloy image needs ${need}: install Debian's ca-certificates and tzdata`);
  const releaseDir = join(binary.binary, '..');
  const tar = join(releaseDir, 'image.tar');
  const stampFile = join(releaseDir, 'image.stamp');
  const stamp = `${binary.version} ${statSync(binary.binary).mtimeMs}\n`;
  if (existsSync(tar) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return { ...binary, tar };
  const exampleConfig = join(moduleDirOf(binary), 'example-config.alloy');
  await writeTar(entriesFor(binary, exampleConfig), `${tar}.partial`);
  renameSync(`${tar}.partial`, tar);
  writeFileSync(stampFile, stamp);
  return { ...binary, tar };
}

/** The release's module folder in Go's module cache (read-only), for files the image takes from it. */
function moduleDirOf(binary: AlloyBinary): string {
  const d = downloadModule(ALLOY_MODULE, binary.version);
  if (d.Error || !d.Dir) throw new AlloyBuildError(`go mod download ${ALLOY_MODULE}@${binary.version}: ${d.Error}`);
  return d.Dir;
}
