// Messages and ancillary data (Python's sendmsg, recvmsg, recvmsg_into,
// CMSG_LEN, CMSG_SPACE, send_fds, recv_fds), the decoding of the control
// messages users need, batched datagrams (sendmmsg, recvmmsg, recvmmsg_into:
// beyond Python) and sendfile. The Socket methods in socket.ts check the
// socket and delegate here with its fd and mode.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';

import { fits, refuse, SOCKET_MODULE } from './arity';
import { anInt, argType, bytes, cint, clong, int, INT_MAX, isInt, pyType, ssize } from './convert';
import { pyRepr } from './repr';
import * as C from './constants';
import { errnos, OSError, takeError } from './errors';
import { lastAddress, lastErrno, native, slotAddress, type NativeAddress } from './native';
import { fitsBuffer } from './slab';

/** One ancillary data item as received: `[cmsg_level, cmsg_type, cmsg_data]`. Python: `socket.socket.recvmsg`. */
export type AncData = [level: number, type: number, data: Buffer];
/** One ancillary data item to send: `[cmsg_level, cmsg_type, cmsg_data]`. Python: `socket.socket.sendmsg`. */
export type AncDataArg = [level: number, type: number, data: Uint8Array];

/** Throws the error of the addon call that just failed. */
function fail(): never {
  throw takeError();
}

/** The items of an iterable argument, or TypeError with `message`. */
function items(v: unknown, message: string): unknown[] {
  if (Array.isArray(v)) return v;
  // A str too, as Python's PySequence_Fast takes it: its characters are the items (each then refused in its own words).
  if (v !== null && v !== undefined && typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return Array.from(v as Iterable<unknown>);
  }
  throw new TypeError(message);
}

/** Python's `socket.CMSG_LEN(length)`: the cmsg_len of an item with `length` bytes of data. */
export function CMSG_LEN(length: number): number {
  fits(SOCKET_MODULE.CMSG_LEN, arguments.length, length) || refuse(SOCKET_MODULE.CMSG_LEN, arguments);
  const n = native.cmsgLen(ssize(length));
  if (n === null) throw new RangeError('CMSG_LEN() argument out of range');
  return n;
}

/** Python's `socket.CMSG_SPACE(length)`: the buffer space an item with `length` bytes of data takes, padding included. */
export function CMSG_SPACE(length: number): number {
  fits(SOCKET_MODULE.CMSG_SPACE, arguments.length, length) || refuse(SOCKET_MODULE.CMSG_SPACE, arguments);
  const n = native.cmsgSpace(ssize(length));
  if (n === null) throw new RangeError('CMSG_SPACE() argument out of range');
  return n;
}

/** sendmsg's buffers and ancillary data checked in Python's order (after the
 * flags and the address): the buffers, then the ancillary items. */
function sendmsgArgs(buffers: unknown, ancdata: unknown): [Uint8Array[], number[], Uint8Array[]] {
  const bufs = items(buffers, 'sendmsg() argument 1 must be an iterable').map((b) => bytes(b));
  const kinds: number[] = [];
  const data: Uint8Array[] = [];
  for (const given of items(ancdata, 'sendmsg() argument 2 must be an iterable')) {
    // Python's "(iiy*)": a sequence of three, a str's characters too (its tuple formats take any sequence but bytes).
    const item = Array.isArray(given) ? given : typeof given === 'string' ? Array.from(given) : null;
    if (item === null) throw new TypeError(`[sendmsg() ancillary data items]() argument must be 3-item sequence, not ${argType(given)}`);
    if (item.length !== 3) throw new TypeError(`[sendmsg() ancillary data items]() argument must be sequence of length 3, not ${item.length}`);
    kinds.push(cint(item[0]), cint(item[1]));
    data.push(bytes(item[2]));
  }
  return [bufs, kinds, data];
}

const EINTR = errnos.EINTR ?? 4;

/**
 * Makes a call whose buffers the addon borrows for the whole call (sendmsg,
 * recvmsg), so that it cannot run JavaScript inside it: when a caught signal
 * interrupts it (EINTR), the signal's listeners run here (a throw ends the
 * call), and the call is made again on the socket's fd, if it is still open,
 * with the time left (PEP 475; the other calls do this inside the addon, see
 * ts/signals.ts). `fd` gives the socket's fd or throws EBADF.
 */
