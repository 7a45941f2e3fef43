'use strict';
// The event-loop floor of the async request/response workload: a client with
// the least any addon on Node's event loop can do per round trip, and a
// promise-based API must do. One call into the addon to send, one uv_poll
// callback into JavaScript when the reply is readable (level-triggered, armed
// once), one promise resolved by it and awaited, one call to receive. No
// argument checks, no errors made, no queue: what is left of an asyncio-like
// layer once everything that can be taken away is. floor.c holds the addon's
// functions (compiled by run.js; its path in BENCH_FLOOR_ADDON).
//
//   node loop.js arr ROUNDS WARMUP PORT   (PORT: the C echo server)
//
// Prints one JSON line, as bench/bsdsock/async.js does.

const clock = require('../clock');

const addon = require(process.env.BENCH_FLOOR_ADDON);

const MSG = Buffer.alloc(64, 'x');
const EAGAIN = 11;

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

async function benchRr(rounds, warmup, port) {
  const fd = addon.connectTcp(port);
  if (fd < 0) throw new Error(`connect: errno ${-fd}`);
  let wake = null;
  if (addon.watch(fd, () => wake?.()) !== 0) throw new Error('uv_poll_start failed');
  // The promise the next readiness resolves.
  const readable = () =>
    new Promise((resolve) => {
      wake = () => {
        wake = null;
        resolve();
      };
    });
  await rrRounds(fd, warmup, readable);
  const t0 = clock.start();
  await rrRounds(fd, rounds, readable);
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'floor', workload: 'arr', rounds, ns, cpu_ns: clock.cpuNs() }));
}

async function main(argv) {
  const [workload, count, warmup, port] = [argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5])];
  if (workload !== 'arr') throw new Error(`unknown workload: ${workload}`);
  await benchRr(count, warmup, port);
  process.exit(0);
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
