import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  appendKnownHost,
  fingerprint,
  type HostKeyVerdict,
  keysForHost,
  keyTypeOf,
  knownHostsName,
  preferredHostKeyAlgorithms,
  readKnownHosts,
  verifyHostKey,
} from './known-hosts';
import { UserError } from './user-error';

export interface ConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Private key file; without it the key comes from ssh-agent (SSH_AUTH_SOCK). */
  readonly identity?: string;
  readonly knownHostsFile?: string;
  readonly acceptNewHostKey?: boolean;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  /** null when the connection ended before the command did. */
  readonly code: number | null;
}

/** The reason a remote command failed, in a few words: its last output lines, or the lost connection. */
export function explainFailure(r: RunResult): string {
  if (r.code === null) return 'the SSH connection was lost';
  const text = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('@@')) // the scripts' own progress markers
    .slice(-5)
    .join(' / ');
  return text || `exit status ${r.code}`;
}

/** Counters the benchmark and --json report: a run should use one connection and few commands. */
export interface SessionStats {
  connections: number;
  /** Execs started on the NAS. */
  commands: number;
  bytesUploaded: number;
}

interface NodeSSHLike {
  connection: { on(event: 'error', listener: (e: Error) => void): unknown } | null;
  connect(config: Record<string, unknown>): Promise<unknown>;
  execCommand(
    command: string,
    options?: {
      stdin?: string | Readable;
      noTrim?: boolean;
      onChannel?: () => void;
      onStdout?: (chunk: Buffer) => void;
    },
  ): Promise<{ stdout: string; stderr: string; code: number | null }>;
  dispose(): void;
}

/** One SSH connection to the NAS (or another host of the stack); every remote command is an exec on it. */
export class RemoteSession {
  readonly stats: SessionStats = { connections: 0, commands: 0, bytesUploaded: 0 };
  /** Set when the connection failed after it was established. */
  lostWith: Error | null = null;

  private constructor(
    private readonly ssh: NodeSSHLike,
    readonly description: string,
  ) {}

  static async open(options: ConnectOptions, stats?: SessionStats): Promise<RemoteSession> {
    const knownHostsFile = options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
    const name = knownHostsName(options.host, options.port);
    const known = keysForHost(readKnownHosts(knownHostsFile), name);
    let verdict: (HostKeyVerdict & { type: string; key: string }) | null = null;

    const auth: Record<string, unknown> = {};
    if (options.identity) auth.privateKeyPath = options.identity;
    else if (process.env.SSH_AUTH_SOCK) auth.agent = process.env.SSH_AUTH_SOCK;
    else throw new UserError('no SSH key: start ssh-agent (SSH_AUTH_SOCK) or pass --identity <file>');

    // The handshake and every exec are small request/response exchanges: without TCP_NODELAY each one can stall
    // on a delayed ACK (~40 ms apiece), which ssh2 does not turn off itself.
    const sock = connect({ host: options.host, port: options.port });
    sock.setNoDelay(true);
    const connected = new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    connected.catch(() => undefined); // awaited below, after the load
    // Dialled first, then ssh2 is loaded (heavy, so only when a command connects: `--help` stays fast): the NAS's
    // sshd starts its session and sends its banner (~30 ms) while this process loads the library. One turn of the
    // event loop lets the connect actually go out before the synchronous load.
    await new Promise((resolve) => setImmediate(resolve));
    const { NodeSSH } = require('node-ssh') as typeof import('node-ssh');
    const ssh = new NodeSSH() as unknown as NodeSSHLike;
    const where = `${options.user}@${name}`;
    try {
      await connected;
    } catch (e) {
      sock.destroy();
      throw connectError(e, where, name, knownHostsFile, null);
    }
    try {
      await ssh.connect({
        sock,
        host: options.host,
        port: options.port,
        username: options.user,
        ...auth,
        readyTimeout: 20_000,
        // Straight to the key: ssh2 otherwise first tries the `none` method, one more round trip to sshd.
        authHandler: auth.agent ? ['agent'] : ['publickey'],
        keepaliveInterval: 5_000,
        keepaliveCountMax: 3,
        algorithms: { serverHostKey: preferredHostKeyAlgorithms(known) },
        hostVerifier: (blob: Buffer) => {
          const type = keyTypeOf(blob);
          const key = blob.toString('base64');
          verdict = { ...verifyHostKey(known, type, key), type, key };
          if (verdict.kind === 'known') return true;
          if (verdict.kind === 'unknown' && options.acceptNewHostKey) {
            appendKnownHost(knownHostsFile, name, type, key);
            return true;
          }
          return false;
        },
      });
    } catch (e) {
      ssh.dispose();
      throw connectError(e, where, name, knownHostsFile, verdict);
    }
    const session = new RemoteSession(ssh, where);
    // node-ssh listens for errors only while connecting; a connection reset later (a dropped link) would otherwise
    // be an unhandled 'error' event that kills the process before the run can say what happened.
    ssh.connection?.on('error', (e) => {
      session.lostWith = e;
    });
    if (stats) Object.assign(session, { stats });
    session.stats.connections++;
    return session;
  }

