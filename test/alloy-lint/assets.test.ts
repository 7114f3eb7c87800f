/** CI gate: both configuration folders the project ships lint without errors and are formatted like `alloy fmt`. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostic, formatSource, lintDirectory } from '../../alloy-lint';
import { alloyFilesOf } from '../../alloy-lint/index';

const ASSETS = resolve(__dirname, '../../assets');

describe.each(['alloy', 'alloy_legacy'])('assets/%s', (folder) => {
  const dir = resolve(ASSETS, folder);

  it('lints without errors', () => {
    const errors = lintDirectory(dir).diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map(formatDiagnostic)).toEqual([]);
  });

  it('is formatted as alloy fmt would format it', () => {
    const { files, problem } = alloyFilesOf(dir);
    expect(problem).toBeUndefined();
    const unformatted = files.filter((f) => formatSource(readFileSync(f), f) !== readFileSync(f, 'utf8'));
    expect(unformatted).toEqual([]);
  });
});
