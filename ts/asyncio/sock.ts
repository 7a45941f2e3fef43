// asyncio's socket operations (loop.sock_recv, sock_sendall, sock_connect,
// sock_accept, ...) as module functions: each tries its syscall at once and
// waits on Node's event loop only when the socket would block, then tries
// again. They take non-blocking sockets only, as asyncio does.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { keywords, type WithOptions } from '../keywords';
import { type AddressArgOf, type AddressOf } from '../address';
import { bytes, pyTruth, pyType, ssize, writableBytes } from '../convert';
import * as C from '../constants';
import { BlockingIOError, badf, errnos, oserror, takeError, withAddress, wouldBlock } from '../errors';
import { lastAddress, native, type NativeAddress } from '../native';
import { pyRepr } from '../repr';
import { claim, room, settle } from '../slab';
import { sendtoNow, Socket } from '../socket';
import { busy, checkSignal, OPERATION_KEYWORDS, READ, readNowOrWait, wait, WRITE, writeNowOrWait, type Once, type OperationOptions } from './loop';
import { ensureResolved, needsLookup, resolveAddress } from './resolver';

const EINPROGRESS = errnos.EINPROGRESS;

/** The fd of a socket the operations can use: a bsdsock Socket, non-blocking,
 * and open (-1 for a closed one when `open` is false). */
export function fdOf(sock: unknown, caller: string, open = true): number {
  if (!(sock instanceof Socket) || sock.gettimeout() !== 0) throw unusable(sock, caller);
  const fd = sock.fileno();
  if (fd < 0 && open) throw badf(caller);
  return fd;
}

/** Why `fdOf` refuses `sock`; made apart so that `fdOf` stays small enough for the operations to inline. */
function unusable(sock: unknown, caller: string): Error {
  if (!(sock instanceof Socket)) return new TypeError(`${caller}() argument 1 must be a bsdsock Socket, not ${pyType(sock)}`);
  return new RangeError('the socket must be non-blocking');
}

/** Receives up to `n` bytes now: the bytes, or null when the socket would block. */
function recvNow(fd: number, n: number, from: boolean): Buffer | null {
  claim(n);
  const { memory, offset } = room;
  const got = from ? native.recvfromNow(fd, memory, offset, n) : native.recvNow(fd, memory, offset, n);
  if (got < 0) {
    settle(memory, offset, 0, n);
    if (wouldBlock()) return null;
    throw takeError();
  }
  return settle(memory, offset, got, n);
}

/**
 * What `body(args)` gives, as a promise: its own promise when it had to wait
 * (an async function would hand back another that adopts it, two microtask
 * turns later), a resolved one when it had the result at once, a rejected one
 * when it threw.
 */
function promised<A, T>(body: (args: A) => T | Promise<T>, args: A): Promise<T> {
  try {
    const r = body(args);
    return r instanceof Promise ? r : Promise.resolve(r);
  } catch (e) {
    return Promise.reject(e);
  }
}

/**
 * asyncio's `loop.sock_recv(sock, nbytes)`: up to `nbytes` bytes, once some
 * arrive; an empty Buffer at the end of the stream.
 */
export function sock_recv(
  ...args: WithOptions<[sock: Socket, nbytes: number], [], OperationOptions>
): Promise<Buffer> {
  return promised(recvBody, args);
}

function recvBody(args: WithOptions<[sock: Socket, nbytes: number], [], OperationOptions>): Buffer | Promise<Buffer> {
  const [[sock, nbytes], options] = keywords<[Socket, number], OperationOptions>(args, { name: 'sock_recv', min: 2, max: 2, keywords: OPERATION_KEYWORDS });
  // The mode first, as asyncio's debug check comes before sock.recv's own.
  const fd = fdOf(sock, 'sock_recv', false);
  const n = ssize(nbytes);
  if (n < 0) throw new RangeError('negative buffersize in recv');
  const signal = checkSignal(options);
  // A receive of nothing returns at once, as asyncio's sock.recv(0) does (no syscall).
  if (n === 0) return Buffer.alloc(0);
  if (fd < 0) throw badf('sock_recv');
  return readNowOrWait(fd, 'recv', signal, recvNow, fd, n, false);
}

