#!/usr/bin/env node
// The `bsdsock` command: see `bsdsock --help`. The CLI is compiled from ts/cli/.
'use strict';
const path = require('node:path');

const main = path.join(__dirname, '../dist/cjs/cli/main.js');
let cli;
try {
  cli = require(main);
} catch (err) {
  // A clone where the TypeScript has not been built yet: say how to build it.
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(main)) {
    process.stderr.write(`bsdsock: ${main} is not built: run 'npm install' (or 'npm run build:ts') in ${path.join(__dirname, '..')}\n`);
    process.exit(70);
  }
  throw err;
}
cli.run();
