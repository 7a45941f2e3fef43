'use strict';
// node:dgram on UDP bursts: 32 datagrams of 64 bytes from one socket to
// another in this process, then the 32 received (counted in 'message'
// events), again and again.
//
//   node burst.js burst DATAGRAMS WARMUP
//
// Prints one JSON line per result.

const clock = require('../clock');
const dgram = require('node:dgram');

const BURST = 32;
const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function bind(sock) {
  return new Promise((resolve) => sock.bind(0, HOST, resolve));
}

function bursts(a, b, n) {
  return new Promise((resolve) => {
    if (n === 0) return resolve();
    const port = b.address().port;
    let left = n;
    let got = 0;
    const send = () => {
      for (let j = 0; j < BURST; j++) a.send(MSG, port, HOST);
    };
    const onMessage = () => {
      got += 1;
      if (got < BURST) return;
      got = 0;
      left -= 1;
      if (left > 0) send();
      else {
        b.off('message', onMessage);
        resolve();
      }
    };
    b.on('message', onMessage);
    send();
  });
}

async function main(argv) {
  const [workload, count, warmup] = [argv[2], Number(argv[3]), Number(argv[4])];
  if (workload !== 'burst') throw new Error(`unknown workload: ${workload}`);
  const a = dgram.createSocket('udp4');
  const b = dgram.createSocket('udp4');
  await Promise.all([bind(a), bind(b)]);
  await bursts(a, b, Math.floor(warmup / BURST));
  const n = Math.floor(count / BURST);
  const t0 = clock.start();
  await bursts(a, b, n);
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'node', workload, datagrams: n * BURST, ns, cpu_ns: clock.cpuNs() }));
  a.close();
  b.close();
}

main(process.argv);
