import type * as AlloyToolkit from '../lib/alloy';
import { UserError } from './deploy/errors';

/**
 * THE lint call site of legacy-deploy: runs before any change on the NAS and refuses the deploy on any error.
 * `providedEnv` are the env vars the container gets: a config reading any other through sys.env is an error too
 * (it would start with an empty value). Warnings are returned for printing.
 */
export function lintAssets(dir: string, providedEnv: readonly string[]): { warnings: string[] } {
  // Loaded only when something is about to be deployed: a no-op redeploy does not pay for the linter.
  const { lintDirectory, formatDiagnostic } = require('../lib/alloy') as typeof AlloyToolkit;
  const { diagnostics } = lintDirectory(dir, { providedEnv });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new UserError(
      `${dir} does not pass the Alloy linter (${errors.length} error${errors.length > 1 ? 's' : ''}); nothing was changed on the NAS`,
      1,
      errors.map(formatDiagnostic),
    );
  }
  return { warnings: diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic) };
}
