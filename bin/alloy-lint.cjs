#!/usr/bin/env node
// In this project, each pipeline folder is judged by the release its stack file pins (lib/pipeline-releases.ts).
require('./built.cjs')
  .requireBuilt('lib/pipeline-releases.ts')
  .lintMain(process.argv, require('node:path').join(__dirname, '..'));
