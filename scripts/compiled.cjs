// Runs the project's TypeScript entry points as plain JavaScript from build/. Loading them through tsx costs
// more than the whole budget of `legacy-deploy --help` and doubles `npm run synth`, so sources are transpiled
// once with esbuild (one file at a time, like `isolatedModules`) and again only when a source is newer than its
// output. Type checking stays with `npm run typecheck`.
'use strict';
const { mkdirSync, readdirSync, statSync, writeFileSync, readFileSync, copyFileSync, utimesSync } = require('node:fs');
const { basename, dirname, join, relative } = require('node:path');

const root = join(__dirname, '..');
const outRoot = join(root, 'build');
const sourceDirs = ['alloy-lint', 'lib', 'imports', 'legacy'];

function* sources() {
  yield join(root, 'main.ts');
  for (const dir of sourceDirs) yield* walk(join(root, dir));
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) || entry.name.endsWith('.json')) yield path;
  }
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Marks when build/ was last brought up to date (set to when that check started, so that a source saved during
 * the build still counts as newer): when no source is newer, one stat per source suffices, not two.
 */
const stamp = join(outRoot, '.up-to-date');

/** Transpiles every source newer than its output; returns how many were written. */
function ensureBuilt() {
  const checkedAt = new Date();
  const all = [...sources()];
  const upToDate = mtime(stamp);
  if (upToDate >= 0 && all.every((source) => mtime(source) <= upToDate)) return 0;
  let esbuild;
  let written = 0;
  for (const source of all) {
    const out = join(outRoot, relative(root, source)).replace(/\.ts$/, '.js');
    if (mtime(out) >= mtime(source)) continue;
    mkdirSync(dirname(out), { recursive: true });
    if (source.endsWith('.json')) {
      copyFileSync(source, out);
    } else {
      esbuild ??= require('esbuild');
      // The map in a file of its own, not inline: every run reads each module it loads, and inline maps double
      // the bytes (node reads the map only with --enable-source-maps).
      const { code, map } = esbuild.transformSync(readFileSync(source, 'utf8'), {
        loader: 'ts',
        format: 'cjs',
        target: 'node20',
        sourcefile: source,
        sourcemap: 'external',
      });
      writeFileSync(`${out}.map`, map);
      writeFileSync(out, `${code}//# sourceMappingURL=${basename(out)}.map\n`);
    }
    written++;
  }
  mkdirSync(outRoot, { recursive: true });
  writeFileSync(stamp, '');
  utimesSync(stamp, checkedAt, checkedAt);
  return written;
}

/** Loads the compiled module of a source path relative to the repo root, e.g. `legacy/cli.ts`. */
function requireCompiled(sourcePath) {
  ensureBuilt();
  return require(join(outRoot, sourcePath.replace(/\.ts$/, '.js')));
}

module.exports = { ensureBuilt, requireCompiled };

if (require.main === module) process.stdout.write(`build/: ${ensureBuilt()} file(s) transpiled\n`);
