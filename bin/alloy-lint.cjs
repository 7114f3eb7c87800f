#!/usr/bin/env node
require('./built.cjs').requireBuilt('alloy-lint/cli/cli.ts').main(process.argv);
