/** The linter's rules, each on a small configuration folder. */
import { symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { formatDiagnostic, type LintOptions, lintDirectory } from '../../alloy-lint';
import { removeTempConfigs, tempConfig } from './temp-config';

afterEach(removeTempConfigs);

/** Lints a folder made of `files`; diagnostics are printed with the file's base name. */
function lint(files: Record<string, string>, options?: LintOptions) {
  const result = lintDirectory(tempConfig(files), options);
  const lines = result.diagnostics.map((d) => formatDiagnostic({ ...d, file: basename(d.file) }));
  return { lines, envVars: result.envVars, diagnostics: result.diagnostics };
}

const errorsOf = (files: Record<string, string>, options?: LintOptions) =>
  lint(files, options).lines.filter((l) => l.includes(': error: '));

/** A complete, clean pipeline: receiver → batch → exporter with auth. */
const PIPELINE = `otelcol.receiver.otlp "default" {
  grpc {
    endpoint = "0.0.0.0:4317"
  }

  output {
    traces = [otelcol.processor.batch.default.input]
  }
}

otelcol.processor.batch "default" {
  output {
    traces = [otelcol.exporter.otlp.alloy.input]
  }
}

otelcol.exporter.otlp "alloy" {
  client {
    endpoint = "alloy:4317"
    auth     = otelcol.auth.basic.creds.handler
  }
}

otelcol.auth.basic "creds" {
  username = "u"
  password = sys.env("PASSWORD")
}
`;

describe('a clean configuration', () => {
  it('has no diagnostics and lists its env vars', () => {
    expect(lint({ 'pipeline.alloy': PIPELINE })).toEqual({ lines: [], envVars: ['PASSWORD'], diagnostics: [] });
  });

  it('resolves references across the files of the folder', () => {
    const [first, second] = PIPELINE.split('otelcol.exporter.otlp "alloy"');
    expect(lint({ 'a.alloy': first, 'b.alloy': `otelcol.exporter.otlp "alloy"${second}` }).lines).toEqual([]);
  });
});

describe('references', () => {
  it('an undeclared component is an error at the reference', () => {
    const files = { 'a.alloy': PIPELINE.replace('otelcol.exporter.otlp "alloy"', 'otelcol.exporter.otlp "other"') };
    expect(errorsOf(files)).toEqual([
      'a.alloy:13:15: error: otelcol.exporter.otlp "alloy" is not declared in this configuration (referenced as otelcol.exporter.otlp.alloy.input)',
    ]);
  });

  it('a field the component does not export is an error naming the exported fields', () => {
    const files = { 'a.alloy': PIPELINE.replace('batch.default.input]', 'batch.default.inputs]') };
    expect(errorsOf(files)).toEqual([
      'a.alloy:7:47: error: otelcol.processor.batch "default" has no export "inputs"; it exports input',
    ]);
  });

  it('a component referenced without a label is an error', () => {
    expect(errorsOf({ 'a.alloy': 'logging {\n  write_to = [loki.write]\n}\n' })).toEqual([
      'a.alloy:2:15: error: loki.write refers to component loki.write without a label',
    ]);
  });

  it('a name in a component namespace that matches no component is an error', () => {
    expect(errorsOf({ 'a.alloy': 'logging {\n  write_to = [loki.wirte.x.receiver]\n}\n' })).toEqual([
      'a.alloy:2:15: error: loki.wirte.x.receiver does not refer to any component declared in this configuration',
    ]);
  });

  it('an unknown identifier is an error; standard-library names and constants are not references', () => {
    const config = `local.file "f" {
  filename = string.format("%s/%s", constants.hostname, encoding.from_base64("eA=="))
  is_secret = coalesce(nope, true)
}

export "f" {
  value = local.file.f.content
}
`;
    expect(errorsOf({ 'a.alloy': config })).toEqual([
      'a.alloy:3:24: error: unknown identifier nope in nope (not a declared component, argument or standard-library name)',
    ]);
  });

  it('module_path, which Alloy sets in the root and every module, is known (alloy validate accepts it too)', () => {
    const config = `import.file "lib" {
  filename = file.path_join(module_path, "lib.alloy")
}

declare "d" {
  local.file "f" {
    filename = file.path_join(module_path, "x")
  }
}
`;
    expect(errorsOf({ 'a.alloy': config })).toEqual([]);
  });

  it('an unknown constant is an error, an unknown stdlib function a warning, a legacy alias a deprecation warning', () => {
    const config = `local.file "f" {
  filename  = constants.hostnme
  is_secret = string.to_lowr("X") == format("%s", "x")
}

export "f" {
  value = local.file.f.content
}
`;
    expect(lint({ 'a.alloy': config }).lines).toEqual([
      'a.alloy:2:15: error: unknown constant constants.hostnme',
      'a.alloy:3:15: warning: unknown standard-library function string.to_lowr',
      'a.alloy:3:38: warning: format is deprecated; use string.format',
    ]);
  });
});

describe('what Alloy refuses in the shape of a configuration (alloy validate agrees: validate-oracle.test.ts)', () => {
  it('components that reference each other in a circle are an error at each (Alloy: "cycle detected")', () => {
    const config = `local.file "a" {
  filename = local.file.b.content
}

local.file "b" {
  filename = local.file.a.content
}

local.file "c" {
  filename = local.file.a.content
}
`;
    expect(errorsOf({ 'a.alloy': config })).toEqual([
      'a.alloy:1:1: error: cycle of references: local.file.a, local.file.b',
      'a.alloy:5:1: error: cycle of references: local.file.a, local.file.b',
    ]);
  });

  it('an attribute at the top level, in a module or in a template is an error (only blocks may stand there)', () => {
    const config = `log_level = "debug"

declare "m" {
  x = 1
}
`;
    expect(errorsOf({ 'a.alloy': config })).toEqual([
      'a.alloy:1:1: error: unrecognized attribute log_level: only blocks may stand here',
      'a.alloy:4:3: error: unrecognized attribute x: only blocks may stand here',
    ]);
  });
});

describe('declarations', () => {
  it('the same component name and label twice in the folder is an error, also across files', () => {
    const dup =
      'otelcol.processor.batch "default" {\n  output {\n    traces = [otelcol.exporter.otlp.alloy.input]\n  }\n}\n';
    expect(errorsOf({ 'a.alloy': PIPELINE, 'b.alloy': dup })).toEqual([
      expect.stringMatching(
        /^b\.alloy:1:1: error: duplicate component otelcol\.processor\.batch "default" \(first declared at .*a\.alloy:11\)$/,
      ),
    ]);
  });

  it('a singleton config block given twice is an error; labelled config blocks may repeat', () => {
    const config =
      'logging {\n  level = "info"\n}\n\nlogging {\n  level = "debug"\n}\n\nlivedebugging {\n  enabled = true\n}\n';
    expect(errorsOf({ 'a.alloy': config, 'b.alloy': 'livedebugging { }\n' })).toEqual([
      expect.stringMatching(
        /^a\.alloy:5:1: error: duplicate logging block; it may appear only once \(first declared at .*a\.alloy:1\)$/,
      ),
      expect.stringMatching(/^b\.alloy:1:1: error: duplicate livedebugging block; it may appear only once/),
    ]);
  });

  it('a label on a singleton block, or none on a component, is an error', () => {
    expect(errorsOf({ 'a.alloy': 'tracing "x" { }\n\nprometheus.exporter.self { }\n' })).toEqual([
      'a.alloy:1:9: error: block tracing does not take a label',
      'a.alloy:3:1: error: component prometheus.exporter.self needs a label: prometheus.exporter.self "<label>" { ... }',
    ]);
  });

  it('an unknown component is a warning, not an error, and references to it resolve', () => {
    const config =
      'otelcol.exporter.brandnew "x" {\n  endpoint = "y"\n}\n\nlogging {\n  write_to = [otelcol.exporter.brandnew.x.anything]\n}\n';
    expect(lint({ 'a.alloy': config }).lines).toEqual([
      expect.stringMatching(
        /^a\.alloy:1:1: warning: unknown component otelcol\.exporter\.brandnew \(not in the newest release the registry has/,
      ),
    ]);
  });

  it('components that are not generally available are noted (info), which does not fail', () => {
    const config =
      'otelcol.processor.interval "x" {\n  output { }\n}\n\nlogging {\n  write_to = [otelcol.processor.interval.x.input]\n}\n';
    const { diagnostics } = lint({ 'a.alloy': config });
    expect(diagnostics.map((d) => [d.severity, d.message])).toEqual([
      ['info', 'otelcol.processor.interval is experimental: Alloy needs --stability.level=experimental'],
    ]);
  });
});

describe('env vars', () => {
  const config = `otelcol.auth.basic "creds" {
  username = env("USER_NAME")
  password = sys.env("PASSWORD")
}

otelcol.exporter.otlp "alloy" {
  client {
    endpoint = "alloy:4317"
    auth     = otelcol.auth.basic.creds.handler
  }
}

logging {
  write_to = [otelcol.exporter.otlp.alloy.input]
}
`;

  it('without an instance (legacy, plain CLI run) referenced env vars are only listed', () => {
    const result = lint({ 'a.alloy': config });
    expect(result.envVars).toEqual(['PASSWORD', 'USER_NAME']);
    expect(result.lines).toEqual(['a.alloy:2:14: warning: env is deprecated; use sys.env']);
  });

  it('with the env vars an instance provides, a missing one is an error at its name', () => {
    expect(errorsOf({ 'a.alloy': config }, { providedEnv: ['PASSWORD'] })).toEqual([
      'a.alloy:2:18: error: environment variable "USER_NAME" is not provided to this instance (provided: PASSWORD)',
    ]);
    expect(errorsOf({ 'a.alloy': config }, { providedEnv: ['PASSWORD', 'USER_NAME'] })).toEqual([]);
  });
});

describe('dead pipeline ends', () => {
  it('a component with exports that nothing references and that forwards nothing is a warning', () => {
    const config = `${PIPELINE}
prometheus.exporter.unix "node" { }

loki.write "unused" { }
`;
    expect(lint({ 'a.alloy': config }).lines).toEqual([
      'a.alloy:29:1: warning: dead pipeline end: nothing references prometheus.exporter.unix "node" (it exports targets) and it forwards to nothing',
      'a.alloy:31:1: warning: dead pipeline end: nothing references loki.write "unused" (it exports receiver) and it forwards to nothing',
    ]);
  });

  it('is not reported for a scraped exporter, a component that forwards, a source, or undocumented exports', () => {
    const config = `prometheus.exporter.unix "node" { }

prometheus.scrape "node" {
  targets    = prometheus.exporter.unix.node.targets
  forward_to = [prometheus.relabel.unreferenced.receiver]
}

prometheus.relabel "unreferenced" {
  forward_to = [prometheus.remote_write.cloud.receiver]
}

prometheus.remote_write "cloud" {
  endpoint {
    url = "https://example.invalid/push"
  }
}

loki.source.journal "journal" {
  forward_to = []
}
`;
    expect(lint({ 'a.alloy': config }).lines).toEqual([]);
  });

  it('a self-reference does not count as a use, and is an error (Alloy: "cannot reference self")', () => {
    const config = 'local.file "f" {\n  filename = local.file.f.content\n}\n';
    expect(lint({ 'a.alloy': config }).lines).toEqual([
      'a.alloy:1:1: error: local.file "f" references itself',
      'a.alloy:1:1: warning: dead pipeline end: nothing references local.file "f" (it exports content) and it forwards to nothing',
    ]);
  });
});

describe('modules (declare) and foreach', () => {
  const MODULE = `declare "shipper" {
  argument "endpoint" { }

  otelcol.exporter.otlp "out" {
    client {
      endpoint = argument.endpoint.value
    }
  }

  export "input" {
    value = otelcol.exporter.otlp.out.input
  }
}

shipper "main" {
  endpoint = "alloy:4317"
}

logging {
  write_to = [shipper.main.input]
}
`;

  it('a declared module is a component with the exports of its export blocks', () => {
    expect(lint({ 'a.alloy': MODULE }).lines).toEqual([]);
    expect(errorsOf({ 'a.alloy': MODULE.replace('shipper.main.input', 'shipper.main.output') })).toEqual([
      'a.alloy:20:28: error: shipper "main" has no export "output"; it exports input',
    ]);
  });

  it('inside a module only declared arguments resolve, and components outside are not visible', () => {
    const config = MODULE.replace('argument.endpoint.value', 'argument.endpont.value').replace(
      'value = otelcol.exporter.otlp.out.input',
      'value = local.file.outside.content',
    );
    expect(errorsOf({ 'a.alloy': `${config}\nlocal.file "outside" {\n  filename = "/x"\n}\n` })).toEqual([
      'a.alloy:6:27: error: argument "endpont" is not declared in this module',
      'a.alloy:11:13: error: local.file "outside" is not declared in this configuration (referenced as local.file.outside.content)',
    ]);
  });

  it('a foreach template sees its variable and the components around it', () => {
    const config = `foreach "targets" {
  collection = ["a", "b"]
  var        = "each"

  template {
    prometheus.scrape "one" {
      targets    = [{ "__address__" = each }]
      forward_to = [prometheus.remote_write.cloud.receiver]
    }
  }
}

prometheus.remote_write "cloud" {
  endpoint {
    url = "https://example.invalid/push"
  }
}
`;
    expect(lint({ 'a.alloy': config }).lines).toEqual([]);
  });
});

describe('folders and syntax errors', () => {
  it('an empty folder is an error', () => {
    const dir = tempConfig({ 'README.md': 'not alloy' });
    expect(lintDirectory(dir).diagnostics.map(formatDiagnostic)).toEqual([
      `${dir}: error: no .alloy files in this folder: Alloy would load an empty configuration`,
    ]);
  });

  it('a missing folder is an error', () => {
    const dir = `${tempConfig({})}/missing`;
    expect(lintDirectory(dir).diagnostics.map(formatDiagnostic)).toEqual([`${dir}: error: folder does not exist`]);
  });

  it('syntax errors are reported for every file; semantic checks wait until all files parse', () => {
    const result = lint({ 'a.alloy': 'logging {\n  level = "info"\n', 'b.alloy': 'x = [loki.write.nope.receiver\n' });
    expect(result.lines).toEqual([
      'a.alloy:3:1: error: expected }, got EOF',
      "b.alloy:1:30: error: missing ',' in expression list",
      'b.alloy:2:1: error: expected ], got EOF',
    ]);
  });

  it('only *.alloy files of the folder itself are loaded', () => {
    expect(lint({ 'a.alloy': PIPELINE, 'notes.txt': 'logging {', 'c.alloy.bak': 'x', '.gitkeep': '' }).lines).toEqual(
      [],
    );
  });
});

describe('unreadable files', () => {
  it('a dangling symlink is an error naming it, not an exception', () => {
    const dir = tempConfig({ 'a.alloy': 'logging { }\n' });
    symlinkSync(join(dir, 'missing'), join(dir, 'b.alloy'));
    expect(lintDirectory(dir).diagnostics.map(formatDiagnostic)).toEqual([
      `${join(dir, 'b.alloy')}: error: is a symbolic link: refused (copy the file into the folder instead)`,
    ]);
  });
});
