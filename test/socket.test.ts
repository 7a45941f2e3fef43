// The socket object on real sockets: loopback TCP and UDP over IPv4 and IPv6,
// Unix sockets, netlink and raw ICMP, with real faults (refused connections,
// full send buffers, empty receive queues) and no mocks. Every expectation is
// what Python's socket module does on the same system.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  AF_UNIX,
  BlockingIOError,
  close,
  ConnectionRefusedError,
  dup,
  fromfd,
  getdefaulttimeout,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  MSG_DONTWAIT,
  MSG_OOB,
  MSG_PEEK,
  MSG_TRUNC,
  MSG_WAITALL,
  NETLINK_ROUTE,
  OSError,
  PermissionError,
  setdefaulttimeout,
  SHUT_WR,
  SO_BINDTODEVICE,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_OOBINLINE,
  SO_RCVBUF,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_TYPE,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_STREAM,
  socket,
  Socket,
  socketpair,
  SOL_SOCKET,
  SOL_TCP,
  TCP_NODELAY,
  timeout,
  TimeoutError,
} from 'bsdsock';

import {
  closing,
  ERRNO,
  fdLink,
  owned,
  recvAll,
  recvExactly,
  ROOT,
  runNodeSync,
  startNode,
  tcpPair,
  tempDir,
  thrown,
  udpPair,
} from './helpers/sockets';

const b = (text: string) => Buffer.from(text, 'latin1');

afterEach(() => {
  setdefaulttimeout(null);
});

describe('TCP', () => {
  it('IPv4: bind, listen, connect, accept, send/sendall/recv, shutdown(SHUT_WR) then EOF', () => {
    using listener = socket(AF_INET, SOCK_STREAM);
    listener.bind(['127.0.0.1', 0]);
    const laddr = listener.getsockname();
    expect(laddr).toHaveLength(2);
    expect(laddr[0]).toBe('127.0.0.1');
    expect(laddr[1]).toBeGreaterThan(0);
    listener.listen();

    using client = socket(AF_INET, SOCK_STREAM);
    expect(client.connect(laddr)).toBeUndefined();
    const accepted = listener.accept();
    expect(accepted).toHaveLength(2);
    const [conn, addr] = accepted;
    using _conn = closing(conn);
    expect(conn).toBeInstanceOf(Socket);
    expect([conn.family, conn.type, conn.proto]).toEqual([AF_INET, SOCK_STREAM, 0]);
    expect(addr).toEqual(client.getsockname());
    expect(addr).toEqual(['127.0.0.1', expect.any(Number)]);
    expect(client.getpeername()).toEqual(laddr);
    expect(conn.getsockname()).toEqual(laddr);
    expect(conn.getpeername()).toEqual(addr);

    expect(client.send(b('hello'))).toBe(5);
    expect(recvExactly(conn, 5)).toEqual(b('hello'));

    const big = Buffer.alloc(20_000, 0x61);
    expect(client.sendall(big)).toBeUndefined();
    expect(recvExactly(conn, big.length)).toEqual(big);

    client.shutdown(SHUT_WR);
    const eof = conn.recv(4096);
    expect(Buffer.isBuffer(eof)).toBe(true);
    expect(eof).toHaveLength(0);
    // The other direction still works after the peer's SHUT_WR.
    conn.sendall(b('bye'));
    conn.close();
    expect(recvAll(client)).toEqual(b('bye'));
  });

  it('IPv6 on ::1: addresses are 4-tuples (host, port, flowinfo, scope_id)', () => {
    using listener = socket(AF_INET6, SOCK_STREAM);
    listener.bind(['::1', 0]);
    const laddr = listener.getsockname();
    expect(laddr).toEqual(['::1', expect.any(Number), 0, 0]);
    listener.listen();

    using client = socket(AF_INET6, SOCK_STREAM);
    client.connect(['::1', laddr[1]]);
    const [conn, addr] = listener.accept();
    using _conn = closing(conn);
    expect(conn.family).toBe(AF_INET6);
    expect(addr).toEqual(['::1', client.getsockname()[1], 0, 0]);
    expect(client.getsockname()).toEqual(addr);
    expect(client.getpeername()).toEqual(laddr);
    expect(conn.getpeername()).toEqual(addr);

    conn.sendall(b('over ipv6'));
    expect(recvExactly(client, 9)).toEqual(b('over ipv6'));
  });

  it('send() takes bytes, never strings (TypeError, as in Python)', () => {
    using p = tcpPair();
    const e = thrown(() => p.client.send('text' as unknown as Uint8Array));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("a bytes-like object is required, not 'str'");
  });
});

describe('UDP', () => {
  it('sendto/recvfrom carry whole datagrams and the sender address', () => {
    using pair = udpPair();
    const [a, b2] = pair;
    expect(a.sendto(b('ping'), b2.getsockname())).toBe(4);
    const [data, from] = b2.recvfrom(4096);
    expect(data).toEqual(b('ping'));
    expect(from).toEqual(a.getsockname());
    expect(b2.sendto(b('pong'), from!)).toBe(4);
    expect(a.recvfrom(4096)).toEqual([b('pong'), b2.getsockname()]);
  });

  it('one recv returns one datagram; a short buffer loses the tail', () => {
    using pair = udpPair();
    const [a, b2] = pair;
    a.sendto(b('abcdef'), b2.getsockname());
    a.sendto(b('second'), b2.getsockname());
    expect(b2.recv(3)).toEqual(b('abc'));
    expect(b2.recv(4096)).toEqual(b('second'));
  });

  it('sendto with flags: sendto(data, flags, address)', () => {
    using pair = udpPair();
    const [a, b2] = pair;
    expect(a.sendto(b('flagged'), 0, b2.getsockname())).toBe(7);
    expect(b2.recv(100)).toEqual(b('flagged'));
  });

  it('connected UDP sockets use send/recv and getpeername', () => {
    using pair = udpPair();
    const [a, b2] = pair;
    a.connect(b2.getsockname());
    b2.connect(a.getsockname());
    expect(a.getpeername()).toEqual(b2.getsockname());
    expect(a.send(b('hello'))).toBe(5);
    expect(b2.recv(100)).toEqual(b('hello'));
    expect(b2.send(b('back'))).toBe(4);
    expect(a.recvfrom(100)).toEqual([b('back'), b2.getsockname()]);
  });

  it('IPv6 datagrams on ::1', () => {
    using pair = udpPair(AF_INET6);
    const [a, b2] = pair;
    expect(a.getsockname()).toEqual(['::1', expect.any(Number), 0, 0]);
    a.sendto(b('six'), b2.getsockname());
    expect(b2.recvfrom(100)).toEqual([b('six'), a.getsockname()]);
  });
});

