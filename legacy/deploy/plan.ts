import { alloyConfigHash } from '../../alloy-lint';
import { type ContainerSpec, specDifferences } from './container-spec';
import type { LocalFile } from './desired';
import type { Layout } from './layout';
import type { ObservedContainer, ObservedFile, ObservedState } from './observed';

export interface FileChange {
  readonly name: string;
  readonly change: 'add' | 'change' | 'remove';
}

/** The desired state of a deploy: computed locally, compared with an ObservedState. */
export interface DesiredDeploy {
  readonly layout: Layout;
  readonly files: readonly Pick<LocalFile, 'name' | 'sha256' | 'content'>[];
  readonly container: ContainerSpec;
}

/**
 * The deploy's step vocabulary. The executor runs exactly these, in this order (apply-deploy.ts has one small
 * function per kind); what a failure undoes is chosen by rollback.ts from what the steps reported.
 */
export type DeployStep =
  /** A recreate was cut off after the running container was set aside: it becomes alloy-legacy again and runs. */
  | { readonly kind: 'restore'; readonly reason: string }
  | { readonly kind: 'pull'; readonly image: string }
  | { readonly kind: 'make-dirs'; readonly dirs: readonly string[] }
  /** The whole desired config into the staging folder (the changes are for the printed plan). */
  | { readonly kind: 'stage'; readonly changes: readonly FileChange[] }
  /** `alloy validate` of the staged folder, with the image that will run it. */
  | { readonly kind: 'validate'; readonly image: string }
  /** The running container renamed aside and stopped, kept until its replacement is proven. */
  | { readonly kind: 'set-aside' }
  /** The staged files in place, POST /-/reload; a rejected reload puts the previous files back on the NAS. */
  | { readonly kind: 'swap-and-reload' }
  /** POST /-/reload of the files already in place (a run swapped them in and ended before reloading). */
  | { readonly kind: 'reload'; readonly reason: string }
  /** The staged files in place, then `docker run` the new container (`replaces`: one is set aside). */
  | { readonly kind: 'swap-and-recreate'; readonly replaces: boolean; readonly reasons: readonly string[] }
  /** The staged files in place, then start the stopped container. */
  | { readonly kind: 'swap-and-start' }
  | { readonly kind: 'wait-ready'; readonly reason?: string }
  /** Alloy's alloy_config_hash must be the local alloyConfigHash: it runs what was just written. */
  | { readonly kind: 'verify-hash'; readonly sha256: string }
  /** The container kept aside goes, once the new one is proven (or one an interrupted run left). */
  | { readonly kind: 'remove-previous' };

export type DeployStepKind = DeployStep['kind'];

export interface DeployPlan {
  readonly steps: readonly DeployStep[];
  /** Reasons the deploy must not run at all (nothing is changed when any is present). */
  readonly blockers: readonly string[];
  /** The hash Alloy must report once the desired config runs. */
  readonly desiredHash: string;
}

/** Which files differ, by the hashes of what is really there. */
export function fileChanges(
  desired: readonly Pick<LocalFile, 'name' | 'sha256'>[],
  observed: readonly ObservedFile[],
): FileChange[] {
  const remote = new Map(observed.map((f) => [f.name, f.sha256]));
  const wanted = new Set(desired.map((f) => f.name));
  const changes: FileChange[] = [];
  for (const f of desired) {
    const there = remote.get(f.name);
    if (there === undefined) changes.push({ name: f.name, change: 'add' });
    else if (there !== f.sha256) changes.push({ name: f.name, change: 'change' });
  }
  for (const name of [...remote.keys()].sort()) if (!wanted.has(name)) changes.push({ name, change: 'remove' });
  return changes;
}

/** The hash Alloy reports for these files (only the *.alloy ones count). */
export function desiredConfigHash(files: readonly Pick<LocalFile, 'name' | 'content'>[]): string {
  return alloyConfigHash(files.map((f) => ({ name: f.name, content: f.content })));
}

