// Bridges to Node's streams (ts/bridges.ts) on real sockets: a bsdsock socket
// handed to node:net and taken back (data both ways, end, destroy, backpressure,
// errors, and the fd owned by one side at a time: never leaked, never closed
// twice), and `for await` over stream and datagram sockets.
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as net from 'node:net';
import { Readable, Writable } from 'node:stream';
import * as tls from 'node:tls';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';

import {
  AF_INET,
  AF_UNIX,
  from_net_socket,
  iter_recv,
  iter_recvfrom,
  BlockingIOError,
  OSError,
  SHUT_WR,
  SO_LINGER,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  socketpair,
  to_duplex,
  to_net_server,
  to_net_socket,
  type Socket,
} from 'bsdsock';
import { AbortError, sock_connect, sock_sendall } from 'bsdsock/asyncio';

import { closing, ERRNO, fdLink, owned, recvAll, tcpPair, tempDir, thrown, udpPair } from './helpers/sockets';
import { runSync } from './helpers/run';

/** Everything a readable stream gives until its end, as one string; the stream is left open (for await would destroy it). */
async function readToEnd(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  stream.on('data', (chunk) => (text += String(chunk)));
  await once(stream, 'end');
  return text;
}

/** Resolves once Node has read `n` bytes into the net.Socket's buffer (which nothing drains: it is paused). */
async function bufferedBytes(conn: net.Socket, n: number): Promise<void> {
  while (conn.readableLength < n) await new Promise((resolve) => setImmediate(resolve));
}

/** What a non-blocking socket receives until EOF, read on the event loop. */
async function readAll(sock: Socket): Promise<string> {
  let text = '';
  for await (const data of iter_recv(sock)) text += data.toString();
  return text;
}

/** Resolves with the net.Socket's 'close' (hadError). */
function closed(s: net.Socket): Promise<boolean> {
  return new Promise((resolve) => s.once('close', resolve));
}

