// Name resolution on whichever runtime runs this script (Node, Deno, Bun):
// getaddrinfo with its flags and filters on loopback names and numbers,
// gaierror and its EAI_ code, getnameinfo, the inet_* conversions, byte
// order, service names, and bsdsock/asyncio's resolver, as python3 gives
// them. Then 'ok'.

import assert from 'node:assert/strict';

import {
  AF_INET,
  AF_INET6,
  AI_NUMERICHOST,
  AI_PASSIVE,
  EAI_NONAME,
  EAI_SERVICE,
  gaierror,
  getaddrinfo,
  getnameinfo,
  getservbyname,
  getservbyport,
  has_ipv6,
  htonl,
  htons,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  ntohl,
  ntohs,
  OSError,
  SOCK_DGRAM,
  SOCK_STREAM,
} from 'bsdsock';
import * as aio from 'bsdsock/asyncio';

import { limit, thrown, WINDOWS } from './lib/run.mjs';

const run = limit('resolver.mjs');

// An answer's protocol: the socket type's (IPPROTO_TCP, IPPROTO_UDP) on Linux
// and macOS; Windows' getaddrinfo gives the hints' own (0 here), as Wine does
// after it, and Python passes it on.
const TCP = WINDOWS ? 0 : IPPROTO_TCP;
const UDP = WINDOWS ? 0 : IPPROTO_UDP;

// Numeric hosts, numeric ports, family and type filters.
assert.deepEqual(getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM), [[AF_INET, SOCK_STREAM, TCP, '', ['127.0.0.1', 80]]]);
assert.deepEqual(getaddrinfo('127.0.0.1', '8080', AF_INET, SOCK_DGRAM, 0, AI_NUMERICHOST), [
  [AF_INET, SOCK_DGRAM, UDP, '', ['127.0.0.1', 8080]],
]);
// AI_PASSIVE with no host: the wildcard address.
assert.deepEqual(getaddrinfo(null, 8080, AF_INET, SOCK_STREAM, 0, AI_PASSIVE), [[AF_INET, SOCK_STREAM, TCP, '', ['0.0.0.0', 8080]]]);
// ::1 with a service name: an AF_INET6 address is a 4-tuple.
if (has_ipv6) {
  assert.deepEqual(getaddrinfo('::1', 'http', AF_INET6, SOCK_STREAM), [[AF_INET6, SOCK_STREAM, TCP, '', ['::1', 80, 0, 0]]]);
}
// localhost: 127.0.0.1 among the answers; every answer of the type asked.
{
  const infos = getaddrinfo('localhost', 0, 0, SOCK_STREAM);
  assert.ok(infos.length >= 1);
  assert.ok(infos.every(([, type, proto]) => type === SOCK_STREAM && proto === TCP));
  assert.ok(infos.some(([family, , , , sa]) => family === AF_INET && sa[0] === '127.0.0.1' && sa[1] === 0), JSON.stringify(infos));
  assert.deepEqual(getaddrinfo('localhost', 7, AF_INET, SOCK_DGRAM), [[AF_INET, SOCK_DGRAM, UDP, '', ['127.0.0.1', 7]]]);
}

// Failures: gaierror with the EAI_ code as errno.
{
  for (const host of ['localhost', '256.1.1.1']) {
    const e = thrown(() => getaddrinfo(host, 80, 0, 0, 0, AI_NUMERICHOST));
    assert.ok(e instanceof gaierror);
    assert.ok(e instanceof OSError);
    assert.equal(e.errno, EAI_NONAME);
    assert.equal(e.code, 'EAI_NONAME');
    assert.ok(e.message.startsWith(`[Errno ${EAI_NONAME}] `), e.message);
  }
  const e = thrown(() => getaddrinfo('127.0.0.1', 'no-such-service-here', AF_INET, SOCK_STREAM));
  assert.ok(e instanceof gaierror);
  assert.ok([EAI_SERVICE, EAI_NONAME].includes(e.errno), `errno ${e.errno}`);
}

// getnameinfo: numeric, and the service's name.
assert.deepEqual(getnameinfo(['127.0.0.1', 80], NI_NUMERICHOST | NI_NUMERICSERV), ['127.0.0.1', '80']);
assert.deepEqual(getnameinfo(['127.0.0.1', 80], NI_NUMERICHOST), ['127.0.0.1', 'http']);
assert.equal(getservbyname('http', 'tcp'), 80);

// inet_pton / inet_ntop / inet_aton / inet_ntoa.
assert.deepEqual(inet_pton(AF_INET6, '::1'), Buffer.from('00000000000000000000000000000001', 'hex'));
assert.deepEqual(inet_pton(AF_INET, '127.0.0.1'), Buffer.from([127, 0, 0, 1]));
assert.equal(inet_ntop(AF_INET, Buffer.from([127, 0, 0, 1])), '127.0.0.1');
assert.equal(inet_ntop(AF_INET6, Buffer.from('fe800000000000000000000000000001', 'hex')), 'fe80::1');
assert.deepEqual(inet_aton('127.1'), Buffer.from([127, 0, 0, 1]));
assert.equal(inet_ntoa(Buffer.from([1, 2, 3, 4])), '1.2.3.4');
assert.throws(() => inet_aton('x'), (e) => e instanceof OSError && e.message === 'illegal IP address string passed to inet_aton');
assert.throws(() => inet_pton(AF_INET, '1.2.3'), (e) => e instanceof OSError && e.message === 'illegal IP address string passed to inet_pton');

// Byte order.
assert.deepEqual([htons(1), htonl(1), ntohs(256), ntohl(16777216)], [256, 16777216, 1, 1]);

// bsdsock/asyncio's resolver: the same answers, on the resolver's threads.
assert.deepEqual(await aio.getaddrinfo('127.0.0.1', 80, { family: AF_INET, type: SOCK_STREAM }), getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM));
assert.deepEqual(
  await aio.getaddrinfo('localhost', 7, { family: AF_INET, type: SOCK_DGRAM }),
  [[AF_INET, SOCK_DGRAM, UDP, '', ['127.0.0.1', 7]]],
);
await assert.rejects(aio.getaddrinfo('256.1.1.1', 80, { flags: AI_NUMERICHOST }), (e) => e instanceof gaierror && e.errno === EAI_NONAME);
assert.deepEqual(await aio.getnameinfo(['127.0.0.1', 80], NI_NUMERICHOST | NI_NUMERICSERV), ['127.0.0.1', '80']);

// Last, as Wine's getservbyport (scripts/test-wine.js) finds nothing for 443.
assert.equal(getservbyport(443), 'https');

run.done();
