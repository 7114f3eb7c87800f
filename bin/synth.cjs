#!/usr/bin/env node
// `npm run synth`: the cdk8s app (main.ts), run from its compiled form (see scripts/compiled.cjs).
require('../scripts/compiled.cjs').requireCompiled('main.ts');