function resumable<T>(fd: () => number, timeout: number, call: (fd: number, timeout: number) => T, failed: (r: T) => boolean): T {
  let t = timeout;
  const start = t > 0 ? performance.now() : 0;
  for (;;) {
    const r = call(fd(), t);
    if (!failed(r) || lastErrno() !== EINTR) return r;
    native.runSignals();
    if (t > 0) t = Math.max(timeout - (performance.now() - start) / 1000, 1e-9);
  }
}

/** Socket.sendmsg: see socket.ts. `flags` and the destination's `sockaddr` (or null) are already converted. */
export function sendmsg(fd: () => number, timeout: number, buffers: unknown, ancdata: unknown, f: number, sockaddr: Uint8Array | null): number {
  const [bufs, kinds, data] = sendmsgArgs(buffers, ancdata);
  const n = resumable(fd, timeout, (s, t) => native.sendmsg(s, bufs, kinds, data, f, t, sockaddr), (r) => r < 0);
  return n < 0 ? fail() : n;
}

/** Checks recvmsg's ancbufsize (converted) as Python does. */
function ancSize(n: number): number {
  if (n < 0 || n > INT_MAX) throw new RangeError('invalid ancillary data buffer length');
  return n;
}

/**
 * New memory for a receive of `size` bytes with `flags`: zeroed with MSG_TRUNC, where the kernel may report
 * bytes it never wrote (a longer datagram's, or those a TCP socket discarded; see slab.ts).
 */
function receiveArea(size: number, flags: number): Buffer {
  fitsBuffer(size);
  return (flags & (C.MSG_TRUNC ?? 0)) !== 0 ? Buffer.alloc(size) : Buffer.allocUnsafe(size);
}

/** Socket.recvmsg: `[data, ancdata, msg_flags, address]`. */
export function recvmsg(fd: () => number, timeout: number, bufsize: unknown, ancbufsize: unknown, flags: unknown): [Buffer, AncData[], number, NativeAddress] {
  // Python's "n|ni": every argument converted before any is checked.
  const size = ssize(bufsize);
  const ancbuf = ssize(ancbufsize);
  const f = cint(flags);
  if (size < 0) throw new RangeError('negative buffer size in recvmsg()');
  // The data's room first, then the ancillary size's range, as CPython's sock_recvmsg.
  const buf = receiveArea(size, f);
  const anc = ancSize(ancbuf);
  const r = resumable(fd, timeout, (s, t) => native.recvmsgInto(s, [buf], anc, f, t), (x) => x === null) ?? fail();
  const addr = lastAddress();
  const got = Math.min(r[0], size);
  // A short result keeps no large allocation alive.
  const data = got === size ? buf : got < size / 2 ? Buffer.from(buf.subarray(0, got)) : buf.subarray(0, got);
  return [data, r[1], r[2], addr];
}

/** Socket.recvmsg_into: `[nbytes, ancdata, msg_flags, address]`, the data scattered into `buffers` in place. */
export function recvmsg_into(fd: () => number, timeout: number, buffers: unknown, ancbufsize: unknown, flags: unknown): [number, AncData[], number, NativeAddress] {
  // Python's "O|ni" first, then the buffers, then the ancillary size's range.
  const ancbuf = ssize(ancbufsize);
  const f = cint(flags);
  const bufs = items(buffers, 'recvmsg_into() argument 1 must be an iterable').map((b) => {
    if (!ArrayBuffer.isView(b) && !(b instanceof ArrayBuffer)) {
      throw new TypeError('recvmsg_into() argument 1 must be an iterable of single-segment read-write buffers');
    }
    return bytes(b);
  });
  const anc = ancSize(ancbuf);
  const r = resumable(fd, timeout, (s, t) => native.recvmsgInto(s, bufs, anc, f, t), (x) => x === null) ?? fail();
  return [r[0], r[1], r[2], lastAddress()];
}

/** What send_fds and recv_fds need of a socket. */
interface MsgSocket<A> {
  sendmsg(buffers: Iterable<Uint8Array>, ancdata?: Iterable<AncDataArg>, flags?: number, address?: A | null): number;
  recvmsg(bufsize: number, ancbufsize?: number, flags?: number): [Buffer, AncData[], number, unknown];
}

/** The bytes of an fd list, as C ints (Python's `array.array("i", fds)`). */
function packFds(fds: unknown): Buffer {
  if (typeof fds === 'string') throw new TypeError("cannot use a str to initialize an array with typecode 'i'");
  const list = items(fds, `'${pyType(fds)}' object is not iterable`).map((fd) => cint(fd));
  return Buffer.from(Int32Array.from(list).buffer);
}

