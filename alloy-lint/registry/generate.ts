/**
 * `npm run registry`: reads Alloy releases from their own Go sources (tools/registry, run with the user's Go) and
 * writes alloy-lint/registry/go/<release>.json, the merged registry.go.json and the docs-vs-Go report.
 *
 * Usage:
 *   npm run registry                              every release alloy-lint/registry/go/ has, read again
 *   npm run registry -- v1.19.2                   add (or read again) one release, from the Go module proxy
 *   npm run registry -- v1.12.2 --checkout DIR    one release from a git checkout of grafana/alloy at its tag
 *   npm run registry -- --merge                   no Go: merge the per-release files and write the report only
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type RegistryData, renderRegistry } from './build-registry';
import { DOCS_VS_GO_FILE, docsVsGoReport } from './docs-vs-go';
import {
  buildGoRegistry,
  GO_REGISTRY_FILE,
  GO_RELEASES_DIR,
  type GoOutput,
  readGoReleases,
  releaseDataOf,
  renderReleaseData,
} from './go-registry';
import { Registry } from './registry';
import { parseVersion } from './versions';

const TOOL_DIR = resolve(__dirname, '../../tools/registry');
/** The docs-derived registry: the linter's data until the switch, and the standard library's names. */
const DOCS_REGISTRY_FILE = join(__dirname, 'registry.data.json');

interface Args {
  releases: string[];
  checkout?: string;
  mergeOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const out: Args = { releases: [], mergeOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--merge') out.mergeOnly = true;
    else if (a === '--checkout') {
      const dir = argv[++i];
      if (dir === undefined) throw new UserError('--checkout needs a directory (a git checkout of grafana/alloy)');
      out.checkout = resolve(dir);
    } else if (parseVersion(a) !== undefined && /^v?\d+\.\d+\.\d+$/.test(a)) {
      out.releases.push(a.startsWith('v') ? a : `v${a}`);
    } else
      throw new UserError(`unknown argument "${a}" (expected a release such as v1.19.2, --checkout DIR or --merge)`);
  }
  if (out.checkout !== undefined && out.releases.length !== 1) {
    throw new UserError('--checkout reads one release: name it, e.g. npm run registry -- v1.12.2 --checkout DIR');
  }
  return out;
}

class UserError extends Error {}

/** Runs tools/registry for one release: its JSON, and how long it took. */
export function readRelease(release: string, checkout?: string): { output: GoOutput; seconds: number } {
  const started = process.hrtime.bigint();
  const args = ['run', '.', '-release', release, ...(checkout !== undefined ? ['-checkout', checkout] : [])];
  const run = spawnSync('go', args, { cwd: TOOL_DIR, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.error !== undefined) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UserError(
      missing
        ? 'needs Go (1.22 or newer) on PATH to read Alloy releases from their sources; install Go, or run it with --merge to merge the committed per-release files only'
        : `go run tools/registry: ${run.error.message}`,
    );
  }
  if (run.status !== 0) {
    // `go run` adds "exit status 1" after the tool's own one-line message.
    const lines = run.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^exit status \d+$/.test(l));
    throw new UserError(lines.pop() ?? `tools/registry failed for ${release}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { output: JSON.parse(run.stdout) as GoOutput, seconds };
}

function main(argv: string[]): void {
  const args = parseArgs(argv);
  mkdirSync(GO_RELEASES_DIR, { recursive: true });
  if (!args.mergeOnly) {
    const wanted = args.releases.length > 0 ? args.releases : readGoReleases().map((r) => r.source.release as string);
    if (wanted.length === 0) throw new UserError('no release named and none in alloy-lint/registry/go/: name one');
    for (const release of wanted) {
      const { output, seconds } = readRelease(release, args.checkout);
      const file = join(GO_RELEASES_DIR, `${release}.json`);
      writeFileSync(file, renderReleaseData(releaseDataOf(output)));
      const gaps = output.problems.length + output.unknownTypes.length;
      process.stdout.write(
        `${release}: ${Object.keys(output.components).length} components from ${output.source.kind} ${output.source.version ?? output.source.commit ?? ''} in ${seconds.toFixed(1)} s${gaps > 0 ? ` (${gaps} gaps listed in the file)` : ''}\n`,
      );
    }
  }
  const docs = JSON.parse(readFileSync(DOCS_REGISTRY_FILE, 'utf8')) as RegistryData;
  const data = buildGoRegistry(readGoReleases(), docs.stdlib);
  const text = renderRegistry(data);
  writeFileSync(GO_REGISTRY_FILE, text);
  process.stdout.write(`wrote ${GO_REGISTRY_FILE} (${Buffer.byteLength(text)} bytes)\n`);
  const report = docsVsGoReport(new Registry(docs), new Registry(data));
  writeFileSync(DOCS_VS_GO_FILE, report);
  process.stdout.write(`wrote ${DOCS_VS_GO_FILE}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    process.stderr.write(`npm run registry: ${e.message}\n`);
    process.exit(1);
  }
}
