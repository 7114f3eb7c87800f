import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarChunks } from '../../legacy/deploy/tar';
import { findProgram } from '../support/system-packages';

// The upload is one `tar -x` on the NAS (GNU tar on DSM; busybox tar on small systems): both must read our archive.
const extractors = [
  ['GNU tar', findProgram('tar'), []],
  ['busybox tar', findProgram('busybox'), ['tar']],
] as const;

describe.each(extractors)('the upload archive extracts with %s', (_name, program, prefix) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  (program ? test : test.skip)('byte for byte, including empty files and sizes off the 512-byte grid', () => {
    const files = {
      'main.alloy': Buffer.from('logging {\n  level = "info"\n}\n'),
      empty: Buffer.alloc(0),
      'exact.bin': randomBytes(1024),
      'odd.bin': randomBytes(70_001),
      '.legacy-deploy-manifest.json': Buffer.from('{"files":{}}\n'),
    };
    const archive = join(dir, 'upload.tar');
    writeFileSync(
      archive,
      Buffer.concat(tarChunks(Object.entries(files).map(([name, content]) => ({ name, content })))),
    );
    const out = join(dir, 'out');
    execFileSync('mkdir', [out]);
    execFileSync(program as string, [...prefix, '-x', '-f', archive, '-C', out]);
    for (const [name, content] of Object.entries(files))
      expect(readFileSync(join(out, name)).equals(content)).toBe(true);
  });
});

test('names longer than ustar allows are refused, not truncated', () => {
  expect(() => tarChunks([{ name: `${'a'.repeat(101)}.alloy`, content: Buffer.alloc(1) }])).toThrow(/too long/);
});
