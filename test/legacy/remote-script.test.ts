/**
 * legacy/remote/alloy-legacy.sh, the NAS side of legacy-deploy, tested function by function in the shells a NAS may
 * have: dash (Debian's sh) and busybox ash. docker and curl are small fakes on PATH that record their arguments.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutFor } from '../../legacy/deploy/layout';
import { tarArchive } from '../../legacy/deploy/tar';
import { remoteProtocol, remoteScript } from '../../legacy/remote/script';
import { runShell } from '../support/remote-script';
import { needsMet } from '../support/requirements';

const shells: [string, string[]][] = [
  ['dash', ['dash']],
  ['busybox ash', ['busybox', 'ash']],
];

const fakeDocker = `#!/bin/sh
for a in "$@"; do printf '%s\\n' "$a"; done >> "$FAKE_DIR/docker.log"
echo --- >> "$FAKE_DIR/docker.log"
case "$1" in
  wait) cat "$FAKE_DIR/wait-status" 2>/dev/null || echo 0 ;;
  logs) echo "diagnostic: line 1" ;;
  inspect) [ -e "$FAKE_DIR/inspect-fails" ] && exit 1; echo '[]' ;;
esac
[ -e "$FAKE_DIR/fail-$1" ] && exit 3
exit 0
`;

const fakeCurl = `#!/bin/sh
for a in "$@"; do case "$a" in -w) status=1 ;; esac; done
if [ -n "$status" ]; then cat "$FAKE_DIR/http-status" 2>/dev/null || printf 000; else cat "$FAKE_DIR/metrics" 2>/dev/null; fi
`;

describe.each(shells)('alloy-legacy.sh in %s', (name, shell) => {
  const available = needsMet(`alloy-legacy.sh in ${name}`, { programs: [shell[0]] });
  const it = available ? test : test.skip;
  let dir: string;
  let root: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'remote-script-'));
    root = join(dir, 'nas');
    mkdirSync(root);
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'docker'), fakeDocker, { mode: 0o755 });
    writeFileSync(join(bin, 'curl'), fakeCurl, { mode: 0o755 });
    env = { PATH: `${bin}:${process.env.PATH}`, FAKE_DIR: dir };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the dispatcher with these steps (name, args...), as legacy-deploy's exec does. */
  const run = (steps: (string | string[])[], options: { stdin?: Buffer } = {}) =>
    runShell(
      shell,
      remoteScript(),
      [
        join(dir, 'bin/docker'),
        root,
        '9091',
        '',
        ...steps.flatMap((s) => (Array.isArray(s) ? [s[0], String(s.length - 1), ...s.slice(1)] : [s, '0'])),
      ],
      { env, stdin: options.stdin },
    );
  const dockerCalls = () =>
    existsSync(join(dir, 'docker.log'))
      ? readFileSync(join(dir, 'docker.log'), 'utf8')
          .split('---\n')
          .filter((c) => c !== '')
          .map((c) => c.replace(/\n$/, '').split('\n'))
      : [];

  it('derives the same paths from rootDir as layout.ts', async () => {
    const layout = layoutFor(root);
    mkdirSync(layout.configDir);
    mkdirSync(layout.dataDir);
    mkdirSync(layout.previousConfigDir);
    const r = await run([['observe', 'img:1']]);
    expect(r.stdout).toMatch(/@@dirs\nroot\nconfig\ndata\nprevious-config\n@@files/);
    await run([['lock', 'me', '1', 't', '']]);
    expect(existsSync(layout.lockDir)).toBe(true);
  });

  it('gives every value to its step verbatim: quotes, $(...), spaces, newlines never become code', async () => {
    const nasty = `a b'c"d$(touch ${dir}/pwned)\`touch ${dir}/pwned2\`\n--`;
    const r = await run([
      ['remove_container', nasty],
      ['stop_container', '-x'],
    ]);
    expect(r.code).toBe(0);
    expect(dockerCalls()).toEqual([
      ['rm', '-f', ...nasty.split('\n')],
      ['stop', '-x'],
    ]);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  it('frames each step, stops at the first failure with its status, and refuses unknown steps', async () => {
    writeFileSync(join(dir, 'fail-stop'), '');
    const r = await run([
      ['start_container', 'x'],
      ['stop_container', 'x'],
      ['remove_container', 'x'],
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(
      '@@step start_container\n@@done start_container 0\n@@step stop_container\n@@done stop_container 3\n',
    );
    expect(dockerCalls().map((c) => c[0])).toEqual(['start', 'stop']);
    const unknown = await run([['rm_everything', '/']]);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('unknown step: rm_everything');
    const short = await runShell(shell, remoteScript(), ['docker', root, '1', '', 'logs', '2', 'only-one'], { env });
    expect(short.code).toBe(64);
  });

  it('lock: taken once (owner file 0600), refused while its session lives, taken over when stale, forced', async () => {
    const lockDir = layoutFor(root).lockDir;
    const first = await run([['lock', 'alice@a', '11', '2025-01-01T00:00:00Z', '']]);
    expect(first.stdout).toContain('@@locked');
    expect(statSync(join(lockDir, 'owner')).mode & 0o777).toBe(0o600);
    // the holder's session is this test process (the shell's parent), which lives: refused with the owner
    const second = await run([['lock', 'bob@b', '22', 't', '']]);
    expect(second.code).toBe(75);
    expect(second.stdout).toContain('owner=alice@a');
    expect(second.stdout).toContain('alive=yes');
    // a holder whose session has ended: taken over
    writeFileSync(join(lockDir, 'owner'), 'owner=crashed@c\npid=33\ntime=t\nsession=999999999\nsessionStart=1\n');
    const takeover = await run([['lock', 'bob@b', '22', 't', '']]);
    expect(takeover.code).toBe(0);
    expect(takeover.stdout).toMatch(/@@took-over\n[\s\S]*owner=crashed@c[\s\S]*@@locked/);
    expect(readFileSync(join(lockDir, 'owner'), 'utf8')).toContain('owner=bob@b');
    // --force-unlock removes a live one
    const forced = await run([['lock', 'carol@c', '44', 't', 'force']]);
    expect(forced.stdout).toMatch(/@@removed-lock[\s\S]*owner=bob@b[\s\S]*@@locked/);
  });

  it('lock: live while its actor acts though its session has ended; waited for; a record without all keys is stale', async () => {
    const lockDir = layoutFor(root).lockDir;
    mkdirSync(lockDir);
    // an ended session, but the script acting under it still runs (this test process stands for it)
    const start = readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
    writeFileSync(join(lockDir, 'owner'), 'owner=gone@g\npid=5\ntime=t\nsession=999999999\nsessionStart=1\n');
    writeFileSync(join(lockDir, 'actor'), `pid=${process.pid}\nstart=${start}\n`);
    const refused = await run([['lock', 'bob@b', '22', 't', '', '1']]);
    expect(refused.code).toBe(75);
    expect(refused.stdout).toMatch(/sessionAlive=no[\s\S]*actorAlive=yes[\s\S]*alive=yes/);
    expect(readFileSync(join(lockDir, 'owner'), 'utf8')).toContain('owner=gone@g');
    // once the actor is gone, the same lock is stale
    writeFileSync(join(lockDir, 'actor'), 'pid=999999999\nstart=1\n');
    expect((await run([['lock', 'bob@b', '22', 't', '', '0']])).stdout).toContain('@@took-over');
    // a record cut short (a full disk) was never a live run's: taken over, said
    rmSync(lockDir, { recursive: true });
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'owner'), 'owner=half@h\npid=');
    const half = await run([['lock', 'bob@b', '22', 't', '']]);
    expect(half.stdout).toMatch(/@@took-over[\s\S]*incomplete=yes[\s\S]*@@locked/);
    expect(statSync(lockDir).mode & 0o777).toBe(0o700);
  });

  it('interrupted at a step boundary: runs the undo program given for it, then the release; exit 130', async () => {
    const l = layoutFor(root);
    mkdirSync(l.configDir);
    writeFileSync(join(l.configDir, 'main.alloy'), 'new');
    mkdirSync(l.previousConfigDir);
    writeFileSync(join(l.previousConfigDir, 'main.alloy'), 'old');
    const undo = ['on_interrupt', 'undo', 'restore_config', '0'];
    // not interrupted: the program is carried, never run
    const plain = await run([['lock', 'me', '1', 't', ''], undo, 'make_dirs', 'release']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('@@interrupted');
    expect(readFileSync(join(l.configDir, 'main.alloy'), 'utf8')).toBe('new');
    // asked to stop (the interrupt step of the same session): it stops before the next step and undoes
    await run([['lock', 'me', '1', 't', ''], 'interrupt']);
    const stopped = await run([undo, ['remove_container', 'alloy-legacy']]);
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(
      /^@@interrupted remove_container\n@@step restore_config\n@@done restore_config 0\n@@step release\n@@done release 0\n$/,
    );
    expect(readFileSync(join(l.configDir, 'main.alloy'), 'utf8')).toBe('old');
    expect(existsSync(l.lockDir)).toBe(false);
    expect(dockerCalls()).toEqual([]);
    // `finish`: an interrupted run carries on
    await run([['lock', 'me', '1', 't', ''], 'interrupt']);
    const finished = await run([['on_interrupt', 'finish'], ['remove_container', 'alloy-legacy'], 'release']);
    expect(finished.code).toBe(0);
    expect(finished.stdout).not.toContain('@@interrupted');
  });

  it("every marker and exit status of the protocol table is the script's", () => {
    const text = readFileSync(join(__dirname, '../../legacy/remote/alloy-legacy.sh'), 'utf8');
    for (const m of Object.values(remoteProtocol.marker)) expect(text).toContain(m);
    expect(text).toContain(`LOCKED_EXIT=${remoteProtocol.exit.locked}`);
    expect(text).toContain(`INTERRUPTED_EXIT=${remoteProtocol.exit.interrupted}`);
  });

  it('release removes only a lock of this SSH session', async () => {
    const lockDir = layoutFor(root).lockDir;
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'owner'), 'owner=other\nsession=999999999\n');
    await run(['release']);
    expect(existsSync(lockDir)).toBe(true);
    rmSync(lockDir, { recursive: true });
    await run([['lock', 'me', '1', 't', ''], 'release']);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('stage, swap and restore: the config folder becomes exactly the staged files, hidden ones too; restore undoes it', async () => {
    const l = layoutFor(root);
    mkdirSync(l.configDir);
    writeFileSync(join(l.configDir, 'old.alloy'), 'old\n');
    writeFileSync(join(l.configDir, 'keep.alloy'), 'keep v1\n');
    const tar = await tarArchive([
      { name: 'staging/keep.alloy', content: Buffer.from('keep v2\n') },
      { name: 'staging/.hidden.alloy', content: Buffer.from('hidden\n') },
    ]);
    const r = await run([['lock', 'me', '1', 't', ''], 'stage', 'swap_and_start'], { stdin: tar });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/@@saved-previous\n@@swapped\n@@started/);
    const files = (d: string) => execFileSync('ls', ['-A', d], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files(l.configDir)).toEqual(['.hidden.alloy', 'keep.alloy']);
    expect(readFileSync(join(l.configDir, 'keep.alloy'), 'utf8')).toBe('keep v2\n');
    expect(files(l.previousConfigDir)).toEqual(['keep.alloy', 'old.alloy']);
    expect(dockerCalls()).toEqual([['start', 'alloy-legacy']]);
    const restored = await run(['restore_config']);
    expect(restored.code).toBe(0);
    expect(files(l.configDir)).toEqual(['keep.alloy', 'old.alloy']);
    expect(readFileSync(join(l.configDir, 'keep.alloy'), 'utf8')).toBe('keep v1\n');
  });

  it('stage refuses to write without the lock', async () => {
    const r = await run(['stage']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('is not held');
  });

  it("validate: runs the image's alloy validate read-only without network, judges by docker wait, removes it", async () => {
    const l = layoutFor(root);
    writeFileSync(join(dir, 'wait-status'), '1\n');
    const r = await run([['validate', 'grafana/alloy:v1.10.1', '--stability.level=public-preview']]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('diagnostic: line 1');
    expect(r.stdout).toContain('@@status=1');
    const calls = dockerCalls();
    expect(calls[1]).toEqual([
      'run',
      '-d',
      '--name',
      'alloy-legacy-validate',
      '--network',
      'none',
      '-v',
      `${l.stagingDir}:/etc/alloy:ro`,
      'grafana/alloy:v1.10.1',
      'validate',
      '--stability.level=public-preview',
      '/etc/alloy',
    ]);
    expect(calls.map((c) => c[0])).toEqual(['rm', 'run', 'wait', 'logs', 'rm']);
    writeFileSync(join(dir, 'wait-status'), '0\n');
    expect((await run([['validate', 'grafana/alloy:v1.10.1']])).code).toBe(0);
  });

  it('verify_hash: passes on the expected alloy_config_hash with a successful load, fails naming what runs', async () => {
    const hash = 'a'.repeat(64);
    // as upstream Alloy prints it: a cluster_name label sorted before sha256
    writeFileSync(
      join(dir, 'metrics'),
      `# TYPE alloy_config_hash gauge\nalloy_config_hash{cluster_name="",sha256="${hash}"} 1\nalloy_config_last_load_successful 1\n`,
    );
    expect((await run([['verify_hash', hash, '1']])).code).toBe(0);
    const wrong = await run([['verify_hash', 'b'.repeat(64), '1']]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain(`running ${hash}, last load successful 1`);
    writeFileSync(join(dir, 'metrics'), `alloy_config_hash{sha256="${hash}"} 1\nalloy_config_last_load_successful 0\n`);
    expect((await run([['verify_hash', hash, '1']])).code).toBe(1);
  });

  it('swap_and_reload puts the previous files back at once when the reload is rejected', async () => {
    const l = layoutFor(root);
    mkdirSync(l.configDir);
    writeFileSync(join(l.configDir, 'main.alloy'), 'v1\n');
    writeFileSync(join(dir, 'http-status'), '400');
    const tar = await tarArchive([{ name: 'staging/main.alloy', content: Buffer.from('v2\n') }]);
    const r = await run([['lock', 'me', '1', 't', ''], 'stage', 'swap_and_reload'], { stdin: tar });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/@@swapped\n@@status=400\n@@restored-config/);
    expect(readFileSync(join(l.configDir, 'main.alloy'), 'utf8')).toBe('v1\n');
  });

  it('wait_ready gives up after its bound, naming the last answer', async () => {
    writeFileSync(join(dir, 'http-status'), '503');
    const r = await run([['wait_ready', '1']]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not ready: last answer 503');
  });

  it('observe hashes the files where they lie, hidden ones included', async () => {
    const l = layoutFor(root);
    mkdirSync(l.configDir);
    writeFileSync(join(l.configDir, '.x.alloy'), 'x');
    writeFileSync(join(l.configDir, 'main.alloy'), 'm');
    const r = await run([['observe', 'img:1']]);
    const files = r.stdout.split('@@files\n')[1].split('@@lock')[0];
    expect(files).toContain(
      `2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  ${l.configDir}/.x.alloy`,
    );
    expect(files).toContain(`${l.configDir}/main.alloy`);
  });

  void name;
});

describe('remoteCommand and stepOutputs (legacy/remote/script.ts)', () => {
  const { remoteCommand, stepOutputs } =
    require('../../legacy/remote/script') as typeof import('../../legacy/remote/script');

  test('the script is one quoted word; every value follows it as a quoted positional argument', () => {
    const command = remoteCommand({ dockerPath: '/usr/bin/docker', rootDir: "/v/it's", httpPort: 9091 }, [
      { step: 'pull', args: ['grafana/alloy:v1.10.1'] },
      { step: 'wait_ready', args: ['5'] },
    ]);
    expect(command.startsWith("exec sh -c '")).toBe(true);
    expect(
      command.endsWith(
        " alloy-legacy /usr/bin/docker '/v/it'\\''s' 9091 '' pull 1 grafana/alloy:v1.10.1 wait_ready 1 5",
      ),
    ).toBe(true);
  });

  test('stepOutputs splits at the frames; a step cut off has no status', () => {
    expect(stepOutputs('@@step a\nx\n@@done a 0\n@@step b\ny\n@@done b 3\n@@step c\nz')).toEqual([
      { step: 'a', status: 0, output: 'x' },
      { step: 'b', status: 3, output: 'y' },
      { step: 'c', status: null, output: 'z' },
    ]);
  });
});
