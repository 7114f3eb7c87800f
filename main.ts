// The cdk8s app: `npm run synth` (or `cdk8s synth`) writes dist/alloy.k8s.yaml from config/prod.yaml and
// assets/alloy/. User errors are printed one per line, without a stack trace, and exit 1.
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { synthesize } from './lib/synth';

try {
  const { files, warnings } = synthesize();
  for (const warning of warnings) process.stderr.write(`${warning}\n`);
  for (const file of files) process.stdout.write(`wrote ${file}\n`);
  // `cdk8s synth` points CDK8S_OUTDIR at its scratch folder (cdk8s.yaml) and insists that it exists afterwards.
  const cliOutDir = process.env.CDK8S_OUTDIR;
  if (cliOutDir) {
    mkdirSync(cliOutDir, { recursive: true });
    for (const file of files) copyFileSync(file, join(cliOutDir, basename(file)));
  }
} catch (e) {
  process.stderr.write(`synth failed:\n${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
