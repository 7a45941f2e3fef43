// The socket object: Python's socket.socket, over the addon's fd-level calls.
// Each Socket owns its fd number and its mode; a closed Socket never passes its
// old number to the OS (it may already belong to someone else).

import { inspect } from 'node:util';

import {
  addressParts,
  bytes,
  int,
  pyType,
  type AddressArgOf,
  type AddressOf,
  type Family,
} from './address';
import * as C from './constants';
import { badf, OSError, translate } from './errors';
import { native, type NativeAddress } from './native';
import { checkTimeout, getdefaulttimeout } from './timeout';

const TYPE_FLAGS = (C.SOCK_NONBLOCK ?? 0) | (C.SOCK_CLOEXEC ?? 0);
const dispose: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

/** Sockets collected while still open: close their fd and warn, as Python's ResourceWarning. */
const leaks = new FinalizationRegistry<{ fd: number; text: string }>((held) => {
  try {
    native.close(held.fd);
  } catch {
    // The fd is gone either way; nothing to report to a finalizer.
  }
  process.emitWarning(`unclosed ${held.text}`, 'ResourceWarning');
});

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

/** Runs an addon call, turning its errors into Python's. */
function call<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw translate(e);
  }
}

/** Python's repr of a value inside a tuple. */
function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(', ')}${v.length === 1 ? ',' : ''})`;
  if (v instanceof Uint8Array) return `b'${Buffer.from(v).toString('latin1')}'`;
  return v === null ? 'None' : String(v);
}

/** Python's `socket.socket`. `F` is the family's name, which types the addresses. */
export class Socket<F extends string = string> {
  #fd: number;
  #family: number;
  #type: number;
  #proto: number;
  #timeout: number | null;
  /** The timeout as the addon takes it: seconds, -1 for blocking. */
  #t: number;

  constructor(family?: Family<F> | number, type?: number, proto?: number, fileno?: number | null) {
    let fd: number;
    if (known !== null) {
      [fd, family, type, proto] = known;
    } else if (fileno !== undefined && fileno !== null) {
      fd = int(fileno);
      if (fd < 0) throw new RangeError('negative file descriptor');
      const [f, t, p] = call(() => native.socketAdopt(fd));
      family = family === undefined || family === -1 ? f : int(family);
      type = type === undefined || type === -1 ? t : int(type);
      proto = proto === undefined || proto === -1 ? p : int(proto);
    } else {
      family = family === undefined || family === -1 ? C.AF_INET : int(family);
      type = type === undefined || type === -1 ? C.SOCK_STREAM : int(type);
      proto = proto === undefined || proto === -1 ? 0 : int(proto);
      const [f, t, p] = [family, type, proto];
      fd = call(() => native.socketCreate(f, t, p));
    }
    this.#fd = fd;
    this.#family = family;
    this.#type = type & ~TYPE_FLAGS;
    this.#timeout = (type & (C.SOCK_NONBLOCK ?? 0)) !== 0 ? 0 : getdefaulttimeout();
    this.#t = this.#timeout ?? -1;
    leaks.register(this, { fd, text: `<socket.socket fd=${fd}, family=${family}, type=${this.#type}, proto=${proto}>` }, this);
    this.#proto = proto;
  }

  /** The fd, or OSError(EBADF) once closed. */
  #check(syscall: string): number {
    if (this.#fd < 0) throw badf(syscall);
    return this.#fd;
  }

  #address(address: unknown, caller: string) {
    return addressParts(this.#family, address, caller);
  }

  get family(): Family<F> {
    return this.#family as Family<F>;
  }
  /** The socket type, without SOCK_NONBLOCK / SOCK_CLOEXEC. */
  get type(): number {
    return this.#type;
  }
  get proto(): number {
    return this.#proto;
  }
  /** The timeout in seconds; null when blocking, 0 when non-blocking. */
  get timeout(): number | null {
    return this.#timeout;
  }

  /** The fd number; -1 once closed or detached. */
  fileno(): number {
    return this.#fd;
  }

  /** Closes the socket; closing twice does nothing. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    leaks.unregister(this);
    call(() => native.close(fd));
  }

  /** Gives up the fd without closing it and returns it; the socket acts closed. */
  detach(): number {
    const fd = this.#fd;
    if (fd < 0) return -1;
    this.#fd = -1;
    leaks.unregister(this);
    // bsdsock keeps fds non-blocking internally; hand back the mode the socket had.
    if (this.#timeout === null) call(() => native.setNonblocking(fd, false));
    return fd;
  }

  /** A new socket on a duplicate of the fd, with the same family, type and protocol. */
  dup(): Socket<F> {
    const fd = this.#check('dup');
    const copy = wrap<F>(call(() => native.dup(fd)), this.#family, this.#type, this.#proto);
    copy.settimeout(this.#timeout);
    return copy;
  }

  get_inheritable(): boolean {
    const fd = this.#check('fcntl');
    return call(() => native.getInheritable(fd));
  }

  set_inheritable(inheritable: boolean): void {
    const fd = this.#check('fcntl');
    call(() => native.setInheritable(fd, Boolean(inheritable)));
  }

  /** Blocking (true: timeout null) or non-blocking (false: timeout 0). */
  setblocking(flag: boolean): void {
    this.settimeout(flag ? null : 0);
  }

  getblocking(): boolean {
    return this.#timeout !== 0;
  }

  /** null blocks, 0 never waits, seconds > 0 waits at most that long then throws TimeoutError. */
  settimeout(value: number | null): void {
    const timeout = checkTimeout(value);
    this.#check('settimeout');
    this.#timeout = timeout;
    this.#t = timeout ?? -1;
  }

  gettimeout(): number | null {
    return this.#timeout;
  }

  bind(address: AddressArgOf<F>): void {
    const fd = this.#check('bind');
    const [h, a, b, c, x] = this.#address(address, 'bind');
    call(() => native.bind(fd, this.#family, h, a, b, c, x));
  }

  /** listen([backlog]): backlog defaults to min(SOMAXCONN, 128), as in Python. */
  listen(backlog?: number): void {
    const fd = this.#check('listen');
    const n = backlog === undefined ? Math.min(C.SOMAXCONN, 128) : Math.max(int(backlog), 0);
    call(() => native.listen(fd, n));
  }

  /** accept() -> [socket, address]. The new socket gets the default timeout, as in Python. */
  accept(): [Socket<F>, AddressOf<F>] {
    const fd = this.#check('accept');
    const [newfd, addr] = call(() => native.accept(fd, this.#t));
    const sock = wrap<F>(newfd, this.#family, this.#type, this.#proto);
    if (getdefaulttimeout() === null && this.#timeout !== null) sock.setblocking(true);
    return [sock, addr as AddressOf<F>];
  }

  connect(address: AddressArgOf<F>): void {
    const fd = this.#check('connect');
    const [h, a, b, c, x] = this.#address(address, 'connect');
    call(() => native.connect(fd, this.#t, this.#family, h, a, b, c, x));
  }

  /** connect() that returns the errno instead of throwing (0 on success). */
  connect_ex(address: AddressArgOf<F>): number {
    const fd = this.#check('connect_ex');
    const [h, a, b, c, x] = this.#address(address, 'connect_ex');
    return call(() => native.connectEx(fd, this.#t, this.#family, h, a, b, c, x));
  }

  shutdown(how: number): void {
    const fd = this.#check('shutdown');
    const n = int(how);
    call(() => native.shutdown(fd, n));
  }

  getsockname(): AddressOf<F> {
    const fd = this.#check('getsockname');
    return call(() => native.getsockname(fd)) as AddressOf<F>;
  }

  getpeername(): AddressOf<F> {
    const fd = this.#check('getpeername');
    return call(() => native.getpeername(fd)) as AddressOf<F>;
  }

  /** send(data, flags=0) -> bytes sent. */
  send(data: Uint8Array, flags = 0): number {
    const fd = this.#check('send');
    const buf = bytes(data);
    const f = int(flags);
    return call(() => native.send(fd, buf, f, this.#t));
  }

  /** Sends all of `data`, within one deadline in timeout mode. An error after a
   * partial send carries `characters_written`, so the caller can resume. */
  sendall(data: Uint8Array, flags = 0): void {
    const fd = this.#check('sendall');
    const buf = bytes(data);
    const f = int(flags);
    call(() => native.sendall(fd, buf, f, this.#t));
  }

  /** sendto(data, address) or sendto(data, flags, address) -> bytes sent. */
  sendto(data: Uint8Array, address: AddressArgOf<F>): number;
  sendto(data: Uint8Array, flags: number, address: AddressArgOf<F>): number;
  sendto(data: Uint8Array, flagsOrAddress: number | AddressArgOf<F>, maybeAddress?: AddressArgOf<F>): number {
    const fd = this.#check('sendto');
    const buf = bytes(data);
    let flags = 0;
    let address: unknown = flagsOrAddress;
    if (arguments.length >= 3) {
      flags = int(flagsOrAddress);
      address = maybeAddress;
    } else if (arguments.length < 2) {
      throw new TypeError(`sendto() takes 2 or 3 arguments (${arguments.length} given)`);
    }
    const [h, a, b, c, x] = this.#address(address, 'sendto');
    return call(() => native.sendto(fd, buf, flags, this.#t, this.#family, h, a, b, c, x));
  }

  /** recv(bufsize, flags=0) -> the bytes received (empty at end of stream). */
  recv(bufsize: number, flags = 0): Buffer {
    const n = int(bufsize);
    if (n < 0) throw new RangeError('negative buffersize in recv');
    const fd = this.#check('recv');
    const f = int(flags);
    return call(() => native.recv(fd, n, f, this.#t));
  }

  /** recvfrom(bufsize, flags=0) -> [bytes, address]; the address is null when the sender has none. */
  recvfrom(bufsize: number, flags = 0): [Buffer, AddressOf<F> | null] {
    const n = int(bufsize);
    if (n < 0) throw new RangeError('negative buffersize in recvfrom');
    const fd = this.#check('recvfrom');
    const f = int(flags);
    return call(() => native.recvfrom(fd, n, f, this.#t)) as [Buffer, AddressOf<F> | null];
  }

  /** recv_into(buffer, nbytes=0, flags=0) -> bytes received, written into `buffer` in place. */
  recv_into(buffer: Uint8Array, nbytes = 0, flags = 0): number {
    const [buf, n] = this.#into(buffer, nbytes, 'recv_into', 'buffer too small for requested bytes');
    const fd = this.#check('recv_into');
    const f = int(flags);
    return call(() => native.recvInto(fd, buf, n, f, this.#t));
  }

  /** recvfrom_into(buffer, nbytes=0, flags=0) -> [bytes received, address]. */
  recvfrom_into(buffer: Uint8Array, nbytes = 0, flags = 0): [number, AddressOf<F> | null] {
    const [buf, n] = this.#into(buffer, nbytes, 'recvfrom_into', 'nbytes is greater than the length of the buffer');
    const fd = this.#check('recvfrom_into');
    const f = int(flags);
    return call(() => native.recvfromInto(fd, buf, n, f, this.#t)) as [number, AddressOf<F> | null];
  }

  /** The writable bytes of `buffer` and how many of them to fill, checked as Python does. */
  #into(buffer: unknown, nbytes: unknown, caller: string, tooSmall: string): [Uint8Array, number] {
    if (!ArrayBuffer.isView(buffer) && !(buffer instanceof ArrayBuffer)) {
      throw new TypeError(`${caller}() argument 1 must be read-write bytes-like object, not ${pyType(buffer)}`);
    }
    const view = bytes(buffer);
    let n = int(nbytes);
    if (n < 0) throw new RangeError(`negative buffersize in ${caller}`);
    if (n === 0) n = view.byteLength;
    else if (n > view.byteLength) throw new RangeError(tooSmall);
    return [view, n];
  }

  /** setsockopt(level, opt, value): value an int, a boolean or bytes;
   * setsockopt(level, opt, null, optlen) passes NULL with optlen. */
  setsockopt(level: number, optname: number, value: number | boolean | Uint8Array | null, optlen?: number): void {
    const fd = this.#check('setsockopt');
    const lvl = int(level);
    const opt = int(optname);
    if (value === null && optlen !== undefined) {
      const len = int(optlen);
      if (len < 0 || len > 0xffffffff) throw new RangeError('optlen must be 0-4294967295.');
      call(() => native.setsockopt(fd, lvl, opt, null, len));
      return;
    }
    let raw: Uint8Array;
    if (typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff)) {
      raw = new Uint8Array(new Int32Array([Number(value)]).buffer);
    } else {
      raw = bytes(value);
    }
    call(() => native.setsockopt(fd, lvl, opt, raw, raw.byteLength));
  }

  /** getsockopt(level, opt) -> int, or getsockopt(level, opt, buflen) -> bytes (1 <= buflen <= 1024). */
  getsockopt(level: number, optname: number): number;
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen = 0): number | Buffer {
    const fd = this.#check('getsockopt');
    const lvl = int(level);
    const opt = int(optname);
    const len = int(buflen);
    if (len === 0) return call(() => native.getsockoptInt(fd, lvl, opt));
    return call(() => native.getsockoptBytes(fd, lvl, opt, len));
  }

  /** `using s = socket(...)` closes the socket at the end of the scope. */
  [dispose](): void {
    this.close();
  }

  /** Python's repr: `<socket.socket fd=3, family=2, type=1, proto=0, laddr=('127.0.0.1', 80)>`. */
  [inspect.custom](): string {
    const closed = this.#fd < 0 ? ' [closed]' : '';
    let text = `<socket.socket${closed} fd=${this.#fd}, family=${this.#family}, type=${this.#type}, proto=${this.#proto}`;
    if (this.#fd >= 0) {
      const laddr = this.#peek(() => native.getsockname(this.#fd));
      if (laddr !== undefined) text += `, laddr=${pyRepr(laddr)}`;
      const raddr = this.#peek(() => native.getpeername(this.#fd));
      if (raddr !== undefined) text += `, raddr=${pyRepr(raddr)}`;
    }
    return `${text}>`;
  }

  toString(): string {
    return this[inspect.custom]();
  }

  /** An address for repr, or undefined where the call fails (no peer, say). */
  #peek(f: () => NativeAddress): NativeAddress | undefined {
    try {
      return f();
    } catch {
      return undefined;
    }
  }
}

/** Python's `socket.SocketType`: the class of sockets. */
export { Socket as SocketType };

/** socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=null): a new socket. */
export function socket<F extends string = 'AF_INET'>(family?: Family<F>, type?: number, proto?: number, fileno?: number | null): Socket<F>;
export function socket(family: number, type?: number, proto?: number, fileno?: number | null): Socket<string>;
export function socket(family?: number, type?: number, proto?: number, fileno?: number | null): Socket<string> {
  return new Socket(family, type, proto, fileno);
}

/** socketpair(family=AF_UNIX, type=SOCK_STREAM, proto=0) -> [socket, socket], connected to each other. */
export function socketpair<F extends string = 'AF_UNIX'>(family?: Family<F> | number, type?: number, proto?: number): [Socket<F>, Socket<F>] {
  const f = family === undefined ? C.AF_UNIX : int(family);
  const t = type === undefined ? C.SOCK_STREAM : int(type);
  const p = proto === undefined ? 0 : int(proto);
  const [a, b] = call(() => native.socketpair(f, t, p));
  const masked = t & ~TYPE_FLAGS;
  const pair: [Socket<F>, Socket<F>] = [wrap<F>(a, f, masked, p), wrap<F>(b, f, masked, p)];
  if ((t & (C.SOCK_NONBLOCK ?? 0)) !== 0) for (const s of pair) s.setblocking(false);
  return pair;
}

/** fromfd(fd, family, type, proto=0): a socket on a duplicate of `fd`. */
export function fromfd<F extends string>(fd: number, family: Family<F> | number, type: number, proto = 0): Socket<F> {
  const copy = dup(fd);
  try {
    return new Socket<F>(family, type, proto, copy);
  } catch (e) {
    close(copy);
    throw e;
  }
}

/** close(fd): closes a socket fd number. */
export function close(fd: number): void {
  const n = int(fd);
  call(() => native.close(n));
}

/** dup(fd) -> a duplicate fd, not inheritable. */
export function dup(fd: number): number {
  const n = int(fd);
  return call(() => native.dup(n));
}

export { OSError };
