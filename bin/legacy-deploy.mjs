#!/usr/bin/env node
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('../scripts/compiled.cjs').requireCompiled('legacy/cli.ts').main(process.argv);
