// The socket object: Python's socket.socket, over the addon's fd-level calls.
// Each Socket owns its fd number and its mode; a closed Socket never passes its
// old number to the OS (it may already belong to someone else).

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';

import { fits, given, refuse, SOCKET, SOCKET_MODULE } from './arity';
import { addressParts, isLiteralHost, type AddressParts, type AddressArgOf, type AddressOf, type Family } from './address';
import { anInt, asInt, bytes, cint, inCInt, int, isInt, LONG_MAX, pyTruth, ssize, uintMask, writableBytes } from './convert';
import * as C from './constants';
import { badf, CLOSED_ERRNO, dropError, errnos, errorOf, fail, OSError, takeError, withAddress, wouldBlock } from './errors';
import type { BufferedReader, BufferedRWPair, BufferedWriter } from './io/buffered';
import { IO_REF, type SocketIO } from './io/socketio';
import type { TextIOWrapper } from './io/text';
import { makefile, type MakefileOptions, type SocketFile } from './makefile';
import { keywordNames, keywords, type Positional } from './keywords';
import { FAST_OS, FAST_TIMEOUT, isSharedAddress, lastAddress, lastErrno, native, platformCall, takeFastError } from './native';
import * as M from './msg';
import { pyStr } from './repr';
import { claim, room, settle } from './slab';
import { checkTimeout, getdefaulttimeout } from './timeout';
import * as W from './windows';
import * as V from './vsock';
import { SEND_NOT_HELD } from './wire';

const TRUNC = C.MSG_TRUNC ?? 0;
const TYPE_FLAGS = (C.SOCK_NONBLOCK ?? 0) | (C.SOCK_CLOEXEC ?? 0);
const dispose: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

/** Sockets collected while still open: close their fd and warn, as Python's ResourceWarning.
 * Whatever still waits on the fd (bsdsock/asyncio) is released first, as close() does: a
 * watch left on the number would otherwise serve, or block, the next socket given it. */
const leaks = new FinalizationRegistry<{ fd: number; text: string }>((held) => {
  try {
    if (releaseListeners.size !== 0) released(held.fd);
    native.close(held.fd);
  } catch {
    // The fd is gone either way; nothing to report to a finalizer.
  }
  process.emitWarning(`unclosed ${held.text}`, 'ResourceWarning');
});

/** The Buffer for `got` bytes received into the room claimed for `n` at `offset`
 * of `memory` (see slab.ts); the call's error when `got` is its failure value. With
 * MSG_TRUNC a datagram's real length may exceed `n`: as Python, the result then
 * has that length, the bytes past `n` zero. */
function received(memory: ArrayBuffer, offset: number, got: number, n: number): Buffer {
  if (got < 0) {
    settle(memory, offset, 0, n);
    fail();
  }
  if (got <= n) return settle(memory, offset, got, n);
  const out = Buffer.alloc(got);
  out.set(new Uint8Array(memory, offset, n));
  settle(memory, offset, 0, n);
  return out;
}

/** makefile(mode='r', buffering=None, *, encoding, errors, newline) */
const MAKEFILE: Positional = {
  name: 'socket.makefile',
  min: 0,
  max: 2,
  method: true,
  keywords: keywordNames<MakefileOptions>({ encoding: true, errors: true, newline: true }),
};

/** Set by `wrap` for the constructor: a socket made from an fd whose family, type and protocol are known. */
let known: [fd: number, family: number, type: number, proto: number] | null = null;

/** A Socket around an fd the addon just made (accept, socketpair, dup). */
function wrap<F extends string>(fd: number, family: number, type: number, proto: number): Socket<F> {
  known = [fd, family, type, proto];
  try {
    return new Socket<F>();
  } finally {
    known = null;
  }
}

function sameParts(a: AddressParts, b: AddressParts): boolean {
  const [ha, hb] = [a[0], b[0]];
  const sameHost = typeof ha === 'string' ? ha === hb : typeof hb !== 'string' && Buffer.compare(ha, hb) === 0;
  return sameHost && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === null && b[4] === null;
}

/** The `, laddr=..., raddr=...` of a socket's repr (socket.socket's, asyncio's TransportSocket's): each address the fd has that is truthy in Python. */
export function reprAddresses(fd: number): string {
  let text = '';
  for (const [name, get] of [['laddr', native.getsockname], ['raddr', native.getpeername]] as const) {
    if (!get(fd)) {
      dropError();
      continue;
    }
    const addr = lastAddress();
    // Python's repr leaves out an address that is not true (None, '', b'').
    if (pyTruth(addr)) text += `, ${name}=${pyStr(addr)}`;
  }
  return text;
}

/** Called with a socket's fd just before close() or detach() gives it up
 * (bsdsock/asyncio stops watching the fd there, and fails what was pending). */
const releaseListeners = new Set<(fd: number) => void>();

/** Adds a listener for fds that sockets are about to close or detach. */
export function onRelease(listener: (fd: number) => void): void {
  releaseListeners.add(listener);
}

function released(fd: number): void {
  for (const listener of releaseListeners) listener(fd);
}

/**
 * asyncio's sendto (sock_sendto, a datagram transport's sendto): `sock.sendto(data,
 * address)` with no flags, never waiting, through the addon's lean entry: the
 * bytes sent, or null when the socket is full; any other error is thrown, as
 * sendto throws it.
 */
