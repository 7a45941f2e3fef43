'use strict';
// bsdsock on the three workloads: the same code as the CPython version,
// line for line, with Python's socket API from Node.
//
//   node bench.js udp  ROUNDS WARMUP       PORT   (PORT: the C UDP echo server)
//   node bench.js bulk BYTES  WARMUP_BYTES PORT   (PORT: the C sender)
//   node bench.js rr   ROUNDS WARMUP       PORT   (PORT: the C echo server)
//   node bench.js gai|gai-localhost CALLS WARMUP  (getaddrinfo of 127.0.0.1 / localhost)
//
// Prints one JSON line per result.

const clock = require('../clock');
const { getaddrinfo, socket, AF_INET, SOCK_DGRAM, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY } = require('bsdsock');

const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function report(workload, unit, count, ns) {
  console.log(JSON.stringify({ impl: 'bsdsock', workload, [unit]: count, ns: Number(ns), cpu_ns: clock.cpuNs() }));
}

function udpRounds(s, server, rounds) {
  for (let i = 0; i < rounds; i++) {
    s.sendto(MSG, server);
    const [data] = s.recvfrom(4096);
    if (data.length !== 64) throw new Error(`udp: got ${data.length} bytes`);
  }
}

function benchUdp(rounds, warmup, port) {
  const s = socket(AF_INET, SOCK_DGRAM);
  const server = [HOST, port];
  udpRounds(s, server, warmup);
  const t0 = clock.start();
  udpRounds(s, server, rounds);
  report('udp', 'rounds', rounds, process.hrtime.bigint() - t0);
  s.close();
}

// One connection: ask the sender for `bytes`, recv_into until EOF.
// Returns the nanoseconds taken.
function bulkOnce(port, bytes, buf) {
  const s = socket();
  s.connect([HOST, port]);
  const t0 = clock.start();
  s.sendall(Buffer.from(`${bytes}\n`));
  let total = 0;
  for (;;) {
    const n = s.recv_into(buf);
    if (n === 0) break;
    total += n;
  }
  const ns = process.hrtime.bigint() - t0;
  s.close();
  if (total !== bytes) throw new Error(`bulk: received ${total} of ${bytes} bytes`);
  return ns;
}

function benchBulk(bytes, warmup, port) {
  const buf = Buffer.alloc(256 * 1024);
  if (warmup > 0) bulkOnce(port, warmup, buf);
  report('bulk', 'bytes', bytes, bulkOnce(port, bytes, buf));
}

function rrRounds(s, rounds) {
  for (let i = 0; i < rounds; i++) {
    s.sendall(MSG);
    let got = 0;
    while (got < 64) {
      const chunk = s.recv(64 - got);
      if (chunk.length === 0) throw new Error('rr: connection closed');
      got += chunk.length;
    }
  }
}

function benchRr(rounds, warmup, port) {
  const s = socket();
  s.connect([HOST, port]);
  s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  rrRounds(s, warmup);
  const t0 = clock.start();
  rrRounds(s, rounds);
  report('rr', 'rounds', rounds, process.hrtime.bigint() - t0);
  s.close();
}

function gaiCalls(host, calls) {
  for (let i = 0; i < calls; i++) getaddrinfo(host, 80, AF_INET, SOCK_STREAM);
}

function benchGai(workload, host, calls, warmup) {
  gaiCalls(host, warmup);
  const t0 = clock.start();
  gaiCalls(host, calls);
  report(workload, 'calls', calls, process.hrtime.bigint() - t0);
}

function main(argv) {
  const [workload, count, warmup, port] = [argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5])];
  if (workload === 'udp') benchUdp(count, warmup, port);
  else if (workload === 'bulk') benchBulk(count, warmup, port);
  else if (workload === 'rr') benchRr(count, warmup, port);
  else if (workload === 'gai') benchGai(workload, '127.0.0.1', count, warmup);
  else if (workload === 'gai-localhost') benchGai(workload, 'localhost', count, warmup);
  else throw new Error(`unknown workload: ${workload}`);
}

main(process.argv);
