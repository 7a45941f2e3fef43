// TCP Basics, the server ("Practical Sockets in Python"):
//
//   >>> sock = socket(AF_INET6, SOCK_STREAM)
//   >>> sock.bind(('', 1055))
//   >>> sock.listen(SOMAXCONN)
//   >>> client, addr = sock.accept()
//   >>> addr
//   ('::ffff:127.0.0.1', 54584, 0, 0)
//   >>> client.recv(4096)
//   b'message'
//   >>> client.close()
//   >>> sock.close()
//
// The listening socket transfers no data: accept() returns a new socket for
// each client. The default host is '::ffff:127.0.0.1' (loopback; IPv4 clients
// arrive v4-mapped); pass '' to bind the wildcard as the talk does.
//
//   node examples/tcp-server.mjs [port=1055] [host=::ffff:127.0.0.1]
//   (then: node examples/tcp-client.mjs [port])

import { AF_INET6, SOCK_STREAM, SOMAXCONN, socket } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('::ffff:127.0.0.1');

const sock = socket(AF_INET6, SOCK_STREAM);
sock.bind([host, port]);
sock.listen(SOMAXCONN); // now it shows in `netstat -l` / `ss -l`
console.log(`listening on ${repr(sock.getsockname())}`);
const [client, addr] = sock.accept(); // blocks until a client connects
console.log(`addr: ${repr(addr)}`);
console.log(`recv: ${repr(client.recv(4096))}`); // any number of bytes of the stream, up to 4096
client.close();
sock.close();