describe('recv_into and recvfrom_into write in place', () => {
  it('into a Buffer', () => {
    using pair = owned(socketpair());
    const [a, b2] = pair;
    a.sendall(b('hello'));
    const buf = Buffer.alloc(16, 0xee);
    expect(b2.recv_into(buf)).toBe(5);
    expect(buf.subarray(0, 5)).toEqual(b('hello'));
    expect(buf.subarray(5)).toEqual(Buffer.alloc(11, 0xee));
  });

  it('into a plain Uint8Array', () => {
    using pair = owned(socketpair());
    const [a, b2] = pair;
    a.sendall(b('bytes'));
    const arr = new Uint8Array(8).fill(7);
    expect(b2.recv_into(arr)).toBe(5);
    expect(Array.from(arr)).toEqual([...b('bytes')].concat([7, 7, 7]));
  });

  it('into an offset view of a larger ArrayBuffer, touching nothing outside the view', () => {
    using pair = owned(socketpair());
    const [a, b2] = pair;
    const backing = new ArrayBuffer(32);
    new Uint8Array(backing).fill(0xaa);
    const view = new Uint8Array(backing, 8, 10);

    a.sendall(b('0123456789ABCDEF'));
    expect(b2.recv_into(view)).toBe(10);
    const expected = Buffer.alloc(32, 0xaa);
    b('0123456789').copy(expected, 8);
    expect(Buffer.from(backing)).toEqual(expected);
    expect(b2.recv(100)).toEqual(b('ABCDEF'));
  });

  it('nbytes limits the read to the front of the view', () => {
    using pair = owned(socketpair());
    const [a, b2] = pair;
    const backing = new ArrayBuffer(16);
    new Uint8Array(backing).fill(0x55);
    const view = new Uint8Array(backing, 4, 8);

    a.sendall(b('abcdefgh'));
    expect(b2.recv_into(view, 3)).toBe(3);
    const expected = Buffer.alloc(16, 0x55);
    b('abc').copy(expected, 4);
    expect(Buffer.from(backing)).toEqual(expected);
    expect(b2.recv(100)).toEqual(b('defgh'));
  });

  it('recvfrom_into returns [nbytes, address] for a Buffer, a Uint8Array and an offset view', () => {
    using pair = udpPair();
    const [a, b2] = pair;
    const from = a.getsockname();

    a.sendto(b('first'), b2.getsockname());
    const buf = Buffer.alloc(8, 0xee);
    expect(b2.recvfrom_into(buf)).toEqual([5, from]);
    expect(buf).toEqual(Buffer.concat([b('first'), Buffer.alloc(3, 0xee)]));

    a.sendto(b('second'), b2.getsockname());
    const arr = new Uint8Array(6);
    expect(b2.recvfrom_into(arr)).toEqual([6, from]);
    expect(Buffer.from(arr)).toEqual(b('second'));

    a.sendto(b('third!'), b2.getsockname());
    const backing = new ArrayBuffer(24);
    new Uint8Array(backing).fill(0x11);
    const view = new Uint8Array(backing, 10, 8);
    expect(b2.recvfrom_into(view, 4)).toEqual([4, from]);
    const expected = Buffer.alloc(24, 0x11);
    b('thir').copy(expected, 10);
    expect(Buffer.from(backing)).toEqual(expected);
  });

  it('rejects nbytes larger than the buffer with Python\'s messages', () => {
    using pair = owned(socketpair(AF_UNIX, SOCK_DGRAM));
    const [, b2] = pair;
    const e1 = thrown(() => b2.recv_into(new Uint8Array(2), 3));
    expect(e1).toBeInstanceOf(RangeError);
    expect(e1.message).toBe('buffer too small for requested bytes');
    const e2 = thrown(() => b2.recvfrom_into(new Uint8Array(2), 3));
    expect(e2).toBeInstanceOf(RangeError);
    expect(e2.message).toBe('nbytes is greater than the length of the buffer');
  });
});

