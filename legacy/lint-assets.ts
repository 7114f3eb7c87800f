import type * as LintFolder from '../alloy-lint/folder/lint-folder';
import type * as Diagnostics from '../alloy-lint/syntax/diagnostics';
import type { ContainerSpec } from './deploy/container-spec';
import { UserError } from './deploy/errors';

/**
 * THE lint call site of legacy-deploy: runs before any change on the NAS and refuses the deploy on any error.
 * The pipeline is judged as the container will run it: the Alloy release of its image tag (config/dev.yaml's
 * version) and its --stability.level (Alloy's default, generally-available, when not set).
 * The env vars the config reads are listed, not enforced (issue #3: only the central instance's synth enforces
 * them); one the container does not get from its env is a warning. Warnings are returned for printing.
 */
export function lintAssets(dir: string, container: ContainerSpec): { warnings: string[] } {
  const providedEnv = Object.keys(container.env);
  // Loaded only when something is about to be deployed: a no-op redeploy does not pay for the linter (nor ever
  // for the formatter, which the toolkit's index would load too).
  const { lintDirectory } = require('../alloy-lint/folder/lint-folder') as typeof LintFolder;
  const { formatDiagnostic } = require('../alloy-lint/syntax/diagnostics') as typeof Diagnostics;
  const { diagnostics, envVars } = lintDirectory(dir, {
    alloyVersion: /:(v?\d+\.\d+\.\d+)$/.exec(container.image)?.[1],
    stabilityLevel: stabilityLevelOf(container.args),
  });
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

function stabilityLevelOf(args: readonly string[]): LintFolder.LintOptions['stabilityLevel'] {
  const flag = args.find((a) => a.startsWith('--stability.level='));
  return (flag?.slice('--stability.level='.length) ??
    'generally-available') as LintFolder.LintOptions['stabilityLevel'];
}