describe('to_net_socket: a connected stream socket becomes a net.Socket', () => {
  it('TCP: data both ways, end as node:net ends, and the socket given up', async () => {
    using pair = tcpPair();
    const fd = pair.client.fileno();
    const conn = to_net_socket(pair.client);
    const whenClosed = closed(conn);
    expect(conn).toBeInstanceOf(net.Socket);
    expect(pair.client.fileno()).toBe(-1);
    expect(conn.remotePort).toBe(pair.listener.getsockname()[1]);
    conn.end('from node\n');
    pair.server.sendall(Buffer.from('from bsdsock\n'));
    pair.server.shutdown(SHUT_WR);
    pair.server.setblocking(false);
    const [fromNode, fromBsdsock] = await Promise.all([readAll(pair.server), readToEnd(conn)]);
    expect([fromNode, fromBsdsock]).toEqual(['from node\n', 'from bsdsock\n']);
    expect(await whenClosed).toBe(false);
    // Node closed the fd, once: the number is free again.
    expect(fdLink(fd)).toBeNull();
  });

  it('the fd is closed once: closing the socket again after Node closed it touches no other fd', async () => {
    const [a, b] = socketpair();
    using _ = closing(a, b);
    const fd = a.fileno();
    const conn = to_net_socket(a);
    const whenClosed = closed(conn);
    conn.destroy();
    await whenClosed;
    // New sockets take the lowest free numbers: make them until one has the old number.
    using fresh = owned<Socket[]>([]);
    while (fresh.length < 64 && fresh.at(-1)?.fileno() !== fd) fresh.push(socket(AF_UNIX, SOCK_STREAM));
    const reused = fresh.at(-1)!;
    expect(reused.fileno()).toBe(fd);
    const link = fdLink(fd);
    a.close();
    expect(fdLink(fd)).toBe(link);
    expect(reused.getsockopt(SOL_SOCKET, SO_LINGER)).toBe(0); // still a working socket
  });

  it('backpressure: write() says false while the peer does not read, and drain comes once it does', async () => {
    const [a, b] = socketpair();
    using _ = closing(a, b);
    const conn = to_net_socket(a);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    while (conn.write(chunk)) written += chunk.length;
    written += chunk.length;
    expect(conn.writableLength).toBeGreaterThan(0);
    const drained = once(conn, 'drain');
    b.setblocking(false);
    let got = 0;
    const reading = (async () => {
      for await (const data of iter_recv(b)) {
        got += data.length;
        if (got === written) return;
      }
    })();
    await drained;
    await reading;
    expect(got).toBe(written);
    conn.destroy();
  });

  it('allowHalfOpen: after the peer half-closes, node:net still writes', async () => {
    const [a, b] = socketpair();
    using _ = closing(a, b);
    const conn = to_net_socket(a, { allowHalfOpen: true });
    const whenClosed = closed(conn);
    b.shutdown(SHUT_WR);
    expect(await readToEnd(conn)).toBe('');
    conn.end('after the end\n');
    // Node writes on its loop: read without blocking it.
    b.setblocking(false);
    expect(await readAll(b)).toBe('after the end\n');
    expect(await whenClosed).toBe(false);
  });

  it("a reset connection is net.Socket's 'error' with ECONNRESET", async () => {
    using pair = tcpPair();
    const conn = to_net_socket(pair.client);
    const error = once(conn, 'error');
    const whenClosed = closed(conn);
    pair.server.setsockopt(SOL_SOCKET, SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    pair.server.close();
    const [err] = (await error) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNRESET');
    expect(await whenClosed).toBe(true);
  });

  it('refuses what node:net cannot run, and leaves the socket as it was', () => {
    using udp = socket(AF_INET, SOCK_DGRAM);
    expect(() => to_net_socket(udp)).toThrow(TypeError);
    expect(udp.fileno()).toBeGreaterThanOrEqual(0);
    using seq = socket(AF_UNIX, SOCK_SEQPACKET);
    expect(() => to_net_socket(seq)).toThrow(TypeError);
    using listener = socket(AF_INET, SOCK_STREAM);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    expect(() => to_net_socket(listener)).toThrow(/to_net_server/);
    expect(listener.fileno()).toBeGreaterThanOrEqual(0);
    const gone = socket(AF_INET, SOCK_STREAM);
    gone.close();
    const err = thrown(() => to_net_socket(gone));
    expect(err).toBeInstanceOf(OSError);
    expect(err.errno).toBe(ERRNO.EBADF);
    expect(() => to_net_socket({} as Socket)).toThrow(TypeError);
  });

  it('carries node:tls: TLS over a connection bsdsock made (as the asyncio calls advise for their ssl argument)', async () => {
    using dir = tempDir();
    const [key, cert] = [path.join(dir.path, 'key.pem'), path.join(dir.path, 'cert.pem')];
    const made = runSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
    expect(made.status).toBe(0);
    const server = tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (s) => s.end('hello over tls'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const sock = socket(AF_INET, SOCK_STREAM);
    sock.connect(['127.0.0.1', (server.address() as net.AddressInfo).port]);
    const secure = tls.connect({ socket: to_net_socket(sock), ca: fs.readFileSync(cert), servername: 'localhost' });
    const chunks: Buffer[] = [];
    secure.on('data', (d: Buffer) => chunks.push(d));
    await once(secure, 'end');
    expect(Buffer.concat(chunks).toString()).toBe('hello over tls');
    expect(secure.authorized).toBe(true);
    expect(secure.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    secure.destroy();
    server.close();
  });
});

describe('to_net_server: a listening socket becomes a net.Server', () => {
  it('accepts connections, and close() closes the fd', async () => {
    const listener = socket(AF_INET, SOCK_STREAM);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    const [, port] = listener.getsockname();
    const fd = listener.fileno();
    const server = to_net_server(listener, {}, (conn) => conn.end('hello from net.Server\n'));
    await once(server, 'listening');
    expect(listener.fileno()).toBe(-1);
    const client = socket(AF_INET, SOCK_STREAM);
    client.setblocking(false);
    await sock_connect(client, ['127.0.0.1', port]);
    expect(await readAll(client)).toBe('hello from net.Server\n');
    client.close(); // the server's close() waits for its connections to end
    await new Promise((resolve) => server.close(resolve));
    expect(fdLink(fd)).toBeNull();
  });

  it('a socket that is not listening is a RangeError, left open', () => {
    using s = socket(AF_INET, SOCK_STREAM);
    expect(() => to_net_server(s)).toThrow(RangeError);
    expect(s.fileno()).toBeGreaterThanOrEqual(0);
  });
});

/** A net.Socket connected to a bsdsock listener, and the accepted bsdsock side. */
async function netPair(): Promise<{ conn: net.Socket; peer: Socket } & Disposable> {
  using listener = socket(AF_INET, SOCK_STREAM);
  listener.bind(['127.0.0.1', 0]);
  listener.listen();
  const conn = net.connect(listener.getsockname()[1], '127.0.0.1');
  await once(conn, 'connect');
  const [peer] = listener.accept();
  return {
    conn,
    peer,
    [Symbol.dispose]() {
      conn.destroy();
      peer.close();
    },
  };
}

describe('from_net_socket: a net.Socket becomes a bsdsock Socket', () => {
  it("gives the connection and the bytes Node had read; the net.Socket closes without error, its fd with it", async () => {
    using pair = await netPair();
    const nodeFd = (pair.conn as unknown as { _handle: { fd: number } })._handle.fd;
    const link = fdLink(nodeFd);
    pair.conn.pause();
    pair.peer.sendall(Buffer.from('read by node'));
    await bufferedBytes(pair.conn, 12);
    const whenClosed = closed(pair.conn);
    const [sock, buffered] = from_net_socket(pair.conn);
    using _ = closing(sock);
    sock.settimeout(10);
    expect(buffered.toString()).toBe('read by node');
    expect([sock.family, sock.type]).toEqual([AF_INET, SOCK_STREAM]);
    expect(fdLink(sock.fileno())).toBe(link); // the same socket, a new fd
    expect(pair.conn.destroyed).toBe(true);
    expect(await whenClosed).toBe(false);
    expect(fdLink(nodeFd)).toBeNull();
    sock.sendall(Buffer.from('from bsdsock'));
    sock.shutdown(SHUT_WR);
    expect(recvAll(pair.peer).toString()).toBe('from bsdsock');
    pair.peer.sendall(Buffer.from('after'));
    pair.peer.shutdown(SHUT_WR);
    expect(recvAll(sock).toString()).toBe('after');
    // Closing the Socket ends the connection: no other fd keeps it open.
    sock.close();
    expect(pair.peer.recv(10).length).toBe(0);
  });

  it("'data' listeners do not see the buffered bytes the Socket is given", async () => {
    using pair = await netPair();
    pair.conn.pause();
    const seen: Buffer[] = [];
    pair.conn.on('data', (d: Buffer) => seen.push(d));
    pair.peer.sendall(Buffer.from('once'));
    await bufferedBytes(pair.conn, 4);
    const [sock, buffered] = from_net_socket(pair.conn);
    sock.close();
    expect(buffered.toString()).toBe('once');
    expect(seen).toEqual([]);
  });

  it('refuses a net.Socket that is connecting, destroyed or has bytes to write, and leaves it as it was', async () => {
    using listener = socket(AF_INET, SOCK_STREAM);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    const connecting = net.connect(listener.getsockname()[1], '127.0.0.1');
    expect(() => from_net_socket(connecting)).toThrow(/connecting/);
    expect(connecting.destroyed).toBe(false);
    await once(connecting, 'connect');
    const [peer] = listener.accept();
    using _ = closing(peer);
    // The peer reads nothing: Node's write buffer fills.
    const big = Buffer.alloc(16 * 1024 * 1024);
    connecting.write(big);
    expect(connecting.writableLength).toBeGreaterThan(0);
    expect(() => from_net_socket(connecting)).toThrow(/not yet written/);
    expect(connecting.destroyed).toBe(false);
    connecting.destroy();
    expect(() => from_net_socket(connecting)).toThrow(/destroyed/);
    expect(() => from_net_socket({} as net.Socket)).toThrow(TypeError);
  });

  it('refuses a TLS socket: its connection carries records, not its data', async () => {
    using pair = await netPair();
    const secure = new tls.TLSSocket(pair.conn);
    expect(() => from_net_socket(secure)).toThrow(/tls\.TLSSocket/);
    expect(pair.conn.destroyed).toBe(false);
    secure.destroy();
  });

  it('round trip: to_net_socket then from_net_socket', async () => {
    const [a, b] = socketpair();
    using _ = closing(a, b);
    const conn = to_net_socket(a);
    const [back, buffered] = from_net_socket(conn);
    using __ = closing(back);
    b.settimeout(10);
    expect(buffered.length).toBe(0);
    expect([back.family, back.type]).toEqual([AF_UNIX, SOCK_STREAM]);
    back.sendall(Buffer.from('ping'));
    expect(b.recv(10).toString()).toBe('ping');
  });
});

describe('to_duplex: a stream.Duplex that owns the socket', () => {
  it('SOCK_SEQPACKET (no net.Socket for it): records both ways, end half-closes, destroy closes the fd once', async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_SEQPACKET);
    using _ = closing(b);
    const fd = a.fileno();
    const duplex = to_duplex(a);
    const whenClosed = new Promise((resolve) => duplex.once('close', resolve));
    b.settimeout(10);
    duplex.write('one');
    duplex.write('two');
    b.sendall(Buffer.from('three'));
    b.sendall(Buffer.from('four'));
    b.shutdown(SHUT_WR);
    expect(await readToEnd(duplex)).toBe('threefour');
    // allowHalfOpen false: the peer's end ends ours too, after what was written.
    expect([b.recv(100).toString(), b.recv(100).toString(), b.recv(100).length]).toEqual(['one', 'two', 0]);
    await whenClosed;
    expect(a.fileno()).toBe(-1);
    expect(fdLink(fd)).toBeNull();
  });

  it('backpressure both ways: write() says false and drains; a paused Duplex stops reading the socket', async () => {
    using pair = owned(socketpair());
    const [a, b] = pair;
    const duplex = to_duplex(a, { highWaterMark: 16 * 1024 });
    b.setblocking(false);
    // Writing: false once Node's buffer passes the mark, while b reads nothing.
    const chunk = Buffer.alloc(64 * 1024, 'w');
    let written = 0;
    while (duplex.write(chunk)) written += chunk.length;
    written += chunk.length;
    const drained = once(duplex, 'drain');
    let got = 0;
    for await (const data of iter_recv(b)) if ((got += data.length) === written) break;
    await drained;
    // Reading: nothing consumes the Duplex, so the socket's buffers fill and b's sends would block.
    duplex.pause();
    let sent = 0;
    for (;;) {
      try {
        sent += b.send(chunk);
      } catch (e) {
        if (!(e instanceof BlockingIOError)) throw e;
        await new Promise((resolve) => setImmediate(resolve));
        try {
          sent += b.send(chunk);
        } catch (again) {
          if (again instanceof BlockingIOError) break;
          throw again;
        }
      }
      expect(sent).toBeLessThan(64 * 1024 * 1024);
    }
    b.shutdown(SHUT_WR);
    let read = 0;
    duplex.on('data', (d: Buffer) => (read += d.length));
    duplex.resume();
    await once(duplex, 'end');
    expect(read).toBe(sent);
    duplex.destroy();
  });

  it("a reset connection is the Duplex's 'error', and the socket is closed", async () => {
    using pair = tcpPair();
    const duplex = to_duplex(pair.client);
    const error = new Promise<NodeJS.ErrnoException>((resolve) => duplex.once('error', resolve));
    const whenClosed = new Promise((resolve) => duplex.once('close', resolve));
    duplex.resume();
    pair.server.setsockopt(SOL_SOCKET, SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    pair.server.close();
    const err = await error;
    expect(err).toBeInstanceOf(OSError);
    expect(err.code).toBe('ECONNRESET');
    await whenClosed;
    expect(pair.client.fileno()).toBe(-1);
  });

  it('pipeline() from it ends at the peer\'s EOF', async () => {
    using pair = owned(socketpair());
    const [a, b] = pair;
    b.sendall(Buffer.from('through a pipeline'));
    b.shutdown(SHUT_WR);
    let text = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        text += chunk.toString();
        done();
      },
    });
    await pipeline(to_duplex(a), sink);
    expect(text).toBe('through a pipeline');
    expect(a.fileno()).toBe(-1);
  });

  it('refuses a datagram socket (TypeError) and a closed one (EBADF), leaving them as they were', () => {
    using udp = socket(AF_INET, SOCK_DGRAM);
    expect(() => to_duplex(udp)).toThrow(/iter_recvfrom/);
    expect(udp.gettimeout()).toBeNull();
    const gone = socket(AF_INET, SOCK_STREAM);
    gone.close();
    expect(thrown(() => to_duplex(gone)).errno).toBe(ERRNO.EBADF);
  });
});

