/**
 * Proof that the central Alloy runs the configuration in assets/alloy: Alloy reports the SHA-256 of the files it
 * last loaded as `alloy_config_hash{sha256="..."}` and whether that load worked as
 * `alloy_config_last_load_successful`. On a failed load Alloy keeps running the previous config, but resets the
 * hash series to the hash of the files it failed on (grafana/alloy `InstrumentConfig`), so a failed last load fails
 * the check whatever the hash says.
 */
import { parsePrometheusText } from './prometheus';

export interface ConfigVerdict {
  readonly ok: boolean;
  readonly detail: string;
}

/** Judges Alloy's /metrics against the hash expected: the CentralPipeline's, the one the chart annotates. */
export function judgeCentralConfig(metricsText: string, expected: string): ConfigVerdict {
  const { samples } = parsePrometheusText(metricsText);
  const reported = [
    ...new Set(samples.filter((s) => s.name === 'alloy_config_hash' && s.labels.sha256).map((s) => s.labels.sha256)),
  ];
  const lastLoad = samples.find((s) => s.name === 'alloy_config_last_load_successful');
  if (reported.length === 0 || lastLoad === undefined) {
    return {
      ok: false,
      detail: `no ${reported.length === 0 ? 'alloy_config_hash' : 'alloy_config_last_load_successful'} in /metrics (expected hash ${expected})`,
    };
  }
  if (reported.length > 1) {
    return { ok: false, detail: `several alloy_config_hash series (${reported.join(', ')}); expected ${expected}` };
  }
  const [running] = reported;
  if (lastLoad.value !== 1) {
    return {
      ok: false,
      detail: `last config load failed (alloy_config_last_load_successful ${lastLoad.value}): Alloy keeps its previous config; hash of the rejected files ${running}, expected ${expected}`,
    };
  }
  if (running !== expected) {
    return {
      ok: false,
      detail: `running config hash ${running} differs from the expected ${expected} (not yet synced, about a minute after apply, or another config was applied)`,
    };
  }
  return { ok: true, detail: `running config hash ${running} is the expected one; last load successful` };
}
