// legacy-deploy benchmark: what a user on a real link feels (issue #10). The real test host (sshd + podman +
// stand-in Alloy, test/support/ssh-docker-host) sits behind bench/delay-proxy.ts: 25 ms each way, 50 ms round trip.
// The NAS-side HTTP calls (curl 127.0.0.1, Ansible's uri) stay local to the NAS, as on a real one.
//  1. `legacy-deploy --help` wall time (the built CLI, as `npx legacy-deploy` runs it); target ≤ 0.25 s.
//  2. In one run, interleaved, medians of RUNS (≥ 7): a no-op deploy and a config-only deploy (one file edited, so
//     uploaded and reloaded), each by
//       - the shell floor through the same link: `ssh HOST 'sha256sum cfg/*; docker inspect alloy-legacy'` and
//         `tar -c cfg | ssh HOST 'tar -x …; curl -X POST …/-/reload'`;
//       - legacy-deploy, as a black box (`node bin/legacy-deploy.cjs deploy` with the test host's config);
//       - Ansible (bench/ansible/playbook.yml: copy + community.docker.docker_container + a readiness uri loop),
//         once as installed (ControlPersist, no pipelining) and once with pipelining, the tuning a user reaches for
//         first; each variant runs its own container from its own copy of the assets.
//     Targets: one SSH connection per run; remote execs ≤ 2 plus the validation container; ≥ 10× faster than
//     Ansible (judged against both variants); ≤ 1.2× the shell floor leaving out the validation container's run.
// Connections and execs are counted from sshd's own log (LogLevel VERBOSE); a validation container is any container
// created and removed during a deploy, its run time the span between those two engine events.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { sshDockerHostAvailable, startSshDockerHost } from '../test/support/ssh-docker-host';
import { ansiblePeer } from './ansible-peer';
import { startDelayProxy } from './delay-proxy';
import { type ContenderName, formatCase, type PeerName, peers, type Runs, spread } from './latency-report';
import { measure, report } from './measure';
import { countsSince, sshdCounts } from './sshd-log';
import { timedRunOk } from './timed-run';
import { validationContainers, type Window } from './validation-containers';

const ROOT = resolve(__dirname, '..');
const RUNS = Math.max(7, Number(process.env.BENCH_RUNS) || 7);
const ONE_WAY_MS = 25;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

