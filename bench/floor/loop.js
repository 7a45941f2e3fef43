'use strict';
// The event-loop floors of the async workloads: clients with the least any
// addon on Node's event loop can do per round trip. floor.c holds the addon's
// functions (compiled by run.js; its path in BENCH_FLOOR_ADDON). No argument
// checks, no errors made, no queue: what is left of an asyncio-like layer once
// everything that can be taken away is.
//
//   node loop.js arr   ROUNDS WARMUP PORT   (PORT: the C echo server)
//     a promise-based API: one call into the addon to send, one uv_poll
//     callback into JavaScript when the reply is readable (level-triggered,
//     armed once), one promise resolved by it and awaited, one call to receive
//   node loop.js audp  ROUNDS WARMUP
//     the same promise-based API for two UDP sockets of this process, each end
//     a task of its own: one sends to the other and awaits the echo, the other
//     awaits a datagram and echoes it (sendto and recvfrom, with addresses)
//   node loop.js audp-api ROUNDS WARMUP
//     the same two tasks with asyncio's call shapes: each send a promise of its
//     count, awaited; each receive one promise, resolved by the uv_poll
//     callback that receives the datagram, of [data, address], the data a
//     new view of a shared slab
//   node loop.js abulk BYTES WARMUP_BYTES PORT   (PORT: the C sender)
//     the same promise-based API reading a bulk stream: per receive, one promise
//     the uv_poll callback resolves, awaited, then a call to receive into one
//     reused 256 KiB buffer, until EOF
//   node loop.js aecho                    an echo server (prints its port, then serves until killed)
//     the same promise-based API as a server: per connection, a task that awaits
//     readiness, receives into its buffer and sends the bytes back
//   node loop.js techo                    a callback echo server (prints its port, then serves until killed)
//     a callback API (Protocol, node:net's 'data'): per connection, the uv_poll
//     callback receives into its buffer and sends the bytes back, no promise
//   node loop.js necho                    the least any echo server on Node's loop can do
//     (prints its port, then serves until killed): per message, the uv_poll
//     callback receives and sends in C, with one call into JavaScript (a no-op)
//     between them, as any design must make to let JavaScript see the message
//   node loop.js dping ROUNDS WARMUP PORT   (PORT: the C UDP echo server)
//     a callback API (DatagramProtocol, node:dgram's 'message'): the uv_poll
//     callback receives the datagram and sends the next one, no promise
//
// Prints one JSON line, as bench/bsdsock/async.js does.

const clock = require('../clock');

const addon = require(process.env.BENCH_FLOOR_ADDON);

const MSG = Buffer.alloc(64, 'x');
const EAGAIN = 11;
const [SOCK_STREAM, SOCK_DGRAM] = [1, 2];

async function rrRounds(fd, rounds, readable) {
  const reply = Buffer.alloc(64);
  for (let i = 0; i < rounds; i++) {
    if (addon.send(fd, MSG) !== MSG.length) throw new Error('rr: send failed');
    let got = 0;
    while (got < MSG.length) {
      await readable();
      const n = addon.recv(fd, reply.subarray(got));
      if (n === -EAGAIN) continue;
      if (n <= 0) throw new Error(`rr: recv gave ${n}`);
      got += n;
    }
  }
}

// Watches fd for reading: `onReadable` is called at each readiness.
function watch(fd, onReadable) {
  if (addon.watch(fd, onReadable) !== 0) throw new Error('uv_poll_start failed');
}

function connected(port, type, onReadable) {
  const fd = addon.connectTo(port, type);
  if (fd < 0) throw new Error(`connect: errno ${-fd}`);
  watch(fd, onReadable);
  return fd;
}

function report(workload, rounds, t0) {
  reportNs(workload, 'rounds', rounds, process.hrtime.bigint() - t0);
}

// One JSON line: `count` of `unit` (rounds, bytes) in `ns`.
function reportNs(workload, unit, count, ns) {
  console.log(JSON.stringify({ impl: 'floor', workload, [unit]: count, ns: Number(ns), cpu_ns: clock.cpuNs() }));
}

// A watched fd's readiness as promises: `readable()` is the promise the next readiness resolves.
function readiness() {
  let wake = null;
  return {
    onReadable: () => wake?.(),
    readable: () =>
      new Promise((resolve) => {
        wake = () => {
          wake = null;
          resolve();
        };
      }),
  };
}

