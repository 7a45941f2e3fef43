'use strict';
// Node's own node:dgram and node:net on the three workloads. They are
// asynchronous, so each workload is the same exchange driven by events.
//
//   node bench.js udp  ROUNDS WARMUP       PORT   (PORT: the C UDP echo server)
//   node bench.js udp-pair ROUNDS WARMUP          (the echo end a socket of this process)
//   node bench.js bulk BYTES  WARMUP_BYTES PORT   (PORT: the C sender)
//   node bench.js rr   ROUNDS WARMUP       PORT   (PORT: the C echo server)
//   node bench.js gai|gai-localhost CALLS WARMUP  (dns.lookup of 127.0.0.1 / localhost)
//
// Prints one JSON line per result.

const clock = require('../clock');
const dgram = require('node:dgram');
const dns = require('node:dns');
const net = require('node:net');

const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function report(workload, unit, count, ns) {
  console.log(JSON.stringify({ impl: 'node', workload, [unit]: count, ns: Number(ns), cpu_ns: clock.cpuNs() }));
}

function bind(sock) {
  return new Promise((resolve) => sock.bind(0, HOST, resolve));
}

// Sends to the echo server at `port`, and again when the reply comes back:
// `rounds` round trips, resolved when the last one is back.
function udpRounds(s, port, rounds) {
  return new Promise((resolve) => {
    if (rounds === 0) return resolve();
    let left = rounds;
    const onReply = () => {
      left -= 1;
      if (left > 0) s.send(MSG, port, HOST);
      else {
        s.off('message', onReply);
        resolve();
      }
    };
    s.on('message', onReply);
    s.send(MSG, port, HOST);
  });
}

// udp: against the C echo server at `port`; udp-pair (audp's baseline): against
// an echo socket of this process, so that one loop serves both ends.
async function benchUdp(workload, rounds, warmup, port) {
  const s = dgram.createSocket('udp4');
  const peer = workload === 'udp-pair' ? dgram.createSocket('udp4') : null;
  await bind(s);
  if (peer) {
    peer.on('message', (data, rinfo) => peer.send(data, rinfo.port, rinfo.address));
    await bind(peer);
  }
  const to = peer ? peer.address().port : port;
  await udpRounds(s, to, warmup);
  const t0 = clock.start();
  await udpRounds(s, to, rounds);
  report(workload, 'rounds', rounds, process.hrtime.bigint() - t0);
  s.close();
  peer?.close();
}

// One connection: ask the sender for `bytes`, read into the one reused buffer
// (the `onread` option) until EOF. Resolves to the nanoseconds taken.
function bulkOnce(port, bytes, buffer) {
  return new Promise((resolve, reject) => {
    let total = 0;
    let t0;
    const callback = (n) => {
      total += n;
    };
    const sock = net.connect({ port, host: HOST, onread: { buffer, callback } });
    sock.on('connect', () => {
      t0 = clock.start();
      sock.write(`${bytes}\n`);
    });
    sock.on('end', () => {
      const ns = process.hrtime.bigint() - t0;
      if (total !== bytes) reject(new Error(`bulk: received ${total} of ${bytes} bytes`));
      else resolve(ns);
    });
    sock.on('error', reject);
  });
}

async function benchBulk(bytes, warmup, port) {
  const buffer = Buffer.alloc(256 * 1024);
  if (warmup > 0) await bulkOnce(port, warmup, buffer);
  report('bulk', 'bytes', bytes, await bulkOnce(port, bytes, buffer));
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, HOST, () => resolve(sock));
    sock.on('error', reject);
  });
}

// Write 64 bytes, wait until 64 bytes are back, `rounds` times.
function rrRounds(sock, rounds) {
  return new Promise((resolve, reject) => {
    if (rounds === 0) return resolve();
    let left = rounds;
    let got = 0;
    const onData = (chunk) => {
      got += chunk.length;
      if (got < MSG.length) return;
      got = 0;
      left -= 1;
      if (left > 0) sock.write(MSG);
      else {
        sock.off('data', onData);
        resolve();
      }
    };
    sock.on('data', onData);
    sock.once('end', () => reject(new Error('rr: connection closed')));
    sock.write(MSG);
  });
}

async function benchRr(rounds, warmup, port) {
  const sock = await connect(port);
  sock.setNoDelay(true);
  await rrRounds(sock, warmup);
  const t0 = clock.start();
  await rrRounds(sock, rounds);
  report('rr', 'rounds', rounds, process.hrtime.bigint() - t0);
  sock.destroy();
}

// dns.lookup one call at a time, each started when the last one answered.
// (For an IP literal, dns.lookup answers without calling getaddrinfo.)
function lookups(host, calls) {
  return new Promise((resolve, reject) => {
    let left = calls;
    const next = (err) => {
      if (err) return reject(err);
      if (left === 0) return resolve();
      left -= 1;
      dns.lookup(host, { family: 4 }, next);
    };
    next(null);
  });
}

async function benchGai(workload, host, calls, warmup) {
  await lookups(host, warmup);
  const t0 = clock.start();
  await lookups(host, calls);
  report(workload, 'calls', calls, process.hrtime.bigint() - t0);
}

async function main(argv) {
  const [workload, count, warmup, port] = [argv[2], Number(argv[3]), Number(argv[4]), Number(argv[5])];
  if (workload === 'udp' || workload === 'udp-pair') await benchUdp(workload, count, warmup, port);
  else if (workload === 'bulk') await benchBulk(count, warmup, port);
  else if (workload === 'rr') await benchRr(count, warmup, port);
  else if (workload === 'gai') await benchGai(workload, '127.0.0.1', count, warmup);
  else if (workload === 'gai-localhost') await benchGai(workload, 'localhost', count, warmup);
  else throw new Error(`unknown workload: ${workload}`);
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