async function main(): Promise<void> {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const help = measure(['node', 'bin/legacy-deploy.cjs', '--help'], RUNS, ROOT);
  report('legacy-deploy --help (target ≤ 0.25 s)', help);

  if (!sshDockerHostAvailable('legacy-deploy benchmark', {})) return;
  if (spawnSync('ansible-playbook', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('ansible-playbook not found: apt-get install ansible (Debian 12 ships community.docker with it)');
  }
  const began = Date.now();
  const host = await startSshDockerHost();
  const proxy = await startDelayProxy({ targetPort: host.sshPort, delayMs: ONE_WAY_MS });
  const stoppers: (() => void)[] = [];
  try {
    host.tagStubImage('v1.10.1');
    // The CLI, the shell and Ansible all reach sshd through the proxy: the config and known_hosts name its port.
    const configDir = host.writeConfig(join(host.dir, 'config'));
    const dev = parseDocument(readFileSync(join(configDir, 'dev.yaml'), 'utf8'));
    dev.setIn(['alloyLegacy', 'target', 'port'], proxy.port);
    writeFileSync(join(configDir, 'dev.yaml'), dev.toString());
    const knownHosts = join(host.dir, 'known_hosts.proxy');
    writeFileSync(
      knownHosts,
      `${host.knownHostsLine.replace(/^\[127\.0\.0\.1\]:\d+ /, `[127.0.0.1]:${proxy.port} `)}\n`,
    );
    const assets = join(host.dir, 'assets');
    mkdirSync(assets);
    cpSync(join(ROOT, 'assets/alloy_legacy'), assets, { recursive: true });
    const env = { ...process.env, SSH_AUTH_SOCK: '', XDG_CACHE_HOME: join(host.dir, 'cache') };
    const run = (command: string, args: string[]) => timedRunOk(command, args, { cwd: ROOT, env });
    const deploy = () =>
      run(process.execPath, [
        'bin/legacy-deploy.cjs',
        'deploy',
        '--json',
        '--config-dir',
        configDir,
        '--identity',
        host.identity,
        '--known-hosts',
        knownHosts,
        '--assets',
        assets,
      ]);
    const sshArgs = (remote: string) => [
      '-i',
      host.identity,
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-p',
      String(proxy.port),
      `${host.user}@127.0.0.1`,
      remote,
    ];

    await deploy(); // the fresh deploy, not measured
    const [inspected] = JSON.parse(host.docker(['inspect', '--type', 'container', 'alloy-legacy']).stdout);
    const endpoint = (inspected.Config.Env as string[]).find((e) => e.startsWith('ALLOY_CENTRAL_OTLP_ENDPOINT='));
    /** Each Ansible variant deploys its own container from its own copy of the assets, on its own port. */
    const ansibleVariant = async (name: string, pipelining: boolean) => {
      const assetsDir = join(host.dir, `${name}-assets`);
      mkdirSync(assetsDir);
      cpSync(join(ROOT, 'assets/alloy_legacy'), assetsDir, { recursive: true });
      const dataDir = join(host.rootDir, `${name}-data`);
      const peer = ansiblePeer(
        {
          sshPort: proxy.port,
          user: host.user,
          identity: host.identity,
          knownHosts,
          assetsDir,
          configDir: join(host.rootDir, `${name}-config`),
          dataDir,
          dockerSocket: host.dockerSocket,
          containerName: name,
          image: inspected.Config.Image,
          httpPort: await freePort(),
          centralEndpoint: endpoint?.split('=')[1] ?? '',
          hostPaths: host.hostPaths,
        },
        join(host.dir, name),
        { pipelining },
      );
      stoppers.push(peer.stop);
      await peer.run(); // its fresh deploy, not measured
      const containerId = () => host.docker(['inspect', '--format', '{{.Id}}', name]).stdout.trim();
      // The stand-in Alloy logs each accepted reload in its data folder: proof that the handler did its part.
      const reloads = () => {
        const file = join(dataDir, 'reloads');
        return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
      };
      const before = { id: containerId(), reloads: reloads() };
      const facts = () =>
        `${name}: container recreated during the measured runs: ${containerId() === before.id ? 'no' : 'yes'}; ` +
        `reloads ${reloads() - before.reloads} in ${RUNS} config-only runs`;
      return { peer, assetsDir, facts };
    };
    const ansible: Record<PeerName, Awaited<ReturnType<typeof ansibleVariant>>> = {
      Ansible: await ansibleVariant('alloy-ansible', false),
      'Ansible+pipelining': await ansibleVariant('alloy-ansible-pipelined', true),
    };

    const floorDir = join(host.rootDir, 'floor');
    await run('ssh', sshArgs(`mkdir -p ${floorDir}`));
    const cfg = join(host.rootDir, 'alloy-legacy-config');
    const noopFloor = `sha256sum ${cfg}/* >/dev/null && ${host.dockerPath} inspect alloy-legacy >/dev/null`;
    const reload = `curl -sf -o /dev/null -X POST http://127.0.0.1:${host.httpPort}/-/reload`;
    const changeFloor = [
      '-c',
      `tar -c -C "$0" . | ssh "$@"`,
      assets,
      ...sshArgs(`tar -x -f - -C ${floorDir} && ${reload}`),
    ];

    const cases = ['no-op', 'config-only'] as const;
    type Case = (typeof cases)[number];
    const noRuns = (): Record<ContenderName, Runs> => ({
      'shell floor': { seconds: [], counts: [] },
      'legacy-deploy': { seconds: [], counts: [] },
      Ansible: { seconds: [], counts: [] },
      'Ansible+pipelining': { seconds: [], counts: [] },
    });
    const results: Record<Case, Record<ContenderName, Runs>> = { 'no-op': noRuns(), 'config-only': noRuns() };
    const deployWindows: Record<Case, Window[]> = { 'no-op': [], 'config-only': [] };
    const ansibleChanged: Record<Case, Record<PeerName, number[]>> = {
      'no-op': { Ansible: [], 'Ansible+pipelining': [] },
      'config-only': { Ansible: [], 'Ansible+pipelining': [] },
    };
    const cliStats: Record<Case, Set<string>> = { 'no-op': new Set(), 'config-only': new Set() };

    /** Runs one contender, recording its time and what sshd saw. */
    const timed = async (c: Case, n: ContenderName, fn: () => Promise<number>) => {
      const before = sshdCounts(host.sshdLog);
      results[c][n].seconds.push(await fn());
      results[c][n].counts.push(countsSince(before, sshdCounts(host.sshdLog)));
    };
    const ours = async (c: Case) => {
      const startMs = Date.now();
      const r = await deploy();
      deployWindows[c].push({ startMs, endMs: Date.now() });
      const out = JSON.parse(r.stdout);
      const changed = out.changed === true || out.changes === true;
      if (changed !== (c === 'config-only')) throw new Error(`legacy-deploy ${c}: changed=${changed}: ${r.stdout}`);
      if (out.stats) cliStats[c].add(JSON.stringify(out.stats));
      return r.seconds;
    };
    const theirs = async (c: Case, p: PeerName) => {
      const r = await ansible[p].peer.run();
      ansibleChanged[c][p].push(r.changed);
      return r.seconds;
    };

    process.stdout.write(`${RUNS} interleaved rounds at ${2 * ONE_WAY_MS} ms RTT; Ansible takes 10–25 s a run …\n`);
    for (let i = 0; i < RUNS; i++) {
      await timed('no-op', 'shell floor', async () => (await run('ssh', sshArgs(noopFloor))).seconds);
      await timed('no-op', 'legacy-deploy', () => ours('no-op'));
      for (const p of peers) await timed('no-op', p, () => theirs('no-op', p));
      for (const dir of [assets, ...peers.map((p) => ansible[p].assetsDir)]) {
        appendFileSync(join(dir, 'logging.alloy'), `// bench edit ${i}\n`);
      }
      await timed('config-only', 'shell floor', async () => (await run('sh', changeFloor)).seconds);
      await timed('config-only', 'legacy-deploy', () => ours('config-only'));
      for (const p of peers) await timed('config-only', p, () => theirs('config-only', p));
    }

    await new Promise((r) => setTimeout(r, 1100)); // the last deploy's events are then inside --until
    for (const c of cases) {
      const validation = validationContainers(host, deployWindows[c]);
      process.stdout.write(`\n${formatCase(`${c} deploy`, { runs: results[c], validation })}`);
      process.stdout.write(`  recap: ${peers.map((p) => `${p} changed=${spread(ansibleChanged[c][p])}`).join(', ')}\n`);
      if (cliStats[c].size > 0)
        process.stdout.write(`  legacy-deploy's own --json stats: ${[...cliStats[c]].join(', ')}\n`);
    }
    process.stdout.write(
      `\n${peers.map((p) => ansible[p].facts()).join('\n')}\n` +
        `proxy connections ${proxy.connections()}; latency part took ${((Date.now() - began) / 1000).toFixed(0)} s\n`,
    );
  } finally {
    for (const stop of stoppers) stop();
    await proxy.close();
    await host.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
