import { posix } from 'node:path';
import type { ContainerSpec } from './container-spec';
import { dockerRunArgs, specLabel } from './container-spec';
import type { Layout } from './layout';
import { httpFunction } from './observe';
import type { FileChange, RenamedContainer } from './plan';
import { shellQuote as q, shellJoin } from './shell';

/*
 * The remote side of every executor: small POSIX sh scripts (the NAS's non-interactive shell), each doing one
 * thing. The apply step joins some of them into one exec to save round trips.
 */

/**
 * Receives the tar on stdin into the staging folder; its entries are named `<staging folder name>/<file>`
 * (stagedEntryName), so tar creates the folder itself: one process less on every upload.
 */
export function uploadScript(layout: Layout): string {
  const staging = q(layout.stagingDir);
  return `set -e; [ ! -e ${staging} ] || rm -rf ${staging}; tar -x -f - -C ${q(posix.dirname(layout.stagingDir))}`;
}

/** The tar entry name under which uploadScript puts `file` into the staging folder. */
export function stagedEntryName(layout: Layout, file: string): string {
  return `${posix.basename(layout.stagingDir)}/${file}`;
}

export function createDirsScript(dirs: readonly string[]): string {
  return `set -e; mkdir -p ${dirs.map(q).join(' ')}`;
}

/**
 * Puts staged files into the mounted config folder. The folder itself stays (a bind mount pins its inode, so a
 * renamed-in folder would be invisible to the running container); each file is moved in with rename(2), which is
 * atomic, so Alloy never reads a half-written file. The config being replaced is kept in previousConfigDir first.
 * The manifest is emptied first (an empty manifest reads as none) and written last (`manifest`, or later by the
 * caller): if the run is cut off in between, the next plan sees no manifest and uploads again. Every process
 * started on the NAS costs a few milliseconds, so all moves share one `mv` and all removals one `rm`.
 */
export function swapConfigScript(
  layout: Layout,
  changes: readonly FileChange[],
  options: { manifest?: string } = {},
): string {
  const cfg = layout.configDir;
  const prev = layout.previousConfigDir;
  const moved = changes.filter((c) => c.change !== 'remove').map((c) => q(`${layout.stagingDir}/${c.name}`));
  const removed = changes.filter((c) => c.change === 'remove').map((c) => q(`${cfg}/${c.name}`));
  const lines = [
    'set -e',
    // Only this run reads the copy (to roll back), so it need not be swapped in atomically itself. Copied over the
    // last one (then its leftovers dropped), not removed and copied afresh: one process less.
    `cp -p -R ${q(`${cfg}/.`)} ${q(prev)}`,
    pruneScript(prev, cfg),
    `: > ${q(`${cfg}/${layout.manifestName}`)}`,
    removed.length > 0 ? `rm -f ${removed.join(' ')}` : '',
    moved.length > 0 ? `mv -f ${moved.join(' ')} ${q(`${cfg}/`)}` : '',
    options.manifest !== undefined ? writeManifestScript(layout, options.manifest) : '',
  ];
  return lines.filter((l) => l !== '').join('\n');
}

/**
 * Writes the manifest into the config folder: from now on plan counts the upload as deployed. With a shell
 * builtin, not a staged file moved in: a manifest cut off half-way reads as none, like the emptied one.
 */
export function writeManifestScript(layout: Layout, manifest: string): string {
  return `printf '%s\\n' ${q(manifest)} > ${q(`${layout.configDir}/${layout.manifestName}`)}`;
}

/** Removes the files of `dir` that `reference` does not have (except names matching `keep`); builtins but rm. */
function pruneScript(dir: string, reference: string, keep?: string): string {
  const skip = keep ? `case $n in ${keep}) continue;; esac; ` : '';
  return `for f in ${q(dir)}/* ${q(dir)}/.[!.]*; do [ -f "$f" ] || continue; n=\${f##*/}; ${skip}[ -e ${q(reference)}/"$n" ] || rm -f "$f"; done`;
}

/** Makes the config folder hold exactly the kept previous config again (file by file, each move atomic). */
export function restoreConfigScript(layout: Layout): string {
  const cfg = q(layout.configDir);
  const prev = q(layout.previousConfigDir);
  return [
    `[ -d ${prev} ] || { echo 'no previous config to restore' >&2; exit 1; }`,
    `for p in ${prev}/* ${prev}/.[!.]*; do [ -f "$p" ] || continue; n=\${p##*/}; cp -p "$p" ${cfg}/.restore."$n" && mv -f ${cfg}/.restore."$n" ${cfg}/"$n"; done`,
    pruneScript(layout.configDir, layout.previousConfigDir, '.restore.*'),
  ].join('\n');
}

/**
 * After swapConfigScript without the manifest: POST /-/reload on the NAS, then, still on the NAS (so a dropped
 * connection cannot stop half-way between), either write the manifest (HTTP 200) or put the previous files back
 * (anything else: Alloy keeps running the old config, and a restart must not load the rejected one). Prints the
 * response body and a final `@@status=<code>` line.
 */
