// Eventlet Example, spawning tasks ("Practical Sockets in Python"):
//
//   def server():
//       sock = socket(AF_INET6)
//       sock.bind(('', 1055))
//       sock.listen(SOMAXCONN)
//       while True:
//           client, addr = sock.accept()                # switch to hub
//           eventlet.spawn(handle_client, client, addr)
//
//   def handle_client(sock, addr):
//       print('connection from {}'.format(addr))
//       req = sock.recv(4096)                           # switch to hub
//       sock.send(b'response')                          # switch to hub
//
// "Someone already wrote an I/O loop": Node's. With bsdsock/asyncio each
// network call is a promise (asyncio's loop.sock_accept, sock_recv,
// sock_sendall), and `await` is eventlet's switch to the hub: while one client
// waits, the others run. Spawning a task is calling an async function without
// awaiting it. The sockets are non-blocking, as asyncio requires.
//
// It serves COUNT clients (default: for ever).
//
//   node examples/event-loop-server.mjs [port=1055] [host=::ffff:127.0.0.1] [count]
//   (then: node examples/event-loop-client.mjs [port])

import { AF_INET6, socket, SOMAXCONN } from 'bsdsock';
import { sock_accept, sock_recv, sock_sendall } from 'bsdsock/asyncio';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('::ffff:127.0.0.1');
const count = process.argv[4] === undefined ? Infinity : Number(process.argv[4]);

async function server() {
  const sock = socket(AF_INET6);
  sock.setblocking(false);
  sock.bind([host, port]);
  sock.listen(SOMAXCONN);
  console.log(`listening on ${repr(sock.getsockname())}`);
  const tasks = [];
  for (let served = 0; served < count; served++) {
    const [client, addr] = await sock_accept(sock); // switch to the loop
    tasks.push(handleClient(client, addr)); // spawn
  }
  sock.close();
  await Promise.all(tasks);
}

async function handleClient(sock, addr) {
  try {
    console.log(`connection from ${repr(addr)}`);
    const req = await sock_recv(sock, 4096); // switch to the loop
    console.log(`request from ${repr(addr)}: ${repr(req)}`);
    await sock_sendall(sock, Buffer.from('response')); // switch to the loop
  } finally {
    sock.close();
  }
}

await server();
