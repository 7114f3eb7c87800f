/**
 * `npm run check:renovate`: renovate.json validated against the JSON schema of the Renovate release pinned below,
 * taken from that release's npm package (`npm pack`: the tarball alone, no install, no install scripts). A
 * dev-time check (CI and `npm run check`), so Renovate is no dependency of the project.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

// renovate: datasource=npm packageName=renovate
const renovateVersion = '44.121.2';

const root = join(__dirname, '..');

function renovateSchema(): object {
  const dir = mkdtempSync(join(tmpdir(), 'renovate-schema-'));
  try {
    const tarball = execFileSync(
      'npm',
      ['pack', `renovate@${renovateVersion}`, '--silent', '--pack-destination', dir],
      {
        encoding: 'utf8',
      },
    ).trim();
    execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir, 'package/renovate-schema.json']);
    return JSON.parse(readFileSync(join(dir, 'package/renovate-schema.json'), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The schema documents options with keywords of its own (markdownDescription, ...): not strict about those.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(renovateSchema());
if (!validate(JSON.parse(readFileSync(join(root, 'renovate.json'), 'utf8')))) {
  for (const e of validate.errors ?? []) process.stderr.write(`renovate.json${e.instancePath}: ${e.message}\n`);
  process.exit(1);
}
process.stdout.write(`renovate.json: valid for Renovate ${renovateVersion}\n`);