function containerReasons(current: ObservedContainer | null, desired: ContainerSpec): string[] {
  if (!current) return [`no container ${desired.name}`];
  if (!current.spec) return [`${current.name} was not created by legacy-deploy (image ${current.image})`];
  return specDifferences(current.spec, desired);
}

function missingRootDir(layout: Layout): string {
  return `${layout.rootDir} does not exist on the NAS: check target.rootDir in dev.yaml (it is not created here)`;
}

/**
 * Pure: the steps that turn the observed NAS into the desired one, in order. Whatever changes the config or the
 * container stages the whole config and has the target image validate it first, and ends with the proof
 * (wait-ready, verify-hash). A state an interrupted run left (a container set aside, files swapped in but not
 * loaded) is planned from like any other: the next run converges.
 */
export function planDeploy(desired: DesiredDeploy, observed: ObservedState): DeployPlan {
  const { layout } = desired;
  const desiredHash = desiredConfigHash(desired.files);
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
  if (blockers.length > 0) return { steps: [], blockers, desiredHash };

  const steps: DeployStep[] = [];
  let current = observed.containers.current;
  let running = current?.running === true;
  const runningHash = observed.running.sha256;
  const ready = observed.ready === 200;
  const restored = !current && observed.containers.previous !== null;
  if (restored) {
    steps.push({ kind: 'restore', reason: `${layout.previousContainer} was set aside by a run that did not finish` });
    current = observed.containers.previous;
    // Started by the restore; what it then runs is proven below.
    running = true;
  }
  const reasons = containerReasons(current, desired.container);
  const recreate = reasons.length > 0;
  const changes = fileChanges(desired.files, observed.configDir.files);
  const configChanges = changes.length > 0;
  if (observed.containers.current && observed.containers.previous) {
    // A recreate that ended before proving the new container: prove it now (its hash too, when the files in place
    // are the desired ones), and only then can the one kept aside go.
    steps.push({ kind: 'wait-ready', reason: `${layout.container} was created by a run that did not finish` });
    if (!recreate && !configChanges) steps.push({ kind: 'verify-hash', sha256: desiredHash });
    steps.push({ kind: 'remove-previous' });
  }

  if (recreate || configChanges || !running) {
    if (recreate && !observed.imagePresent) steps.push({ kind: 'pull', image: desired.container.image });
    const dirs = [!observed.configDir.exists && layout.configDir, !observed.dataDirExists && layout.dataDir].filter(
      (x): x is string => typeof x === 'string',
    );
    if (dirs.length > 0) steps.push({ kind: 'make-dirs', dirs });
    steps.push({ kind: 'stage', changes });
    steps.push({ kind: 'validate', image: desired.container.image });
    if (recreate) {
      if (current) steps.push({ kind: 'set-aside' });
      steps.push({ kind: 'swap-and-recreate', replaces: current !== null, reasons });
      steps.push({ kind: 'wait-ready' }, { kind: 'verify-hash', sha256: desiredHash });
      if (current) steps.push({ kind: 'remove-previous' });
    } else if (!running) {
      steps.push({ kind: 'swap-and-start' }, { kind: 'wait-ready' }, { kind: 'verify-hash', sha256: desiredHash });
    } else {
      steps.push({ kind: 'swap-and-reload' }, { kind: 'verify-hash', sha256: desiredHash });
    }
  } else if (restored) {
    steps.push({ kind: 'wait-ready' }, { kind: 'verify-hash', sha256: desiredHash });
  } else if (runningHash !== null && runningHash !== desiredHash) {
    steps.push({ kind: 'reload', reason: `the files are in place, but Alloy runs config ${runningHash.slice(0, 12)}` });
    steps.push({ kind: 'verify-hash', sha256: desiredHash });
  } else if (!ready && !steps.some((s) => s.kind === 'wait-ready')) {
    steps.push({ kind: 'wait-ready', reason: `${layout.container} runs but is not ready` });
  }
  return { steps, blockers, desiredHash };
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
