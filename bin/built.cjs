// The bins and `npm run synth` run the JavaScript that `npm run build` (tsc -p tsconfig.build.json, run by
// `prepare`, so by every `npm ci`) writes into build/. A source newer than its compiled file means build/ is
// stale: running it would deploy or synthesize yesterday's code, so refuse with the one command that fixes it.
// CommonJS, not ESM: an ESM entry point starts Node's module loader too, which costs every run a few milliseconds.
'use strict';
const { readdirSync, statSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const repoRoot = join(__dirname, '..');

/** The source files tsconfig.build.json compiles: its `include` patterns are `<file>.ts` or `<folder>/**\/*.ts`. */
function* sources(root) {
  const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8'));
  for (const pattern of include) {
    if (pattern.endsWith('/**/*.ts')) yield* tsFilesUnder(join(root, pattern.slice(0, -'/**/*.ts'.length)));
    else yield join(root, pattern);
  }
}

function* tsFilesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* tsFilesUnder(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** The first source whose compiled file is missing or older than it, or undefined when build/ is current. */
function staleSource(root = repoRoot) {
  for (const source of sources(root)) {
    const compiled = join(root, 'build', relative(root, source)).replace(/\.ts$/, '.js');
    if (mtimeMs(compiled) < mtimeMs(source)) return relative(root, source);
  }
  return undefined;
}

/** Loads build/<sourcePath as .js>, e.g. `legacy/cli.ts`; exits 1 with one line when build/ is stale. */
function requireBuilt(sourcePath) {
  const stale = staleSource();
  if (stale !== undefined) {
    process.stderr.write(`${stale} is newer than build/ (or not compiled yet): run \`npm run build\` first\n`);
    process.exit(1);
  }
  return require(join(repoRoot, 'build', sourcePath.replace(/\.ts$/, '.js')));
}

module.exports = { requireBuilt, staleSource };
