import { execFile } from 'node:child_process';
import { remoteScript } from '../../legacy/remote/script';

/**
 * The remote script's functions without its dispatcher call (the last line, `main "$@"`), followed by `code`:
 * to unit-test a helper of legacy/remote/alloy-legacy.sh in a given shell.
 */
export function scriptFunctions(code: string): string {
  const text = remoteScript();
  const lines = text.trimEnd().split('\n');
  if (lines[lines.length - 1] !== 'main "$@"') throw new Error('alloy-legacy.sh no longer ends with main "$@"');
  return `${lines.slice(0, -1).join('\n')}\n${code}\n`;
}

export interface ShellResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `shell -c <text> alloy-legacy args...` (shell may be `['busybox', 'ash']`). */
export function runShell(
  shell: readonly string[],
  text: string,
  args: readonly string[] = [],
  options: { env?: NodeJS.ProcessEnv; stdin?: Buffer; cwd?: string } = {},
): Promise<ShellResult> {
  return new Promise((ok) => {
    const child = execFile(
      shell[0],
      [...shell.slice(1), '-c', text, 'alloy-legacy', ...args],
      { env: options.env ?? process.env, cwd: options.cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (e, stdout, stderr) => {
        const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? (e as { code: number }).code : 1) : 0;
        ok({ code, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => undefined); // a step that reads no stdin may exit before it is written
    child.stdin?.end(options.stdin ?? '');
  });
}
