#!/usr/bin/env node
// `npm run synth`: the cdk8s app (main.ts).
require('./built.cjs').requireBuilt('main.ts');
