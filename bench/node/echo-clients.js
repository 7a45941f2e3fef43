'use strict';
// The load for the concurrent echo workload: CLIENTS node:net connections to
// PORT, each sending a 1 KiB message and sending the next one when the whole
// echo is back, for SECONDS. The same program drives every server, so only the
// server differs. Prints one JSON line: { messages, ns }.
//
//   node echo-clients.js PORT CLIENTS SECONDS

const net = require('node:net');

const MSG = Buffer.alloc(1024, 'e');

function client(port, state) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.setNoDelay(true);
    let got = 0;
    sock.on('connect', () => resolve(sock));
    sock.on('error', reject);
    sock.on('data', (chunk) => {
      got += chunk.length;
      while (got >= MSG.length) {
        got -= MSG.length;
        if (state.counting) state.messages += 1;
        if (!state.stopped) sock.write(MSG);
      }
    });
  });
}

async function main(argv) {
  const [port, clients, seconds] = [Number(argv[2]), Number(argv[3]), Number(argv[4])];
  const state = { messages: 0, counting: false, stopped: false };
  const socks = [];
  for (let i = 0; i < clients; i++) socks.push(await client(port, state));
  for (const s of socks) s.write(MSG);
  // A short warm-up, then count for SECONDS.
  await new Promise((resolve) => setTimeout(resolve, 500));
  state.counting = true;
  const t0 = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const ns = process.hrtime.bigint() - t0;
  state.counting = false;
  state.stopped = true;
  console.log(JSON.stringify({ messages: state.messages, ns: Number(ns) }));
  for (const s of socks) s.destroy();
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
