#!/usr/bin/env node
require('./built.cjs').requireBuilt('lib/alloy/cli.ts').main(process.argv);
