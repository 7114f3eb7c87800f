/**
 * The file backend's Shell over the deploy area's SSH session (one connection, one exec per step), for an Unbound
 * that runs on `target.host`. Paths and arguments are quoted for the remote POSIX shell.
 */
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { shellJoin, shellQuote } from '../../shared/shell';
import type { RemoteSession } from '../../shared/ssh-session';
import { DnsError } from '../errors';
import type { CommandResult, Shell } from './shell';

/** Exit status the read script uses for "no such file", distinct from cat's own failures. */
const ABSENT = 44;

/**
 * The two scripts, fixed texts run as `sh -c SCRIPT NAME ARG...`: every value is a positional argument. Both refuse
 * a path that is a symbolic link or not a regular file. The write creates the temp file (an unpredictable name
 * chosen by the caller, in the same folder) with noclobber, which creates exclusively and never writes through a
 * link (dash, bash and busybox ash alike), gives it the old file's owner and group where the user may (else the
 * group; else refuses when others may not read the file) and mode, then renames it over the file.
 */
const REFUSE_ODD = [
  'p=$1',
  'if [ -L "$p" ]; then echo "$p is a symbolic link: refused (the include file must be a regular file, not a link)" >&2; exit 3; fi',
  'if [ -e "$p" ] && [ ! -f "$p" ]; then echo "$p is not a regular file: refused (the include file must be a regular file, not a link)" >&2; exit 3; fi',
];
export const READ_SCRIPT = [...REFUSE_ODD, `if [ ! -e "$p" ]; then exit ${ABSENT}; fi`, 'exec cat -- "$p"'].join('\n');
export const WRITE_SCRIPT = [
  ...REFUSE_ODD,
  't=$2',
  'fail() { rm -f -- "$t"; echo "$1" >&2; exit 1; }',
  'set -C',
  'cat > "$t" || exit 1',
  'set +C',
  'if [ -e "$p" ]; then',
  '  if ! { m=$(stat -c %a -- "$p") && o=$(stat -c %u -- "$p") && g=$(stat -c %g -- "$p"); }; then fail "cannot stat $p"; fi',
  '  if ! chown -- "$o:$g" "$t" 2>/dev/null && ! chgrp -- "$g" "$t" 2>/dev/null; then',
  '    case $m in *[4567]) ;; *) fail "cannot give the new $p its group (gid $g) as $(id -un), and others may not read it: log in as root or as a member of that group; nothing changed" ;; esac',
  '  fi',
  '  chmod "$m" "$t" || fail "cannot set the mode of $t"',
  'else',
  '  chmod 644 "$t" || fail "cannot set the mode of $t"',
  'fi',
  'mv -f -- "$t" "$p" || fail "cannot rename $t to $p"',
].join('\n');

export class RemoteShell implements Shell {
  constructor(private readonly session: Pick<RemoteSession, 'run' | 'description'>) {}

  get where(): string {
    return this.session.description;
  }

  run(argv: readonly string[], stdin?: string): Promise<CommandResult> {
    return this.exec(shellJoin(argv), stdin);
  }

  async readFile(path: string): Promise<string | null> {
    const r = await this.exec(shellJoin(['sh', '-c', READ_SCRIPT, 'legacy-deploy-read', path]));
    if (r.code === ABSENT) return null;
    if (r.code !== 0)
      throw new DnsError(`cannot read ${path} on ${this.where}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  async writeFile(path: string, content: string): Promise<void> {
    const temp = posix.join(
      posix.dirname(path),
      `.${posix.basename(path)}.legacy-deploy-${randomBytes(12).toString('hex')}`,
    );
    const r = await this.exec(shellJoin(['sh', '-c', WRITE_SCRIPT, 'legacy-deploy-write', path, temp]), content);
    if (r.code !== 0)
      throw new DnsError(`cannot write ${path} on ${this.where}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  async removeFile(path: string): Promise<void> {
    const r = await this.exec(`rm -f -- ${shellQuote(path)}`);
    if (r.code !== 0)
      throw new DnsError(`cannot remove ${path} on ${this.where}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  private exec(command: string, stdin?: string): Promise<CommandResult> {
    if (stdin === undefined) return this.session.run(command);
    return this.session.run(command, { stdin: Readable.from([stdin]), stdinBytes: Buffer.byteLength(stdin) });
  }
}
