import {
  alloySourcesOf,
  formatDiagnostic,
  type LintOptions,
  type LintResult,
  lintSources,
  UnknownReleaseError,
  upgradeSources,
} from '../alloy-lint';
import type { ContainerSpec } from './deploy/container-spec';
import { UserError } from './shared/user-error';

/**
 * THE lint call site of legacy-deploy: runs before any change on the NAS and refuses the deploy on any error.
 * The pipeline is judged as the container will run it: the Alloy release of its image tag (config/dev.yaml's
 * version), its --stability.level (Alloy's default, generally-available, when not set) and whether it enables
 * community components (--feature.community-components.enabled), the flags `alloy validate` gets too.
 * The env vars the config reads are not enforced (issue #3: only the central instance's synth enforces them); one
 * the container does not get from its env is a warning, and nothing is said when it gets them all. Warnings are
 * returned for printing.
 */
export function lintAssets(
  dir: string,
  files: readonly { readonly name: string; readonly content: Buffer }[],
  container: ContainerSpec,
): { warnings: string[] } {
  const providedEnv = Object.keys(container.env);
  // The files already read for the upload (pipelineFilesOf): what is linted is byte for byte what is deployed.
  let lint: LintResult;
  try {
    lint = lintSources(alloySourcesOf(dir, files), {
      alloyVersion: releaseOf(container.image),
      stabilityLevel: stabilityLevelOf(container.args),
      communityComponents: communityComponentsOf(container.args),
    });
  } catch (e) {
    if (e instanceof UnknownReleaseError)
      throw new UserError(`dev.yaml: alloyLegacy.version: ${e.message}; nothing was changed on the NAS`, 1);
    throw e;
  }
  const { diagnostics, envVars, judgedBy } = lint;
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
      // A release the linter has no data for is never judged silently as another: said once.
      ...(judgedBy.note === undefined ? [] : [`${dir}: ${judgedBy.note}`]),
      ...diagnostics.filter((d) => d.severity !== 'error').map(formatDiagnostic),
      ...unset.map((v) => `${dir}: sys.env("${v}") is read, but the alloy-legacy container does not set it`),
    ],
  };
}

/**
 * What moving the NAS from the release its container runs (`runningImage`) to the one dev.yaml asks for changes for
 * this pipeline (removed or renamed components and attributes, stability changes), as warnings for `plan`: a version
 * bump (Renovate) shows what it breaks before the deploy that would fail on it.
 */
export function upgradeWarnings(
  dir: string,
  files: readonly { readonly name: string; readonly content: Buffer }[],
  runningImage: string,
  container: ContainerSpec,
): string[] {
  const from = releaseOf(runningImage);
  const to = releaseOf(container.image);
  if (from === undefined || to === undefined || from === to) return [];
  let findings: ReturnType<typeof upgradeSources>;
  try {
    findings = upgradeSources(
      alloySourcesOf(dir, files),
      { from, to },
      {
        stabilityLevel: stabilityLevelOf(container.args),
        communityComponents: communityComponentsOf(container.args),
      },
    );
  } catch (e) {
    // The NAS may run a release older than the linter's data: the comparison is then not made, and said so.
    if (e instanceof UnknownReleaseError) return [`upgrade ${from} → ${to}: not checked: ${e.message}`];
    throw e;
  }
  return findings.map((d) => `upgrade ${from} → ${to}: ${formatDiagnostic(d)}`);
}

/** The Alloy release of an image reference's tag (`grafana/alloy:v1.10.1` → `v1.10.1`). */
function releaseOf(image: string): string | undefined {
  return /:(v?\d+\.\d+\.\d+)$/.exec(image)?.[1];
}

function stabilityLevelOf(args: readonly string[]): LintOptions['stabilityLevel'] {
  const flag = args.find((a) => a.startsWith('--stability.level='));
  return (flag?.slice('--stability.level='.length) ?? 'generally-available') as LintOptions['stabilityLevel'];
}

/** Whether `alloy run`'s arguments enable community components (a bare flag, or `=true` as Go's flag package takes). */
function communityComponentsOf(args: readonly string[]): boolean {
  const flag = [...args].reverse().find((a) => /^--feature\.community-components\.enabled(=|$)/.test(a));
  return flag !== undefined && !/=(false|0|f|F|FALSE|False)$/.test(flag);
}