async function benchRr(rounds, warmup, port) {
  const { onReadable, readable } = readiness();
  const fd = connected(port, SOCK_STREAM, onReadable);
  await rrRounds(fd, warmup, readable);
  const t0 = clock.start();
  await rrRounds(fd, rounds, readable);
  report('arr', rounds, t0);
}

// A datagram received on fd into buf, its length (the sender's port is not needed). It waits for
// readiness first: in this exchange the datagram is never there before (no recvfrom wasted on EAGAIN).
async function recvfrom(fd, buf, readable) {
  for (;;) {
    await readable();
    const n = addon.recvfrom(fd, buf);
    if (n !== -EAGAIN) return n;
  }
}

function boundUdp() {
  const fd = addon.bound(SOCK_DGRAM);
  if (fd < 0) throw new Error(`bind: errno ${-fd}`);
  const r = readiness();
  watch(fd, r.onReadable);
  return { fd, port: addon.portOf(fd), readable: r.readable };
}

async function udpPings(a, portB, rounds) {
  const reply = Buffer.alloc(4096);
  for (let i = 0; i < rounds; i++) {
    if (addon.sendto(a.fd, MSG, portB) !== MSG.length) throw new Error('audp: sendto failed');
    if ((await recvfrom(a.fd, reply, a.readable)) < 0) throw new Error('audp: recvfrom failed');
  }
}

async function udpEchoes(b, portA, rounds) {
  const buf = Buffer.alloc(4096);
  for (let i = 0; i < rounds; i++) {
    const n = await recvfrom(b.fd, buf, b.readable);
    if (n < 0 || addon.sendto(b.fd, buf.subarray(0, n), portA) !== n) throw new Error('audp: echo failed');
  }
}

// One connection to the sender: asks for `bytes`, receives them until EOF; its nanoseconds.
async function bulkOnce(port, bytes, buf) {
  const { onReadable, readable } = readiness();
  const fd = connected(port, SOCK_STREAM, onReadable);
  const t0 = clock.start();
  const request = Buffer.from(`${bytes}\n`);
  if (addon.send(fd, request) !== request.length) throw new Error('abulk: request not sent');
  let total = 0;
  for (;;) {
    await readable();
    const n = addon.recv(fd, buf);
    if (n === -EAGAIN) continue;
    if (n < 0) throw new Error(`abulk: recv gave ${n}`);
    if (n === 0) break;
    total += n;
  }
  const ns = process.hrtime.bigint() - t0;
  addon.unwatch(fd);
  if (total !== bytes) throw new Error(`abulk: received ${total} of ${bytes} bytes`);
  return ns;
}

async function benchBulk(bytes, warmup, port) {
  const buf = Buffer.alloc(256 * 1024);
  if (warmup > 0) await bulkOnce(port, warmup, buf);
  reportNs('abulk', 'bytes', bytes, await bulkOnce(port, bytes, buf));
}

async function benchUdp(workload, rounds, warmup) {
  const api = workload === 'audp-api';
  const [a, b] = api ? apiPair() : [boundUdp(), boundUdp()];
  const run = api
    ? (n) => Promise.all([apiEchoes(b, a.port, n), apiPings(a, b.port, n)])
    : (n) => Promise.all([udpEchoes(b, a.port, n), udpPings(a, b.port, n)]);
  await run(warmup);
  const t0 = clock.start();
  await run(rounds);
  report(workload, rounds, t0);
}

// ---- audp-api: asyncio's call shapes (sock_sendto, sock_recvfrom) over the same addon ----

const SLAB = Buffer.alloc(64 * 1024);
const DATAGRAM_MAX = 4096;
let slabAt = 0;

// A bound UDP socket whose readiness runs the receive waiting on it, if any.
function apiUdp() {
  const end = { fd: addon.bound(SOCK_DGRAM), port: 0, receive: null, peer: null };
  if (end.fd < 0) throw new Error(`bind: errno ${-end.fd}`);
  end.port = addon.portOf(end.fd);
  watch(end.fd, () => end.receive?.());
  return end;
}

// Two ends, each knowing the other's address as a received datagram's sender
// (the addon drops it; bsdsock, too, gives a repeated sender's one tuple).
function apiPair() {
  const [a, b] = [apiUdp(), apiUdp()];
  [a.peer, b.peer] = [['127.0.0.1', b.port], ['127.0.0.1', a.port]];
  return [a, b];
}

