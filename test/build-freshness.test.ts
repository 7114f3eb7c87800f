import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const { staleSource } = require('../bin/built.cjs') as { staleSource: (root: string) => string | undefined };

describe('the bins refuse a stale build/', () => {
  let root: string;
  const write = (path: string, secondsAgo: number) => {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, '');
    const when = new Date(Date.now() - secondsAgo * 1000);
    utimesSync(full, when, when);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'built-'));
    writeFileSync(join(root, 'tsconfig.build.json'), JSON.stringify({ include: ['main.ts', 'lib/**/*.ts'] }));
    write('main.ts', 100);
    write('lib/a.ts', 100);
    write('lib/deep/b.ts', 100);
    write('lib/types.d.ts', 1);
    write('build/main.js', 50);
    write('build/lib/a.js', 50);
    write('build/lib/deep/b.js', 50);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts build/ when every compiled file is newer than its source (declaration files compile to nothing)', () => {
    expect(staleSource(root)).toBeUndefined();
  });

  it('names a source edited after the build', () => {
    write('lib/deep/b.ts', 1);
    expect(staleSource(root)).toBe('lib/deep/b.ts');
  });

  it('names a source added since the build', () => {
    write('lib/new.ts', 100);
    expect(staleSource(root)).toBe('lib/new.ts');
  });
});
