#!/usr/bin/env node
// Keeps the exports objects of the CommonJS build in V8's fast mode, their
// properties plain data. TypeScript declares every export first
// (`exports.a = exports.b = void 0;`) and then makes each re-export
// (`export { a } from './x'`) an accessor with Object.defineProperty.
// Redefining a data property as an accessor puts the object in dictionary
// mode, where every `module.name` load in a hot path is a generic lookup, and
// an accessor costs a getter call per load even in fast mode (`aio.sock_recv`
// in a user's loop). This drops the re-exported names from the declaration
// line and assigns each re-export its value: nothing in ts/ reassigns an
// export, and no module the entry points re-export from requires them back
// (test/smoke.test.ts checks every exports object, and that a re-export is the
// value it names).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const DECLARATION = /^exports\.[\w$]+ = (?:exports\.[\w$]+ = )*void 0;$/;
const ACCESSOR = /^Object\.defineProperty\(exports, "([\w$]+)", \{ enumerable: true, get: function \(\) \{ return ([\w$]+)\.([\w$]+); \} \}\);$/;

function rewrite(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const matches = lines.map((l) => ACCESSOR.exec(l));
  const accessors = new Set(matches.filter(Boolean).map((m) => m[1]));
  if (accessors.size === 0) return;
  const out = [];
  for (const [i, line] of lines.entries()) {
    const accessor = matches[i];
    if (accessor) {
      out.push(`exports.${accessor[1]} = ${accessor[2]}.${accessor[3]};`);
      continue;
    }
    if (!DECLARATION.test(line)) {
      out.push(line);
      continue;
    }
    const names = [...line.matchAll(/exports\.([\w$]+) = /g)].map((m) => m[1]).filter((n) => !accessors.has(n));
    if (names.length > 0) out.push(`${names.map((n) => `exports.${n} = `).join('')}void 0;`);
  }
  fs.writeFileSync(file, out.join('\n'));
}

function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full);
    else if (entry.name.endsWith('.js')) rewrite(full);
  }
}

walk(path.join(__dirname, '..', 'dist', 'cjs'));
