'use strict';
// bsdsock/asyncio on the asynchronous workloads: the blocking workloads of
// bench.js with every call awaited on Node's event loop (asyncio's
// loop.sock_* calls), and an echo server for many concurrent clients.
//
//   node async.js audp       ROUNDS WARMUP   the two ends as two tasks: each waits for what the other sends
//   node async.js audp-ready ROUNDS WARMUP   both ends in one await chain: every datagram is queued
//                                            before its recvfrom starts (the already-ready figure)
//   node async.js abulk BYTES  WARMUP_BYTES PORT   (PORT: the C sender)
//   node async.js arr   ROUNDS WARMUP       PORT   (PORT: the C echo server)
//   node async.js aecho                      an echo server (sock_accept, sock_recv_into, sock_sendall):
//                                            prints its port, then serves until killed
//
// Prints one JSON line per result.

const clock = require('../clock');
const { socket, AF_INET, SOCK_DGRAM, IPPROTO_TCP, TCP_NODELAY } = require('bsdsock');
const aio = require('bsdsock/asyncio');

const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function report(workload, unit, count, ns) {
  console.log(JSON.stringify({ impl: 'bsdsock', workload, [unit]: count, ns: Number(ns), cpu_ns: clock.cpuNs() }));
}

function nonblocking(s) {
  s.setblocking(false);
  return s;
}

// One await chain: each recvfrom finds its datagram already queued.
async function udpReadyRounds(a, b, addrB, rounds) {
  for (let i = 0; i < rounds; i++) {
    await aio.sock_sendto(a, MSG, addrB);
    const [data, addr] = await aio.sock_recvfrom(b, 4096);
    await aio.sock_sendto(b, data, addr);
    await aio.sock_recvfrom(a, 4096);
  }
}

// B's side, a task of its own: echoes `rounds` datagrams, waiting for each.
async function udpEchoes(b, rounds) {
  for (let i = 0; i < rounds; i++) {
    const [data, addr] = await aio.sock_recvfrom(b, 4096);
    await aio.sock_sendto(b, data, addr);
  }
}

// A's side: sends, then waits for the echo B's task has not sent yet.
async function udpPings(a, addrB, rounds) {
  for (let i = 0; i < rounds; i++) {
    await aio.sock_sendto(a, MSG, addrB);
    await aio.sock_recvfrom(a, 4096);
  }
}

function udpConcurrentRounds(a, b, addrB, rounds) {
  return Promise.all([udpEchoes(b, rounds), udpPings(a, addrB, rounds)]);
}

async function benchUdp(workload, rounds, warmup) {
  const a = nonblocking(socket(AF_INET, SOCK_DGRAM));
  const b = nonblocking(socket(AF_INET, SOCK_DGRAM));
  a.bind([HOST, 0]);
  b.bind([HOST, 0]);
  const addrB = b.getsockname();
  const run = workload === 'audp-ready' ? udpReadyRounds : udpConcurrentRounds;
  await run(a, b, addrB, warmup);
  const t0 = clock.start();
  await run(a, b, addrB, rounds);
  report(workload, 'rounds', rounds, process.hrtime.bigint() - t0);
  a.close();
  b.close();
}

async function bulkOnce(port, bytes, buf) {
  const s = nonblocking(socket());
  await aio.sock_connect(s, [HOST, port]);
  const t0 = clock.start();
  await aio.sock_sendall(s, Buffer.from(`${bytes}\n`));
  let total = 0;
  for (;;) {
    const n = await aio.sock_recv_into(s, buf);
    if (n === 0) break;
    total += n;
  }
  const ns = process.hrtime.bigint() - t0;
  s.close();
  if (total !== bytes) throw new Error(`bulk: received ${total} of ${bytes} bytes`);
  return ns;
}

async function benchBulk(bytes, warmup, port) {
  const buf = Buffer.alloc(256 * 1024);
  if (warmup > 0) await bulkOnce(port, warmup, buf);
  report('abulk', 'bytes', bytes, await bulkOnce(port, bytes, buf));
}

async function rrRounds(s, rounds) {
  for (let i = 0; i < rounds; i++) {
    await aio.sock_sendall(s, MSG);
    let got = 0;
    while (got < 64) {
      const chunk = await aio.sock_recv(s, 64 - got);
      if (chunk.length === 0) throw new Error('rr: connection closed');
      got += chunk.length;
    }
  }
}

async function benchRr(rounds, warmup, port) {
  const s = nonblocking(socket());
  await aio.sock_connect(s, [HOST, port]);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  await rrRounds(s, warmup);
  const t0 = clock.start();
  await rrRounds(s, rounds);
  report('arr', 'rounds', rounds, process.hrtime.bigint() - t0);
  s.close();
}

// One connection of the echo server: read what comes, send it back, until EOF.
async function echo(conn, buf) {
  try {
    conn.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    for (;;) {
      const n = await aio.sock_recv_into(conn, buf);
      if (n === 0) break;
      await aio.sock_sendall(conn, buf.subarray(0, n));
    }
  } catch {
    // A client that goes away mid-message ends its connection, nothing more.
  } finally {
    conn.close();
  }
}

async function serveEcho() {
  const server = nonblocking(socket());
  server.bind([HOST, 0]);
  server.listen(1024);
  console.log(server.getsockname()[1]);
  for (;;) {
    const [conn] = await aio.sock_accept(server);
    void echo(conn, Buffer.alloc(64 * 1024));
  }
}

async function main(argv) {
  const [workload, count, warmup, port] = [argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5])];
  if (workload === 'audp' || workload === 'audp-ready') await benchUdp(workload, count, warmup);
  else if (workload === 'abulk') await benchBulk(count, warmup, port);
  else if (workload === 'arr') await benchRr(count, warmup, port);
  else if (workload === 'aecho') await serveEcho();
  else throw new Error(`unknown workload: ${workload}`);
  process.exit(0);
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
