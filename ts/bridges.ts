// Bridges between bsdsock sockets and Node's own streams: a connected stream
// socket handed to node:net (a net.Socket is a stream.Duplex) and a net.Socket
// taken back, each fd owned by exactly one side at a time and no byte copied;
// and `for await` over what a socket receives, on Node's event loop
// (bsdsock/asyncio's readiness machinery).

import * as net from 'node:net';
import { Duplex, type DuplexOptions } from 'node:stream';

import type { AddressOf } from './address';
import { sock_recv, sock_recvfrom, sock_sendall } from './asyncio/sock';
import { OPERATION_KEYWORDS, type OperationOptions } from './asyncio/loop';
import * as C from './constants';
import { keywords, type WithOptions } from './keywords';
import { badf, CLOSED_ERRNO, OSError } from './errors';
import { close, dup, Socket } from './socket';

/** The families whose stream sockets libuv runs as a net.Socket: TCP (AF_INET, AF_INET6) and pipes (AF_UNIX). */
const NET_FAMILIES: ReadonlySet<number | undefined> = new Set<number | undefined>([C.AF_INET, C.AF_INET6, C.AF_UNIX]);

/** The fd of `sock` if node:net can run it, checked before anything is given up. */
function netFd(sock: Socket, caller: string): number {
  if (!(sock instanceof Socket)) throw new TypeError(`${caller}() argument 1 must be a bsdsock Socket`);
  const fd = sock.fileno();
  if (fd < 0) throw badf(caller);
  // node:net on Windows adopts no socket: net.Socket({ fd }) takes a C runtime
  // fd, never a SOCKET handle, and server.listen({ fd }) is not supported there.
  if (process.platform === 'win32') {
    throw new TypeError(`${caller}() is not available on Windows: node:net there takes no socket handle (net.Socket({ fd }) and listen({ fd }) take none)`);
  }
  if (sock.type !== C.SOCK_STREAM || !NET_FAMILIES.has(sock.family)) {
    throw new TypeError(`${caller}() needs a SOCK_STREAM socket of AF_INET, AF_INET6 or AF_UNIX (node:net runs no other)`);
  }
  return fd;
}

/** Whether `sock` is listening (SO_ACCEPTCONN), where the platform says. */
function listening(sock: Socket): boolean {
  if (C.SO_ACCEPTCONN === undefined) return false;
  try {
    return sock.getsockopt(C.SOL_SOCKET, C.SO_ACCEPTCONN) !== 0;
  } catch (e) {
    if (e instanceof OSError) return false;
    throw e;
  }
}

/** Runs `make` on the fd `sock` gives up; the fd is closed if `make` throws, so it never leaks. */
function handOver<T>(sock: Socket, make: (fd: number) => T): T {
  const fd = sock.detach();
  try {
    return make(fd);
  } catch (e) {
    close(fd);
    throw e;
  }
}

/** The options of `net.Socket` that a socket made from an fd takes. */
export type NetSocketOptions = Omit<net.SocketConstructorOpts, 'fd' | 'handle'>;

/**
 * to_net_socket(sock, options): a `net.Socket` (a `stream.Duplex`) over the
 * connected stream socket `sock` (TCP or AF_UNIX). The fd moves to Node: `sock`
 * is detached (it acts closed, and closing it again does nothing), the
 * net.Socket closes the fd when destroyed, and nothing is copied. A socket
 * node:net cannot run (a datagram socket, SOCK_SEQPACKET, another family) is a
 * TypeError and a listening one a RangeError (see `to_net_server`); both leave
 * `sock` as it was, as does Windows' TypeError (node:net there takes no socket
 * handle). Python has no counterpart (it is `socket.detach()` and
 * `new net.Socket({ fd })`).
 */
export function to_net_socket(sock: Socket, options: NetSocketOptions = {}): net.Socket {
  netFd(sock, 'to_net_socket');
  if (listening(sock)) throw new RangeError('to_net_socket() takes a connected socket; a listening one goes to to_net_server()');
  return handOver(sock, (fd) => new net.Socket({ readable: true, writable: true, ...options, fd }));
}

/**
 * to_net_server(sock, options, connectionListener): a `net.Server` accepting on
 * the listening stream socket `sock` (TCP or AF_UNIX), which it now owns (`sock`
 * is detached); `server.close()` closes the fd. As with `server.listen()`, an
 * error is emitted as the server's 'error' event, and 'listening' follows. On
 * Windows it is a TypeError, and `sock` is left as it was.
 */