export let sendtoNow: (sock: Socket, data: Uint8Array, address: unknown) => number | null;

/**
 * Whether `address` is the one the socket's last send went to, unchanged
 * since (a string, or a frozen address bsdsock gave): its host is numeric, and
 * the socket has its sockaddr.
 */
export let knownDestination: (sock: Socket, address: unknown) => boolean;

/** The numbers Socket objects keep their destination in the addon under (see `sendtoNow`): one each, never reused. */
let tokens = 0;

/** Python's `socket.socket`. `F` is the family's name, which types the addresses. */
export class Socket<F extends string = string> {
  #fd: number;
  #family: number;
  #type: number;
  #proto: number;
  #timeout: number | null;
  /** The timeout as the addon takes it: seconds, -1 for blocking. */
  #t: number;
  #ioRefs = 0;
  #closed = false;
  #lastAddress: unknown = undefined;
  #lastParts: AddressParts | null = null;
  #lastSockaddr: Buffer | null = null;
  /** `#lastAddress` cannot change: a string, or a frozen address bsdsock gave. */
  #lastFixed = false;
  /** The sockaddr the addon keeps as this socket's destination (see `sendtoNow`), and the number it keeps it under. */
  #held: Buffer | null = null;
  readonly #token = ++tokens;

  /**
   * A socket, as `socket(family, type, proto, fileno)`: AF_INET, SOCK_STREAM and protocol 0 by default.
   * Python: `socket.socket`.
   */
  constructor(family?: Family<F> | number, type?: number, proto?: number, fileno?: number | null) {
    fits(SOCKET.__init__, arguments.length) || refuse(SOCKET.__init__, arguments);
    let fd: number;
    if (known !== null) {
      [fd, family, type, proto] = known;
    } else {
      // CPython's argument clinic converts the three ints first (`_PyLong_AsInt`), -1 each one's
      // "not given"; then the fd.
      const [fam, typ, pro] = [family, type, proto].map((v) => (v === undefined ? -1 : asInt(v)));
      if (fileno !== undefined && fileno !== null) {
        fd = cint(fileno);
        if (fd < 0) throw new RangeError('negative file descriptor');
        const [f, t, p] = native.socketAdopt(fd) ?? fail();
        [family, type, proto] = [fam === -1 ? f : fam, typ === -1 ? t : typ, pro === -1 ? p : pro];
      } else {
        [family, type, proto] = [fam === -1 ? C.AF_INET : fam, typ === -1 ? C.SOCK_STREAM : typ, pro === -1 ? 0 : pro];
        fd = native.socketCreate(family, type, proto);
        if (fd < 0) fail();
      }
    }
    this.#fd = fd;
    this.#family = family;
    this.#type = type & ~TYPE_FLAGS;
    this.#timeout = (type & (C.SOCK_NONBLOCK ?? 0)) !== 0 ? 0 : getdefaulttimeout();
    this.#t = this.#timeout ?? -1;
    // O_NONBLOCK follows the mode, as CPython's: a default timeout sets it.
    if (this.#timeout !== null && !native.setNonblocking(fd, true)) {
      const err = takeError();
      if (fileno === undefined || fileno === null || known !== null) native.close(fd);
      throw err;
    }
    leaks.register(this, { fd, text: `<socket.socket fd=${fd}, family=${family}, type=${this.#type}, proto=${proto}>` }, this);
    native.own(fd);
    this.#proto = proto;
  }

  /** The fd, or OSError(EBADF) once closed. */
  #check(syscall: string): number {
    if (this.#fd < 0) throw badf(syscall);
    return this.#fd;
  }

