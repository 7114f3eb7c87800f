/** The release-aware checks: components, stability, arguments and blocks as the named Alloy release has them. */
import { basename } from 'node:path';
import { formatDiagnostic, type LintOptions, lintDirectory } from '../../alloy-lint';
import { removeTempConfigs, tempConfig } from './temp-config';

afterEach(removeTempConfigs);

function lint(files: Record<string, string>, options: LintOptions = { alloyVersion: 'v1.10.1' }): string[] {
  return lintDirectory(tempConfig(files), options).diagnostics.map((d) =>
    formatDiagnostic({ ...d, file: basename(d.file) }),
  );
}
/** Errors and warnings, without notes and the dead-end warnings of these small, unconnected examples. */
const problems = (files: Record<string, string>, options?: LintOptions) =>
  lint(files, options).filter((l) => !l.includes(': info: ') && !l.includes('dead pipeline end'));

const OTLP = (tls: string) => `otelcol.receiver.otlp "default" {
  grpc {
    endpoint = "0.0.0.0:4317"

    tls {
      cert_file = "/etc/tls/tls.crt"
${tls}
    }
  }

  output {
    traces = []
  }
}
`;

describe('arguments and blocks', () => {
  it('a misspelt attribute is an error naming the path and the release, with "did you mean" (the issue\'s example)', () => {
    expect(problems({ 'collect_otlp.alloy': OTLP('      reload_intervall = "1h"') })).toEqual([
      'collect_otlp.alloy:7:7: error: otelcol.receiver.otlp > grpc > tls has no attribute "reload_intervall" in Alloy v1.10.0 (did you mean "reload_interval"?)',
    ]);
    expect(problems({ 'collect_otlp.alloy': OTLP('      reload_interval = "1h"') })).toEqual([]);
  });

  it('an unknown block is an error; one under the wrong parent says where it belongs', () => {
    const config = `prometheus.remote_write "m" {
  endpoint {
    url = "https://m/api/v1/push"
  }

  queue_config {
    capacity = 100
  }

  endpont {
    url = "x"
  }
}
`;
    expect(problems({ 'a.alloy': config })).toEqual([
      'a.alloy:6:3: error: prometheus.remote_write has no block "queue_config" in Alloy v1.10.0 (it belongs at prometheus.remote_write > endpoint > queue_config)',
      'a.alloy:10:3: error: prometheus.remote_write has no block "endpont" in Alloy v1.10.0 (did you mean "endpoint"?)',
    ]);
  });

  it('a missing required attribute or block is an error; required: null (the docs unclear) is not judged', () => {
    const config = `otelcol.exporter.otlp "a" {
  client {
    compression = "gzip"
  }
}

otelcol.processor.batch "b" { }
`;
    expect(problems({ 'a.alloy': config })).toEqual([
      'a.alloy:2:3: error: otelcol.exporter.otlp > client is missing the required attribute "endpoint" in Alloy v1.10.0',
      'a.alloy:7:1: error: otelcol.processor.batch is missing the required block "output" in Alloy v1.10.0',
    ]);
  });

  it('a literal of the wrong kind is an error; conversions Alloy makes (number to string, numeric string) are not', () => {
    const config = `otelcol.processor.batch "b" {
  timeout         = 5
  send_batch_size = "many"
  metadata_keys   = "tenant"

  output {
    traces = []
  }
}

prometheus.scrape "s" {
  targets         = []
  forward_to      = []
  scrape_interval = "30 seconds"
  job_name        = 42
  honor_labels    = "true"
  sample_limit    = "100"
}
`;
    expect(problems({ 'a.alloy': config })).toEqual([
      'a.alloy:2:3: error: otelcol.processor.batch: attribute "timeout" must be a duration string such as "30s", not a number (type duration in Alloy v1.10.0)',
      'a.alloy:3:3: error: otelcol.processor.batch: attribute "send_batch_size" must be a number, not the string "many" (type number in Alloy v1.10.0)',
      'a.alloy:4:3: error: otelcol.processor.batch: attribute "metadata_keys" must be a list ([...]), not a string (type list(string) in Alloy v1.10.0)',
      'a.alloy:14:3: error: prometheus.scrape: attribute "scrape_interval" must be a duration such as "30s", not "30 seconds" (type duration in Alloy v1.10.0)',
      'a.alloy:16:3: error: prometheus.scrape: attribute "honor_labels" must be a bool, not a string (type bool in Alloy v1.10.0)',
    ]);
  });

  it('a block given twice that the docs do not call repeatable is a warning; documented or corrected ones are not', () => {
    const config = `otelcol.exporter.otlp "a" {
  client {
    endpoint = "x:4317"
  }

  client {
    endpoint = "y:4317"
  }
}

otelcol.processor.attributes "b" {
  action {
    key    = "a"
    action = "delete"
  }

  action {
    key    = "b"
    action = "delete"
  }

  output {
    traces = [otelcol.exporter.otlp.a.input]
  }
}
`;
    expect(problems({ 'a.alloy': config })).toEqual([
      'a.alloy:6:3: warning: otelcol.exporter.otlp > client is given more than once; the docs of Alloy v1.10.0 do not say it may be repeated',
    ]);
  });

  it('config blocks are judged too: logging, http, argument, export, import.*', () => {
    const config = `logging {
  levle = "debug"
}

import.file "mod" {
  detector = "poll"
}
`;
    expect(problems({ 'a.alloy': config })).toEqual([
      'a.alloy:2:3: error: logging has no attribute "levle" in Alloy v1.10.0 (did you mean "level"?)',
      'a.alloy:5:1: error: import.file is missing the required attribute "filename" in Alloy v1.10.0',
    ]);
  });

  it('components of declare/import and free-form bodies are not judged', () => {
    const config = `declare "custom" {
  argument "x" { }

  otelcol.processor.batch "inner" {
    output {
      traces = []
    }
  }
}

custom "c" {
  x          = 1
  anything   = "goes"
}

import.file "mod" {
  filename = "/m.alloy"
}

mod.otelcol.exporter.otlp "y" {
  nonsense = true
}
`;
    expect(problems({ 'a.alloy': config })).toEqual([]);
  });

  it('judges as the named release: an attribute added later is unknown to the older release', () => {
    const config = `otelcol.receiver.otlp "r" {
  http {
    keep_alives_enabled = true
  }

  output {
    traces = []
  }
}
`;
    expect(problems({ 'a.alloy': config }, { alloyVersion: 'v1.11.3' })).toEqual([
      'a.alloy:3:5: error: otelcol.receiver.otlp > http has no attribute "keep_alives_enabled" in Alloy v1.11.0',
    ]);
    expect(problems({ 'a.alloy': config }, { alloyVersion: 'v1.12.2' })).toEqual([]);
  });
});

