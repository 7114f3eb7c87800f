/**
 * Just enough of the Prometheus text exposition format to read Alloy's own /metrics: one sample per line,
 * `name{label="value",...} value [timestamp]`, comments and blank lines skipped, quoted label values with escapes.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(token: string): number {
  if (token === '+Inf' || token === 'Inf') return Number.POSITIVE_INFINITY;
  if (token === '-Inf') return Number.NEGATIVE_INFINITY;
  if (token === 'NaN') return Number.NaN;
  const n = Number(token);
  if (token === '' || Number.isNaN(n)) throw new Error(`bad sample value "${token}"`);
  return n;
}

/** Parses `{a="x",b="y"}` starting at `text[i] === '{'`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (!name || text[i + name.length] !== '=' || text[i + name.length + 1] !== '"') throw new Error('bad label');
    i += name.length + 2;
    let value = '';
    while (text[i] !== '"') {
      if (i >= text.length) throw new Error('unterminated label value');
      if (text[i] === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : next;
        i += 2;
      } else value += text[i++];
    }
    labels[name] = value;
    i++;
  }
}

/** All samples; lines that do not parse are reported by number rather than silently skipped. */
export function parsePrometheusText(text: string): { samples: Sample[]; badLines: number[] } {
  const samples: Sample[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      const name = namePattern.exec(line)?.[0];
      if (!name) throw new Error('no metric name');
      let rest = line.slice(name.length);
      let labels: Record<string, string> = {};
      if (rest.startsWith('{')) {
        const parsed = parseLabels(rest, 0);
        labels = parsed.labels;
        rest = rest.slice(parsed.end);
      }
      const [value] = rest.trim().split(/\s+/);
      samples.push({ name, labels, value: parseValue(value) });
    } catch {
      badLines.push(index + 1);
    }
  });
  return { samples, badLines };
}

export interface ExporterVerdict {
  readonly ok: boolean;
  readonly detail: string;
}

const sum = (samples: readonly Sample[]) => samples.reduce((total, s) => total + s.value, 0);

/**
 * Data flows when the OTLP exporter has sent something (`otelcol_exporter_sent_*` > 0 summed over signals and
 * components) and never failed (`otelcol_exporter_send_failed_*` all 0).
 */
export function judgeExporterMetrics(text: string): ExporterVerdict {
  const { samples } = parsePrometheusText(text);
  const counter = (prefix: string) => samples.filter((s) => s.name.startsWith(prefix) && !s.name.endsWith('_created'));
  const sent = counter('otelcol_exporter_sent_');
  const failed = counter('otelcol_exporter_send_failed_');
  if (sent.length === 0)
    return { ok: false, detail: 'no otelcol_exporter_sent_* series: is the OTLP exporter running?' };
  const bySignal = (list: readonly Sample[], prefix: string) =>
    [...new Set(list.map((s) => s.name))]
      .map((n) => `${n.slice(prefix.length).replace(/_total$/, '')} ${sum(list.filter((s) => s.name === n))}`)
      .join(', ');
  const sentTotal = sum(sent);
  const failedTotal = sum(failed);
  const detail = `sent ${sentTotal} (${bySignal(sent, 'otelcol_exporter_sent_')}); send failures ${failedTotal}${failed.length > 0 ? ` (${bySignal(failed, 'otelcol_exporter_send_failed_')})` : ''}`;
  if (!(sentTotal > 0)) return { ok: false, detail: `nothing sent yet: ${detail}` };
  if (failedTotal !== 0) return { ok: false, detail };
  return { ok: true, detail };
}