  /** The sockaddr bytes of an address, checked as Python checks it. The last
   * one is kept: a sender that sends to the same literal address again skips
   * the parsing (and a frozen address array, as recvfrom returns, the checks). */
  #sockaddr(address: unknown, caller: string): Buffer {
    if (address === this.#lastAddress && this.#lastFixed) return this.#lastSockaddr!;
    const parts = addressParts(this.#family, address, caller);
    if (this.#lastParts !== null && sameParts(parts, this.#lastParts)) {
      this.#keep(address);
      return this.#lastSockaddr!;
    }
    const sa = native.sockaddr(this.#family, ...parts) ?? fail();
    if (this.#family !== C.AF_PACKET && (typeof parts[0] !== 'string' || isLiteralHost(parts[0]))) {
      [this.#lastParts, this.#lastSockaddr] = [parts, sa];
      this.#keep(address);
    }
    return sa;
  }

  /** Keeps `address` as the one `#lastSockaddr` is made from; whether it can change is asked once, here. */
  #keep(address: unknown): void {
    this.#lastAddress = address;
    this.#lastFixed = typeof address === 'string' || isSharedAddress(address);
  }

  /** The address family, `AF_INET6`. Python: `socket.socket.family`. */
  get family(): Family<F> {
    return this.#family as Family<F>;
  }
  /** The socket type, without SOCK_NONBLOCK / SOCK_CLOEXEC. Python: `socket.socket.type`. */
  get type(): number {
    return this.#type;
  }
  /** The protocol number given at creation (0 for the default). Python: `socket.socket.proto`. */
  get proto(): number {
    return this.#proto;
  }
  /** The timeout in seconds; null when blocking, 0 when non-blocking. Python: `socket.socket.timeout`. */
  get timeout(): number | null {
    return this.#timeout;
  }

  /** The fd number; -1 once closed or detached. Python: `socket.socket.fileno`. */
  fileno(): number {
    fits(SOCKET.fileno, arguments.length) || refuse(SOCKET.fileno, arguments);
    return this.#fd;
  }

  /** Closes the socket; closing twice does nothing. Python: `socket.socket.close`. */
  close(): void {
    fits(SOCKET.close, arguments.length) || refuse(SOCKET.close, arguments);
    this.#closed = true;
    if (this.#ioRefs <= 0) this.#close();
  }

  /** Closes the fd, once the socket and every file made from it are closed. */
  #close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    leaks.unregister(this);
    if (releaseListeners.size !== 0) released(fd);
    if (!native.close(fd)) fail();
  }

  /** Counts the files makefile() made: the fd stays open while one is (Python's _io_refs). */
  [IO_REF](delta: 1 | -1): void {
    // Python's _decref_socketios: a file made by hand, never counted, takes nothing off.
    if (delta < 0 && this.#ioRefs <= 0) return;
    this.#ioRefs += delta;
    if (this.#ioRefs <= 0 && this.#closed) this.#close();
  }

  /** makefile(mode='r', buffering=null, { encoding, errors, newline }): a file object over the
   * socket, as Python's: text by default, bytes with 'b', the raw SocketIO with buffering 0.
   * Python: `socket.socket.makefile`.
   */
  makefile(options: MakefileOptions): TextIOWrapper;
  makefile(mode: 'r' | 'w' | 'rw' | 'wr' | undefined, options: MakefileOptions): TextIOWrapper;
  makefile(mode?: 'r' | 'w' | 'rw' | 'wr', buffering?: number | null, options?: MakefileOptions): TextIOWrapper;
  makefile(mode: 'rb' | 'wb' | 'rwb' | 'wrb' | 'br' | 'bw', buffering: 0, options?: MakefileOptions): SocketIO;
  makefile(mode: 'rb' | 'br', buffering?: number | null, options?: MakefileOptions): BufferedReader;
  makefile(mode: 'rb' | 'br', options: MakefileOptions): BufferedReader;
  makefile(mode: 'wb' | 'bw', buffering?: number | null, options?: MakefileOptions): BufferedWriter;
  makefile(mode: 'wb' | 'bw', options: MakefileOptions): BufferedWriter;
  makefile(mode: 'rwb' | 'wrb', buffering?: number | null, options?: MakefileOptions): BufferedRWPair;
  makefile(mode: 'rwb' | 'wrb', options: MakefileOptions): BufferedRWPair;
  makefile(mode?: string, buffering?: number | null, options?: MakefileOptions): SocketFile;
  makefile(mode: string, options: MakefileOptions): SocketFile;
  makefile(): SocketFile {
    const [[mode = 'r', buffering = null], options] = keywords<[string?, (number | null)?], MakefileOptions>(arguments, MAKEFILE);
    return makefile(this, mode, buffering, options);
  }

  /** Gives up the fd without closing it and returns it; the socket acts closed. Python: `socket.socket.detach`. */
  detach(): number {
    fits(SOCKET.detach, arguments.length) || refuse(SOCKET.detach, arguments);
    this.#closed = true;
    const fd = this.#fd;
    if (fd < 0) return -1;
    this.#fd = -1;
    leaks.unregister(this);
    native.disown(fd);
    if (releaseListeners.size !== 0) released(fd);
    // The fd's O_NONBLOCK already says the socket's mode, as CPython's does.
    return fd;
  }

  /**
   * share(process_id) -> the bytes `fromshare()` opens in that process: a duplicate of this
   * socket made for it (Windows; a TypeError elsewhere). Python: `socket.socket.share`.
   */
  share(process_id: number): Buffer {
    const share = platformCall('share', 'socket.share');
    const pid = W.processId(process_id);
    return share(this.#check('share'), pid) ?? fail();
  }

  /**
   * ioctl(control, option) -> what Winsock returned (Windows; a TypeError elsewhere):
   * SIO_RCVALL with an RCVALL_* value, SIO_KEEPALIVE_VALS with
   * `[onoff, keepalivetime, keepaliveinterval]` (milliseconds), SIO_LOOPBACK_FAST_PATH with
   * a boolean. Python: `socket.socket.ioctl`.
   */
  ioctl(control: number, option: number | boolean | readonly [number, number, number]): number {
    const ioctl = platformCall('ioctl', 'socket.ioctl');
    const [cmd, input] = W.ioctlInput(arguments.length, control, option);
    return ioctl(this.#check('ioctl'), cmd, input) ?? fail();
  }

  /** A new socket on a duplicate of the fd, with the same family, type and protocol. Python: `socket.socket.dup`. */
  dup(): Socket<F> {
    fits(SOCKET.dup, arguments.length) || refuse(SOCKET.dup, arguments);
    const fd = this.#check('dup');
    const newfd = native.dup(fd);
    if (newfd < 0) fail();
    const copy = wrap<F>(newfd, this.#family, this.#type, this.#proto);
    copy.settimeout(this.#timeout);
    return copy;
  }

  /**
   * Whether a child process made by exec() inherits the fd (false: close-on-exec, the default).
   * Python: `socket.socket.get_inheritable`.
   */
  get_inheritable(): boolean {
    fits(SOCKET.get_inheritable, arguments.length) || refuse(SOCKET.get_inheritable, arguments);
    const fd = this.#check('fcntl');
    return native.getInheritable(fd) ?? fail();
  }

  /** Sets whether child processes inherit the fd (clears or sets FD_CLOEXEC). Python: `socket.socket.set_inheritable`. */
  set_inheritable(inheritable: boolean): void {
    fits(SOCKET.set_inheritable, arguments.length, inheritable) || refuse(SOCKET.set_inheritable, arguments);
    const flag = asInt(inheritable);
    const fd = this.#check('fcntl');
    if (!native.setInheritable(fd, flag !== 0)) fail();
  }

  /** Blocking (true: timeout null) or non-blocking (false: timeout 0); an int as Python takes it, not any value's truth.
   * Python: `socket.socket.setblocking`. */
  setblocking(flag: boolean): void {
    fits(SOCKET.setblocking, arguments.length, flag) || refuse(SOCKET.setblocking, arguments);
    const n = int(flag);
    if (n >= LONG_MAX || n < -LONG_MAX) throw new RangeError('Python int too large to convert to C long');
    this.settimeout(n !== 0 ? null : 0);
  }

  /** False when non-blocking (timeout 0), true otherwise. Python: `socket.socket.getblocking`. */
  getblocking(): boolean {
    fits(SOCKET.getblocking, arguments.length) || refuse(SOCKET.getblocking, arguments);
    return this.#timeout !== 0;
  }

  /**
   * null blocks, 0 never waits, seconds > 0 waits at most that long then throws TimeoutError.
   * Python: `socket.socket.settimeout`.
   */
  settimeout(value: number | null): void {
    // Python's None must be given: settimeout() with nothing is its TypeError, not blocking mode.
    fits(SOCKET.settimeout, arguments.length, value) || refuse(SOCKET.settimeout, arguments);
    const timeout = checkTimeout(value);
    // The mode is recorded even when the flag cannot be set (a closed socket's EBADF), as CPython's.
    this.#timeout = timeout;
    this.#t = timeout ?? -1;
    const fd = this.#check('settimeout');
    // O_NONBLOCK set in non-blocking and timeout mode, clear in blocking mode, as CPython's;
    // bsdsock's own calls keep the mode whatever the flag says (see docs/architecture.md).
    if (!native.setNonblocking(fd, timeout !== null)) fail();
  }

  /** The timeout in seconds: null when blocking, 0 when non-blocking. Python: `socket.socket.gettimeout`. */
  gettimeout(): number | null {
    fits(SOCKET.gettimeout, arguments.length) || refuse(SOCKET.gettimeout, arguments);
    return this.#timeout;
  }

  /** Binds the socket to `address` (`[host, port]` for AF_INET; `''` is the wildcard). Python: `socket.socket.bind`. */
  bind(address: AddressArgOf<F>): void {
    fits(SOCKET.bind, arguments.length, address) || refuse(SOCKET.bind, arguments);
    // Each method checks its arguments before the fd, as CPython's parse them before the syscall.
    const sa = this.#sockaddr(address, 'bind');
    const fd = this.#check('bind');
    if (!native.bind(fd, sa)) throw withAddress(takeError(), address);
  }

  /** listen([backlog]): backlog defaults to min(SOMAXCONN, 128), as in Python. Python: `socket.socket.listen`. */
  listen(backlog?: number): void {
    fits(SOCKET.listen, arguments.length) || refuse(SOCKET.listen, arguments);
    const n = backlog === undefined ? Math.min(C.SOMAXCONN, 128) : Math.max(cint(backlog), 0);
    const fd = this.#check('listen');
    if (!native.listen(fd, n)) fail();
  }

  /** accept() -> [socket, address]. The new socket gets the default timeout, as in Python. Python: `socket.socket.accept`. */
  accept(): [Socket<F>, AddressOf<F>] {
    fits(SOCKET.accept, arguments.length) || refuse(SOCKET.accept, arguments);
    const fd = this.#check('accept');
    const newfd = native.accept(fd, this.#t);
    if (newfd < 0) fail();
    const addr = lastAddress();
    const sock = wrap<F>(newfd, this.#family, this.#type, this.#proto);
    if (getdefaulttimeout() === null && this.#timeout !== null) sock.setblocking(true);
    return [sock, addr as AddressOf<F>];
  }

  /**
   * Connects to `address`; a host name is resolved first (as Python does, through getaddrinfo).
   * Python: `socket.socket.connect`.
   */
  connect(address: AddressArgOf<F>): void {
    fits(SOCKET.connect, arguments.length, address) || refuse(SOCKET.connect, arguments);
    const sa = this.#sockaddr(address, 'connect');
    const fd = this.#check('connect');
    if (!native.connect(fd, this.#t, sa)) throw withAddress(takeError(), address);
  }

  /** connect() that returns the errno instead of throwing (0 on success). Python: `socket.socket.connect_ex`. */
  connect_ex(address: AddressArgOf<F>): number {
    fits(SOCKET.connect_ex, arguments.length, address) || refuse(SOCKET.connect_ex, arguments);
    // The address is checked first, and a closed socket's EBADF (WSAENOTSOCK on Windows) returned, as CPython does.
    const sa = this.#sockaddr(address, 'connect_ex');
    const fd = this.#fd;
    if (fd < 0) return CLOSED_ERRNO;
    if (native.connect(fd, this.#t, sa)) return 0;
    // Python returns the errno of the connection (EWOULDBLOCK for a timeout),
    // and raises for everything else. An OS error or a timeout is read from the
    // status block, so returning its errno makes no exception object.
    // An interruption (a signal that interrupts) is raised, not returned.
    const fast = takeFastError();
    if (fast === FAST_TIMEOUT) return C.EWOULDBLOCK;
    if (fast === FAST_OS && lastErrno() !== errnos.EINTR) return lastErrno();
    throw withAddress(errorOf(fast), address);
  }

  /** Shuts down one or both halves of the connection: SHUT_RD, SHUT_WR or SHUT_RDWR. Python: `socket.socket.shutdown`. */
  shutdown(how: number): void {
    fits(SOCKET.shutdown, arguments.length, how) || refuse(SOCKET.shutdown, arguments);
    const n = asInt(how);
    const fd = this.#check('shutdown');
    if (!native.shutdown(fd, n)) fail();
  }

  /** The socket's own address. Python: `socket.socket.getsockname`. */
  getsockname(): AddressOf<F> {
    fits(SOCKET.getsockname, arguments.length) || refuse(SOCKET.getsockname, arguments);
    const fd = this.#check('getsockname');
    if (!native.getsockname(fd)) fail();
    return lastAddress() as AddressOf<F>;
  }

  /** The address of the connected peer; ENOTCONN when not connected. Python: `socket.socket.getpeername`. */
  getpeername(): AddressOf<F> {
    fits(SOCKET.getpeername, arguments.length) || refuse(SOCKET.getpeername, arguments);
    const fd = this.#check('getpeername');
    if (!native.getpeername(fd)) fail();
    return lastAddress() as AddressOf<F>;
  }

  /** send(data, flags=0) -> bytes sent. Python: `socket.socket.send`. */
  send(data: Uint8Array, flags = 0): number {
    fits(SOCKET.send, arguments.length, data) || refuse(SOCKET.send, arguments);
    const buf = bytes(data);
    const f = cint(flags);
    const fd = this.#check('send');
    const n = native.send(fd, buf, f, this.#t);
    return n < 0 ? fail() : n;
  }

  /** Sends all of `data`, within one deadline in timeout mode. An error after a
   * partial send carries `characters_written`, so the caller can resume.
   * Python: `socket.socket.sendall`.
   */
  sendall(data: Uint8Array, flags = 0): void {
    fits(SOCKET.sendall, arguments.length, data) || refuse(SOCKET.sendall, arguments);
    const buf = bytes(data);
    const f = cint(flags);
    const fd = this.#check('sendall');
    if (!native.sendall(fd, buf, f, this.#t)) fail();
  }

  /** sendto(data, address) or sendto(data, flags, address) -> bytes sent. Python: `socket.socket.sendto`. */
  sendto(data: Uint8Array, address: AddressArgOf<F>): number;
  sendto(data: Uint8Array, flags: number, address: AddressArgOf<F>): number;
  sendto(data: Uint8Array, flagsOrAddress: number | AddressArgOf<F>, maybeAddress?: AddressArgOf<F>): number {
    fits(SOCKET.sendto, arguments.length, flagsOrAddress) || refuse(SOCKET.sendto, arguments);
    const buf = bytes(data);
    let flags = 0;
    let address: unknown = flagsOrAddress;
    // Three given (the count is checked): the flags come before the address.
    if (maybeAddress !== undefined) {
      flags = cint(flagsOrAddress);
      address = maybeAddress;
    }
    const sa = this.#sockaddr(address, 'sendto');
    const fd = this.#check('sendto');
    const n = native.sendto(fd, buf, flags, this.#t, sa);
    if (n < 0) throw withAddress(takeError(), address);
    return n;
  }

  static {
    knownDestination = (sock, address) => address === sock.#lastAddress && sock.#lastFixed;
    sendtoNow = (sock, data, address) => {
      const buf = bytes(data);
      const sa = sock.#sockaddr(address, 'sendto');
      const fd = sock.#check('sendto');
      // The same destination again: the addon has its bytes, unless another Socket on this fd sent since.
      let n = sa === sock.#held ? native.sendtoHeld(fd, buf, sock.#token) : SEND_NOT_HELD;
      if (n === SEND_NOT_HELD) {
        sock.#held = sa;
        n = native.sendtoNow(fd, buf, sa, sock.#token);
      }
      if (n >= 0) return n;
      if (wouldBlock()) return null;
      throw withAddress(takeError(), address);
    };
  }

  /** recv(bufsize, flags=0) -> the bytes received (empty at end of stream). Python: `socket.socket.recv`. */
  recv(bufsize: number, flags = 0): Buffer {
    fits(SOCKET.recv, arguments.length, bufsize) || refuse(SOCKET.recv, arguments);
    // Python's "n|i": every argument converted before any is checked.
    const n = ssize(bufsize);
    const f = cint(flags);
    if (n < 0) throw new RangeError('negative buffersize in recv');
    // As CPython's sock_recv_guts: nothing asked, nothing to wait for, no syscall.
    if (n === 0) return Buffer.alloc(0);
    const fd = this.#check('recv');
    claim(n, (f & TRUNC) !== 0);
    const { memory, offset } = room;
    return received(memory, offset, native.recvInto(fd, memory, offset, n, f, this.#t), n);
  }

  /**
   * recvfrom(bufsize, flags=0) -> [bytes, address]; the address is null when the sender has none.
   * Python: `socket.socket.recvfrom`.
   */
  recvfrom(bufsize: number, flags = 0): [Buffer, AddressOf<F> | null] {
    fits(SOCKET.recvfrom, arguments.length, bufsize) || refuse(SOCKET.recvfrom, arguments);
    const n = ssize(bufsize);
    const f = cint(flags);
    if (n < 0) throw new RangeError('negative buffersize in recvfrom');
    const fd = this.#check('recvfrom');
    claim(n, (f & TRUNC) !== 0);
    const { memory, offset } = room;
    const data = received(memory, offset, native.recvfromInto(fd, memory, offset, n, f, this.#t), n);
    return [data, lastAddress() as AddressOf<F> | null];
  }

  /**
   * recv_into(buffer, nbytes=0, flags=0) -> bytes received, written into `buffer` in place.
   * Python: `socket.socket.recv_into`.
   */
  recv_into(buffer: Uint8Array, nbytes = 0, flags = 0): number {
    fits(SOCKET.recv_into, arguments.length, buffer) || refuse(SOCKET.recv_into, arguments);
    const [buf, n, f] = this.#into(buffer, nbytes, flags, 'recv_into', 'buffer too small for requested bytes');
    // An empty buffer: 0 at once, with no syscall, as CPython's sock_recv_guts.
    if (n === 0) return 0;
    const fd = this.#check('recv_into');
    const got = native.recvInto(fd, buf, 0, n, f, this.#t);
    return got < 0 ? fail() : got;
  }

  /** recvfrom_into(buffer, nbytes=0, flags=0) -> [bytes received, address]. Python: `socket.socket.recvfrom_into`. */
  recvfrom_into(buffer: Uint8Array, nbytes = 0, flags = 0): [number, AddressOf<F> | null] {
    fits(SOCKET.recvfrom_into, arguments.length, buffer) || refuse(SOCKET.recvfrom_into, arguments);
    const [buf, n, f] = this.#into(buffer, nbytes, flags, 'recvfrom_into', 'nbytes is greater than the length of the buffer');
    const fd = this.#check('recvfrom_into');
    const got = native.recvfromInto(fd, buf, 0, n, f, this.#t);
    if (got < 0) fail();
    return [got, lastAddress() as AddressOf<F> | null];
  }

  /** The writable bytes of `buffer`, how many of them to fill, and the flags, converted ("w*|ni") and then checked as Python does. */
  #into(buffer: unknown, nbytes: unknown, flags: unknown, caller: string, tooSmall: string): [Uint8Array, number, number] {
    const view = writableBytes(buffer, `${caller}() argument 1`);
    let n = ssize(nbytes);
    const f = cint(flags);
    if (n < 0) throw new RangeError(`negative buffersize in ${caller}`);
    if (n === 0) n = view.byteLength;
    else if (n > view.byteLength) throw new RangeError(tooSmall);
    return [view, n, f];
  }

  /** setsockopt(level, opt, value): value an int, a boolean or bytes;
   * setsockopt(level, opt, null, optlen) passes NULL with optlen. On an AF_VSOCK
   * socket, as in Python, every option is a 64-bit int (a bigint beyond 2 ** 53).
   * Python: `socket.socket.setsockopt`.
   */
  setsockopt(level: number, optname: number, value: number | bigint | boolean | Uint8Array | null, optlen?: number): void {
    // (level, optname, None, optlen) is the one call of four (not on AF_VSOCK, whose options are all ints).
    const withOptlen = value === null && optlen !== undefined && this.#family !== C.AF_VSOCK && (arguments.length === 4 || given(arguments) === 4);
    if (!withOptlen) fits(SOCKET.setsockopt, arguments.length, value) || refuse(SOCKET.setsockopt, arguments);
    const lvl = cint(level);
    const opt = cint(optname);
    if (this.#family === C.AF_VSOCK) return V.setsockopt(() => this.#check('setsockopt'), lvl, opt, value, optlen);
    if (value === null && optlen !== undefined) {
      // Python's `I` format: an unsigned int taken modulo 2 ** 32, no overflow check
      // (-1 is 4294967295, which the OS refuses with EINVAL). An optlen that is no int fails that
      // format, and CPython reports the last one it tried, "iiy*", whose arity is three.
      if (!isInt(optlen)) throw new TypeError('setsockopt() takes exactly 3 arguments (4 given)');
      const len = uintMask(optlen);
      if (!native.setsockopt(this.#check('setsockopt'), lvl, opt, null, len)) fail();
      return;
    }
    let raw: Uint8Array;
    // Python's "iii" first: a C int (a bigint too); any other int is then "iiy*"'s bytes TypeError.
    const n = anInt(value);
    if (typeof n === 'boolean' || (typeof n === 'number' && Number.isInteger(n) && inCInt(n))) {
      raw = new Uint8Array(new Int32Array([Number(n)]).buffer);
    } else {
      raw = bytes(value);
    }
    if (!native.setsockopt(this.#check('setsockopt'), lvl, opt, raw, raw.byteLength)) fail();
  }

  /** getsockopt(level, opt) -> int, or getsockopt(level, opt, buflen) -> bytes (1 <= buflen <= 1024).
   * Python: `socket.socket.getsockopt`.
   */
  getsockopt(level: number, optname: number): number;
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen = 0): number | Buffer {
    fits(SOCKET.getsockopt, arguments.length, optname) || refuse(SOCKET.getsockopt, arguments);
    const lvl = cint(level);
    const opt = cint(optname);
    const len = cint(buflen);
    if (this.#family === C.AF_VSOCK) return V.getsockopt(() => this.#check('getsockopt'), lvl, opt, len);
    if (len < 0 || len > 1024) throw new OSError('getsockopt buflen out of range');
    const fd = this.#check('getsockopt');
    if (len === 0) return native.getsockoptInt(fd, lvl, opt) ?? fail();
    return native.getsockoptBytes(fd, lvl, opt, len) ?? fail();
  }

  /** sendmsg(buffers, ancdata=[], flags=0, address=null) -> bytes sent: Python's
   * `socket.sendmsg`, gathering `buffers`, with ancillary items `[level, type, data]`.
   * Python: `socket.socket.sendmsg`.
   */
  sendmsg(buffers: Iterable<Uint8Array>, ancdata: Iterable<M.AncDataArg> = [], flags = 0, address: AddressArgOf<F> | null = null): number {
    fits(SOCKET.sendmsg, arguments.length, buffers) || refuse(SOCKET.sendmsg, arguments);
    // Python's order: the flags, the address, then the buffers and ancillary data.
    const f = cint(flags);
    const sa = address === null || address === undefined ? null : this.#sockaddr(address, 'sendmsg');
    return M.sendmsg(() => this.#check('sendmsg'), this.#t, buffers, ancdata, f, sa);
  }

  /** recvmsg(bufsize, ancbufsize=0, flags=0) -> [data, ancdata, msg_flags, address]: Python's
   * `socket.recvmsg`; ancillary items are `[level, type, Buffer]` (see `decode_cmsg`).
   * Python: `socket.socket.recvmsg`.
   */
  recvmsg(bufsize: number, ancbufsize = 0, flags = 0): [Buffer, M.AncData[], number, AddressOf<F> | null] {
    fits(SOCKET.recvmsg, arguments.length, bufsize) || refuse(SOCKET.recvmsg, arguments);
    return M.recvmsg(() => this.#check('recvmsg'), this.#t, bufsize, ancbufsize, flags) as [Buffer, M.AncData[], number, AddressOf<F> | null];
  }

  /** recvmsg_into(buffers, ancbufsize=0, flags=0) -> [nbytes, ancdata, msg_flags, address]:
   * Python's `socket.recvmsg_into`, scattering into `buffers` in place.
   * Python: `socket.socket.recvmsg_into`.
   */
  recvmsg_into(buffers: Iterable<Uint8Array>, ancbufsize = 0, flags = 0): [number, M.AncData[], number, AddressOf<F> | null] {
    fits(SOCKET.recvmsg_into, arguments.length, buffers) || refuse(SOCKET.recvmsg_into, arguments);
    return M.recvmsg_into(() => this.#check('recvmsg_into'), this.#t, buffers, ancbufsize, flags) as [number, M.AncData[], number, AddressOf<F> | null];
  }

  /** sendmmsg(messages, flags=0) -> how many were sent: one datagram per
   * `[data, address?]`, in one sendmmsg(2) on Linux (beyond Python). On a
   * stream in blocking mode each message goes whole, as a blocking send's. */
  sendmmsg(messages: Iterable<[data: Uint8Array, address?: AddressArgOf<F> | null]>, flags = 0): number {
    return M.sendmmsg(() => this.#check('sendmmsg'), this.#t, messages, flags, (a) => this.#sockaddr(a, 'sendmmsg'));
  }

  /** recvmmsg(count, bufsize, flags=0) -> [data, address][]: waits (as the
   * socket's mode says) for one datagram, then takes up to `count` that have
   * arrived, in one recvmmsg(2) on Linux (beyond Python). */
  recvmmsg(count: number, bufsize: number, flags = 0): [Buffer, AddressOf<F> | null][] {
    return M.recvmmsg(() => this.#check('recvmmsg'), this.#t, count, bufsize, flags) as [Buffer, AddressOf<F> | null][];
  }

  /** recvmmsg_into(buffers, flags=0) -> [nbytes, address][]: as recvmmsg, one
   * datagram into each of `buffers`, in place, with no copy (beyond Python). */
  recvmmsg_into(buffers: Iterable<Uint8Array>, flags = 0): [number, AddressOf<F> | null][] {
    return M.recvmmsg_into(() => this.#check('recvmmsg_into'), this.#t, buffers, flags) as [number, AddressOf<F> | null][];
  }

  /** sendfile(file, offset=0, count=null) -> bytes sent: Python's `socket.sendfile`;
   * `file` an fd or a FileHandle, whose position ends after the bytes sent.
   * Python: `socket.socket.sendfile`.
   */
  sendfile(file: M.SendfileSource, offset = 0, count: number | null = null): number {
    fits(SOCKET.sendfile, arguments.length, file) || refuse(SOCKET.sendfile, arguments);
    // A closed socket's fd is -1, as in Python: an empty file, or nothing left to read
    // from `offset`, still sends nothing and returns 0 (the send would fail with EBADF).
    return M.sendfile(this.#fd, this.#t, this.#type, file, offset, count);
  }

  /** `using s = socket(...)` closes the socket at the end of the scope. Python: `socket.socket.__exit__`. */
  [dispose](): void {
    this.close();
  }

  /**
   * Python's repr: `<socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 80)>`.
   * Python: `socket.socket.__repr__`.
   */
  [inspect.custom](): string {
    const closed = this.#closed || this.#fd < 0 ? ' [closed]' : '';
    // As Python's: a closed socket whose fd a file still holds shows no addresses.
    const addresses = closed === '' ? reprAddresses(this.#fd) : '';
    return `<socket.socket${closed} fd=${this.#fd}, family=${this.#family}, type=${this.#type}, proto=${this.#proto}${addresses}>`;
  }

  /** `<socket.socket fd=3, family=2, type=1, proto=0, laddr=(...)>`, as Python's repr(). Python: `socket.socket.__repr__`. */
  toString(): string {
    return this[inspect.custom]();
  }
}

/** Python's `socket.SocketType`: the class of sockets. */
export { Socket as SocketType };

/** socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=null): a new socket. Python: `socket.socket`. */
export function socket<F extends string = 'AF_INET'>(family?: Family<F>, type?: number, proto?: number, fileno?: number | null): Socket<F>;
export function socket(family: number, type?: number, proto?: number, fileno?: number | null): Socket<string>;
export function socket(family?: number, type?: number, proto?: number, fileno?: number | null): Socket<string> {
  fits(SOCKET.__init__, arguments.length) || refuse(SOCKET.__init__, arguments);
  return new Socket(family, type, proto, fileno);
}

/**
 * socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0) -> [socket, socket], connected to each other.
 * Python: `socket.socketpair`.
 */
export function socketpair<F extends string = 'AF_UNIX'>(family?: Family<F> | number | null, type?: number, proto?: number): [Socket<F>, Socket<F>] {
  fits(SOCKET_MODULE.socketpair, arguments.length) || refuse(SOCKET_MODULE.socketpair, arguments);
  // Python's default (None given too): AF_UNIX where the platform has it (Windows has not), else AF_INET.
  const f = family === undefined || family === null ? (C.AF_UNIX ?? C.AF_INET) : cint(family);
  const t = type === undefined ? C.SOCK_STREAM : cint(type);
  const p = proto === undefined ? 0 : cint(proto);
  const [a, b] = native.socketpair(f, t, p) ?? fail();
  const masked = t & ~TYPE_FLAGS;
  const pair: [Socket<F>, Socket<F>] = [wrap<F>(a, f, masked, p), wrap<F>(b, f, masked, p)];
  if ((t & (C.SOCK_NONBLOCK ?? 0)) !== 0) for (const s of pair) s.setblocking(false);
  return pair;
}

/** fromfd(fd, family, type, proto=0): a socket on a duplicate of `fd`. Python: `socket.fromfd`. */
export function fromfd<F extends string>(fd: number, family: Family<F> | number, type: number, proto = 0): Socket<F> {
  fits(SOCKET_MODULE.fromfd, arguments.length, type) || refuse(SOCKET_MODULE.fromfd, arguments);
  const copy = dup(fd);
  try {
    return new Socket<F>(family, type, proto, copy);
  } catch (e) {
    close(copy);
    throw e;
  }
}

/** fromshare(data): the socket that `share()` made `data` for, in this process (Windows; a TypeError
 * elsewhere). Python: `socket.fromshare`. */
export function fromshare(data: Uint8Array): Socket {
  const open = platformCall('fromshare', 'socket.fromshare');
  const [fd, family, type, proto] = open(W.shareBytes(bytes(data))) ?? fail();
  try {
    return new Socket(family, type, proto, fd);
  } catch (e) {
    close(fd);
    throw e;
  }
}

/** close(fd): closes a socket fd number. Python: `socket.close`. */
export function close(fd: number): void {
  fits(SOCKET_MODULE.close, arguments.length, fd) || refuse(SOCKET_MODULE.close, arguments);
  const n = cint(fd);
  // What bsdsock/asyncio watches on this number stops here, as for Socket.close(): a
  // watch left behind would be called for the next socket given the number.
  if (releaseListeners.size !== 0) released(n);
  if (!native.close(n)) fail();
}

/** dup(fd) -> a duplicate fd, not inheritable. Python: `socket.dup`. */
export function dup(fd: number): number {
  fits(SOCKET_MODULE.dup, arguments.length, fd) || refuse(SOCKET_MODULE.dup, arguments);
  const copy = native.dup(cint(fd));
  if (copy < 0) fail();
  // The number is the caller's, as in Python: no Socket owns it.
  native.disown(copy);
  return copy;
}

export { OSError };
