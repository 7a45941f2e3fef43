// The server side of "just see what works": the same loop over getaddrinfo's
// answers, with AI_PASSIVE (addresses to bind, not to connect to), and bind()
// and listen() in place of connect(). The talk's advice for servers: "try and
// avoid using getaddrinfo" (a host and port are easier for an admin to
// configure); "if you do, use AI_PASSIVE|AI_ADDRCONFIG". A null (None) host
// with AI_PASSIVE is the wildcard; the default host here is 'localhost', so it
// listens on loopback only.
//
// It serves COUNT connections (default: for ever), one at a time: it reads the
// request until EOF and answers "echo: " and the request.
//
//   node examples/see-what-works-server.mjs [port=1055] [host=localhost] [count]
//   (then: node examples/see-what-works-client.mjs [port] localhost [message])

import { AI_ADDRCONFIG, AI_PASSIVE, AF_UNSPEC, error, getaddrinfo, SO_REUSEADDR, SOCK_STREAM, SOL_SOCKET, socket, SOMAXCONN } from 'bsdsock';

import { portAndHost, repr } from './lib/common.mjs';

function listen(host, port) {
  const ai_list = getaddrinfo(host, port, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE | AI_ADDRCONFIG);
  let err = null;
  for (const [af, socktype, proto, _cn, sockaddr] of ai_list) {
    let sock = null;
    try {
      sock = socket(af, socktype, proto);
      sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
      sock.bind(sockaddr);
      sock.listen(SOMAXCONN);
    } catch (e) {
      err = e;
      if (sock) sock.close();
      continue;
    }
    return sock;
  }
  if (err !== null) throw err;
  throw new error('getaddrinfo returns empty list');
}

const [port, host] = portAndHost('localhost');
const count = process.argv[4] === undefined ? Infinity : Number(process.argv[4]);

const server = listen(host === '' ? null : host, port);
console.log(`listening on ${repr(server.getsockname())}`);
for (let served = 0; served < count; served++) {
  const [client, addr] = server.accept();
  try {
    const chunks = [];
    for (let chunk = client.recv(4096); chunk.length > 0; chunk = client.recv(4096)) chunks.push(chunk);
    const request = Buffer.concat(chunks);
    console.log(`${repr(addr)} sent ${repr(request)}`);
    client.sendall(Buffer.concat([Buffer.from('echo: '), request]));
  } finally {
    client.close();
  }
}
server.close();
