/** The real Alloy's build module: what it takes from the release's go.mod, and which release the stacks pin. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlloyBuildError, directivesOf, pinnedAlloyRelease } from '../../tools/alloy/build-alloy';
import { REPO_DIR } from '../support/shared';

describe('directivesOf: the release’s own replace and exclude block, never written by hand', () => {
  const upstream = {
    Replace: [
      { Old: { Path: 'github.com/grafana/alloy/syntax' }, New: { Path: './syntax' } },
      { Old: { Path: 'gopkg.in/yaml.v2' }, New: { Path: 'github.com/rfratto/go-yaml', Version: 'v0.0.0-2021' } },
      {
        Old: { Path: 'github.com/fsnotify/fsnotify', Version: 'v1.8.0' },
        New: { Path: 'github.com/fsnotify/fsnotify', Version: 'v1.7.0' },
      },
    ],
    Exclude: [{ Path: 'k8s.io/client-go', Version: 'v8.0.0+incompatible' }],
  };

  test('every replace and exclude of the release, the local syntax folder as the syntax module', () => {
    expect(directivesOf(upstream, 'v0.1.1')).toEqual([
      '-replace=github.com/grafana/alloy/syntax=github.com/grafana/alloy/syntax@v0.1.1',
      '-replace=gopkg.in/yaml.v2=github.com/rfratto/go-yaml@v0.0.0-2021',
      '-replace=github.com/fsnotify/fsnotify@v1.8.0=github.com/fsnotify/fsnotify@v1.7.0',
      '-exclude=k8s.io/client-go@v8.0.0+incompatible',
    ]);
  });

  test('a local replace of any other module cannot be built from a module zip: refused, naming it', () => {
    const local = { Replace: [{ Old: { Path: 'example.com/x' }, New: { Path: './x' } }] };
    expect(() => directivesOf(local, 'v0.1.1')).toThrow(AlloyBuildError);
    expect(() => directivesOf(local, 'v0.1.1')).toThrow(/example\.com\/x with the local folder \.\/x/);
  });
});

describe('pinnedAlloyRelease: one release for both stacks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'build-alloy-'));
    for (const f of ['dev.yaml', 'prod.yaml'])
      writeFileSync(join(dir, f), readFileSync(join(REPO_DIR, 'config', f), 'utf8'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('the release both stack files pin', () => {
    expect(pinnedAlloyRelease(dir)).toMatch(/^v\d+\.\d+\.\d+$/);
  });

  test('stacks that disagree: an error naming both keys and both releases', () => {
    const prod = join(dir, 'prod.yaml');
    writeFileSync(prod, readFileSync(prod, 'utf8').replace(/(\n {2}version: )v[\d.]+/, '$1v1.99.0'));
    const dev = pinnedAlloyRelease(join(REPO_DIR, 'config'));
    expect(() => pinnedAlloyRelease(dir)).toThrow(
      `the stacks pin different Alloy releases: config/dev.yaml alloyLegacy.version ${dev}, config/prod.yaml alloy.version v1.99.0; make them agree to build one`,
    );
  });
});
