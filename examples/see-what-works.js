'use strict';
// The talk's client loop, "in practice just see what works": ask getaddrinfo
// for every address of HOST and PORT, IPv4 or IPv6, and use the first one that
// connects. (create_connection() is this loop, done once for you.)
//
//   node examples/see-what-works.js HOST PORT [MESSAGE]
//
// Connects, prints the peer's address, sends MESSAGE (default "hello"), prints
// the reply and exits. If nothing connects it throws the last error, as the
// talk's loop re-raises it.

const { error, getaddrinfo, socket, SHUT_WR, SOCK_STREAM } = require('bsdsock');

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
    return sock; // for ... else: break
  }
  if (err !== null) throw err;
  throw new error('getaddrinfo returns empty list');
}

function main([host, port, message = 'hello']) {
  if (host === undefined || port === undefined) {
    console.error('usage: node examples/see-what-works.js HOST PORT [MESSAGE]');
    process.exit(2);
  }
  const sock = connect(host, /^\d+$/.test(port) ? Number(port) : port);
  try {
    console.log(`connected to ${JSON.stringify(sock.getpeername())}`);
    sock.sendall(Buffer.from(message));
    sock.shutdown(SHUT_WR); // the server sees EOF after the message
    const chunks = [];
    for (let chunk = sock.recv(4096); chunk.length > 0; chunk = sock.recv(4096)) chunks.push(chunk);
    console.log(`reply: ${Buffer.concat(chunks).toString()}`);
  } finally {
    sock.close();
  }
}

main(process.argv.slice(2));
