'use strict';
// Runs the benchmark: the blocking workloads on C, bsdsock, CPython and Node's
// own modules, with the N-API floor (C's syscalls plus the bare addon crossings
// a bsdsock call makes), and the asynchronous and event-driven workloads of
// bsdsock/asyncio against node:dgram / node:net. Every workload takes its
// implementations in turn, run after run (at least 5; the 1,000-client echo
// servers of a turn all at once, in slices of one client program), and prints
// each one's median, min and max; the ratios and goals are taken on the medians.
//
//   npm run bench                 the full run
//   npm run bench -- --quick      a short run (a minute or two) for development
//   npm run bench -- --list       the workloads' ids (for BENCH_ONLY)
//
// Settings, from the environment (they override --quick's):
//   BENCH_ROUNDS    round trips for the UDP and TCP request/response workloads
//                   (default 200000 for UDP, 100000 for TCP)
//   BENCH_BULK_MIB  MiB for the TCP bulk workload (default 2048)
//   BENCH_CALLS     getaddrinfo calls for the resolver workloads (default 200000
//                   for a numeric host, 50000 for localhost)
//   BENCH_DATAGRAMS datagrams for the UDP burst workload (default 2000000)
//   BENCH_REPEAT    runs of each program, in turn (default 5; goals are judged on 5 or more)
//   BENCH_ECHO_SECONDS  seconds of the 1,000-client echo workloads (default 5)
//   BENCH_WAIT_CALLS    calls for the select, poll and epoll workloads (default 2000
//                   for select and poll, which scan 1,001 sockets a call, 200000 for epoll,
//                   1000000 for wouldblock)
//   BENCH_ONLY      workloads to run, comma-separated (see WORKLOADS' ids and bench/README.md)
//   BENCH_IMPLS     implementations to run, comma-separated: c,floor,bsdsock,cpython,node
//
// Every program runs alone in its own process (with its peer, if it has one),
// one after another. Each takes its own time with a monotonic clock after a
// short warm-up, and prints one JSON line per result. The C programs and the
// floor's no-op addon are compiled into a temporary folder.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { compileC, compileFloor } = require('./compile');

const HERE = __dirname;
const ROOT = path.dirname(HERE);
const MIB = 1024 * 1024;
const TIMEOUT_MS = 10 * 60 * 1000;
const MIN_RUNS = 5;
const ECHO_CLIENTS = 1000;
// The 1,000-client servers of one turn take turns in slices of this many seconds (see `runTogether`).
const ECHO_SLICE_SECONDS = 1;
const UDP_WINDOW = 16;
const QUICK = process.argv.includes('--quick');
const children = new Set();

// What the wait workloads wait on, the same in every implementation.
const WAIT_SOCKETS =
  'the same sockets in each: 500 socketpairs (1,000 idle sockets) and the read end of one more with a byte waiting; ' +
  'C and CPython have fds below 1024 (FD_SETSIZE, checked), bsdsock (node starts with ~20 fds open) up to ~1020';

const FLOOR_NOTE = "floor: C's time plus, per C call, a no-op N-API function taking bsdsock's native arguments (bench/floor), timed in the same run";

// The request/response workloads wait for every answer. bsdsock's blocking
// receive is the kernel's own blocking call, as C's, unless a signal has a
// listener (none here); C also runs them with the syscalls bsdsock makes then.
const DONTWAIT_NOTE =
  "C, bsdsock's syscalls while a signal has a listener (none does in these runs): every send and receive with MSG_DONTWAIT, and a receive that finds nothing reads SO_RCVTIMEO and waits in poll() on the socket and a self-pipe, then is made again as a blocking call";
const C_BOTH_WAYS = (id) => [
  { arg: id, label: 'C' },
  { arg: `${id}-dw`, label: "C, bsdsock's syscalls while a signal has a listener" },
];
// The wait workloads: C as CPython runs (one thread), and with an idle thread, as every Node process has threads.
const THREADED_NOTE =
  "C, with an idle thread: a process of more than one thread pays more per fd in select(2) and poll(2) (the kernel takes a reference on each file), and every Node process has several; the floor builds on this row";
const C_THREADED = (id) => [
  { arg: id, label: 'C' },
  { arg: `${id}-mt`, label: 'C, with an idle thread' },
];

// The event-loop floor of the callback servers (Protocol, node:net's 'data' events).
const CALLBACK_SERVER_FLOOR = { arg: 'techo', label: 'event-loop floor: a uv_poll callback (bench/floor/loop.js)' };
const CALLBACK_SERVER_FLOOR_NOTE =
  "event-loop floor: the least a callback API on Node's loop can do per message, a uv_poll callback per connection calling an addon's recv and send; vs floor is against it";
// Below any JavaScript API: what any design on Node's loop costs at the least.
const ONE_CROSSING = { arg: 'necho', label: 'one crossing: recv and send in C, one no-op JS call a message (bench/floor/loop.js)' };
const ONE_CROSSING_NOTE =
  "one crossing: the least any design on Node's loop can do per message, whatever its API: the uv_poll callback receives and sends in C with one call into JavaScript between (a no-op); no design that lets JavaScript see each message can go faster";

// The event-loop floor of the servers awaiting each read (sock_recv_into, a StreamReader's read).
const PROMISE_SERVER_FLOOR = { arg: 'aecho', label: 'event-loop floor: uv_poll + one promise per read (bench/floor/loop.js)' };
const PROMISE_SERVER_FLOOR_NOTE =
  "event-loop floor: the least a promise-based API on Node's loop can do per message, a task per connection awaiting one promise a uv_poll callback resolves, then an addon's recv and send; vs floor is against it";

const node = (...file) => () => [process.execPath, path.join(HERE, ...file)];

// The programs run beside the measured one: servers that print their port.
const HELPERS = {
  sender: (bins) => [bins.sender],
  echo_server: (bins) => [bins.echo_server],
  udp_echo: (bins) => [bins.udp_echo],
  bsdsock_sender: node('bsdsock', 'sender.js'),
};

// Goals of bsdsock's row against C and CPython, for the blocking workloads.
function syncGoals(id, { c, cpython }) {
  const goals = [];
  if (c) goals.push({ row: `bsdsock:${id}`, base: `c:${id}`, ratio: c, text: 'C' });
  if (cpython) goals.push({ row: `bsdsock:${id}`, base: `cpython:${id}`, ratio: cpython, text: 'CPython' });
  return goals;
}

