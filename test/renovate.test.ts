/**
 * renovate.json's custom regex managers, applied the way Renovate applies them (a `/.../` managerFilePattern is a
 * regular expression on the repo-relative path; each matchString runs globally over the file; the named groups
 * are the dependency), to the repository itself: no network, no Renovate install.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const config = JSON.parse(readFileSync(join(root, 'renovate.json'), 'utf8'));

interface Dependency {
  file: string;
  datasource?: string;
  packageName?: string;
  currentValue?: string;
}

interface RegexManager {
  managerFilePatterns: string[];
  matchStrings: string[];
}

const managers: RegexManager[] = config.customManagers.filter((m: { customType: string }) => m.customType === 'regex');

function pathPattern(pattern: string): RegExp {
  if (!pattern.startsWith('/') || !pattern.endsWith('/')) throw new Error(`not a /regex/ pattern: ${pattern}`);
  return new RegExp(pattern.slice(1, -1));
}

/** What the managers extract from `files` (repo-relative path → text). */
function extract(files: ReadonlyMap<string, string>): Dependency[] {
  const found: Dependency[] = [];
  for (const manager of managers) {
    const patterns = manager.managerFilePatterns.map(pathPattern);
    for (const [file, text] of files) {
      if (!patterns.some((p) => p.test(file))) continue;
      for (const matchString of manager.matchStrings)
        for (const m of text.matchAll(new RegExp(matchString, 'g'))) found.push({ file, ...m.groups });
    }
  }
  return found;
}

/** `# renovate:` / `// renovate:` comments in `files` that no manager turns into a complete dependency. */
function untrackedComments(files: ReadonlyMap<string, string>): string[] {
  const tracked = extract(files).filter((d) => d.datasource && d.packageName && d.currentValue);
  const problems: string[] = [];
  for (const [file, text] of files) {
    const comments = text.split('\n').filter((line) => /^\s*(#|\/\/) renovate:/.test(line)).length;
    const deps = tracked.filter((d) => d.file === file).length;
    if (deps !== comments) problems.push(`${file}: ${comments} renovate comment(s), ${deps} dependency(ies) found`);
  }
  return problems;
}

const trackedFiles = new Map(
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'config', 'scripts', '.github'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /\.(ya?ml|ts)$/.test(f))
    .map((f) => [f, readFileSync(join(root, f), 'utf8')] as const),
);

describe("renovate.json's custom managers", () => {
  it('turn every renovate comment of the repository into a dependency with source and version', () => {
    expect(untrackedComments(trackedFiles)).toEqual([]);
  });

  it('track the Alloy versions both stacks pin, as the stack files state them', () => {
    const prod = parse(trackedFiles.get('config/prod.yaml') as string);
    const dev = parse(trackedFiles.get('config/dev.yaml') as string);
    const deps = extract(trackedFiles);
    expect(deps).toContainEqual(
      expect.objectContaining({
        file: 'config/prod.yaml',
        packageName: 'grafana/alloy',
        currentValue: prod.alloy.version,
      }),
    );
    expect(deps).toContainEqual(
      expect.objectContaining({
        file: 'config/dev.yaml',
        packageName: 'grafana/alloy',
        currentValue: dev.alloyLegacy.version,
      }),
    );
  });

  it("track the reloader image and the e2e workflow's cert-manager and MetalLB", () => {
    const names = extract(trackedFiles).map((d) => d.packageName);
    expect(names).toEqual(
      expect.arrayContaining([
        'quay.io/prometheus-operator/prometheus-config-reloader',
        'cert-manager/cert-manager',
        'metallb/metallb',
      ]),
    );
  });

  it('track the Renovate release whose schema validates renovate.json', () => {
    expect(extract(trackedFiles)).toContainEqual(
      expect.objectContaining({ file: 'scripts/check-renovate.ts', datasource: 'npm', packageName: 'renovate' }),
    );
  });

  it.each([
    ['a misspelt key', (t: string) => t.replace('packageName=', 'package=')],
    ['a blank line between comment and version', (t: string) => t.replace(/(# renovate:.*\n)/, '$1\n')],
    ['a comment without datasource', (t: string) => t.replace(/datasource=\S+ /, '')],
  ])('notice a broken comment: %s', (_name, breakIt) => {
    const broken = new Map(trackedFiles);
    broken.set('config/prod.yaml', breakIt(trackedFiles.get('config/prod.yaml') as string));
    expect(untrackedComments(broken)).toEqual([expect.stringContaining('config/prod.yaml')]);
  });
});
