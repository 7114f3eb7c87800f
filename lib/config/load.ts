import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  type CentralAlloyConfig,
  type DevStack,
  devStackSchema,
  type LegacyAlloyConfig,
  type ProdStack,
  prodStackSchema,
} from './schema';

/** One problem in a stack file, located as precisely as the YAML allows. */
export interface ConfigProblem {
  readonly file: string;
  readonly line?: number;
  /** Dotted key path, e.g. `alloy.extraPorts[0].port`; empty for file-level problems. */
  readonly key: string;
  readonly message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line ? `${p.file}:${p.line}` : p.file;
  return p.key ? `${where}: ${p.key}: ${p.message}` : `${where}: ${p.message}`;
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** Reads a YAML stack file and validates it; throws ConfigError listing every problem. */
export function loadStackFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([{ file, key: '', message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? e}` }]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        key: '',
        message: e.message.split('\n')[0],
      })),
    );
  }
  let value: unknown;
  try {
    // toJS expands aliases; the yaml library refuses an alias bomb (billion laughs) here with an exception.
    value = doc.toJS() ?? {};
  } catch (e) {
    throw new ConfigError([{ file, key: '', message: (e instanceof Error ? e.message : String(e)).split('\n')[0] }]);
  }
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.flatMap((issue) => {
      const locate = (path: readonly PropertyKey[], message: string): ConfigProblem => {
        const node = doc.getIn(path as unknown[], true) as { range?: [number, number, number] } | undefined;
        const line = node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
        return { file, line, key: keyPath(path), message };
      };
      // zod reports unknown keys on their parent object; name each key instead.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => locate([...issue.path, k], 'unknown key (see the JSON Schema for allowed keys)'));
      }
      // zod's own text for a value of the wrong type ("Invalid input: expected number, received string") names
      // neither the value nor what would do; say both.
      if (issue.code === 'invalid_type') return [locate(issue.path, wrongType(issue.expected, issue.input))];
      return [locate(issue.path, issue.message)];
    }),
  );
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list (- item lines)',
};

/** `must be a number, not the string "three"`; `is required` for a key that is not there. */
function wrongType(expected: string, input: unknown): string {
  if (input === undefined) return `is required (${TYPE_NAMES[expected] ?? expected})`;
  const given =
    input === null
      ? 'empty'
      : Array.isArray(input)
        ? 'a list'
        : typeof input === 'object'
          ? 'a mapping'
          : typeof input === 'string'
            ? `the string ${JSON.stringify(input)}`
            : `${typeof input} ${String(input)}`;
  return `must be ${TYPE_NAMES[expected] ?? expected}, not ${given}`;
}

export const loadProdStack = (file = 'config/prod.yaml'): ProdStack => loadStackFile(file, prodStackSchema);
export const loadDevStack = (file = 'config/dev.yaml'): DevStack => loadStackFile(file, devStackSchema);

/** Both stacks as the legacy-deploy commands use them: the central instance (prod.yaml) and the NAS's (dev.yaml). */
export interface Stacks {
  readonly central: CentralAlloyConfig;
  readonly legacy: LegacyAlloyConfig;
}

/** Reads and validates prod.yaml and dev.yaml of `configDir`: once per run, at the command's entry. */
export function loadStacks(configDir: string): Stacks {
  return {
    central: loadProdStack(join(configDir, 'prod.yaml')).alloy,
    legacy: loadDevStack(join(configDir, 'dev.yaml')).alloyLegacy,
  };
}
