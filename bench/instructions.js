'use strict';
// The instructions a round trip of `audp` (two tasks of one process
// ping-ponging UDP datagrams, see run.js) costs in user space, per
// implementation, counted by valgrind (cachegrind without its cache
// simulation). Unlike a time, a count does not move with the machine's speed
// from one run to the next, so it shows a change of a few percent that the
// timed runs' noise hides. The kernel's part (the syscalls) is not counted;
// bsdsock and the floors make the same syscalls, node:dgram two more (a
// receive after each datagram, which finds nothing).
//
// Each program runs twice, with SHORT and with LONG round trips after the same
// warm-up; the difference of the two counts over the difference of the round
// trips leaves out start-up, warm-up and the optimizing compiler's first work.
//
//   npm run bench:instructions [-- SHORT LONG]   (default 10000 50000; a few minutes)

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { compileFloor } = require('./compile');

const HERE = __dirname;
const WARMUP = 5000;

const IMPLS = [
  { label: 'bsdsock/asyncio, two tasks', file: ['bsdsock', 'async.js'], arg: 'audp' },
  { label: "event-loop floor with asyncio's call shapes", file: ['floor', 'loop.js'], arg: 'audp-api', floor: true },
  { label: 'event-loop floor: uv_poll + one promise per receive', file: ['floor', 'loop.js'], arg: 'audp', floor: true },
  { label: 'node:dgram', file: ['node', 'bench.js'], arg: 'udp-pair' },
];

// The user-space instructions of one run of `impl` with `rounds` round trips.
function instructions(impl, rounds, env) {
  const args = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, path.join(HERE, ...impl.file), impl.arg, String(rounds), String(WARMUP)];
  const result = spawnSync('valgrind', args, { encoding: 'utf8', env });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(result.stderr ?? '');
  if (result.status !== 0 || refs === null) throw new Error(`${impl.label}: valgrind failed (exit ${result.status})\n${result.stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}

function main([short = 10000, long = 50000] = []) {
  const [a, b] = [Number(short), Number(long)];
  if (!(Number.isInteger(a) && Number.isInteger(b) && a > 0 && b > a)) throw new Error('usage: instructions.js [SHORT LONG], 0 < SHORT < LONG');
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-instructions-'));
  try {
    const floor = compileFloor(dir);
    console.log(`audp: user-space instructions per round trip (valgrind, ${b} - ${a} round trips)`);
    const rows = [];
    for (const impl of IMPLS) {
      if (impl.floor && floor === null) continue;
      const env = { ...process.env, BENCH_FLOOR_ADDON: floor ?? '' };
      rows.push({ label: impl.label, perRound: (instructions(impl, b, env) - instructions(impl, a, env)) / (b - a) });
    }
    const node = rows.find((r) => r.label === 'node:dgram');
    for (const r of rows) {
      const vsNode = node && r !== node ? `${(node.perRound / r.perRound).toFixed(2)}x fewer than node:dgram` : '';
      console.log(`  ${r.label.padEnd(54)} ${Math.round(r.perRound).toLocaleString('en-US').padStart(8)}   ${vsNode}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2));
