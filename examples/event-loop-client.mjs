// Eventlet Example, the client ("Practical Sockets in Python"):
//
//   from eventlet.green.socket import *
//   sock = socket()
//   sock.connect(('127.0.0.1', 1055))  # switch to hub
//   sock.send(b'request')              # switch to hub
//
// With bsdsock/asyncio, on Node's own event loop: COUNT clients (default 3)
// at once, each connecting, sending its request and reading the response, and
// none blocking the others. No write buffer to manage by hand: sock_sendall()
// resolves once every byte is sent.
//
//   node examples/event-loop-client.mjs [port=1055] [host=127.0.0.1] [count=3]

import { socket } from 'bsdsock';
import { sock_connect, sock_recv, sock_sendall } from 'bsdsock/asyncio';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1');
const count = Number(process.argv[4] ?? 3);

async function client(n) {
  const sock = socket();
  sock.setblocking(false);
  try {
    await sock_connect(sock, [host, port]); // switch to the loop
    await sock_sendall(sock, Buffer.from(`request ${n}`)); // switch to the loop
    const chunks = [];
    for (let chunk = await sock_recv(sock, 4096); chunk.length > 0; chunk = await sock_recv(sock, 4096)) chunks.push(chunk);
    console.log(`client ${n}: ${repr(Buffer.concat(chunks))}`);
  } finally {
    sock.close();
  }
}

await Promise.all(Array.from({ length: count }, (_, n) => client(n)));