describe('flags', () => {
  it('MSG_PEEK leaves the data queued (stream and datagram)', () => {
    using p = tcpPair();
    p.client.sendall(b('peek'));
    let peeked = p.server.recv(4, MSG_PEEK);
    while (peeked.length < 4) peeked = p.server.recv(4, MSG_PEEK);
    expect(peeked).toEqual(b('peek'));
    expect(recvExactly(p.server, 4)).toEqual(b('peek'));

    using pair = udpPair();
    const [a, b2] = pair;
    a.sendto(b('dgram'), b2.getsockname());
    expect(b2.recvfrom(100, MSG_PEEK)).toEqual([b('dgram'), a.getsockname()]);
    expect(b2.recvfrom(100)).toEqual([b('dgram'), a.getsockname()]);
  });

  it('MSG_DONTWAIT on an empty socket throws BlockingIOError (EAGAIN) even in blocking mode', () => {
    using pair = owned(socketpair());
    const [a, b2] = pair;
    expect(b2.getblocking()).toBe(true);
    for (const call of [() => b2.recv(10, MSG_DONTWAIT), () => b2.recv_into(Buffer.alloc(4), 0, MSG_DONTWAIT), () => b2.recvfrom(10, MSG_DONTWAIT)]) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(BlockingIOError);
      expect(e).toBeInstanceOf(OSError);
      expect(e.errno).toBe(ERRNO.EAGAIN);
      expect(e.code).toBe('EAGAIN');
    }
    // The socket is still in blocking mode and works.
    expect(b2.getblocking()).toBe(true);
    a.sendall(b('x'));
    expect(b2.recv(10, MSG_DONTWAIT)).toEqual(b('x'));
  });

  it('MSG_WAITALL in blocking mode waits for the whole count across separate segments', async () => {
    using listener = socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    listener.settimeout(10); // only so that a broken accept fails instead of hanging
    const port = listener.getsockname()[1];
    // The peer sends 'abc', pauses, then sends 'def' and closes.
    const child = startNode(`
      const c = require('net').connect(${port}, '127.0.0.1', () => {
        c.write('abc');
        setTimeout(() => c.end('def'), 300);
      });`);
    const [conn] = listener.accept();
    let data: Buffer;
    try {
      expect(conn.gettimeout()).toBeNull();
      data = conn.recv(6, MSG_WAITALL);
    } finally {
      conn.close(); // lets the half-closed peer finish and exit
    }
    expect(data).toEqual(b('abcdef'));
    expect(await child.exited).toBe(0);
  });

  it('MSG_TRUNC on a datagram returns the real length (Linux)', () => {
    using pair = udpPair();
    const [a, b2] = pair;
    const to = b2.getsockname();

    a.sendto(b('0123456789'), to);
    const buf = Buffer.alloc(4, 0xee);
    expect(b2.recv_into(buf, 2, MSG_TRUNC)).toBe(10);
    expect(buf).toEqual(Buffer.concat([b('01'), Buffer.alloc(2, 0xee)]));

    a.sendto(b('0123456789'), to);
    const buf2 = Buffer.alloc(4, 0xee);
    expect(b2.recvfrom_into(buf2, 2, MSG_TRUNC)).toEqual([10, a.getsockname()]);
    expect(buf2).toEqual(Buffer.concat([b('01'), Buffer.alloc(2, 0xee)]));

    // recv(): Python sizes the result by the length recv(2) returned.
    a.sendto(b('0123456789'), to);
    const data = b2.recv(2, MSG_TRUNC);
    expect(data).toHaveLength(10);
    expect(data.subarray(0, 2)).toEqual(b('01'));
  });

  it('MSG_OOB with SO_OOBINLINE off: the urgent byte is read apart from the stream', () => {
    using p = tcpPair();
    expect(p.server.getsockopt(SOL_SOCKET, SO_OOBINLINE)).toBe(0);
    expect(p.client.send(b('ab'))).toBe(2);
    expect(p.client.send(b('!'), MSG_OOB)).toBe(1);
    expect(p.client.send(b('cd'))).toBe(2);
    // Normal reads stop at the urgent mark; peeking at what follows the mark
    // waits until the urgent byte has arrived (TCP keeps order).
    expect(recvExactly(p.server, 2)).toEqual(b('ab'));
    let after = p.server.recv(2, MSG_PEEK);
    while (after.length < 2) after = p.server.recv(2, MSG_PEEK);
    expect(after).toEqual(b('cd'));
    expect(p.server.recv(1, MSG_OOB)).toEqual(b('!'));
    expect(recvExactly(p.server, 2)).toEqual(b('cd'));
  });
});

