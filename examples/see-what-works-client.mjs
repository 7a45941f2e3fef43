// Getaddrinfo example, "in practice just see what works" (client), from
// "Practical Sockets in Python":
//
//   ai_list = socket.getaddrinfo('example.com', 80, 0, SOCK_STREAM)
//   err = None
//   for af, socktype, proto, cn, sockaddr in ai_list:
//       sock = None
//       try:
//           sock = socket(af, socktype, proto)
//           sock.connect(sockaddr)
//       except Exception, e:
//           err = e
//           if sock:
//               sock.close()
//       else:
//           break
//   else:
//       raise err
//   if not ai_list:
//       raise error('getaddrinfo returns empty list')
//
// Ask getaddrinfo for every address of HOST and PORT, IPv4 or IPv6, and use
// the first one that connects. (create_connection() is this loop, done once for
// you: examples/create-connection.mjs.) Then send MESSAGE, shut down the write
// end so the server sees EOF, and print the reply.
//
//   node examples/see-what-works-client.mjs [port=1055] [host=localhost] [message=hello]
//   (with: node examples/see-what-works-server.mjs [port])
//
// If nothing connects it throws the last error, as the talk's loop re-raises it.

import { error, getaddrinfo, SHUT_WR, socket, SOCK_STREAM } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

function connect(host, port) {
  const ai_list = getaddrinfo(host, port, 0, SOCK_STREAM);
  let err = null;
  for (const [af, socktype, proto, _cn, sockaddr] of ai_list) {
    let sock = null;
    try {
      sock = socket(af, socktype, proto);
      sock.connect(sockaddr);
    } catch (e) {
      err = e;
      if (sock) sock.close();
      continue;
    }
    return sock; // the for loop's `else: break`
  }
  if (err !== null) throw err;
  throw new error('getaddrinfo returns empty list');
}

const [port, host] = portAndHost('localhost', undefined, true);
const message = process.argv[4] ?? 'hello';

const sock = connect(host, port);
try {
  console.log(`connected to ${repr(sock.getpeername())}`);
  sock.sendall(Buffer.from(message));
  sock.shutdown(SHUT_WR); // the server sees EOF after the message
  const chunks = [];
  for (let chunk = sock.recv(4096); chunk.length > 0; chunk = sock.recv(4096)) chunks.push(chunk);
  console.log(`reply: ${repr(Buffer.concat(chunks))}`);
} finally {
  sock.close();
}
