/**
 * The file backend's write on this machine (LocalShell; issue #17 §4): a folder another user may write must not let
 * a planted link turn root's write into an overwrite of any file, and the include keeps the mode and group Unbound
 * reads it by. The same rules over SSH: dns-unbound-ssh.test.ts.
 */

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DnsError } from '../../legacy/dns/errors';
import { READ_SCRIPT, WRITE_SCRIPT } from '../../legacy/dns/unbound-file/remote-shell';
import { LocalShell } from '../../legacy/dns/unbound-file/shell';
import { testNeeding } from '../support/requirements';

/** A group id that is neither root's nor ours, as `unbound` is on a DNS host (no group entry is needed for chown). */
const TEST_GID = 4242;
const isRoot = process.getuid?.() === 0;

let dir: string;
let victim: string;
let include: string;
let umask: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'unbound-write-'));
  victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n');
  include = join(dir, 'alloy.conf');
  umask = process.umask(0o077); // the tightest umask root may run with: the include must not inherit it
});
afterEach(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

const shell = new LocalShell();
const tempsLeft = () => readdirSync(dir).filter((f) => f.includes('legacy-deploy'));

it('a link planted at the old predictable temp name is not followed: the linked file stays as it was', async () => {
  writeFileSync(include, 'old\n');
  symlinkSync(victim, `${include}.legacy-deploy.tmp`);
  await shell.writeFile(include, 'new\n');
  expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  expect(readFileSync(include, 'utf8')).toBe('new\n');
  expect(lstatSync(include).isFile()).toBe(true);
});

it('no temp file is left beside the include after a write', async () => {
  await shell.writeFile(include, 'one\n');
  await shell.writeFile(include, 'two\n');
  expect(readdirSync(dir).sort()).toEqual(['alloy.conf', 'victim']);
});

it('an include path that is itself a symbolic link is refused, naming it, for read and write alike', async () => {
  symlinkSync(victim, include);
  await expect(shell.writeFile(include, 'new\n')).rejects.toThrow(
    new DnsError(`${include} is a symbolic link: refused (the include file must be a regular file, not a link)`),
  );
  await expect(shell.readFile(include)).rejects.toThrow(`${include} is a symbolic link: refused`);
  expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  expect(lstatSync(include).isSymbolicLink()).toBe(true);
  expect(tempsLeft()).toEqual([]);
});

it('a path that is a folder is refused, naming it', async () => {
  await expect(shell.writeFile(dir, 'x')).rejects.toThrow(`${dir} is not a regular file: refused`);
});

(isRoot ? it : it.skip)(
  'a 0640 root:unbound-like include keeps its mode, owner and group under umask 077',
  async () => {
    writeFileSync(include, 'old\n');
    chownSync(include, 0, TEST_GID);
    chmodSync(include, 0o640);
    await shell.writeFile(include, 'new\n');
    const st = statSync(include);
    expect({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid }).toEqual({ mode: 0o640, uid: 0, gid: TEST_GID });
    expect(readFileSync(include, 'utf8')).toBe('new\n');
  },
);

it('a new include is created world-readable (0644) whatever the umask', async () => {
  await shell.writeFile(include, 'new\n');
  expect(statSync(include).mode & 0o777).toBe(0o644);
});

testNeeding({ programs: ['shellcheck'] }, 'the remote read and write scripts are shellcheck clean (POSIX sh)', () => {
  for (const script of [READ_SCRIPT, WRITE_SCRIPT]) {
    const r = spawnSync('shellcheck', ['--shell=sh', '-'], { input: script, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }
});
