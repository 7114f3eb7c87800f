/**
 * The real Alloy for the tests: the binary and image of tools/alloy, built on demand from the Go module proxy (once;
 * then cached), and the gate for suites that need it. Go is not a Debian package here (Debian's golang-go is older
 * than any Alloy release needs), so the gate names Go itself; like ../shared, a missing Go is a skip on a
 * developer's machine (one summary line) and an error under CI, whose machines have Go.
 */
import { spawnSync } from 'node:child_process';
import { type AlloyImage, ensureAlloyImage } from '../../tools/alloy/alloy-image';
import {
  type AlloyBinary,
  AlloyBuildError,
  ensureAlloyBinary,
  pinnedAlloyRelease,
  proxyServes,
} from '../../tools/alloy/build-alloy';
import { findProgram, SKIP_NOTES } from './requirements';

/**
 * The release the suites run when the Go module proxy does not serve the stacks' pin. The goal stays the pin
 * (v1.10.1 today), which the proxy here refuses (403). Its sibling v1.10.0 is served but cannot be built from the
 * proxy: its code imports `syntax/typecheck`, which the `syntax v0.1.0` its go.mod requires lacks; the syntax module
 * of its own commit (a pseudo-version) is refused too, and `syntax v0.1.1` changed `typecheck.TryUnwrapBlockAttr`, so
 * `internal/validator` does not compile (measured: after 64 minutes of building, the only failing package). v1.11.0
 * is the nearest release that builds: its code matches `syntax v0.1.1`, and its module has the `alloy` main package
 * (from v1.13 on, upstream builds the binary from a separate `collector/` module the proxy does not serve).
 */
export const FALLBACK_RELEASE = 'v1.11.0';

/**
 * The release the real-Alloy suites run, and why when it is not the stacks' pin (said once by the caller). Asking
 * the proxy costs one request; a refusal answers at once.
 */
export function testAlloyRelease(): { release: string; note?: string } {
  const pin = pinnedAlloyRelease();
  if (proxyServes(pin)) return { release: pin };
  return {
    release: FALLBACK_RELEASE,
    note: `the Go module proxy does not serve the pinned Alloy ${pin}: the suites run the real ${FALLBACK_RELEASE}, the nearest release that builds from it (test/support/real-alloy.ts says why not v1.10.0)`,
  };
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
  const notes = process.env[SKIP_NOTES];
  if (notes) {
    const { writeFileSync } = require('node:fs') as typeof import('node:fs');
    const { join } = require('node:path') as typeof import('node:path');
    writeFileSync(
      join(notes, `${process.pid}-${Date.now()}-go.json`),
      JSON.stringify({ suite, packages: [], root: false, paths: [], other: missing }),
    );
  } else process.stderr.write(`*** SKIPPED ${suite}: ${missing}\n`);
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
