// TCP Basics, the client ("Practical Sockets in Python"):
//
//   >>> sock = socket(AF_INET, SOCK_STREAM)
//   >>> sock.connect(('127.0.0.1', 1055))
//   >>> sock.sendall(b'message')
//   >>> sock.close()
//
// sendall() returns None (null) when every byte is sent, as in Python 3 (the
// talk's 7 was Python 2's send() count); it throws if it cannot send them all.
//
//   node examples/tcp-client.mjs [port=1055] [host=127.0.0.1]

import { AF_INET, SOCK_STREAM, socket } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1');

const sock = socket(AF_INET, SOCK_STREAM);
sock.connect([host, port]); // the server must be listening already
console.log(`connected from ${repr(sock.getsockname())} to ${repr(sock.getpeername())}`);
console.log(`sendall: ${repr(sock.sendall(Buffer.from('message')))}`);
sock.close();
