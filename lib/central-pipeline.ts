/**
 * The central pipeline, computed once: the files the ConfigMap holds, the hash Alloy will report for them and the
 * chart's own diagnostics on them. Synth lints `sources`, the ConfigMap mounts `files` and annotates `hash`, and
 * `legacy-deploy verify` expects `hash`: the same bytes by construction, since no one else reads the folders.
 */
import { join } from 'node:path';
import { alloyConfigHash, type Diagnostic, formatDiagnostic, pipelineFilesOf, type SourceFile } from '../alloy-lint';
import { collectProblems } from './config/collect-rules';
import { haProblems } from './config/ha-rules';
import { ALLOY_DEFAULTS } from './defaults';
import { kubernetesPipelineFiles } from './kubernetes-pipeline';
import { enabledSources, type KubernetesCollect, type KubernetesSource } from './kubernetes-sources';
import { rbacDiagnostics } from './rbac-check';

/** What the pipeline is made from; the keys are those of `alloy` in config/prod.yaml, plus the two folders. */
export interface CentralPipelineProps {
  /** The pinned release: decides which components take a `clustering` block. @default 'v1.10.1' */
  readonly version?: string;
  /** More than 1: HA mode, where the `collect.kubernetes` sources split their targets over the cluster. @default 1 */
  readonly replicas?: number;
  /** HA mode settings, checked with the replicas they go with. @default none */
  readonly ha?: { readonly autoscaling?: { readonly maxReplicas: number } };
  /** Which `collect.kubernetes` sources add their file. @default nothing */
  readonly collect?: { readonly kubernetes?: Partial<KubernetesCollect> };
  /** Folder of the central pipeline's `*.alloy` files. @default 'assets/alloy' */
  readonly assetsDir?: string;
  /** Folder of the `collect.kubernetes` sources' files. @default 'assets/alloy_kubernetes' */
  readonly kubernetesAssetsDir?: string;
}

/** The central pipeline as data, made by `centralPipeline`: its settings passed the HA and collect rules. */
export interface CentralPipeline {
  /**
   * The settings it was made and checked for (the release and the replicas decide the clustering blocks, the
   * sources the added files and the RBAC): the chart and the StatefulSet run it only with these.
   */
  readonly settings: PipelineSettings;
  /** File name → text, in the byte order of the names: the ConfigMap's data, what /etc/alloy holds in the pod. */
  readonly files: Readonly<Record<string, string>>;
  /** The same texts as the linter takes them, each named by the path it was read from (for messages). */
  readonly sources: readonly SourceFile[];
  /** SHA-256 Alloy reports as `alloy_config_hash{sha256=...}` once it has loaded `files`. */
  readonly hash: string;
  /** The chart's own rule on the files (RBAC the chart does not grant); errors are refused by synth and the chart. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The settings a pipeline depends on, resolved: what the HA and collect rules judged and the RBAC check granted. */
export interface PipelineSettings {
  readonly version: string;
  readonly replicas: number;
  /** `ha` was given (an error with one replica), and its autoscaler's maximum. */
  readonly ha: false | { readonly maxReplicas?: number };
  readonly sources: readonly KubernetesSource[];
}

/** The settings of `props` as a pipeline records them; from the same folders, equal settings make the same files. */
export function settingsOf(props: Omit<CentralPipelineProps, 'assetsDir' | 'kubernetesAssetsDir'>): PipelineSettings {
  return {
    version: props.version ?? ALLOY_DEFAULTS.version,
    replicas: props.replicas ?? ALLOY_DEFAULTS.replicas,
    ha: props.ha === undefined ? false : { maxReplicas: props.ha.autoscaling?.maxReplicas },
    sources: enabledSources(props.collect?.kubernetes),
  };
}

/** Whether `pipeline` was made for these settings. */
export function isMadeFor(
  pipeline: CentralPipeline,
  props: Omit<CentralPipelineProps, 'assetsDir' | 'kubernetesAssetsDir'>,
): boolean {
  return JSON.stringify(settingsOf(props)) === JSON.stringify(pipeline.settings);
}

/** A pipeline that cannot be made (a folder, a file or a setting refused): every problem one line. */
export class PipelineError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PipelineError';
  }
}

/** One file of the pipeline: its name in /etc/alloy, the path it was read from, its text. */
interface PipelineText {
  readonly name: string;
  readonly path: string;
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the folders once and makes the pipeline: the `*.alloy` files of `assetsDir` (pipelineFilesOf: links,
 * sub-folders and odd names refused) and the enabled `collect.kubernetes` files (in HA mode with the clustering the
 * chart adds). Throws a PipelineError for settings the HA or collect rules refuse, a folder problem, a file that is
 * not UTF-8 (a ConfigMap's `data` holds text: what is mounted would not be what was linted) and a name both folders
 * use (one key of the ConfigMap, one file in /etc/alloy).
 */
export function centralPipeline(props: CentralPipelineProps = {}): CentralPipeline {
  const version = props.version ?? ALLOY_DEFAULTS.version;
  const replicas = props.replicas ?? ALLOY_DEFAULTS.replicas;
  const settings = [
    ...haProblems({ version, replicas, ha: props.ha }),
    ...collectProblems({ version, replicas, collect: props.collect }),
  ];
  if (settings.length > 0) throw new PipelineError(settings.map((p) => `${p.path.join('.')}: ${p.message}`));

  const assetsDir = props.assetsDir ?? ALLOY_DEFAULTS.assetsDir;
  const kubernetesAssetsDir = props.kubernetesAssetsDir ?? ALLOY_DEFAULTS.kubernetesAssetsDir;
  const { files: folder, problem } = pipelineFilesOf(assetsDir);
  if (problem) throw new PipelineError([formatDiagnostic(problem)]);
  const read: PipelineText[] = [];
  for (const f of folder.filter((f) => f.name.endsWith('.alloy'))) {
    try {
      read.push({ name: f.name, path: f.path, text: utf8.decode(f.content) });
    } catch {
      throw new PipelineError([`${f.path}: error: is not valid UTF-8: a ConfigMap holds text; save it as UTF-8`]);
    }
  }
  const added = kubernetesPipelineFiles({
    collect: props.collect?.kubernetes,
    version,
    replicas,
    dir: kubernetesAssetsDir,
  });
  for (const [name, text] of Object.entries(added)) {
    const clash = folder.find((f) => f.name === name);
    if (clash) {
      throw new PipelineError([
        `${clash.path}: error: the chart adds ${join(kubernetesAssetsDir, name)} under this name itself; rename it`,
      ]);
    }
    read.push({ name, path: join(kubernetesAssetsDir, name), text });
  }

  // Byte order of the names: the order Alloy hashes them in, and a stable order for the ConfigMap's keys.
  const byName = [...read].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  const sources = read.map((f) => ({ file: f.path, text: f.text }));
  return {
    settings: settingsOf(props),
    files: Object.fromEntries(byName.map((f) => [f.name, f.text])),
    sources,
    hash: alloyConfigHash(byName.map((f) => ({ name: f.name, content: f.text }))),
    diagnostics: rbacDiagnostics(sources, props.collect?.kubernetes),
  };
}
