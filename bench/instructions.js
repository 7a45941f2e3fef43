'use strict';
// User-space instructions per round trip, per implementation, counted by
// valgrind (cachegrind without its cache simulation). Unlike a time, a count
// does not move with the machine's speed from one run to the next, so it shows
// a change of a few percent that the timed runs' noise hides. The kernel's part
// (the syscalls) is not counted.
//
// - `audp`: two tasks of one process ping-ponging UDP datagrams (see run.js).
//   bsdsock and the floors make as many syscalls, node:dgram two more (a
//   receive after each datagram, which finds nothing). bsdsock's second looks
//   for ready fds (crates/node/src/repoll.rs) make most of its epoll calls an
//   epoll_wait that does not wait, and spare the loop's turns between them; the
//   row with BSDSOCK_LOOKS=0 shows it without them, a turn for each datagram.
// - `dping`, `arr`: a DatagramProtocol pinging, and sock_sendall/sock_recv
//   asking, an echo server in its own process: the client's instructions.
// - `prr`: the callback echo servers of `prr` (a Protocol, the floor's uv_poll
//   callback, a net server) under a request/response client in its own
//   process: the server's instructions per request.
// Their peers (c/late_peer.c, not counted) answer 0.5 ms late: under valgrind
// the measured program is so slow that a prompt peer would have answered before
// it looks, and every receive would find its data at once, a path the timed
// runs seldom take. So these round trips are fewer (a fifth of SHORT and LONG). In
// each, bsdsock, the floor and node make one send and one receive a round
// trip; bsdsock's receive in `dping` is a recvmmsg.
//
// Each program runs twice, with SHORT and with LONG round trips after the same
// warm-up; the difference of the two counts over the difference of the round
// trips leaves out start-up, warm-up and the optimizing compiler's first work.
// Node runs with --single-threaded: the compiler's and the garbage collector's
// work is then done on the main thread, where valgrind counts it in the same
// order every run (with their helper threads, counts moved by about 5%). And
// with --no-memory-reducer: V8's memory reducer collects garbage on a timer (8 s
// after a collection), so a run the machine slowed down would count more of its
// collections than a faster one, whatever its round trips (a loaded CI machine
// once made a short run count more than the long one).
//
//   npm run bench:instructions [-- SHORT LONG [WARMUP]]   (default 10000 50000 5000; about ten minutes)
//   BENCH_ONLY=audp,prr npm run bench:instructions        (some of the workloads, by id)

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { compileC, compileFloor } = require('./compile');

const HERE = __dirname;

const WORKLOADS = [
  {
    id: 'audp',
    title: 'audp: user-space instructions per round trip',
    versus: 'node:dgram',
    impls: [
      { label: 'bsdsock/asyncio, two tasks', file: ['bsdsock', 'async.js'], arg: 'audp' },
      // Without the second looks for ready fds before a turn ends (crates/node/src/repoll.rs): a turn a datagram.
      { label: 'bsdsock/asyncio, BSDSOCK_LOOKS=0', file: ['bsdsock', 'async.js'], arg: 'audp', env: { BSDSOCK_LOOKS: '0' } },
      { label: "event-loop floor with asyncio's call shapes", file: ['floor', 'loop.js'], arg: 'audp-api', floor: true },
      { label: 'event-loop floor: uv_poll + one promise per receive', file: ['floor', 'loop.js'], arg: 'audp', floor: true },
      { label: 'node:dgram', file: ['node', 'bench.js'], arg: 'udp-pair' },
    ],
  },
  {
    id: 'dping',
    title: "dping: the client's user-space instructions per round trip, against a UDP echo server",
    versus: 'node:dgram',
    peer: 'udp-echo',
    impls: [
      { label: 'bsdsock/asyncio DatagramProtocol', file: ['bsdsock', 'events.js'], arg: 'dping' },
      { label: 'event-loop floor: uv_poll callback', file: ['floor', 'loop.js'], arg: 'dping', floor: true },
      { label: 'node:dgram', file: ['node', 'events.js'], arg: 'dping' },
    ],
  },
  {
    id: 'arr',
    title: "arr: the client's user-space instructions per round trip, against a TCP echo server",
    versus: 'node:net',
    peer: 'tcp-echo',
    impls: [
      { label: 'bsdsock/asyncio sock_sendall + sock_recv', file: ['bsdsock', 'async.js'], arg: 'arr' },
      { label: 'event-loop floor: uv_poll + one promise', file: ['floor', 'loop.js'], arg: 'arr', floor: true },
      { label: 'node:net', file: ['node', 'bench.js'], arg: 'rr' },
    ],
  },
  {
    id: 'prr',
    title: "prr: the echo server's user-space instructions per request, under a request/response client",
    versus: 'node:net server',
    peer: 'rr',
    server: true,
    impls: [
      { label: 'bsdsock/asyncio Protocol (create_server)', file: ['bsdsock', 'events.js'], arg: 'tcp-echo' },
      { label: 'event-loop floor: a uv_poll callback', file: ['floor', 'loop.js'], arg: 'techo', floor: true },
      { label: 'node:net server', file: ['node', 'events.js'], arg: 'tcp-echo' },
    ],
  },
];

