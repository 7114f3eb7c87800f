/**
 * A real Unbound on 127.0.0.1 for the tests (recipe: ../shared/notes/test-host.md): own temp dir and config, free
 * ports, remote control without certificates, our include file, a second include ("someone else's") that tests
 * can break, and a node:dns resolver pointed at it. Stopped by its pid.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeNeeding, findProgram } from './requirements';

export interface TestUnbound {
  readonly dir: string;
  readonly config: string;
  /** The include this project's tool owns. */
  readonly includeFile: string;
  /** Another include, standing for the rest of a real configuration. */
  readonly otherFile: string;
  readonly port: number;
  readonly pid: number;
  /** A-record lookup through this Unbound (real DNS over UDP). */
  resolve4(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

const tools = ['unbound', 'unbound-checkconf', 'unbound-control'];

/** Absolute path of an Unbound program (they live in sbin, which a non-root PATH may lack), or undefined. */
export function unboundTool(name: string): string | undefined {
  return findProgram(name) ?? undefined;
}

/** `describe` when Unbound is installed (see requirements.ts for what happens when it is not). */
export function describeWithUnbound(name: string, body: () => void): void {
  describeNeeding({ programs: tools }, name, body);
}

/** A port free for both UDP and TCP on 127.0.0.1 (DNS uses both). */
export async function freeDnsPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const udp = createSocket('udp4');
    const port = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(0, '127.0.0.1', () => resolve(udp.address().port));
    });
    const tcpFree = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    udp.close();
    if (tcpFree) return port;
  }
  throw new Error('no free port for Unbound');
}

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function tool(name: string): string {
  const path = unboundTool(name);
  if (!path) throw new Error(`${name} not found`);
  return path;
}

export async function startUnbound(options: { include: string; other?: string }): Promise<TestUnbound> {
  const dir = mkdtempSync(join(tmpdir(), 'alloy-unbound-'));
  const config = join(dir, 'unbound.conf');
  const includeFile = join(dir, 'alloy-override.conf');
  const otherFile = join(dir, 'other.conf');
  const port = await freeDnsPort();
  const controlPort = await freeTcpPort();
  writeFileSync(includeFile, options.include);
  writeFileSync(otherFile, options.other ?? '# the rest of the configuration\n');
  writeFileSync(
    config,
    [
      'server:',
      '  interface: 127.0.0.1',
      `  port: ${port}`,
      '  do-daemonize: no',
      '  chroot: ""',
      '  username: ""',
      `  directory: "${dir}"`,
      `  pidfile: "${join(dir, 'unbound.pid')}"`,
      '  use-syslog: no',
      '  logfile: ""',
      '  verbosity: 1',
      '  do-ip6: no',
      '  module-config: "iterator"',
      '  access-control: 127.0.0.0/8 allow',
      `  include: "${includeFile}"`,
      `  include: "${otherFile}"`,
      'remote-control:',
      '  control-enable: yes',
      '  control-interface: 127.0.0.1',
      `  control-port: ${controlPort}`,
      '  control-use-cert: no',
      '',
    ].join('\n'),
  );
  execFileSync(tool('unbound-checkconf'), [config], { stdio: 'pipe' });
  const child: ChildProcess = spawn(tool('unbound'), ['-d', '-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('unbound did not start');

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // Ready when the control channel answers.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`unbound exited early: ${stderr}`);
    }
    try {
      execFileSync(tool('unbound-control'), ['-c', config, 'status'], { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`unbound did not become ready: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return { dir, config, includeFile, otherFile, port, pid, resolve4: (name) => resolver.resolve4(name), stop };
}