/** asyncio's `loop.sock_recv_into(sock, buf)`: bytes received into `buf`, in place. */
export function sock_recv_into(
  ...args: WithOptions<[sock: Socket, buf: Uint8Array], [], OperationOptions>
): Promise<number> {
  return promised(recvIntoBody, args);
}

function recvIntoBody(args: WithOptions<[sock: Socket, buf: Uint8Array], [], OperationOptions>): number | Promise<number> {
  const [[sock, buf], options] = keywords<[Socket, Uint8Array], OperationOptions>(
    args,
    { name: 'sock_recv_into', min: 2, max: 2, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_recv_into', false);
  const view = writableBytes(buf, 'recv_into() argument 1');
  const signal = checkSignal(options);
  // An empty buffer: 0 at once, as asyncio's sock.recv_into does (no syscall).
  if (view.byteLength === 0) return 0;
  if (fd < 0) throw badf('sock_recv_into');
  return readNowOrWait(fd, 'recv_into', signal, recvIntoNow, fd, view, view.byteLength);
}

/** Receives up to `n` bytes into `view` now: the count, or null when the socket would block. */
function recvIntoNow(fd: number, view: Uint8Array, n: number): number | null {
  const got = native.recvNow(fd, view, 0, n);
  if (got >= 0) return got;
  if (wouldBlock()) return null;
  throw takeError();
}

/** asyncio's `loop.sock_recvfrom(sock, bufsize)`: `[bytes, address]` of one datagram. */
export function sock_recvfrom<F extends string>(
  ...args: WithOptions<[sock: Socket<F>, bufsize: number], [], OperationOptions>
): Promise<[Buffer, AddressOf<F> | null]> {
  return promised(recvfromBody<F>, args);
}

function recvfromBody<F extends string>(args: WithOptions<[sock: Socket<F>, bufsize: number], [], OperationOptions>): [Buffer, AddressOf<F> | null] | Promise<[Buffer, AddressOf<F> | null]> {
  const [[sock, bufsize], options] = keywords<[Socket<F>, number], OperationOptions>(
    args,
    { name: 'sock_recvfrom', min: 2, max: 2, keywords: OPERATION_KEYWORDS },
  );
  // sock.recvfrom checks its size before the fd: a closed socket's ValueError, not EBADF.
  const fd = fdOf(sock, 'sock_recvfrom', false);
  const n = ssize(bufsize);
  if (n < 0) throw new RangeError('negative buffersize in recvfrom');
  if (fd < 0) throw badf('sock_recvfrom');
  const signal = checkSignal(options);
  return readNowOrWait(fd, 'recvfrom', signal, recvfromNow as Once<[Buffer, AddressOf<F> | null], number, number, undefined>, fd, n, undefined);
}

/** Receives one datagram of up to `n` bytes now: `[data, address]`, or null when the socket would block. */
function recvfromNow(fd: number, n: number): [Buffer, NativeAddress] | null {
  const data = recvNow(fd, n, true);
  return data === null ? null : [data, lastAddress()];
}

/** asyncio's `loop.sock_recvfrom_into(sock, buf, nbytes=0)`: `[count, address]`, the bytes in `buf`. */
export function sock_recvfrom_into<F extends string>(
  ...args: WithOptions<[sock: Socket<F>, buf: Uint8Array], [nbytes: number | undefined], OperationOptions>
): Promise<[number, AddressOf<F> | null]> {
  return promised(recvfromIntoBody<F>, args);
}

function recvfromIntoBody<F extends string>(args: WithOptions<[sock: Socket<F>, buf: Uint8Array], [nbytes: number | undefined], OperationOptions>): [number, AddressOf<F> | null] | Promise<[number, AddressOf<F> | null]> {
  const [[sock, buf, nbytes = 0], options] = keywords<[Socket<F>, Uint8Array, number?], OperationOptions>(
    args,
    { name: 'sock_recvfrom_into', min: 2, max: 3, keywords: OPERATION_KEYWORDS },
  );
  // sock.recvfrom_into checks its sizes before the fd: a closed socket's ValueError, not EBADF.
  const fd = fdOf(sock, 'sock_recvfrom_into', false);
  const view = writableBytes(buf, 'recvfrom_into() argument 1');
  // asyncio's `if not nbytes: nbytes = len(buf)`: None, False and 0 alike.
  const n = pyTruth(nbytes) ? ssize(nbytes) : view.byteLength;
  if (n < 0) throw new RangeError('negative buffersize in recvfrom_into');
  if (n > view.byteLength) throw new RangeError('nbytes is greater than the length of the buffer');
  if (fd < 0) throw badf('sock_recvfrom_into');
  const signal = checkSignal(options);
  return readNowOrWait(fd, 'recvfrom_into', signal, recvfromIntoNow as Once<[number, AddressOf<F> | null], number, Uint8Array, number>, fd, view, n);
}

/** Receives one datagram of up to `n` bytes into `view` now: `[count, address]`, or null when the socket would block. */
function recvfromIntoNow(fd: number, view: Uint8Array, n: number): [number, NativeAddress] | null {
  const got = native.recvfromNow(fd, view, 0, n);
  if (got >= 0) return [got, lastAddress()];
  if (wouldBlock()) return null;
  throw takeError();
}

/**
 * asyncio's `loop.sock_sendall(sock, data)`: sends every byte, waiting for room
 * as often as needed. An error after part of the data went out carries
 * `characters_written`.
 */
export function sock_sendall(
  ...args: WithOptions<[sock: Socket, data: Uint8Array], [], OperationOptions>
): Promise<void> {
  return promised(sendallBody, args);
}

function sendallBody(args: WithOptions<[sock: Socket, data: Uint8Array], [], OperationOptions>): void | Promise<void> {
  const [[sock, data], options] = keywords<[Socket, Uint8Array], OperationOptions>(
    args,
    { name: 'sock_sendall', min: 2, max: 2, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_sendall');
  const buf = bytes(data);
  const signal = checkSignal(options);
  // Behind sends that wait already, this one waits its turn.
  const queued = busy(fd, WRITE);
  // No bytes: one send all the same, as asyncio's sock.send(b'') (its error, say EPIPE unconnected, is the result).
  if (!queued && buf.byteLength === 0) return sendNothing(fd);
  let sent = queued ? 0 : sendFrom(fd, buf, 0);
  if (!queued && sent === buf.byteLength) return;
  return wait<void>(fd, WRITE, 'sendall', (op) => {
    sent = sendFrom(fd, buf, sent);
    return sent === buf.byteLength && op.done(undefined);
  }, signal);
}

/**
 * Sends `buf` from byte `sent` on, until all of it is gone or the socket is
 * full: how much is sent by then. An error after part of it went out carries
 * `characters_written`.
 */
function sendFrom(fd: number, buf: Uint8Array, sent: number): number {
  while (sent < buf.byteLength) {
    const n = native.sendNow(fd, sent === 0 ? buf : buf.subarray(sent));
    if (n < 0) {
      if (wouldBlock()) return sent;
      const err = takeError();
      if (sent > 0) Object.assign(err, { characters_written: sent });
      throw err;
    }
    sent += n;
  }
  return sent;
}

/** A send of no bytes: its error, unless it would block (asyncio counts that as all of nothing sent). */
function sendNothing(fd: number): void {
  if (native.sendNow(fd, Buffer.alloc(0)) < 0 && !wouldBlock()) throw takeError();
}

/** Runs `fn`, a socket call that throws BlockingIOError when it would block:
 * its result, or `blocked` then. */
function unlessBlocked<T, B>(fn: () => T, blocked: B): T | B {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BlockingIOError) return blocked;
    throw e;
  }
}

const BLOCKED = Symbol('blocked');

/**
 * Makes `call`, a socket method that throws BlockingIOError when it would
 * block (and never returns null), at once (unless operations wait before it
 * in the same direction) and again each time the fd is ready, until it
 * returns or throws another error: its result, or a promise of it when it had
 * to wait.
 */
export function whenReady<T>(fd: number, dir: number, syscall: string, call: () => T, signal: AbortSignal | undefined): T | Promise<T> {
  const nowOrWait = dir === READ ? readNowOrWait : writeNowOrWait;
  return nowOrWait(fd, syscall, signal, unlessBlocked<T, null>, call, null, undefined);
}

/** asyncio's `loop.sock_sendto(sock, data, address)`: bytes sent, once there is room. A host name is resolved without blocking. */
export function sock_sendto<F extends string>(
  ...args: WithOptions<[sock: Socket<F>, data: Uint8Array, address: AddressArgOf<F>], [], OperationOptions>
): Promise<number> {
  return promised(sendtoBody<F>, args);
}

function sendtoBody<F extends string>(
  args: WithOptions<[sock: Socket<F>, data: Uint8Array, address: AddressArgOf<F>], [], OperationOptions>,
): number | Promise<number> {
  const [[sock, data, address], options] = keywords<[Socket<F>, Uint8Array, AddressArgOf<F>], OperationOptions>(
    args,
    { name: 'sock_sendto', min: 3, max: 3, keywords: OPERATION_KEYWORDS },
  );
  // A closed socket's EBADF comes from sendto itself, after its address checks (asyncio's sock.sendto).
  const fd = fdOf(sock, 'sock_sendto', false);
  const signal = checkSignal(options);
  if (needsLookup(sock, address)) return sendtoResolved(sock, fd, data, address, options);
  return writeNowOrWait(fd, 'sendto', signal, sendtoNow, sock as Socket, data, address);
}

/** sock_sendto to a host name: resolved first, without blocking. */
async function sendtoResolved<F extends string>(
  sock: Socket<F>,
  fd: number,
  data: Uint8Array,
  address: AddressArgOf<F>,
  options: Partial<OperationOptions>,
): Promise<number> {
  const addr = await resolveAddress(sock, address, 'sendto', checkSignal(options));
  const signal = checkSignal(options);
  return writeNowOrWait(fd, 'sendto', signal, sendtoNow, sock as Socket, data, addr);
}

/**
 * asyncio's `loop.sock_connect(sock, address)`: connects, waiting for the
 * handshake on the loop. A host name is resolved first, without blocking
 * (asyncio's `_ensure_resolved`). A failed connection rejects with the
 * OSError of its errno: `ConnectionRefusedError`, "Connect call failed ('127.0.0.1', 9)".
 */
export async function sock_connect<F extends string>(
  ...args: WithOptions<[sock: Socket<F>, address: AddressArgOf<F>], [], OperationOptions>
): Promise<void> {
  const [[sock, address], options] = keywords<[Socket<F>, AddressArgOf<F>], OperationOptions>(
    args,
    { name: 'sock_connect', min: 2, max: 2, keywords: OPERATION_KEYWORDS },
  );
  // A closed socket's EBADF comes from connect itself, after its address checks (asyncio's sock.connect).
  let fd = fdOf(sock, 'sock_connect', false);
  let signal = checkSignal(options);
  let addr: unknown = address;
  const family = sock.family as number;
  if (family === C.AF_INET || family === C.AF_INET6) {
    addr = (await ensureResolved(address, { family, type: sock.type as number, proto: sock.proto }, signal))[0]![4];
    signal = checkSignal(options);
    fd = fdOf(sock, 'sock_connect', false);
  }
  if (unlessBlocked(() => sock.connect(addr as AddressArgOf<F>), BLOCKED) !== BLOCKED) return;
  return wait<void>(fd, WRITE, 'connect', (op) => {
    const err = native.getsockoptInt(fd, C.SOL_SOCKET, C.SO_ERROR);
    if (err === null) return op.fail(takeError());
    if (err === 0) return op.done(undefined);
    if (err === EINPROGRESS || err === C.EAGAIN) return false;
    return op.fail(withAddress(oserror(err, 'connect', `Connect call failed ${pyRepr(addr)}`), addr));
  }, signal);
}

/**
 * asyncio's `loop.sock_accept(sock)`: `[socket, address]` of the next
 * connection; the new socket is non-blocking, as asyncio makes it.
 */
export async function sock_accept<F extends string>(
  ...args: WithOptions<[sock: Socket<F>], [], OperationOptions>
): Promise<[Socket<F>, AddressOf<F>]> {
  const [[sock], options] = keywords<[Socket<F>], OperationOptions>(args, { name: 'sock_accept', min: 1, max: 1, keywords: OPERATION_KEYWORDS });
  const fd = fdOf(sock, 'sock_accept');
  const signal = checkSignal(options);
  return whenReady(fd, READ, 'accept', () => {
    const r = sock.accept();
    r[0].setblocking(false);
    return r;
  }, signal);
}
