// Using sock.makefile(), the client ("Practical Sockets in Python"):
//
//   >>> sock = socket()
//   >>> sock.connect(('127.0.0.1', 1055))
//   >>> sock.send(b'request')
//   7
//   >>> sock.shutdown(SHUT_WR)
//   >>> sock.recv(4096)  # blocks
//   b'response'
//
// shutdown(SHUT_WR) ends the client's half of the stream: the server reads EOF
// after the request, while the client can still read the response. (SHUT_RD:
// no longer read; SHUT_RDWR: "might as well close()".)
//
//   node examples/makefile-client.mjs [port=1055] [host=127.0.0.1]

import { SHUT_WR, socket } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1');

const sock = socket();
sock.connect([host, port]);
console.log(`send: ${sock.send(Buffer.from('request'))}`);
sock.shutdown(SHUT_WR);
// Read to EOF: one recv() may return part of the response.
const chunks = [];
for (let chunk = sock.recv(4096); chunk.length > 0; chunk = sock.recv(4096)) chunks.push(chunk);
console.log(`recv: ${repr(Buffer.concat(chunks))}`);
sock.close();
