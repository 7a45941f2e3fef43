// Introducing Select ("Practical Sockets in Python"):
//
//   select(rlist, wlist, xlist[, timeout])
//   --> (ready_rlist, ready_wlist, ready_xlist)
//
// The basic I/O multiplexing call: not very fast, but portable. Here it runs an
// echo server that serves any number of clients at once from one thread: the
// listening socket in rlist means "a client is waiting in accept()", a client
// socket in rlist means "recv() will not block". xlist ("exceptional
// conditions": you don't care about these) stays empty. The sockets stay in
// blocking mode and replies use sendall(), which is fine for short echoes; see
// examples/graceful-interrupt.mjs for a loop that also waits to write.
//
// It stops after COUNT clients have come and gone (default: never).
//
//   node examples/select-loop.mjs [port=1055] [host=127.0.0.1] [count]

import { socket, SO_REUSEADDR, SOL_SOCKET } from 'bsdsock';
import { select } from 'bsdsock/select';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1');
const count = process.argv[4] === undefined ? Infinity : Number(process.argv[4]);

const server = socket();
server.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
server.bind([host, port]);
server.listen();
console.log(`listening on ${repr(server.getsockname())}`);

/** Each client socket and its address. */
const clients = new Map();
let gone = 0;

while (gone < count) {
  const [readable] = select([server, ...clients.keys()], [], [], 60);
  if (readable.length === 0) console.log('60 seconds and nothing happened');
  for (const sock of readable) {
    if (sock === server) {
      const [client, addr] = server.accept();
      clients.set(client, addr);
      console.log(`connection from ${repr(addr)}`);
      continue;
    }
    const data = sock.recv(4096);
    if (data.length > 0) {
      sock.sendall(data);
      continue;
    }
    console.log(`${repr(clients.get(sock))} closed`);
    clients.delete(sock);
    sock.close();
    gone += 1;
  }
}
server.close();
