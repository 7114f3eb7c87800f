import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadSettings } from '../../legacy/deploy/settings';
import { loadSettingsCached } from '../../legacy/deploy/settings-cache';

const repoConfig = resolve(__dirname, '../../config');

describe('validated settings cache', () => {
  let dir: string;
  let configDir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'settings-cache-'));
    configDir = join(dir, 'config');
    mkdirSync(configDir);
    for (const f of ['dev.yaml', 'prod.yaml']) copyFileSync(join(repoConfig, f), join(configDir, f));
    env = { XDG_CACHE_HOME: join(dir, 'cache') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entries = () => readdirSync(join(dir, 'cache/legacy-deploy'));

  test('gives the same settings as a full load, and reads them from the cache the second time', () => {
    expect(loadSettingsCached(configDir, env)).toEqual(loadSettings(configDir));
    const [entry] = entries();
    const file = join(dir, 'cache/legacy-deploy', entry);
    const cached = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...cached, httpPort: 1 }));
    expect(loadSettingsCached(configDir, env).httpPort).toBe(1);
  });

  test('any change to dev.yaml or prod.yaml is a different entry: a stale one is never read', () => {
    loadSettingsCached(configDir, env);
    const [entry] = entries();
    writeFileSync(join(dir, 'cache/legacy-deploy', entry), '{"httpPort": 1}');
    appendFileSync(join(configDir, 'prod.yaml'), '# edited\n');
    expect(loadSettingsCached(configDir, env)).toEqual(loadSettings(configDir));
    expect(entries()).toHaveLength(2);
  });

  test('an invalid config is reported as usual and not cached', () => {
    const dev = join(configDir, 'dev.yaml');
    writeFileSync(dev, readFileSync(dev, 'utf8').replace(/httpPort: \d+/, 'httpPort: 99999'));
    expect(() => loadSettingsCached(configDir, env)).toThrow(/dev\.yaml:\d+: alloyLegacy\.httpPort/);
    expect(() => entries()).toThrow();
  });

  test('an unwritable cache only costs time', () => {
    writeFileSync(join(dir, 'cache'), 'a file where the cache folder should be');
    expect(loadSettingsCached(configDir, env)).toEqual(loadSettings(configDir));
  });
});
