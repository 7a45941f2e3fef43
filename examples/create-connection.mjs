// Getaddrinfo, the tools: create_connection() ("Practical Sockets in Python"):
//
//   try:
//       sock = create_connection(('example.com', 80))
//   except socket.error as e:
//       logging.warn('Failed to create connection: %s', e.strerror)
//
// create_connection((host, port), timeout, source_address) is the "see what
// works" loop over getaddrinfo (examples/see-what-works-client.mjs), IPv4 and
// IPv6, SOCK_STREAM only. Its errors are OSError subclasses whose strerror is
// the C library's text: "Connection refused", "Name or service not known", ...
// (bsdsock's `error` is Python's socket.error, an alias of OSError; a name
// that does not resolve throws gaierror, a subclass.)
//
//   node examples/create-connection.mjs [port=1055] [host=localhost] [timeout]

import { create_connection, error } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

const [port, host] = portAndHost('localhost', undefined, true);
const timeout = process.argv[4] === undefined ? null : Number(process.argv[4]);

let sock;
try {
  sock = create_connection([host, port], timeout);
} catch (e) {
  if (!(e instanceof error)) throw e;
  console.warn(`WARNING:root:Failed to create connection: ${e.strerror}`);
  process.exit(1);
}
console.log(`connected to ${repr(sock.getpeername())} from ${repr(sock.getsockname())}`);
sock.close();