describe('AF_UNIX', () => {
  it('stream sockets on a filesystem path', () => {
    using dir = tempDir();
    const where = path.join(dir.path, 'stream.sock');
    using listener = socket(AF_UNIX, SOCK_STREAM);
    listener.bind(where);
    expect(listener.getsockname()).toBe(where);
    expect(fs.statSync(where).isSocket()).toBe(true);
    listener.listen();

    using client = socket(AF_UNIX, SOCK_STREAM);
    client.connect(where);
    const [conn, addr] = listener.accept();
    using _conn = closing(conn);
    expect(addr).toBe('');
    expect(client.getsockname()).toBe('');
    expect(client.getpeername()).toBe(where);
    expect(conn.getsockname()).toBe(where);
    expect([conn.family, conn.type]).toEqual([AF_UNIX, SOCK_STREAM]);

    client.sendall(b('over unix'));
    expect(recvExactly(conn, 9)).toEqual(b('over unix'));
    conn.sendall(b('reply'));
    expect(recvExactly(client, 5)).toEqual(b('reply'));
  });

  it('datagram sockets on filesystem paths report the sender path', () => {
    using dir = tempDir();
    const serverPath = path.join(dir.path, 'server.sock');
    const clientPath = path.join(dir.path, 'client.sock');
    using server = socket(AF_UNIX, SOCK_DGRAM);
    server.bind(serverPath);
    using client = socket(AF_UNIX, SOCK_DGRAM);
    client.bind(clientPath);

    expect(client.sendto(b('request'), serverPath)).toBe(7);
    const [data, from] = server.recvfrom(100);
    expect(data).toEqual(b('request'));
    expect(from).toBe(clientPath);
    server.sendto(b('response'), from!);
    expect(client.recvfrom(100)).toEqual([b('response'), serverPath]);
  });

  it('Linux abstract names are Buffers starting with NUL', () => {
    const name = Buffer.from(`\0bsdsock-test-${process.pid}-${Math.random().toString(36).slice(2)}`, 'latin1');
    using listener = socket(AF_UNIX, SOCK_STREAM);
    listener.bind(name);
    const got = listener.getsockname();
    expect(Buffer.isBuffer(got)).toBe(true);
    expect(got).toEqual(name);
    listener.listen();

    using client = socket(AF_UNIX, SOCK_STREAM);
    client.connect(name);
    const [conn] = listener.accept();
    using _conn = closing(conn);
    expect(client.getpeername()).toEqual(name);
    client.sendall(b('abstract'));
    expect(recvExactly(conn, 8)).toEqual(b('abstract'));
  });

  it("bind('') autobinds to an abstract name, which the receiver sees as the sender", () => {
    using dir = tempDir();
    const serverPath = path.join(dir.path, 'server.sock');
    using server = socket(AF_UNIX, SOCK_DGRAM);
    server.bind(serverPath);
    using client = socket(AF_UNIX, SOCK_DGRAM);
    client.bind('');
    const name = client.getsockname();
    expect(Buffer.isBuffer(name)).toBe(true);
    expect((name as Buffer)[0]).toBe(0);
    expect((name as Buffer).length).toBeGreaterThan(1);

    client.sendto(b('hi'), serverPath);
    expect(server.recvfrom(10)).toEqual([b('hi'), name]);
  });

  it("an unnamed socketpair end has the address ''", () => {
    using pair = owned(socketpair());
    const [a, b2] = pair;
    expect(a.getsockname()).toBe('');
    expect(a.getpeername()).toBe('');
    expect(b2.getsockname()).toBe('');
  });

  it('a datagram from an unbound sender has the address null', () => {
    using dir = tempDir();
    const serverPath = path.join(dir.path, 'server.sock');
    using server = socket(AF_UNIX, SOCK_DGRAM);
    server.bind(serverPath);
    using sender = socket(AF_UNIX, SOCK_DGRAM);
    sender.sendto(b('anon'), serverPath);
    expect(server.recvfrom(10)).toEqual([b('anon'), null]);
    sender.sendto(b('anon2'), serverPath);
    const buf = Buffer.alloc(10);
    expect(server.recvfrom_into(buf)).toEqual([5, null]);
  });
});

describe('socketpair', () => {
  it('defaults to a connected AF_UNIX SOCK_STREAM pair', () => {
    using pair = owned(socketpair());
    const [a, b2] = pair;
    for (const s of pair) expect([s.family, s.type, s.proto]).toEqual([AF_UNIX, SOCK_STREAM, 0]);
    expect(a.send(b('to b'))).toBe(4);
    expect(recvExactly(b2, 4)).toEqual(b('to b'));
    b2.sendall(b('to a'));
    expect(recvExactly(a, 4)).toEqual(b('to a'));
  });

  it('SOCK_DGRAM pairs keep message boundaries', () => {
    using pair = owned(socketpair(AF_UNIX, SOCK_DGRAM));
    const [a, b2] = pair;
    expect(a.type).toBe(SOCK_DGRAM);
    a.send(b('one'));
    a.send(b('two'));
    expect(b2.recv(100)).toEqual(b('one'));
    expect(b2.recv(100)).toEqual(b('two'));
  });
});

