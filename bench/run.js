'use strict';
// Runs the benchmark: five workloads, each on four implementations (C,
// bsdsock, CPython's socket module, Node's node:dgram / node:net / node:dns),
// and prints a table per workload with each one's rate and its ratio to C and
// to CPython.
//
//   npm run bench
//
// Settings, from the environment:
//   BENCH_ROUNDS    round trips for the UDP and TCP request/response workloads
//                   (default 200000 for UDP, 100000 for TCP)
//   BENCH_BULK_MIB  MiB for the TCP bulk workload (default 2048)
//   BENCH_CALLS     getaddrinfo calls for the resolver workloads (default 200000
//                   for a numeric host, 50000 for localhost)
//   BENCH_DATAGRAMS datagrams for the UDP burst workload (default 2000000)
//   BENCH_REPEAT    runs of each program, in turn; the best is reported (default 3)
//   BENCH_ECHO_SECONDS  seconds of the concurrent echo workload (default 5)
//   BENCH_WAIT_CALLS    calls for the select, poll and epoll workloads (default 2000
//                   for select and poll, which scan 1,001 sockets a call, 200000 for epoll,
//                   1000000 for wouldblock)
//   BENCH_ONLY      workloads to run, comma-separated: udp,bulk,rr,gai,gai-localhost,burst,
//                   select,poll,epoll,wouldblock (C, bsdsock and CPython only),
//                   audp,arr,abulk,aecho (the async workloads: bsdsock/asyncio vs node:dgram/node:net),
//                   streams (bench/streams.js: stream and framed echoes vs node:net)
//   BENCH_IMPLS     implementations to run, comma-separated: c,bsdsock,cpython,node
//
// Every program runs alone in its own process, one after another. Each takes
// its own time with a monotonic clock after a short warm-up, and prints one
// JSON line per result. The C programs are compiled into a temporary folder.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const HERE = __dirname;
const ROOT = path.dirname(HERE);
const MIB = 1024 * 1024;
const TIMEOUT_MS = 10 * 60 * 1000;
const children = new Set();

// What the wait workloads wait on, the same in every implementation.
const WAIT_SOCKETS =
  'the same sockets in each: 500 socketpairs (1,000 idle sockets) and the read end of one more with a byte waiting; ' +
  'C and CPython have fds below 1024 (FD_SETSIZE, checked), bsdsock (node starts with ~20 fds open) up to ~1020';

