/**
 * `legacy-deploy sandbox`, as a user runs it (issue #16 §2): `up` → the rehearsal it prints, each command run as
 * printed → `status` → `down`, which must leave no process, container, user, mount or file outside the folder; and a
 * sandbox whose process died is reported stale and still removed. Every command runs in its own process, so
 * `status` and `down` find the sandbox from what `up` recorded in its folder.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  isRunning,
  mountsUnder,
  type ProcessRecord,
  processesMentioning,
  processesOfUid,
} from '../../legacy/sandbox/processes';
import { type CliResult, runLegacyDeploy } from '../support/legacy-deploy-cli';
import { needsMet } from '../support/requirements';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';
import { unboundPrograms } from '../support/unbound';

const suite = 'legacy-deploy sandbox';
const available = sshDockerHostAvailable(suite) && needsMet(suite, { programs: unboundPrograms });

/** Runs a command line as `up` printed it (`npx legacy-deploy ...`), from the project folder. */
function runPrinted(line: string, json = false): Promise<CliResult> {
  const args = line
    .trim()
    .replace(/^npx legacy-deploy /, '')
    .split(/\s+/);
  return runLegacyDeploy(json ? ['--json', ...args] : args);
}

interface StatusJson {
  ok: boolean;
  state: string;
  user?: string;
  processes: { name: string; pid: number; running: boolean }[];
}

async function status(dir: string): Promise<{ code: number | null; json: StatusJson }> {
  const r = await runLegacyDeploy(['--json', 'sandbox', 'status', dir]);
  return { code: r.code, json: JSON.parse(r.stdout) };
}

