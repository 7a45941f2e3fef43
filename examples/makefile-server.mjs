// Using sock.makefile(), the server ("Practical Sockets in Python"):
//
//   >>> sock = socket(AF_INET6)
//   >>> sock.bind(('', 1055))
//   >>> sock.listen(SOMAXCONN)
//   >>> client, addr = sock.accept()  # blocks
//   >>> fp = client.makefile()
//   >>> fp.read(4096)                 # blocks until EOF
//   b'request'
//   >>> fp.write(b'response')
//   8
//   >>> client.close()
//
// A request-response protocol: the client sends its request and shuts down
// its write end; the server reads the request until EOF, writes the response
// and closes. makefile() does the buffering: read(n) returns n bytes, or fewer
// only at EOF. The mode is 'rwb' (bytes, both ways; Python 3's default 'r'
// reads text only), and a buffered writer must be flushed.
//
//   node examples/makefile-server.mjs [port=1055] [host=::ffff:127.0.0.1]
//   (then: node examples/makefile-client.mjs [port])

import { AF_INET6, socket, SOMAXCONN } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('::ffff:127.0.0.1');

const sock = socket(AF_INET6);
sock.bind([host, port]);
sock.listen(SOMAXCONN);
console.log(`listening on ${repr(sock.getsockname())}`);
const [client, addr] = sock.accept(); // blocks
console.log(`connection from ${repr(addr)}`);
const fp = client.makefile('rwb');
console.log(`read: ${repr(fp.read(4096))}`); // blocks until EOF
console.log(`write: ${fp.write(Buffer.from('response'))}`);
fp.flush();
fp.close(); // the socket stays open until both the file and the socket are closed
client.close();
sock.close();