const WORKLOADS = [
  {
    id: 'udp',
    title: (n) => `UDP ping-pong: 64-byte datagrams, two blocking sockets in one process, ${n} round trips`,
    notes: ['node:dgram runs the same ping-pong driven by its message events'],
    unit: 'round trips/s',
    count: (cfg) => cfg.udpRounds,
    warmup: (cfg) => warmupRounds(cfg.udpRounds),
    goal: { c: 0.9, cpython: 1.3 },
  },
  {
    id: 'bulk',
    title: (n) => `TCP bulk: ${n / MIB} MiB over loopback, recv_into a reused 256 KiB buffer until EOF`,
    notes: [
      'sender: the same C program (bench/c/sender.c) for every implementation, sendall in 64 KiB chunks',
      'node:net reads into one reused 256 KiB buffer too (the onread option)',
    ],
    unit: 'MiB/s',
    helper: 'sender',
    count: (cfg) => cfg.bulkBytes,
    warmup: (cfg) => Math.min(128 * MIB, Math.floor(cfg.bulkBytes / 8)),
    goal: { c: 0.9 },
  },
  {
    id: 'rr',
    title: (n) => `TCP request/response: 64 bytes each way, TCP_NODELAY, ${n} round trips`,
    notes: [
      'server: the same C echo server (bench/c/echo_server.c) for every implementation; only the client differs',
    ],
    unit: 'round trips/s',
    helper: 'echo_server',
    count: (cfg) => cfg.rrRounds,
    warmup: (cfg) => warmupRounds(cfg.rrRounds),
    goal: { c: 0.9 },
  },
  {
    id: 'gai',
    title: (n) => `getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM): a numeric host, ${n} calls, one at a time`,
    notes: [
      'C: getaddrinfo + freeaddrinfo; CPython: socket.getaddrinfo; node: dns.lookup(host, { family: 4 }), awaited',
      'node:dns.lookup answers an IP literal in JavaScript, without calling getaddrinfo',
    ],
    unit: 'calls/s',
    count: (cfg) => cfg.gaiCalls,
    warmup: (cfg) => warmupRounds(cfg.gaiCalls),
    goal: { cpython: 1 },
  },
  {
    id: 'gai-localhost',
    title: (n) => `getaddrinfo('localhost', 80, AF_INET, SOCK_STREAM): a name from /etc/hosts, ${n} calls, one at a time`,
    notes: ['node:dns.lookup runs getaddrinfo on the libuv threadpool and calls back on the event loop'],
    unit: 'calls/s',
    count: (cfg) => cfg.gaiLocalCalls,
    warmup: (cfg) => warmupRounds(cfg.gaiLocalCalls),
    goal: { cpython: 1 },
  },
  {
    id: 'burst',
    title: (n) => `UDP bursts: 32 datagrams of 64 bytes from one socket to another in one process, then the 32 received; ${n} datagrams`,
    notes: [
      'per-datagram: sendto x32 then recvfrom x32; batched: sendmmsg then recvmmsg (bsdsock: recvmmsg_into reused buffers)',
      'node:dgram sends 32 and counts 32 message events; CPython has no sendmmsg/recvmmsg',
      'vs C: against C with per-datagram syscalls',
    ],
    unit: 'datagrams/s',
    count: (cfg) => cfg.datagrams,
    warmup: (cfg) => Math.min(64000, Math.ceil(cfg.datagrams / 20)),
    // Its own programs (bench/*/burst.*), and two rows each for C and bsdsock.
    program: {
      c: (bins) => [bins.burst],
      bsdsock: () => [process.execPath, path.join(HERE, 'bsdsock', 'burst.js')],
      cpython: () => ['python3', path.join(HERE, 'python', 'burst.py')],
      node: () => [process.execPath, path.join(HERE, 'node', 'burst.js')],
    },
    variants: {
      c: [
        { arg: 'burst', label: 'C, per-datagram' },
        { arg: 'burst-mmsg', label: 'C, sendmmsg/recvmmsg' },
      ],
      bsdsock: [
        { arg: 'burst', label: 'bsdsock, per-datagram' },
        { arg: 'burst-mmsg', label: 'bsdsock, batched' },
      ],
    },
    goals: [
      { row: 'bsdsock:burst-mmsg', base: 'c:burst-mmsg', ratio: 0.8, text: 'C sendmmsg/recvmmsg' },
      { row: 'bsdsock:burst-mmsg', base: 'c:burst', ratio: 3, text: 'C per-datagram' },
    ],
  },
  {
    id: 'audp',
    title: (n) => `async UDP ping-pong: the UDP workload with every call awaited on Node's event loop (bsdsock/asyncio sock_sendto/sock_recvfrom), ${n} round trips`,
    notes: ['node:dgram runs the same ping-pong driven by its message events (the udp workload\'s node program)'],
    unit: 'round trips/s',
    count: (cfg) => cfg.udpRounds,
    warmup: (cfg) => warmupRounds(cfg.udpRounds),
    ...asyncWorkload('audp', 'udp', 'bench.js', 1.3, 'node:dgram'),
  },
  {
    id: 'arr',
    title: (n) => `async TCP request/response: 64 bytes each way, TCP_NODELAY, sock_sendall/sock_recv awaited, ${n} round trips`,
    notes: ['server: the same C echo server (bench/c/echo_server.c) in a child process for both'],
    unit: 'round trips/s',
    helper: 'echo_server',
    count: (cfg) => cfg.rrRounds,
    warmup: (cfg) => warmupRounds(cfg.rrRounds),
    ...asyncWorkload('arr', 'rr', 'bench.js', 1.1, 'node:net'),
  },
  {
    id: 'abulk',
    title: (n) => `async TCP bulk: ${n / MIB} MiB over loopback, sock_recv_into a reused 256 KiB buffer until EOF`,
    notes: ['sender: the same C program (bench/c/sender.c) for both; node:net reads into one reused buffer (onread)'],
    unit: 'MiB/s',
    helper: 'sender',
    count: (cfg) => cfg.bulkBytes,
    warmup: (cfg) => Math.min(128 * MIB, Math.floor(cfg.bulkBytes / 8)),
    ...asyncWorkload('abulk', 'bulk', 'bench.js', 1.0, 'node:net'),
  },
  {
    id: 'aecho',
    title: (n) => `concurrent echo server: 1,000 TCP clients echoing 1 KiB messages for ${n} s; messages per second`,
    notes: [
      'server: bsdsock/asyncio (sock_accept, sock_recv_into, sock_sendall per connection) vs a node:net server',
      'clients: the same C epoll program (bench/c/echo_clients.c) in a child process for both',
    ],
    unit: 'messages/s',
    count: (cfg) => cfg.echoSeconds,
    warmup: () => 1000,
    ...asyncWorkload('aecho', 'aecho', 'echo.js', 1.0, 'node:net server'),
  },
  {
    id: 'select',
    title: (n) => `select(): 1,000 idle sockets and 1 ready socket in the read list, no timeout; ${n} calls, one at a time`,
    notes: [
      WAIT_SOCKETS,
      'C and CPython: select(2) on an fd_set built at each call; bsdsock: select() is made with poll(2) and has no FD_SETSIZE limit',
    ],
    unit: 'calls/s',
    count: (cfg) => cfg.waitCalls,
    warmup: (cfg) => Math.ceil(cfg.waitCalls / 20),
    goal: { cpython: 1 },
    ...waitWorkload(),
  },
  {
    id: 'poll',
    title: (n) => `poll object: 1,000 idle sockets and 1 ready socket registered for POLLIN, poll() with no timeout; ${n} calls, one at a time`,
    notes: [WAIT_SOCKETS],
    unit: 'calls/s',
    count: (cfg) => cfg.waitCalls,
    warmup: (cfg) => Math.ceil(cfg.waitCalls / 20),
    goal: { cpython: 1 },
    ...waitWorkload(),
  },
  {
    id: 'epoll',
    title: (n) => `epoll object: 1,000 idle sockets and 1 ready socket registered for EPOLLIN, poll() with no timeout; ${n} calls, one at a time`,
    notes: [WAIT_SOCKETS, 'maxevents: -1 (FD_SETSIZE - 1 = 1023, as CPython)'],
    unit: 'calls/s',
    count: (cfg) => cfg.epollCalls,
    warmup: (cfg) => Math.ceil(cfg.epollCalls / 20),
    goal: { cpython: 1 },
    ...waitWorkload(),
  },
  {
    id: 'wouldblock',
    title: (n) => `recv() on a non-blocking socket with nothing to read: ${n} calls, each failing with EAGAIN (a BlockingIOError caught)`,
    notes: [
      'C: recv(2) returning -1 with EAGAIN; CPython and bsdsock: try/except (catch) around sock.recv(64)',
      'no goal: a throw caught in the same function costs V8 about 1.2 µs under Node (it makes a message object',
      'for every throw), about 70% of CPython\'s whole call here; bsdsock makes its BlockingIOError without an Error\'s cost',
    ],
    unit: 'calls/s',
    count: (cfg) => cfg.wouldblockCalls,
    warmup: (cfg) => Math.ceil(cfg.wouldblockCalls / 20),
    goal: {},
    ...waitWorkload(),
  },
];

