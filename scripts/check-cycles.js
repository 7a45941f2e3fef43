#!/usr/bin/env node
// Fails when files of a crate, or of the TypeScript facade, import each other
// in a circle. Each .rs file's `crate::a::b` paths (in `use` lines and inline)
// are edges to the file that holds the module; the names lib.rs re-exports
// from sys/ (constants, netdb, signals) count as their files under sys/unix/.
// Each .ts file's relative imports (type-only ones too) are edges to the files
// they name. A circle is a strongly connected set of two or more files; each is
// printed with its edges.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const CRATES = ['crates/core/src', 'crates/node/src'];
const REEXPORTED = { constants: 'sys/unix/constants.rs', netdb: 'sys/unix/netdb.rs', signals: 'sys/unix/signals.rs' };

/** Every .rs file under `dir`, by its path relative to `dir`, with its text less its tests. */
function sources(dir, rel = '') {
  const out = new Map();
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const p = path.posix.join(rel, entry.name);
    if (entry.isDirectory()) for (const [k, v] of sources(dir, p)) out.set(k, v);
    else if (p.endsWith('.rs')) out.set(p, fs.readFileSync(path.join(dir, p), 'utf8').replace(/#\[cfg\(test\)\]\s*mod tests \{[\s\S]*/, ''));
  }
  return out;
}

/** The file holding the longest prefix of a module path that names one. */
function fileOf(files, segments, reexported) {
  if (reexported && segments[0] in REEXPORTED) return REEXPORTED[segments[0]];
  for (let n = segments.length; n > 0; n--) {
    const base = segments.slice(0, n).join('/');
    for (const f of [`${base}.rs`, `${base}/mod.rs`]) if (files.has(f)) return f;
  }
  return null;
}

/** The edges of each file. */
function edges(files, reexported) {
  const out = new Map();
  for (const [file, text] of files) {
    const to = new Set();
    const paths = [...text.matchAll(/crate::((?:\w+::)*\w+)/g)].map((m) => m[1].split('::'));
    for (const m of text.matchAll(/use crate::\{([^}]*)\}/g)) {
      for (const part of m[1].split(',')) if (part.trim()) paths.push(part.trim().split('::'));
    }
    for (const segments of paths) {
      const target = fileOf(files, segments, reexported);
      if (target && target !== file) to.add(target);
    }
    out.set(file, to);
  }
  return out;
}

/** Tarjan's strongly connected components of two or more files. */
function circles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

/** The facade's files (ts/, relative paths) and the files each imports. */
function tsGraph(dir) {
  const files = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk('');
  const graph = new Map();
  for (const file of files) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const to = new Set();
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.[^']*)'/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
      for (const f of [`${target}.ts`, `${target}/index.ts`]) if (files.includes(f) && f !== file) to.add(f);
    }
    graph.set(file, to);
  }
  return graph;
}

const GRAPHS = [
  ...CRATES.map((crate) => [crate, edges(sources(path.join(root, crate)), crate === 'crates/core/src')]),
  ['ts', tsGraph(path.join(root, 'ts'))],
];
let failed = false;
for (const [name, graph] of GRAPHS) {
  for (const component of circles(graph)) {
    failed = true;
    console.log(`${name}: files import each other in a circle:`);
    for (const f of component) console.log(`  ${f} -> ${[...graph.get(f)].filter((t) => component.includes(t)).sort().join(' ')}`);
  }
}
if (!failed) console.log(`check:cycles: no circles in ${GRAPHS.map(([name]) => name).join(', ')}`);
process.exitCode = failed ? 1 : 0;
