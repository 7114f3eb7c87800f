/**
 * One answer to "which files does a pipeline folder hold" (lib/alloy/lint-folder.ts pipelineFilesOf), shared by
 * alloy-lint, synth and legacy-deploy (issue #10, defects 1, 2 and 6).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alloyFilesOf, formatDiagnostic, lintDirectory, pipelineFilesOf } from '../../alloy-lint';
import { centralPipeline } from '../../lib/central-pipeline';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-files-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const problemOf = (dir: string) => {
  const { problem } = pipelineFilesOf(dir);
  return problem && formatDiagnostic(problem);
};

describe('pipelineFilesOf', () => {
  it('holds every *.alloy file, hidden ones too (Alloy loads them), and the other plain files; not .gitkeep', () => {
    const dir = folder({
      'main.alloy': 'logging { }\n',
      '.export_central.alloy': 'otelcol.exporter.otlp "c" { client { endpoint = "x:4317" } }\n',
      'ca.pem': 'cert\n',
      '.gitkeep': '',
      '.main.alloy.swp': 'junk',
    });
    expect(pipelineFilesOf(dir).files.map((f) => f.name)).toEqual(['.export_central.alloy', 'ca.pem', 'main.alloy']);
    expect(alloyFilesOf(dir).files).toEqual([join(dir, '.export_central.alloy'), join(dir, 'main.alloy')]);
    // synth's ConfigMap takes the same .alloy files
    expect(Object.keys(centralPipeline({ assetsDir: dir }).files)).toEqual(['.export_central.alloy', 'main.alloy']);
  });

  it('a hidden .alloy file is linted as part of the folder (defect 2: lint and deploy see the same files)', () => {
    const dir = folder({
      'main.alloy':
        'prometheus.exporter.self "s" { }\nprometheus.scrape "s" {\n  targets    = prometheus.exporter.self.s.targets\n  forward_to = [prometheus.remote_write.central.receiver]\n}\n',
      '.export_central.alloy':
        'prometheus.remote_write "central" {\n  endpoint {\n    url = "https://x.invalid/push"\n  }\n}\n',
    });
    expect(lintDirectory(dir).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('refuses a symbolic link, even to a regular file, naming it (defect 1)', () => {
    const dir = folder({ 'main.alloy': 'logging { }\n' });
    const secret = join(folder({ id_ed25519: 'PRIVATE KEY\n' }), 'id_ed25519');
    symlinkSync(secret, join(dir, 'notes.txt'));
    expect(problemOf(dir)).toBe(
      `${join(dir, 'notes.txt')}: error: is a symbolic link: refused (copy the file into the folder instead)`,
    );
    expect(() => centralPipeline({ assetsDir: dir })).toThrow(`${join(dir, 'notes.txt')}: error: is a symbolic link`);
    expect(lintDirectory(dir).diagnostics.map(formatDiagnostic)).toEqual([problemOf(dir)]);
  });

  it('refuses a linked .alloy file, so synth cannot put an outside file into dist/ (defect 1)', () => {
    const dir = folder({ 'main.alloy': 'logging { }\n' });
    const outside = folder({ 'x.alloy': 'prometheus.exporter.self "s" { }\n' });
    symlinkSync(join(outside, 'x.alloy'), join(dir, 'x.alloy'));
    expect(() => centralPipeline({ assetsDir: dir })).toThrow(/x\.alloy: error: is a symbolic link/);
  });

  it('refuses a dangling link and a sub-folder with one line each, never an exception (defect 6)', () => {
    const dangling = folder({ 'main.alloy': 'logging { }\n' });
    symlinkSync(join(dangling, 'gone'), join(dangling, 'b.alloy'));
    expect(problemOf(dangling)).toMatch(/b\.alloy: error: is a symbolic link/);
    const sub = folder({ 'main.alloy': 'logging { }\n' });
    mkdirSync(join(sub, 'more'));
    expect(problemOf(sub)).toBe(
      `${join(sub, 'more')}: error: is a folder: a pipeline folder holds only files (Alloy loads no sub-folder)`,
    );
  });

  it('refuses a non-UTF-8 file name, printing its bytes (defect 6)', () => {
    const dir = folder({ 'main.alloy': 'logging { }\n' });
    writeFileSync(Buffer.from(`${dir}/caf\xe9.alloy`, 'latin1'), 'logging { }\n');
    expect(problemOf(dir)).toBe(`${join(dir, 'caf\\xe9.alloy')}: error: file name is not valid UTF-8: rename it`);
    expect(() => lintDirectory(dir)).not.toThrow();
  });

  it('refuses a FIFO (it would hang a reader) as not a regular file', () => {
    const dir = folder({ 'main.alloy': 'logging { }\n' });
    require('node:child_process').execFileSync('mkfifo', [join(dir, 'pipe.alloy')]);
    expect(problemOf(dir)).toBe(`${join(dir, 'pipe.alloy')}: error: is not a regular file: refused`);
  });
});
