#!/usr/bin/env node
// CommonJS, not ESM: an ESM entry point starts Node's module loader too, which costs every run a few milliseconds.
require('../scripts/compiled.cjs').requireCompiled('alloy-lint/cli/cli.ts').main(process.argv);