/** Python's `socket.send_fds(sock, buffers, fds, flags=0, address=None)`: sends
 * the fds in one SCM_RIGHTS item with the data of `buffers`; returns the bytes sent. */
export function send_fds<A>(sock: MsgSocket<A>, buffers: Iterable<Uint8Array>, fds: Iterable<number>, flags = 0, address: A | null = null): number {
  fits(SOCKET_MODULE.send_fds, arguments.length, fds) || refuse(SOCKET_MODULE.send_fds, arguments);
  return sock.sendmsg(buffers, [[C.SOL_SOCKET, C.SCM_RIGHTS, packFds(fds)]], flags, address);
}

/** Python's `socket.recv_fds(sock, bufsize, maxfds, flags=0)` ->
 * `[data, fds, msg_flags, address]`: up to `maxfds` fds from SCM_RIGHTS items.
 * Fds beyond maxfds are dropped by the kernel (MSG_CTRUNC in msg_flags), never leaked. */
export function recv_fds<A = unknown>(sock: MsgSocket<unknown>, bufsize: number, maxfds: number, flags = 0): [Buffer, number[], number, A] {
  fits(SOCKET_MODULE.recv_fds, arguments.length, maxfds) || refuse(SOCKET_MODULE.recv_fds, arguments);
  const [data, ancdata, msgFlags, addr] = sock.recvmsg(bufsize, CMSG_LEN(int(maxfds) * 4), flags);
  const fds: number[] = [];
  for (const [level, type, item] of ancdata) {
    if (level === C.SOL_SOCKET && type === C.SCM_RIGHTS) {
      // The kernel's ints in host order, as an Int32Array reads them (a copy: the item need not be aligned).
      const whole = item.length - (item.length % 4);
      for (const fd of new Int32Array(item.buffer.slice(item.byteOffset, item.byteOffset + whole))) fds.push(fd);
    }
  }
  return [data, fds, msgFlags, addr as A];
}

/** A control message decoded by `decode_cmsg`. */
export type DecodedCmsg =
  /** SCM_RIGHTS: the fds received (now open in this process). */
  | { kind: 'rights'; fds: number[] }
  /** SCM_CREDENTIALS (with SO_PASSCRED), or SO_PEERCRED's value: `struct ucred`. */
  | { kind: 'credentials'; pid: number; uid: number; gid: number }
  /** IP_PKTINFO / IPV6_PKTINFO: the datagram's destination address and the
   * index of the interface it arrived on; for IPv4 also spec_dst, the local
   * address a reply would come from (null for IPv6). */
  | { kind: 'pktinfo'; addr: string; ifindex: number; spec_dst: string | null }
  /** IP_TTL (with IP_RECVTTL) or IPV6_HOPLIMIT (with IPV6_RECVHOPLIMIT). */
  | { kind: 'hops'; value: number }
  /** SCM_TIMESTAMP (with SO_TIMESTAMP, microseconds as nanoseconds) or SCM_TIMESTAMPNS (with SO_TIMESTAMPNS). */
  | { kind: 'timestamp'; sec: number; nsec: number };

/**
 * Decodes an ancillary item as its C struct says (beyond Python, which returns
 * the raw bytes): SCM_RIGHTS, SCM_CREDENTIALS, IP_PKTINFO, IPV6_PKTINFO,
 * IP_TTL, IPV6_HOPLIMIT, SCM_TIMESTAMP, SCM_TIMESTAMPNS. Null for other kinds,
 * or data too short for its struct (the length is checked before any read).
 */
export function decode_cmsg(level: number, type: number, data: Uint8Array): DecodedCmsg | null {
  const d = native.cmsgDecode(cint(level), cint(type), bytes(data));
  if (d === null) return null;
  switch (d[0]) {
    case 'rights':
      return { kind: 'rights', fds: d[1] as number[] };
    case 'credentials':
      return { kind: 'credentials', pid: d[1] as number, uid: d[2] as number, gid: d[3] as number };
    case 'pktinfo':
      return { kind: 'pktinfo', addr: d[1] as string, ifindex: d[2] as number, spec_dst: (d[3] as string | null) ?? null };
    case 'hops':
      return { kind: 'hops', value: d[1] as number };
    default:
      return { kind: 'timestamp', sec: d[1] as number, nsec: d[2] as number };
  }
}