describe('iter_recv: for await over a stream socket', () => {
  it('yields what arrives, in order, and ends at EOF', async () => {
    using pair = owned(socketpair());
    const [a, b] = pair;
    a.setblocking(false);
    b.setblocking(false);
    const chunks = ['one', 'two', 'three'];
    const sending = (async () => {
      for (const c of chunks) await sock_sendall(b, Buffer.from(c));
      b.shutdown(SHUT_WR);
    })();
    let text = '';
    for await (const data of iter_recv(a, 3)) {
      expect(data.length).toBeLessThanOrEqual(3);
      text += data.toString();
    }
    await sending;
    expect(text).toBe('onetwothree');
  });

  it('as a Readable (Readable.from) piped with backpressure into a slow Writable', async () => {
    using pair = owned(socketpair());
    const [a, b] = pair;
    a.setblocking(false);
    const total = 4 * 1024 * 1024;
    b.setblocking(false);
    const sending = sock_sendall(b, Buffer.alloc(total, 'y')).then(() => b.shutdown(SHUT_WR));
    let got = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        got += chunk.length;
        setImmediate(done);
      },
    });
    await pipeline(Readable.from(iter_recv(a)), slow);
    await sending;
    expect(got).toBe(total);
  });

  it('ends when the socket is closed under it, a receive pending', async () => {
    const [a, b] = socketpair();
    using _ = closing(b);
    a.setblocking(false);
    b.sendall(Buffer.from('before'));
    const seen: string[] = [];
    for await (const data of iter_recv(a)) {
      seen.push(data.toString());
      setImmediate(() => a.close()); // once the next receive waits
    }
    expect(seen).toEqual(['before']);
    expect(a.fileno()).toBe(-1);
  });

  it('the options object may follow the socket; a third positional argument is a TypeError, as Python says', async () => {
    using pair = owned(socketpair());
    const [a, b] = pair;
    a.setblocking(false);
    b.sendall(Buffer.from('x'));
    const stop = new AbortController();
    const it = iter_recv(a, { signal: stop.signal });
    expect((await it.next()).value?.toString()).toBe('x');
    const next = it.next();
    stop.abort();
    await expect(next).rejects.toBeInstanceOf(AbortError);
    expect(() => iter_recv(a, 10, 20 as never)).toThrow(new TypeError('iter_recv() takes from 1 to 2 positional arguments but 3 were given'));
    expect(() => iter_recvfrom(a, 10, 20 as never)).toThrow(TypeError);
  });

  it('an abort signal ends it with AbortError; a blocking socket is a RangeError', async () => {
    using pair = owned(socketpair());
    const [a] = pair;
    const blocking = iter_recv(a);
    await expect(blocking.next()).rejects.toThrow(RangeError);
    a.setblocking(false);
    const stop = new AbortController();
    const next = iter_recv(a, 100, { signal: stop.signal }).next();
    stop.abort();
    await expect(next).rejects.toBeInstanceOf(AbortError);
  });
});

describe('iter_recvfrom: for await over a datagram socket', () => {
  it('yields each datagram with its sender, an empty one too, and ends when the socket is closed', async () => {
    using pair = udpPair();
    const [a, b] = pair;
    a.setblocking(false);
    const sent = ['first', '', 'third'];
    for (const d of sent) b.sendto(Buffer.from(d), a.getsockname());
    const got: [string, unknown][] = [];
    for await (const [data, from] of iter_recvfrom(a)) {
      got.push([data.toString(), from]);
      if (got.length === sent.length) a.close();
    }
    expect(got).toEqual(sent.map((d) => [d, b.getsockname()]));
  });
});
