/**
 * Values that used to fail late (issue #10, defects 5 and 6): refused when the stack file is loaded, with one line
 * naming the file and key, before anything connects to the NAS.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, loadDevStack } from '../../lib/config/load';
import { REPO_DIR } from '../support/shared';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** dev.yaml with one value set; returns the load's problems, one line each ([] when it loads). */
function devProblems(path: string[], value: unknown): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'dev-values-'));
  dirs.push(dir);
  const doc = parseDocument(readFileSync(join(REPO_DIR, 'config/dev.yaml'), 'utf8'));
  doc.setIn(path, value);
  const file = join(dir, 'dev.yaml');
  writeFileSync(file, doc.toString());
  try {
    loadDevStack(file);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message.split('\n').map((l) => l.replace(dir, '<tmp>'));
  }
}

describe('paths that become part of a docker mount', () => {
  it.each([
    ['hostPaths', 'varLog', '/x:/etc/alloy:rw'],
    ['hostPaths', 'dockerSocket', '/run/docker.sock\n-v /:/host'],
    ['target', 'rootDir', '/volume2/do:cker'],
  ])('refuses %s.%s = %j', (section, key, value) => {
    expect(devProblems(['alloyLegacy', section, key], value)).toEqual([
      expect.stringMatching(
        new RegExp(`^<tmp>/dev\\.yaml:\\d+: alloyLegacy\\.${section}\\.${key}: an absolute path without ':'`),
      ),
    ]);
  });

  it('accepts ordinary absolute paths, spaces and quotes included (they reach the NAS as arguments)', () => {
    expect(devProblems(['alloyLegacy', 'target', 'rootDir'], "/volume2/docker it's")).toEqual([]);
  });
});

describe('image references by their grammar', () => {
  it.each(['--privileged', 'grafana/alloy --privileged', 'Grafana/Alloy', 'grafana/alloy:v1.10.1', '', '/alloy'])(
    'refuses image %j',
    (image) => {
      expect(devProblems(['alloyLegacy', 'image'], image)).toEqual([
        expect.stringMatching(/^<tmp>\/dev\.yaml:\d+: alloyLegacy\.image: an image repository without tag/),
      ]);
    },
  );

  it.each(['grafana/alloy', 'localhost/alloy-stub', '127.0.0.1:5000/alloy-stub', 'registry.example.net/a/b_c__d-e'])(
    'accepts image %j',
    (image) => {
      expect(devProblems(['alloyLegacy', 'image'], image)).toEqual([]);
    },
  );
});

describe('a YAML alias bomb (defect 6)', () => {
  it('is one line naming the file, not a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-values-'));
    dirs.push(dir);
    const file = join(dir, 'dev.yaml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    writeFileSync(file, `${levels.join('\n')}\nalloyLegacy: *i\n`);
    let error: unknown;
    try {
      loadDevStack(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: .*alias`, 'i'));
    expect((error as Error).message.split('\n')).toHaveLength(1);
  });
});

describe('values that failed late or misled (issue #17 §5): refused at load, one line naming the key and the limit', () => {
  const oneLine = (key: string, message: string) => [
    expect.stringMatching(new RegExp(`^<tmp>/dev\\.yaml:\\d+: alloyLegacy\\.${key.replace(/\./g, '\\.')}: ${message}`)),
  ];

  it.each([
    ['@', 'a DNS name in the zone'],
    ['alloy legacy', 'a DNS name in the zone'],
    ['-alloy', 'a DNS name in the zone'],
    ['Alloy_Legacy', 'a DNS name in the zone'],
    [`${'a'.repeat(64)}`, 'a DNS name in the zone'],
    ['tobiash.net', 'tobiash.net is the zone apex'],
  ])('cloudflare.record %j', (value, message) => {
    expect(devProblems(['alloyLegacy', 'cloudflare', 'record'], value)).toEqual(oneLine('cloudflare.record', message));
    expect(devProblems(['alloyLegacy', 'cloudflare', 'oldRecord'], value)).toEqual(
      oneLine('cloudflare.oldRecord', message),
    );
  });

  it('cloudflare records: a name longer than DNS allows, and record and oldRecord the same', () => {
    const long = Array.from({ length: 4 }, () => 'a'.repeat(60)).join('.'); // 243 characters, 255 with the zone
    expect(devProblems(['alloyLegacy', 'cloudflare', 'record'], long)).toEqual(
      oneLine('cloudflare.record', `${long}.tobiash.net is longer than 253 characters`),
    );
    expect(devProblems(['alloyLegacy', 'cloudflare', 'oldRecord'], 'alloy-legacy.tobiash.net')).toEqual(
      oneLine('cloudflare.oldRecord', 'names the same record as record'),
    );
    expect(devProblems(['alloyLegacy', 'cloudflare', 'record'], 'nas.alloy-legacy')).toEqual([]);
  });

  it.each([
    ['line one\nline two', 'one line of text without control characters'],
    ['x'.repeat(100_000), 'at most 255 characters'],
  ])('unbound.description %#', (value, message) => {
    const problems = devProblems(['alloyLegacy', 'unbound'], { backend: 'opnsense', description: value });
    expect(problems).toEqual(oneLine('unbound.description', message));
  });

  it.each([
    ['admin\nx', 'a user name of letters'],
    ['-oProxyCommand=x', 'a user name of letters'],
    ['', 'a user name of letters'],
    ['a'.repeat(65), 'at most 64 characters'],
  ])('target.user %j', (value, message) => {
    expect(devProblems(['alloyLegacy', 'target', 'user'], value)).toEqual(oneLine('target.user', message));
  });

  it('resource.serviceName of 140 KB', () => {
    expect(devProblems(['alloyLegacy', 'resource', 'serviceName'], 'x'.repeat(140_000))).toEqual(
      oneLine('resource.serviceName', 'at most 255 characters'),
    );
  });

  it.each([
    ['99999999999999999999h', 'a duration from 1s to 168h'],
    ['169h', 'a duration from 1s to 168h'],
    ['500ms', 'a duration from 1s to 168h'],
    ['2 h', 'a duration such as 30m or 2h'],
  ])('sendQueue.retryFor %j', (value, message) => {
    expect(devProblems(['alloyLegacy', 'sendQueue', 'retryFor'], value)).toEqual(
      oneLine('sendQueue.retryFor', message),
    );
  });

  it.each([['/volume2/docker/link/..'], ['/volume2/./docker'], ['/volume2//docker'], ['/volume2/docker/']])(
    'target.rootDir %j (one rule for plan, remote shell and engine)',
    (value) => {
      expect(devProblems(['alloyLegacy', 'target', 'rootDir'], value)).toEqual(
        oneLine('target.rootDir', "a path in normal form: no '.', '..' or empty component and no trailing '/'"),
      );
    },
  );

  it('accepts the limits themselves', () => {
    expect(devProblems(['alloyLegacy', 'sendQueue', 'retryFor'], '168h')).toEqual([]);
    expect(devProblems(['alloyLegacy', 'resource', 'serviceName'], 'x'.repeat(255))).toEqual([]);
    expect(devProblems(['alloyLegacy', 'target', 'user'], 'deploy.user-1')).toEqual([]);
    expect(devProblems(['alloyLegacy', 'target', 'rootDir'], '/volume2/docker.d/..x')).toEqual([]);
  });
});
