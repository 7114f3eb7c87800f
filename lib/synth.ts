import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { App } from 'cdk8s';
import { AlloyChart } from './alloy-chart';
import { loadProdStack } from './config/load';

export interface SynthOptions {
  /** The prod stack file. @default 'config/prod.yaml' */
  readonly configFile?: string;
  /** Folder of the central pipeline. @default 'assets/alloy' */
  readonly assetsDir?: string;
  /** Where the manifests go. @default 'dist' */
  readonly outDir?: string;
}

/**
 * Validates everything, synthesizes into a scratch folder beside the output, and only then moves the manifests
 * into place: a bad stack file or pipeline leaves the previous dist/ exactly as it was.
 */
export function synthesize(options: SynthOptions = {}): string[] {
  const outDir = resolve(options.outDir ?? 'dist');
  const stack = loadProdStack(options.configFile ?? 'config/prod.yaml');

  mkdirSync(dirname(outDir), { recursive: true });
  const scratch = mkdtempSync(`${outDir}.tmp-`);
  try {
    const app = new App({ outdir: scratch });
    new AlloyChart(app, 'alloy', { alloy: stack.alloy, assetsDir: options.assetsDir ?? 'assets/alloy' });
    app.synth();

    const written = readdirSync(scratch).sort();
    mkdirSync(outDir, { recursive: true });
    for (const file of written) renameSync(join(scratch, file), join(outDir, file));
    for (const stale of readdirSync(outDir)) {
      if (stale.endsWith('.k8s.yaml') && !written.includes(stale)) rmSync(join(outDir, stale));
    }
    return written.map((f) => join(outDir, f));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
