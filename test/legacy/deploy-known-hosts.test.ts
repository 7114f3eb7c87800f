import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendKnownHost,
  fingerprint,
  keysForHost,
  keyTypeOf,
  knownHostsName,
  preferredHostKeyAlgorithms,
  verifyHostKey,
} from '../../legacy/shared/known-hosts';
import { describeNeeding } from '../support/requirements';

const keyA = 'AAAAC3NzaC1lZDI1NTE5AAAAIOu0Hk3Wc9kQ1bWv9OY2r0yGJ4CjA1b1bZbqfGq0jQ7A';
const keyB = 'AAAAC3NzaC1lZDI1NTE5AAAAIBv6cXk8mYy5i2pX5p0Xo0n7g7m0L4jC0sQ9y3m0b2nB';

describe('known_hosts matching (OpenSSH rules)', () => {
  test('non-standard ports are written [host]:port, port 22 plainly', () => {
    expect(knownHostsName('nas.example.net', 22)).toBe('nas.example.net');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  test('a host matches its own line, comma lists and wildcards, but not a negated pattern', () => {
    const text = [
      '# comment',
      `nas.example.net,10.0.0.5 ssh-ed25519 ${keyA}`,
      `*.example.org,!bad.example.org ssh-ed25519 ${keyB}`,
      `[127.0.0.1]:2222 ssh-ed25519 ${keyB} comment here`,
      '',
    ].join('\n');
    expect(keysForHost(text, '10.0.0.5')).toEqual([{ line: 2, type: 'ssh-ed25519', key: keyA, revoked: false }]);
    expect(keysForHost(text, 'good.example.org')).toHaveLength(1);
    expect(keysForHost(text, 'bad.example.org')).toEqual([]);
    expect(keysForHost(text, '[127.0.0.1]:2222')).toEqual([
      { line: 4, type: 'ssh-ed25519', key: keyB, revoked: false },
    ]);
    expect(keysForHost(text, '127.0.0.1')).toEqual([]);
  });

  test('@revoked lines are kept as revoked, @cert-authority lines ignored', () => {
    const text = `@revoked nas ssh-ed25519 ${keyA}\n@cert-authority nas ssh-ed25519 ${keyB}\n`;
    expect(keysForHost(text, 'nas')).toEqual([{ line: 1, type: 'ssh-ed25519', key: keyA, revoked: true }]);
    expect(verifyHostKey(keysForHost(text, 'nas'), 'ssh-ed25519', keyA).kind).toBe('revoked');
  });

  test('verdicts: same key known, none recorded unknown, another key (any type) changed', () => {
    const known = keysForHost(`nas ssh-ed25519 ${keyA}\n`, 'nas');
    expect(verifyHostKey(known, 'ssh-ed25519', keyA)).toEqual({ kind: 'known' });
    expect(verifyHostKey([], 'ssh-ed25519', keyA)).toEqual({ kind: 'unknown' });
    expect(verifyHostKey(known, 'ssh-ed25519', keyB)).toMatchObject({ kind: 'changed', expected: { line: 1 } });
    expect(verifyHostKey(known, 'ecdsa-sha2-nistp256', keyB).kind).toBe('changed');
  });

  test('the algorithms a host is known by are offered first', () => {
    const known = keysForHost(`nas ssh-rsa ${keyA}\n`, 'nas');
    expect(preferredHostKeyAlgorithms(known).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(preferredHostKeyAlgorithms([])[0]).toBe('ssh-ed25519');
  });

  test('key type is read from the key blob', () => {
    expect(keyTypeOf(Buffer.from(keyA, 'base64'))).toBe('ssh-ed25519');
  });

  describeNeeding({ programs: ['ssh-keygen'] }, 'against OpenSSH itself', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'known-hosts-'));
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test('fingerprints are the ones ssh-keygen -l prints', () => {
      const [, key] = readFileSync(join(dir, 'key.pub'), 'utf8').split(/\s+/);
      const printed = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'key.pub')], { encoding: 'utf8' });
      expect(printed).toContain(fingerprint(key));
    });

    test('an appended line is found by ssh-keygen -F, also after hashing with ssh-keygen -H', () => {
      const [type, key] = readFileSync(join(dir, 'key.pub'), 'utf8').split(/\s+/);
      const file = join(dir, 'known_hosts');
      writeFileSync(file, `other ssh-ed25519 ${keyA}`); // no final newline: the appended line must still be its own
      appendKnownHost(file, '[10.1.2.3]:2222', type, key);
      expect(execFileSync('ssh-keygen', ['-F', '[10.1.2.3]:2222', '-f', file], { encoding: 'utf8' })).toContain(key);
      execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
      const hashed = readFileSync(file, 'utf8');
      expect(hashed).not.toContain('10.1.2.3');
      expect(verifyHostKey(keysForHost(hashed, '[10.1.2.3]:2222'), type, key)).toEqual({ kind: 'known' });
      expect(keysForHost(hashed, '[10.1.2.3]:2223')).toEqual([]);
    });
  });
});