/** The bytes of a `struct ucred`, to send as an SCM_CREDENTIALS item (Linux). Python: `struct.pack('3i', pid, uid, gid)`. */
export function pack_ucred(pid: number, uid: number, gid: number): Buffer {
  const b = native.ucredBytes(int(pid), int(uid) >>> 0, int(gid) >>> 0);
  if (b === null) throw new OSError('struct ucred is not available on this platform');
  return b;
}

/** `[pid, uid, gid]` of a `struct ucred`: an SCM_CREDENTIALS item's data, or
 * `getsockopt(SOL_SOCKET, SO_PEERCRED, 12)`.
 * Python: `struct.unpack('3i', data)`.
 */
export function unpack_ucred(data: Uint8Array): [pid: number, uid: number, gid: number] {
  const d = decode_cmsg(C.SOL_SOCKET, C.SCM_CREDENTIALS, data);
  if (d === null || d.kind !== 'credentials') throw new RangeError('not a struct ucred');
  return [d.pid, d.uid, d.gid];
}

// ---- batched datagrams ----

/** Per datagram: [nbytes, msg_flags, address slot, new]; grown as needed. */
let meta = new Int32Array(4 * 64);
/** The addresses of datagrams whose slot is new, by index. */
const fresh: NativeAddress[] = [];

function metaFor(n: number): Int32Array {
  if (meta.length < 4 * n) meta = new Int32Array(4 * n);
  return meta;
}

function addressOf(i: number): NativeAddress {
  const m = meta;
  return slotAddress(m[4 * i + 2]!, m[4 * i + 3] === 1 ? fresh[i] : undefined);
}

/** Reused argument arrays for sendmmsg. */
const datas: Uint8Array[] = [];
const sockaddrs: (Uint8Array | null)[] = [];

/**
 * Socket.sendmmsg: `messages` as `[data, address?][]`; the number sent. Every message is checked before the
 * socket (`fd()`), as Python's sendto checks its address before the call: a closed socket's EBADF comes after
 * a bad address.
 */
export function sendmmsg(fd: () => number, timeout: number, messages: unknown, flags: unknown, sockaddr: (address: unknown) => Uint8Array): number {
  const list = items(messages, 'sendmmsg() argument 1 must be an iterable');
  const f = cint(flags);
  datas.length = list.length;
  sockaddrs.length = list.length;
  let any = false;
  // When every message goes to the same address (the same sockaddr Buffer), it is passed once.
  let same: Uint8Array | null | undefined;
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!Array.isArray(m) || m.length < 1 || m.length > 2) {
      throw new TypeError(`sendmmsg() messages must be [data] or [data, address], not ${pyType(m)}`);
    }
    datas[i] = bytes(m[0]);
    const a = m.length === 2 && m[1] !== null && m[1] !== undefined ? sockaddr(m[1]) : null;
    sockaddrs[i] = a;
    any ||= a !== null;
    same = i === 0 || same === a ? a : undefined;
  }
  const addrs = !any ? null : same !== undefined && same !== null ? same : sockaddrs;
  const n = native.sendmmsg(fd(), datas, addrs, f, timeout);
  datas.length = 0;
  sockaddrs.length = 0;
  return n < 0 ? fail() : n;
}

/** The most messages one recvmmsg takes: Linux's UIO_MAXIOV, to which its kernel cuts a longer vlen
 * (the loop of recvmsg that stands in for it elsewhere stops there too). */
const UIO_MAXIOV = 1024;

/**
 * Socket.recvmmsg: up to `count` datagrams of up to `bufsize` bytes, `[data, address][]`. The sizes are
 * checked before the socket (`fd()`), as Python's recvfrom checks its bufsize; an empty batch makes no call,
 * but a closed socket's EBADF still comes, as from recvmmsg(2).
 */
export function recvmmsg(fd: () => number, timeout: number, count: unknown, bufsize: unknown, flags: unknown): [Buffer, NativeAddress][] {
  const asked = int(count);
  if (asked < 0) throw new RangeError('negative count in recvmmsg()');
  // The kernel takes at most UIO_MAXIOV messages a call (it cuts a longer vlen to that): room
  // for more would only be memory no call fills (a count of 10**9 was gigabytes of it).
  const c = Math.min(asked, UIO_MAXIOV);
  const size = int(bufsize);
  if (size < 0) throw new RangeError('negative buffersize in recvmmsg()');
  const f = cint(flags);
  const s = fd();
  const m = metaFor(c);
  const out: [Buffer, NativeAddress][] = [];
  if (c === 0) return out;
  const stride = Math.max(size, 1);
  const area = receiveArea(stride * c, f);
  const n = size === 0
    ? native.recvmmsgInto(s, Array.from({ length: c }, () => new Uint8Array(0)), m, fresh, f, timeout)
    : native.recvmmsgSlab(s, area, stride, c, m, fresh, f, timeout);
  if (n < 0) fail();
  for (let i = 0; i < n; i++) {
    const got = Math.min(m[4 * i]!, size);
    out.push([area.subarray(i * stride, i * stride + got), addressOf(i)]);
  }
  return out;
}

