import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REQUIRE_TEST_HOST } from './support/requirements';

const root = join(__dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));

/** Package names of the installed tree whose package has an install script, from the lockfile. */
function packagesWithInstallScripts(): string[] {
  const names = Object.entries(lock.packages as Record<string, { hasInstallScript?: boolean }>)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  return [...new Set(names)].sort();
}

describe('install scripts are a decision (package.json allowScripts)', () => {
  it('covers every dependency that has one, so npm ci warns about none', () => {
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(packagesWithInstallScripts());
  });

  it('denies them all: the project needs none (pure-JS SSH crypto, no native watcher, esbuild only via tsx)', () => {
    expect(Object.values(pkg.allowScripts).every((allowed) => allowed === false)).toBe(true);
  });

  // Where the suite runs against the real test host (CI, npm run test:all), the SSH tests below run on the very
  // install the policy gives a user: ssh2 without its optional native crypto binding.
  (process.env.CI || process.env[REQUIRE_TEST_HOST] ? it : it.skip)(
    'the SSH client under test runs without the denied native binding',
    () => {
      expect(require('ssh2/lib/protocol/crypto').bindingAvailable).toBe(false);
    },
  );
});
