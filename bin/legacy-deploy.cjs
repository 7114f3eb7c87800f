#!/usr/bin/env node
require('./built.cjs').requireBuilt('legacy/cli.ts').main(process.argv);
