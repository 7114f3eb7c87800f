/**
 * A real Unbound on 127.0.0.1 for the tests and `legacy-deploy sandbox` (recipe: ../shared/notes/test-host.md): own
 * folder and config, free ports, remote control without certificates, our include file, a second include ("someone
 * else's") that tests can break, and a node:dns resolver pointed at it. Stopped by its pid (with its start time, so
 * a new process can stop it too: stopUnbound).
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, type ProcessRecord, startDetached, stopProcess } from './processes';
import { findProgram } from './programs';

export interface TestUnbound {
  readonly dir: string;
  readonly config: string;
  /** The include this project's tool owns. */
  readonly includeFile: string;
  /** Another include, standing for the rest of a real configuration. */
  readonly otherFile: string;
  readonly port: number;
  readonly pid: number;
  readonly process: ProcessRecord;
  /** A-record lookup through this Unbound (real DNS over UDP). */
  resolve4(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

export const unboundPrograms = ['unbound', 'unbound-checkconf', 'unbound-control'];

/** Absolute path of an Unbound program (they live in sbin, which a non-root PATH may lack), or undefined. */
export function unboundTool(name: string): string | undefined {
  return findProgram(name) ?? undefined;
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

/** Stops the Unbound of `record` (a reused pid is left alone) and removes its folder. */
export async function stopUnbound(record: ProcessRecord, dir: string): Promise<void> {
  await stopProcess(record, 5000);
  rmSync(dir, { recursive: true, force: true });
}

/** Starts Unbound in `options.dir` (created) or a new temp folder. */
export async function startUnbound(options: { include: string; other?: string; dir?: string }): Promise<TestUnbound> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'alloy-unbound-'));
  mkdirSync(dir, { recursive: true });
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
  const log = join(dir, 'unbound.log');
  const record = startDetached('unbound', tool('unbound'), ['-d', '-c', config], log);
  const stop = () => stopUnbound(record, dir);

  // Ready when the control channel answers.
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!isRunning(record)) {
      const why = readFileSync(log, 'utf8');
      await stop();
      throw new Error(`unbound exited early: ${why}`);
    }
    try {
      execFileSync(tool('unbound-control'), ['-c', config, 'status'], { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > deadline) {
        const why = readFileSync(log, 'utf8');
        await stop();
        throw new Error(`unbound did not become ready: ${why}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return {
    dir,
    config,
    includeFile,
    otherFile,
    port,
    pid: record.pid,
    process: record,
    resolve4: (name) => resolver.resolve4(name),
    stop,
  };
}
