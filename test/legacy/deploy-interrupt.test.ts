import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CliResult } from '../support/legacy-deploy-cli';
import { alloyConfig, extraConfig, LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';

/*
 * Ctrl-C during a deploy, then the next run at once (issue #17 §1). The lock's liveness follows the script that
 * acts under it, not the SSH session: an interrupted run's NAS side stops at the next step boundary and undoes the
 * change (or finishes it once proven) while the next run waits for it. Whatever the interleaving, the NAS ends on
 * the old config (running, ready, its hash proven) or on the new one, never on a mix.
 */
const describeHost = sshDockerHostAvailable('legacy-deploy interrupt tests') ? describe : describe.skip;

const oldFiles = { 'main.alloy': alloyConfig('info'), 'extra.alloy': extraConfig() };
const newFiles = { 'main.alloy': alloyConfig('debug'), 'extra.alloy': extraConfig() };

/** alloy_config_hash as Alloy computes it: SHA-256 of the *.alloy contents in name order. */
function configHash(files: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) if (name.endsWith('.alloy')) h.update(files[name]);
  return h.digest('hex');
}

interface Scenario {
  readonly name: string;
  /** The version deployed over the baseline's v1.10.1 (with the new files). */
  readonly version: string;
  readonly steps: readonly string[];
}

const scenarios: Scenario[] = [
  {
    name: 'version and config change',
    version: 'v1.11.0',
    steps: ['stage', 'validate', 'set-aside', 'swap-and-recreate', 'wait-ready', 'verify-hash', 'remove-previous'],
  },
  { name: 'config-only change', version: 'v1.10.1', steps: ['stage', 'validate', 'swap-and-reload', 'verify-hash'] },
];

