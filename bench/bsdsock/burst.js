'use strict';
// bsdsock on UDP bursts: 32 datagrams of 64 bytes from one socket to another
// in this process, then the 32 received, again and again.
//
//   node burst.js burst      DATAGRAMS WARMUP   (sendto and recvfrom, one datagram per call)
//   node burst.js burst-mmsg DATAGRAMS WARMUP   (sendmmsg, then recvmmsg_into reused buffers)
//
// Prints one JSON line per result.

const clock = require('../clock');
const { socket, AF_INET, SOCK_DGRAM } = require('bsdsock');

const BURST = 32;
const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function perDatagram(a, b, to, bursts) {
  for (let i = 0; i < bursts; i++) {
    for (let j = 0; j < BURST; j++) a.sendto(MSG, to);
    for (let j = 0; j < BURST; j++) b.recvfrom(2048);
  }
}

function batched(a, b, to, bursts) {
  const messages = Array.from({ length: BURST }, () => [MSG, to]);
  const bufs = Array.from({ length: BURST }, () => Buffer.alloc(2048));
  for (let i = 0; i < bursts; i++) {
    for (let sent = 0; sent < BURST; ) sent += a.sendmmsg(sent === 0 ? messages : messages.slice(sent));
    for (let got = 0; got < BURST; ) got += b.recvmmsg_into(got === 0 ? bufs : bufs.slice(got)).length;
  }
}

function main(argv) {
  const [workload, count, warmup] = [argv[2], Number(argv[3]), Number(argv[4])];
  const run = { burst: perDatagram, 'burst-mmsg': batched }[workload];
  if (!run) throw new Error(`unknown workload: ${workload}`);
  const a = socket(AF_INET, SOCK_DGRAM);
  const b = socket(AF_INET, SOCK_DGRAM);
  a.bind([HOST, 0]);
  b.bind([HOST, 0]);
  const to = b.getsockname();
  run(a, b, to, Math.floor(warmup / BURST));
  const bursts = Math.floor(count / BURST);
  const t0 = clock.start();
  run(a, b, to, bursts);
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'bsdsock', workload, datagrams: bursts * BURST, ns, cpu_ns: clock.cpuNs() }));
  a.close();
  b.close();
}

main(process.argv);
