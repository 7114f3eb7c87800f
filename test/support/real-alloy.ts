/**
 * The real Alloy for the tests: the binary and image of tools/alloy, built on demand from the Go module proxy (once;
 * then cached), and the gate for suites that need it. Go is not a Debian package here (Debian's golang-go is older
 * than any Alloy release needs), so the gate names Go itself; like ../shared, a missing Go is a skip on a
 * developer's machine (one summary line) and an error under CI, whose machines have Go.
 */
import { spawnSync } from 'node:child_process';
import { type AlloyImage, ensureAlloyImage } from '../../tools/alloy/alloy-image';
import { type AlloyBinary, AlloyBuildError, ensureAlloyBinary, releaseToBuild } from '../../tools/alloy/build-alloy';
import { findProgram, noteSkip } from './requirements';

/** The release the real-Alloy suites run, and why when it is not the stacks' pin (tools/alloy/build-alloy.ts). */
export function testAlloyRelease(): { release: string; note?: string } {
  return releaseToBuild();
}

/** Why the real Alloy cannot be built here, or undefined when it can. */
export function realAlloyMissing(): string | undefined {
  if (findProgram('go') === null) return 'Go is not installed (the real Alloy is built from the Go module proxy)';
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (r.status !== 0) return `go env GOVERSION failed: ${r.stderr.trim()}`;
  return undefined;
}

/**
 * Whether `suite` can run on the real Alloy here. When not: an error under CI, else a note for the summary line and
 * false (the caller skips).
 */
export function realAlloyAvailable(suite: string): boolean {
  const missing = realAlloyMissing();
  if (missing === undefined) return true;
  if (process.env.CI) throw new Error(`${suite}: ${missing}. CI is set, so this is an error, not a skip.`);
  noteSkip(suite, missing);
  return false;
}

/** How long a first (cold) build may take in a test's beforeAll: Go fetches ~1,000 modules and compiles them. */
export const COLD_BUILD_TIMEOUT_MS = 60 * 60 * 1000;

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** The real Alloy binary of the test release (or `requested`), built once; throws a one-line error when it cannot be. */
export function realAlloyBinary(requested = testAlloyRelease().release): AlloyBinary {
  try {
    return ensureAlloyBinary(requested, progress);
  } catch (e) {
    if (e instanceof AlloyBuildError) throw new Error(`the real Alloy ${requested} cannot be built: ${e.message}`);
    throw e;
  }
}

/** The real Alloy image file system of the test release (or `requested`). */
export async function realAlloyImage(requested = testAlloyRelease().release): Promise<AlloyImage> {
  try {
    return await ensureAlloyImage(requested, progress);
  } catch (e) {
    if (e instanceof AlloyBuildError) throw new Error(`the real Alloy ${requested} cannot be built: ${e.message}`);
    throw e;
  }
}