export function reloadOrRestoreScript(layout: Layout, httpPort: number, manifest: string, then = ''): string {
  const url = `http://127.0.0.1:${httpPort}/-/reload`;
  return [
    'set +e',
    httpFunction,
    `if command -v curl >/dev/null 2>&1; then answer=$(curl -s --max-time 60 -w '\n@@status=%{http_code}' -X POST ${url})`,
    `else answer="@@status=$(http_status POST ${url})"; fi`,
    `printf '%s\n' "$answer"`,
    'case "$answer" in',
    `  *"@@status=200") ${writeManifestScript(layout, manifest)} ;;`,
    `  *) ${restoreConfigScript(layout).split('\n').join('; ')} ;;`,
    'esac',
    then,
  ].join('\n');
}

/** Polls GET /-/ready until it answers 200 or the bound passes; exit 0 when ready. */
export function waitReadyScript(httpPort: number, timeoutSeconds: number): string {
  const url = `http://127.0.0.1:${httpPort}/-/ready`;
  return [
    httpFunction,
    `end=$(( $(date +%s) + ${timeoutSeconds} ))`,
    `while :; do code=$(http_status GET ${url}); [ "$code" = 200 ] && { echo ready; exit 0; }`,
    `  [ "$(date +%s)" -ge "$end" ] && { echo "not ready: last answer \${code:-none}"; exit 1; }; sleep 0.25; done`,
  ].join('\n');
}

export function runContainerScript(docker: string, spec: ContainerSpec): string {
  return `${q(docker)} ${shellJoin(dockerRunArgs(spec, { [specLabel]: JSON.stringify(spec) }))} >/dev/null`;
}

/** Printed once the running container is set aside: only then does a rollback bring it back. */
export const setAsideMarker = '@@set-aside';

/** Keeps the running container (renamed aside, stopped: same host port) until its replacement is ready. */
export function setAsideScript(docker: string, layout: Layout): string {
  const d = q(docker);
  return `set -e; ${d} rename ${layout.container} ${layout.previousContainer}; ${d} stop ${layout.previousContainer} >/dev/null; echo ${setAsideMarker}`;
}

/** Undoes setAsideScript: drops the new container (if any) and brings the previous one back under its name. */
export function restorePreviousContainerScript(docker: string, layout: Layout): string {
  const d = q(docker);
  return [
    `if ${d} inspect --type container ${layout.previousContainer} >/dev/null 2>&1; then`,
    `  ${d} rm -f ${layout.container} >/dev/null 2>&1 || true`,
    `  ${d} rename ${layout.previousContainer} ${layout.container}`,
    'fi',
  ].join('\n');
}

export function startContainerScript(docker: string, name: string): string {
  return `${q(docker)} start ${q(name)} >/dev/null`;
}

export function removeContainerScript(docker: string, name: string, force = false): string {
  return `${q(docker)} rm ${force ? '-f ' : ''}${q(name)} >/dev/null`;
}

export function logsScript(docker: string, name: string, lines = 20): string {
  return `${q(docker)} logs --tail ${lines} ${q(name)} 2>&1`;
}

export function stopContainerScript(docker: string, name: string): string {
  return `${q(docker)} stop ${q(name)} >/dev/null`;
}

/** A same-filesystem rename of a whole folder; refuses to overwrite and refuses a cross-device move (a copy). */
export function moveDirScript(from: string, to: string): string {
  const parent = to.replace(/\/[^/]+$/, '') || '/';
  return [
    'set -e',
    `[ ! -e ${q(to)} ] || { echo ${q(`${to} already exists`)} >&2; exit 1; }`,
    `[ "$(stat -c %d ${q(from)})" = "$(stat -c %d ${q(parent)})" ] || { echo ${q(`${from} is on another filesystem than ${parent}: not moving it (that would copy and delete)`)} >&2; exit 1; }`,
    `mv ${q(from)} ${q(to)}`,
  ].join('\n');
}

export function createRenamedContainerScript(docker: string, c: RenamedContainer): string {
  const args = [
    'create',
    '--name',
    c.name,
    '--network',
    c.network,
    '--restart',
    c.restart,
    ...c.binds.flatMap((b) => ['-v', b]),
    ...c.env.flatMap((e) => ['-e', e]),
    ...(c.user ? ['--user', c.user] : []),
    ...Object.entries(c.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    // --entrypoint takes one word; the rest of an entrypoint list goes before the command, as docker would run it.
    ...(c.entrypoint.length > 0 ? ['--entrypoint', c.entrypoint[0]] : []),
    c.image,
    ...c.entrypoint.slice(1),
    ...c.args,
  ];
  return `${q(docker)} ${shellJoin(args)} >/dev/null`;
}

export function pullScript(docker: string, image: string): string {
  return `${q(docker)} pull ${q(image)}`;
}
