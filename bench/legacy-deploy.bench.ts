// legacy-deploy benchmark: what a user on a real link feels (issue #10). The real test host (sshd + podman +
// stand-in Alloy, test/support/ssh-docker-host) sits behind bench/delay-proxy.ts: 25 ms each way, 50 ms round trip.
// The NAS-side HTTP calls (curl 127.0.0.1, Ansible's uri) stay local to the NAS, as on a real one.
//  1. `legacy-deploy --help` wall time (the built CLI, as `npx legacy-deploy` runs it); target ≤ 0.25 s.
//  2. In one run, interleaved, medians of RUNS (≥ 7): a no-op deploy and a config-only deploy (one file edited, so
//     uploaded and reloaded), each by
//       - the shell floor through the same link: `ssh HOST 'sha256sum cfg/*; docker inspect alloy-legacy'` and
//         `tar -c cfg | ssh HOST 'tar -x …; curl -X POST …/-/reload'`;
//       - legacy-deploy, as a black box (`node bin/legacy-deploy.cjs deploy` with the test host's config);
//       - Ansible (bench/ansible/playbook.yml: copy + community.docker.docker_container + a readiness uri loop).
//     Targets: one SSH connection per run; remote execs ≤ 2 plus the validation container; ≥ 10× faster than
//     Ansible; ≤ 1.2× the shell floor leaving out the validation container's own run time.
// Connections and execs are counted from sshd's own log (LogLevel VERBOSE); a validation container is any container
// created and removed during a deploy, its run time the span between those two engine events.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { type SshDockerHost, sshDockerHostAvailable, startSshDockerHost } from '../test/support/ssh-docker-host';
import { ansiblePeer } from './ansible-peer';
import { startDelayProxy } from './delay-proxy';
import { measure, report } from './measure';
import { countsSince, type SshdCounts, sshdCounts } from './sshd-log';
import { median, timedRunOk } from './timed-run';

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

interface Window {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * For each window, the run times (create to remove, from the engine's events) of the containers created and removed
 * inside it: a deploy's validation container. One query after the last run: `docker events` with an `--until` in
 * the future would wait for it.
 */
function transientContainers(host: SshDockerHost, windows: readonly Window[]): number[][] {
  if (windows.length === 0) return [];
  const seconds = (ms: number) => String(Math.floor(ms / 1000));
  const since = seconds(Math.min(...windows.map((w) => w.startMs)));
  const until = seconds(Math.max(...windows.map((w) => w.endMs)) + 1000);
  const r = host.docker([
    'events',
    '--since',
    since,
    '--until',
    until,
    '--filter',
    'type=container',
    '--format',
    '{{json .}}',
  ]);
  if (r.code !== 0) throw new Error(`docker events: ${r.stderr}`);
  const events = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; Action?: string; status?: string; timeNano: number })
    .map((e) => ({ id: e.id, action: e.Action ?? e.status, ms: e.timeNano / 1e6 }));
  return windows.map((w) => {
    const inside = events.filter((e) => e.ms >= w.startMs && e.ms <= w.endMs);
    const created = new Map(inside.filter((e) => e.action === 'create').map((e) => [e.id, e.ms]));
    return inside
      .filter((e) => e.action === 'remove' && created.has(e.id))
      .map((e) => (e.ms - (created.get(e.id) as number)) / 1000);
  });
}

interface Contender {
  readonly seconds: number[];
  readonly counts: SshdCounts[];
}
const contender = (): Contender => ({ seconds: [], counts: [] });