// The C rows of the asynchronous workloads: what the same exchange costs in C
// with no runtime at all, in the same run. A server row runs `server` under
// the workload's peer; a client row runs `argv` against the workload's helper.
const C_EPOLL_SERVER = { arg: 'c-epoll', label: 'C, one epoll loop (bench/c/epoll_echo.c)', server: (bins) => [bins.epoll_echo] };
const C_RR_CLIENT = { arg: 'c-rr', label: 'C, blocking send + recv (bench/c/bench.c rr)', argv: (bins, n, w, port) => [bins.bench, 'rr', n, w, port] };
// The syscalls of an event loop (node:net's libuv, bsdsock/asyncio): send, epoll_wait, recv.
const C_RR_LOOP_CLIENT = {
  arg: 'c-rr-loop',
  label: 'C, send + epoll_wait + recv (bench/c/bench.c rr-loop)',
  argv: (bins, n, w, port) => [bins.bench, 'rr-loop', n, w, port],
};
const C_UDP_CLIENT = {
  arg: 'c-poll',
  label: 'C, poll + recv + send, one in flight (bench/c/udp_echo.c client)',
  argv: (bins, n, w, port) => [bins.udp_echo, 'client', port, n, w, 1],
};
const C_UDP_SERVER = { arg: 'c-udp', label: 'C, blocking recvfrom + sendto (bench/c/udp_echo.c)', server: (bins) => [bins.udp_echo] };

const BUN = path.join(ROOT, 'node_modules', 'bun', 'bin', 'bun.exe');
const DENO = path.join(ROOT, 'node_modules', 'deno', 'deno');

/** "Bun 1.4.5" from `bun --version`'s "1.4.5", "Deno 2.9.6" from "deno 2.9.6 (stable, ...)". */
function runtimeName(name, binary) {
  const version = (versionOf(binary, ['--version']) ?? '').replace(/^deno /, '').split(' ')[0];
  return version ? `${name} ${version}` : `${name} (not installed: npm install puts it in node_modules)`;
}

// The JavaScript runtimes of the rt-* workloads, and how each runs a script
// (Bun and Deno from node_modules, where npm install puts them; Deno's
// Deno.listenDatagram is behind --unstable-net, and the CommonJS programs of
// bench/bsdsock need --unstable-detect-cjs).
const RUNTIMES = {
  node: { name: `Node ${process.version}`, argv: () => [process.execPath] },
  bun: { name: runtimeName('Bun', BUN), argv: () => [BUN] },
  deno: { name: runtimeName('Deno', DENO), argv: () => [DENO, 'run', '-A', '--unstable-detect-cjs', '--unstable-net'] },
};