// The one-call-at-a-time workloads (select, poll, epoll, wouldblock): their own programs, bench/*/waits.*,
// for C, bsdsock and CPython (node has no such call).
function waitWorkload() {
  return {
    impls: ['c', 'bsdsock', 'cpython'],
    program: {
      c: (bins) => [bins.waits],
      bsdsock: () => [process.execPath, path.join(HERE, 'bsdsock', 'waits.js')],
      cpython: () => ['python3', path.join(HERE, 'python', 'waits.py')],
    },
  };
}

// The asynchronous workloads: bsdsock/asyncio (bench/bsdsock/async.js) against
// node's own event-driven program (`nodeArg` of bench/node/NODEFILE) only.
function asyncWorkload(id, nodeArg, nodeFile, goal, anchor) {
  return {
    impls: ['bsdsock', 'node'],
    program: {
      bsdsock: () => [process.execPath, path.join(HERE, 'bsdsock', 'async.js')],
      node: () => [process.execPath, path.join(HERE, 'node', nodeFile)],
    },
    variants: {
      bsdsock: [{ arg: id, label: 'bsdsock/asyncio' }],
      node: [{ arg: nodeArg, label: anchor }],
    },
    goals: [{ row: `bsdsock:${id}`, base: `node:${nodeArg}`, ratio: goal, text: anchor }],
  };
}

