// Deno's own socket API on the runtime workloads (bench/run.js rt-*), the twin
// of what bsdsock/asyncio does there under Deno (../bsdsock/events.js dping,
// ../bsdsock/async.js arr, ../bsdsock/events.js tcp-echo). Run with
// `deno run -A --unstable-net` (Deno.listenDatagram is behind that flag):
//
//   deno.mjs udp ROUNDS WARMUP PORT   Deno.listenDatagram: send to the C UDP echo server
//                                     at PORT, await receive(), again
//   deno.mjs rr  ROUNDS WARMUP PORT   Deno.connect to the C echo server at PORT: write 64
//                                     bytes, read until all 64 are back (TCP_NODELAY)
//   deno.mjs tcp-echo                 Deno.listen: an echo server, read + write per
//                                     connection; prints its port, serves until killed
//
// The clients print one JSON line.

/* global Deno */

import clock from '../clock.js';

const MSG = new Uint8Array(64).fill(120);
const HOST = '127.0.0.1';

function report(workload, rounds, ns) {
  console.log(JSON.stringify({ impl: 'deno', workload, rounds, ns: Number(ns), cpu_ns: clock.cpuNs() }));
}

async function timed(workload, rounds, warmup, run) {
  await run(warmup);
  const t0 = clock.start();
  await run(rounds);
  report(workload, rounds, process.hrtime.bigint() - t0);
}

async function udp(rounds, warmup, port) {
  const conn = Deno.listenDatagram({ hostname: HOST, port: 0, transport: 'udp' });
  const to = { transport: 'udp', hostname: HOST, port };
  const buf = new Uint8Array(4096);
  await timed('udp', rounds, warmup, async (n) => {
    for (let i = 0; i < n; i++) {
      await conn.send(MSG, to);
      await conn.receive(buf);
    }
  });
  conn.close();
}

async function writeAll(conn, data) {
  for (let off = 0; off < data.length; ) off += await conn.write(data.subarray(off));
}

async function rr(rounds, warmup, port) {
  const conn = await Deno.connect({ hostname: HOST, port });
  conn.setNoDelay(true);
  const buf = new Uint8Array(64);
  await timed('rr', rounds, warmup, async (n) => {
    for (let i = 0; i < n; i++) {
      await writeAll(conn, MSG);
      for (let got = 0; got < 64; ) {
        const r = await conn.read(buf.subarray(got));
        if (r === null) throw new Error('rr: connection closed');
        got += r;
      }
    }
  });
  conn.close();
}

async function echo(conn) {
  conn.setNoDelay(true);
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      await writeAll(conn, buf.subarray(0, n));
    }
  } catch {
    // A client gone mid-write: its connection ends here.
  }
  conn.close();
}

async function tcpEcho() {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  console.log(listener.addr.port);
  for await (const conn of listener) echo(conn);
}

const [workload, count, warmup, port] = [Deno.args[0], Number(Deno.args[1]), Number(Deno.args[2]), Number(Deno.args[3])];
if (workload === 'udp') await udp(count, warmup, port);
else if (workload === 'rr') await rr(count, warmup, port);
else if (workload === 'tcp-echo') await tcpEcho();
else throw new Error(`unknown workload: ${workload}`);
