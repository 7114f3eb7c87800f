/**
 * The config series of Alloy's own /metrics, as upstream writes them (grafana/alloy `InstrumentConfig`: a gauge
 * `alloy_config_hash{sha256=<hex>} 1`, reset to the attempted files' hash on every load, successful or not, and
 * `alloy_config_last_load_successful` 1 or 0), among a few unrelated series as a real scrape has them.
 */
export function alloyConfigMetrics(hash: string, lastLoadSuccessful: boolean): string {
  return [
    "# HELP alloy_build_info A metric with a constant '1' value labeled by version.",
    '# TYPE alloy_build_info gauge',
    'alloy_build_info{goversion="go1.24.4",version="v1.10.1"} 1',
    '# HELP alloy_config_hash Hash of the currently active config file.',
    '# TYPE alloy_config_hash gauge',
    `alloy_config_hash{sha256="${hash}"} 1`,
    '# HELP alloy_config_last_load_successful Config loaded successfully.',
    '# TYPE alloy_config_last_load_successful gauge',
    `alloy_config_last_load_successful ${lastLoadSuccessful ? 1 : 0}`,
    '# HELP alloy_config_load_failures_total Configuration load failures.',
    '# TYPE alloy_config_load_failures_total counter',
    `alloy_config_load_failures_total ${lastLoadSuccessful ? 0 : 1}`,
    '',
  ].join('\n');
}
