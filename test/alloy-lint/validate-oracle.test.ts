/**
 * The real `alloy validate` judges alloy-lint: for each case (a folder of `.alloy` files and the `--stability.level`
 * the deploy would pass), the real binary of the test release (test/support/real-alloy.ts: the stacks' pin, or the
 * nearest release the Go module proxy lets us build) and `lintSources` judged as that same release must give the
 * same verdict, valid or not. Three corpora: the project's pipelines and fixtures, seeded mutations of those
 * pipelines (validate-oracle.ts says which and how), and the docs' examples in ../shared (when present).
 *
 * Every case where they disagree is listed below with the reason (the linter checks what validate does not, or
 * validate checks what the registry cannot express), and a listed case that stops disagreeing fails too, so the
 * list stays true. Upstream's validator (internal/validator at the release) is static: it parses, matches
 * references to components (not to their exports), checks that components exist at the stability level, and
 * type-checks arguments against the Go structs (names, required, literal kinds); it builds nothing.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import type { StabilityLevel } from '../../alloy-lint';
import { loadSettings } from '../../legacy/deploy/settings';
import { centralPipeline } from '../../lib/central-pipeline';
import { loadStacks } from '../../lib/config/load';
import { COLD_BUILD_TIMEOUT_MS, realAlloyAvailable, realAlloyBinary, testAlloyRelease } from '../support/real-alloy';
import { describeNeeding } from '../support/requirements';
import { REPO_DIR } from '../support/shared';
import { SHARED_ALLOY } from './shared-fixtures';
import {
  alloyLint,
  alloyValidate,
  type CaseFile,
  declaredComponents,
  type Finding,
  inPool,
  MUTATION_KINDS,
  type MutationKind,
  mutationsOf,
  type OracleCase,
  type Verdict,
} from './validate-oracle';

const SUITE = 'alloy validate judges alloy-lint';
/**
 * A corpus is hundreds of short `alloy validate` runs (about 0.3 s each on 2 shared cores: the docs take about a
 * minute): a bound for a slow machine, not a measure (benchmarks measure).
 */
const CORPUS_TIMEOUT_MS = 10 * 60 * 1000;
const describeReal = realAlloyAvailable(SUITE) ? describe : describe.skip;
const DOCS = join(SHARED_ALLOY, 'examples/docs-snippets');

/** A disagreement the linter keeps, and why: `rejects` what validate accepts, or `accepts` what it refuses. */
interface Known {
  readonly linter: 'rejects' | 'accepts';
  readonly reason: string;
}

/** The known disagreements, by case id (`<corpus>:<case>`, as the failures print them). */
const KNOWN: Record<string, Known> = {};

/**
 * Seeded mistakes the linter catches and validate cannot, by kind: every mutation of the kind must disagree so.
 * Validate matches a reference to its component only (internal/util/ast ResolveTraversal: the longest prefix that
 * names a node; the rest is left to evaluation at `alloy run`), so a misspelt export passes it and fails at load;
 * the linter checks the export against the release's Exports struct.
 */
const KNOWN_MUTATIONS: Partial<Record<MutationKind, Known>> = {
  'missing-export': {
    linter: 'rejects',
    reason:
      'validate resolves a reference to its component only (ResolveTraversal), not to the export, which `alloy run` evaluates',
  },
};

/** What is known about a case's disagreement: listed by id, or by its mutation kind. */
function knownFor(id: string): Known | undefined {
  const kind = /#([a-z-]+)@/.exec(id)?.[1] as MutationKind | undefined;
  return KNOWN[id] ?? (id.startsWith('mutations:') && kind !== undefined ? KNOWN_MUTATIONS[kind] : undefined);
}

interface Outcome {
  readonly id: string;
  readonly validate: Verdict;
  readonly lint: Verdict;
}

/** The first finding by file name, line and column. */
function earliest(findings: readonly Finding[]): Finding {
  return [...findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)[0];
}

const where = (f: Finding | undefined) =>
  f === undefined ? 'nothing' : `${f.file}:${f.line}:${f.column}: ${f.message}`;

/** Judges every case by both; validate runs in parallel (each run is one short process), the linter in between. */
async function judge(binary: string, release: string, cases: readonly OracleCase[]): Promise<Outcome[]> {
  const limit = Math.max(1, Math.min(4, availableParallelism()));
  return inPool(cases, limit, async (c) => ({
    id: c.id,
    validate: await alloyValidate(binary, c),
    lint: alloyLint(release, c),
  }));
}

