import { join } from 'node:path';
import { formatDiagnostic } from '../lib/alloy/diagnostics';
import { lintSources } from '../lib/alloy/lint-folder';
import { UserError } from './shared/user-error';

/**
 * THE lint call site of legacy-deploy: runs before any change on the NAS and refuses the deploy on any error.
 * The env vars the config reads are listed, not enforced (issue #3: only the central instance's synth enforces
 * them); one the container does not get from `providedEnv` is a warning. Warnings are returned for printing.
 */
export function lintAssets(
  dir: string,
  files: readonly { readonly name: string; readonly content: Buffer }[],
  providedEnv: readonly string[],
): { warnings: string[] } {
  // The files already read for the upload (pipelineFilesOf): what is linted is byte for byte what is deployed.
  const { diagnostics, envVars } = lintSources(
    files.filter((f) => f.name.endsWith('.alloy')).map((f) => ({ file: join(dir, f.name), text: f.content })),
  );
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new UserError(
      `${dir} does not pass the Alloy linter (${errors.length} error${errors.length > 1 ? 's' : ''}); nothing was changed on the NAS`,
      1,
      errors.map(formatDiagnostic),
    );
  }
  const unset = envVars.filter((v) => !providedEnv.includes(v));
  return {
    warnings: [
      ...diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic),
      ...(envVars.length > 0 ? [`${dir}: env vars read: ${envVars.join(', ')}`] : []),
      ...unset.map((v) => `${dir}: sys.env("${v}") is read, but the alloy-legacy container does not set it`),
    ],
  };
}
