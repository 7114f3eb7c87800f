/**
 * The file backend with `ssh: true`: the same write → unbound-checkconf → reload → restore steps, done through the
 * deploy area's SSH session (a real sshd on 127.0.0.1, logged in as an unprivileged test user) against a real
 * Unbound whose control port that user may use.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { memoryReport } from '../../legacy/dns/report';
import { type DnsStack, loadDnsStack } from '../../legacy/dns/stack';
import { RemoteShell } from '../../legacy/dns/unbound-file/remote-shell';
import { runFileDns } from '../../legacy/dns/unbound-file/run';
import { RemoteSession } from '../../legacy/shared/ssh-session';
import { type SshDockerHost, sshDockerHostAvailable, startSshDockerHost } from '../support/ssh-docker-host';
import { startUnbound, type TestUnbound, unboundTool } from '../support/unbound';

const repoStack = loadDnsStack(resolve(__dirname, '../../config'));
const { hostname, loadBalancerIP } = repoStack.central;
const oldInclude = `local-data: "${hostname}. 300 IN A 10.9.9.9"\n`;
const suite = 'dns unbound (file backend over SSH)';
const available = sshDockerHostAvailable(suite) && unboundTool('unbound') !== undefined;

(available ? describe : describe.skip)(suite, () => {
  let host: SshDockerHost;
  let unbound: TestUnbound;
  let session: RemoteSession;
  let stack: DnsStack;

  beforeAll(async () => {
    host = await startSshDockerHost();
    session = await RemoteSession.open({
      host: '127.0.0.1',
      port: host.sshPort,
      user: host.user,
      identity: host.identity,
      knownHostsFile: host.knownHosts,
    });
  });
  afterAll(async () => {
    session?.close();
    await host?.stop();
  });
  beforeEach(async () => {
    unbound = await startUnbound({ include: oldInclude });
    // The SSH user edits the include the way a deploy user on the DNS host would: the folder is writable for it.
    chmodSync(unbound.dir, 0o777);
    stack = {
      ...repoStack,
      legacy: {
        ...repoStack.legacy,
        unbound: {
          backend: 'file',
          path: unbound.includeFile,
          config: unbound.config,
          ssh: true,
          // A non-interactive SSH shell may lack sbin in PATH: absolute paths, as dev.yaml allows.
          checkconf: unboundTool('unbound-checkconf') as string,
          control: unboundTool('unbound-control') as string,
        },
      },
    };
  });
  afterEach(async () => unbound.stop());

  it('writes, checks and reloads through SSH; the real resolver answers the LoadBalancer IP; a second run keeps', async () => {
    expect(await unbound.resolve4(hostname)).toEqual(['10.9.9.9']);
    const shell = new RemoteShell(session);
    expect(shell.where).toBe(`${host.user}@[127.0.0.1]:${host.sshPort}`);
    const first = await runFileDns(stack, shell, { dryRun: false, report: memoryReport() });
    expect(first.writes).toBe(1);
    expect(await unbound.resolve4(hostname)).toEqual([loadBalancerIP]);
    const second = await runFileDns(stack, shell, { dryRun: false, report: memoryReport() });
    expect(second.planned.action.kind).toBe('keep');
  });

  it('restores the previous include over SSH when unbound-checkconf fails, without reloading', async () => {
    writeFileSync(unbound.otherFile, 'no-such-option: yes\n');
    await expect(
      runFileDns(stack, new RemoteShell(session), { dryRun: false, report: memoryReport() }),
    ).rejects.toThrow(/unbound-checkconf rejected .* on ldh\w+@\[127\.0\.0\.1\]:\d+ .*restored the previous file/s);
    expect(readFileSync(unbound.includeFile, 'utf8')).toBe(oldInclude);
    expect(await unbound.resolve4(hostname)).toEqual(['10.9.9.9']);
  });

  it('reads an absent file as null and quotes odd paths and arguments', async () => {
    const shell = new RemoteShell(session);
    const odd = `${unbound.dir}/it's a "file".conf`;
    expect(await shell.readFile(odd)).toBeNull();
    await shell.writeFile(odd, 'line one\n$HOME `x`\n');
    expect(readFileSync(odd, 'utf8')).toBe('line one\n$HOME `x`\n');
    expect(await shell.readFile(odd)).toBe('line one\n$HOME `x`\n');
    expect((await shell.run(['printf', '%s|', 'a b', "c'd", '$e'])).stdout).toBe("a b|c'd|$e|");
    await shell.removeFile(odd);
    expect(await shell.readFile(odd)).toBeNull();
  });

  describe('the write keeps Unbound reading the include and follows no link (issue #17 §4)', () => {
    const idOf = (flag: string) => Number(spawnSync('id', [flag, host.user], { encoding: 'utf8' }).stdout.trim());
    const tempsLeft = () => readdirSync(unbound.dir).filter((f) => f.includes('legacy-deploy'));
    let victim: string;
    beforeEach(() => {
      // A file the SSH user could write: a link to it must not make the deploy overwrite it.
      victim = `${unbound.dir}/victim`;
      writeFileSync(victim, 'precious\n');
      chmodSync(victim, 0o666);
    });

    it('a link planted at the old predictable temp name is not followed', async () => {
      symlinkSync(victim, `${unbound.includeFile}.legacy-deploy.tmp`);
      await new RemoteShell(session).writeFile(unbound.includeFile, 'new\n');
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(readFileSync(unbound.includeFile, 'utf8')).toBe('new\n');
      expect(lstatSync(unbound.includeFile).isFile()).toBe(true);
    });

    it('an include path that is a symbolic link is refused, naming it; the plan stops at reading it', async () => {
      const link = `${unbound.dir}/link.conf`;
      symlinkSync(victim, link);
      const shell = new RemoteShell(session);
      await expect(shell.writeFile(link, 'new\n')).rejects.toThrow(
        `cannot write ${link} on ${shell.where}: ${link} is a symbolic link: refused`,
      );
      await expect(shell.readFile(link)).rejects.toThrow(`${link} is a symbolic link: refused`);
      expect(readFileSync(victim, 'utf8')).toBe('precious\n');
      expect(tempsLeft()).toEqual([]);
    });

    it("a 0640 root:<the user's group> include keeps mode and group (the owner becomes the SSH user's)", async () => {
      chownSync(unbound.includeFile, 0, idOf('-g'));
      chmodSync(unbound.includeFile, 0o640);
      await new RemoteShell(session).writeFile(unbound.includeFile, 'new\n');
      const st = statSync(unbound.includeFile);
      expect({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }).toEqual({
        mode: 0o640,
        uid: idOf('-u'),
        gid: idOf('-g'),
      });
      expect(tempsLeft()).toEqual([]);
    });

    it('a 0640 include of a group the SSH user is not in is refused, left as it was', async () => {
      chownSync(unbound.includeFile, 0, 4242);
      chmodSync(unbound.includeFile, 0o640);
      await expect(new RemoteShell(session).writeFile(unbound.includeFile, 'new\n')).rejects.toThrow(
        `cannot give the new ${unbound.includeFile} its group (gid 4242) as ${host.user}, and others may not read it`,
      );
      expect(readFileSync(unbound.includeFile, 'utf8')).toBe(oldInclude);
      expect(statSync(unbound.includeFile).gid).toBe(4242);
      expect(tempsLeft()).toEqual([]);
    });
  });
});
