import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { App } from 'cdk8s';
import { formatDiagnostic, lintDirectory, upgradeDirectory } from '../alloy-lint';
import { AlloyChart, providedEnv } from './alloy-chart';
import { loadProdStack } from './config/load';

export interface SynthOptions {
  /** The prod stack file. @default 'config/prod.yaml' */
  readonly configFile?: string;
  /** Folder of the central pipeline. @default 'assets/alloy' */
  readonly assetsDir?: string;
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
  const assetsDir = options.assetsDir ?? 'assets/alloy';
  const stack = loadProdStack(options.configFile ?? 'config/prod.yaml');
  // Every env var the pipeline reads must be one the Deployment provides, or Alloy fails on the cluster.
  // Judged as the release and stability level the Deployment runs (config/prod.yaml).
  // Several replicas run clustered: every component that can split its work must say whether it does.
  const lintOptions = {
    providedEnv: providedEnv(stack.alloy),
    stabilityLevel: stack.alloy.stabilityLevel,
    clustering: stack.alloy.replicas > 1,
  };
  const lint = lintDirectory(assetsDir, { ...lintOptions, alloyVersion: stack.alloy.version });
  const errors = lint.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new PipelineError(errors.map(formatDiagnostic));
  const warnings = lint.diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic);
  // A bumped version (Renovate): what the pipeline uses that changes from the release the previous dist/ runs.
  const previous = versionIn(outDir);
  if (previous !== undefined) {
    const upgrade = upgradeDirectory(assetsDir, { from: previous, to: stack.alloy.version }, lintOptions);
    warnings.push(...upgrade.map((d) => formatDiagnostic({ ...d, severity: 'warning' })));
  }

  mkdirSync(dirname(outDir), { recursive: true });
  const scratch = mkdtempSync(`${outDir}.tmp-`);
  try {
    const app = new App({ outdir: scratch });
    new AlloyChart(app, 'alloy', { ...stack.alloy, assetsDir });
    app.synth();

    const written = readdirSync(scratch).sort();
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

/** The Alloy release the manifests in `outDir` run (their image tag), if there are any. */
function versionIn(outDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(outDir, 'alloy.k8s.yaml'), 'utf8');
  } catch {
    return undefined;
  }
  return /image: grafana\/alloy:(v\d+\.\d+\.\d+)\s/.exec(text)?.[1];
}
