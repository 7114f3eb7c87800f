import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { findWaitingMarker, nextCommandText, waitingShellCommand } from '../../legacy/deploy/waiting-shell';
import { needsMet } from '../support/requirements';

/*
 * The waiting shell is plain POSIX sh run by the NAS's shell: these tests run it in the shells a NAS may have
 * (dash, bash, busybox ash), locally, the way sshd runs an exec: `<shell> -c <command>` with stdin a pipe.
 */
const shells: [string, string[]][] = [
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['busybox ash', ['busybox', 'sh']],
];

interface Exchange {
  /** Stdout up to the waiting marker, and the first command's status from it. */
  first: { stdout: string; code: number } | null;
  /** Stdout after the marker. */
  rest: Buffer;
  code: number | null;
}

/** Runs `first` in a waiting shell; once it waits, writes `next` (or nothing) and closes stdin. */
function converse(shell: string[], first: string, next?: { command: string; stdin?: Buffer }): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell[0], [...shell.slice(1), '-c', waitingShellCommand(first)]);
    let out = Buffer.alloc(0);
    let marker: ReturnType<typeof findWaitingMarker> = null;
    child.stdout.on('data', (chunk: Buffer) => {
      out = Buffer.concat([out, chunk]);
      if (marker) return;
      marker = findWaitingMarker(out.toString('latin1'));
      if (!marker) return;
      if (next) {
        child.stdin.write(nextCommandText(next.command));
        if (next.stdin) child.stdin.write(next.stdin);
      }
      child.stdin.end();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const text = out.toString('latin1');
      resolve({
        first: marker ? { stdout: text.slice(0, marker.end), code: marker.code } : null,
        rest: marker ? out.subarray(marker.resume) : Buffer.alloc(0),
        code,
      });
    });
  });
}

describe.each(shells)('waiting shell in %s', (name, shell) => {
  const test = needsMet(`waiting shell in ${name}`, { programs: [shell[0]] }) ? global.test : global.test.skip;
  test('the first command runs with its own output and status, then the next command runs in the same shell', async () => {
    const r = await converse(shell, 'echo observed; x=kept; (exit 3)', { command: 'echo "next sees $x"; exit 7' });
    expect(r.first).toEqual({ stdout: 'observed\n', code: 3 });
    expect(r.rest.toString()).toBe('next sees kept\n');
    expect(r.code).toBe(7);
  });

  test('the bytes after the go line are the next command’s stdin, exactly (a tar may hold anything)', async () => {
    const payload = Buffer.concat([randomBytes(70_000), Buffer.from('\n@@go\n@@waiting 0\n'), randomBytes(1000)]);
    const r = await converse(shell, 'echo observed', { command: 'wc -c; echo done', stdin: payload });
    expect(r.rest.toString().trim().split(/\s+/)).toEqual([String(payload.length), 'done']);
    expect(r.code).toBe(0);
  });

  test('stdin closed without a next command: the shell exits 0 and runs nothing more', async () => {
    const r = await converse(shell, 'echo observed');
    expect(r.first?.stdout).toBe('observed\n');
    expect(r.rest.length).toBe(0);
    expect(r.code).toBe(0);
  });

  test('the first command cannot read stdin, so it cannot eat the next command', async () => {
    const r = await converse(shell, 'cat; echo observed', { command: 'echo next ran' });
    expect(r.first?.stdout).toBe('observed\n');
    expect(r.rest.toString()).toBe('next ran\n');
  });

  test('a first command that exits ends the shell before it waits', async () => {
    const r = await converse(shell, 'echo bye; exit 4', { command: 'echo never' });
    expect(r.first).toBeNull();
    expect(r.code).toBe(4);
  });
});