/**
 * Socket.recvmmsg_into: one datagram into each of `buffers`, in place; `[nbytes, address][]`. The buffers
 * are checked before the socket, as recvmmsg's sizes.
 */
export function recvmmsg_into(fd: () => number, timeout: number, buffers: unknown, flags: unknown): [number, NativeAddress][] {
  let bufs = items(buffers, 'recvmmsg_into() argument 1 must be an iterable') as Uint8Array[];
  // An array of Uint8Arrays goes as it is; anything else is checked and converted.
  if (!bufs.every((b) => b instanceof Uint8Array)) {
    bufs = bufs.map((b: unknown) => {
      if (!ArrayBuffer.isView(b) && !(b instanceof ArrayBuffer)) {
        throw new TypeError('recvmmsg_into() argument 1 must be an iterable of read-write buffers');
      }
      return bytes(b);
    });
  }
  const f = cint(flags);
  const s = fd();
  const m = metaFor(bufs.length);
  const out: [number, NativeAddress][] = [];
  if (bufs.length === 0) return out;
  const n = native.recvmmsgInto(s, bufs, m, fresh, f, timeout);
  if (n < 0) fail();
  for (let i = 0; i < n; i++) out.push([m[4 * i]!, addressOf(i)]);
  return out;
}

// ---- sendfile ----

/** A file for sendfile: an fd number, or a node:fs/promises FileHandle. Python: `socket.socket.sendfile`. */
export type SendfileSource = number | FileHandle;

/**
 * A sendfile parameter as `_check_sendfile_params` takes it (socket's and asyncio's): any int (a
 * bool, a bigint), else its TypeError; below `least` its ValueError; both quoting the value's repr.
 */
export function sendfileParam(given: unknown, what: 'count' | 'offset', least: 0 | 1): number {
  const must = `${what} must be a ${least === 1 ? 'positive' : 'non-negative'} integer (got ${pyRepr(given)})`;
  if (!isInt(given)) throw new TypeError(must);
  const n = Number(anInt(given));
  if (n < least) throw new RangeError(must);
  return n;
}

/**
 * The offset of a sendfile as os.sendfile converts its arguments, once the parameters are checked:
 * a count given must be a Py_ssize_t (it is os.sendfile's block size), then the offset a C long
 * long. Python sends a first block with an offset of None (the file's position), then fails adding
 * to it: bsdsock fails before sending. (asyncio's checks refuse None before this.)
 */
export function sendfileOffset(offset: unknown, count: unknown, n: number): number {
  if (n > 0) ssize(count);
  if (offset === null) throw new TypeError("unsupported operand type(s) for +=: 'NoneType' and 'int'");
  return clong(offset);
}

/** The count of a sendfile, checked as Python's `_check_sendfile_params`: -1 for none. */
export function sendfileCount(given: unknown): number {
  return given === null || given === undefined ? -1 : sendfileParam(given, 'count', 1);
}

/** The fd of a sendfile's file: an fd number, or a FileHandle's. */
export function sendfileFd(file: unknown): number {
  if (typeof file === 'number' || typeof file === 'bigint') return cint(file);
  if (typeof file === 'object' && file !== null && typeof (file as { fd?: unknown }).fd === 'number') return (file as { fd: number }).fd;
  throw new TypeError(`sendfile() file must be an fd or a FileHandle, not ${pyType(file)}`);
}

/** Socket.sendfile: Python's checks (`_check_sendfile_params`), then the OS sendfile or read and send. */
export function sendfile(fd: number, timeout: number, type: number, file: unknown, offset: unknown, count: unknown): number {
  if ((type & C.SOCK_STREAM) === 0) throw new RangeError('only SOCK_STREAM type sockets are supported');
  const n = sendfileCount(count);
  // A negative offset fails as Python's does: in the file's seek (EINVAL), after an empty file has sent nothing.
  const sent = native.sendfile(fd, sendfileFd(file), sendfileOffset(offset, count, n), n, timeout);
  return sent < 0 ? fail() : sent;
}