const IMPLS = [
  { id: 'c', name: 'C', command: (bins) => [bins.bench] },
  {
    id: 'bsdsock',
    name: 'bsdsock',
    command: () => [process.execPath, path.join(HERE, 'bsdsock', 'bench.js')],
  },
  { id: 'cpython', name: 'CPython', command: () => ['python3', path.join(HERE, 'python', 'bench.py')] },
  {
    id: 'node',
    name: 'node',
    label: (w) => (w.id === 'udp' || w.id === 'burst' ? 'node:dgram' : w.id.startsWith('gai') ? 'node:dns.lookup' : 'node:net'),
    command: () => [process.execPath, path.join(HERE, 'node', 'bench.js')],
  },
];

// The name in a table row: node's module depends on the workload.
function labelOf(impl, workload) {
  return impl.label ? impl.label(workload) : impl.name;
}

function warmupRounds(rounds) {
  return Math.min(5000, Math.ceil(rounds / 20));
}

// ---- settings ----

function envInt(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer, not ${JSON.stringify(text)}`);
  }
  return value;
}

function envList(name, known) {
  const text = process.env[name];
  if (!text) return known;
  const wanted = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((id) => !known.includes(id));
  if (unknown.length > 0) {
    throw new Error(`${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  return wanted;
}

function readConfig() {
  return {
    udpRounds: envInt('BENCH_ROUNDS', 200000),
    rrRounds: envInt('BENCH_ROUNDS', 100000),
    bulkBytes: envInt('BENCH_BULK_MIB', 2048) * MIB,
    echoSeconds: envInt('BENCH_ECHO_SECONDS', 5),
    gaiCalls: envInt('BENCH_CALLS', 200000),
    gaiLocalCalls: envInt('BENCH_CALLS', 50000),
    datagrams: envInt('BENCH_DATAGRAMS', 2000000),
    waitCalls: envInt('BENCH_WAIT_CALLS', 2000),
    epollCalls: envInt('BENCH_WAIT_CALLS', 200000),
    wouldblockCalls: envInt('BENCH_WAIT_CALLS', 1000000),
    repeat: envInt('BENCH_REPEAT', 3),
    workloads: envList('BENCH_ONLY', [...WORKLOADS.map((w) => w.id), 'streams']),
    impls: envList('BENCH_IMPLS', IMPLS.map((i) => i.id)),
  };
}

// ---- what is available ----

function firstLine(text) {
  return String(text || '').trim().split('\n')[0];
}

function versionOf(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  return firstLine(result.stdout || result.stderr);
}

function compileC(dir) {
  const bins = {};
  for (const name of ['bench', 'sender', 'echo_server', 'burst', 'waits', 'echo_clients']) {
    bins[name] = path.join(dir, name);
    const args = ['-O2', '-Wall', '-o', bins[name], path.join(HERE, 'c', `${name}.c`)];
    const result = spawnSync('cc', args, { encoding: 'utf8' });
    if (result.error) throw new Error(`cc: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`cc ${name}.c failed:\n${result.stderr}`);
  }
  return bins;
}

// Why an implementation cannot run here, or null when it can.
function unavailable(impl) {
  if (impl.id === 'cpython' && !versionOf('python3', ['--version'])) return 'python3 not found';
  if (impl.id === 'bsdsock') {
    const result = spawnSync(process.execPath, ['-e', "require('bsdsock')"], { cwd: ROOT, encoding: 'utf8' });
    if (result.status !== 0) return `not built yet: require('bsdsock') fails: ${bsdsockError(result.stderr)}`;
  }
  return null;
}

function bsdsockError(stderr) {
  const line = String(stderr).split('\n').find((l) => /Error/.test(l));
  return (line || firstLine(stderr)).trim();
}

// ---- running programs ----

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// Starts a C helper server and resolves to { child, port } once it prints its port.
function startHelper(bin) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(bin, [], { stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      out += text;
      if (out.includes('\n')) resolve({ child, port: Number(out.trim()) });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${path.basename(bin)} exited early (${code})`)));
  });
}

