// Bun's own socket API on the runtime workloads (bench/run.js rt-*), the twin
// of what bsdsock/asyncio does there under Bun (../bsdsock/events.js dping,
// ../bsdsock/async.js arr, ../bsdsock/events.js tcp-echo):
//
//   bun bun.mjs udp ROUNDS WARMUP PORT   Bun.udpSocket pinging the C UDP echo server at PORT,
//                                        the next datagram sent from the data callback
//   bun bun.mjs rr  ROUNDS WARMUP PORT   Bun.connect to the C echo server at PORT: 64 bytes
//                                        written, the next when all 64 are back (TCP_NODELAY)
//   bun bun.mjs tcp-echo                 Bun.listen: an echo server; prints its port, serves until killed
//
// The clients print one JSON line.

import clock from '../clock.js';

const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function report(workload, rounds, ns) {
  console.log(JSON.stringify({ impl: 'bun', workload, rounds, ns: Number(ns), cpu_ns: clock.cpuNs() }));
}

/** Runs `rounds` exchanges with `start(next)`, where `next()` is called at each reply. */
function exchanges(rounds, start) {
  return new Promise((resolve) => {
    let left = rounds;
    const next = () => (--left > 0 ? true : (resolve(), false));
    if (rounds === 0) resolve();
    else start(next);
  });
}

async function udp(rounds, warmup, port) {
  let onReply = () => {};
  const sock = await Bun.udpSocket({ hostname: HOST, socket: { data: () => onReply() } });
  const run = (n) =>
    exchanges(n, (next) => {
      onReply = () => next() && sock.send(MSG, port, HOST);
      sock.send(MSG, port, HOST);
    });
  await run(warmup);
  const t0 = clock.start();
  await run(rounds);
  report('udp', rounds, process.hrtime.bigint() - t0);
  sock.close();
}

async function rr(rounds, warmup, port) {
  let onData = () => {};
  const sock = await Bun.connect({ hostname: HOST, port, socket: { data: (_s, data) => onData(data.length) } });
  sock.setNoDelay(true);
  const run = (n) =>
    exchanges(n, (next) => {
      let got = 0;
      onData = (len) => {
        got += len;
        if (got < 64) return;
        got = 0;
        if (next()) sock.write(MSG);
      };
      sock.write(MSG);
    });
  await run(warmup);
  const t0 = clock.start();
  await run(rounds);
  report('rr', rounds, process.hrtime.bigint() - t0);
  sock.end();
}

// An echo server: what a write does not take waits for the drain callback.
function tcpEcho() {
  const pending = new Map();
  const flush = (s) => {
    const data = pending.get(s);
    if (!data) return;
    const n = s.write(data);
    if (n < data.length) pending.set(s, data.subarray(n));
    else pending.delete(s);
  };
  const server = Bun.listen({
    hostname: HOST,
    port: 0,
    socket: {
      open: (s) => s.setNoDelay(true),
      data: (s, data) => {
        const queued = pending.get(s);
        if (queued) return pending.set(s, Buffer.concat([queued, data]));
        const n = s.write(data);
        if (n < data.length) pending.set(s, Buffer.from(data.subarray(n)));
      },
      drain: flush,
      close: (s) => pending.delete(s),
    },
  });
  console.log(server.port);
}

const [workload, count, warmup, port] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
if (workload === 'udp') await udp(count, warmup, port);
else if (workload === 'rr') await rr(count, warmup, port);
else if (workload === 'tcp-echo') tcpEcho();
else throw new Error(`unknown workload: ${workload}`);
