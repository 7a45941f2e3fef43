// The socket object on whichever runtime runs this script (Node, Deno, Bun):
// making sockets, connecting them, every send and receive call, messages with
// fd passing, options, names, shutdown, dup / detach / fromfd, share / fromshare /
// ioctl (Windows), close, and the errors, compared with what python3 gives for the
// same calls. Then 'ok'.

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  ConnectionRefusedError,
  create_connection,
  create_server,
  fromfd,
  fromshare,
  has_ipv6,
  IPPROTO_TCP,
  OSError,
  SCM_RIGHTS,
  sethostname,
  SHUT_WR,
  SIO_KEEPALIVE_VALS,
  SO_ACCEPTCONN,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  Socket,
  socket,
  socketpair,
} from 'bsdsock';

import { limit, tempdir, thrown, WINDOWS } from './lib/run.mjs';

const run = limit('sockets.mjs');
const E = os.constants.errno;

/** A connected TCP pair on loopback: [client, server side, listener]. */
function tcpPair(family = AF_INET, host = '127.0.0.1') {
  const listener = socket(family, SOCK_STREAM);
  listener.bind([host, 0]);
  listener.listen(1);
  const client = socket(family, SOCK_STREAM);
  client.connect(listener.getsockname());
  const [conn, addr] = listener.accept();
  assert.deepEqual(addr, client.getsockname());
  return [client, conn, listener];
}

