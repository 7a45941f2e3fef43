// UDP Basics, the client ("Practical Sockets in Python"):
//
//   >>> sock = socket(AF_INET, SOCK_DGRAM)
//   >>> sock.sendto(b'request', ('127.0.0.1', 1055))
//   7
//   >>> sock.recvfrom(4096)
//   (b'response', ('127.0.0.1', 1055))
//   >>> sock.close()
//
// Unconnected: the datagram goes to the address given, and recvfrom() takes a
// datagram from anyone, with the sender's address.
//
//   node examples/udp-client.mjs [port=1055] [host=127.0.0.1]

import { AF_INET, SOCK_DGRAM, socket } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('127.0.0.1');

const sock = socket(AF_INET, SOCK_DGRAM);
sock.settimeout(10); // a lost datagram is not resent: do not wait for ever
console.log(`sendto: ${sock.sendto(Buffer.from('request'), [host, port])}`);
console.log(`recvfrom: ${repr(sock.recvfrom(4096))}`);
sock.close();