function stopHelper(helper) {
  return new Promise((resolve) => {
    if (helper.child.exitCode !== null || helper.child.signalCode !== null) return resolve();
    helper.child.on('exit', resolve);
    helper.child.kill('SIGTERM');
  });
}

// Runs one program to its end; resolves to { code, signal, stdout, stderr, timedOut }.
function runProgram(argv) {
  return new Promise((resolve) => {
    const child = track(spawn(argv[0], argv.slice(1), { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'] }));
    const result = { stdout: '', stderr: '', timedOut: false };
    child.stdout.setEncoding('utf8').on('data', (text) => (result.stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (result.stderr += text));
    const timer = setTimeout(() => {
      result.timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('error', (err) => (result.stderr += err.message));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ...result, code, signal });
    });
  });
}

function parseResult(stdout, workload, arg = workload.id) {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    if (r.workload !== arg) continue;
    const seconds = r.ns / 1e9;
    if (workload.id === 'bulk' || workload.id === 'abulk') return r.bytes / MIB / seconds;
    return (r.calls ?? r.rounds ?? r.datagrams) / seconds;
  }
  return null;
}

function failure(run) {
  if (run.timedOut) return `timed out after ${TIMEOUT_MS / 1000} s`;
  const last = run.stderr.trim().split('\n').slice(-3).join(' | ');
  const how = run.signal ? `killed by ${run.signal}` : `exit code ${run.code}`;
  return `failed (${how})${last ? `: ${last}` : ''}`;
}

// One run of one implementation on one workload: { rate } or { error }.
async function runOnce(impl, workload, cfg, bins, arg = workload.id) {
  const helper = workload.helper ? await startHelper(bins[workload.helper]) : null;
  try {
    const args = [arg, workload.count(cfg), workload.warmup(cfg)];
    if (helper) args.push(helper.port);
    const command = workload.program?.[impl.id] ?? impl.command;
    const run = await runProgram([...command(bins), ...args.map(String)]);
    const rate = run.code === 0 ? parseResult(run.stdout, workload, arg) : null;
    return rate === null ? { error: failure(run) } : { rate };
  } finally {
    if (helper) await stopHelper(helper);
  }
}

// ---- the table ----

function formatRate(rate) {
  return Math.round(rate).toLocaleString('en-US');
}

function ratio(rate, base) {
  return rate && base ? `${(rate / base).toFixed(2)}x` : '';
}

function rateOf(rows, id) {
  const row = rows.find((r) => r.impl.id === id);
  return row && !row.error ? row.rate : null;
}

// "goal: >= 0.9x C met, >= 1.3x CPython MISSED"
function goalText(goal, rate, base) {
  const checks = [];
  if (goal.c && base.c) checks.push([`>= ${goal.c}x C`, rate / base.c >= goal.c]);
  if (goal.cpython && base.cpython) checks.push([`>= ${goal.cpython}x CPython`, rate / base.cpython >= goal.cpython]);
  if (checks.length === 0) return '';
  return `goal: ${checks.map(([text, ok]) => `${text} ${ok ? 'met' : 'MISSED'}`).join(', ')}`;
}

// A workload's own goals between rows: "goal: >= 0.8x C sendmmsg/recvmmsg met, ...".
function rowGoalText(goals, row, rows) {
  const checks = goals
    .filter((g) => g.row === row.key)
    .map((g) => {
      const base = rows.find((r) => r.key === g.base && !r.error);
      return base ? [`>= ${g.ratio}x ${g.text}`, row.rate / base.rate >= g.ratio, (row.rate / base.rate).toFixed(2)] : null;
    })
    .filter(Boolean);
  if (checks.length === 0) return '';
  return `goal: ${checks.map(([text, ok, r]) => `${text} ${ok ? 'met' : 'MISSED'} (${r}x)`).join(', ')}`;
}

function tableLine(row, workload, base, rows) {
  const name = row.label ?? labelOf(row.impl, workload);
  if (row.error) return [name, '-', '', '', row.error];
  let goal = '';
  if (workload.goals) goal = rowGoalText(workload.goals, row, rows);
  else if (row.impl.id === 'bsdsock') goal = goalText(workload.goal, row.rate, base);
  return [name, formatRate(row.rate), ratio(row.rate, base.c), ratio(row.rate, base.cpython), goal];
}

function printTable(workload, cfg, rows) {
  console.log(`\n${workload.title(workload.count(cfg))}`);
  for (const note of workload.notes) console.log(`  (${note})`);
  const base = { c: rateOf(rows, 'c'), cpython: rateOf(rows, 'cpython') };
  const header = ['implementation', workload.unit, 'vs C', 'vs CPython', ''];
  const lines = rows.map((row) => tableLine(row, workload, base, rows));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const pad = (cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]));
  const format = (cells) => `  ${cells.map(pad).join('   ')}`.trimEnd();
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

