/**
 * What the legacy-deploy CLI offers, as a user meets it (issue #16 §4): --version, --dry-run only where it means
 * something and the README saying exactly that, and one rule for every path: relative to the working directory.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../legacy/cli';
import { runLegacyDeploy } from '../support/legacy-deploy-cli';
import { REPO_DIR } from '../support/shared';

/** Every leaf command of the program by its full name (`dns unbound`), with its long option flags. */
function leafCommands(command: Command, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const sub of command.commands) {
    const name = `${prefix}${sub.name()}`;
    if (sub.commands.length > 0) for (const [n, o] of leafCommands(sub, `${name} `)) out.set(n, o);
    else
      out.set(
        name,
        sub.options.map((o) => o.long ?? ''),
      );
  }
  return out;
}

const readme = readFileSync(join(REPO_DIR, 'README.md'), 'utf8');

test('--version prints the version of package.json and exits 0', async () => {
  const { version } = JSON.parse(readFileSync(join(REPO_DIR, 'package.json'), 'utf8'));
  const r = await runLegacyDeploy(['--version']);
  expect({ code: r.code, stdout: r.stdout.trim() }).toEqual({ code: 0, stdout: version });
});

test('--dry-run exists only on the commands that change something', () => {
  const commands = leafCommands(buildProgram());
  const withDryRun = [...commands].filter(([, options]) => options.includes('--dry-run')).map(([n]) => n);
  expect(withDryRun.sort()).toEqual(['deploy', 'dns cloudflare', 'dns unbound', 'rename']);
});

test.each(['plan', 'status'])('%s refuses --dry-run instead of ignoring it', async (command) => {
  const r = await runLegacyDeploy([command, '--dry-run']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("unknown option '--dry-run'");
});

test('the README names exactly the commands that take --dry-run', () => {
  const sentence = /`--dry-run` \(on ([^)]*)\)/.exec(readme.replace(/\n/g, ' '));
  expect(sentence).not.toBeNull();
  const named = [...(sentence?.[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();
  const commands = leafCommands(buildProgram());
  expect(named).toEqual(
    [...commands]
      .filter(([, o]) => o.includes('--dry-run'))
      .map(([n]) => n)
      .sort(),
  );
  expect(readme).not.toMatch(/every command takes `--dry-run`/);
});

test('--help states the path rule', async () => {
  const r = await runLegacyDeploy(['--help']);
  expect(r.stdout.replace(/\s+/g, ' ')).toContain('is relative to the working directory');
});

describe('one path rule: every path from the working directory', () => {
  let dir: string;
  beforeAll(() => {
    // a config folder with nothing beside it: no assets/alloy next to it
    dir = mkdtempSync(join(tmpdir(), 'ld-paths-'));
    cpSync(join(REPO_DIR, 'config'), join(dir, 'config'), { recursive: true });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('verify --config-dir elsewhere judges the central pipeline of the working directory (assets/alloy)', async () => {
    // Every check goes to 127.0.0.1 port 9 (discard; nothing answers): only the path resolution is under test.
    const r = await runLegacyDeploy([
      '--config-dir',
      join(dir, 'config'),
      '--json',
      'verify',
      '--resolver',
      '127.0.0.1:9',
      '--connect',
      '127.0.0.1',
      '--https-port',
      '9',
      '--otlp-port',
      '9',
      '--legacy-url',
      'http://127.0.0.1:9',
      '--timeout',
      '1',
    ]);
    expect(r.stderr).not.toContain('--central-assets');
    const report = JSON.parse(r.stdout);
    expect(report.checks.map((c: { id: string }) => c.id)).toContain('config-central');
  });
});