// valgrind's command line for `impl`, and what it counted from its stderr.
function valgrindArgs(impl, ...args) {
  return ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', '--no-memory-reducer', path.join(HERE, ...impl.file), impl.arg, ...args.map(String)];
}
function counted(impl, status, stderr) {
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (refs === null) throw new Error(`${impl.label}: valgrind failed (exit ${status})\n${stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}

// Starts a program that prints its port on its first line, then serves: { child, port, stderr() }.
function started(argv, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (text) => (err += text));
    child.stdout.setEncoding('utf8').on('data', (text) => {
      out += text;
      if (out.includes('\n')) resolve({ child, port: out.trim().split('\n')[0], stderr: () => err });
    });
    child.on('error', reject);
    child.on('close', (status) => reject(new Error(`${path.basename(argv.at(-1))} ended before it printed its port (exit ${status})\n${err}`)));
  });
}

// Stops a started program; resolves once its stderr is all read.
function stopped(server) {
  return new Promise((resolve) => {
    server.child.on('close', () => resolve(server.stderr()));
    server.child.kill('SIGTERM');
  });
}

// The user-space instructions of one run of a client program making `rounds` round trips (to `port`).
function client(impl, rounds, warmup, env, port) {
  const result = spawnSync('valgrind', valgrindArgs(impl, rounds, warmup, ...(port ? [port] : [])), { encoding: 'utf8', env });
  if (result.status !== 0) throw new Error(`${impl.label}: valgrind failed (exit ${result.status})\n${result.stderr}`);
  return counted(impl, result.status, result.stderr);
}

// Late peers make a round trip last at least 0.5 ms: so fewer of them (the warm-up as many).
const LATE_SCALE = 5;

// The short and the long run's round trips for `workload`.
function roundsOf(workload, short, long) {
  return workload.peer ? [short, long].map((n) => Math.ceil(n / LATE_SCALE)) : [short, long];
}

// The user-space instructions of a server program, from its start until it is stopped once the late
// request/response client has made `warmup` and then `rounds` round trips to it. valgrind prints its count
// when the program ends, by the signal too.
async function server(impl, rounds, warmup, env, bins) {
  const served = await started(['valgrind', ...valgrindArgs(impl)], env);
  const peer = spawnSync(bins.late_peer, ['rr', String(warmup + rounds), served.port], { encoding: 'utf8' });
  const stderr = await stopped(served);
  if (peer.status !== 0) throw new Error(`${impl.label}: the client failed (exit ${peer.status})\n${peer.stderr}`);
  return counted(impl, 'by SIGTERM', stderr);
}

// Instructions per round trip: the difference of a long and a short run over the difference of their round trips.
async function perRound(workload, impl, [short, long, warmup], env, bins) {
  const [a, b] = roundsOf(workload, short, long);
  const count = async (rounds) => {
    if (workload.server) return server(impl, rounds, warmup, env, bins);
    if (!workload.peer) return client(impl, rounds, warmup, env);
    const peer = await started([bins.late_peer, workload.peer], env);
    try {
      return client(impl, rounds, warmup, env, peer.port);
    } finally {
      await stopped(peer);
    }
  };
  const per = ((await count(b)) - (await count(a))) / (b - a);
  // The compiler's work differs a little from run to run: over too few round trips, it outweighs theirs.
  if (per <= 0) throw new Error(`${impl.label}: the longer run counted no more than the shorter; give more round trips`);
  return per;
}

async function main([short = 10000, long = 50000, warm = 5000] = []) {
  const counts = [Number(short), Number(long), Number(warm)];
  const [a, b, warmup] = counts;
  if (![a, b, warmup].every(Number.isInteger) || a <= 0 || b <= a || warmup < 0) {
    throw new Error('usage: instructions.js [SHORT LONG [WARMUP]], 0 < SHORT < LONG, 0 <= WARMUP');
  }
  const only = process.env.BENCH_ONLY?.split(',') ?? WORKLOADS.map((w) => w.id);
  const unknown = only.filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: no workload ${unknown.join(', ')} (there are ${WORKLOADS.map((w) => w.id).join(', ')})`);
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-instructions-'));
  try {
    const bins = compileC(dir);
    const floor = compileFloor(dir);
    for (const [i, workload] of WORKLOADS.filter((w) => only.includes(w.id)).entries()) {
      const [x, y] = roundsOf(workload, a, b);
      console.log(`${i === 0 ? '' : '\n'}${workload.title} (valgrind, ${y} - ${x} round trips)`);
      const rows = [];
      for (const impl of workload.impls) {
        if (impl.floor && floor === null) continue;
        const env = { ...process.env, BENCH_FLOOR_ADDON: floor ?? '', ...impl.env };
        rows.push({ label: impl.label, perRound: await perRound(workload, impl, counts, env, bins) });
      }
      printRows(rows, workload.versus);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printRows(rows, versus) {
  const other = rows.find((r) => r.label === versus);
  for (const r of rows) {
    const vs = other && r !== other ? `${(other.perRound / r.perRound).toFixed(2)}x fewer than ${versus}` : '';
    console.log(`  ${r.label.padEnd(54)} ${Math.round(r.perRound).toLocaleString('en-US').padStart(8)}   ${vs}`);
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`bench:instructions: ${err.message}`);
  process.exitCode = 1;
});