/** The traces a sandbox could leave outside its folder, for the user and pids it had. */
function tracesOutside(dir: string, user: string, uid: number, records: ProcessRecord[], containerIds: string[]) {
  const lists = ['/etc/passwd', '/etc/group', '/etc/subuid', '/etc/subgid'].filter(existsSync);
  return {
    dirExists: existsSync(dir),
    mounts: mountsUnder(dir),
    processesRunning: records.filter(isRunning).map((p) => p.name),
    processesMentioningDir: processesMentioning(`${dir}/`),
    processesOfUser: processesOfUid(uid),
    userIn: lists.filter((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .some((l) => l.startsWith(`${user}:`)),
    ),
    runcState: existsSync('/run/runc') ? readdirSync('/run/runc').filter((id) => containerIds.includes(id)) : [],
  };
}

const clean = {
  dirExists: false,
  mounts: [],
  processesRunning: [],
  processesMentioningDir: [],
  processesOfUser: [],
  userIn: [],
  runcState: [],
};

(available ? describe : describe.skip)(suite, () => {
  let parent: string;
  beforeAll(() => {
    parent = mkdtempSync('/tmp/sbt-');
    // the sandbox's SSH user must reach its folder through this one, as `up` checks
    chmodSync(parent, 0o755);
  });
  afterAll(async () => {
    // whatever a failed test left behind
    for (const name of existsSync(parent) ? readdirSync(parent) : []) {
      await runLegacyDeploy(['sandbox', 'down', join(parent, name)]);
    }
    rmSync(parent, { recursive: true, force: true });
  });

  test('up → plan, rename, deploy, dns unbound, verify as printed → status → down leaves nothing outside dir', async () => {
    const dir = join(parent, 'sbx');
    const up = await runLegacyDeploy(['sandbox', 'up', dir]);
    expect(up.stderr).not.toContain('legacy-deploy:');
    expect(up.code).toBe(0);
    // the stand-in image says what it is
    expect(up.stdout).toMatch(/image +localhost\/alloy-stub:v\d+\.\d+\.\d+: STAND-IN, not Grafana Alloy/);
    const rehearsal = up.stdout.split('\n').filter((l) => l.startsWith('  npx legacy-deploy '));
    expect(rehearsal.map((l) => l.trim().split(' ').slice(2, 4).join(' '))).toEqual([
      'plan --config-dir',
      'rename --config-dir',
      'deploy --config-dir',
      'dns unbound',
      'verify --config-dir',
    ]);
    for (const line of rehearsal) expect(line).toContain(`--config-dir ${dir}/config`);
    expect(up.stdout).toContain('verify in the sandbox:');

    const running = await status(dir);
    expect(running.code).toBe(0);
    expect(running.json.state).toBe('running');
    expect(running.json.processes.map((p) => p.name).sort()).toEqual(['podman', 'sshd', 'unbound']);
    const twice = await runLegacyDeploy(['sandbox', 'up', dir]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`sandbox: one already runs in ${dir}`);
    const user = running.json.user as string;
    const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout);
    const hostState = JSON.parse(readFileSync(join(dir, 'host/host.json'), 'utf8'));
    const sandboxState = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8'));
    const records: ProcessRecord[] = [...hostState.processes, sandboxState.unbound.process];

    const [plan, rename, deploy, dns, verify] = rehearsal;
    const planned = await runPrinted(plan);
    // 4: the Cloudflare section is unchecked (no credentials); the rename and the Unbound change are planned
    expect(planned.code).toBe(4);
    expect(planned.stdout).toContain('legacy Alloy (rename)');
    expect(planned.stdout).toContain('Unbound host override in a local-data file');

    const renamed = await runPrinted(rename);
    expect(renamed.stderr).not.toContain('legacy-deploy:');
    expect(renamed.code).toBe(0);
    const deployed = await runPrinted(deploy);
    expect(deployed.stderr).not.toContain('legacy-deploy:');
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain('alloy_config_hash verified');
    const dnsDone = await runPrinted(dns);
    expect(dnsDone.code).toBe(0);

    // verify passes what the sandbox has (its Unbound, the NAS instance) and fails what it has not (a central Alloy)
    const verified = await runPrinted(verify, true);
    expect(verified.code).toBe(1);
    const checks = Object.fromEntries(
      (JSON.parse(verified.stdout).checks as { id: string; ok: boolean }[]).map((c) => [c.id, c.ok]),
    );
    expect(checks).toEqual({
      dns: true,
      'ready-legacy': true,
      'tls-http': false,
      'tls-otlp': false,
      'ready-central': false,
      'config-central': false,
      'exporter-legacy': false,
    });
    // and `up` said so beforehand: each passing check on its `passes:` line, each failing one on its `fails` line
    const said = (word: string) => up.stdout.split('\n').find((l) => l.trim().startsWith(word)) ?? '';
    for (const [id, ok] of Object.entries(checks))
      expect({ id, line: said(ok ? 'passes:' : 'fails') }).toEqual({ id, line: expect.stringContaining(id) });

    const containerIds = spawnSync(
      'docker',
      ['--host', `unix://${join(dir, 'host/podman/docker.sock')}`, 'ps', '-aq', '--no-trunc'],
      { encoding: 'utf8' },
    )
      .stdout.split('\n')
      .filter(Boolean);
    expect(containerIds.length).toBeGreaterThan(0);

    const down = await runLegacyDeploy(['sandbox', 'down', dir]);
    expect(down.code).toBe(0);
    expect(tracesOutside(dir, user, uid, records, containerIds)).toEqual(clean);
    const again = await runLegacyDeploy(['sandbox', 'down', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect((await status(dir)).json.state).toBe('absent');
  }, 240_000);

  test('a sandbox whose sshd died is stale in status (exit 1) and down still removes all of it', async () => {
    const dir = join(parent, 'stale');
    expect((await runLegacyDeploy(['sandbox', 'up', dir])).code).toBe(0);
    const before = await status(dir);
    const sshd = before.json.processes.find((p) => p.name === 'sshd');
    process.kill(sshd?.pid as number, 'SIGKILL');
    const user = before.json.user as string;
    const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout);
    const hostState = JSON.parse(readFileSync(join(dir, 'host/host.json'), 'utf8'));
    for (let i = 0; i < 50 && hostState.processes.some((p: ProcessRecord) => p.name === 'sshd' && isRunning(p)); i++)
      await new Promise((r) => setTimeout(r, 100));

    const stale = await status(dir);
    expect(stale.code).toBe(1);
    expect(stale.json.state).toBe('stale');
    expect(stale.json.processes.find((p) => p.name === 'sshd')?.running).toBe(false);
    // up refuses nothing here but cleans the stale one first; down is what a user runs
    expect((await runLegacyDeploy(['sandbox', 'down', dir])).code).toBe(0);
    expect(tracesOutside(dir, user, uid, hostState.processes, [])).toEqual(clean);
  }, 120_000);

  test('up on a machine without the packages names them in one line (the shared host package list)', async () => {
    const dir = join(parent, 'nopackages');
    const r = await runLegacyDeploy(['sandbox', 'up', dir], {
      env: { ALLOY_DEPLOY_TEST_PATH: join(parent, 'no-bin') },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^legacy-deploy: the sandbox needs Debian packages that are not installed: apt-get install -y [a-z0-9. -]+\n$/,
    );
    for (const pkg of ['openssh-server', 'podman', 'unbound', 'busybox-static']) expect(r.stderr).toContain(` ${pkg}`);
    expect(existsSync(dir)).toBe(false);
  });

  test('up into a folder that holds something else is refused with one line, and touches nothing', async () => {
    const dir = join(parent, 'busy');
    rmSync(dir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', join(dir, 'mine')]);
    const r = await runLegacyDeploy(['sandbox', 'up', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `legacy-deploy: sandbox: ${dir} is not empty and holds no sandbox: choose a new or empty folder`,
    );
    expect(readdirSync(dir)).toEqual(['mine']);
  });
});
