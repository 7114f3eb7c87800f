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
