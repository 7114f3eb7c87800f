import { judgeCertificate } from '../../legacy/verify/certificate';
import { judgeExporterMetrics, parsePrometheusText } from '../../legacy/verify/prometheus';
import { formatChecks } from '../../legacy/verify/run';

describe('Prometheus text parsing', () => {
  it('reads names, quoted labels with escapes and commas, special values; skips comments; reports bad lines', () => {
    const text = [
      '# HELP otelcol_exporter_sent_spans_total Number of spans sent.',
      '# TYPE otelcol_exporter_sent_spans_total counter',
      'otelcol_exporter_sent_spans_total{component_id="otelcol.exporter.otlp.central",note="a \\"b\\", c}"} 12 1700000000000',
      'up 1',
      'weird_value NaN',
      'histogram_bucket{le="+Inf"} +Inf',
      'garbage{unterminated="x 1',
      '',
    ].join('\n');
    const { samples, badLines } = parsePrometheusText(text);
    expect(samples[0]).toEqual({
      name: 'otelcol_exporter_sent_spans_total',
      labels: { component_id: 'otelcol.exporter.otlp.central', note: 'a "b", c}' },
      value: 12,
    });
    expect(samples.map((s) => s.name)).toEqual([
      'otelcol_exporter_sent_spans_total',
      'up',
      'weird_value',
      'histogram_bucket',
    ]);
    expect(samples[3].value).toBe(Number.POSITIVE_INFINITY);
    expect(badLines).toEqual([7]);
  });
});

describe('exporter verdict: data flows when something was sent and nothing failed', () => {
  const exporter = (sent: number, failed: number, signal = 'metric_points') =>
    [
      `otelcol_exporter_sent_${signal}_total{component_id="otelcol.exporter.otlp.central"} ${sent}`,
      `otelcol_exporter_send_failed_${signal}_total{component_id="otelcol.exporter.otlp.central"} ${failed}`,
    ].join('\n');

  it('passes with sent > 0 and no failures, summing across signals', () => {
    const verdict = judgeExporterMetrics(`${exporter(120, 0)}\n${exporter(3, 0, 'log_records')}`);
    expect(verdict).toEqual({
      ok: true,
      detail: 'sent 123 (metric_points 120, log_records 3); send failures 0 (metric_points 0, log_records 0)',
    });
  });

  it('fails on any send failure, on nothing sent, and on no exporter series at all', () => {
    expect(judgeExporterMetrics(exporter(120, 2))).toMatchObject({
      ok: false,
      detail: expect.stringContaining('send failures 2'),
    });
    expect(judgeExporterMetrics(exporter(0, 0))).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^nothing sent yet/),
    });
    expect(judgeExporterMetrics('up 1\n')).toEqual({
      ok: false,
      detail: 'no otelcol_exporter_sent_* series: is the OTLP exporter running?',
    });
  });

  it('accepts counters without the _total suffix (older Alloy/collector naming)', () => {
    expect(judgeExporterMetrics('otelcol_exporter_sent_spans 5\notelcol_exporter_send_failed_spans 0').ok).toBe(true);
  });
});

describe('certificate verdict', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const facts = {
    authorized: true,
    validFrom: new Date('2026-05-01T00:00:00Z'),
    validTo: new Date('2026-08-01T00:00:00Z'),
  };

  it('passes a trusted certificate for the name with enough days left', () => {
    expect(judgeCertificate(facts, 'alloy.tobiash.net', 14, now)).toEqual({
      ok: true,
      detail: 'valid for alloy.tobiash.net, 61 days left (until 2026-08-01)',
    });
  });

  it('fails expired, not-yet-valid, wrong-name, untrusted, and soon-expiring certificates, saying which', () => {
    const judge = (f: Partial<typeof facts> & { identityError?: string; authorizationError?: string }, minDays = 14) =>
      judgeCertificate({ ...facts, ...f }, 'alloy.tobiash.net', minDays, now).detail;
    expect(judge({ validTo: new Date('2026-05-20T00:00:00Z') })).toBe('certificate expired on 2026-05-20');
    expect(judge({ validFrom: new Date('2026-07-01T00:00:00Z') })).toBe('certificate not valid before 2026-07-01');
    expect(judge({ identityError: "Host: alloy.tobiash.net. is not in the cert's altnames" })).toMatch(
      /^certificate not valid for alloy\.tobiash\.net/,
    );
    expect(judge({ authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })).toMatch(
      /not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
    );
    expect(judge({ validTo: new Date('2026-06-10T00:00:00Z') })).toBe(
      'certificate expires in 9 days (2026-06-10), fewer than 14',
    );
    expect(
      judgeCertificate({ ...facts, validTo: new Date('2026-06-10T00:00:00Z') }, 'alloy.tobiash.net', 7, now).ok,
    ).toBe(true);
  });
});

describe('result table', () => {
  it('lists each check with PASS/FAIL and counts the passes', () => {
    const text = formatChecks([
      { name: 'dns alloy.tobiash.net', ok: true, detail: '192.168.1.240' },
      { name: 'ready legacy', ok: false, detail: 'ECONNREFUSED' },
    ]);
    expect(text.split('\n')).toEqual([
      'CHECK                  RESULT  DETAIL',
      'dns alloy.tobiash.net  PASS    192.168.1.240',
      'ready legacy           FAIL    ECONNREFUSED',
      '1 of 2 checks passed',
      '',
    ]);
  });
});
