import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { App } from 'cdk8s';
import {
  alloySourcesOf,
  type Diagnostic,
  formatDiagnostic,
  type LintOptions,
  type LintResult,
  lintSources,
  pipelineFilesOf,
  type SourceFile,
  UnknownReleaseError,
  upgradeSources,
} from '../alloy-lint';
import { AlloyChart, providedEnv } from './alloy-chart';
import { loadProdStack } from './config/load';
import type { CentralAlloyConfig } from './config/schema';
import { ALLOY_DEFAULTS } from './defaults';
import { kubernetesPipelineFiles } from './kubernetes-pipeline';
import { objectsThatLeft } from './objects-left';
import { rbacDiagnostics } from './rbac-check';

export interface SynthOptions {
  /** The prod stack file. @default 'config/prod.yaml' */
  readonly configFile?: string;
  /** Folder of the central pipeline. @default 'assets/alloy' */
  readonly assetsDir?: string;
  /** Folder of the chart's `collect.kubernetes` pipeline files. @default 'assets/alloy_kubernetes' */
  readonly kubernetesAssetsDir?: string;
  /** Where the manifests go. @default 'dist' */
  readonly outDir?: string;
}

export interface SynthResult {
  /** The manifests written. */
  readonly files: string[];
  /** Linter warnings about the pipeline (not fatal), one line each. */
  readonly warnings: string[];
}

/** A pipeline the linter rejects: every problem as `file:line:col: error: message`. */
export class PipelineError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'PipelineError';
  }
}

/**
 * Validates everything, synthesizes into a scratch folder beside the output, and only then moves the manifests
 * into place: a bad stack file or pipeline leaves the previous dist/ exactly as it was.
 */
export function synthesize(options: SynthOptions = {}): SynthResult {
  const outDir = resolve(options.outDir ?? 'dist');
  const assetsDir = options.assetsDir ?? ALLOY_DEFAULTS.assetsDir;
  const kubernetesAssetsDir = options.kubernetesAssetsDir ?? ALLOY_DEFAULTS.kubernetesAssetsDir;
  const configFile = options.configFile ?? 'config/prod.yaml';
  const stack = loadProdStack(configFile);
  const sources = pipelineSources(stack.alloy, assetsDir, kubernetesAssetsDir);
  // Judged as the release and stability level the pod runs (config/prod.yaml); several replicas run clustered,
  // so every component that can split its work must say whether it does.
  const lintOptions: LintOptions = {
    providedEnv: providedEnv(stack.alloy),
    stabilityLevel: stack.alloy.stabilityLevel,
    clustering: stack.alloy.replicas > 1,
  };
  const { diagnostics, note } = checkPipeline(sources, stack.alloy, lintOptions, configFile);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new PipelineError(errors.map(formatDiagnostic));
  // A release the linter has no data for is never judged silently as another: said once.
  const warnings = [
    ...(note === undefined ? [] : [`${configFile}: alloy.version: ${note}`]),
    ...diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic),
  ];
  // A bumped version (Renovate): what the pipeline uses that changes from the release the previous dist/ runs.
  const previous = versionIn(outDir);
  if (previous !== undefined) {
    try {
      const upgrade = upgradeSources(sources, { from: previous, to: stack.alloy.version }, lintOptions);
      warnings.push(...upgrade.map((d) => formatDiagnostic({ ...d, severity: 'warning' })));
    } catch (e) {
      // The previous dist/ may run a release older than the linter's data: then the comparison is not made.
      if (!(e instanceof UnknownReleaseError)) throw e;
      warnings.push(`upgrade ${previous} → ${stack.alloy.version}: not checked: ${e.message}`);
    }
  }

  mkdirSync(dirname(outDir), { recursive: true });
  const scratch = mkdtempSync(`${outDir}.tmp-`);
  try {
    const app = new App({ outdir: scratch });
    new AlloyChart(app, 'alloy', { ...stack.alloy, assetsDir, kubernetesAssetsDir });
    app.synth();

    const written = readdirSync(scratch).sort();
    // What left the chart since the previous dist/ (a replicas switch): kubectl apply leaves it in the cluster.
    for (const file of written) {
      const previous = readPrevious(join(outDir, file));
      if (previous === undefined) continue;
      warnings.push(...objectsThatLeft(previous, readFileSync(join(scratch, file), 'utf8'), join(outDir, file)));
    }
    mkdirSync(outDir, { recursive: true });
    for (const file of written) renameSync(join(scratch, file), join(outDir, file));
    for (const stale of readdirSync(outDir)) {
      if (stale.endsWith('.k8s.yaml') && !written.includes(stale)) rmSync(join(outDir, stale));
    }
    return { files: written.map((f) => join(outDir, f)), warnings };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** A manifest file of the previous synth, if there is one. */
function readPrevious(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The Alloy release the manifests in `outDir` run (their image tag), if there are any. */
function versionIn(outDir: string): string | undefined {
  const text = readPrevious(join(outDir, 'alloy.k8s.yaml'));
  return text === undefined ? undefined : /image: grafana\/alloy:(v\d+\.\d+\.\d+)\s/.exec(text)?.[1];
}

/**
 * The files the ConfigMap will hold, as the linter sees them: the assets folder and the enabled
 * `collect.kubernetes` files (in HA mode with the clustering the chart adds), each named by its path.
 */
function pipelineSources(alloy: CentralAlloyConfig, assetsDir: string, kubernetesAssetsDir: string): SourceFile[] {
  // The folder as lint, the ConfigMap and the deploy see it (pipelineFilesOf: links, sub-folders, odd names refused).
  const { files, problem } = pipelineFilesOf(assetsDir);
  if (problem) throw new PipelineError([formatDiagnostic(problem)]);
  const { version, replicas } = alloy;
  const added = kubernetesPipelineFiles({
    collect: alloy.collect.kubernetes,
    version,
    replicas,
    dir: kubernetesAssetsDir,
  });
  return [
    ...alloySourcesOf(assetsDir, files),
    ...Object.entries(added).map(([name, text]) => ({ file: join(kubernetesAssetsDir, name), text })),
  ];
}

/**
 * Lints the pipeline as one configuration, with the chart's two rules on top of the toolkit's: every env var it
 * reads must be one the pod provides, and every component that reads the Kubernetes API needs the RBAC the
 * chart grants; otherwise Alloy fails on the cluster.
 */
function checkPipeline(
  sources: SourceFile[],
  alloy: CentralAlloyConfig,
  options: LintOptions,
  configFile: string,
): { diagnostics: Diagnostic[]; note?: string } {
  let lint: LintResult;
  try {
    lint = lintSources(sources, { ...options, alloyVersion: alloy.version });
  } catch (e) {
    if (e instanceof UnknownReleaseError) throw new PipelineError([`${configFile}: alloy.version: ${e.message}`]);
    throw e;
  }
  return {
    diagnostics: [...lint.diagnostics, ...rbacDiagnostics(sources, alloy.collect.kubernetes)],
    note: lint.judgedBy.note,
  };
}
