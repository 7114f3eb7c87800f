/** legacy-deploy's lint: the pipeline is judged as the container will run it (its image's release and stability level). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRegistry } from '../../alloy-lint/registry/registry';
import type { ContainerSpec } from '../../legacy/deploy/container-spec';
import { lintAssets, upgradeWarnings } from '../../legacy/lint-assets';
import { UserError } from '../../legacy/shared/user-error';
import { HOSTILE } from '../support/hostile-alloy';

const FILE_EXPORTER =
  'otelcol.exporter.file "f" {\n  path = "/tmp/x"\n}\n\notelcol.receiver.otlp "r" {\n  output {\n    traces = [otelcol.exporter.file.f.input]\n  }\n}\n';

function container(image: string, args: string[] = ['run', '/etc/alloy']): ContainerSpec {
  return { name: 'alloy-legacy', image, network: 'host', restart: 'always', binds: [], env: {}, args };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lint-assets-'));
  writeFileSync(join(dir, 'a.alloy'), FILE_EXPORTER);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const files = () => [{ name: 'a.alloy', content: readFileSync(join(dir, 'a.alloy')) }];

describe('lintAssets', () => {
  it('says nothing about env vars when the container sets every one the pipeline reads', () => {
    writeFileSync(join(dir, 'a.alloy'), 'logging {\n  level = sys.env("LOG_LEVEL")\n}\n');
    // a release the data has exactly: no note on which data judged it
    const spec = { ...container('grafana/alloy:v1.11.0'), env: { LOG_LEVEL: 'info' } };
    expect(lintAssets(dir, files(), spec).warnings).toEqual([]);
  });

  it('warns once, naming the variable, when the container does not set one', () => {
    writeFileSync(join(dir, 'a.alloy'), 'logging {\n  level = sys.env("LOG_LEVEL")\n}\n');
    expect(lintAssets(dir, files(), container('grafana/alloy:v1.11.0')).warnings).toEqual([
      `${dir}: sys.env("LOG_LEVEL") is read, but the alloy-legacy container does not set it`,
    ]);
  });

  it('refuses a component the image tag release (dev.yaml version) does not have', () => {
    let error: unknown;
    try {
      lintAssets(dir, files(), container('grafana/alloy:v1.10.1'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/does not pass the Alloy linter \(1 error\); nothing was changed/);
    expect((error as UserError).details).toEqual([
      `${join(dir, 'a.alloy')}:1:1: error: unknown component otelcol.exporter.file in Alloy v1.10.0 (added after v1.11.0, by v1.15.1)`,
    ]);
  });

  it('judges stability by the container args, Alloy default generally-available', () => {
    expect(() => lintAssets(dir, files(), container('grafana/alloy:v1.13.2'))).toThrow(/does not pass/);
    const preview = container('grafana/alloy:v1.13.2', ['run', '/etc/alloy', '--stability.level=public-preview']);
    expect(lintAssets(dir, files(), preview).warnings).toEqual([]);
  });

  it('judges community components by the container args: refused unless they enable them, as alloy validate does', () => {
    writeFileSync(join(dir, 'a.alloy'), 'otelcol.exporter.datadog "d" {\n  api {\n    api_key = "x"\n  }\n}\n');
    expect(() => lintAssets(dir, files(), container('grafana/alloy:v1.11.0'))).toThrow(/does not pass/);
    for (const flag of ['--feature.community-components.enabled', '--feature.community-components.enabled=true']) {
      const enabled = container('grafana/alloy:v1.11.0', ['run', '/etc/alloy', flag]);
      expect(() => lintAssets(dir, files(), enabled)).not.toThrow();
    }
    const disabled = container('grafana/alloy:v1.11.0', [
      'run',
      '/etc/alloy',
      '--feature.community-components.enabled=false',
    ]);
    expect(() => lintAssets(dir, files(), disabled)).toThrow(/does not pass/);
  });
});

describe('a release the linter has no data for (dev.yaml version)', () => {
  it('newer than the data: judged by the newest data, said once among the warnings, naming how to refresh', () => {
    const preview = container('grafana/alloy:v1.99.0', ['run', '/etc/alloy', '--stability.level=public-preview']);
    const { warnings } = lintAssets(dir, files(), preview);
    expect(warnings.filter((w) => w.includes('v1.99.0'))).toEqual([
      expect.stringMatching(
        new RegExp(
          `: Alloy v1\\.99\\.0 is newer than the linter's release data \\(${escapeRegExp(defaultRegistry().range)}\\): judged by ${escapeRegExp(defaultRegistry().newest)}'s data.*npm run registry`,
        ),
      ),
    ]);
  });

  it('a NAS running a release older than the data: plan says the upgrade was not checked, in one line', () => {
    expect(upgradeWarnings(dir, files(), 'grafana/alloy:v1.8.0', container('grafana/alloy:v1.10.1'))).toEqual([
      `upgrade v1.8.0 → v1.10.1: not checked: Alloy v1.8.0 is older than the releases the linter has data for (${defaultRegistry().range}): it cannot judge a pipeline for it`,
    ]);
  });

  it('older than the data: one line naming the key and the known range, nothing changed', () => {
    expect(() => lintAssets(dir, files(), container('grafana/alloy:v1.5.0'))).toThrow(
      `dev.yaml: alloyLegacy.version: Alloy v1.5.0 is older than the releases the linter has data for (${defaultRegistry().range}): it cannot judge a pipeline for it; nothing was changed on the NAS`,
    );
  });
});

describe('upgradeWarnings (legacy-deploy plan when dev.yaml bumps the version)', () => {
  it('names what the new release changes for the pipeline, with both releases', () => {
    const otlp = 'otelcol.receiver.otlp "r" {\n  output {\n    traces = []\n  }\n}\n';
    writeFileSync(join(dir, 'a.alloy'), otlp);
    expect(upgradeWarnings(dir, files(), 'grafana/alloy:v1.10.1', container('grafana/alloy:v1.10.1'))).toEqual([]);
    writeFileSync(join(dir, 'a.alloy'), FILE_EXPORTER);
    const warnings = upgradeWarnings(dir, files(), 'grafana/alloy:v1.18.1', container('grafana/alloy:v1.10.1'));
    expect(warnings).toEqual([
      expect.stringMatching(/^upgrade v1\.18\.1 → v1\.10\.1: .*a\.alloy:1:1: error: .*otelcol\.exporter\.file/),
    ]);
  });
});

describe('hostile pipeline files (issue #17 §3): a refusal naming the file on every line, no crash', () => {
  it.each([
    ['a 4,500-part component name', HOSTILE.dottedName(4_500), /:1:1: error: unknown component a0\.a1\./],
    ['150,000 syntax errors', HOSTILE.badEscapes(150_000), /: error: too many problems: 149900 more left out/],
  ])('%s', (_what, text, expected) => {
    writeFileSync(join(dir, 'a.alloy'), text);
    let error: unknown;
    try {
      lintAssets(dir, files(), container('grafana/alloy:v1.10.1'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const details = (error as UserError).details;
    expect(details.length).toBeLessThanOrEqual(101);
    for (const line of details) expect(line.startsWith(`${join(dir, 'a.alloy')}:`)).toBe(true);
    expect(details.join('\n')).toMatch(expected);
  });
});

/** `text` as a literal inside a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