describe('components and stability', () => {
  const FILE_EXPORTER = `otelcol.exporter.file "f" {
  path = "/tmp/x"
}

otelcol.receiver.otlp "r" {
  output {
    traces = [otelcol.exporter.file.f.input]
  }
}
`;

  it('a component the named release does not have is an error saying when it came', () => {
    expect(problems({ 'a.alloy': FILE_EXPORTER })).toEqual([
      'a.alloy:1:1: error: unknown component otelcol.exporter.file in Alloy v1.10.0 (added after v1.11.0, by v1.15.1)',
    ]);
    expect(problems({ 'a.alloy': 'otelcol.exporter.otlpp "x" {\n}\n' })).toEqual([
      'a.alloy:1:1: error: unknown component otelcol.exporter.otlpp in Alloy v1.10.0 (did you mean otelcol.exporter.otlp?)',
    ]);
  });

  it('without a release, or for a release the registry lacks, an unknown component is only a warning', () => {
    expect(problems({ 'a.alloy': 'otelcol.exporter.brandnew "x" {\n}\n' }, {})).toEqual([
      'a.alloy:1:1: warning: unknown component otelcol.exporter.brandnew (not in the newest release the registry has, v1.19.2; a newer Alloy may have it)',
    ]);
    expect(problems({ 'a.alloy': 'otelcol.exporter.brandnew "x" {\n}\n' }, { alloyVersion: 'v1.40.0' })).toEqual([
      // Named by the release whose data judged it, never as v1.40.0 (Release.note says which, once).
      'a.alloy:1:1: warning: unknown component otelcol.exporter.brandnew (not in Alloy v1.19.2; a newer Alloy may have it)',
    ]);
  });

  it('stability above --stability.level is an error; otelcol.receiver.prometheus is GA at v1.10.1 (doc error corrected)', () => {
    const config = `otelcol.exporter.file "f" {
  path = "/tmp/x"
}

otelcol.receiver.prometheus "p" {
  output {
    metrics = [otelcol.exporter.file.f.input]
  }
}
`;
    expect(lint({ 'a.alloy': config }, { alloyVersion: 'v1.13.2', stabilityLevel: 'generally-available' })).toEqual([
      'a.alloy:1:1: error: otelcol.exporter.file is public-preview in Alloy v1.13.2, above --stability.level=generally-available: Alloy needs --stability.level=public-preview',
    ]);
    expect(lint({ 'a.alloy': config }, { alloyVersion: 'v1.13.2', stabilityLevel: 'public-preview' })).toEqual([]);
    expect(lint({ 'a.alloy': config }, { alloyVersion: 'v1.13.2' })).toEqual([
      'a.alloy:1:1: info: otelcol.exporter.file is public-preview: Alloy needs --stability.level=public-preview',
    ]);
  });
});

