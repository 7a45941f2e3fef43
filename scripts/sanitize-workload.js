#!/usr/bin/env node
// The addon's paths, each a few times, for a memory checker (scripts/sanitize.sh
// runs this under valgrind memcheck): socketpair, send/recv, sendmsg/recvmsg
// with SCM_RIGHTS, recvmsg_into, sendmmsg/recvmmsg, UDP, TCP accept, the
// resolver calls, select/poll/epoll/selectors, the asyncio operations and
// streams, timeouts and errors. Checks its results so a wrong answer fails too.

'use strict';

const assert = require('node:assert');

const bsdsock = require('bsdsock');
const asyncio = require('bsdsock/asyncio');
const select = require('bsdsock/select');
const selectors = require('bsdsock/selectors');

function pairs() {
  const [a, b] = bsdsock.socketpair();
  a.sendall(Buffer.from('hello'));
  assert.equal(b.recv(5).toString(), 'hello');
  const buf = Buffer.alloc(8);
  a.send(Buffer.from('into'));
  assert.equal(b.recv_into(buf), 4);
  a.close();
  assert.equal(b.recv(1).length, 0);
  b.close();
}

function fdPassing() {
  const [a, b] = bsdsock.socketpair();
  const passed = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
  bsdsock.send_fds(a, [Buffer.from('x'), Buffer.from('y')], [passed.fileno(), passed.fileno()]);
  const [data, fds] = bsdsock.recv_fds(b, 2, 4);
  assert.equal(data.toString(), 'xy');
  assert.equal(fds.length, 2);
  for (const fd of fds) bsdsock.close(fd);
  // Truncated control data: the kernel closes the fds that do not fit.
  const four = packFds([passed.fileno(), passed.fileno(), passed.fileno(), passed.fileno()]);
  a.sendmsg([Buffer.from('z')], [[bsdsock.SOL_SOCKET, bsdsock.SCM_RIGHTS, four]]);
  const [, anc, flags] = b.recvmsg(1, bsdsock.CMSG_LEN(4));
  assert.ok(flags & bsdsock.MSG_CTRUNC);
  for (const [, , d] of anc) for (let i = 0; i + 4 <= d.length; i += 4) bsdsock.close(d.readInt32LE(i));
  const bufs = [Buffer.alloc(2), Buffer.alloc(2)];
  a.send(Buffer.from('abc'));
  const [n] = b.recvmsg_into(bufs);
  assert.equal(n, 3);
  passed.close();
  a.close();
  b.close();
}

function packFds(fds) {
  const b = Buffer.alloc(fds.length * 4);
  fds.forEach((fd, i) => b.writeInt32LE(fd, i * 4));
  return b;
}

function udp() {
  const a = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
  const b = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
  b.bind(['127.0.0.1', 0]);
  a.sendto(Buffer.from('dgram'), b.getsockname());
  const [d, from] = b.recvfrom(64);
  assert.equal(d.toString(), 'dgram');
  assert.equal(from[0], '127.0.0.1');
  a.connect(b.getsockname());
  assert.equal(a.sendmmsg([[Buffer.from('1')], [Buffer.from('22')]]), 2);
  const got = b.recvmmsg(4, 16);
  assert.ok(got.length >= 1);
  a.close();
  b.close();
}

function tcp() {
  const ls = bsdsock.socket(bsdsock.AF_INET6, bsdsock.SOCK_STREAM);
  ls.bind(['::1', 0]);
  ls.listen();
  const c = bsdsock.create_connection(['::1', ls.getsockname()[1]], 5);
  const [s, peer] = ls.accept();
  assert.equal(peer[0], '::1');
  c.sendall(Buffer.alloc(100000, 1));
  let n = 0;
  while (n < 100000) n += s.recv(65536).length;
  s.settimeout(0.05);
  assert.throws(() => s.recv(1), bsdsock.TimeoutError);
  for (const x of [c, s, ls]) x.close();
  assert.throws(() => c.recv(1), bsdsock.OSError);
}

function resolver() {
  assert.equal(bsdsock.getaddrinfo('127.0.0.1', 80)[0][4][0], '127.0.0.1');
  assert.ok(bsdsock.getaddrinfo('localhost', 'http', 0, bsdsock.SOCK_STREAM).length >= 1);
  assert.deepEqual(bsdsock.getnameinfo(['127.0.0.1', 80], bsdsock.NI_NUMERICHOST | bsdsock.NI_NUMERICSERV), ['127.0.0.1', '80']);
  assert.equal(bsdsock.inet_ntop(bsdsock.AF_INET6, bsdsock.inet_pton(bsdsock.AF_INET6, '::1')), '::1');
  assert.equal(bsdsock.gethostbyname('localhost'), '127.0.0.1');
  assert.equal(bsdsock.getservbyname('http', 'tcp'), 80);
  assert.throws(() => bsdsock.getaddrinfo('no such host', null, 0, 0, 0, bsdsock.AI_NUMERICHOST), bsdsock.gaierror);
  assert.ok(bsdsock.if_nameindex().length >= 1);
}

function readiness() {
  const [a, b] = bsdsock.socketpair();
  a.send(Buffer.from('r'));
  assert.equal(select.select([b], [], [], 1)[0].length, 1);
  const p = select.poll();
  p.register(b, select.POLLIN);
  assert.equal(p.poll(1000).length, 1);
  const ep = new select.epoll();
  ep.register(b.fileno(), select.EPOLLIN);
  assert.equal(ep.poll(1).length, 1);
  ep.close();
  const sel = new selectors.DefaultSelector();
  sel.register(b, selectors.EVENT_READ);
  assert.equal(sel.select(1).length, 1);
  sel.close();
  a.close();
  b.close();
}

async function asyncOps() {
  const ls = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_STREAM);
  ls.bind(['127.0.0.1', 0]);
  ls.listen();
  ls.setblocking(false);
  const c = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_STREAM);
  c.setblocking(false);
  const [[s]] = await Promise.all([asyncio.sock_accept(ls), asyncio.sock_connect(c, ls.getsockname())]);
  await asyncio.sock_sendall(c, Buffer.alloc(300000, 2));
  let n = 0;
  while (n < 300000) n += (await asyncio.sock_recv(s, 65536)).length;
  for (const x of [c, s, ls]) x.close();

  const server = await asyncio.start_server(
    async (r, w) => {
      w.write(await r.readexactly(4));
      await w.drain();
      w.close();
    },
    '127.0.0.1',
    0,
  );
  const [r, w] = await asyncio.open_connection('127.0.0.1', server.sockets[0].getsockname()[1]);
  w.write(Buffer.from('echo'));
  assert.equal((await r.readexactly(4)).toString(), 'echo');
  w.close();
  await w.wait_closed();
  server.close();
  await server.wait_closed();
  const infos = await asyncio.getaddrinfo('::1', 443);
  assert.equal(infos[0][4][0], '::1');
}

async function main() {
  const rounds = Number(process.env.SANITIZE_ROUNDS ?? 3);
  for (let i = 0; i < rounds; i++) {
    pairs();
    fdPassing();
    udp();
    tcp();
    resolver();
    readiness();
    await asyncOps();
  }
  console.log(`sanitize workload: ${rounds} rounds ok`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
