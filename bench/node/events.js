'use strict';
// Node's own event-driven twins of ../bsdsock/events.js, facing the same
// peer programs: node:dgram 'message' events and node:net servers.
//
//   node events.js dping ROUNDS WARMUP PORT   a dgram socket pinging the C UDP echo server at
//                                             PORT, one datagram in flight; prints one JSON line
//   node events.js udp-echo                   servers: print their port, then serve until killed:
//   node events.js tcp-echo                     a dgram echo, a net server writing back each
//   node events.js stream-echo                  'data' chunk, and the same as a stream (pipe)

const clock = require('../clock');
const dgram = require('node:dgram');
const net = require('node:net');

const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

function listen(server) {
  return new Promise((resolve) => server.listen({ port: 0, host: HOST, backlog: 1024 }, () => resolve(server.address().port)));
}

const SERVERS = {
  'udp-echo': () =>
    new Promise((resolve) => {
      const sock = dgram.createSocket('udp4');
      sock.on('message', (data, rinfo) => sock.send(data, rinfo.port, rinfo.address));
      sock.bind(0, HOST, () => resolve(sock.address().port));
    }),
  'tcp-echo': () =>
    listen(
      net.createServer({ noDelay: true }, (conn) => {
        conn.on('data', (chunk) => conn.write(chunk));
        conn.on('error', () => conn.destroy());
      }),
    ),
  'stream-echo': () =>
    listen(
      net.createServer({ noDelay: true }, (conn) => {
        conn.on('error', () => conn.destroy());
        conn.pipe(conn);
      }),
    ),
};

// Sends a datagram each time the last one came back, until `rounds` have.
function pings(sock, rounds) {
  return new Promise((resolve) => {
    let left = rounds;
    if (left === 0) return resolve();
    const onReply = () => {
      if (--left > 0) return sock.send(MSG);
      sock.off('message', onReply);
      resolve();
    };
    sock.on('message', onReply);
    sock.send(MSG);
  });
}

async function dping(rounds, warmup, port) {
  const sock = dgram.createSocket('udp4');
  await new Promise((resolve) => sock.connect(port, HOST, resolve));
  await pings(sock, warmup);
  const t0 = clock.start();
  await pings(sock, rounds);
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'node', workload: 'dping', rounds, ns, cpu_ns: clock.cpuNs() }));
  sock.close();
}

async function main(argv) {
  const workload = argv[2];
  if (workload === 'dping') return dping(Number(argv[3]), Number(argv[4]), Number(argv[5]));
  if (!SERVERS[workload]) throw new Error(`unknown workload: ${workload}`);
  console.log(await SERVERS[workload]());
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
