#!/usr/bin/env node
// The `bsdsock` command: see `bsdsock --help`. The CLI is compiled from ts/cli/.
'use strict';
require('../dist/cjs/cli/main.js').run();
