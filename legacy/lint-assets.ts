import { UserError } from './deploy/errors';

/** The shape of lib/alloy's linter, as agreed: `lintDirectory(dir) → { diagnostics, envVars }`. */
interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: string;
  readonly message: string;
}
interface AlloyLinter {
  lintDirectory(
    dir: string,
    options?: Record<string, unknown>,
  ): { diagnostics: Diagnostic[]; envVars?: unknown } | Promise<{ diagnostics: Diagnostic[]; envVars?: unknown }>;
  formatDiagnostic(d: Diagnostic): string;
}

function loadLinter(): AlloyLinter | null {
  try {
    // Loaded at run time (only deploy/plan lint): keeps `--help` fast and lets this module build before lib/alloy
    // has its index.
    return require('../lib/alloy') as AlloyLinter;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && /lib[/\\]alloy/.test(String(e))) return null;
    throw e;
  }
}

/**
 * THE lint call site of legacy-deploy: runs before any remote change and refuses the deploy on any error.
 * Returns the warnings' text (printed, not fatal) and whether the linter was available at all.
 */
export async function lintAssets(dir: string): Promise<{ warnings: string[]; linted: boolean }> {
  const linter = loadLinter();
  if (!linter || typeof linter.lintDirectory !== 'function') return { warnings: [], linted: false };
  const { diagnostics } = await linter.lintDirectory(dir);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity !== 'error').map((d) => linter.formatDiagnostic(d));
  if (errors.length > 0) {
    throw new UserError(
      `${dir} does not pass the Alloy linter (${errors.length} error${errors.length > 1 ? 's' : ''}); nothing was changed on the NAS`,
      1,
      errors.map((d) => linter.formatDiagnostic(d)),
    );
  }
  return { warnings, linted: true };
}
