'use strict';
// bsdsock/asyncio on the asynchronous workloads: the blocking workloads of
// bench.js with every call awaited on Node's event loop (asyncio's
// loop.sock_* calls), and an echo server for many concurrent clients.
//
//   node async.js audp  ROUNDS WARMUP
//   node async.js abulk BYTES  WARMUP_BYTES PORT   (PORT: the C sender)
//   node async.js arr   ROUNDS WARMUP       PORT   (PORT: the C echo server)
//   node async.js aecho SECONDS CLIENTS            (clients: ../node/echo-clients.js)
//
// Prints one JSON line per result.

const { spawn } = require('node:child_process');
const path = require('node:path');

const { socket, AF_INET, SOCK_DGRAM, IPPROTO_TCP, TCP_NODELAY } = require('bsdsock');
const aio = require('bsdsock/asyncio');

const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function report(workload, unit, count, ns) {
  console.log(JSON.stringify({ impl: 'bsdsock', workload, [unit]: count, ns: Number(ns) }));
}

function nonblocking(s) {
  s.setblocking(false);
  return s;
}

async function udpRounds(a, b, addrB, rounds) {
  for (let i = 0; i < rounds; i++) {
    await aio.sock_sendto(a, MSG, addrB);
    const [data, addr] = await aio.sock_recvfrom(b, 4096);
    await aio.sock_sendto(b, data, addr);
    await aio.sock_recvfrom(a, 4096);
  }
}

async function benchUdp(rounds, warmup) {
  const a = nonblocking(socket(AF_INET, SOCK_DGRAM));
  const b = nonblocking(socket(AF_INET, SOCK_DGRAM));
  a.bind([HOST, 0]);
  b.bind([HOST, 0]);
  const addrB = b.getsockname();
  await udpRounds(a, b, addrB, warmup);
  const t0 = process.hrtime.bigint();
  await udpRounds(a, b, addrB, rounds);
  report('audp', 'rounds', rounds, process.hrtime.bigint() - t0);
  a.close();
  b.close();
}

async function bulkOnce(port, bytes, buf) {
  const s = nonblocking(socket());
  await aio.sock_connect(s, [HOST, port]);
  const t0 = process.hrtime.bigint();
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
  const t0 = process.hrtime.bigint();
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

/** The client program: the C one run.js compiled (BENCH_ECHO_CLIENT), else the node:net one. */
function echoClients() {
  const c = process.env.BENCH_ECHO_CLIENT;
  return c ? [c] : [process.execPath, path.join(__dirname, '..', 'node', 'echo-clients.js')];
}

async function benchEcho(seconds, clients) {
  const server = nonblocking(socket());
  server.bind([HOST, 0]);
  server.listen(clients);
  const ac = new AbortController();
  const [cmd, ...pre] = echoClients();
  const child = spawn(cmd, [...pre, server.getsockname()[1], clients, seconds], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (t) => (out += t));
  const done = new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`clients exited ${code}`)))));
  (async () => {
    for (;;) {
      const [conn] = await aio.sock_accept(server, { signal: ac.signal });
      void echo(conn, Buffer.alloc(64 * 1024));
    }
  })().catch(() => {});
  await done;
  ac.abort();
  server.close();
  const r = JSON.parse(out);
  report('aecho', 'rounds', r.messages, r.ns);
}

async function main(argv) {
  const [workload, count, warmup, port] = [argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5])];
  if (workload === 'audp') await benchUdp(count, warmup);
  else if (workload === 'abulk') await benchBulk(count, warmup, port);
  else if (workload === 'arr') await benchRr(count, warmup, port);
  else if (workload === 'aecho') await benchEcho(count, warmup);
  else throw new Error(`unknown workload: ${workload}`);
  process.exit(0);
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