export function to_net_server(
  sock: Socket,
  options: net.ServerOpts = {},
  connectionListener?: (socket: net.Socket) => void,
): net.Server {
  netFd(sock, 'to_net_server');
  if (!listening(sock)) throw new RangeError('to_net_server() takes a listening socket (call listen() first)');
  return handOver(sock, (fd) => net.createServer(options, connectionListener).listen({ fd }));
}

/** The fd of a net.Socket's handle (Unix: TCP and pipe handles have one), or -1. */
function handleFd(netSock: net.Socket): number {
  const handle = (netSock as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/** The bytes Node has read from the connection that no one has taken yet (its 'data' listeners do not see them). */
function takeBuffered(netSock: net.Socket): Buffer {
  netSock.removeAllListeners('data');
  const chunks: Buffer[] = [];
  const encoding = netSock.readableEncoding;
  for (let chunk: unknown; (chunk = netSock.read()) !== null; ) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : (chunk as Buffer));
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * from_net_socket(netSock) -> [socket, buffered]: a bsdsock Socket on the
 * connection of the `net.Socket` (a TCP or pipe one, on Unix), and the bytes
 * Node had already read from it but not delivered (often none): they come
 * first, before what `recv` returns. The net.Socket is destroyed (it emits
 * 'close' without an error) and the Socket owns the connection alone: its
 * `close()` ends it, and no fd is left behind or closed twice. The Socket
 * is in the default mode (`getdefaulttimeout()`), family, type and protocol
 * read from the fd. A `tls.TLSSocket` is a TypeError (its connection carries
 * TLS records, not its data). A net.Socket that is connecting, destroyed, or still has
 * bytes to write (`writableLength`; wait for 'drain' first) is a RangeError,
 * and the net.Socket is left as it was.
 */
export function from_net_socket(netSock: net.Socket): [Socket, Buffer] {
  if (!(netSock instanceof net.Socket)) throw new TypeError('from_net_socket() argument 1 must be a net.Socket');
  // A TLS socket's bytes on the wire are not its data: the connection under it is no use without its TLS state.
  if ((netSock as { encrypted?: unknown }).encrypted === true) throw new TypeError('from_net_socket() cannot take a tls.TLSSocket');
  if (netSock.destroyed) throw new RangeError('from_net_socket(): the net.Socket is destroyed');
  if (netSock.connecting) throw new RangeError("from_net_socket(): the net.Socket is still connecting (wait for 'connect')");
  if (netSock.writableLength !== 0) {
    throw new RangeError(`from_net_socket(): the net.Socket has ${netSock.writableLength} bytes not yet written (wait for 'drain')`);
  }
  const fd = handleFd(netSock);
  if (fd < 0) throw new TypeError('from_net_socket(): the net.Socket has no fd (not a TCP or pipe connection on this platform)');
  const copy = dup(fd);
  let sock: Socket;
  try {
    sock = new Socket(undefined, undefined, undefined, copy);
  } catch (e) {
    close(copy);
    throw e;
  }
  const buffered = takeBuffered(netSock);
  // Node closes its fd now, before its loop could read another byte from the connection.
  netSock.destroy();
  return [sock, buffered];
}

/** The socket types whose bytes a Duplex carries: a byte stream, or records in order (SOCK_SEQPACKET). */
const DUPLEX_TYPES: ReadonlySet<number | undefined> = new Set<number | undefined>([C.SOCK_STREAM, C.SOCK_SEQPACKET]);

/** How much `to_duplex` asks `sock_recv` for at a time, at least. */
const DUPLEX_RECV = 65536;

/** A Duplex over a connected bsdsock socket, on bsdsock/asyncio's operations (see `to_duplex`). */
class SocketDuplex extends Duplex {
  readonly #sock: Socket;
  readonly #stop = new AbortController();

  constructor(sock: Socket, options: DuplexOptions) {
    super({ allowHalfOpen: false, ...options, objectMode: false, readableObjectMode: false, writableObjectMode: false });
    this.#sock = sock;
  }

  override _read(size: number): void {
    sock_recv(this.#sock, Math.max(size, DUPLEX_RECV), { signal: this.#stop.signal }).then(
      (data) => this.push(data.length === 0 ? null : data),
      (e: unknown) => this.#failed(e),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    sock_sendall(this.#sock, chunk, { signal: this.#stop.signal }).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    try {
      this.#sock.shutdown(C.SHUT_WR);
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#stop.abort();
    try {
      this.#sock.close();
    } catch (e) {
      done(error ?? (e as Error));
      return;
    }
    done(error);
  }

  /** A receive that failed: the stream is destroyed with the error, unless it is only this stream stopping. */
  #failed(e: unknown): void {
    if (this.#stop.signal.aborted) return;
    this.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

/**
 * to_duplex(sock, options): a `stream.Duplex` over the connected socket
 * `sock` of a type node:net has no handle for (AF_UNIX SOCK_SEQPACKET, AF_VSOCK,
 * AF_TIPC, SCTP...), or any SOCK_STREAM socket that should stay a bsdsock
 * Socket. The Duplex owns `sock`: it puts it in non-blocking mode, reads only
 * while its buffer has room (Node's backpressure), sends with `sock_sendall`,
 * half-closes (`shutdown(SHUT_WR)`) at `end()`, and closes the socket when it
 * is destroyed, once. `options` are stream.Duplex's; `allowHalfOpen` is false by
 * default, as for a net.Socket. A datagram socket is a TypeError (use
 * `iter_recvfrom`, which keeps each datagram and its sender).
 */
export function to_duplex(sock: Socket, options: DuplexOptions = {}): Duplex {
  if (!(sock instanceof Socket)) throw new TypeError('to_duplex() argument 1 must be a bsdsock Socket');
  if (sock.fileno() < 0) throw badf('to_duplex');
  if (!DUPLEX_TYPES.has(sock.type)) throw new TypeError('to_duplex() needs a SOCK_STREAM or SOCK_SEQPACKET socket (a datagram socket goes to iter_recvfrom())');
  sock.setblocking(false);
  return new SocketDuplex(sock, options);
}

/** Whether `e` is the EBADF of a pending receive whose socket was closed: the end of an iteration. */
function closedUnder(sock: Socket, e: unknown): boolean {
  return e instanceof OSError && e.errno === CLOSED_ERRNO && sock.fileno() < 0;
}

/** The chunks of a stream socket until EOF, or until it is closed (iter_recv's generator). */
async function* chunks(sock: Socket, bufsize: number, options: OperationOptions): AsyncGenerator<Buffer, void, undefined> {
  for (;;) {
    let data: Buffer;
    try {
      data = await sock_recv(sock, bufsize, options);
    } catch (e) {
      if (closedUnder(sock, e)) return;
      throw e;
    }
    if (data.length === 0) return;
    yield data;
  }
}

/** The datagrams of a socket until it is closed (iter_recvfrom's generator). */
async function* datagrams<F extends string>(
  sock: Socket<F>,
  bufsize: number,
  options: OperationOptions,
): AsyncGenerator<[Buffer, AddressOf<F> | null], void, undefined> {
  for (;;) {
    try {
      yield await sock_recvfrom(sock, bufsize, options);
    } catch (e) {
      if (closedUnder(sock, e)) return;
      throw e;
    }
  }
}

/**
 * iter_recv(sock, bufsize = 65536, { signal }): the bytes a non-blocking
 * stream socket receives, chunk by chunk, for `for await`; it ends at the
 * peer's EOF, or when the socket is closed. Each chunk is what one
 * `sock_recv` returned. `stream.Readable.from(iter_recv(sock))` makes a
 * Readable of it, read only as fast as it is consumed. The options object may
 * follow `sock` directly.
 */
export function iter_recv(
  ...args: WithOptions<[sock: Socket], [bufsize: number | undefined], OperationOptions>
): AsyncGenerator<Buffer, void, undefined> {
  const [[sock, bufsize = 65536], options] = keywords<[Socket, number | undefined], OperationOptions>(args, { name: 'iter_recv', min: 1, max: 2, keywords: OPERATION_KEYWORDS });
  return chunks(sock, bufsize, options);
}

/**
 * iter_recvfrom(sock, bufsize = 65536, { signal }): the datagrams a
 * non-blocking socket receives, as `[data, address]` (what `sock_recvfrom`
 * returns), for `for await`; it ends when the socket is closed. An empty
 * datagram is yielded as one. The options object may follow `sock` directly.
 */
export function iter_recvfrom<F extends string>(
  ...args: WithOptions<[sock: Socket<F>], [bufsize: number | undefined], OperationOptions>
): AsyncGenerator<[Buffer, AddressOf<F> | null], void, undefined> {
  const [[sock, bufsize = 65536], options] = keywords<[Socket<F>, number | undefined], OperationOptions>(args, {
    name: 'iter_recvfrom',
    min: 1,
    max: 2,
    keywords: OPERATION_KEYWORDS,
  });
  return datagrams(sock, bufsize, options);
}
