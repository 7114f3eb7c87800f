import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { App } from 'cdk8s';
import {
  type Diagnostic,
  formatDiagnostic,
  type LintOptions,
  type LintResult,
  lintSources,
  UnknownReleaseError,
  upgradeSources,
} from '../alloy-lint';
import { AlloyChart, providedEnv } from './alloy-chart';
import { type CentralPipeline, centralPipeline, PipelineError } from './central-pipeline';
import { loadProdStack } from './config/load';
import type { CentralAlloyConfig } from './config/schema';
import { objectsThatLeft } from './objects-left';

export { PipelineError };

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

/**
 * Validates everything, synthesizes into a scratch folder beside the output, and only then moves the manifests
 * into place: a bad stack file or pipeline leaves the previous dist/ exactly as it was.
 */
export function synthesize(options: SynthOptions = {}): SynthResult {
  const outDir = resolve(options.outDir ?? 'dist');
  const configFile = options.configFile ?? 'config/prod.yaml';
  const stack = loadProdStack(configFile);
  // Made once: what is linted here is what the ConfigMap mounts and hashes (and what verify expects).
  const pipeline = centralPipeline({
    ...stack.alloy,
    assetsDir: options.assetsDir,
    kubernetesAssetsDir: options.kubernetesAssetsDir,
  });
  // Judged as the release and stability level the pod runs (config/prod.yaml); several replicas run clustered,
  // so every component that can split its work must say whether it does.
  const lintOptions: LintOptions = {
    providedEnv: providedEnv(stack.alloy),
    stabilityLevel: stack.alloy.stabilityLevel,
    clustering: stack.alloy.replicas > 1,
  };
  const { diagnostics, note } = checkPipeline(pipeline, stack.alloy, lintOptions, configFile);
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
      const upgrade = upgradeSources(pipeline.sources, { from: previous, to: stack.alloy.version }, lintOptions);
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
    new AlloyChart(app, 'alloy', { ...stack.alloy, pipeline });
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
 * Lints the pipeline as one configuration, with the chart's two rules on top of the toolkit's: every env var it
 * reads must be one the pod provides, and every component that reads the Kubernetes API needs the RBAC the
 * chart grants (the pipeline's own diagnostics, found when it was made); otherwise Alloy fails on the cluster.
 */
function checkPipeline(
  pipeline: CentralPipeline,
  alloy: CentralAlloyConfig,
  options: LintOptions,
  configFile: string,
): { diagnostics: Diagnostic[]; note?: string } {
  let lint: LintResult;
  try {
    lint = lintSources(pipeline.sources, { ...options, alloyVersion: alloy.version });
  } catch (e) {
    if (e instanceof UnknownReleaseError) throw new PipelineError([`${configFile}: alloy.version: ${e.message}`]);
    throw e;
  }
  return {
    diagnostics: [...lint.diagnostics, ...pipeline.diagnostics],
    note: lint.judgedBy.note,
  };
}