  /**
   * Runs one remote command; `stdin` is streamed into it (the tar upload). `whileRunning` is called once the NAS
   * has started the command, `onStdout` with each chunk of its stdout as it comes (live progress).
   */
  async run(
    command: string,
    options: {
      stdin?: Readable;
      stdinBytes?: number;
      whileRunning?: () => void;
      onStdout?: (chunk: Buffer) => void;
    } = {},
  ): Promise<RunResult> {
    if (this.lostWith) return { stdout: '', stderr: this.lostWith.message, code: null };
    if (options.stdinBytes) this.stats.bytesUploaded += options.stdinBytes;
    this.stats.commands++;
    try {
      const r = await this.ssh.execCommand(command, {
        stdin: options.stdin,
        onChannel: options.whileRunning,
        onStdout: options.onStdout,
        noTrim: true,
      });
      return { stdout: r.stdout, stderr: r.stderr, code: r.code };
    } catch (e) {
      return { stdout: '', stderr: e instanceof Error ? e.message : String(e), code: null };
    }
  }

  close(): void {
    this.ssh.dispose();
  }
}

/**
 * The host could not be reached or refused the login (network, sshd down, key refused): what `plan` reports as an
 * unchecked section (exit 4) while it still shows the rest. A host key that does not match stays a plain failure.
 */
export class NasUnreachable extends UserError {}

function connectError(
  e: unknown,
  where: string,
  name: string,
  knownHostsFile: string,
  verdict: (HostKeyVerdict & { type: string; key: string }) | null,
): UserError {
  if (verdict?.kind === 'changed') {
    return new UserError(
      `host key of ${name} has CHANGED: it now presents ${verdict.type} ${fingerprint(verdict.key)}, but ` +
        `${knownHostsFile}:${verdict.expected.line} records ${verdict.expected.type} ${fingerprint(verdict.expected.key)}. ` +
        'Refusing to connect: this may be a man-in-the-middle attack, or the NAS was reinstalled. If you have ' +
        `verified the new key, remove the old one (ssh-keygen -R '${name}' -f ${knownHostsFile}) and connect again ` +
        'with --accept-new-host-key.',
    );
  }
  if (verdict?.kind === 'revoked') {
    return new UserError(`host key of ${name} is marked @revoked in ${knownHostsFile}:${verdict.entry.line}; refusing`);
  }
  if (verdict?.kind === 'unknown') {
    return new UserError(
      `host key of ${name} is not in ${knownHostsFile} (${verdict.type} ${fingerprint(verdict.key)}). ` +
        'Check that fingerprint on the NAS (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then run again with ' +
        '--accept-new-host-key to record it.',
    );
  }
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED')
    return new NasUnreachable(`cannot connect to ${where}: connection refused (is sshd running on that port?)`);
  if (code === 'ENOTFOUND') return new NasUnreachable(`cannot connect to ${where}: unknown host`);
  if (/authentication methods failed/i.test(message)) {
    return new NasUnreachable(`SSH login as ${where} was refused: check the key (--identity <file> or ssh-agent)`);
  }
  if (/no such file|ENOENT/i.test(message)) return new UserError(`cannot read the SSH key: ${message}`);
  return new NasUnreachable(`cannot connect to ${where}: ${message}`);
}