/**
 * The comparison of one corpus: the disagreements not listed in KNOWN (with both verdicts), the listed ones that
 * no longer happen as listed, and the figures for the summary line.
 */
function compare(corpus: string, outcomes: readonly Outcome[]) {
  const unexplained: string[] = [];
  const disagreeing = new Set<string>();
  let samePlace = 0;
  let bothInvalid = 0;
  for (const o of outcomes) {
    if (!o.validate.valid && !o.lint.valid) {
      bothInvalid++;
      // The first error of each by position (validate prints in its graph's order) is on the same line.
      const [v, l] = [earliest(o.validate.errors), earliest(o.lint.errors)];
      if (v.file === l.file && v.line === l.line) samePlace++;
    }
    if (o.validate.valid === o.lint.valid) continue;
    const id = `${corpus}:${o.id}`;
    const linter = o.lint.valid ? 'accepts' : 'rejects';
    disagreeing.add(`${id} ${linter}`);
    if (knownFor(id)?.linter !== linter) {
      unexplained.push(
        `${id}: alloy validate ${o.validate.valid ? 'accepts' : `refuses (${where(o.validate.errors[0])})`}, alloy-lint ${o.lint.valid ? 'accepts' : `refuses (${where(o.lint.errors[0])})`}`,
      );
    }
  }
  const listed = [
    ...Object.keys(KNOWN).filter((id) => id.startsWith(`${corpus}:`)),
    ...outcomes.map((o) => `${corpus}:${o.id}`).filter((id) => !(id in KNOWN) && knownFor(id) !== undefined),
  ];
  const stale = listed
    .filter((id) => !disagreeing.has(`${id} ${knownFor(id)?.linter}`))
    .map((id) => `${id}: listed as alloy-lint ${knownFor(id)?.linter} what validate does not, but they agree now`);
  const agreed = outcomes.length - disagreeing.size;
  process.stderr.write(
    `${SUITE}: ${corpus}: ${agreed}/${outcomes.length} verdicts agree (${disagreeing.size} listed disagreement(s)); both refuse ${bothInvalid}, ${samePlace} of them with the first error on the same line\n`,
  );
  return { unexplained, stale };
}

/** The `.alloy` files of a folder of the project, as a case's files. */
function folderFiles(dir: string): CaseFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.alloy'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

const REPO = REPO_DIR;
const rel = (p: string) => relative(REPO, p);

/** The stability level `alloy run` gets from its arguments (Alloy's default when none): what validate is given. */
function stabilityOf(args: readonly string[]): StabilityLevel {
  const flag = args.find((a) => a.startsWith('--stability.level='));
  return (flag?.slice('--stability.level='.length) ?? 'generally-available') as StabilityLevel;
}

/**
 * The project's configurations as they run: `legacy` (assets/alloy_legacy) with the legacy container's level,
 * `central` (assets/alloy plus every collect.kubernetes file, as synth makes them for the release judged) with
 * prod.yaml's level, the central one clustered, each assets folder alone, and the chart's RBAC fixture added to
 * assets/alloy as its test does. `pipelines` are the two deployed ones, which the mutations start from (their ids:
 * `legacy/<file>#<kind>@<component>` and `central/...`).
 */
function projectCases(release: string): { cases: OracleCase[]; pipelines: OracleCase[] } {
  const config = join(REPO, 'config');
  const { central } = loadStacks(config);
  const legacyLevel = stabilityOf(loadSettings(config).container.args);
  const centralLevel = central.stabilityLevel as StabilityLevel;
  const assets = join(REPO, 'assets/alloy');
  const kubernetes = join(REPO, 'assets/alloy_kubernetes');
  const legacy = join(REPO, 'assets/alloy_legacy');
  // Made for the release judged; clustered, only the sources that can split their work on it (collect-rules).
  const pipelineOf = (replicas: number) =>
    centralPipeline({
      ...central,
      version: release,
      replicas,
      collect: { kubernetes: { podLogs: true, events: replicas === 1 } },
      assetsDir: assets,
      kubernetesAssetsDir: kubernetes,
    });
  const filesOf = (p: ReturnType<typeof pipelineOf>) => Object.entries(p.files).map(([name, text]) => ({ name, text }));
  const rbacFixture = join(REPO, 'test/chart/fixtures/rbac/collect_own_pod_logs.alloy');
  const pipelines = [
    { id: 'legacy', files: folderFiles(legacy), stability: legacyLevel },
    { id: 'central', files: filesOf(pipelineOf(1)), stability: centralLevel },
  ];
  const cases: OracleCase[] = [
    ...pipelines,
    { id: 'central clustered', files: filesOf(pipelineOf(2)), stability: centralLevel },
    { id: rel(assets), files: folderFiles(assets), stability: centralLevel },
    { id: rel(kubernetes), files: folderFiles(kubernetes), stability: centralLevel },
    {
      id: `${rel(assets)} + ${rel(rbacFixture)}`,
      files: [...folderFiles(assets), { name: 'collect_own_pod_logs.alloy', text: readFileSync(rbacFixture, 'utf8') }],
      stability: centralLevel,
    },
  ];
  return { cases, pipelines };
}

