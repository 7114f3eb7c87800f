/**
 * Corrections of documentation errors, each with its reason and, where the docs and the code disagree, the Go
 * source that settles it (grafana/alloy's struct tags `alloy:"name,attr"` / `alloy:"name,block,optional"` and
 * component registrations). build-registry.ts applies them on top of the release files and lists every one in
 * the generated file.
 */
import type { AttrSpec, RegistryBlock, Versioned } from './build-registry';

export const EXPORT_OVERRIDES: Record<string, { exports: string[]; reason: string }> = {
  'otelcol.exporter.file': {
    exports: ['input'],
    reason:
      'its page says it exports no fields, yet its own example uses otelcol.exporter.file.default.input; like every otelcol exporter it exports input',
  },
};

/** Stability per release where the docs' stage label and the component's registration disagree. */
export const STABILITY_OVERRIDES: Record<string, Record<string, { stability: string; reason: string }>> = {
  'otelcol.receiver.prometheus': Object.fromEntries(
    ['v1.10.1', 'v1.10.2', 'v1.11.3', 'v1.12.2'].map((release) => [
      release,
      {
        stability: 'generally-available',
        reason:
          'the docs label it public-preview up to v1.12, but the component registers featuregate.StabilityGenerallyAvailable (internal/component/otelcol/receiver/prometheus/prometheus.go); Alloy runs it at --stability.level=generally-available',
      },
    ]),
  ),
};

export interface ArgumentOverride {
  component: string;
  /** Block path (`grpc > tls`); absent: the component's top level; `stage.*`: every top-level block so named. */
  block?: string;
  /** The attribute corrected; absent: the block itself is (blockSpec). */
  attribute?: string;
  spec?: Versioned<AttrSpec | null>;
  blockSpec?: RegistryBlock;
  reason: string;
}

export const ARGUMENT_OVERRIDES: ArgumentOverride[] = [
  {
    component: 'otelcol.processor.probabilistic_sampler',
    block: 'output',
    blockSpec: {
      required: true,
      attributes: { logs: 'list(otelcol.Consumer)', traces: 'list(otelcol.Consumer)' },
    },
    reason:
      'no docs table lists the output block its examples use; the code has Output *otelcol.ConsumerArguments `alloy:"output,block"` (required) in internal/component/otelcol/processor/probabilistic_sampler/probabilistic_sampler.go, and the sampler handles logs and traces',
  },
  {
    component: 'otelcol.exporter.splunkhec',
    block: 'splunk > telemetry',
    attribute: 'extra_attributes',
    spec: 'map(string)',
    reason:
      'the telemetry table omits it, its example uses it; the code has ExtraAttributes map[string]string `alloy:"extra_attributes,attr,optional"` (SplunkHecTelemetry in internal/component/otelcol/exporter/splunkhec/config)',
  },
  ...(
    [
      [
        'otelcol.processor.attributes',
        'action',
        'Actions otelcol.AttrActionKeyValueSlice `alloy:"action,block,optional"`',
      ],
      ['loki.source.syslog', 'listener', 'SyslogListeners []ListenerConfig `alloy:"listener,block"`'],
      ['otelcol.connector.spanmetrics', 'dimension', 'Dimensions []Dimension `alloy:"dimension,block,optional"`'],
      [
        'loki.process',
        'stage.*',
        'Stages []StageConfig `alloy:"stage,enum,optional"` (every stage.X block is one element)',
      ],
    ] as const
  ).map(
    ([component, block, field]): ArgumentOverride => ({
      component,
      block,
      blockSpec: { repeatable: true },
      reason: `repeatable, which the docs do not say: the code holds a list, ${field}`,
    }),
  ),
];
