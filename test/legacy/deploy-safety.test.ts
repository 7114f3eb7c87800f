import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { releaseCall, remoteContext } from '../../legacy/deploy/lock';
import { loadSettings } from '../../legacy/deploy/settings';
import { remoteCommand } from '../../legacy/remote/script';
import { RemoteSession } from '../../legacy/shared/ssh-session';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { alloyConfig, LegacyDeployFixture } from '../support/legacy-deploy-fixture';
import { sshDockerHostAvailable } from '../support/ssh-docker-host';

/*
 * What keeps a deploy safe: host key checking, the remote lock, and an upload cut off half-way. Real sshd + podman
 * test host; the tests run in order on one host.
 */
const describeHost = sshDockerHostAvailable('legacy-deploy safety tests') ? describe : describe.skip;

describeHost('legacy-deploy safety on a real SSH + Docker-API host', () => {
  let f: LegacyDeployFixture;
  beforeAll(async () => {
    f = await LegacyDeployFixture.start(['v1.10.1']);
    f.setAssets({ 'main.alloy': alloyConfig('info') });
    const r = await f.cli('deploy');
    if (r.code !== 0) throw new Error(`baseline deploy failed: ${r.stderr}`);
  });
  afterAll(async () => {
    await f?.stop();
  });

  /** Opens a session of the test's own (not the CLI's) that takes the remote lock as someone else. */
  async function holdLock(owner: string): Promise<RemoteSession> {
    const settings = loadSettings(f.configDir);
    const session = await RemoteSession.open({
      ...settings.target,
      identity: f.host.identity,
      knownHostsFile: f.host.knownHosts,
    });
    const lock = { step: 'lock' as const, args: [owner, '4242', new Date().toISOString(), ''] };
    const r = await session.run(remoteCommand(remoteContext(settings), [lock]));
    if (r.code !== 0) {
      session.close();
      throw new Error(`the test could not take the lock: ${r.stdout}${r.stderr}`);
    }
    return session;
  }

  describe('host keys', () => {
    test('an unknown host key is refused, with its fingerprint and what to do; no login happens', async () => {
      const knownHosts = join(f.host.dir, 'empty_known_hosts');
      writeFileSync(knownHosts, '');
      const logins = f.host.acceptedLogins();
      const r = await f.cli('plan', [], { knownHosts });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`host key of [127.0.0.1]:${f.host.sshPort} is not in ${knownHosts}`);
      expect(r.stderr).toMatch(/ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}/);
      expect(r.stderr).toContain('--accept-new-host-key');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(f.host.acceptedLogins()).toBe(logins);
      expect(readFileSync(knownHosts, 'utf8')).toBe('');
    });

    test('--accept-new-host-key records an unknown key (as ssh would) and connects', async () => {
      const knownHosts = join(f.host.dir, 'new_known_hosts');
      const r = await f.cli('plan', ['--accept-new-host-key'], { knownHosts });
      expect(r.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
      expect(readFileSync(knownHosts, 'utf8')).toBe(`${f.host.knownHostsLine}\n`);
      const again = await f.cli('plan', [], { knownHosts });
      expect(again.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    });

    test('a changed host key is refused, even with --accept-new-host-key, and known_hosts is left alone', async () => {
      const knownHosts = join(f.host.dir, 'changed_known_hosts');
      const otherKey = join(f.host.dir, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
      const [type, key] = readFileSync(`${otherKey}.pub`, 'utf8').split(/\s+/);
      const content = `[127.0.0.1]:${f.host.sshPort} ${type} ${key}\n`;
      writeFileSync(knownHosts, content);
      for (const extra of [[], ['--accept-new-host-key']]) {
        const r = await f.cli('deploy', extra, { knownHosts });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`host key of [127.0.0.1]:${f.host.sshPort} has CHANGED`);
        expect(r.stderr).toContain(`${knownHosts}:1`);
        expect(r.stderr).toContain("ssh-keygen -R '[127.0.0.1]:");
      }
      expect(readFileSync(knownHosts, 'utf8')).toBe(content);
    });

    test('hashed known_hosts entries (ssh-keygen -H) are understood', async () => {
      const knownHosts = join(f.host.dir, 'hashed_known_hosts');
      writeFileSync(knownHosts, `${f.host.knownHostsLine}\n`);
      execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHosts], { stdio: 'ignore' });
      expect(readFileSync(knownHosts, 'utf8')).toMatch(/^\|1\|/);
      const r = await f.cli('plan', [], { knownHosts });
      expect(r.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
    });
  });

  describe('the login key', () => {
    test('comes from ssh-agent when no --identity is given', async () => {
      const socket = join(f.host.dir, 'agent.sock');
      const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      try {
        for (let i = 0; i < 50 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
        execFileSync('ssh-add', ['-q', f.host.identity], {
          env: { ...process.env, SSH_AUTH_SOCK: socket },
          stdio: 'ignore',
        });
        const r = await f.cli('plan', [], { identity: false, env: { SSH_AUTH_SOCK: socket } });
        expect(r.stderr).not.toContain('legacy-deploy:');
        expect(r.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
      } finally {
        agent.kill();
      }
    });

    test('without agent or --identity the run stops before connecting, saying how to give a key', async () => {
      const logins = f.host.acceptedLogins();
      const r = await f.cli('plan', [], { identity: false });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no SSH key: start ssh-agent (SSH_AUTH_SOCK) or pass --identity <file>');
      expect(f.host.acceptedLogins()).toBe(logins);
    });

    test('a key the NAS does not accept is a clear error (plan: the NAS section not checked, exit 4)', async () => {
      const otherKey = join(f.host.dir, 'other_client_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
      const run = (command: string) =>
        runLegacyDeploy(
          [
            command,
            '--config-dir',
            f.configDir,
            '--identity',
            otherKey,
            '--known-hosts',
            f.host.knownHosts,
            '--assets',
            f.assetsDir,
          ],
          { env: { XDG_CACHE_HOME: join(f.host.dir, 'cache') } },
        );
      const refused = `SSH login as ${f.host.user}@[127.0.0.1]:${f.host.sshPort} was refused`;
      const plan = await run('plan');
      // rejected credentials leave a plan section unchecked (exit 4), as the exit-code table says
      expect(plan.code).toBe(4);
      expect(plan.stdout).toContain(`! not checked: ${refused}`);
      const r = await run('status');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(refused);
    });
  });

  describe('the remote lock', () => {
    test('a deploy while another holds the lock is refused, naming the holder; nothing changes', async () => {
      const holder = await holdLock('tester@elsewhere');
      try {
        f.setAssets({ 'main.alloy': alloyConfig('debug') });
        const before = f.container();
        const r = await f.cli('deploy');
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('another legacy-deploy holds the lock');
        expect(r.stderr).toContain('tester@elsewhere (pid 4242)');
        expect(r.stderr).toContain('--force-unlock');
        expect(f.remoteFiles('alloy-legacy-config')['main.alloy']).toBe(alloyConfig('info'));
        expect(f.container()).toEqual(before);
        // plan is read-only and still works, mentioning the lock
        const plan = await f.cli('plan');
        expect(plan.code).toBe(4); // 4: its DNS sections are unchecked (no DNS credentials in these tests)
        expect(plan.stdout).toMatch(
          /lock held: tester@elsewhere \(pid 4242\), taken \d+ s ago \(\d{4}-\d\d-\d\dT[\d:.]+Z\)/,
        );
        // status takes no lock either, and says a deploy holds it
        const status = await f.cli('status', ['--json']);
        expect(status.code).toBe(0);
        expect(JSON.parse(status.stdout).lock).toMatchObject({
          holder: expect.stringContaining('tester@elsewhere (pid 4242)'),
          stale: false,
        });
        expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(true);
        await holder.run(remoteCommand(remoteContext(loadSettings(f.configDir)), [releaseCall]));
      } finally {
        holder.close();
      }
    });

    test('a lock whose SSH session has ended is reported as stale with owner and age, and taken over', async () => {
      const holder = await holdLock('crashed@laptop');
      holder.close();
      // the NAS notices the closed connection when its sshd process for it exits
      const plan = await waitFor(async () => {
        const p = await f.cli('plan');
        return p.stdout.includes('lock stale') ? p : null;
      });
      expect(plan.stdout).toMatch(/lock stale: .*crashed@laptop \(pid 4242\), taken \d+ s ago/);
      const r = await f.cli('deploy');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/took over a stale lock of crashed@laptop \(pid 4242\), taken \d+ s ago/);
      expect(f.remoteFiles('alloy-legacy-config')['main.alloy']).toBe(alloyConfig('debug'));
      expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
    });

    test('--force-unlock removes a live lock and deploys', async () => {
      const holder = await holdLock('tester@elsewhere');
      try {
        f.setAssets({ 'main.alloy': alloyConfig('warn') });
        const r = await f.cli('deploy', ['--force-unlock']);
        expect(r.code).toBe(0);
        expect(r.stderr).toContain('--force-unlock: removed the lock of tester@elsewhere');
        expect(f.remoteFiles('alloy-legacy-config')['main.alloy']).toBe(alloyConfig('warn'));
        expect(existsSync(f.path('.alloy-legacy.lock'))).toBe(false);
      } finally {
        holder.close();
      }
    });
  });

  test('SSH connection killed mid-upload: the running instance is untouched and the next run succeeds', async () => {
    const before = f.container();
    const reloads = f.dataFile('reloads');
    const blob = randomBytes(48 * 1024 * 1024);
    f.setAssets({ 'main.alloy': alloyConfig('error'), 'blob.bin': blob });
    const staged = join(f.path('.alloy-legacy.lock/staging'), 'blob.bin');
    let killed = 0;
    const watcher = setInterval(() => {
      if (killed === 0 && existsSync(staged) && statSync(staged).size > 0 && statSync(staged).size < blob.length) {
        killed = f.host.killConnections();
      }
    }, 2);
    const r = await f.cli('deploy');
    clearInterval(watcher);
    expect(killed).toBeGreaterThan(0);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lost the connection .* at step 1 of \d \(stage .*\); alloy-legacy was not touched/);
    expect(f.container()).toEqual(before);
    const files = f.remoteFiles('alloy-legacy-config');
    expect(files['main.alloy']).toBe(alloyConfig('warn'));
    expect(files['blob.bin']).toBeUndefined();
    expect(f.dataFile('reloads')).toBe(reloads);
    expect(await f.ready()).toBe(200);

    f.setAssets({ 'main.alloy': alloyConfig('error') });
    const next = await waitFor(async () => {
      const n = await f.cli('deploy');
      return n.code === 0 || !n.stderr.includes('holds the lock') ? n : null;
    });
    expect(next.stderr).toContain('took over a stale lock');
    expect(next.code).toBe(0);
    expect(f.remoteFiles('alloy-legacy-config')['main.alloy']).toBe(alloyConfig('error'));
    // the staging folder lives in the lock folder: both gone
    expect(readdirSync(f.host.rootDir)).not.toContain('.alloy-legacy.lock');
    expect(f.container()?.id).toBe(before?.id);
  });
});

/** Retries `attempt` (up to ~10 s) until it returns a value: the NAS side of a dropped connection ends shortly after. */
async function waitFor<T>(attempt: () => Promise<T | null>): Promise<T> {
  for (let i = 0; i < 20; i++) {
    const v = await attempt();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no result after 20 attempts (${hostname()})`);
}
