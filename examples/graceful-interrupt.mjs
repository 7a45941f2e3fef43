// "Graceful interrupting I/O operations", from "Practical Sockets in Python"
// ("Introducing Select"), in bsdsock. The talk's loop:
//
//   while keep_running:
//       rpipe, wpipe = os.pipe()
//       rlist = get_rlist()
//       rlist.append(rpipe)
//       wlist = get_wlist()
//       readable, writable, _ = select.select(rlist, wlist, [], 60)
//       if rpipe in readable:
//           try:
//               os.read(rpipe, 4096)
//           except Exception:
//               pass
//           break
//       if readable:
//           # handle reads
//       if writable:
//           # handle writes
//
// Here the loop serves an echo server, and the wake-up channel is a
// socketpair() made once (the slide's os.pipe() belongs before the loop). A
// SIGINT or SIGTERM listener writes a byte to it; the loop sees the read end
// readable, leaves, and shuts down cleanly: every connection closed, a summary
// printed, exit code 0.
//
// As in Python (PEP 475), a signal that comes while select() waits runs its
// listener inside select(): the listener writes its byte, and select() goes on
// and returns at once with the read end readable. A signal that comes between
// two select() calls has its listener run as the next one starts, with the same
// outcome. So the loop is the talk's plain `while`: no InterruptedError to
// catch, no turn of the event loop needed, and the first signal stops it.
//
//   node examples/graceful-interrupt.mjs [port=0] [host=127.0.0.1]
//   (then: nc 127.0.0.1 <port>, type, Ctrl-C the server)

import { BlockingIOError, ConnectionResetError, SO_REUSEADDR, SOL_SOCKET, socket, socketpair } from 'bsdsock';
import { select } from 'bsdsock/select';

import { portAndHost } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1', 0);

// The wake-up channel: the talk's rpipe/wpipe.
const [rpipe, wpipe] = socketpair();
rpipe.setblocking(false);
wpipe.setblocking(false);

function wakeUp(signal) {
  console.log(`signal ${signal}`);
  try {
    wpipe.send(Buffer.from('!'));
  } catch (e) {
    // Full: a wake-up is pending already.
    if (!(e instanceof BlockingIOError)) throw e;
  }
}
process.on('SIGINT', wakeUp);
process.on('SIGTERM', wakeUp);

const server = socket();
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
server.bind([host, port]);
server.listen();
server.setblocking(false);
console.log(`listening on ${server.getsockname().join(':')}`);

/** Each connection and the bytes it still has to get back. */
const clients = new Map();
let served = 0;
let echoed = 0;

const getRlist = () => [server, ...clients.keys()];
const getWlist = () => [...clients].filter(([, out]) => out.length > 0).map(([sock]) => sock);

function drop(sock) {
  clients.delete(sock);
  sock.close();
}

function handleRead(sock) {
  if (sock === server) {
    for (;;) {
      try {
        const [conn] = server.accept();
        conn.setblocking(false);
        clients.set(conn, []);
        served += 1;
      } catch (e) {
        if (e instanceof BlockingIOError) return;
        throw e;
      }
    }
  }
  let data;
  try {
    data = sock.recv(4096);
  } catch (e) {
    if (e instanceof BlockingIOError) return;
    if (e instanceof ConnectionResetError) return drop(sock);
    throw e;
  }
  if (data.length === 0) drop(sock);
  else clients.get(sock).push(data);
}

function handleWrite(sock) {
  const out = clients.get(sock);
  if (out === undefined) return; // closed by handleRead in this round
  while (out.length > 0) {
    let sent;
    try {
      sent = sock.send(out[0]);
    } catch (e) {
      if (e instanceof BlockingIOError) return;
      if (e instanceof ConnectionResetError) return drop(sock);
      throw e;
    }
    echoed += sent;
    if (sent < out[0].length) {
      out[0] = out[0].subarray(sent);
      return;
    }
    out.shift();
  }
}

function shutdown() {
  for (const sock of clients.keys()) sock.close();
  clients.clear();
  server.close();
  rpipe.close();
  wpipe.close();
  console.log(`shut down: served ${served} connections, echoed ${echoed} bytes`);
}

let keepRunning = true;

while (keepRunning) {
  const rlist = getRlist();
  rlist.push(rpipe);
  const wlist = getWlist();
  const [readable, writable] = select(rlist, wlist, [], 60);
  if (readable.includes(rpipe)) {
    try {
      rpipe.recv(4096);
    } catch {
      // As the talk: whatever it was, we are leaving.
    }
    break;
  }
  for (const sock of readable) handleRead(sock);
  for (const sock of writable) handleWrite(sock);
}
shutdown();
