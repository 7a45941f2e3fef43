// UDP Basics, the server ("Practical Sockets in Python"):
//
//   >>> sock = socket(AF_INET6, SOCK_DGRAM)
//   >>> sock.bind(('', 1055))
//   >>> data, clientaddr = sock.recvfrom(4096)
//   >>> sock.sendto(b'response', clientaddr)
//   >>> sock.close()
//
// An AF_INET6 UDP socket receives IPv4 datagrams too, from v4-mapped addresses
// ('::ffff:127.0.0.1'). The default host is '::ffff:127.0.0.1', loopback only;
// pass '' to bind the wildcard as the talk does.
//
//   node examples/udp-server.mjs [port=1055] [host=::ffff:127.0.0.1]
//   (then: node examples/udp-client.mjs [port])

import { AF_INET6, SOCK_DGRAM, socket } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('::ffff:127.0.0.1');

const sock = socket(AF_INET6, SOCK_DGRAM);
sock.bind([host, port]);
console.log(`bound to ${repr(sock.getsockname())}`);
const [data, clientaddr] = sock.recvfrom(4096); // blocks until a datagram comes
console.log(`data: ${repr(data)}`);
console.log(`clientaddr: ${repr(clientaddr)}`); // a 4-tuple: host, port, flowinfo, scope_id
console.log(`sendto: ${sock.sendto(Buffer.from('response'), clientaddr)}`);
sock.close();
