// Non-Blocking Socket ("Practical Sockets in Python"):
//
//   sock = socket()
//   sock.setblocking(False)
//   sock.connect(...)
//   try:
//       sock.recv(4096)
//   except IOError as e:
//       if e.errno == errno.EWOULDBLOCK:
//          pass
//
// A non-blocking socket never waits: a call that cannot complete now throws
// BlockingIOError (errno EINPROGRESS for connect, EWOULDBLOCK / EAGAIN for the
// rest), and it is up to the program to try again when the socket is ready.
// "Managing this by hand is messy": here select() says when (see
// examples/select-loop.mjs for a loop). The program is its own server, on
// loopback.
//
//   node examples/nonblocking.mjs [port=0] [host=127.0.0.1]

import { constants } from 'node:os';

import { BlockingIOError, socket } from 'bsdsock';
import { select } from 'bsdsock/select';

import { portAndHost, repr } from './lib/common.mjs';

const { EINPROGRESS, EWOULDBLOCK } = constants.errno; // Python's errno module

const [port, host] = portAndHost('127.0.0.1', 0);
const server = socket();
server.bind([host, port]);
server.listen();

const sock = socket();
sock.setblocking(false);
console.log(`timeout: ${sock.gettimeout()}`); // non-blocking is timeout 0 (Python: 0.0)
try {
  sock.connect(server.getsockname());
  console.log('connect: connected at once');
} catch (e) {
  if (!(e instanceof BlockingIOError && e.errno === EINPROGRESS)) throw e;
  console.log(`connect: ${e.constructor.name}: ${e.message}`);
}
// Writable once the handshake is done (getpeername() throws if it failed).
select([], [sock], [], 10);
console.log(`connected to ${repr(sock.getpeername())}`);

try {
  sock.recv(4096);
} catch (e) {
  if (!(e instanceof BlockingIOError && e.errno === EWOULDBLOCK)) throw e;
  console.log(`recv: ${e.constructor.name}: ${e.message} (errno == EWOULDBLOCK: nothing to read yet)`);
}
// send() works at once: the bytes only go to the kernel's send buffer.
console.log(`send: ${sock.send(Buffer.from('request'))}`);

const [conn] = server.accept();
conn.sendall(Buffer.concat([Buffer.from('got '), conn.recv(4096)]));
const [readable] = select([sock], [], [], 10);
console.log(`select: readable ${readable.length === 1 && readable[0] === sock}`);
console.log(`recv: ${repr(sock.recv(4096))}`);
conn.close();
sock.close();
server.close();
