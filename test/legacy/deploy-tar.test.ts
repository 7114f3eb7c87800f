import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tarArchive } from '../../legacy/deploy/tar';
import { findProgram, needsMet } from '../support/requirements';

// The upload is one `tar -x` on the NAS (GNU tar on DSM; busybox tar on small systems): both must read our archive.
const extractors = [
  ['GNU tar', 'tar', []],
  ['busybox tar', 'busybox', ['tar']],
] as const;

describe.each(extractors)('the upload archive extracts with %s', (name, program, prefix) => {
  const available = needsMet(`the upload archive extracts with ${name}`, { programs: [program] });
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  (available ? test : test.skip)('byte for byte, including empty files and sizes off the 512-byte grid', async () => {
    const files = {
      'main.alloy': Buffer.from('logging {\n  level = "info"\n}\n'),
      empty: Buffer.alloc(0),
      'exact.bin': randomBytes(1024),
      'odd.bin': randomBytes(70_001),
      '.legacy-deploy-manifest.json': Buffer.from('{"files":{}}\n'),
    };
    const archive = join(dir, 'upload.tar');
    writeFileSync(archive, await tarArchive(Object.entries(files).map(([name, content]) => ({ name, content }))));
    const out = join(dir, 'out');
    execFileSync('mkdir', [out]);
    execFileSync(findProgram(program) as string, [...prefix, '-x', '-f', archive, '-C', out]);
    for (const [name, content] of Object.entries(files))
      expect(readFileSync(join(out, name)).equals(content)).toBe(true);
  });
});

test('a name longer than the 100 bytes of a ustar header is kept whole, not truncated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-'));
  try {
    const name = `${'a'.repeat(120)}.alloy`;
    writeFileSync(join(dir, 'upload.tar'), await tarArchive([{ name, content: Buffer.from('x') }]));
    execFileSync('tar', ['-x', '-f', join(dir, 'upload.tar'), '-C', dir]);
    expect(readFileSync(join(dir, name), 'utf8')).toBe('x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
