/** The upgrade check: what moving a pipeline to another Alloy release breaks or changes (--upgrade-to, synth). */
import { basename } from 'node:path';
import { formatDiagnostic, upgradeDirectory } from '../../alloy-lint';
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, run } from '../../alloy-lint/cli/cli';
import { removeTempConfigs, tempConfig } from './temp-config';

afterEach(removeTempConfigs);

const upgrade = (files: Record<string, string>, from: string, to: string) =>
  upgradeDirectory(tempConfig(files), { from, to }).map((d) => formatDiagnostic({ ...d, file: basename(d.file) }));

const OPENCENSUS = `otelcol.receiver.opencensus "oc" {
  output {
    traces = []
  }
}
`;

const SECRETFILTER = `loki.secretfilter "s" {
  forward_to   = []
  partial_mask = 4
}
`;

describe('upgradeDirectory', () => {
  it('a component the target release removed is an error saying when it went', () => {
    expect(upgrade({ 'a.alloy': OPENCENSUS }, 'v1.10.1', 'v1.16.3')).toEqual([
      'a.alloy:1:1: error: upgrade v1.10.1 → v1.16.3: unknown component otelcol.receiver.opencensus in Alloy v1.16.3 (removed in v1.13.2)',
    ]);
  });

  it('an attribute the target release no longer has is an error; within the releases that have it, nothing', () => {
    expect(upgrade({ 'a.alloy': SECRETFILTER }, 'v1.10.1', 'v1.14.2')).toEqual([
      'a.alloy:3:3: error: upgrade v1.10.1 → v1.14.2: loki.secretfilter has no attribute "partial_mask" in Alloy v1.14.2',
    ]);
    expect(upgrade({ 'a.alloy': SECRETFILTER }, 'v1.10.1', 'v1.13.2')).toEqual([]);
  });

  it('a stability change of a component used is a warning', () => {
    const config = 'otelcol.receiver.prometheus "p" {\n  output {\n    metrics = []\n  }\n}\n';
    expect(upgrade({ 'a.alloy': config }, 'v1.9.2', 'v1.13.2')).toEqual([
      'a.alloy:1:1: warning: upgrade v1.9.2 → v1.13.2: otelcol.receiver.prometheus changes stability from public-preview to generally-available',
    ]);
  });

  it('the same release: nothing to report', () => {
    expect(upgrade({ 'a.alloy': OPENCENSUS }, 'v1.10.1', 'v1.10.1')).toEqual([]);
  });
});

describe('alloy-lint --upgrade-to', () => {
  function cli(...args: string[]) {
    let out = '';
    let err = '';
    const code = run(args, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  it('lists what the target breaks and exits 1; a clean upgrade exits 0', () => {
    const dir = tempConfig({ 'a.alloy': OPENCENSUS });
    const r = cli('--alloy-version', 'v1.10.1', '--upgrade-to', 'v1.16.3', dir);
    expect(r.code).toBe(EXIT_ERRORS);
    expect(r.out).toContain('error: upgrade v1.10.1 → v1.16.3: unknown component otelcol.receiver.opencensus');
    expect(cli('--alloy-version', 'v1.10.1', '--upgrade-to', 'v1.12.2', dir).code).toBe(EXIT_OK);
  });

  it('needs --alloy-version, the release it runs on today', () => {
    const r = cli('--upgrade-to', 'v1.16.3', tempConfig({ 'a.alloy': OPENCENSUS }));
    expect([r.code, r.err]).toEqual([
      EXIT_USAGE,
      'alloy-lint: --upgrade-to needs --alloy-version, the release the pipeline runs on today\n',
    ]);
  });
});
