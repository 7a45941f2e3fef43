'use strict';
// Compiling the benchmark's C: the C programs (bench/c) and the floor's no-op
// addon (bench/floor/floor.c), into a temporary folder, with the system's cc.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const HERE = __dirname;

function cc(args, what) {
  const result = spawnSync('cc', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`cc: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`cc ${what} failed:\n${result.stderr}`);
}

// The C programs, by name: their paths in `dir`.
function compileC(dir) {
  const bins = {};
  for (const name of ['bench', 'sender', 'echo_server', 'epoll_echo', 'burst', 'waits', 'echo_clients', 'udp_echo', 'late_peer']) {
    bins[name] = path.join(dir, name);
    cc(['-O2', '-Wall', '-pthread', '-o', bins[name], path.join(HERE, 'c', `${name}.c`)], `${name}.c`);
  }
  return bins;
}

// The floor's no-op addon, built against this node's own headers: its path, or null (the reason printed).
function compileFloor(dir) {
  const include = path.join(path.dirname(path.dirname(process.execPath)), 'include', 'node');
  if (!fs.existsSync(path.join(include, 'node_api.h'))) {
    console.log(`  floor: no node_api.h in ${include}; the others still run`);
    return null;
  }
  const out = path.join(dir, 'floor.node');
  cc(['-O2', '-Wall', '-shared', '-fPIC', '-I', include, '-o', out, path.join(HERE, 'floor', 'floor.c')], 'floor/floor.c');
  return out;
}

module.exports = { compileC, compileFloor };