// ---- main ----

function printHeader(cfg) {
  const cpus = os.cpus();
  const python = versionOf('python3', ['--version']) || 'no python3';
  const cc = versionOf('cc', ['--version']) || 'no cc';
  console.log('bsdsock benchmark');
  const cpu = cpus.length ? cpus[0].model : 'unknown CPU';
  console.log(`  machine: ${cpu}, ${cpus.length} cores, ${os.type()} ${os.release()}`);
  console.log(`  node ${process.version}, ${python}, ${cc} (-O2)`);
  console.log('  each program runs alone in its own process, one after another, on 127.0.0.1;');
  const best = cfg.repeat > 1 ? `, best of ${cfg.repeat} runs` : '';
  console.log(`  times are taken inside each program with a monotonic clock, after a warm-up${best}`);
}

function cpuTimes() {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}

// Warns when the CPUs are busy with something else before the run starts.
async function checkIdle() {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = cpuTimes();
  const busy = 1 - (after.idle - before.idle) / (after.total - before.total || 1);
  if (busy > 0.15) {
    console.log(`  note: the CPUs were ${Math.round(busy * 100)}% busy before the run: numbers will be noisy`);
  }
}

// Runs every implementation once per repeat, in turn, and keeps each one's best.
async function runWorkload(workload, cfg, impls, bins) {
  // One row per implementation, or per variant where the workload has several (burst).
  const rows = impls.filter(({ impl }) => !workload.impls || workload.impls.includes(impl.id)).flatMap(({ impl, reason }) =>
    (workload.variants?.[impl.id] ?? [{ arg: workload.id, label: null }]).map((v) => ({
      impl,
      arg: v.arg,
      label: v.label,
      key: `${impl.id}:${v.arg}`,
      rate: null,
      error: reason ? 'not run' : null,
    })),
  );
  for (let i = 0; i < cfg.repeat; i++) {
    for (const row of rows.filter((r) => !r.error)) {
      process.stderr.write(`  running ${workload.id}: ${row.label ?? labelOf(row.impl, workload)} ...\n`);
      const result = await runOnce(row.impl, workload, cfg, bins, row.arg);
      if (result.error) row.error = result.error;
      else row.rate = Math.max(row.rate || 0, result.rate);
    }
  }
  printTable(workload, cfg, rows);
}

async function main() {
  const cfg = readConfig();
  printHeader(cfg);
  await checkIdle();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-bench-'));
  try {
    const bins = compileC(dir);
    // Both echo servers face the same C client program (a node:net one would be the bottleneck).
    process.env.BENCH_ECHO_CLIENT = bins.echo_clients;
    const chosen = IMPLS.filter((impl) => cfg.impls.includes(impl.id));
    const impls = chosen.map((impl) => ({ impl, reason: unavailable(impl) }));
    for (const { impl, reason } of impls) {
      if (reason) console.log(`  ${impl.name}: ${reason}; the others still run`);
    }
    for (const workload of WORKLOADS.filter((w) => cfg.workloads.includes(w.id))) {
      await runWorkload(workload, cfg, impls, bins);
    }
    // The stream workloads of bsdsock/asyncio (1 KiB lines, AgentX frames) vs node:net.
    if (cfg.workloads.includes('streams')) {
      require('node:child_process').spawnSync(process.execPath, [path.join(__dirname, 'streams.js')], { stdio: 'inherit' });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}

process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

main().catch((err) => {
  console.error(err.message || err);
  process.exitCode = 1;
});
