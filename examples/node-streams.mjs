// bsdsock sockets and Node's own streams, both ways (Node's side of
// socket.detach() and socket(fileno=fd); Python has no counterpart):
//
//   - a listening socket made by bsdsock becomes a net.Server (to_net_server);
//   - a bsdsock client socket becomes a net.Socket (to_net_socket);
//   - a net.Socket's connection becomes a bsdsock Socket (from_net_socket),
//     read with `for await` on the event loop (iter_recv).
//
// The server upper-cases what each client sends, until the client's end.
//
//   node examples/node-streams.mjs [port=0]

import { once } from 'node:events';
import * as net from 'node:net';
import { Transform } from 'node:stream';

import { AF_INET, from_net_socket, iter_recv, SHUT_WR, SO_RCVBUF, SOCK_STREAM, socket, SOL_SOCKET, to_net_server, to_net_socket } from 'bsdsock';
import { sock_sendall } from 'bsdsock/asyncio';

import { portAndHost } from './lib/common.mjs';

const [port] = portAndHost('127.0.0.1', 0);

const upper = () =>
  new Transform({
    transform(chunk, _encoding, done) {
      done(null, chunk.toString().toUpperCase());
    },
  });

// A listening socket from bsdsock, served by node:net.
const listener = socket(AF_INET, SOCK_STREAM);
listener.bind(['127.0.0.1', port]);
listener.listen();
const address = listener.getsockname();
const server = to_net_server(listener, {}, (conn) => conn.pipe(upper()).pipe(conn));
await once(server, 'listening');
console.log('net.Server listening on', server.address().port === address[1] ? 'the bsdsock socket' : 'another socket');

// A bsdsock client, with an option set before it connects, read by node:net.
const client = socket(AF_INET, SOCK_STREAM);
client.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
client.connect(address);
const conn = to_net_socket(client);
conn.end('from a bsdsock socket\n');
let reply = '';
for await (const chunk of conn) reply += chunk;
console.log('net.Socket read:', JSON.stringify(reply));

// A node:net client, taken back as a bsdsock Socket.
const netClient = net.connect(address[1], '127.0.0.1');
await once(netClient, 'connect');
const [sock, buffered] = from_net_socket(netClient);
sock.setblocking(false);
await sock_sendall(sock, Buffer.from('from a net.Socket\n'));
sock.shutdown(SHUT_WR);
let back = buffered.toString();
for await (const data of iter_recv(sock)) back += data.toString();
sock.close();
console.log('bsdsock Socket read:', JSON.stringify(back));

server.close();
await once(server, 'close');
console.log('done');
