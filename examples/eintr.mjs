// Handling Signals ("Practical Sockets in Python"):
//
//   def recv(n):
//       while True:
//           try:
//               sock.recv(n)
//           except socket.error as e:
//               if e.errno == errno.EINTR:
//                   continue
//               else:
//                   raise
//
// "System calls raise EINTR. Not a bad thing, hands control back." Since
// Python 3.5 (PEP 475) they no longer do: a signal that comes during a blocking
// call runs its handler inside the call, which then goes on (with the time it
// has left, in timeout mode), so the loop above never sees EINTR. bsdsock does
// the same with a signal's process.on listeners.
//
// "Provide a way to request restart": a handler that raises ends the call with
// its exception. Here SIGUSR2's listener only reports, and recv() goes on;
// SIGINT's and SIGTERM's throw, which ends the blocking call and so stops the
// server. signal.siginterrupt(signum, false), bsdsock's siginterrupt(), keeps
// a signal out of blocking calls: the call is not disturbed, and the listener
// runs when the event loop next turns (here: after the end).
//
// The server takes one client and prints what it sends until EOF. MODE
// 'interrupt' (default) runs SIGUSR2's listener inside recv(); 'restart'
// (siginterrupt(SIGUSR2, false)) runs it at the end.
//
//   node examples/eintr.mjs [port=1055] [host=127.0.0.1] [interrupt|restart]
//   (then: nc 127.0.0.1 <port>; kill -USR2 <pid>; type; Ctrl-D)

import { constants } from 'node:os';

import { siginterrupt, socket, SO_REUSEADDR, SOL_SOCKET } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const { SIGUSR2 } = constants.signals;

const [port, host] = portAndHost('127.0.0.1');
const mode = process.argv[4] ?? 'interrupt';
siginterrupt(SIGUSR2, mode === 'interrupt');

/** What a stopping listener throws: the blocking call it interrupts ends with it. */
class Stop extends Error {}

process.on('SIGUSR2', (name) => console.log(`signal ${name}: listener ran`));
for (const name of ['SIGINT', 'SIGTERM']) {
  process.on(name, () => {
    console.log(`signal ${name}: listener ran, stopping`);
    throw new Stop(name);
  });
}

/** Makes a blocking call: its result, or null when a listener stopped it. */
function stoppable(name, call) {
  try {
    return call();
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    console.log(`${name}: stopped by ${e.message}`);
    return null;
  }
}

const server = socket();
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
server.bind([host, port]);
server.listen();
console.log(`listening on ${repr(server.getsockname())}, pid ${process.pid}, SIGUSR2 ${mode}s`);
const accepted = stoppable('accept', () => server.accept());
if (accepted !== null) {
  const [client, addr] = accepted;
  console.log(`connection from ${repr(addr)}`);
  for (;;) {
    const data = stoppable('recv', () => client.recv(4096));
    if (data === null) break;
    console.log(`recv: ${repr(data)}`);
    if (data.length === 0) break;
  }
  client.close();
}
server.close();
console.log('done');
// A listener kept out of blocking calls runs when the event loop turns: a timer gives it that turn.
setTimeout(() => {}, 100);
