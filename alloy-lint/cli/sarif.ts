/**
 * SARIF 2.1.0 output (`alloy-lint --sarif`), so that CI systems show the findings inline. Each finding gets a rule
 * by what it says (the linter's messages are its contract); paths are relative to the working directory.
 */
import { relative, sep } from 'node:path';
import type { Diagnostic } from '../syntax/diagnostics';

/** Rules by the message pattern that marks them, first match wins. */
const RULES: readonly { id: string; description: string; pattern: RegExp }[] = [
  { id: 'upgrade', description: 'What an Alloy upgrade breaks or changes', pattern: /^upgrade v/ },
  {
    id: 'unknown-component',
    description: 'A component the Alloy release does not have',
    pattern: /^unknown component /,
  },
  { id: 'unknown-attribute', description: 'An attribute the component does not have', pattern: / has no attribute "/ },
  { id: 'unknown-block', description: 'A block the component does not have there', pattern: / has no block "/ },
  {
    id: 'missing-required',
    description: 'A required attribute or block is missing',
    pattern: / is missing the required /,
  },
  {
    id: 'wrong-kind',
    description: 'A literal of the wrong kind for the attribute type',
    pattern: /: attribute "[^"]+" must be /,
  },
  {
    id: 'repeated-block',
    description: 'A block the docs do not call repeatable, given twice',
    pattern: / is given more than once;/,
  },
  { id: 'stability', description: 'A component or function above the stability level', pattern: /--stability\.level/ },
  {
    id: 'clustering',
    description: 'A component that must enable clustering',
    pattern: /needs clustering \{ enabled = true \}/,
  },
  {
    id: 'env',
    description: 'An environment variable the instance does not provide',
    pattern: /^environment variable "/,
  },
  { id: 'dead-end', description: 'A pipeline end that goes nowhere', pattern: /^dead pipeline end/ },
  { id: 'duplicate', description: 'A component or block declared twice', pattern: /^duplicate / },
  {
    id: 'reference',
    description: 'A reference to something not declared or not exported',
    pattern:
      /is not declared|has no export|does not refer|unknown identifier|unknown constant|unknown standard-library/,
  },
  { id: 'community', description: 'A community component', pattern: /is a community component/ },
  { id: 'deprecated', description: 'A deprecated function name', pattern: / is deprecated; use / },
];
const OTHER = { id: 'other', description: 'Syntax errors and other problems' };

export function ruleOf(message: string): string {
  return RULES.find((r) => r.pattern.test(message))?.id ?? OTHER.id;
}

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** A relative, forward-slash URI reference for a path. */
function uriOf(file: string): string {
  return encodeURI(relative(process.cwd(), file).split(sep).join('/'));
}

/** The SARIF log of one run. */
export function toSarif(diagnostics: readonly Diagnostic[]): object {
  const rules = [...RULES, OTHER];
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'alloy-lint',
            rules: rules.map((r) => ({ id: r.id, shortDescription: { text: r.description } })),
          },
        },
        results: diagnostics.map((d) => {
          const ruleId = ruleOf(d.message);
          return {
            ruleId,
            ruleIndex: rules.findIndex((r) => r.id === ruleId),
            level: LEVEL[d.severity],
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: uriOf(d.file) },
                  ...(d.line > 0 ? { region: { startLine: d.line, startColumn: Math.max(d.column, 1) } } : {}),
                },
              },
            ],
          };
        }),
      },
    ],
  };
}
