// Socket Options ("Practical Sockets in Python"):
//
//   sock = socket()
//   sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
//   sock.bind(...)
//
// setsockopt(level, optname, value): the level is SOL_SOCKET, SOL_IP, SOL_UDP,
// SOL_TCP (or IPPROTO_*), the value a number or a struct as bytes. The most used
// one, SO_REUSEADDR, lets a TCP server that restarts bind its port again while
// connections of its previous run are still in TIME_WAIT. This program shows
// that, then a struct-valued option and two more.
//
//   node examples/socket-options.mjs [port=0] [host=127.0.0.1]

import * as os from 'node:os';

import { AF_INET, SO_BROADCAST, SO_LINGER, SO_REUSEADDR, SOCK_DGRAM, SOL_SOCKET, SOL_TCP, socket, TCP_NODELAY } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1', 0); // port 0: any free port

/** The talk's server start: SO_REUSEADDR (or not), bind, listen. */
function startServer(addr, reuse) {
  const sock = socket();
  try {
    if (reuse) sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    sock.bind(addr);
    sock.listen();
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

// A first run of the server: one connection, which the server closes first,
// so the server's end of it stays in TIME_WAIT (for a minute on Linux).
const first = startServer([host, port], true);
const addr = first.getsockname();
console.log(`SO_REUSEADDR: ${first.getsockopt(SOL_SOCKET, SO_REUSEADDR)}`);
const client = socket();
client.connect(addr);
const [conn] = first.accept();
conn.close();
client.close();
first.close();
console.log(`first run served a connection on ${repr(addr)} and stopped`);

// The restart.
try {
  startServer(addr, false).close();
  console.log('without SO_REUSEADDR: bound (no connection was left in TIME_WAIT)');
} catch (e) {
  console.log(`without SO_REUSEADDR: ${e.constructor.name}: ${e.message}`);
}
const second = startServer(addr, true);
console.log(`with SO_REUSEADDR: listening on ${repr(second.getsockname())}`);

// A struct value: struct linger { int l_onoff; int l_linger; }, as bytes in
// the machine's byte order (Python: struct.pack('ii', 1, 0)).
const linger = Buffer.alloc(8);
const writeInt = os.endianness() === 'LE' ? 'writeInt32LE' : 'writeInt32BE';
linger[writeInt](1, 0);
linger[writeInt](0, 4);
second.setsockopt(SOL_SOCKET, SO_LINGER, linger);
console.log(`SO_LINGER: ${repr(second.getsockopt(SOL_SOCKET, SO_LINGER, 8))}`);

// "UDP broadcast needs a socket option."
const udp = socket(AF_INET, SOCK_DGRAM);
const broadcastBefore = udp.getsockopt(SOL_SOCKET, SO_BROADCAST);
udp.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
console.log(`SO_BROADCAST: ${broadcastBefore} -> ${udp.getsockopt(SOL_SOCKET, SO_BROADCAST)}`);

// Another level: TCP's own options.
const nodelayBefore = second.getsockopt(SOL_TCP, TCP_NODELAY);
second.setsockopt(SOL_TCP, TCP_NODELAY, 1);
console.log(`TCP_NODELAY: ${nodelayBefore} -> ${second.getsockopt(SOL_TCP, TCP_NODELAY)}`);

udp.close();
second.close();
