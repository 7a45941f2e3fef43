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
// "System calls raise EINTR. Not a bad thing, hands control back." Which
// signals do that is set with signal.siginterrupt(signum, flag): bsdsock's
// siginterrupt(). An interrupting signal makes a blocking call throw
// InterruptedError (errno EINTR); any other signal only makes the call retry
// (PEP 475), and its listener runs once the call returns.
//
// "This loop is too tight for blocking code": in Node a signal's listener runs
// only when the event loop turns, so the restart first waits for the listener,
// which can then ask the loop to stop instead ("provide a way to request
// restart"): SIGUSR2 here only reports, SIGINT or SIGTERM stops the server. A
// signal that does not interrupt has its listener run only when the program
// next returns to the event loop (here: at the end).
//
// The server takes one client and prints what it sends until EOF. MODE
// 'interrupt' (default) makes SIGUSR2 interrupt recv(); 'restart' does not.
//
//   node examples/eintr.mjs [port=1055] [host=127.0.0.1] [interrupt|restart]
//   (then: nc 127.0.0.1 <port>; kill -USR2 <pid>; type; Ctrl-D)

import { constants } from 'node:os';

import { InterruptedError, siginterrupt, socket, SO_REUSEADDR, SOL_SOCKET } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const { EINTR } = constants.errno;
const { SIGUSR2 } = constants.signals;

const [port, host] = portAndHost('127.0.0.1');
const mode = process.argv[4] ?? 'interrupt';
siginterrupt(SIGUSR2, mode === 'interrupt');

let keepRunning = true;
/** Settled by the next signal listener to run. */
let signalled;
let nextSignal = new Promise((resolve) => (signalled = resolve));
function onSignal(name, stop) {
  console.log(`signal ${name}: listener ran${stop ? ', stopping' : ''}`);
  if (stop) keepRunning = false;
  const resolve = signalled;
  nextSignal = new Promise((r) => (signalled = r));
  resolve();
}
process.on('SIGUSR2', () => onSignal('SIGUSR2', false));
process.on('SIGINT', () => onSignal('SIGINT', true));
process.on('SIGTERM', () => onSignal('SIGTERM', true));

/**
 * The talk's loop around a blocking call, restartable: the call's result, or
 * null when a signal asked to stop. An InterruptedError means a signal with a
 * listener came: the listener runs once control returns to the event loop, so
 * wait for it, then restart (or not).
 */
async function restarting(name, call) {
  for (;;) {
    try {
      return call();
    } catch (e) {
      if (!(e instanceof InterruptedError && e.errno === EINTR)) throw e;
      console.log(`${name}: ${e.constructor.name}: ${e.message}`);
    }
    // Signal handles do not keep Node running: a timer does, until the listener ran.
    const alive = setInterval(() => {}, 60_000);
    await nextSignal;
    clearInterval(alive);
    if (!keepRunning) return null;
  }
}

const server = socket();
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
server.bind([host, port]);
server.listen();
console.log(`listening on ${repr(server.getsockname())}, pid ${process.pid}, SIGUSR2 ${mode}s`);
const accepted = await restarting('accept', () => server.accept());
if (accepted !== null) {
  const [client, addr] = accepted;
  console.log(`connection from ${repr(addr)}`);
  for (;;) {
    const data = await restarting('recv', () => client.recv(4096));
    if (data === null) break;
    console.log(`recv: ${repr(data)}`);
    if (data.length === 0) break;
  }
  client.close();
}
server.close();
console.log('done');
