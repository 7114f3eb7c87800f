/**
 * The few things the file backend does on the Unbound host: run a program and read/replace/remove one file.
 * `LocalShell` does them here; a remote variant does them over SSH with the same contract.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DnsError } from '../errors';

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
  /** The file's text, or null when it does not exist. Refuses a symbolic link or other non-regular file, naming it. */
  readFile(path: string): Promise<string | null>;
  /**
   * Replaces the file in one step, so Unbound never sees half of it: the text goes into a new file of an
   * unpredictable name in the same folder, created exclusively (a link planted there is never followed), which
   * gets the existing file's mode and group (and owner where the user may) and is renamed over it. A path that is
   * a symbolic link or not a regular file is refused, naming it. A new file gets mode 0644.
   */
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
    if ((await existingFile(path)) === undefined) return null;
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((e) => {
      throw fileError(path, 'read', e);
    });
    try {
      if (!(await handle.stat()).isFile()) throw refused(path, 'is not a regular file');
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }

  async writeFile(path: string, content: string): Promise<void> {
    const existing = await existingFile(path);
    const temp = join(dirname(path), `.${basename(path)}.legacy-deploy-${randomBytes(12).toString('hex')}`);
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const handle = await open(temp, flags, 0o600).catch((e) => {
      throw fileError(temp, 'create', e);
    });
    try {
      try {
        await handle.writeFile(content);
        await keepOwnership(handle, existing, path);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, path);
    } catch (e) {
      await unlink(temp).catch(() => {});
      throw e instanceof DnsError ? e : fileError(path, 'write', e);
    }
  }

  async removeFile(path: string): Promise<void> {
    await rm(path, { force: true });
  }
}

const refused = (path: string, why: string) =>
  new DnsError(`${path} ${why}: refused (the include file must be a regular file, not a link)`);

const fileError = (path: string, doing: string, e: unknown) =>
  new DnsError(`cannot ${doing} ${path} on this machine: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);

/** The file's lstat, or undefined when it does not exist; a link or other non-regular file is refused. */
async function existingFile(path: string): Promise<Stats | undefined> {
  let st: Stats;
  try {
    st = await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(path, 'read', e);
  }
  if (st.isSymbolicLink()) throw refused(path, 'is a symbolic link');
  if (!st.isFile()) throw refused(path, 'is not a regular file');
  return st;
}

/**
 * Gives the new file the old one's mode, owner and group (a new file: 0644). A user other than root may not give
 * it away: then the group alone, and when not even that, refuses if the group mattered (others may not read the
 * file: Unbound, reading it through its group, would lose it).
 */
async function keepOwnership(
  handle: Awaited<ReturnType<typeof open>>,
  existing: Stats | undefined,
  path: string,
): Promise<void> {
  if (existing === undefined) {
    await handle.chmod(0o644);
    return;
  }
  try {
    await handle.chown(existing.uid, existing.gid);
  } catch {
    try {
      await handle.chown(-1, existing.gid);
    } catch {
      if ((existing.mode & 0o004) === 0) {
        throw new DnsError(
          `cannot give the new ${path} its group (gid ${existing.gid}) on this machine, and others may not read it: ` +
            'run as root or as a member of that group; nothing changed',
        );
      }
    }
  }
  await handle.chmod(existing.mode & 0o7777); // after chown, which may clear the set-id bits
}
