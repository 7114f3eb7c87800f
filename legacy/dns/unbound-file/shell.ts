/**
 * The few things the file backend does on the Unbound host: run a program and read/replace/remove one file.
 * `LocalShell` does them here; a remote variant does them over SSH with the same contract.
 */
import { execFile } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';

export interface CommandResult {
  /** null when the program could not be started or was killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Shell {
  /** Where commands run, for messages: `this machine` or `user@host`. */
  readonly where: string;
  run(argv: readonly string[], stdin?: string): Promise<CommandResult>;
  /** The file's text, or null when it does not exist. */
  readFile(path: string): Promise<string | null>;
  /** Replaces the file in one step (temp file + rename), so Unbound never sees half of it. */
  writeFile(path: string, content: string): Promise<void>;
  removeFile(path: string): Promise<void>;
}

export class LocalShell implements Shell {
  readonly where = 'this machine';

  run(argv: readonly string[], stdin?: string): Promise<CommandResult> {
    return new Promise((resolve) => {
      const child = execFile(
        argv[0],
        argv.slice(1),
        { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const e = error as (NodeJS.ErrnoException & { code?: number | string }) | null;
          const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) || (code === null && e ? e.message : '') });
        },
      );
      // A program that exits without reading its input must not turn into an EPIPE for us.
      child.stdin?.on('error', () => {});
      child.stdin?.end(stdin ?? '');
    });
  }

  async readFile(path: string): Promise<string | null> {
    try {
      return await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async writeFile(path: string, content: string): Promise<void> {
    const temp = `${path}.legacy-deploy.tmp`;
    await writeFile(temp, content, { mode: 0o644 });
    await rename(temp, path);
  }

  async removeFile(path: string): Promise<void> {
    await rm(path, { force: true });
  }
}