describeReal(SUITE, () => {
  let binary: string;
  let release: string;
  beforeAll(() => {
    const built = realAlloyBinary(testAlloyRelease().release);
    binary = built.binary;
    release = built.version;
  }, COLD_BUILD_TIMEOUT_MS);

  test('the judge is the real program: validate accepts a valid config and refuses a wrong one with its position', async () => {
    const ok = await alloyValidate(binary, {
      id: 'ok',
      files: [{ name: 'a.alloy', text: 'prometheus.exporter.self "x" { }\n' }],
      stability: 'generally-available',
    });
    expect(ok).toEqual({ valid: true, errors: [] });
    const bad = await alloyValidate(binary, {
      id: 'bad',
      files: [{ name: 'a.alloy', text: '\nprometheus.exporter.self "x" {\n  no_such = 1\n}\n' }],
      stability: 'generally-available',
    });
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]).toMatchObject({ file: 'a.alloy', line: 3, column: 3 });
    expect(bad.errors[0].message).toMatch(/no_such/);
  });

  test(
    "the project's pipelines and fixtures: the same verdicts",
    async () => {
      const outcomes = await judge(binary, release, projectCases(release).cases);
      // The deployed pipelines are valid for both: a disagreement here would be a deploy refused or let through.
      for (const o of outcomes.slice(0, 2))
        expect({ id: o.id, validate: o.validate, lint: o.lint.errors }).toEqual({
          id: o.id,
          validate: { valid: true, errors: [] },
          lint: [],
        });
      const { unexplained, stale } = compare('project', outcomes);
      expect(unexplained).toEqual([]);
      expect(stale).toEqual([]);
    },
    CORPUS_TIMEOUT_MS,
  );

  test(
    "seeded mutations of the project's pipelines: the same verdicts",
    async () => {
      const cases: OracleCase[] = [];
      for (const p of projectCases(release).pipelines) {
        const declared = declaredComponents(p.files);
        for (const f of p.files) {
          for (const m of mutationsOf(f.name, f.text, declared)) {
            cases.push({
              id: `${p.id}/${m.id}`,
              files: p.files.map((g) => (g === f ? { name: g.name, text: m.text } : g)),
              stability: p.stability,
            });
          }
        }
      }
      // Every kind is seeded somewhere: a pipeline change that leaves a kind without a site must be noticed.
      for (const kind of MUTATION_KINDS) expect(cases.some((c) => c.id.includes(`#${kind}@`))).toBe(true);
      const outcomes = await judge(binary, release, cases);
      const { unexplained, stale } = compare('mutations', outcomes);
      expect(unexplained).toEqual([]);
      expect(stale).toEqual([]);
    },
    CORPUS_TIMEOUT_MS,
  );

  describeNeeding({ paths: [DOCS] }, `${SUITE}: the docs examples (../shared/alloy/examples/docs-snippets)`, () => {
    test(
      'the same verdicts on every example, at the experimental level (so every component is judged)',
      async () => {
        const names = readdirSync(DOCS)
          .filter((f) => f.endsWith('.alloy'))
          .sort();
        const cases: OracleCase[] = names.map((name) => ({
          id: name,
          files: [{ name, text: readFileSync(join(DOCS, name), 'utf8') }],
          stability: 'experimental',
        }));
        const outcomes = await judge(binary, release, cases);
        const { unexplained, stale } = compare('docs', outcomes);
        expect(unexplained).toEqual([]);
        expect(stale).toEqual([]);
      },
      CORPUS_TIMEOUT_MS,
    );
  });
});