describeHost('legacy-deploy interrupted by Ctrl-C, the next run started at once', () => {
  let f: LegacyDeployFixture;
  const table: string[] = [];
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1', 'v1.11.0']);
  });
  afterAll(async () => {
    if (table.length > 0) {
      process.stdout.write(
        `\n| scenario | Ctrl-C during step | first run | NAS after it | next run |\n|---|---|---|---|---|\n${table.join('\n')}\n`,
      );
    }
    await f?.stop();
  });

  async function baseline(): Promise<void> {
    for (const name of ['alloy-legacy', 'alloy-legacy-previous', 'alloy-legacy-validate'])
      f.host.docker(['rm', '-f', name]);
    for (const d of ['alloy-legacy-config', 'alloy-legacy-config.previous', '.alloy-legacy.lock']) {
      rmSync(f.path(d), { recursive: true, force: true });
    }
    f.useConfig({ version: 'v1.10.1' });
    f.setAssets(oldFiles);
    const r = await f.cli('deploy');
    if (r.code !== 0) throw new Error(`baseline deploy failed: ${r.stderr}`);
  }

  /**
   * `deploy`, sent `signal` once it has printed `done` for `stepsDone` steps (the NAS is then in the next one);
   * `then` runs as soon as the signal is sent (the next run, at once).
   */
  function interruptedDeploy(
    stepsDone: number,
    signal: NodeJS.Signals,
    then?: () => void,
  ): Promise<CliResult & { signalled: boolean }> {
    let child: ChildProcess | undefined;
    let stderr = '';
    let signalled = false;
    const fire = () => {
      if (signalled || !child) return;
      const done = (stderr.match(/^… done: /gm) ?? []).length;
      if ((stepsDone === 0 && /uploading/.test(stderr)) || (stepsDone > 0 && done >= stepsDone)) {
        signalled = true;
        child.kill(signal);
        then?.();
      }
    };
    return f
      .cli('deploy', [], {
        onSpawn: (c) => {
          child = c;
        },
        onStderr: (text) => {
          stderr += text;
          fire();
        },
      })
      .then((r) => ({ ...r, signalled }));
  }

  /** The NAS on one config, whole: the container's image, the files, what Alloy loaded, ready; nothing else left. */
  async function nasOn(newVersion = 'v1.11.0'): Promise<'old' | 'new' | string> {
    const c = f.container();
    const files = f.remoteFiles('alloy-legacy-config');
    const loaded = f.dataFile('loaded-config').trim();
    const ready = await f.ready();
    const names = f.containerNames().join(',');
    const lock = existsSync(f.path('.alloy-legacy.lock'));
    const is = (image: string, want: Record<string, string>) =>
      c?.running === true &&
      c.image === image &&
      JSON.stringify(files) === JSON.stringify(Object.fromEntries(Object.entries(want).sort())) &&
      loaded === configHash(want) &&
      ready === 200 &&
      names === 'alloy-legacy' &&
      !lock;
    if (is('localhost/alloy-stub:v1.10.1', oldFiles)) return 'old';
    if (is(`localhost/alloy-stub:${newVersion}`, newFiles)) return 'new';
    return `a mix: image ${c?.image} running ${c?.running}, files ${Object.keys(files).join(',')}, loaded ${loaded.slice(0, 12)}, ready ${ready}, containers ${names}, lock ${lock}`;
  }

  test('issue #17 §1: Ctrl-C during wait-ready of a version change that never becomes ready, rerun at once', async () => {
    await baseline();
    f.useConfig({ version: 'v1.11.0', readyTimeoutSeconds: 4 });
    f.setAssets({ ...oldFiles, FAIL_READY: 'never ready\n' });
    // Ctrl-C as soon as the new container runs (the NAS then waits for its /-/ready), watched on the NAS itself
    let child: ChildProcess | undefined;
    const firstRun = f.cli('deploy', [], {
      onSpawn: (c) => {
        child = c;
      },
    });
    const end = Date.now() + 30_000;
    while (f.container()?.image !== 'localhost/alloy-stub:v1.11.0' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child?.kill('SIGINT');
    const next = f.cli('deploy');
    const first = await firstRun;
    const second = await next;
    f.setAssets(oldFiles);
    f.useConfig({ version: 'v1.10.1' });
    // the next run waited for the first one's undo, then failed on its own (never ready) and rolled back cleanly:
    // the NAS is on the old config, whole
    expect(await nasOn()).toBe('old');
    expect(second.stderr).not.toMatch(/took over|check the NAS by hand/);
    expect(second.stderr).toMatch(/did not become ready.*rolled back/);
    expect(second.code).toBe(1);
    expect(first.stderr).toContain('Ctrl-C: asking the NAS to stop at its next step boundary');
    expect(first.stderr).toMatch(/undone: the previous container runs again/);
    expect(first.stderr).toContain('interrupted: the NAS stopped before step 5 of 7');
    expect(first.code).toBe(130);
  });

  test('a lock whose SSH session has ended while its actor still acts is waited for, naming it, not taken over', async () => {
    await baseline();
    f.setAssets(newFiles);
    // an interrupted run's NAS side, still undoing: its session is gone, the script acting under the lock lives
    // (a process of this machine stands for it: liveness is read from /proc, pid and start time)
    const actor = spawn('sleep', ['4'], { stdio: 'ignore' });
    const start = readFileSync(`/proc/${actor.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
    const lock = f.path('.alloy-legacy.lock');
    const { uid, gid } = statSync(f.host.rootDir);
    mkdirSync(lock, { mode: 0o700 });
    writeFileSync(join(lock, 'owner'), 'owner=ctrl-c@laptop\npid=4242\ntime=t\nsession=999999999\nsessionStart=1\n');
    writeFileSync(join(lock, 'actor'), `pid=${actor.pid}\nstart=${start}\n`);
    for (const p of [lock, join(lock, 'owner'), join(lock, 'actor')]) chownSync(p, uid, gid);
    const r = await f.cli('deploy');
    actor.kill();
    expect(r.stderr).toMatch(
      new RegExp(
        `held by an interrupted run, ctrl-c@laptop \\(pid 4242\\).*NAS side \\(pid ${actor.pid}\\) still acts; waiting up to \\d+ s`,
      ),
    );
    // taken only once its actor had ended (then nothing acts under it: stale)
    expect(r.stderr).toMatch(/waiting up to[\s\S]*took over a stale lock of ctrl-c@laptop/);
    expect(r.code).toBe(0);
    expect(await nasOn('v1.10.1')).toBe('new');
  });

  const cases = scenarios.flatMap((sc) => sc.steps.map((step, i) => [sc.name, i + 1, step, sc] as const));

  test.each(cases)(
    '%s, Ctrl-C during step %i (%s): the NAS ends old or new, never a mix; the rerun converges',
    async (_name, n, step, sc) => {
      await baseline();
      f.useConfig({ version: sc.version });
      f.setAssets(newFiles);
      const first = await interruptedDeploy(n - 1, 'SIGINT');
      expect(first.signalled).toBe(true);
      const after = await nasOn(sc.version);
      table.push(`| ${sc.name} | ${n} ${step} (SIGINT, waited) | exit ${first.code} | ${after} | `);
      expect([0, 130]).toContain(first.code);
      expect(after).toBe(first.code === 0 ? 'new' : 'old');
      const next = await f.cli('deploy');
      table[table.length - 1] += `exit ${next.code} |`;
      expect(next.code).toBe(0);
      expect(await nasOn(sc.version)).toBe('new');
    },
  );

  test.each(cases)(
    '%s, Ctrl-C twice during step %i (%s), the next run at once: it waits for the NAS, then converges',
    async (_name, n, step, sc) => {
      await baseline();
      f.useConfig({ version: sc.version });
      f.setAssets(newFiles);
      let next: Promise<CliResult> | undefined;
      // SIGKILL: the local side leaves at once without a word, as a second Ctrl-C or a closed terminal does; the
      // NAS side sees its SSH session end
      const first = await interruptedDeploy(n - 1, 'SIGKILL', () => {
        next = f.cli('deploy');
      });
      expect(first.signalled).toBe(true);
      const second = await (next as Promise<CliResult>);
      const waited = /waiting up to/.test(second.stderr) ? ', waited for the NAS' : '';
      table.push(`| ${sc.name} | ${n} ${step} (killed, rerun at once) | killed | - | exit ${second.code}${waited} |`);
      expect(second.stderr).not.toMatch(/check the NAS by hand|another legacy-deploy holds the lock/);
      expect(second.code).toBe(0);
      expect(await nasOn(sc.version)).toBe('new');
    },
  );
});