// sock_sendto's shape: a promise of the count sent.
function apiSendto(end, data, port) {
  return Promise.resolve(addon.sendto(end.fd, data, port));
}

// sock_recvfrom's shape: a promise of [data, address], settled by the readiness callback.
function apiRecvfrom(end) {
  return new Promise((resolve, reject) => {
    end.receive = () => {
      if (slabAt + DATAGRAM_MAX > SLAB.length) slabAt = 0;
      const n = addon.recvfrom(end.fd, SLAB.subarray(slabAt, slabAt + DATAGRAM_MAX));
      if (n === -EAGAIN) return;
      end.receive = null;
      if (n < 0) return reject(new Error(`recvfrom: errno ${-n}`));
      const data = SLAB.subarray(slabAt, slabAt + n);
      slabAt += n;
      resolve([data, end.peer]);
    };
  });
}

async function apiPings(a, portB, rounds) {
  for (let i = 0; i < rounds; i++) {
    if ((await apiSendto(a, MSG, portB)) !== MSG.length) throw new Error('audp-api: sendto failed');
    const [data] = await apiRecvfrom(a);
    if (data.length !== MSG.length) throw new Error('audp-api: short echo');
  }
}

async function apiEchoes(b, portA, rounds) {
  for (let i = 0; i < rounds; i++) {
    const [data] = await apiRecvfrom(b);
    if ((await apiSendto(b, data, portA)) !== data.length) throw new Error('audp-api: echo failed');
  }
}

// One connection of the echo server, until its client goes: a short send (never seen
// with 1 KiB messages) fails the server, which has no writer to wait for room with.
async function echo(fd, readable) {
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    await readable();
    const n = addon.recv(fd, buf);
    if (n === -EAGAIN) continue;
    if (n <= 0) break;
    const sent = addon.send(fd, buf.subarray(0, n));
    if (sent !== n) throw new Error(`aecho: send gave ${sent} of ${n} bytes`);
  }
  addon.unwatch(fd);
}

// The callback twin of echo: the uv_poll callback of one connection, until its client goes.
function echoing(fd) {
  const buf = Buffer.alloc(64 * 1024);
  return () => {
    const n = addon.recv(fd, buf);
    if (n === -EAGAIN) return;
    if (n <= 0) return addon.unwatch(fd);
    const sent = addon.send(fd, buf.subarray(0, n));
    if (sent !== n) fatal(new Error(`techo: send gave ${sent} of ${n} bytes`));
  };
}

// A listening socket whose connections `serve(fd)` takes, each as it is accepted.
function serve(serveOne) {
  const server = addon.listener();
  if (server < 0) throw new Error(`listen: errno ${-server}`);
  const accepted = () => {
    for (let fd = addon.accept(server); fd >= 0; fd = addon.accept(server)) serveOne(fd);
  };
  watch(server, accepted);
  console.log(addon.portOf(server));
}

function serveEcho(fd) {
  const { onReadable, readable } = readiness();
  watch(fd, onReadable);
  echo(fd, readable).catch(fatal);
}

function fatal(err) {
  console.error(err);
  process.exit(1);
}

async function benchPing(rounds, warmup, port) {
  const reply = Buffer.alloc(4096);
  let left = 0;
  let done = null;
  const fd = connected(port, SOCK_DGRAM, () => {
    if (addon.recv(fd, reply) < 0) return;
    if (--left > 0) addon.send(fd, MSG);
    else done();
  });
  const pings = (n) =>
    new Promise((resolve) => {
      [left, done] = [n, resolve];
      addon.send(fd, MSG);
    });
  await pings(warmup);
  const t0 = clock.start();
  await pings(rounds);
  report('dping', rounds, t0);
}

async function main(argv) {
  const [workload, count, warmup, port] = [argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5])];
  if (workload === 'arr') await benchRr(count, warmup, port);
  else if (workload === 'audp' || workload === 'audp-api') await benchUdp(workload, count, warmup);
  else if (workload === 'abulk') await benchBulk(count, warmup, port);
  else if (workload === 'aecho') return serve(serveEcho);
  else if (workload === 'techo') return serve((fd) => watch(fd, echoing(fd)));
  else if (workload === 'necho') return serve((fd) => addon.watchEcho(fd, () => {}));
  else if (workload === 'dping') await benchPing(count, warmup, port);
  else throw new Error(`unknown workload: ${workload}`);
  process.exit(0);
}

main(process.argv).catch(fatal);
