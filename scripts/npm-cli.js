// npm's own CLI script (npm-cli.js), so that npm can be run by this Node
// (`node npm-cli.js ...`) on any OS, with no shell and no npm on PATH.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The path of npm-cli.js: the npm running us (npm_execpath), else the npm installed beside `node` (this Node by default). */
function npmCli(node = process.execPath) {
  const nodeDir = path.dirname(node);
  const candidates = [
    node === process.execPath ? process.env.npm_execpath : undefined,
    path.join(nodeDir, '../lib/node_modules/npm/bin/npm-cli.js'), // Unix installs
    path.join(nodeDir, 'node_modules/npm/bin/npm-cli.js'), // Windows installs
  ];
  const found = candidates.find((p) => p && /npm-cli\.js$/.test(p) && fs.existsSync(p));
  if (!found) throw new Error(`npm-cli.js not found (looked at ${candidates.filter(Boolean).join(', ')})`);
  return found;
}

module.exports = { npmCli };
