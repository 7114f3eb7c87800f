/**
 * The file backend's Shell over the deploy area's SSH session (one connection, one exec per step), for an Unbound
 * that runs on `target.host`. Paths and arguments are quoted for the remote POSIX shell.
 */
import { Readable } from 'node:stream';
import { shellJoin, shellQuote } from '../../shared/shell';
import type { RemoteSession } from '../../shared/ssh-session';
import { DnsError } from '../errors';
import type { CommandResult, Shell } from './shell';

/** Exit status the read script uses for "no such file", distinct from cat's own failures. */
const ABSENT = 44;

export class RemoteShell implements Shell {
  constructor(private readonly session: Pick<RemoteSession, 'run' | 'description'>) {}

  get where(): string {
    return this.session.description;
  }

  run(argv: readonly string[], stdin?: string): Promise<CommandResult> {
    return this.exec(shellJoin(argv), stdin);
  }

  async readFile(path: string): Promise<string | null> {
    const p = shellQuote(path);
    const r = await this.exec(`if [ -e ${p} ]; then cat -- ${p}; else exit ${ABSENT}; fi`);
    if (r.code === ABSENT) return null;
    if (r.code !== 0)
      throw new DnsError(`cannot read ${path} on ${this.where}: ${r.stderr.trim() || `exit ${r.code}`}`);
    return r.stdout;
  }

  async writeFile(path: string, content: string): Promise<void> {
    const p = shellQuote(path);
    const temp = shellQuote(`${path}.legacy-deploy.tmp`);
    const r = await this.exec(`umask 022 && cat > ${temp} && mv -f -- ${temp} ${p}`, content);
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
