import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaseResult, formatCase, judge, type Runs } from '../../bench/latency-report';
import { countsSince, sshdCounts } from '../../bench/sshd-log';
import { transientSpans } from '../../bench/validation-containers';

const runs = (seconds: number[], connections = 1, execs = 1): Runs => ({
  seconds,
  counts: seconds.map(() => ({ connections, execs, sessions: execs })),
});

function result(overrides: Partial<CaseResult['runs']> = {}, validation: number[][] = [[], [], []]): CaseResult {
  return {
    runs: {
      'shell floor': runs([1.0, 1.1, 0.9]),
      'legacy-deploy': runs([0.8, 0.9, 1.0]),
      Ansible: runs([20, 25, 30], 1, 51),
      'Ansible+pipelining': runs([8, 9, 10], 1, 24),
      ...overrides,
    },
    validation,
  };
}

describe('latency bench verdicts (issue #10 targets)', () => {
  it('compares medians: ours / floor and Ansible / ours', () => {
    const j = judge(result());
    expect(j.medians).toEqual({ 'shell floor': 1.0, 'legacy-deploy': 0.9, Ansible: 25, 'Ansible+pipelining': 9 });
    expect(j.oursOverFloor).toBeCloseTo(0.9);
    expect(j.peerOverOurs.Ansible).toBeCloseTo(25 / 0.9);
    expect(j.peerOverOurs['Ansible+pipelining']).toBeCloseTo(10);
    expect(j.floorTargetMet && j.peerTargetMet).toBe(true);
  });

  it('leaves the validation container out of the floor ratio, not out of the Ansible one', () => {
    const slow = result({ 'legacy-deploy': runs([1.5, 1.6, 1.7], 1, 2) }, [[0.4], [0.5], [0.6]]);
    const j = judge(slow);
    expect(j.validationSeconds).toBeCloseTo(0.5);
    expect(j.oursOverFloor).toBeCloseTo(1.6);
    expect(j.oursWithoutValidationOverFloor).toBeCloseTo(1.1);
    expect(j.floorTargetMet).toBe(true);
    expect(j.peerOverOurs.Ansible).toBeCloseTo(25 / 1.6);
    expect(judge(result({ 'legacy-deploy': runs([1.5, 1.6, 1.7]) })).floorTargetMet).toBe(false);
  });

  it('misses the Ansible target when either Ansible is less than 10× slower', () => {
    expect(judge(result({ 'Ansible+pipelining': runs([8, 8.9, 9]) })).peerTargetMet).toBe(false);
    expect(judge(result({ Ansible: runs([8, 8.9, 9]) })).peerTargetMet).toBe(false);
  });

  it('allows 2 execs, and a third only in a run that ran a validation container', () => {
    expect(judge(result({ 'legacy-deploy': runs([0.8, 0.9, 1.0], 1, 2) })).execsWithinTarget).toBe(true);
    expect(judge(result({ 'legacy-deploy': runs([0.8, 0.9, 1.0], 1, 3) })).execsWithinTarget).toBe(false);
    const validated = result({ 'legacy-deploy': runs([0.8, 0.9, 1.0], 1, 3) }, [[0.1], [0.1], [0.1]]);
    expect(judge(validated).execsWithinTarget).toBe(true);
    const oneRunWithout = result({ 'legacy-deploy': runs([0.8, 0.9, 1.0], 1, 3) }, [[0.1], [], [0.1]]);
    expect(judge(oneRunWithout).execsWithinTarget).toBe(false);
  });

  it('requires exactly one SSH connection in every run', () => {
    expect(judge(result()).oneConnection).toBe(true);
    expect(judge(result({ 'legacy-deploy': runs([0.8, 0.9, 1.0], 2) })).oneConnection).toBe(false);
  });

  it('prints every contender with its sshd counts and each verdict', () => {
    const text = formatCase('no-op deploy', result({ 'legacy-deploy': runs([0.8, 0.9, 1.0], 2) }));
    expect(text).toMatch(/Ansible +25\.000 s \(20\.00–30\.00\) +1 \/ 51 \/ 51/);
    expect(text).toContain('validation container: none seen');
    expect(text).toMatch(/2 SSH connection\(s\) \(target 1: NOT met\)/);
  });
});

describe('validation containers from the engine events', () => {
  // podman 4.3's Docker-API event lines, as `docker events --format '{{json .}}'` prints them (fields trimmed)
  const event = (id: string, action: string, ms: number) =>
    JSON.stringify({ status: action, id, Type: 'container', Action: action, timeNano: ms * 1e6 });
  const lines = [
    event('aaa', 'create', 1000),
    event('aaa', 'start', 1100),
    event('aaa', 'died', 1400),
    event('aaa', 'remove', 1500),
    event('bbb', 'create', 1200), // created during the deploy, kept (a recreated alloy-legacy)
    event('ccc', 'remove', 1300), // created before the window (the old container set aside and removed)
    event('ddd', 'create', 5000),
    event('ddd', 'remove', 5250),
  ].join('\n');

  it('counts the containers created and removed inside each window, with create-to-remove time', () => {
    const spans = transientSpans(`${lines}\n`, [
      { startMs: 900, endMs: 2000 },
      { startMs: 3000, endMs: 4000 },
      { startMs: 4900, endMs: 6000 },
    ]);
    expect(spans).toEqual([[0.5], [], [0.25]]);
  });
});

describe("sshd's VERBOSE log", () => {
  it('counts logins as connections and "Starting session: command" as execs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshd-log-'));
    const log = join(dir, 'sshd.log');
    try {
      // OpenSSH 9.2's lines (user and key shortened); the subsystem line is how an sftp session shows
      writeFileSync(
        log,
        [
          'Accepted key ED25519 SHA256:QBV found at /tmp/x/authorized_keys:1',
          'Accepted publickey for ldh9e from 127.0.0.1 port 50794 ssh2: ED25519 SHA256:QBV',
          'Starting session: command for ldh9e from 127.0.0.1 port 50794 id 0',
          'Close session: user ldh9e from 127.0.0.1 port 50794 id 0',
          "Starting session: subsystem 'sftp' for ldh9e from 127.0.0.1 port 50794 id 1",
          '',
        ].join('\n'),
      );
      const before = sshdCounts(log);
      expect(before).toEqual({ connections: 1, execs: 1, sessions: 2 });
      appendFileSync(log, 'Starting session: command for ldh9e from 127.0.0.1 port 50794 id 2\n');
      expect(countsSince(before, sshdCounts(log))).toEqual({ connections: 0, execs: 1, sessions: 1 });
      expect(sshdCounts(join(dir, 'missing.log'))).toEqual({ connections: 0, execs: 0, sessions: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
