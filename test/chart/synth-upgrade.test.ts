/** synth warns about a bumped Alloy version: what changes for the pipeline from the release the previous dist/ runs. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from '../../lib/synth';
import { REPO_DIR } from '../support/shared';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'synth-upgrade-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'assets/profiles.alloy'),
    'pyroscope.receive_http "in" {\n\tforward_to = []\n\n\thttp {\n\t\tlisten_port = 4040\n\t}\n}\n',
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function synthAt(version: string) {
  const prod = readFileSync(join(REPO_DIR, 'config/prod.yaml'), 'utf8')
    .replace('version: v1.10.1', `version: ${version}`)
    .replace('stabilityLevel: generally-available', 'stabilityLevel: public-preview');
  writeFileSync(join(dir, 'prod.yaml'), prod);
  return synthesize({ configFile: join(dir, 'prod.yaml'), assetsDir: join(dir, 'assets'), outDir: join(dir, 'dist') });
}

test('a bumped version warns about the stability changes of the components used; an unchanged one does not', () => {
  expect(synthAt('v1.9.2').warnings.filter((w) => w.includes(': upgrade '))).toEqual([]);
  expect(synthAt('v1.10.1').warnings.filter((w) => w.includes(': upgrade '))).toEqual([
    `${join(dir, 'assets/profiles.alloy')}:1:1: warning: upgrade v1.9.2 → v1.10.1: pyroscope.receive_http changes stability from public-preview to generally-available`,
  ]);
  expect(synthAt('v1.10.1').warnings.filter((w) => w.includes(': upgrade '))).toEqual([]);
});
