#!/usr/bin/env node
// Runs the compiled CLI (built by `npm run build`, which `npm ci` runs as `prepare`): loading TypeScript through
// tsx would cost more than the whole `--help` budget.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../build/legacy/cli.js').main(process.argv);
