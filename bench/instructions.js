'use strict';
// The instructions a round trip of `audp` (two tasks of one process
// ping-ponging UDP datagrams, see run.js) costs in user space, per
// implementation, counted by valgrind (cachegrind without its cache
// simulation). Unlike a time, a count does not move with the machine's speed
// from one run to the next, so it shows a change of a few percent that the
// timed runs' noise hides. The kernel's part (the syscalls) is not counted;
// bsdsock and the floors make as many syscalls, node:dgram two more (a
// receive after each datagram, which finds nothing). bsdsock's second looks
// for ready fds (crates/node/src/repoll.rs) make most of its epoll calls an
// epoll_wait that does not wait, and spare the loop's turns between them; the
// row with BSDSOCK_LOOKS=0 shows it without them, a turn for each datagram.
//
// Each program runs twice, with SHORT and with LONG round trips after the same
// warm-up; the difference of the two counts over the difference of the round
// trips leaves out start-up, warm-up and the optimizing compiler's first work.
// Node runs with --single-threaded: the compiler's and the garbage collector's
// work is then done on the main thread, where valgrind counts it in the same
// order every run (with their helper threads, counts moved by about 5%).
//
//   npm run bench:instructions [-- SHORT LONG [WARMUP]]   (default 10000 50000 5000; a few minutes)

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { compileFloor } = require('./compile');

const HERE = __dirname;

const IMPLS = [
  { label: 'bsdsock/asyncio, two tasks', file: ['bsdsock', 'async.js'], arg: 'audp' },
  // Without the second looks for ready fds before a turn ends (crates/node/src/repoll.rs): a turn a datagram.
  { label: 'bsdsock/asyncio, BSDSOCK_LOOKS=0', file: ['bsdsock', 'async.js'], arg: 'audp', env: { BSDSOCK_LOOKS: '0' } },
  { label: "event-loop floor with asyncio's call shapes", file: ['floor', 'loop.js'], arg: 'audp-api', floor: true },
  { label: 'event-loop floor: uv_poll + one promise per receive', file: ['floor', 'loop.js'], arg: 'audp', floor: true },
  { label: 'node:dgram', file: ['node', 'bench.js'], arg: 'udp-pair' },
];

// The user-space instructions of one run of `impl` with `rounds` round trips.
function instructions(impl, rounds, warmup, env) {
  const args = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', path.join(HERE, ...impl.file), impl.arg, String(rounds), String(warmup)];
  const result = spawnSync('valgrind', args, { encoding: 'utf8', env });
  const refs = /I\s+refs:\s+([\d,]+)/.exec(result.stderr ?? '');
  if (result.status !== 0 || refs === null) throw new Error(`${impl.label}: valgrind failed (exit ${result.status})\n${result.stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}

function main([short = 10000, long = 50000, warm = 5000] = []) {
  const [a, b, warmup] = [Number(short), Number(long), Number(warm)];
  if (![a, b, warmup].every(Number.isInteger) || a <= 0 || b <= a || warmup < 0) {
    throw new Error('usage: instructions.js [SHORT LONG [WARMUP]], 0 < SHORT < LONG, 0 <= WARMUP');
  }
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-instructions-'));
  try {
    const floor = compileFloor(dir);
    console.log(`audp: user-space instructions per round trip (valgrind, ${b} - ${a} round trips)`);
    const rows = [];
    for (const impl of IMPLS) {
      if (impl.floor && floor === null) continue;
      const env = { ...process.env, BENCH_FLOOR_ADDON: floor ?? '', ...impl.env };
      const perRound = (instructions(impl, b, warmup, env) - instructions(impl, a, warmup, env)) / (b - a);
      // The compiler's work differs a little from run to run: over too few round trips, it outweighs theirs.
      if (perRound <= 0) throw new Error(`${impl.label}: the longer run counted no more than the shorter; give more round trips`);
      rows.push({ label: impl.label, perRound });
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

try {
  main(process.argv.slice(2));
} catch (err) {
  console.error(`bench:instructions: ${err.message}`);
  process.exit(1);
}
