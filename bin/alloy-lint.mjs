#!/usr/bin/env node
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../build/lib/alloy/cli.js').main(process.argv);