/** "1" when every run agrees, else "min–max". */
function spread(xs: readonly number[]): string {
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  return lo === hi ? String(lo) : `${lo}–${hi}`;
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
  const peer = { stop: () => {} };
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
    const ansibleAssets = join(host.dir, 'ansible-assets');
    for (const d of [assets, ansibleAssets]) {
      mkdirSync(d);
      cpSync(join(ROOT, 'assets/alloy_legacy'), d, { recursive: true });
    }
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
    const ansible = ansiblePeer(
      {
        sshPort: proxy.port,
        user: host.user,
        identity: host.identity,
        knownHosts,
        assetsDir: ansibleAssets,
        configDir: join(host.rootDir, 'ansible-config'),
        dataDir: join(host.rootDir, 'ansible-data'),
        dockerSocket: host.dockerSocket,
        containerName: 'alloy-ansible',
        image: inspected.Config.Image,
        httpPort: await freePort(),
        centralEndpoint: endpoint?.split('=')[1] ?? '',
        hostPaths: host.hostPaths,
      },
      join(host.dir, 'ansible'),
    );
    peer.stop = ansible.stop;
    await ansible.run(); // Ansible's fresh deploy, not measured
    const ansibleContainer = () => host.docker(['inspect', '--format', '{{.Id}}', 'alloy-ansible']).stdout.trim();
    const ansibleContainerBefore = ansibleContainer();

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
    const names = ['shell floor', 'legacy-deploy', 'Ansible'] as const;
    const results = Object.fromEntries(
      cases.map((c) => [c, Object.fromEntries(names.map((n) => [n, contender()]))]),
    ) as Record<(typeof cases)[number], Record<(typeof names)[number], Contender>>;
    const deployWindows: Record<(typeof cases)[number], Window[]> = { 'no-op': [], 'config-only': [] };
    const ansibleChanged: Record<(typeof cases)[number], number[]> = { 'no-op': [], 'config-only': [] };
    const cliStats: Record<(typeof cases)[number], string[]> = { 'no-op': [], 'config-only': [] };

    /** Runs one contender, recording its time and what sshd saw. */
    const timed = async (c: (typeof cases)[number], n: (typeof names)[number], fn: () => Promise<number>) => {
      const before = sshdCounts(host.sshdLog);
      results[c][n].seconds.push(await fn());
      results[c][n].counts.push(countsSince(before, sshdCounts(host.sshdLog)));
    };
    const ours = async (c: (typeof cases)[number]) => {
      const startMs = Date.now();
      const r = await deploy();
      deployWindows[c].push({ startMs, endMs: Date.now() });
      const out = JSON.parse(r.stdout);
      const changed = out.changed === true || out.changes === true;
      if (changed !== (c === 'config-only')) throw new Error(`legacy-deploy ${c}: changed=${changed}: ${r.stdout}`);
      if (out.stats) cliStats[c].push(JSON.stringify(out.stats));
      return r.seconds;
    };
    const theirs = async (c: (typeof cases)[number]) => {
      const r = await ansible.run();
      ansibleChanged[c].push(r.changed);
      return r.seconds;
    };

    process.stdout.write(`${RUNS} interleaved rounds at ${2 * ONE_WAY_MS} ms RTT; Ansible takes ~20 s a run …\n`);
    for (let i = 0; i < RUNS; i++) {
      await timed('no-op', 'shell floor', async () => (await run('ssh', sshArgs(noopFloor))).seconds);
      await timed('no-op', 'legacy-deploy', () => ours('no-op'));
      await timed('no-op', 'Ansible', () => theirs('no-op'));
      appendFileSync(join(assets, 'logging.alloy'), `// bench edit ${i}\n`);
      appendFileSync(join(ansibleAssets, 'logging.alloy'), `// bench edit ${i}\n`);
      await timed('config-only', 'shell floor', async () => (await run('sh', changeFloor)).seconds);
      await timed('config-only', 'legacy-deploy', () => ours('config-only'));
      await timed('config-only', 'Ansible', () => theirs('config-only'));
    }

    const recreated = ansibleContainer() !== ansibleContainerBefore;
    await new Promise((r) => setTimeout(r, 1100)); // the last run's events are then inside --until
    const validation = Object.fromEntries(cases.map((c) => [c, transientContainers(host, deployWindows[c])]));
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    for (const c of cases) {
      const r = results[c];
      const [floor, oursS, ansibleS] = names.map((n) => median(r[n].seconds));
      const validationRuns = validation[c].map((spans) => spans.reduce((a, b) => a + b, 0));
      const validationS = median(validationRuns);
      const containersSeen = validation[c].map((spans) => spans.length);
      process.stdout.write(`\n${c} deploy (medians of ${RUNS}; per run: SSH connections / remote execs / sessions)\n`);
      for (const n of names) {
        const counts = r[n].counts;
        const conn = spread(counts.map((k) => k.connections));
        const execs = spread(counts.map((k) => k.execs));
        const sessions = spread(counts.map((k) => k.sessions));
        process.stdout.write(
          `  ${n.padEnd(14)} ${median(r[n].seconds).toFixed(3).padStart(7)} s   ${conn} / ${execs} / ${sessions}\n`,
        );
      }
      const oursCounts = r['legacy-deploy'].counts;
      const maxExecs = Math.max(...oursCounts.map((k) => k.execs));
      const maxContainers = Math.max(...containersSeen);
      process.stdout.write(
        `  validation container: ${maxContainers === 0 ? 'none seen' : `${spread(containersSeen)} per run, ${validationS.toFixed(3)} s (median)`}\n` +
          `  legacy-deploy / shell floor  ${(oursS / floor).toFixed(2)}×; without the validation container ` +
          `${((oursS - validationS) / floor).toFixed(2)}× (target ≤ 1.2×: ${verdict((oursS - validationS) / floor <= 1.2)})\n` +
          `  Ansible / legacy-deploy      ${(ansibleS / oursS).toFixed(1)}× (target ≥ 10×: ${verdict(ansibleS / oursS >= 10)})\n` +
          `  legacy-deploy SSH connections per run ${spread(oursCounts.map((k) => k.connections))} (target 1: ` +
          `${verdict(oursCounts.every((k) => k.connections === 1))}); remote execs ${spread(oursCounts.map((k) => k.execs))} ` +
          `(target ≤ 2 plus 1 for a validation container: ${verdict(maxExecs <= 2 + Math.min(1, maxContainers))})\n` +
          `  Ansible recap changed= ${spread(ansibleChanged[c])}` +
          (cliStats[c].length > 0
            ? `; legacy-deploy's own --json stats: ${[...new Set(cliStats[c])].join(', ')}\n`
            : '\n'),
      );
    }
    process.stdout.write(
      `\nAnsible recreated its container during the measured runs: ${recreated ? 'yes' : 'no'}; ` +
        `proxy connections ${proxy.connections()}; whole latency part ${((Date.now() - began) / 1000).toFixed(0)} s\n`,
    );
  } finally {
    peer.stop();
    await proxy.close();
    await host.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
