// legacy-deploy benchmark, against the real test host (sshd + podman + stand-in Alloy, test/support/ssh-docker-host).
//  1. `legacy-deploy --help` wall time (the built CLI, as `npx legacy-deploy` runs it); target ≤ 0.25 s.
//  2. No-op redeploy vs the shell floor `ssh HOST 'cat <manifest>; docker inspect alloy-legacy'`; target: one SSH
//     connection, nothing uploaded, ≤ 3 remote commands, ≤ 1.5× the floor.
//  3. Config-only change (one file edited, reloaded) vs the floor `tar -c … | ssh HOST 'tar -x …; curl -X POST
//     …/-/reload'` (one connection, the upload and one reload request; the pipeline timed as a whole, as the issue
//     writes it); target ≤ 1.5×. Also printed: a shell doing the same remote work as the CLI did before it
//     remembered docker's answers (cat the manifest, docker inspect, then upload and reload).
// Medians of RUNS runs; the CLI and its floor alternate so that both see the same machine load.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sshDockerHostAvailable, startSshDockerHost } from '../test/support/ssh-docker-host';
import { measure, report } from './measure';

const ROOT = resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS) || 15;

function timed(command: string, args: string[]): { seconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...benchEnv },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return { seconds, stdout: r.stdout };
}

/** No agent (the key is passed); the settings cache in the test host's folder, warm as a user's would be. */
const benchEnv: NodeJS.ProcessEnv = { SSH_AUTH_SOCK: '' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const line = (name: string, s: number, floor?: number) =>
  process.stdout.write(
    `${name.padEnd(52)} ${s.toFixed(3)} s${floor ? `  ratio ${(s / floor).toFixed(2)}× floor (target ≤ 1.5×)` : ''}\n`,
  );

async function main(): Promise<void> {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const help = measure(['node', 'bin/legacy-deploy.cjs', '--help'], RUNS, ROOT);
  report('legacy-deploy --help (target ≤ 0.25 s)', help);

  if (!sshDockerHostAvailable('legacy-deploy benchmark')) return;
  const host = await startSshDockerHost();
  try {
    host.tagStubImage('v1.10.1');
    benchEnv.XDG_CACHE_HOME = join(host.dir, 'cache');
    const config = host.writeConfig(join(host.dir, 'config'));
    const assets = join(host.dir, 'assets');
    mkdirSync(assets);
    cpSync(join(ROOT, 'assets/alloy_legacy'), assets, { recursive: true });
    const cli = (extra: string[] = []) =>
      timed(process.execPath, [
        'bin/legacy-deploy.cjs',
        'deploy',
        '--json',
        '--config-dir',
        config,
        '--identity',
        host.identity,
        '--known-hosts',
        host.knownHosts,
        '--assets',
        assets,
        ...extra,
      ]);
    const sshArgs = (remote: string) => [
      '-i',
      host.identity,
      '-o',
      `UserKnownHostsFile=${host.knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-p',
      String(host.sshPort),
      `${host.user}@127.0.0.1`,
      remote,
    ];
    const ssh = (remote: string) => timed('ssh', sshArgs(remote));
    /** `tar -c <assets> | ssh HOST '<remote>'`, the pipeline timed as a whole (the issue's floor). */
    const tarToSsh = (remote: string) => timed('sh', ['-c', `tar -c -C "$0" . | ssh "$@"`, assets, ...sshArgs(remote)]);
    cli(); // fresh deploy

    // 2. no-op redeploy
    const manifest = join(host.rootDir, 'alloy-legacy-config/.legacy-deploy-manifest.json');
    const noop: number[] = [];
    const noopFloor: number[] = [];
    let stats = { connections: 0, commands: 0, bytesUploaded: 0 };
    const loginsBefore = host.acceptedLogins();
    for (let i = 0; i < RUNS; i++) {
      const r = cli();
      noop.push(r.seconds);
      stats = JSON.parse(r.stdout).stats;
      noopFloor.push(ssh(`cat ${manifest}; ${host.dockerPath} inspect alloy-legacy >/dev/null`).seconds);
    }
    const logins = (host.acceptedLogins() - loginsBefore - RUNS) / RUNS;
    line('no-op redeploy: shell floor (ssh: cat; docker inspect)', median(noopFloor));
    line('no-op redeploy: legacy-deploy deploy', median(noop), median(noopFloor));
    process.stdout.write(
      `  per run: ${stats.connections} SSH connection(s) (sshd counted ${logins}), ${stats.commands} remote command(s), ` +
        `${stats.bytesUploaded} bytes uploaded (target 1, ≤ 3, 0)\n`,
    );

    // 3. config-only change: each run edits one file, so each run uploads it and reloads
    const edited = join(assets, 'logging.alloy');
    const change: number[] = [];
    const changeFloor: number[] = [];
    // Not a target: the same remote work as the CLI does (look, then upload and reload), in one shell connection.
    const likeForLike: number[] = [];
    const floorDir = join(host.rootDir, 'floor');
    ssh(`mkdir -p ${floorDir}`);
    for (let i = 0; i < RUNS; i++) {
      appendFileSync(edited, `// bench edit ${i}\n`);
      const r = cli();
      if (JSON.parse(r.stdout).changed !== true) throw new Error('the config change was not deployed');
      change.push(r.seconds);
      stats = JSON.parse(r.stdout).stats;
      const reload = `curl -s -o /dev/null -X POST http://127.0.0.1:${host.httpPort}/-/reload`;
      changeFloor.push(tarToSsh(`tar -x -f - -C ${floorDir} && ${reload}`).seconds);
      const look = `cat ${manifest} >/dev/null; ${host.dockerPath} inspect alloy-legacy >/dev/null`;
      likeForLike.push(tarToSsh(`${look}; tar -x -f - -C ${floorDir} && ${reload}`).seconds);
    }
    line('config-only change: floor (tar -c | ssh: tar -x; reload)', median(changeFloor));
    line('config-only change: legacy-deploy deploy', median(change), median(changeFloor));
    process.stdout.write(
      `  (like-for-like shell: cat; docker inspect; tar -x; reload ${median(likeForLike).toFixed(3)} s → ratio ` +
        `${(median(change) / median(likeForLike)).toFixed(2)}×)\n`,
    );
    process.stdout.write(
      `  per run: ${stats.connections} SSH connection(s), ${stats.commands} remote command(s), ${stats.bytesUploaded} bytes uploaded\n`,
    );
    writeFileSync(join(host.dir, 'done'), '');
  } finally {
    await host.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : e}\n`);
  process.exitCode = 1;
});
