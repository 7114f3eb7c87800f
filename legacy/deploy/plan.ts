import { type ContainerSpec, specDifferences } from './container-spec';
import type { LocalFile } from './desired';
import type { Layout } from './layout';
import type { ObservedContainer, ObservedState } from './observed';

export interface FileChange {
  readonly name: string;
  readonly change: 'add' | 'change' | 'remove';
}

/** The desired state of a deploy: computed locally, compared with an ObservedState. */
export interface DesiredDeploy {
  readonly layout: Layout;
  readonly files: readonly Pick<LocalFile, 'name' | 'sha256'>[];
  readonly container: ContainerSpec;
}

export type DeployAction =
  /** A recreate was interrupted after the running container was renamed aside: put it back first. */
  | { readonly kind: 'restore-previous-container' }
  | { readonly kind: 'pull-image'; readonly image: string }
  | { readonly kind: 'create-dirs'; readonly dirs: readonly string[] }
  | { readonly kind: 'upload-config'; readonly changes: readonly FileChange[] }
  /** Config-only change on a running container: POST /-/reload, no restart (a restart replays the WAL). */
  | { readonly kind: 'reload' }
  /** (Re)create the container; `replaces` keeps the old one aside until the new one is ready. */
  | { readonly kind: 'create-container'; readonly replaces: boolean; readonly reasons: readonly string[] }
  | { readonly kind: 'start-container' }
  | { readonly kind: 'remove-leftover-container'; readonly name: string };

export interface DeployPlan {
  readonly actions: readonly DeployAction[];
  /** Reasons the deploy must not run at all (nothing is changed when any is present). */
  readonly blockers: readonly string[];
}

/** Which files differ: the manifest says what was deployed, the listing what is there now. */
export function fileChanges(desired: DesiredDeploy['files'], observed: ObservedState): FileChange[] {
  const remote = new Set(observed.configDir.files);
  const deployed = observed.manifest?.files ?? {};
  const wanted = new Set(desired.map((f) => f.name));
  const changes: FileChange[] = [];
  for (const f of desired) {
    if (!remote.has(f.name)) changes.push({ name: f.name, change: 'add' });
    else if (deployed[f.name] !== f.sha256) changes.push({ name: f.name, change: 'change' });
  }
  for (const name of [...remote].sort()) if (!wanted.has(name)) changes.push({ name, change: 'remove' });
  return changes;
}

function containerReasons(current: ObservedContainer | null, desired: ContainerSpec): string[] {
  if (!current) return [`no container ${desired.name}`];
  if (!current.spec) return [`${current.name} was not created by legacy-deploy (image ${current.image})`];
  return specDifferences(current.spec, desired);
}

function missingRootDir(layout: Layout): string {
  return `${layout.rootDir} does not exist on the NAS: check target.rootDir in dev.yaml (it is not created here)`;
}

/** Pure: what `deploy` has to do to turn the observed NAS into the desired one, in order. */
export function planDeploy(desired: DesiredDeploy, observed: ObservedState): DeployPlan {
  const { layout } = desired;
  const blockers: string[] = [];
  const oldParts = [
    observed.containers.old && `container ${layout.old.container}`,
    observed.old.configDirExists && layout.old.configDir,
    observed.old.dataDirExists && layout.old.dataDir,
  ].filter((x): x is string => typeof x === 'string');
  if (oldParts.length > 0) {
    blockers.push(`the old layout is still there (${oldParts.join(', ')}): run \`legacy-deploy rename\` first`);
  }
  if (!observed.rootDirExists) blockers.push(missingRootDir(layout));

  const actions: DeployAction[] = [];
  let current = observed.containers.current;
  if (!current && observed.containers.previous) {
    actions.push({ kind: 'restore-previous-container' });
    current = observed.containers.previous;
  }
  // First of all, so that a recreate below can set the current container aside under that name.
  if (observed.containers.current && observed.containers.previous) {
    actions.push({ kind: 'remove-leftover-container', name: layout.previousContainer });
  }
  const reasons = containerReasons(current, desired.container);
  const recreate = reasons.length > 0;
  if (recreate && !observed.imagePresent) actions.push({ kind: 'pull-image', image: desired.container.image });

  const dirs = [!observed.configDir.exists && layout.configDir, !observed.dataDirExists && layout.dataDir].filter(
    (x): x is string => typeof x === 'string',
  );
  if (dirs.length > 0) actions.push({ kind: 'create-dirs', dirs });

  const changes = fileChanges(desired.files, observed);
  if (changes.length > 0) actions.push({ kind: 'upload-config', changes });

  if (recreate) actions.push({ kind: 'create-container', replaces: current !== null, reasons });
  else if (!current?.running) actions.push({ kind: 'start-container' });
  else if (changes.length > 0) actions.push({ kind: 'reload' });

  return { actions, blockers };
}