const WORKLOADS = [
  {
    id: 'udp',
    title: (n) => `UDP ping-pong: 64-byte datagrams, one blocking socket against the C UDP echo server (bench/c/udp_echo.c), ${n} round trips`,
    notes: [
      'each round: sendto, then recvfrom, which waits for the echo from the server process',
      'node:dgram runs the same ping-pong driven by its message events',
      DONTWAIT_NOTE,
      FLOOR_NOTE,
    ],
    unit: 'round trips/s',
    helper: 'udp_echo',
    count: (cfg) => cfg.udpRounds,
    warmup: (cfg) => warmupRounds(cfg.udpRounds),
    floor: true,
    variants: { c: C_BOTH_WAYS('udp') },
    goals: [...syncGoals('udp', { c: 0.9, cpython: 1.3 }), { row: 'bsdsock:udp', base: 'floor:udp', ratio: 0.95, text: 'the floor' }],
  },
  {
    id: 'bulk',
    title: (n) => `TCP bulk: ${n / MIB} MiB over loopback, recv_into a reused 256 KiB buffer until EOF`,
    notes: [
      'sender: the same C program (bench/c/sender.c) for every implementation, sendall in 64 KiB chunks',
      'both ends: bsdsock sendall in its own process (bench/bsdsock/sender.js), bsdsock recv_into here, vs C on both ends',
      'node:net reads into one reused 256 KiB buffer too (the onread option)',
      DONTWAIT_NOTE,
      FLOOR_NOTE,
    ],
    unit: 'MiB/s',
    helper: 'sender',
    count: (cfg) => cfg.bulkBytes,
    warmup: (cfg) => Math.min(128 * MIB, Math.floor(cfg.bulkBytes / 8)),
    floor: true,
    variants: {
      c: C_BOTH_WAYS('bulk'),
      bsdsock: [
        { arg: 'bulk', label: 'bsdsock' },
        { arg: 'bulk', key: 'bulk-both', label: 'bsdsock, both ends', helper: 'bsdsock_sender' },
      ],
    },
    goals: [
      ...syncGoals('bulk', { c: 0.9 }),
      { row: 'bsdsock:bulk-both', base: 'c:bulk', ratio: 0.9, text: 'C both ends' },
    ],
  },
  {
    id: 'rr',
    title: (n) => `TCP request/response: 64 bytes each way, TCP_NODELAY, ${n} round trips`,
    notes: [
      'server: the same C echo server (bench/c/echo_server.c) for every implementation; only the client differs',
      DONTWAIT_NOTE,
      FLOOR_NOTE,
    ],
    unit: 'round trips/s',
    helper: 'echo_server',
    count: (cfg) => cfg.rrRounds,
    warmup: (cfg) => warmupRounds(cfg.rrRounds),
    floor: true,
    variants: { c: C_BOTH_WAYS('rr') },
    goals: syncGoals('rr', { c: 0.9 }),
  },
  {
    id: 'gai',
    title: (n) => `getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM): a numeric host, ${n} calls, one at a time`,
    notes: [
      'C: getaddrinfo + freeaddrinfo; CPython: socket.getaddrinfo; node: dns.lookup(host, { family: 4 }), awaited',
      'node:dns.lookup answers an IP literal in JavaScript, without calling getaddrinfo',
      FLOOR_NOTE,
    ],
    unit: 'calls/s',
    count: (cfg) => cfg.gaiCalls,
    warmup: (cfg) => warmupRounds(cfg.gaiCalls),
    floor: true,
    goals: syncGoals('gai', { cpython: 1 }),
  },
  {
    id: 'gai-localhost',
    title: (n) => `getaddrinfo('localhost', 80, AF_INET, SOCK_STREAM): a name from /etc/hosts, ${n} calls, one at a time`,
    notes: ['node:dns.lookup runs getaddrinfo on the libuv threadpool and calls back on the event loop', FLOOR_NOTE],
    unit: 'calls/s',
    count: (cfg) => cfg.gaiLocalCalls,
    warmup: (cfg) => warmupRounds(cfg.gaiLocalCalls),
    floor: true,
    goals: syncGoals('gai-localhost', { cpython: 1 }),
  },
  {
    id: 'burst',
    title: (n) => `UDP bursts: 32 datagrams of 64 bytes from one socket to another in one process, then the 32 received; ${n} datagrams`,
    notes: [
      'per-datagram: sendto x32 then recvfrom x32; batched: sendmmsg then recvmmsg (bsdsock: recvmmsg_into reused buffers)',
      'node:dgram sends 32 and counts 32 message events; CPython has no sendmmsg/recvmmsg',
      'vs C and vs floor: against the same variant',
      FLOOR_NOTE,
    ],
    unit: 'datagrams/s',
    count: (cfg) => cfg.datagrams,
    warmup: (cfg) => Math.min(64000, Math.ceil(cfg.datagrams / 20)),
    floor: true,
    // Its own programs (bench/*/burst.*), and two rows each for C, the floor and bsdsock.
    program: {
      c: (bins) => [bins.burst],
      bsdsock: node('bsdsock', 'burst.js'),
      cpython: () => ['python3', path.join(HERE, 'python', 'burst.py')],
      node: node('node', 'burst.js'),
    },
    variants: {
      c: [
        { arg: 'burst', label: 'C, per-datagram' },
        { arg: 'burst-mmsg', label: 'C, sendmmsg/recvmmsg' },
      ],
      floor: [
        { arg: 'burst', label: 'floor, per-datagram' },
        { arg: 'burst-mmsg', label: 'floor, batched' },
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
    id: 'select',
    title: (n) => `select(): 1,000 idle sockets and 1 ready socket in the read list, no timeout; ${n} calls, one at a time`,
    notes: [
      WAIT_SOCKETS,
      'C and CPython: select(2) on an fd_set built at each call; bsdsock: select() is made with poll(2) and has no FD_SETSIZE limit',
      THREADED_NOTE,
      FLOOR_NOTE,
    ],
    unit: 'calls/s',
    count: (cfg) => cfg.waitCalls,
    warmup: (cfg) => Math.ceil(cfg.waitCalls / 20),
    goals: syncGoals('select', { cpython: 1 }),
    ...waitWorkload('select'),
  },
  {
    id: 'poll',
    title: (n) => `poll object: 1,000 idle sockets and 1 ready socket registered for POLLIN, poll() with no timeout; ${n} calls, one at a time`,
    notes: [WAIT_SOCKETS, THREADED_NOTE, FLOOR_NOTE],
    unit: 'calls/s',
    count: (cfg) => cfg.waitCalls,
    warmup: (cfg) => Math.ceil(cfg.waitCalls / 20),
    goals: syncGoals('poll', { cpython: 1 }),
    ...waitWorkload('poll'),
  },
  {
    id: 'epoll',
    title: (n) => `epoll object: 1,000 idle sockets and 1 ready socket registered for EPOLLIN, poll() with no timeout; ${n} calls, one at a time`,
    notes: [WAIT_SOCKETS, 'maxevents: -1 (FD_SETSIZE - 1 = 1023, as CPython)', THREADED_NOTE, FLOOR_NOTE],
    unit: 'calls/s',
    count: (cfg) => cfg.epollCalls,
    warmup: (cfg) => Math.ceil(cfg.epollCalls / 20),
    goals: syncGoals('epoll', { cpython: 1 }),
    ...waitWorkload('epoll'),
  },
  {
    id: 'wouldblock',
    title: (n) => `recv() on a non-blocking socket with nothing to read: ${n} calls, each failing with EAGAIN (a BlockingIOError caught)`,
    notes: [
      'C: recv(2) returning -1 with EAGAIN; CPython and bsdsock: try/except (catch) around sock.recv(64)',
      'no goal: a throw caught in the same function costs V8 about 1.2 µs under Node (it makes a message object',
      'for every throw), about 70% of CPython\'s whole call here; bsdsock makes its BlockingIOError without an Error\'s cost',
      `${FLOOR_NOTE}; the floor has no throw`,
    ],
    unit: 'calls/s',
    count: (cfg) => cfg.wouldblockCalls,
    warmup: (cfg) => Math.ceil(cfg.wouldblockCalls / 20),
    goals: [],
    ...waitWorkload(),
  },
  {
    id: 'audp',
    title: (n) => `async UDP ping-pong: 64-byte datagrams, sock_sendto/sock_recvfrom awaited, the two ends as two tasks in one process, ${n} round trips`,
    notes: [
      'bsdsock/asyncio: one task echoes (sock_recvfrom, sock_sendto), the other pings and waits for each echo; node:dgram: the same, its echo end a second socket of the same process',
      'already-ready: both ends in one await chain, each datagram queued before its sock_recvfrom starts (no wait on the loop; no goal)',
      "event-loop floor: the least a promise-based API on Node's loop can do per round trip, the same two tasks over an addon's sendto and recvfrom, each receive awaiting one promise a uv_poll callback resolves; vs floor is against it",
      "with asyncio's call shapes: the same, each send a promise of its count, awaited, and each receive a promise of [data, address] that the uv_poll callback settles",
    ],
    unit: 'round trips/s',
    count: (cfg) => cfg.udpRounds,
    warmup: (cfg) => warmupRounds(cfg.udpRounds),
    ...asyncWorkload({
      rows: [
        { arg: 'audp', label: 'bsdsock/asyncio, two tasks', goal: 1.3 },
        { arg: 'audp-ready', label: 'bsdsock/asyncio, already-ready (one await chain)' },
      ],
      node: { arg: 'udp-pair', file: ['node', 'bench.js'], label: 'node:dgram' },
      floor: [
        { arg: 'audp', label: 'event-loop floor: uv_poll + one promise per receive (bench/floor/loop.js)' },
        { arg: 'audp-api', label: "event-loop floor with asyncio's call shapes (bench/floor/loop.js audp-api)" },
      ],
    }),
  },
  {
    id: 'dping',
    title: (n) => `DatagramProtocol ping-pong: 64-byte datagrams to the C UDP echo server (bench/c/udp_echo.c), one in flight, ${n} round trips`,
    notes: [
      'bsdsock/asyncio: create_datagram_endpoint, the next datagram sent from datagram_received; node:dgram: from its message events',
      "event-loop floor: the least a callback API on Node's loop can do per round trip, a uv_poll callback making an addon's recv and send; vs floor is against it",
    ],
    unit: 'round trips/s',
    helper: 'udp_echo',
    count: (cfg) => cfg.udpRounds,
    warmup: (cfg) => warmupRounds(cfg.udpRounds),
    ...eventWorkload('dping', 'node:dgram', 1.5, false, C_UDP_CLIENT, { arg: 'dping', label: 'event-loop floor: uv_poll callback (bench/floor/loop.js)' }),
  },
  {
    id: 'decho',
    title: (n) => `DatagramProtocol echo server: the C UDP client (bench/c/udp_echo.c) keeps ${UDP_WINDOW} 64-byte datagrams in flight, ${n} echoes`,
    notes: ['bsdsock/asyncio: create_datagram_endpoint, sendto from datagram_received; node:dgram: send from its message events'],
    unit: 'echoes/s',
    count: (cfg) => cfg.udpRounds,
    warmup: (cfg) => warmupRounds(cfg.udpRounds),
    peer: (bins, port, count, warmup) => [bins.udp_echo, 'client', port, count, warmup, UDP_WINDOW],
    ...eventWorkload('udp-echo', 'node:dgram', 1.5, false, C_UDP_SERVER),
  },
  {
    id: 'arr',
    title: (n) => `async TCP request/response: 64 bytes each way, TCP_NODELAY, sock_sendall/sock_recv awaited, ${n} round trips`,
    notes: [
      'server: the same C echo server (bench/c/echo_server.c) in its own process for both',
      "event-loop floor: the least a promise-based API on Node's loop can do per round trip, an addon's send, a uv_poll callback resolving one promise, its recv; vs floor is against it",
    ],
    unit: 'round trips/s',
    helper: 'echo_server',
    count: (cfg) => cfg.rrRounds,
    warmup: (cfg) => warmupRounds(cfg.rrRounds),
    ...asyncWorkload({
      rows: [{ arg: 'arr', label: 'bsdsock/asyncio', goal: 1.1 }],
      node: { arg: 'rr', file: ['node', 'bench.js'], label: 'node:net' },
      c: [C_RR_CLIENT, C_RR_LOOP_CLIENT],
      floor: { arg: 'arr', label: 'event-loop floor: uv_poll + one promise (bench/floor/loop.js)' },
    }),
  },
  rrServer('prr', 'Protocol echo server', "create_server, a Protocol writing back in data_received; node:net: a server writing back each 'data' chunk",
    eventWorkload('tcp-echo', 'node:net', 1.1, false, C_EPOLL_SERVER, [CALLBACK_SERVER_FLOOR, ONE_CROSSING]),
    [CALLBACK_SERVER_FLOOR_NOTE, ONE_CROSSING_NOTE],
  ),
  {
    id: 'abulk',
    title: (n) => `async TCP bulk: ${n / MIB} MiB over loopback, sock_recv_into a reused 256 KiB buffer until EOF`,
    notes: [
      'sender: the same C program (bench/c/sender.c) in its own process for both; node:net reads into one reused buffer (onread)',
      "event-loop floor: the least a promise-based API on Node's loop can do per receive, one promise a uv_poll callback resolves, awaited, then an addon's recv into the same buffer; vs floor is against it",
    ],
    unit: 'MiB/s',
    helper: 'sender',
    count: (cfg) => cfg.bulkBytes,
    warmup: (cfg) => Math.min(128 * MIB, Math.floor(cfg.bulkBytes / 8)),
    ...asyncWorkload({
      rows: [{ arg: 'abulk', label: 'bsdsock/asyncio', goal: 1.0 }],
      node: { arg: 'bulk', file: ['node', 'bench.js'], label: 'node:net' },
      c: { arg: 'bulk', label: 'C, blocking recv (bench/c/bench.c bulk)', argv: (bins, n, w, port) => [bins.bench, 'bulk', n, w, port] },
      floor: { arg: 'abulk', label: 'event-loop floor: uv_poll + one promise per receive (bench/floor/loop.js)' },
    }),
  },
  manyClients('aecho', 'echo server, sock_* calls', 'sock_accept, then sock_recv_into + sock_sendall per connection',
    asyncWorkload({
      rows: [{ arg: 'aecho', label: 'bsdsock/asyncio', goal: 1.2, every: true }],
      node: { arg: 'tcp-echo', file: ['node', 'events.js'], label: 'node:net server' },
      c: C_EPOLL_SERVER,
      floor: PROMISE_SERVER_FLOOR,
    }),
    [PROMISE_SERVER_FLOOR_NOTE],
  ),
  manyClients('pecho', 'Protocol echo server', 'create_server, a Protocol writing back in data_received',
    eventWorkload('tcp-echo', 'node:net server', 1.2, true, C_EPOLL_SERVER, CALLBACK_SERVER_FLOOR),
    [CALLBACK_SERVER_FLOOR_NOTE],
  ),
  rrServer('srr', 'streams echo server', 'start_server, reader.read + writer.write + drain; node:net: a server piping the socket to itself',
    eventWorkload('stream-echo', 'node:net', 1.0, false, C_EPOLL_SERVER, PROMISE_SERVER_FLOOR),
    [PROMISE_SERVER_FLOOR_NOTE],
  ),
  streamWorkload('slines', 'streams echo: 1 KiB lines, start_server / open_connection, readline + write on both ends, 32 in flight', [
    "node:net: the same on 'data' events, lines found with indexOf",
  ]),
  streamWorkload('sframes', 'framed echo: AgentX PDUs (20-byte header, 1 KiB payload), a FramedProtocol on both ends, 32 in flight', [
    "node:net: the same FrameReader fed from 'data' events",
  ]),
  runtimeWorkload('rt-udp', 'UDP ping-pong: 64-byte datagrams to the C UDP echo server (bench/c/udp_echo.c), one in flight', {
    helper: 'udp_echo',
    bsdsock: ['bsdsock/asyncio DatagramProtocol', 'events.js', 'dping'],
    own: {
      node: ['node:dgram', ['node', 'events.js'], 'dping'],
      bun: ['Bun.udpSocket', ['runtimes', 'bun.mjs'], 'udp'],
      deno: ['Deno.listenDatagram', ['runtimes', 'deno.mjs'], 'udp'],
    },
    c: C_UDP_CLIENT,
  }),
  runtimeWorkload('rt-rr', 'TCP request/response: 64 bytes each way to the C echo server (bench/c/echo_server.c), TCP_NODELAY', {
    helper: 'echo_server',
    bsdsock: ['bsdsock/asyncio sock_sendall + sock_recv', 'async.js', 'arr'],
    own: {
      node: ['node:net', ['node', 'bench.js'], 'rr'],
      bun: ['Bun.connect', ['runtimes', 'bun.mjs'], 'rr'],
      deno: ['Deno.connect', ['runtimes', 'deno.mjs'], 'rr'],
    },
    c: C_RR_CLIENT,
  }),
  runtimeWorkload('rt-echo', 'TCP echo server under the C request/response client (bench/c/bench.c rr), 64 bytes, TCP_NODELAY', {
    peer: (bins, port, count, warmup) => [bins.bench, 'rr', count, warmup, port],
    bsdsock: ['bsdsock/asyncio Protocol (create_server)', 'events.js', 'tcp-echo'],
    own: {
      node: ['node:net server', ['node', 'events.js'], 'tcp-echo'],
      bun: ['Bun.listen', ['runtimes', 'bun.mjs'], 'tcp-echo'],
      deno: ['Deno.listen', ['runtimes', 'deno.mjs'], 'tcp-echo'],
    },
    c: C_EPOLL_SERVER,
  }),
];

// A workload run on each runtime: bsdsock/asyncio's program (bench/bsdsock/FILE
// ARG) beside the runtime's own API, each bsdsock row compared with its own
// runtime's row; a client (`helper`: the server it talks to) or a server (`peer`:
// the C program that loads it and prints the result). No goals: a report.
function runtimeWorkload(id, title, { helper, peer, bsdsock: [how, file, arg], own, c }) {
  const run = (rt, parts, programArg) => {
    const script = path.join(HERE, ...parts);
    const argv = () => [...RUNTIMES[rt].argv(), script, programArg];
    return peer ? { server: argv } : { argv: (bins, n, w, port) => [...argv(), n, w, port] };
  };
  const rts = Object.keys(RUNTIMES);
  return {
    id,
    title: (n) => `${title}, ${n} round trips, on Node, Bun and Deno`,
    notes: [
      `each runtime runs bsdsock/asyncio (${how}) and its own API; "vs own API" compares the two on the same runtime`,
      'bsdsock on Bun and Deno waits on its own poller thread (no libuv loop to share); on Node, on libuv',
    ],
    unit: 'round trips/s',
    helper,
    peer,
    count: (cfg) => cfg.rrRounds,
    warmup: (cfg) => warmupRounds(cfg.rrRounds),
    ownColumn: 'vs own API',
    impls: ['c', 'bsdsock', 'node'],
    variants: {
      c: [c],
      bsdsock: rts.map((rt) => ({ arg: rt, label: `bsdsock/asyncio on ${RUNTIMES[rt].name}`, ...run(rt, ['bsdsock', file], arg) })),
      node: rts.map((rt) => ({ arg: rt, label: own[rt][0], ...run(rt, own[rt][1], own[rt][2]) })),
    },
    goals: [],
  };
}

// The one-call-at-a-time workloads (select, poll, epoll, wouldblock): their own programs, bench/*/waits.*,
// for C, bsdsock and CPython (node has no such call).
// `threaded`: the workload's id when C also runs with an idle thread (waits.c's -mt workloads); the floor builds on that row.
function waitWorkload(threaded = null) {
  return {
    impls: ['c', 'floor', 'bsdsock', 'cpython'],
    floor: true,
    ...(threaded ? { variants: { c: C_THREADED(threaded) } } : {}),
    program: {
      c: (bins) => [bins.waits],
      bsdsock: node('bsdsock', 'waits.js'),
      cpython: () => ['python3', path.join(HERE, 'python', 'waits.py')],
    },
  };
}

// An asynchronous workload: bsdsock/asyncio (bench/bsdsock/async.js) rows
// against node's own event-driven program, each bsdsock row with its goal.
// `c`: the C row or rows; `floor`: the event-loop floor's row or rows (bench/floor/loop.js), programs timed as the others are.
function asyncWorkload({ rows, node: n, file = ['bsdsock', 'async.js'], c = null, floor = null }) {
  const cRows = c === null ? [] : [c].flat();
  const floorRows = floor === null ? [] : [floor].flat();
  return {
    impls: [...(c ? ['c'] : []), ...(floor ? ['floor'] : []), 'bsdsock', 'node'],
    program: { bsdsock: node(...file), node: node(...n.file), ...(floor ? { floor: node('floor', 'loop.js') } : {}) },
    variants: {
      ...(c ? { c: cRows } : {}),
      ...(floor ? { floor: floorRows.map((f) => ({ ...f, measured: true })) } : {}),
      bsdsock: rows.map(({ arg, label }) => ({ arg, label })),
      node: [{ arg: n.arg, label: n.label }],
    },
    goals: rows
      .filter((r) => r.goal)
      .map((r) => ({ row: `bsdsock:${r.arg}`, base: `node:${n.arg}`, ratio: r.goal, text: n.label, every: r.every })),
  };
}

// An event-driven workload: bench/bsdsock/events.js against bench/node/events.js, the same argument.
function eventWorkload(arg, label, goal, every = false, c = null, floor = null) {
  return asyncWorkload({
    rows: [{ arg, label: 'bsdsock/asyncio', goal, every }],
    node: { arg, file: ['node', 'events.js'], label },
    file: ['bsdsock', 'events.js'],
    c,
    floor,
  });
}


// A server under the C request/response client (bench/c/bench.c rr), the same for both.
function rrServer(id, server, how, programs, notes = []) {
  return {
    id,
    title: (n) => `${server}, request/response: the C client (bench/c/bench.c rr) sends 64 bytes and waits for them, TCP_NODELAY, ${n} round trips`,
    notes: [`bsdsock/asyncio: ${how}`, ...notes],
    unit: 'round trips/s',
    count: (cfg) => cfg.rrRounds,
    warmup: (cfg) => warmupRounds(cfg.rrRounds),
    peer: (bins, port, count, warmup) => [bins.bench, 'rr', count, warmup, port],
    ...programs,
  };
}

// A server under the same C clients (bench/c/echo_clients.c) for both, the goal held in every run.
function manyClients(id, server, how, programs, notes = []) {
  return {
    id,
    title: (n) => `${server} under ${ECHO_CLIENTS.toLocaleString('en-US')} TCP clients echoing 1 KiB messages for ${n} s; messages per second`,
    notes: [
      `bsdsock/asyncio: ${how}; node:net: a server writing back each 'data' chunk`,
      `clients: one C epoll program (bench/c/echo_clients.c) with 1,000 connections to each server of the turn, all started afresh; the servers take turns in ${ECHO_SLICE_SECONDS} s slices, one's clients echoing while the others' wait, so that a turn's servers meet the machine's changes of speed alike; the goal must hold in every run`,
      ...notes,
    ],
    unit: 'messages/s',
    count: (cfg) => cfg.echoSeconds,
    warmup: () => 0,
    together: true,
    peer: (bins, ports, seconds) => [bins.echo_clients, ports.join(','), ECHO_CLIENTS, seconds, ECHO_SLICE_SECONDS],
    ...programs,
  };
}

// A stream workload of bench/streams.js: both ends in one process, bsdsock/asyncio vs node:net.
function streamWorkload(id, title, notes) {
  return {
    id,
    title: (n) => `${title}, ${n} round trips`,
    notes: ['one loopback connection, server and client in the same process', ...notes],
    unit: 'round trips/s',
    count: (cfg) => cfg.streamRounds,
    warmup: (cfg) => warmupRounds(cfg.streamRounds),
    impls: ['bsdsock', 'node'],
    program: {
      bsdsock: () => [process.execPath, path.join(HERE, 'streams.js'), 'bsdsock'],
      node: () => [process.execPath, path.join(HERE, 'streams.js'), 'node'],
    },
    variants: { bsdsock: [{ arg: id, label: 'bsdsock/asyncio' }], node: [{ arg: id, label: 'node:net' }] },
    goals: [{ row: `bsdsock:${id}`, base: `node:${id}`, ratio: 1.0, text: 'node:net' }],
  };
}

const IMPLS = [
  { id: 'c', name: 'C', command: (bins) => [bins.bench] },
  { id: 'floor', name: 'floor (C + N-API crossings)', command: node('floor', 'floor.js') },
  { id: 'bsdsock', name: 'bsdsock', command: node('bsdsock', 'bench.js') },
  { id: 'cpython', name: 'CPython', command: () => ['python3', path.join(HERE, 'python', 'bench.py')] },
  {
    id: 'node',
    name: 'node',
    label: (w) => (w.id === 'udp' || w.id === 'burst' ? 'node:dgram' : w.id.startsWith('gai') ? 'node:dns.lookup' : 'node:net'),
    command: node('node', 'bench.js'),
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

// The full run's counts, and --quick's (a minute or two in all, on an idle machine).
const COUNTS = {
  udpRounds: [200000, 5000],
  rrRounds: [100000, 5000],
  streamRounds: [200000, 5000],
  bulkMib: [2048, 128],
  echoSeconds: [5, 0.5],
  gaiCalls: [200000, 10000],
  gaiLocalCalls: [50000, 2000],
  datagrams: [2000000, 64000],
  waitCalls: [2000, 100],
  epollCalls: [200000, 10000],
  wouldblockCalls: [1000000, 50000],
};

function readConfig() {
  const d = Object.fromEntries(Object.entries(COUNTS).map(([k, v]) => [k, v[QUICK ? 1 : 0]]));
  return {
    udpRounds: envInt('BENCH_ROUNDS', d.udpRounds),
    rrRounds: envInt('BENCH_ROUNDS', d.rrRounds),
    streamRounds: envInt('BENCH_ROUNDS', d.streamRounds),
    bulkBytes: envInt('BENCH_BULK_MIB', d.bulkMib) * MIB,
    echoSeconds: envInt('BENCH_ECHO_SECONDS', d.echoSeconds),
    gaiCalls: envInt('BENCH_CALLS', d.gaiCalls),
    gaiLocalCalls: envInt('BENCH_CALLS', d.gaiLocalCalls),
    datagrams: envInt('BENCH_DATAGRAMS', d.datagrams),
    waitCalls: envInt('BENCH_WAIT_CALLS', d.waitCalls),
    epollCalls: envInt('BENCH_WAIT_CALLS', d.epollCalls),
    wouldblockCalls: envInt('BENCH_WAIT_CALLS', d.wouldblockCalls),
    repeat: envInt('BENCH_REPEAT', MIN_RUNS),
    workloads: envList('BENCH_ONLY', WORKLOADS.map((w) => w.id)),
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

// Why an implementation cannot run here, or null when it can.
function unavailable(impl, floorAddon) {
  if (impl.id === 'cpython' && !versionOf('python3', ['--version'])) return 'python3 not found';
  if (impl.id === 'floor' && !floorAddon) return 'no addon';
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

// Starts a server program and resolves to { child, port } once it prints its port.
function startHelper(argv) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(argv[0], argv.slice(1).map(String), { cwd: HERE, stdio: ['ignore', 'pipe', 'inherit'] }));
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      out += text;
      if (out.includes('\n')) resolve({ child, port: Number(out.trim().split('\n')[0]) });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${path.basename(argv.at(-1))} exited early (${code})`)));
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
    const child = track(spawn(argv[0], argv.slice(1).map(String), { cwd: HERE, stdio: ['ignore', 'pipe', 'pipe'] }));
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

// The JSON line of `arg`'s result (any line for a peer program, which names its own workload).
function findRecord(stdout, arg) {
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const r = JSON.parse(line);
    if (arg === null || r.workload === arg) return r;
  }
  return null;
}

// What a result counted: MiB for bytes, else its rounds, calls, datagrams or messages.
function unitsOf(r) {
  return r.bytes !== undefined ? r.bytes / MIB : (r.rounds ?? r.calls ?? r.datagrams ?? r.messages);
}

// A result's rate: MiB/s for bytes, else what it counted per second.
function rateOf(r) {
  return unitsOf(r) / (r.ns / 1e9);
}

// A result's CPU time per unit in µs (per MiB for bytes), or null where the program did not report it.
function cpuOf(r) {
  if (r.cpu_ns === undefined) return null;
  return r.cpu_ns / 1e3 / (r.cpu_units ?? unitsOf(r));
}

function failure(run) {
  if (run.timedOut) return `timed out after ${TIMEOUT_MS / 1000} s`;
  const last = run.stderr.trim().split('\n').slice(-3).join(' | ');
  const how = run.signal ? `killed by ${run.signal}` : `exit code ${run.code}`;
  return `failed (${how})${last ? `: ${last}` : ''}`;
}

async function timed(argv, arg) {
  const run = await runProgram(argv);
  const record = run.code === 0 ? findRecord(run.stdout, arg) : null;
  return record === null ? { error: failure(run) } : { record };
}

/** The CPU time (ns) a live process's threads have used: the sum of their
 * /proc/PID/task/TID/schedstat run times (Linux), or null where there is none. */
function processCpuNs(pid) {
  try {
    const tasks = fs.readdirSync(`/proc/${pid}/task`);
    return tasks.reduce((sum, tid) => sum + Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]), 0);
  } catch {
    return null;
  }
}

/**
 * A server workload's run: the peer program's record (what it timed), with
 * the server's CPU time over the whole peer run (`cpu_ns`) and what the peer
 * sent it in that time (`cpu_units`: the warm-up's too, or every message the
 * 1,000 clients exchanged).
 */
async function serverTimed(peer, serverPid, units) {
  const before = processCpuNs(serverPid);
  const result = await timed(peer, null);
  const after = processCpuNs(serverPid);
  if (result.record && before !== null && after !== null) {
    result.record.cpu_ns = after - before;
    result.record.cpu_units = result.record.all ?? units;
  }
  return result;
}

// One run of one row: { record } or { error }. The row's program runs against
// its helper server, or, for a server workload, as the server its peer times.
async function runOnce(row, workload, cfg, bins) {
  const [count, warmup] = [workload.count(cfg), workload.warmup(cfg)];
  const command = (workload.program?.[row.impl.id] ?? row.impl.command)(bins);
  // The blocking workloads' floor makes no syscalls: it needs no helper.
  const helperName = row.impl.id === 'floor' && !row.measured ? null : (row.helper ?? workload.helper);
  const server = workload.peer ? serverOf(row, workload, bins) : HELPERS[helperName]?.(bins);
  const helper = server ? await startHelper(server) : null;
  try {
    if (workload.peer) return await serverTimed(workload.peer(bins, helper.port, count, warmup), helper.child.pid, count + warmup);
    if (row.argv) return await timed(row.argv(bins, count, warmup, helper?.port), null);
    return await timed([...command, row.arg, count, warmup, ...(helper ? [helper.port] : [])], row.arg);
  } catch (err) {
    return { error: err.message };
  } finally {
    if (helper) await stopHelper(helper);
  }
}

// The command of a server workload's row: its own server, or its program with its argument.
function serverOf(row, workload, bins) {
  return row.server?.(bins) ?? [...(workload.program?.[row.impl.id] ?? row.impl.command)(bins), row.arg];
}

/**
 * One turn of a workload whose servers share one peer (`together`): every
 * row's server starts, the peer drives them all in one run (the 1,000-client
 * echo: a slice each in turn) and prints a record per server, by port; each
 * row gets its own, with its server's CPU time over the run. The order the
 * servers go in moves by one each turn. One run of each row: { record } or { error }.
 */
async function runTogether(rows, workload, cfg, bins, turn) {
  const order = rows.map((_, k) => rows[(k + turn) % rows.length]);
  const started = await Promise.all(order.map((row) => startHelper(serverOf(row, workload, bins)).catch((err) => ({ error: err.message }))));
  try {
    const live = started.filter((h) => !h.error);
    const before = live.map((h) => processCpuNs(h.child.pid));
    const run = await runProgram(workload.peer(bins, live.map((h) => h.port), workload.count(cfg)));
    const records = run.code === 0 ? run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)) : [];
    const results = new Map();
    live.forEach((h, k) => {
      const record = records.find((r) => r.port === h.port);
      const after = processCpuNs(h.child.pid);
      if (record && before[k] !== null && after !== null) Object.assign(record, { cpu_ns: after - before[k], cpu_units: record.all });
      results.set(h, record ? { record } : { error: failure(run) });
    });
    return rows.map((row) => {
      const h = started[order.indexOf(row)];
      return h.error ? { error: h.error } : results.get(h);
    });
  } finally {
    await Promise.all(started.filter((h) => !h.error).map(stopHelper));
  }
}

// ---- the floor ----

// The floor's rate in run i: C's time of that run plus C's calls times the
// no-op crossings' time per call (C's recv calls for bulk, else one per unit).
function floorRate(floorRun, cRun) {
  if (!floorRun?.record || !cRun?.record) return null;
  const f = floorRun.record;
  const c = cRun.record;
  const units = c.bytes !== undefined ? c.calls : (c.rounds ?? c.calls ?? c.datagrams) / f.per;
  return rateOf({ ...c, ns: c.ns + (units * f.ns) / f.units });
}

// ---- the table ----

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Each row's rates (one per run, null where it failed), median, min and max.
function summarize(rows) {
  for (const row of rows) {
    const added = row.impl.id === 'floor' && !row.measured;
    row.rates = row.runs.map((run, i) => (added ? floorRate(run, row.cRow?.runs[i]) : run.record ? rateOf(run.record) : null));
    const cpus = row.runs.map((run) => (run.record ? cpuOf(run.record) : null)).filter((c) => c !== null);
    row.cpu = cpus.length > 0 ? median(cpus) : null;
    const ok = row.rates.filter((r) => r !== null);
    if (ok.length === 0) {
      row.error ??= row.runs.find((r) => r.error)?.error ?? 'no result';
      continue;
    }
    Object.assign(row, { median: median(ok), min: Math.min(...ok), max: Math.max(...ok) });
  }
}

function formatRate(rate) {
  return Math.round(rate).toLocaleString('en-US');
}

// The row a ratio column compares `row` with: the same argument's row of that implementation, else its first.
function baseRow(rows, implId, row) {
  const ok = rows.filter((r) => r.impl.id === implId && r.median !== undefined && r !== row);
  return ok.find((r) => r.arg === row.arg) ?? ok[0] ?? null;
}

// The ratio of `row` to `base`: the median of the ratios of their runs in the
// same turn (run i of each), so that a change in the machine's speed between
// turns, which moves every row of a turn alike, does not move the ratio.
function ratioOf(row, base) {
  const paired = turnRatios(row, base).filter((r) => r !== null);
  return paired.length > 0 ? median(paired) : row.median / base.median;
}

// Each turn's ratio of `row` to `base`: null where either run failed.
function turnRatios(row, base) {
  return row.rates.map((x, i) => (x !== null && base.rates[i] != null ? x / base.rates[i] : null));
}

const COLUMNS = [
  ['c', 'vs C'],
  ['floor', 'vs floor'],
  ['cpython', 'vs CPython'],
  ['node', 'vs node'],
];

// "goal: >= 0.9x C met (0.95x), >= 1.2x node:net server in every run MISSED (4 of 5)".
function goalText(goals, row, rows, runs) {
  const checks = goals
    .filter((g) => g.row === row.key)
    .map((g) => {
      const base = goalBase(g, rows);
      if (!base) return null;
      const r = ratioOf(row, base);
      if (runs < MIN_RUNS) return `>= ${g.ratio}x ${g.text} (${r.toFixed(2)}x; not judged: fewer than ${MIN_RUNS} runs)`;
      if (!g.every) return `>= ${g.ratio}x ${g.text} ${r >= g.ratio ? 'met' : 'MISSED'} (${r.toFixed(2)}x)`;
      const e = everyRun(row, base, g.ratio);
      return `>= ${g.ratio}x ${g.text} in every run ${e.met === e.runs ? 'met' : 'MISSED'} (${e.met} of ${e.runs}, lowest ${e.lowest}x)`;
    })
    .filter(Boolean);
  return checks.length ? `goal: ${checks.join(', ')}` : '';
}

// The row a goal compares with (g.base's), if it ran.
function goalBase(g, rows) {
  return rows.find((r) => r.key === g.base && r.median !== undefined);
}

// How many turns hold `row` at `ratio` times `base` or more, of how many, and the lowest
// ratio. A turn where either run failed counts as missed.
function everyRun(row, base, ratio) {
  const paired = turnRatios(row, base).map((r) => r ?? 0);
  const met = paired.filter((p) => p >= ratio).length;
  return { met, runs: paired.length, lowest: Math.min(...paired).toFixed(2) };
}

// A goal held in every run is a test of the machine's steadiness as much as of
// bsdsock: the same test of C's and the floor's rows shows whether any server
// here could pass it. "(the same test for C, one epoll loop: 7 of 7, lowest 1.35x; ...)".
function everyRunOfOthers(goals, rows) {
  return goals
    .filter((g) => g.every)
    .map((g) => {
      const base = goalBase(g, rows);
      const others = rows.filter((r) => (r.impl.id === 'c' || r.impl.id === 'floor') && r.median !== undefined);
      if (!base || others.length === 0) return null;
      const tests = others.map((r) => {
        const e = everyRun(r, base, g.ratio);
        return `${r.label}: ${e.met} of ${e.runs}, lowest ${e.lowest}x`;
      });
      return `(>= ${g.ratio}x ${g.text} in every run, the same test for the other servers: ${tests.join('; ')})`;
    })
    .filter(Boolean);
}

function tableLine(row, rows, columns, goals, runs) {
  if (row.median === undefined) return [row.label, '-', '', '', '', ...columns.map(() => ''), row.error];
  const ratios = columns.map(([id]) => {
    const base = baseRow(rows, id, row);
    return base && row.impl.id !== id ? `${ratioOf(row, base).toFixed(2)}x` : '';
  });
  const rates = [row.median, row.min, row.max].map(formatRate);
  const cpu = row.cpu === null ? '' : row.cpu.toFixed(row.cpu < 10 ? 2 : 1);
  return [row.label, ...rates, cpu, ...ratios, goalText(goals, row, rows, runs)];
}

// "round trip" for "round trips/s": what one unit of CPU time is counted per.
function perUnit(unit) {
  const name = unit.replace(/\/s$/, '');
  return { 'round trips': 'round trip', calls: 'call', datagrams: 'datagram', messages: 'message', echoes: 'echo' }[name] ?? name;
}

function printTable(workload, cfg, rows) {
  console.log(`\n${workload.title(workload.count(cfg))}`);
  for (const note of workload.notes) console.log(`  (${note})`);
  const columns = COLUMNS.filter(([id]) => rows.some((r) => r.impl.id === id && r.median !== undefined)).map(([id, t]) =>
    id === 'node' && workload.ownColumn ? [id, workload.ownColumn] : [id, t],
  );
  const header = ['implementation', `${workload.unit}, median`, 'min', 'max', `CPU µs/${perUnit(workload.unit)}`, ...columns.map(([, t]) => t), ''];
  const lines = rows.map((row) => tableLine(row, rows, columns, workload.goals ?? [], cfg.repeat));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const last = header.length - 1;
  const pad = (cell, i) => (i === 0 || i === last ? cell.padEnd(widths[i]) : cell.padStart(widths[i]));
  const format = (cells) => `  ${cells.map(pad).join('   ')}`.trimEnd();
  console.log(format(header));
  for (const line of lines) console.log(format(line));
  if (cfg.repeat >= MIN_RUNS) for (const line of everyRunOfOthers(workload.goals ?? [], rows)) console.log(`  ${line}`);
}

// ---- main ----

function printHeader(cfg) {
  const cpus = os.cpus();
  const python = versionOf('python3', ['--version']) || 'no python3';
  const ccVersion = versionOf('cc', ['--version']) || 'no cc';
  console.log(`bsdsock benchmark${QUICK ? ' (--quick: short runs, for development)' : ''}`);
  const cpu = cpus.length ? cpus[0].model : 'unknown CPU';
  console.log(`  machine: ${cpu}, ${cpus.length} cores, ${os.type()} ${os.release()}`);
  console.log(`  node ${process.version}, ${python}, ${ccVersion} (-O2)`);
  console.log('  each program runs alone in its own process (with its peer), one after another, on 127.0.0.1 (the 1,000-client');
  console.log('  echo servers of a turn at once, in slices of one client program);');
  console.log(`  the implementations of a workload take turns, ${cfg.repeat} run${cfg.repeat === 1 ? '' : 's'} each: median, min and max of the runs;`);
  console.log('  times are taken inside each program with a monotonic clock, after a warm-up; a ratio (and a goal) is the median');
  console.log("  of the ratios of the two rows' runs in the same turn, so that the machine's speed moving between turns moves neither");
  console.log("  CPU: the measured process's CPU time (user + system, every thread) per unit, median: a client's over its timed");
  console.log("  run (bench/clock.js), a server's over its peer's whole run (/proc/PID/task/*/schedstat), warm-up included");
  if (cfg.repeat < MIN_RUNS) console.log(`  note: goals are judged on ${MIN_RUNS} runs or more (BENCH_REPEAT=${cfg.repeat})`);
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

// CPU time (user + system, in clock ticks) and name of every process, by pid: Linux's /proc; empty elsewhere.
function processTimes() {
  const times = new Map();
  let pids = [];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return times;
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields count from its last ')'.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      times.set(pid, { name: stat.slice(stat.indexOf('(') + 1, close), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // Gone since the listing.
    }
  }
  return times;
}

// The processes that used at least a tenth of a CPU between two processTimes() a second apart, busiest first.
function busiest(before, after) {
  const TICKS_PER_SECOND = 100;
  return [...after]
    .filter(([pid]) => Number(pid) !== process.pid && before.has(pid))
    .map(([pid, { name, ticks }]) => ({ pid, name, share: (ticks - before.get(pid).ticks) / TICKS_PER_SECOND }))
    .filter(({ share }) => share >= 0.1)
    .sort((a, b) => b.share - a.share)
    .slice(0, 3);
}

// Warns when the CPUs are busy with something else before the run starts, naming what keeps them busy. A CPU
// kept awake changes more than the noise: a round trip in which both ends sleep is then several times faster.
async function checkIdle() {
  const before = cpuTimes();
  const procsBefore = processTimes();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = cpuTimes();
  const busy = 1 - (after.idle - before.idle) / (after.total - before.total || 1);
  if (busy > 0.15) {
    const who = busiest(procsBefore, processTimes()).map(({ pid, name, share }) => `${name} (pid ${pid}) ${Math.round(share * 100)}%`);
    console.log(`  note: the CPUs were ${Math.round(busy * 100)}% busy before the run${who.length ? `, by ${who.join(', ')} of a CPU` : ''}: numbers will be`);
    console.log('  noisy, and a round trip in which both ends sleep runs several times faster while a CPU is kept awake');
  }
}

// One row per implementation, or per variant where the workload has several.
function rowsOf(workload, impls) {
  const allowed = workload.impls ?? ['c', ...(workload.floor ? ['floor'] : []), 'bsdsock', 'cpython', 'node'];
  const rows = impls
    .filter(({ impl }) => allowed.includes(impl.id))
    .flatMap(({ impl, reason }) =>
      (workload.variants?.[impl.id] ?? [{ arg: workload.id }]).map((v) => ({
        impl,
        arg: v.arg,
        helper: v.helper,
        server: v.server,
        argv: v.argv,
        measured: v.measured ?? false,
        label: v.label ?? labelOf(impl, workload),
        key: `${impl.id}:${v.key ?? v.arg}`,
        runs: [],
        error: reason ? 'not run' : null,
      })),
    );
  // The floor adds its crossings to C's time of the same run: no C row, no floor.
  for (const row of rows.filter((r) => r.impl.id === 'floor' && !r.measured)) {
    // The C row with bsdsock's threads where there is one (see THREADED_NOTE), else C's own.
    const base = (suffix) => rows.find((r) => r.key === `c:${row.arg}${suffix}` && !r.error);
    row.cRow = base('-mt') ?? base('');
    if (!row.cRow) row.error ??= 'no C row to add the crossings to';
  }
  return rows;
}

// Runs every row once per repeat, in turn, and prints the medians.
async function runWorkload(workload, cfg, impls, bins) {
  const rows = rowsOf(workload, impls);
  for (let i = 0; i < cfg.repeat; i++) {
    if (workload.together) {
      const live = rows.filter((r) => !r.error);
      process.stderr.write(`  running ${workload.id} (${i + 1}/${cfg.repeat}): ${live.map((r) => r.label).join(', ')}, in turn ...\n`);
      (await runTogether(live, workload, cfg, bins, i)).forEach((run, k) => live[k].runs.push(run));
      continue;
    }
    for (const row of rows.filter((r) => !r.error)) {
      process.stderr.write(`  running ${workload.id} (${i + 1}/${cfg.repeat}): ${row.label} ...\n`);
      row.runs.push(await runOnce(row, workload, cfg, bins));
    }
  }
  summarize(rows);
  printTable(workload, cfg, rows);
}

async function main() {
  if (process.argv.includes('--list')) {
    for (const w of WORKLOADS) console.log(w.id);
    return;
  }
  const cfg = readConfig();
  printHeader(cfg);
  await checkIdle();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-bench-'));
  try {
    const bins = compileC(dir);
    process.env.BENCH_FLOOR_ADDON = compileFloor(dir) ?? '';
    const chosen = IMPLS.filter((impl) => cfg.impls.includes(impl.id));
    const impls = chosen.map((impl) => ({ impl, reason: unavailable(impl, process.env.BENCH_FLOOR_ADDON) }));
    for (const { impl, reason } of impls) {
      if (reason) console.log(`  ${impl.name}: ${reason}; the others still run`);
    }
    for (const workload of WORKLOADS.filter((w) => cfg.workloads.includes(w.id))) {
      await runWorkload(workload, cfg, impls, bins);
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
