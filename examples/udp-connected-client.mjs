// UDP Connected Sockets ("Practical Sockets in Python"):
//
//   >>> sock = socket(AF_INET, SOCK_DGRAM)
//   >>> sock.connect(('127.0.0.1', 1055))
//   >>> sock.send(b'message')
//   7
//
// connect() on a UDP socket makes no protocol exchange: the kernel only fixes
// the destination for send() and drops datagrams from any other source. Here
// the client then waits for the reply of examples/udp-server.mjs with recv().
//
//   node examples/udp-connected-client.mjs [port=1055] [host=127.0.0.1]

import { AF_INET, SOCK_DGRAM, socket } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1');

const sock = socket(AF_INET, SOCK_DGRAM);
sock.settimeout(10);
sock.connect([host, port]);
console.log(`send: ${sock.send(Buffer.from('message'))}`);
console.log(`recv: ${repr(sock.recv(4096))}`); // only the connected peer's datagrams get here
sock.close();
