// Getaddrinfo ("Practical Sockets in Python"):
//
//   getaddrinfo(host, port, family=AF_UNSPEC, socktype=0, proto=0, flags=0)
//   --> [(family, socktype, proto, canonname, sockaddr), ...]
//
// "Be as explicit as possible":
//
//   getaddrinfo('example.com', 80, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, AI_ADDRCONFIG)
//
// This program makes that call for HOST and PORT, then shows the talk's note
// on a null (None) host: with AI_PASSIVE it gives the wildcard addresses (for
// bind), without it the loopback ones (for connect). Each result is printed as
// a tuple with the family and type by name. Names are resolved by the C
// library, as in Python: a host name may be looked up in DNS.
//
//   node examples/getaddrinfo.mjs [host=localhost] [port=80]

import { AddressFamily, AF_UNSPEC, AI_ADDRCONFIG, AI_PASSIVE, getaddrinfo, IPPROTO_TCP, SOCK_STREAM, SocketKind } from 'bsdsock';

import { repr } from './lib/common.mjs';

const [host = 'localhost', portArg = '80'] = process.argv.slice(2);
// A port is a number or a service name ('http'); the talk advises numbers.
const port = /^\d+$/.test(portArg) ? Number(portArg) : portArg;

function print(call, results) {
  console.log(call);
  for (const [family, type, proto, canonname, sockaddr] of results) {
    // Python's enums print the names: AddressFamily and SocketKind give a number's name.
    console.log(`  (${AddressFamily[family] ?? family}, ${SocketKind[type] ?? type}, ${proto}, ${repr(canonname)}, ${repr(sockaddr)})`);
  }
}

try {
  print(
    `getaddrinfo(${repr(host)}, ${repr(port)}, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, AI_ADDRCONFIG)`,
    getaddrinfo(host, port, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, AI_ADDRCONFIG),
  );
  print(`getaddrinfo(None, ${repr(port)}, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE)`, getaddrinfo(null, port, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE));
  print(`getaddrinfo(None, ${repr(port)}, AF_UNSPEC, SOCK_STREAM)`, getaddrinfo(null, port, AF_UNSPEC, SOCK_STREAM));
} catch (e) {
  // A gaierror: errno is the EAI_ code, strerror the C library's text.
  console.log(`  ${e.constructor.name}: ${e.message}`);
  process.exitCode = 1;
}