/** A container to create in place of the old `alloy`, from its own inspect with the mount paths renamed. */
export interface RenamedContainer {
  readonly name: string;
  readonly image: string;
  readonly network: string;
  readonly restart: string;
  readonly binds: readonly string[];
  readonly env: readonly string[];
  readonly args: readonly string[];
  /** Empty: the image's own. */
  readonly entrypoint: readonly string[];
  /** Empty: the image's default user. */
  readonly user: string;
  readonly labels: Readonly<Record<string, string>>;
}

export type RenameAction =
  | { readonly kind: 'stop-container'; readonly name: string }
  | { readonly kind: 'move-dir'; readonly from: string; readonly to: string }
  | { readonly kind: 'create-renamed-container'; readonly container: RenamedContainer }
  | { readonly kind: 'start-container'; readonly name: string }
  | { readonly kind: 'remove-container'; readonly name: string };

export interface RenamePlan {
  readonly actions: readonly RenameAction[];
  readonly blockers: readonly string[];
}

function renamePath(path: string, layout: Layout): string {
  for (const [from, to] of [
    [layout.old.configDir, layout.configDir],
    [layout.old.dataDir, layout.dataDir],
  ]) {
    if (path === from || path.startsWith(`${from}/`)) return to + path.slice(from.length);
  }
  return path;
}

export function renamedContainer(old: ObservedContainer, layout: Layout): RenamedContainer {
  return {
    name: layout.container,
    image: old.image,
    network: old.networkMode || 'host',
    restart: old.restartPolicy || 'always',
    binds: old.mounts.map((m) => `${renamePath(m.source, layout)}:${m.destination}${m.readOnly ? ':ro' : ''}`),
    env: old.env,
    args: old.cmd,
    entrypoint: old.entrypoint,
    user: old.user,
    labels: old.labels,
  };
}

/**
 * Pure: the steps of the one-time migration from `alloy`/`alloy-config`/`alloy-data` to the alloy-legacy names.
 * Each step is planned only when its "before" still exists, so a run that failed half-way resumes where it stopped
 * and a finished migration plans nothing. Data is moved (a rename on the same filesystem), never copied or deleted.
 */
export function planRename(layout: Layout, observed: ObservedState): RenamePlan {
  const blockers: string[] = observed.rootDirExists ? [] : [missingRootDir(layout)];
  const actions: RenameAction[] = [];
  const old = observed.containers.old;
  const current = observed.containers.current;

  if (old?.running) actions.push({ kind: 'stop-container', name: layout.old.container });
  const moves: [boolean, string, boolean, string][] = [
    [observed.old.configDirExists, layout.old.configDir, observed.configDir.exists, layout.configDir],
    [observed.old.dataDirExists, layout.old.dataDir, observed.dataDirExists, layout.dataDir],
  ];
  for (const [fromExists, from, toExists, to] of moves) {
    if (!fromExists) continue;
    if (toExists) blockers.push(`both ${from} and ${to} exist: move or remove one by hand (nothing is merged)`);
    else actions.push({ kind: 'move-dir', from, to });
  }
  if (old && !current) {
    actions.push({ kind: 'create-renamed-container', container: renamedContainer(old, layout) });
    actions.push({ kind: 'start-container', name: layout.container });
  } else if (old && current && !current.running) {
    actions.push({ kind: 'start-container', name: layout.container });
  }
  if (old) actions.push({ kind: 'remove-container', name: layout.old.container });
  return { actions: blockers.length > 0 ? [] : actions, blockers };
}