describe('file descriptors', () => {
  it('fromfd() wraps a duplicate fd with the given family and type', () => {
    using p = tcpPair();
    using f = fromfd(p.client.fileno(), AF_INET, SOCK_STREAM);
    expect(f.fileno()).not.toBe(p.client.fileno());
    expect(fdLink(f.fileno())).toBe(fdLink(p.client.fileno()));
    expect([f.family, f.type, f.proto]).toEqual([AF_INET, SOCK_STREAM, 0]);
    expect(f.gettimeout()).toBeNull();
    f.sendall(b('via copy'));
    expect(recvExactly(p.server, 8)).toEqual(b('via copy'));
    p.client.close();
    f.sendall(b('still'));
    expect(recvExactly(p.server, 5)).toEqual(b('still'));
  });

  it('socket(fileno=fd) detects family, type and protocol', () => {
    const cases: Array<[number, number, number]> = [
      [AF_INET, SOCK_STREAM, IPPROTO_TCP],
      [AF_INET, SOCK_DGRAM, IPPROTO_UDP],
      [AF_INET6, SOCK_STREAM, IPPROTO_TCP],
      [AF_UNIX, SOCK_STREAM, 0],
      [AF_UNIX, SOCK_DGRAM, 0],
    ];
    for (const [family, type, proto] of cases) {
      using original = socket(family, type);
      const fd = dup(original.fileno());
      using adopted = socket(undefined, undefined, undefined, fd);
      expect(adopted.fileno()).toBe(fd);
      expect([adopted.family, adopted.type, adopted.proto]).toEqual([family, type, proto]);
    }
  });

  it('socket(fileno=fd) on a fd that is not a socket throws OSError ENOTSOCK', () => {
    const fd = fs.openSync('/dev/null', 'r');
    try {
      const e = thrown(() => socket(undefined, undefined, undefined, fd));
      expect(e).toBeInstanceOf(OSError);
      expect(e.errno).toBe(ERRNO.ENOTSOCK);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('module-level dup() and close()', () => {
    using s = socket();
    const fd2 = dup(s.fileno());
    expect(fd2).not.toBe(s.fileno());
    expect(fdLink(fd2)).toBe(fdLink(s.fileno()));
    close(fd2);
    expect(fdLink(fd2)).toBeNull();
    const e = thrown(() => close(fd2));
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(ERRNO.EBADF);
    expect(fdLink(s.fileno())).toMatch(/^socket:/);
  });

  it('dup() makes a new socket object on a new fd with the same family, type, proto and timeout', () => {
    using p = tcpPair();
    p.client.settimeout(4);
    using copy = p.client.dup();
    expect(copy).toBeInstanceOf(Socket);
    expect(copy.fileno()).not.toBe(p.client.fileno());
    expect(fdLink(copy.fileno())).toBe(fdLink(p.client.fileno()));
    expect([copy.family, copy.type, copy.proto]).toEqual([p.client.family, p.client.type, p.client.proto]);
    expect(copy.gettimeout()).toBe(4);
    expect(copy.get_inheritable()).toBe(false);
    copy.sendall(b('dup'));
    expect(recvExactly(p.server, 3)).toEqual(b('dup'));
  });

  it('detach() gives up the fd without closing it', () => {
    const s = socket();
    const fd = s.fileno();
    const link = fdLink(fd);
    expect(link).toMatch(/^socket:/);
    expect(s.detach()).toBe(fd);
    expect(s.fileno()).toBe(-1);
    expect(fdLink(fd)).toBe(link);
    s.close(); // closes nothing: the fd is no longer the socket's
    expect(fdLink(fd)).toBe(link);
    close(fd);
    expect(fdLink(fd)).toBeNull();
  });

  it('close() sets fileno() to -1, is idempotent, and later calls throw OSError EBADF', () => {
    const s = socket();
    const fd = s.fileno();
    expect(fd).toBeGreaterThanOrEqual(0);
    s.close();
    expect(s.fileno()).toBe(-1);
    expect(fdLink(fd)).toBeNull();
    expect(() => s.close()).not.toThrow();
    for (const call of [() => s.recv(1), () => s.send(b('x')), () => s.getsockname(), () => s.bind(['127.0.0.1', 0])]) {
      const e = thrown(call);
      expect(e).toBeInstanceOf(OSError);
      expect(e.errno).toBe(ERRNO.EBADF);
    }
  });

  it('sockets are not inheritable by default; a child process sees the fd only after set_inheritable(true)', () => {
    using s = socket();
    const fd = s.fileno();
    const link = fdLink(fd);
    const childSees = () =>
      JSON.parse(runNodeSync(`let l = null; try { l = require('fs').readlinkSync('/proc/self/fd/${fd}'); } catch {} process.stdout.write(JSON.stringify(l));`));

    expect(s.get_inheritable()).toBe(false);
    expect(childSees()).not.toBe(link);

    s.set_inheritable(true);
    expect(s.get_inheritable()).toBe(true);
    expect(childSees()).toBe(link);

    s.set_inheritable(false);
    expect(s.get_inheritable()).toBe(false);
    expect(childSees()).not.toBe(link);
  });

  it('sockets from accept(), socketpair(), dup() and fromfd() are not inheritable', () => {
    using p = tcpPair();
    using pair = owned(socketpair());
    using copy = p.client.dup();
    using f = fromfd(p.client.fileno(), AF_INET, SOCK_STREAM);
    for (const s of [p.server, ...pair, copy, f]) expect(s.get_inheritable()).toBe(false);
  });

  it('family, type and proto getters; SOCK_NONBLOCK and SOCK_CLOEXEC are masked off the type', () => {
    using s = socket();
    expect([s.family, s.type, s.proto]).toEqual([AF_INET, SOCK_STREAM, 0]);
    using u = socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
    expect([u.family, u.type, u.proto]).toEqual([AF_INET6, SOCK_DGRAM, IPPROTO_UDP]);

    using n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
    expect(n.type).toBe(SOCK_STREAM);
    expect(n.gettimeout()).toBe(0);
    expect(n.timeout).toBe(0);
    expect(n.getblocking()).toBe(false);
    expect(n.getsockopt(SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
  });
});

describe('modes', () => {
  it('a blocking receive on a listening socket fails at once, as Python says, even after an accept that waited', () => {
    // poll(2) waits on a listening socket where recv(2) fails at once: a call
    // that polled before its first try would hang here. In a child, under a
    // time limit: a hang blocks its thread. python3 gives the same errnos.
    const out = runNodeSync(`
      const { socket, AF_INET, AF_UNIX, TimeoutError } = require(${JSON.stringify(ROOT)});
      for (const [family, addr] of [[AF_INET, ['127.0.0.1', 0]], [AF_UNIX, '\\0bsdsock-listening-' + process.pid]]) {
        const l = socket(family);
        l.bind(addr);
        l.listen();
        l.settimeout(0.05);
        try { l.accept(); } catch (e) { if (!(e instanceof TimeoutError)) throw e; }
        l.settimeout(null);
        try { l.recv(1); } catch (e) { console.log(e.errno); }
        l.close();
      }
    `);
    expect(out).toBe(`${ERRNO.ENOTCONN}\n${ERRNO.EINVAL}\n`);
  });

  it('setblocking/getblocking and settimeout/gettimeout', () => {
    using s = socket();
    expect(s.getblocking()).toBe(true);
    expect(s.gettimeout()).toBeNull();
    s.setblocking(false);
    expect(s.getblocking()).toBe(false);
    expect(s.gettimeout()).toBe(0);
    s.settimeout(2.5);
    expect(s.gettimeout()).toBe(2.5);
    expect(s.getblocking()).toBe(true);
    s.settimeout(0);
    expect(s.getblocking()).toBe(false);
    s.setblocking(true);
    expect(s.gettimeout()).toBeNull();
    s.settimeout(1);
    s.settimeout(null);
    expect(s.gettimeout()).toBeNull();
    const e = thrown(() => s.settimeout(-1));
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('Timeout value out of range');
  });

  it('setdefaulttimeout applies to new sockets, socketpair() and accept()ed sockets', () => {
    expect(getdefaulttimeout()).toBeNull();
    setdefaulttimeout(7);
    expect(getdefaulttimeout()).toBe(7);
    using s = socket();
    expect(s.gettimeout()).toBe(7);
    using pair = owned(socketpair());
    expect(pair[0].gettimeout()).toBe(7);

    // accept() gives the default timeout, whatever the listener's mode.
    using listener = socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    listener.settimeout(2.5);
    using client = socket();
    client.connect(listener.getsockname());
    const [conn] = listener.accept();
    using _conn = closing(conn);
    expect(conn.gettimeout()).toBe(7);

    setdefaulttimeout(null);
    using later = socket();
    expect(later.gettimeout()).toBeNull();
  });

  it('with no default timeout, accept() gives a blocking socket even from a timeout or non-blocking listener', () => {
    using listener = socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    for (const mode of [3, 0]) {
      listener.settimeout(3);
      using client = socket();
      client.connect(listener.getsockname());
      listener.settimeout(mode);
      const [conn] = listener.accept();
      using _conn = closing(conn);
      expect(conn.gettimeout()).toBeNull();
      expect(conn.getblocking()).toBe(true);
    }
  });

  it("recv and accept in timeout mode throw TimeoutError('timed out')", () => {
    expect(timeout).toBe(TimeoutError);
    using pair = owned(socketpair());
    const [, b2] = pair;
    b2.settimeout(0.05);
    const e = thrown(() => b2.recv(10));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).toBeInstanceOf(OSError);
    expect(e.message).toBe('timed out');
    expect(e.errno).toBeNull();

    using listener = socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    listener.settimeout(0.05);
    const e2 = thrown(() => listener.accept());
    expect(e2).toBeInstanceOf(TimeoutError);
    expect(e2.message).toBe('timed out');
  });

  it('connect in timeout mode: succeeds on a listener, times out when the accept queue is full', () => {
    using listener = socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen(0);
    const addr = listener.getsockname();

    using first = socket();
    first.settimeout(5);
    first.connect(addr);
    expect(first.getpeername()).toEqual(addr);
    expect(first.gettimeout()).toBe(5);

    // Nobody accepts: once the queue is full, SYNs are dropped and connect times out.
    const clients: Socket[] = [];
    let error: unknown = null;
    try {
      for (let i = 0; i < 8 && error === null; i++) {
        const c = socket();
        clients.push(c);
        c.settimeout(0.5);
        try {
          c.connect(addr);
        } catch (e) {
          error = e;
        }
      }
    } finally {
      for (const c of clients) c.close();
    }
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('timed out');
  });

  it('non-blocking mode: recv and accept throw BlockingIOError EAGAIN, connect throws EINPROGRESS', () => {
    using pair = owned(socketpair());
    const [, b2] = pair;
    b2.setblocking(false);
    const e = thrown(() => b2.recv(10));
    expect(e).toBeInstanceOf(BlockingIOError);
    expect(e.errno).toBe(ERRNO.EAGAIN);
    expect(e.errno).toBe(ERRNO.EWOULDBLOCK);
    expect(e.code).toBe('EAGAIN');

    using listener = socket();
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    listener.setblocking(false);
    const e2 = thrown(() => listener.accept());
    expect(e2).toBeInstanceOf(BlockingIOError);
    expect(e2.errno).toBe(ERRNO.EAGAIN);

    const addr = listener.getsockname();
    using client = socket();
    client.setblocking(false);
    const e3 = thrown(() => client.connect(addr));
    expect(e3).toBeInstanceOf(BlockingIOError);
    expect(e3.errno).toBe(ERRNO.EINPROGRESS);
    expect(e3.code).toBe('EINPROGRESS');
    expect(e3.syscall).toBe('connect');

    listener.settimeout(5);
    const [conn] = listener.accept();
    using _conn = closing(conn);
    expect(client.getpeername()).toEqual(addr);
    // As in Python: the next connect reports the completed connection (0), the one after EISCONN.
    expect(client.connect_ex(addr)).toBe(0);
    expect(client.connect_ex(addr)).toBe(ERRNO.EISCONN);
  });

  it('a full send buffer: send throws BlockingIOError in non-blocking mode', () => {
    using p = tcpPair();
    p.client.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    p.server.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    p.client.setblocking(false);
    const chunk = Buffer.alloc(65536, 0x78);
    let sent = 0;
    let error: unknown = null;
    for (let i = 0; i < 10_000 && error === null; i++) {
      try {
        sent += p.client.send(chunk);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(BlockingIOError);
    expect((error as OSError).errno).toBe(ERRNO.EAGAIN);
    expect(sent).toBeGreaterThan(0);
  });

  it('a full send buffer: sendall throws TimeoutError in timeout mode', () => {
    using p = tcpPair();
    p.client.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    p.server.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    p.client.settimeout(0.2);
    const e = thrown(() => p.client.sendall(Buffer.alloc(16 << 20, 0x78)));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toBe('timed out');
    // Python sets no characters_written here; where bsdsock sets it, it counts the bytes sent.
    const written: unknown = e.characters_written;
    expect(written === undefined || (typeof written === 'number' && written > 0 && written < 16 << 20)).toBe(true);
  });

  it('a refused connect throws ConnectionRefusedError with errno, strerror, code and syscall', () => {
    // A bound socket that does not listen holds the port and refuses connections to it.
    using holder = socket();
    holder.bind(['127.0.0.1', 0]);
    const addr = holder.getsockname();
    using client = socket();
    const e = thrown(() => client.connect(addr));
    expect(e).toBeInstanceOf(ConnectionRefusedError);
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(ERRNO.ECONNREFUSED);
    expect(e.strerror).toBe('Connection refused');
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.syscall).toBe('connect');
    expect(e.message).toBe(`[Errno ${ERRNO.ECONNREFUSED}] Connection refused`);

    using again = socket();
    expect(again.connect_ex(addr)).toBe(ERRNO.ECONNREFUSED);
  });
});

describe('socket options', () => {
  it('ints and booleans', () => {
    using s = socket();
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    expect(s.getsockopt(SOL_SOCKET, SO_REUSEADDR)).toBe(1);
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 0);
    expect(s.getsockopt(SOL_SOCKET, SO_REUSEADDR)).toBe(0);
    s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, true);
    expect(s.getsockopt(SOL_SOCKET, SO_KEEPALIVE)).toBe(1);
    s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, false);
    expect(s.getsockopt(SOL_SOCKET, SO_KEEPALIVE)).toBe(0);
    s.setsockopt(IPPROTO_TCP, TCP_NODELAY, 1);
    expect(s.getsockopt(IPPROTO_TCP, TCP_NODELAY)).toBe(1);
    s.setsockopt(SOL_TCP, TCP_NODELAY, false);
    expect(s.getsockopt(IPPROTO_TCP, TCP_NODELAY)).toBe(0);
    expect(s.getsockopt(SOL_SOCKET, SO_TYPE)).toBe(SOCK_STREAM);
    expect(s.getsockopt(SOL_SOCKET, SO_ERROR)).toBe(0);
  });

  it('SO_RCVBUF: Linux doubles the value set', () => {
    using s = socket();
    s.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
    expect(s.getsockopt(SOL_SOCKET, SO_RCVBUF)).toBe(131072);
  });

  it('SO_LINGER as struct linger bytes, read back with getsockopt(level, opt, 8)', () => {
    using s = socket();
    const linger = Buffer.from(new Int32Array([1, 5]).buffer);
    s.setsockopt(SOL_SOCKET, SO_LINGER, linger);
    const got = s.getsockopt(SOL_SOCKET, SO_LINGER, 8);
    expect(Buffer.isBuffer(got)).toBe(true);
    expect(got).toEqual(linger);

    // Turning lingering off keeps the old l_linger (Linux, as Python shows).
    s.setsockopt(SOL_SOCKET, SO_LINGER, new Uint8Array(new Int32Array([0, 0]).buffer));
    expect(s.getsockopt(SOL_SOCKET, SO_LINGER, 8)).toEqual(Buffer.from(new Int32Array([0, 5]).buffer));
  });

  it('setsockopt(level, opt, null, optlen) passes a NULL option value', () => {
    using s = socket();
    // SO_BINDTODEVICE with NULL and length 0 unbinds from any device.
    s.setsockopt(SOL_SOCKET, SO_BINDTODEVICE, null, 0);
    expect(s.getsockopt(SOL_SOCKET, SO_BINDTODEVICE, 16)).toEqual(Buffer.alloc(0));
    // The kernel reads an int from NULL: EFAULT, as in Python.
    const e = thrown(() => s.setsockopt(SOL_SOCKET, SO_REUSEADDR, null, 4));
    expect(e).toBeInstanceOf(OSError);
    expect(e.errno).toBe(ERRNO.EFAULT);
  });
});

describe('host names in addresses', () => {
  it("bind, connect and sendto resolve 'localhost'", () => {
    using listener = socket();
    listener.bind(['localhost', 0]);
    const [host, port] = listener.getsockname();
    expect(host).toBe('127.0.0.1');
    listener.listen();
    using client = socket();
    client.connect(['localhost', port]);
    expect(client.getpeername()).toEqual(['127.0.0.1', port]);
    const [conn] = listener.accept();
    conn.close();

    using pair = udpPair();
    const [a, b2] = pair;
    a.sendto(b('named'), ['localhost', b2.getsockname()[1]]);
    expect(b2.recv(10)).toEqual(b('named'));
  });
});

describe('repr (util.inspect)', () => {
  it("matches Python's repr for TCP sockets", () => {
    using fresh = socket();
    expect(inspect(fresh)).toBe(`<socket.socket fd=${fresh.fileno()}, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>`);

    using p = tcpPair();
    const [, port] = p.listener.getsockname();
    const [, cport] = p.client.getsockname();
    expect(inspect(p.listener)).toBe(`<socket.socket fd=${p.listener.fileno()}, family=2, type=1, proto=0, laddr=('127.0.0.1', ${port})>`);
    expect(inspect(p.client)).toBe(
      `<socket.socket fd=${p.client.fileno()}, family=2, type=1, proto=0, laddr=('127.0.0.1', ${cport}), raddr=('127.0.0.1', ${port})>`,
    );
    expect(inspect(p.server)).toBe(
      `<socket.socket fd=${p.server.fileno()}, family=2, type=1, proto=0, laddr=('127.0.0.1', ${port}), raddr=('127.0.0.1', ${cport})>`,
    );
    p.client.close();
    expect(inspect(p.client)).toBe('<socket.socket [closed] fd=-1, family=2, type=1, proto=0>');
  });

  it("matches Python's repr for IPv6 datagram sockets", () => {
    using pair = udpPair(AF_INET6);
    const [a] = pair;
    const [, port] = a.getsockname();
    expect(inspect(a)).toBe(`<socket.socket fd=${a.fileno()}, family=10, type=2, proto=0, laddr=('::1', ${port}, 0, 0)>`);
  });

  it("matches Python's repr for a Unix socket on a path: the bare path, unquoted", () => {
    using dir = tempDir();
    const where = path.join(dir.path, 'r.sock');
    using named = socket(AF_UNIX, SOCK_DGRAM);
    named.bind(where);
    expect(inspect(named)).toBe(`<socket.socket fd=${named.fileno()}, family=1, type=2, proto=0, laddr=${where}>`);
  });

  it("matches Python's repr for a Unix socket with an abstract name: a bytes literal", () => {
    using abstract = socket(AF_UNIX, SOCK_STREAM);
    abstract.bind(Buffer.from(`\0bsdsock-repr-${process.pid}`, 'latin1'));
    expect(inspect(abstract)).toBe(`<socket.socket fd=${abstract.fileno()}, family=1, type=1, proto=0, laddr=b'\\x00bsdsock-repr-${process.pid}'>`);
  });

  it("matches Python's repr for unnamed socketpair ends: no laddr or raddr", () => {
    using pair = owned(socketpair());
    expect(inspect(pair[0])).toBe(`<socket.socket fd=${pair[0].fileno()}, family=1, type=1, proto=0>`);
  });
});

describe('lifetime', () => {
  it('`using` closes the socket at the end of the scope', () => {
    let kept: Socket | null = null;
    let fd = -1;
    let link: string | null = null;
    {
      using s = socket();
      kept = s;
      fd = s.fileno();
      link = fdLink(fd);
      expect(link).toMatch(/^socket:/);
    }
    expect(kept.fileno()).toBe(-1);
    expect(fdLink(fd)).not.toBe(link);
  });

  it('a socket collected while open has its fd closed and emits a ResourceWarning', () => {
    const out = runNodeSync(
      `
      const fs = require('fs');
      const { socket } = require(${JSON.stringify(ROOT)});
      const warnings = [];
      process.on('warning', (w) => warnings.push({ name: w.name, message: w.message }));
      const link = (fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return null; } };
      function leak() {
        const s = socket();
        return { fd: s.fileno(), before: link(s.fileno()) };
      }
      const { fd, before } = leak();
      (async () => {
        for (let i = 0; i < 100 && (warnings.length === 0 || link(fd) === before); i++) {
          globalThis.gc();
          await new Promise((r) => setTimeout(r, 10));
        }
        process.stdout.write(JSON.stringify({ fd, before, after: link(fd), warnings }));
      })();`,
      ['--expose-gc'],
    );
    const { fd, before, after, warnings } = JSON.parse(out) as {
      fd: number;
      before: string;
      after: string | null;
      warnings: Array<{ name: string; message: string }>;
    };
    expect(before).toMatch(/^socket:/);
    expect(after).not.toBe(before);
    expect(warnings).toContainEqual({ name: 'ResourceWarning', message: expect.stringMatching(new RegExp(`^unclosed <socket\\.socket fd=${fd}, family=2, type=1, proto=0`)) });
  });
});

describe('AF_NETLINK', () => {
  it('a NETLINK_ROUTE socket bound to [0, 0] gets [pid, groups]', () => {
    using nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    expect([nl.family, nl.type, nl.proto]).toEqual([AF_NETLINK, SOCK_RAW, NETLINK_ROUTE]);
    expect(nl.getsockname()).toEqual([0, 0]);
    nl.bind([0, 0]);
    const addr = nl.getsockname();
    expect(addr).toEqual([process.pid, 0]);
  });
});

describe('raw sockets', () => {
  /** The Internet checksum (RFC 1071). */
  function checksum(data: Uint8Array): number {
    let sum = 0;
    for (let i = 0; i < data.length; i += 2) sum += (data[i]! << 8) + (data[i + 1] ?? 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
  }

  it('ICMP echo to 127.0.0.1 over SOCK_RAW gets the echo reply', () => {
    let raw: Socket;
    try {
      raw = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    } catch (e) {
      if (e instanceof PermissionError) {
        throw new Error(`socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) needs root or CAP_NET_RAW, which this run does not have: ${e.message}`);
      }
      throw e;
    }
    using _raw = closing(raw);
    raw.settimeout(5);

    const id = process.pid & 0xffff;
    const seq = 7;
    const payload = b('bsdsock ping');
    const request = Buffer.alloc(8 + payload.length);
    request[0] = 8; // echo request
    request[1] = 0;
    request.writeUInt16BE(id, 4);
    request.writeUInt16BE(seq, 6);
    payload.copy(request, 8);
    request.writeUInt16BE(checksum(request), 2);
    expect(checksum(request)).toBe(0);

    expect(raw.sendto(request, ['127.0.0.1', 0])).toBe(request.length);

    // The raw socket also sees our own request come in on loopback: read until the reply.
    let reply: Buffer | null = null;
    let from: unknown = null;
    for (let i = 0; i < 20 && reply === null; i++) {
      const [packet, addr] = raw.recvfrom(65535);
      const ihl = (packet[0]! & 0x0f) * 4;
      const icmp = packet.subarray(ihl);
      if (icmp[0] === 0 && icmp.readUInt16BE(4) === id && icmp.readUInt16BE(6) === seq) {
        reply = packet;
        from = addr;
      }
    }
    expect(reply).not.toBeNull();
    const packet = reply!;
    expect(packet[0]! >> 4).toBe(4); // IPv4 header first
    expect(packet[9]).toBe(IPPROTO_ICMP);
    const icmp = packet.subarray((packet[0]! & 0x0f) * 4);
    expect(icmp[1]).toBe(0);
    expect(checksum(icmp)).toBe(0);
    expect(icmp.subarray(8)).toEqual(payload);
    expect(from).toEqual(['127.0.0.1', 0]);
  });
});