// socket(): family, type, proto and the fd; a socket is a Socket.
{
  const s = socket();
  assert.ok(s instanceof Socket);
  assert.deepEqual([s.family, s.type, s.proto], [AF_INET, SOCK_STREAM, 0]);
  assert.ok(s.fileno() >= 0);
  assert.equal(s.getsockopt(SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  s.close();
  assert.equal(s.fileno(), -1);
  s.close(); // closing twice is allowed, as in Python
}

// socketpair(): AF_UNIX where the OS has it, AF_INET on Windows (Python's fallback there).
{
  const [a, b] = socketpair();
  assert.equal(a.family, WINDOWS ? AF_INET : AF_UNIX);
  assert.equal(a.type, SOCK_STREAM);
  assert.equal(a.send(Buffer.from('hi')), 2);
  const into = Buffer.alloc(10);
  assert.equal(b.recv_into(into, 5), 2);
  assert.equal(into.toString('latin1'), 'hi\0\0\0\0\0\0\0\0');
  a.sendall(Buffer.from('more bytes'));
  assert.equal(b.recv(4).toString(), 'more');
  assert.equal(b.recv(100).toString(), ' bytes');
  // shutdown(SHUT_WR): the peer reads the end of the stream.
  a.shutdown(SHUT_WR);
  assert.equal(b.recv(10).length, 0);
  a.close();
  b.close();
}

// TCP on 127.0.0.1: bind / listen / accept / connect, the names of both ends.
{
  const [client, conn, listener] = tcpPair();
  assert.equal(listener.getsockopt(SOL_SOCKET, SO_ACCEPTCONN), 1);
  assert.deepEqual(client.getpeername(), listener.getsockname());
  assert.deepEqual(conn.getpeername(), client.getsockname());
  assert.equal(client.getsockname()[0], '127.0.0.1');
  client.sendall(Buffer.alloc(100000, 1));
  let got = 0;
  while (got < 100000) got += conn.recv(65536).length;
  assert.equal(got, 100000);
  conn.close();
  // The peer closed: a read gives b'', and writing on eventually fails with EPIPE / ECONNRESET.
  assert.equal(client.recv(10).length, 0);
  const e = thrown(() => {
    for (let i = 0; i < 100; i++) client.send(Buffer.alloc(1000));
  });
  assert.ok(e instanceof OSError);
  // Windows: WSAECONNRESET or WSAECONNABORTED, Python's errno there (os.constants.errno has the C runtime's).
  const broken = WINDOWS ? [10054, 10053] : [E.EPIPE, E.ECONNRESET, E.ECONNABORTED];
  assert.ok(broken.includes(e.errno), `errno ${e.errno}`);
  client.close();
  listener.close();
}

// TCP on ::1, where the host has IPv6: an AF_INET6 address is a 4-tuple.
if (has_ipv6) {
  const [client, conn, listener] = tcpPair(AF_INET6, '::1');
  const name = client.getsockname();
  assert.equal(name.length, 4);
  assert.deepEqual([name[0], name[2], name[3]], ['::1', 0, 0]);
  conn.send(Buffer.from('six'));
  assert.equal(client.recv(3).toString(), 'six');
  for (const s of [client, conn, listener]) s.close();
}

// connect to a port nobody listens on: ConnectionRefusedError, and connect_ex's errno.
{
  const probe = socket();
  probe.bind(['127.0.0.1', 0]);
  const address = probe.getsockname();
  probe.close();
  const c = socket();
  const e = thrown(() => c.connect(address));
  assert.ok(e instanceof ConnectionRefusedError);
  assert.ok(e instanceof OSError);
  if (WINDOWS) {
    assert.equal(e.winerror, 10061);
  } else {
    assert.equal(e.errno, E.ECONNREFUSED);
    assert.equal(e.code, 'ECONNREFUSED');
    assert.match(e.message, new RegExp(`^\\[Errno ${E.ECONNREFUSED}\\] `));
  }
  c.close();
  const d = socket();
  assert.equal(d.connect_ex(address), WINDOWS ? 10061 : E.ECONNREFUSED);
  d.close();
}

// create_server / create_connection.
{
  const server = create_server(['127.0.0.1', 0]);
  assert.notEqual(server.getsockopt(SOL_SOCKET, SO_REUSEADDR), WINDOWS ? 1 : 0);
  const client = create_connection(server.getsockname(), 5);
  assert.equal(client.gettimeout(), 5);
  const [conn, addr] = server.accept();
  assert.deepEqual(addr, client.getsockname());
  assert.equal(conn.gettimeout(), null);
  conn.sendall(Buffer.from('created'));
  assert.equal(client.recv(7).toString(), 'created');
  for (const s of [client, conn, server]) s.close();
}

// UDP: sendto / recvfrom / recvfrom_into (a longer datagram is cut to the
// buffer; Windows raises WSAEMSGSIZE for it, as Python there).
{
  const u = socket(AF_INET, SOCK_DGRAM);
  u.bind(['127.0.0.1', 0]);
  const v = socket(AF_INET, SOCK_DGRAM);
  v.bind(['127.0.0.1', 0]);
  assert.equal(v.sendto(Buffer.from('hello world'), u.getsockname()), 11);
  const buf = Buffer.alloc(8);
  if (WINDOWS) {
    const e = thrown(() => u.recvfrom_into(buf));
    assert.equal(e.constructor, OSError);
    assert.equal(e.winerror, 10040);
  } else {
    const [n, from] = u.recvfrom_into(buf);
    assert.equal(n, 8);
    assert.equal(buf.toString(), 'hello wo');
    assert.deepEqual(from, v.getsockname());
  }
  v.sendto(Buffer.from('second'), u.getsockname());
  const [data, from2] = u.recvfrom(100);
  assert.equal(data.toString(), 'second');
  assert.deepEqual(from2, v.getsockname());
  // shutdown of an unconnected datagram socket: ENOTCONN, as in Python; Winsock
  // reports WSAENOTCONN for connection-oriented sockets only, and shuts it.
  if (WINDOWS) {
    u.shutdown(SHUT_WR);
  } else {
    const e = thrown(() => u.shutdown(SHUT_WR));
    assert.ok(e instanceof OSError);
    assert.equal(e.errno, E.ENOTCONN);
  }
  u.close();
  v.close();
}

// getpeername on an unconnected socket: ENOTCONN.
{
  const s = socket();
  const e = thrown(() => s.getpeername());
  assert.equal(e.constructor, OSError);
  assert.equal(e.errno, WINDOWS ? 10057 : E.ENOTCONN);
  s.close();
}

// Options: SO_REUSEADDR set and read back; SO_RCVBUF as the OS gives it (Linux doubles it).
{
  const s = socket();
  assert.equal(s.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
  s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  assert.notEqual(s.getsockopt(SOL_SOCKET, SO_REUSEADDR), 0);
  s.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
  const rcvbuf = s.getsockopt(SOL_SOCKET, SO_RCVBUF);
  assert.equal(rcvbuf, process.platform === 'linux' ? 131072 : 65536);
  // The raw bytes of an option: an int's 4 bytes.
  assert.equal(s.getsockopt(SOL_SOCKET, SO_TYPE, 4).readInt32LE(0), SOCK_STREAM);
  s.close();
}

// dup / detach / fromfd: each a socket of its own on the same connection.
{
  const [a, b] = socketpair();
  const d = b.dup();
  assert.notEqual(d.fileno(), b.fileno());
  a.send(Buffer.from('to dup'));
  assert.equal(d.recv(10).toString(), 'to dup');
  const fd = d.detach();
  assert.equal(d.fileno(), -1);
  assert.ok(fd >= 0);
  const f = fromfd(fd, a.family, SOCK_STREAM);
  assert.notEqual(f.fileno(), fd);
  const g = socket(a.family, SOCK_STREAM, 0, fd); // adopts the detached fd itself
  assert.equal(g.fileno(), fd);
  a.sendall(Buffer.from('abc'));
  assert.equal(f.recv(10).toString(), 'abc');
  g.close();
  f.send(Buffer.from('back'));
  assert.equal(a.recv(10).toString(), 'back');
  for (const s of [a, b, f]) s.close();
}

// share / fromshare / ioctl: Windows' own calls (Python has them there only), elsewhere
// a TypeError that names each. share's bytes open a socket of its own on the same connection.
{
  const [client, conn, listener] = tcpPair();
  if (WINDOWS) {
    const data = conn.share(process.pid);
    assert.equal(data.length, 628);
    const copy = fromshare(data);
    assert.notEqual(copy.fileno(), conn.fileno());
    // The family, type and protocol come from the description, as Python's socket(0, 0, 0, data).
    assert.deepEqual([copy.family, copy.type, copy.proto], [AF_INET, SOCK_STREAM, IPPROTO_TCP]);
    client.sendall(Buffer.from('shared'));
    assert.equal(copy.recv(10).toString(), 'shared');
    copy.close();
    client.sendall(Buffer.from('still'));
    assert.equal(conn.recv(10).toString(), 'still');
    assert.equal(thrown(() => copy.share(process.pid)).errno, 10038); // WSAENOTSOCK, as a closed socket's fd -1 in Python
    assert.throws(() => fromshare(Buffer.alloc(10)), {
      name: 'RangeError',
      message: 'socket descriptor string has wrong size, should be 628 bytes.',
    });
    // SIO_KEEPALIVE_VALS: [onoff, keepalivetime, keepaliveinterval] in milliseconds; the option is checked as
    // Python's "k(kkk)" format checks it.
    assert.equal(client.ioctl(SIO_KEEPALIVE_VALS, [1, 10000, 3000]), 0);
    assert.throws(() => client.ioctl(SIO_KEEPALIVE_VALS, 1), {
      name: 'TypeError',
      message: 'ioctl() argument 2 must be 3-item sequence, not int',
    });
    assert.throws(() => client.ioctl(SIO_KEEPALIVE_VALS, [1, 2]), {
      name: 'TypeError',
      message: 'ioctl() argument 2 must be sequence of length 3, not 2',
    });
    assert.throws(() => client.ioctl(SIO_KEEPALIVE_VALS, [1, 'x', 2]), {
      name: 'TypeError',
      message: 'ioctl() argument 2, item 1 must be int, not str',
    });
    assert.throws(() => client.ioctl(12345, 0), { name: 'RangeError', message: 'invalid ioctl command 12345' });
    assert.throws(() => client.ioctl(SIO_KEEPALIVE_VALS), { name: 'TypeError', message: 'ioctl() takes exactly 2 arguments (1 given)' });
    // And the reverse: Unix's sethostname, which Python has not on Windows. (Elsewhere it is not
    // called here: it would rename the machine; test/sethostname.test.ts runs it in namespaces.)
    assert.throws(() => sethostname('bsdsock'), { name: 'TypeError', message: 'socket.sethostname is not available on this platform' });
  } else {
    assert.equal(typeof sethostname, 'function');
    const calls = [
      ['socket.share', () => conn.share(process.pid)],
      ['socket.ioctl', () => conn.ioctl(SIO_KEEPALIVE_VALS, [1, 10000, 3000])],
      ['socket.fromshare', () => fromshare(Buffer.alloc(628))],
    ];
    for (const [name, call] of calls) {
      assert.throws(call, { name: 'TypeError', message: `${name} is not available on this platform` });
    }
    // Nothing happened to the connection.
    client.sendall(Buffer.from('kept'));
    assert.equal(conn.recv(10).toString(), 'kept');
  }
  for (const s of [client, conn, listener]) s.close();
}

// sendmsg / recvmsg with SCM_RIGHTS: a file's fd passed over an AF_UNIX pair.
if (WINDOWS) {
  // Python on Windows has no SCM_RIGHTS: Windows passes no fds in control messages.
  assert.equal(SCM_RIGHTS, undefined);
} else {
  const dir = tempdir();
  // The fd passed is one end of another pair: what comes through is used as a socket.
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  const [x, y] = socketpair(AF_UNIX, SOCK_STREAM);
  const fds = Buffer.alloc(4);
  fds.writeInt32LE(x.fileno(), 0);
  assert.equal(a.sendmsg([Buffer.from('msg')], [[SOL_SOCKET, SCM_RIGHTS, fds]]), 3);
  x.close();
  const [data, ancdata, flags, address] = b.recvmsg(10, 64);
  assert.equal(data.toString(), 'msg');
  assert.equal(flags, 0);
  assert.equal(ancdata.length, 1);
  const [level, type, cmsg] = ancdata[0];
  assert.deepEqual([level, type, cmsg.length], [SOL_SOCKET, SCM_RIGHTS, 4]);
  const passed = socket(AF_UNIX, SOCK_STREAM, 0, cmsg.readInt32LE(0));
  passed.sendall(Buffer.from('through the socket'));
  assert.equal(y.recv(100).toString(), 'through the socket');
  assert.equal(address, null);
  for (const s of [a, b, y, passed]) s.close();
  // A Unix stream socket at a path in a temporary directory.
  const at = path.join(dir, 'sock');
  const l = socket(AF_UNIX, SOCK_STREAM);
  l.bind(at);
  l.listen();
  assert.equal(l.getsockname(), at);
  const c = socket(AF_UNIX, SOCK_STREAM);
  c.connect(at);
  const [conn] = l.accept();
  assert.equal(c.getpeername(), at);
  c.sendall(Buffer.from('unix'));
  assert.equal(conn.recv(4).toString(), 'unix');
  for (const s of [c, conn, l]) s.close();
}

// A blocking send of more than the buffers hold returns once every byte is
// queued, as a blocking send(2) does; on Windows too, where the socket is
// non-blocking underneath and each send there may take part. A worker thread
// reads.
{
  const l = socket();
  l.bind(['127.0.0.1', 0]);
  l.listen();
  const reader = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const { create_connection } = require(workerData.module);
     const c = create_connection(['127.0.0.1', workerData.port]);
     let got = 0;
     for (let d = c.recv(1 << 16); d.length > 0; d = c.recv(1 << 16)) got += d.length;
     c.close();
     parentPort.postMessage(got);`,
    { eval: true, workerData: { module: createRequire(import.meta.url).resolve('bsdsock'), port: l.getsockname()[1] } },
  );
  const [conn] = l.accept();
  const size = 32 << 20;
  for (const send of [() => conn.send(Buffer.alloc(size)), () => conn.sendto(Buffer.alloc(size), l.getsockname())]) {
    assert.equal(send(), size);
  }
  conn.close();
  l.close();
  const [got] = await once(reader, 'message');
  assert.equal(got, 2 * size);
}

// A closed socket: every call raises OSError EBADF, as Python's.
{
  const s = socket();
  s.close();
  for (const call of [() => s.recv(1), () => s.send(Buffer.from('x')), () => s.getsockname(), () => s.bind(['127.0.0.1', 0])]) {
    const e = thrown(call);
    assert.equal(e.constructor, OSError);
    assert.equal(e.errno, WINDOWS ? 10038 : E.EBADF);
    if (!WINDOWS) assert.equal(e.message, `[Errno ${E.EBADF}] Bad file descriptor`);
  }
}

run.done();
