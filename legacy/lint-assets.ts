import { join } from 'node:path';
import { formatDiagnostic, type LintOptions, lintSources } from '../alloy-lint';
import type { ContainerSpec } from './deploy/container-spec';
import { UserError } from './shared/user-error';

/**
 * THE lint call site of legacy-deploy: runs before any change on the NAS and refuses the deploy on any error.
 * The pipeline is judged as the container will run it: the Alloy release of its image tag (config/dev.yaml's
 * version) and its --stability.level (Alloy's default, generally-available, when not set).
 * The env vars the config reads are listed, not enforced (issue #3: only the central instance's synth enforces
 * them); one the container does not get from its env is a warning. Warnings are returned for printing.
 */
export function lintAssets(
  dir: string,
  files: readonly { readonly name: string; readonly content: Buffer }[],
  container: ContainerSpec,
): { warnings: string[] } {
  const providedEnv = Object.keys(container.env);
  // The files already read for the upload (pipelineFilesOf): what is linted is byte for byte what is deployed.
  const { diagnostics, envVars } = lintSources(
    files.filter((f) => f.name.endsWith('.alloy')).map((f) => ({ file: join(dir, f.name), text: f.content })),
    {
      alloyVersion: /:(v?\d+\.\d+\.\d+)$/.exec(container.image)?.[1],
      stabilityLevel: stabilityLevelOf(container.args),
    },
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

function stabilityLevelOf(args: readonly string[]): LintOptions['stabilityLevel'] {
  const flag = args.find((a) => a.startsWith('--stability.level='));
  return (flag?.slice('--stability.level='.length) ?? 'generally-available') as LintOptions['stabilityLevel'];
}
