'use strict';
// bsdsock/asyncio's event-driven side: protocols and streams, the callbacks
// asyncio calls when data comes. Each program has a node:net / node:dgram twin
// in ../node/events.js, and both face the same peer program.
//
//   node events.js dping ROUNDS WARMUP PORT   a DatagramProtocol pinging the C UDP echo server
//                                             at PORT (c/udp_echo.c), one datagram in flight;
//                                             prints one JSON line
//   node events.js udp-echo                   servers: print their port, then serve until killed:
//   node events.js tcp-echo                     a DatagramProtocol echo, a Protocol echo (create_server),
//   node events.js stream-echo                  a streams echo (start_server, read + write + drain)

const clock = require('../clock');
const { IPPROTO_TCP, TCP_NODELAY } = require('bsdsock');
const aio = require('bsdsock/asyncio');

const MSG = Buffer.alloc(64, 'x');
const HOST = '127.0.0.1';

class UdpEcho extends aio.DatagramProtocol {
  connection_made(transport) {
    this.transport = transport;
  }
  datagram_received(data, addr) {
    this.transport.sendto(data, addr);
  }
}

class TcpEcho extends aio.Protocol {
  connection_made(transport) {
    this.transport = transport;
    transport.get_extra_info('socket').setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  }
  data_received(data) {
    this.transport.write(data);
  }
}

async function streamEcho(reader, writer) {
  writer.get_extra_info('socket').setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
  for (;;) {
    const data = await reader.read(64 * 1024);
    if (data.length === 0) break;
    writer.write(data);
    await writer.drain();
  }
  writer.close();
}

const SERVERS = {
  'udp-echo': async () => {
    const [transport] = await aio.create_datagram_endpoint(() => new UdpEcho(), { local_addr: [HOST, 0] });
    return transport.get_extra_info('sockname')[1];
  },
  'tcp-echo': async () => (await aio.create_server(() => new TcpEcho(), HOST, 0, { backlog: 1024 })).sockets[0].getsockname()[1],
  'stream-echo': async () => (await aio.start_server(streamEcho, HOST, 0, { backlog: 1024 })).sockets[0].getsockname()[1],
};

// Sends a datagram each time the last one came back, until `rounds` have.
class Ping extends aio.DatagramProtocol {
  start(rounds) {
    return new Promise((resolve) => {
      this.left = rounds;
      this.done = resolve;
      if (rounds === 0) resolve();
      else this.transport.sendto(MSG);
    });
  }
  connection_made(transport) {
    this.transport = transport;
  }
  datagram_received() {
    if (--this.left > 0) this.transport.sendto(MSG);
    else this.done();
  }
}

async function dping(rounds, warmup, port) {
  const [transport, ping] = await aio.create_datagram_endpoint(() => new Ping(), { remote_addr: [HOST, port] });
  await ping.start(warmup);
  const t0 = clock.start();
  await ping.start(rounds);
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'bsdsock', workload: 'dping', rounds, ns, cpu_ns: clock.cpuNs() }));
  transport.close();
}

async function main(argv) {
  const workload = argv[2];
  if (workload === 'dping') {
    await dping(Number(argv[3]), Number(argv[4]), Number(argv[5]));
    process.exit(0);
  }
  if (!SERVERS[workload]) throw new Error(`unknown workload: ${workload}`);
  console.log(await SERVERS[workload]());
}

main(process.argv).catch((err) => {
  console.error(err);
  process.exit(1);
});