describe('community components', () => {
  // Upstream's component registry (internal/component/registry.go, defaultRegistry.Get) refuses a community component
  // unless --feature.community-components.enabled is set, whatever --stability.level is: `alloy validate` does too.
  const DATADOG = 'otelcol.exporter.datadog "d" {\n  api {\n    api_key = "x"\n  }\n}\n';

  it('judged as a run (a stability level set), a community component without the flag is an error', () => {
    expect(problems({ 'a.alloy': DATADOG }, { alloyVersion: 'v1.11.0', stabilityLevel: 'experimental' })).toEqual([
      'a.alloy:1:1: error: otelcol.exporter.datadog is a community component in Alloy v1.11.0: Alloy needs --feature.community-components.enabled',
    ]);
    expect(
      problems(
        { 'a.alloy': DATADOG },
        { alloyVersion: 'v1.11.0', stabilityLevel: 'generally-available', communityComponents: true },
      ),
    ).toEqual([]);
  });

  it('without a stability level it is only noted', () => {
    expect(lint({ 'a.alloy': DATADOG }, { alloyVersion: 'v1.11.0' })).toContain(
      'a.alloy:1:1: info: otelcol.exporter.datadog is a community component: Alloy needs --feature.community-components.enabled',
    );
  });
});

describe('cluster mode', () => {
  const SCRAPE = (clustering: string) => `prometheus.scrape "pods" {
  targets    = []
  forward_to = []
${clustering}
}
`;

  it('with clustering: true, a component that has a clustering block must enable it', () => {
    expect(problems({ 'a.alloy': SCRAPE('') }, { alloyVersion: 'v1.10.1', clustering: true })).toEqual([
      'a.alloy:1:1: error: prometheus.scrape "pods" needs clustering { enabled = true } when Alloy runs clustered (in Alloy v1.10.0 it has a clustering block); without it every replica does all of its work (write enabled = false where each replica must do it itself)',
    ]);
    const enabled = SCRAPE('  clustering {\n    enabled = true\n  }');
    expect(problems({ 'a.alloy': enabled }, { alloyVersion: 'v1.10.1', clustering: true })).toEqual([]);
    expect(problems({ 'a.alloy': SCRAPE('') }, { alloyVersion: 'v1.10.1' })).toEqual([]);
  });

  it('an explicit clustering { enabled = false } is a stated decision, not an error', () => {
    const disabled = SCRAPE('  clustering {\n    enabled = false\n  }');
    expect(problems({ 'a.alloy': disabled }, { alloyVersion: 'v1.10.1', clustering: true })).toEqual([]);
  });

  it('warns when it clusters the targets of a prometheus.exporter component (local to each replica)', () => {
    const config = `prometheus.exporter.self "alloy" { }

prometheus.scrape "self" {
  targets    = prometheus.exporter.self.alloy.targets
  forward_to = []
  clustering {
    enabled = true
  }
}
`;
    expect(problems({ 'a.alloy': config }, { alloyVersion: 'v1.10.1', clustering: true })).toEqual([
      'a.alloy:3:1: warning: prometheus.scrape "self" clusters the targets of a prometheus.exporter component: they are local to each replica, so only one replica\'s would be scraped; set clustering { enabled = false }',
    ]);
  });

  it('components without a clustering block are not asked for one', () => {
    const config = 'otelcol.processor.batch "b" {\n  output {\n    traces = []\n  }\n}\n';
    expect(problems({ 'a.alloy': config }, { alloyVersion: 'v1.10.1', clustering: true })).toEqual([]);
  });
});
