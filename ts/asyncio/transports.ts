// asyncio's transports on Node's event loop. A transport reads whenever its
// socket is readable (a reader callback on the fd, see loop.ts) and hands the
// bytes to its protocol; `write` never blocks: what the kernel will not take is
// kept, in the chunks it came in, and sent when the socket is writable again,
// with pause_writing / resume_writing on the protocol around the write-buffer
// limits (a datagram transport's `sendto` keeps its datagrams the same way).

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { pyTruth, pyType } from '../convert';
import { floatRepr, numberRepr, pyRepr } from '../repr';
import * as C from '../constants';
import { ConnectionError, isWouldBlock, NotImplementedError, OSError, RuntimeError, takeError, wouldBlock } from '../errors';
import { native, slotAddress, type NativeAddress } from '../native';
import { claim, room, settle, SLAB_RECEIVE_MAX } from '../slab';
import { sendtoNow, Socket } from '../socket';
import { TransportSocket } from './trsock';
import { hold, onFdGone, polling, READ, ReadGuess, releaseFd, reportLater, setCallback, useFd, WRITE } from './loop';
import { BufferedProtocol, Protocol, type BaseProtocol, type DatagramProtocol, type StreamProtocol } from './protocols';

/** Python's `==` of two addresses: tuples (arrays) item by item. */
function sameAddress(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What `get_extra_info` knows. Python: `asyncio.BaseTransport.get_extra_info`. */
export type ExtraInfoName = 'socket' | 'peername' | 'sockname';

function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`data argument must be a bytes-like object, not '${pyType(data)}'`);
}

/** writelines' pieces, as Python's `b''.join(list_of_data)` takes them. */
function joinable(piece: unknown, i: number): Buffer {
  if (piece instanceof Uint8Array || ArrayBuffer.isView(piece)) return toBuffer(piece);
  throw new TypeError(`sequence item ${i}: expected a bytes-like object, ${pyType(piece)} found`);
}

/** Python's `b''.join(list_of_data)` refuses what is no iterable: a number, None. */
function iterable(list: unknown): Iterable<unknown> {
  if (typeof (list as { [Symbol.iterator]?: unknown } | null | undefined)?.[Symbol.iterator] !== 'function') throw new TypeError('can only join an iterable');
  return list as Iterable<unknown>;
}

/** A dict key Python cannot hash (a list, a dict): `get_extra_info`'s dict.get refuses it. */
function unhashable(name: unknown): boolean {
  if (Array.isArray(name)) return true;
  if (typeof name !== 'object' || name === null) return false;
  const proto: unknown = Object.getPrototypeOf(name);
  return proto === Object.prototype || proto === null;
}

/** A write buffer limit as asyncio computes with it: the value (Python's int is a number, a bool or a bigint),
 * and whether it is Python's float (given with a fraction, or computed from one), for its repr. */
interface Limit {
  v: unknown;
  float: boolean;
}

const limit = (v: unknown): Limit => ({ v, float: typeof v === 'number' && !Number.isInteger(v) });

const isNumber = (v: unknown): v is number | bigint | boolean => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean';

/** Python's `==` of two items of lists being compared (numbers of any kind with each other). */
function pyEqual(a: unknown, b: unknown): boolean {
  if (isNumber(a) && isNumber(b)) return (typeof a === 'boolean' ? Number(a) : a) == (typeof b === 'boolean' ? Number(b) : b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEqual(x, b[i]));
  return a === b;
}

/** Python's `a >= b`: numbers of any kind with each other, a str, bytes or list with its own kind; anything else
 * is Python's TypeError. */
function pyGe(a: unknown, b: unknown): boolean {
  if (isNumber(a) && isNumber(b)) return (typeof a === 'boolean' ? Number(a) : a) >= (typeof b === 'boolean' ? Number(b) : b);
  if (typeof a === 'string' && typeof b === 'string') return a >= b;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) >= 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    // The first items that differ decide; if none does, the longer list is the greater.
    const i = a.findIndex((x, k) => k < b.length && !pyEqual(x, b[k]));
    return i === -1 ? a.length >= b.length : pyGe(a[i], b[i]);
  }
  throw new TypeError(`'>=' not supported between instances of '${pyType(a)}' and '${pyType(b)}'`);
}

/** asyncio's default high-water mark from a low one: Python's `4 * low` (a str, bytes or list repeated). */
function fourTimes({ v, float }: Limit): Limit {
  if (typeof v === 'boolean' || typeof v === 'number') return { v: 4 * Number(v), float };
  if (typeof v === 'bigint') return { v: 4n * v, float };
  if (typeof v === 'string') return { v: v.repeat(4), float };
  if (v instanceof Uint8Array) return { v: Buffer.concat([v, v, v, v]), float };
  if (Array.isArray(v)) return { v: [...v, ...v, ...v, ...v], float };
  throw new TypeError(`unsupported operand type(s) for *: 'int' and '${pyType(v)}'`);
}

/** asyncio's default low-water mark from a high one: Python's `high // 4`, rounded down (an infinity's is NaN). */
function quarter({ v, float }: Limit): Limit {
  if (typeof v === 'boolean' || typeof v === 'number') return { v: Number.isFinite(Number(v)) ? Math.floor(Number(v) / 4) : NaN, float };
  if (typeof v === 'bigint') return { v: v / 4n - (v % 4n < 0n ? 1n : 0n), float };
  throw new TypeError(`unsupported operand type(s) for //: '${pyType(v)}' and 'int'`);
}

/** Python's repr of a limit, for set_write_buffer_limits' message: an int's every digit, a float's as
 * Python writes it, a list's items in brackets. */
function limitRepr({ v, float }: Limit): string {
  if (typeof v === 'number') return float ? floatRepr(v) : numberRepr(v);
  if (Array.isArray(v)) return `[${v.map((x) => limitRepr(limit(x))).join(', ')}]`;
  return pyRepr(v);
}

/**
 * How much one read asks for: asyncio's `max_size`, 256 KiB (the largest receive into the slab), so
 * that a reader that pauses takes as much from the kernel before it does as asyncio's (and the peer's
 * writes find the same room). Reads go into the receive slab, and the protocol gets views of it.
 */
const MAX_READ = SLAB_RECEIVE_MAX;

/** A protocol the transport can call back: TypeError now rather than from a callback later. */
function checkProtocol(protocol: unknown): void {
  if (typeof (protocol as { connection_lost?: unknown } | null)?.connection_lost !== 'function') {
    throw new TypeError(`a protocol needs connection_lost(), not ${pyType(protocol)}`);
  }
}

/** The write buffer's default high-water mark (the low one is a quarter of it). */
const DEFAULT_HIGH = 64 * 1024;

/** Calls a protocol's pause_writing or resume_writing; what it throws is reported as uncaught. */
function flowCallback(protocol: BaseProtocol, name: 'pause_writing' | 'resume_writing'): void {
  try {
    protocol[name]();
  } catch (e) {
    reportLater(e);
  }
}

/** asyncio's `BaseTransport`. */
export abstract class BaseTransport {
  protected readonly sock: Socket;
  protected readonly fd: number;
  protected closing = false;
  protected lost = false;
  protected release: () => void;
  protected extra: { peername: unknown; sockname: unknown; socket: TransportSocket };
  /** The server the connection came through, told when the transport is gone. */
  onGone: (() => void) | null = null;

  constructor(sock: Socket, protocol: unknown) {
    if (!(sock instanceof Socket)) throw new TypeError(`a transport needs a bsdsock Socket, not ${pyType(sock)}`);
    if (typeof protocol !== 'object' || protocol === null) throw new TypeError(`a transport needs a protocol, not ${pyType(protocol)}`);
    this.sock = sock;
    this.fd = sock.fileno();
    this.release = hold();
    let peername: unknown = null;
    try {
      peername = sock.getpeername();
    } catch {
      peername = null;
    }
    let sockname: unknown = null;
    try {
      sockname = sock.getsockname();
    } catch {
      sockname = null;
    }
    this.extra = { peername, sockname, socket: new TransportSocket(sock) };
    useFd(this.fd, this);
    // Its socket closed or detached under it, no readiness can reach it: it no longer keeps the
    // loop alive (as asyncio's, it stays open until closed, and a write then fails with EBADF).
    onFdGone(this.fd, this.release);
  }

  /** The class name asyncio's repr gives (`_SelectorSocketTransport`, ...). */
  protected abstract get pyName(): string;
  /** asyncio's `get_write_buffer_size()`: bytes buffered, not yet sent. */
  abstract get_write_buffer_size(): number;

  /** asyncio's repr: `<_SelectorSocketTransport fd=6 read=polling write=<idle, bufsize=0>>`. */
  toString(): string {
    if (this.lost) return `<${this.pyName} closed fd=${this.fd}>`;
    const state = this.closing ? ' closing' : '';
    const read = polling(this.fd, READ) ? 'polling' : 'idle';
    const write = polling(this.fd, WRITE) ? 'polling' : 'idle';
    return `<${this.pyName}${state} fd=${this.fd} read=${read} write=<${write}, bufsize=${this.get_write_buffer_size()}>>`;
  }

  /**
   * asyncio's `get_extra_info(name, default=None)`: the socket (a TransportSocket, which cannot
   * close it or read it from under the transport; its fd is -1 once the transport closed it),
   * its peer's or its own address.
   */
  get_extra_info(name: 'socket'): TransportSocket;
  get_extra_info(name: ExtraInfoName | string, defaultValue?: unknown): unknown;
  get_extra_info(name: string, defaultValue: unknown = null): unknown {
    if (name === 'socket') return this.extra.socket;
    // As asyncio's, an address getpeername() or getsockname() failed to give is None, not the default.
    if (name === 'peername') return this.extra.peername;
    if (name === 'sockname') return this.extra.sockname;
    if (unhashable(name)) throw new TypeError(`unhashable type: '${pyType(name)}'`);
    return defaultValue;
  }

  /** asyncio's `is_closing()`: closed or being closed. */
  is_closing(): boolean {
    return this.closing;
  }

  /** Whether pause_reading() holds the protocol's data back. */
  protected paused = false;
  /** The callback that reads the socket when it is readable, which resume_reading() puts back. */
  protected abstract readCallback(): () => void;

  /** asyncio's `is_reading()`: not paused, not closing. */
  is_reading(): boolean {
    return !this.paused && !this.closing;
  }

  /** asyncio's `pause_reading()`: the protocol gets nothing more until resume_reading(). */
  pause_reading(): void {
    if (this.closing || this.paused) return;
    this.paused = true;
    setCallback(this.fd, true, READ, null);
  }

  /** asyncio's `resume_reading()`. */
  resume_reading(): void {
    if (this.closing || !this.paused) return;
    this.paused = false;
    setCallback(this.fd, true, READ, this.readCallback());
  }

  /**
   * Closes the transport: what is buffered is still sent, then `connection_lost(null)`.
   * Python: `asyncio.BaseTransport.close`.
   */
  abstract close(): void;
  protected abstract protocol(): BaseProtocol;
  /** Forgets what is buffered, unsent. */
  protected abstract dropBuffered(): void;

  /** Closes at once; what is buffered is lost. Python: `asyncio.WriteTransport.abort`. */
  abort(): void {
    this.forceClose(null);
  }

  /** asyncio's `_force_close`: drops what is buffered and closes, telling the protocol `exc`. */
  protected forceClose(exc: Error | null): void {
    this.dropBuffered();
    this.closing = true;
    this.finish(exc);
  }

  // Write flow control, asyncio's _FlowControlMixin: the protocol's pause_writing() once the
  // buffer is over the high-water mark, resume_writing() once it is back down to the low one.
  #high = DEFAULT_HIGH;
  #low = DEFAULT_HIGH / 4;
  #writingPaused = false;

  /**
   * asyncio's `set_write_buffer_limits(high=None, low=None)`: defaults 64 KiB and high/4. As Python
   * computes them: `4 * low`, `high // 4` and `high >= low >= 0` over any int (a bigint too) or float,
   * Python's TypeError where its operators refuse a value, and its ValueError (RangeError) quoting
   * both as Python writes them. get_write_buffer_limits() gives them as numbers (a bool as its int).
   */
  set_write_buffer_limits(high: number | bigint | null = null, low: number | bigint | null = null): void {
    let h = high === null ? null : limit(high);
    let l = low === null ? null : limit(low);
    if (h === null) h = l === null ? limit(DEFAULT_HIGH) : fourTimes(l);
    if (l === null) l = quarter(h);
    if (!(pyGe(h.v, l.v) && pyGe(l.v, 0))) throw new RangeError(`high (${limitRepr(h)}) must be >= low (${limitRepr(l)}) must be >= 0`);
    // Only numbers pass both comparisons.
    this.#high = Number(h.v);
    this.#low = Number(l.v);
    this.maybePauseWriting();
  }

  /** asyncio's `get_write_buffer_limits()`: `[low, high]`. */
  get_write_buffer_limits(): [number, number] {
    return [this.#low, this.#high];
  }

  /** After the buffer grew: pause_writing() once it is over the high-water mark. What the
   * callback throws is reported as uncaught (asyncio hands it to the loop's exception
   * handler); the write that grew the buffer still succeeds. */
  protected maybePauseWriting(): void {
    if (this.#writingPaused || this.get_write_buffer_size() <= this.#high) return;
    this.#writingPaused = true;
    flowCallback(this.protocol(), 'pause_writing');
  }

  /** Whether the protocol was last told pause_writing() (and not resume_writing() since). */
  protected get writingPaused(): boolean {
    return this.#writingPaused;
  }

  /** After the buffer shrank: resume_writing() once it is down to the low-water mark. */
  protected maybeResumeWriting(): void {
    if (!this.#writingPaused || this.get_write_buffer_size() > this.#low) return;
    this.#writingPaused = false;
    flowCallback(this.protocol(), 'resume_writing');
  }

  /** Tells the protocol (on the next turn, as asyncio's call_soon) and closes the socket. */
  protected finish(exc: Error | null): void {
    if (this.lost) return;
    this.lost = true;
    setCallback(this.fd, true, READ, null);
    setCallback(this.fd, true, WRITE, null);
    releaseFd(this.fd, this);
    setImmediate(() => {
      try {
        this.protocol().connection_lost(exc);
      } finally {
        this.sock.close();
        this.release();
        this.onGone?.();
      }
    });
  }
}

/** TCP_NODELAY on a TCP socket, as asyncio sets it on every stream transport's (`base_events._set_nodelay`). */
function setNodelay(sock: Socket): void {
  const inet = sock.family === C.AF_INET || sock.family === C.AF_INET6;
  if (inet && sock.type === C.SOCK_STREAM && sock.proto === C.IPPROTO_TCP) sock.setsockopt(C.IPPROTO_TCP, C.TCP_NODELAY, 1);
}

/** asyncio's `Transport` over a stream socket (its `_SelectorSocketTransport`). */
export class Transport extends BaseTransport {
  protected get pyName(): string {
    return '_SelectorSocketTransport';
  }

  /** asyncio's `max_size`: the most one read takes, 256 KiB (read-only here). */
  get max_size(): number {
    return MAX_READ;
  }

  #protocol: Protocol | BufferedProtocol;
  #buffered: boolean;
  #eof = false;
  #eofPending = false;
  /** Bytes not yet sent, as the chunks written; the first starts at #head. */
  #chunks: Buffer[] = [];
  #head = 0;
  #size = 0;
  /** Who waits for the write buffer to be empty (loop.sendfile). */
  #emptyWaiters: Settle[] = [];
  #reader = (): void => this.#read();
  #writer = (): void => this.#flush();

  constructor(sock: Socket, protocol: Protocol | BufferedProtocol) {
    super(sock, protocol);
    this.#protocol = protocol;
    this.#buffered = protocol instanceof BufferedProtocol;
    setNodelay(sock);
  }

  /** Tells the protocol and starts reading (asyncio does both on the next turn; here, before create_connection resolves). */
  start(): void {
    this.#protocol.connection_made(this);
    if (!this.closing && !this.paused) setCallback(this.fd, true, READ, this.#reader);
  }

  protected protocol(): BaseProtocol {
    return this.#protocol;
  }

  protected readCallback(): () => void {
    return this.#reader;
  }

  /** Changes the protocol that receives what follows (asyncio's `set_protocol`). */
  set_protocol(protocol: Protocol | BufferedProtocol): void {
    checkProtocol(protocol);
    this.#protocol = protocol;
    this.#buffered = protocol instanceof BufferedProtocol;
  }

  /** The protocol the transport delivers to. Python: `asyncio.BaseTransport.get_protocol`. */
  get_protocol(): Protocol | BufferedProtocol {
    return this.#protocol;
  }

  #read(): void {
    // As many reads as the kernel has ready (bounded, to stay fair to other fds).
    for (let i = 0; i < 16 && !this.paused && !this.closing; i++) {
      const got = this.#buffered ? this.#readBuffered() : this.#readData();
      if (got < MAX_READ) return;
    }
  }

  /** One read into the protocol's own buffer (BufferedProtocol): the bytes read, or -1 when reading stops for now. */
  #readBuffered(): number {
    const p = this.#protocol as BufferedProtocol;
    let buf: Uint8Array;
    try {
      buf = p.get_buffer(-1);
      if (!(buf instanceof Uint8Array) || buf.byteLength === 0) throw new RuntimeError('get_buffer() returned an empty buffer');
    } catch (e) {
      this.forceClose(e as Error);
      return -1;
    }
    const got = native.recvNow(this.fd, buf, 0, buf.byteLength);
    if (!this.#arrived(got)) return -1;
    try {
      p.buffer_updated(got);
    } catch (e) {
      // asyncio: "Fatal error: protocol.buffer_updated() call failed."
      this.forceClose(e as Error);
      return -1;
    }
    return got;
  }

  /** One read into the receive slab, a view of it given to data_received: the bytes read, or -1 when reading stops for now. */
  #readData(): number {
    claim(MAX_READ);
    const { memory, offset } = room;
    const got = native.recvNow(this.fd, memory, offset, MAX_READ);
    const data = settle(memory, offset, Math.max(got, 0), MAX_READ);
    if (!this.#arrived(got)) return -1;
    try {
      (this.#protocol as Protocol).data_received(data);
    } catch (e) {
      // asyncio: "Fatal error: protocol.data_received() call failed."
      this.forceClose(e as Error);
      return -1;
    }
    return got;
  }

  /** Whether a read brought bytes; if not, what it brought instead is handled (EOF, or an error other than would-block). */
  #arrived(got: number): boolean {
    if (got > 0) return true;
    if (got === 0) this.#onEof();
    else if (!wouldBlock()) this.forceClose(takeError());
    return false;
  }

  #onEof(): void {
    setCallback(this.fd, true, READ, null);
    let keep: unknown;
    try {
      keep = this.#protocol.eof_received();
    } catch (e) {
      this.forceClose(e as Error);
      return;
    }
    // asyncio keeps the transport open when the result is true in Python's sense.
    if (!pyTruth(keep)) this.close();
  }

  protected dropBuffered(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#size = 0;
  }

  protected override finish(exc: Error | null): void {
    super.finish(exc);
    // What was buffered will not be sent now (asyncio's empty waiter fails as the connection goes).
    settleAll(this.#emptyWaiters, exc ?? new ConnectionError('Connection is closed by peer'));
  }

  /** Resolves once the write buffer is empty; rejects if the connection goes first. */
  #emptied(): Promise<void> {
    if (this.#size === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.#emptyWaiters.push({ resolve, reject }));
  }

  /**
   * @internal loop.sendfile's native path (ts/asyncio/sendfile.ts; asyncio's `_sendfile_native`):
   * reading is paused and what is buffered is sent first; then `send` has the fd to itself (it is
   * not the transport's while `send` runs, so its waits are not refused as a race with the
   * transport). Reading resumes after, if it was on.
   */
  async sendingFile<T>(send: () => Promise<T>): Promise<T> {
    const resume = this.is_reading();
    this.pause_reading();
    try {
      await this.#emptied();
      releaseFd(this.fd, this);
      try {
        return await send();
      } finally {
        if (!this.lost) useFd(this.fd, this);
      }
    } finally {
      if (resume) this.resume_reading();
    }
  }

  /**
   * @internal loop.sendfile's fallback (asyncio's `_SendfileFallbackProtocol`): while `send` writes
   * the file through the transport, reading is paused and a stand-in protocol takes the flow
   * control calls: its `drain` (given to `send`) holds back while writing is paused. The
   * protocol's own connection_lost still comes. After, the protocol is given back, and told of a
   * change in the pausing of writing it has not seen.
   */
  async writingFile<T>(send: (drain: () => Promise<void>) => Promise<T>): Promise<T> {
    const protocol = this.#protocol;
    const resumeReading = this.is_reading();
    const pausedBefore = this.writingPaused;
    const standIn = new SendfileFallbackProtocol(this, protocol, pausedBefore);
    this.pause_reading();
    this.set_protocol(standIn);
    try {
      return await send(() => standIn.drain());
    } finally {
      this.set_protocol(protocol);
      if (resumeReading) this.resume_reading();
      if (pausedBefore !== this.writingPaused) flowCallback(protocol, this.writingPaused ? 'pause_writing' : 'resume_writing');
    }
  }

  /** asyncio's `write(data)`: sends what the kernel takes now and buffers the rest; never blocks. */
  write(data: Uint8Array): void {
    const buf = toBuffer(data);
    if (this.#eof) throw new RuntimeError('Cannot call write() after write_eof()');
    if (buf.byteLength === 0 || this.lost) return;
    if (this.closing) return;
    let start = 0;
    if (this.#size === 0) {
      const n = native.sendNow(this.fd, buf);
      if (n < 0) {
        if (!wouldBlock()) {
          this.forceClose(takeError());
          return;
        }
      } else {
        start = n;
        if (n === buf.byteLength) return;
      }
      setCallback(this.fd, true, WRITE, this.#writer);
    }
    // The caller may reuse its buffer: keep a copy of what is left.
    this.#chunks.push(Buffer.from(start === 0 ? buf : buf.subarray(start)));
    this.#size += buf.byteLength - start;
    this.maybePauseWriting();
  }

  /**
   * asyncio's `writelines(list_of_data)`: one write() of the pieces joined, as CPython 3.11's. One send, not one
   * per piece: a connection the peer reset fails them all or none (a send per piece would see the reset come
   * back between two); and after write_eof() even no pieces raise.
   */
  writelines(list: Iterable<Uint8Array>): void {
    const pieces = Array.from(iterable(list), joinable);
    this.write(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
  }

  #flush(): void {
    while (this.#chunks.length !== 0) {
      const first = this.#chunks[0]!;
      let n: number;
      if (this.#chunks.length > 1) {
        const list = this.#chunks.slice(0, 64);
        if (this.#head !== 0) list[0] = first.subarray(this.#head);
        n = native.sendmsg(this.fd, list, [], [], 0, 0, null);
      } else {
        n = native.sendNow(this.fd, this.#head === 0 ? first : first.subarray(this.#head));
      }
      if (n < 0) {
        if (wouldBlock()) break;
        this.forceClose(takeError());
        return;
      }
      this.#size -= n;
      let left = n;
      while (left > 0) {
        const c = this.#chunks[0]!;
        const rest = c.byteLength - this.#head;
        if (left >= rest) {
          left -= rest;
          this.#chunks.shift();
          this.#head = 0;
        } else {
          this.#head += left;
          left = 0;
        }
      }
    }
    this.maybeResumeWriting();
    if (this.#size === 0) {
      settleAll(this.#emptyWaiters, null);
      setCallback(this.fd, true, WRITE, null);
      if (this.closing) this.finish(null);
      else if (this.#eofPending) this.#shutdown();
    }
  }

  #shutdown(): void {
    this.#eofPending = false;
    try {
      this.sock.shutdown(C.SHUT_WR);
    } catch {
      // The peer is gone; reading will tell (see write_eof).
    }
  }

  /**
   * asyncio's `write_eof()`: shuts the write side down once the buffer is sent. A shutdown made then,
   * after the last send, fails only when the peer has gone (ENOTCONN): its error is dropped, as the
   * next read reports the reset, where asyncio hands it to the loop's exception handler (a log
   * line; in Node an uncaught exception would end the process).
   */
  write_eof(): void {
    if (this.closing || this.#eof) return;
    this.#eof = true;
    // A shutdown made now raises its error, as asyncio's (ENOTCONN once the peer has reset the connection).
    if (this.#size === 0) this.sock.shutdown(C.SHUT_WR);
    else this.#eofPending = true;
  }

  /** asyncio's `can_write_eof()`: true for a stream socket. */
  can_write_eof(): boolean {
    return true;
  }

  /** asyncio's `close()`: stops reading, sends what is buffered, then closes. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    setCallback(this.fd, true, READ, null);
    if (this.#size === 0) this.finish(null);
  }

  /** asyncio's `get_write_buffer_size()`: bytes buffered, not yet sent. */
  get_write_buffer_size(): number {
    return this.#size;
  }
}

/** A waiter's two ends. */
interface Settle {
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Resolves (`exc` null) or rejects every waiter of `list`, and empties it. */
function settleAll(list: Settle[], exc: Error | null): void {
  for (const w of list.splice(0)) {
    if (exc === null) w.resolve();
    else w.reject(exc);
  }
}

/** The protocol a transport has while loop.sendfile's fallback writes through it (asyncio's `_SendfileFallbackProtocol`). */
class SendfileFallbackProtocol extends Protocol {
  /** While writing is paused: what `drain` waits for. */
  #ready: (Settle & { promise: Promise<void> }) | null = null;

  constructor(
    private readonly transport: Transport,
    private readonly protocol: StreamProtocol,
    paused: boolean,
  ) {
    super();
    if (paused) this.pause_writing();
  }

  /** Resolves once writing may go on; rejects once the connection is closing or gone. */
  drain(): Promise<void> {
    if (this.transport.is_closing()) return Promise.reject(new ConnectionError('Connection closed by peer'));
    return this.#ready?.promise ?? Promise.resolve();
  }

  override connection_made(): void {
    throw new RuntimeError('Invalid state: connection should have been established already.');
  }

  override connection_lost(exc: Error | null): void {
    this.#ready?.reject(exc ?? new ConnectionError('Connection is closed by peer'));
    this.protocol.connection_lost(exc);
  }

  override pause_writing(): void {
    if (this.#ready !== null) return;
    let ends!: Settle;
    const promise = new Promise<void>((resolve, reject) => (ends = { resolve, reject }));
    // Nobody may be waiting when it fails: not an unhandled rejection.
    promise.catch(() => undefined);
    this.#ready = { ...ends, promise };
  }

  override resume_writing(): void {
    this.#ready?.resolve();
    this.#ready = null;
  }

  override data_received(): void {
    throw new RuntimeError('Invalid state: reading should be paused');
  }

  override eof_received(): boolean {
    throw new RuntimeError('Invalid state: reading should be paused');
  }
}

/** The datagrams one read of a DatagramTransport takes at most (one recvmmsg). */
const BATCH = 16;
/** What one readiness delivers at most, and the reads it makes at most. */
const MAX_DATAGRAMS = 64;
const MAX_READS = 32;
/** What one datagram's send came to: sent, no room in the socket (kept, or kept still), or
 * failed (and the failure reported). */
type Sent = 'sent' | 'full' | 'failed';

/** What a datagram kept for sending counts beyond its bytes in the write buffer: asyncio's `_header_size` (Python 3.13). */
const DATAGRAM_HEADER = 8;
/** asyncio's `max_size`: a datagram is received whole up to this size, cut there beyond. */
const MAX_DATAGRAM = 256 * 1024;

/** Where a batch lands, one stride per datagram, with its meta (per datagram: [nbytes,
 * msg_flags, address slot, new], see ts/msg.ts) and the addresses new to the facade: the
 * addon's, one per environment, which its reads find without being given them
 * (`datagramArea`). Shared by every datagram transport, since each batch is copied out
 * before anything else runs; never handed out. Made on first use (only the pages
 * written are ever touched). */
interface Batch {
  area: Buffer;
  meta: Int32Array;
  fresh: NativeAddress[];
}
let area: Batch | null = null;

/** The batch's area, made (and handed to the addon's reads) on first use. */
function datagramArea(): Batch {
  if (area === null) {
    const made = native.datagramArea(MAX_DATAGRAM, BATCH);
    if (made === null) throw takeError();
    area = { area: Buffer.from(made[0]), meta: made[1], fresh: made[2] };
  }
  return area;
}

/** The `n` datagrams of the batch just received, copied out of the area into one
 * Buffer they share, with their senders' addresses. */
function takeBatch(n: number): [Buffer, NativeAddress][] {
  const { area: src, meta: m, fresh } = datagramArea();
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.min(m[4 * i]!, MAX_DATAGRAM);
  const out = Buffer.allocUnsafe(total);
  const batch: [Buffer, NativeAddress][] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const got = Math.min(m[4 * i]!, MAX_DATAGRAM);
    src.copy(out, at, i * MAX_DATAGRAM, i * MAX_DATAGRAM + got);
    batch.push([n === 1 ? out : out.subarray(at, at + got), slotAddress(m[4 * i + 2]!, m[4 * i + 3] === 1 ? fresh[i] : undefined)]);
    at += got;
  }
  return batch;
}

/** asyncio's `DatagramTransport`. */
export class DatagramTransport extends BaseTransport {
  protected get pyName(): string {
    return '_SelectorDatagramTransport';
  }

  /** asyncio's `max_size`: a datagram is received whole up to 256 KiB, cut there beyond (read-only here). */
  get max_size(): number {
    return MAX_DATAGRAM;
  }

  #protocol: DatagramProtocol;
  #queue: [Buffer, unknown][] = [];
  #size = 0;
  #address: unknown;
  #reader = (): void => this.#read();
  #writer = (): void => this.#flush();
  /** Datagrams read in a batch after the protocol paused reading, delivered first when it resumes. */
  #held: [Buffer, NativeAddress][] = [];
  /** Whether a read after a short batch tends to find more. */
  #more = new ReadGuess();
  /** How many datagrams the next read asks for: twice what the last one found when it was full, else
   * what it found (at least 2: a read that finds fewer than it asked for has emptied the queue, so
   * one datagram a readiness needs no second read). Entries asked for and not filled cost their
   * setting up, in each read. */
  #want = 2;

  /** Whether sends go with send(): the socket had a peer when the transport was made (see `#send`). */
  #sendsToPeer: boolean;

  constructor(sock: Socket, protocol: DatagramProtocol, address: unknown) {
    super(sock, protocol);
    this.#protocol = protocol;
    this.#address = address;
    this.#sendsToPeer = pyTruth(this.extra.peername);
  }

  /** Tells the protocol (`connection_made`) and starts reading; create_datagram_endpoint calls it. */
  start(): void {
    this.#protocol.connection_made(this);
    // A protocol may pause reading in connection_made, as asyncio's _add_reader heeds.
    if (!this.closing && !this.paused) setCallback(this.fd, true, READ, this.#reader);
  }

  protected protocol(): BaseProtocol {
    return this.#protocol;
  }

  protected readCallback(): () => void {
    return this.#reader;
  }

  /**
   * asyncio's `resume_reading()`. Datagrams a batch read held back when the protocol paused come
   * first, on the next turn (asyncio delivers one datagram per readiness, so it never holds any).
   */
  override resume_reading(): void {
    super.resume_reading();
    if (this.#held.length !== 0 && this.is_reading()) setImmediate(this.#reader);
  }

  /** Changes the protocol that receives the datagrams that follow. Python: `asyncio.BaseTransport.set_protocol`. */
  set_protocol(protocol: DatagramProtocol): void {
    checkProtocol(protocol);
    this.#protocol = protocol;
  }

  /** The protocol the transport delivers to. Python: `asyncio.BaseTransport.get_protocol`. */
  get_protocol(): DatagramProtocol {
    return this.#protocol;
  }

  #read(): void {
    // Batch after batch, up to MAX_DATAGRAMS (fair to other fds). A short batch
    // emptied the queue: another read is made only if such reads have been
    // finding what came in the meantime (a peer answering at once), not one
    // per readiness only to fail.
    if (this.#held.length !== 0) this.#deliver(this.#held.splice(0));
    datagramArea();
    let extra = false;
    for (let left = MAX_DATAGRAMS, reads = 0; left > 0 && reads < MAX_READS && !this.closing && !this.paused; reads++) {
      const want = this.#want;
      const n = native.recvmmsgArea(this.fd, want);
      if (n < 0 && wouldBlock()) {
        if (extra) this.#more.found(false);
        return;
      }
      if (extra) this.#more.found(true);
      if (n < 0) {
        this.#protocol.error_received(takeError());
        left--;
        extra = false;
        continue;
      }
      this.#deliver(takeBatch(n));
      left -= n;
      extra = n < want;
      this.#want = extra ? Math.max(n, 2) : Math.min(2 * n, BATCH);
      if (extra && !this.#more.worthReading()) return;
    }
  }

  /** Hands each datagram to the protocol, in order, until one closes the transport (the rest
   * are dropped, as the socket's queue is) or pauses reading (the rest are held for its resume);
   * what one call throws is reported as the reader's would be, and the rest still come. */
  #deliver(batch: [Buffer, NativeAddress][]): void {
    for (let i = 0; i < batch.length && !this.closing; i++) {
      if (this.paused) {
        this.#held.push(...batch.slice(i));
        return;
      }
      const [data, addr] = batch[i]!;
      try {
        this.#protocol.datagram_received(data, addr);
      } catch (e) {
        reportLater(e);
      }
    }
  }

  /**
   * asyncio's `sendto(data, addr=None)`: a datagram to `addr`, or to the connected peer. One the
   * socket has no room for (a Unix datagram peer's queue is full) is kept and sent in order when
   * it has, with pause_writing() / resume_writing() around the write-buffer limits. An empty
   * `data` is sent as an empty datagram, as Python 3.13's asyncio does (3.11 and 3.12 send nothing),
   * and each datagram kept counts its header too, as 3.13 counts it: a flood of empty ones still
   * reaches the high-water mark.
   */
  sendto(data: Uint8Array, addr: unknown = null): void {
    const buf = toBuffer(data);
    let to: unknown = addr ?? null;
    if (this.#address !== null) {
      if (to !== null && !sameAddress(to, this.#address)) throw new RangeError(`Invalid address: must be None or ${pyRepr(this.#address)}`);
      // The remote address: the connected peer's, or, with allow_broadcast, where each datagram goes.
      to = this.#address;
    }
    if (this.closing) return;
    if (this.#queue.length === 0 && this.#send(buf, to) !== 'full') return;
    if (this.#queue.length === 0) setCallback(this.fd, true, WRITE, this.#writer);
    this.#queue.push([Buffer.from(buf), to]);
    this.#size += buf.byteLength + DATAGRAM_HEADER;
    this.maybePauseWriting();
  }

  /**
   * Sends now: 'full' when the socket has no room. As asyncio's, a send where the socket had a
   * peer when the transport was made (a truthy peername: an unnamed Unix peer's '' is
   * not), else a sendto `addr` (null, when there is none, is sendto's TypeError). A send
   * that fails is done with ('failed'): an OSError (an ICMP error the kernel reports, a name
   * that does not resolve, EPIPE once the socket is shut down) is the protocol's
   * error_received(), anything else (an address of the wrong shape, or none) ends the
   * transport, as asyncio's fatal write error.
   */
  #send(buf: Buffer, addr: unknown): Sent {
    try {
      if (!this.#sendsToPeer) return sendtoNow(this.sock, buf, addr) === null ? 'full' : 'sent';
      this.sock.send(buf);
      return 'sent';
    } catch (e) {
      if (isWouldBlock(e)) return 'full';
      if (e instanceof OSError) this.#protocol.error_received(e);
      else this.forceClose(e as Error);
      return 'failed';
    }
  }

  /** Sends the kept datagrams, in order, while the socket has room. As asyncio's
   * `_sendto_ready`, a datagram whose send fails is dropped and ends this turn's sending:
   * the rest wait for the next readiness, so a socket that fails every send (shut down)
   * reports one error a turn, not a burst. */
  #flush(): void {
    while (this.#queue.length !== 0) {
      const [buf, addr] = this.#queue[0]!;
      const sent = this.#send(buf, addr);
      if (sent === 'full') break;
      if (this.lost) return;
      this.#queue.shift();
      this.#size -= buf.byteLength + DATAGRAM_HEADER;
      if (sent === 'failed') return;
    }
    this.maybeResumeWriting();
    if (this.#queue.length !== 0) return;
    setCallback(this.fd, true, WRITE, null);
    if (this.closing) this.finish(null);
  }

  /** asyncio's `get_write_buffer_size()`: the datagrams kept, each with its header (8 bytes, as Python 3.13 counts). */
  get_write_buffer_size(): number {
    return this.#size;
  }

  /** A datagram transport has no stream to write or end: NotImplementedError, as asyncio's (its
   * `WriteTransport` methods). Python: `asyncio.WriteTransport.write`. */
  write(_data: Uint8Array): never {
    throw new NotImplementedError();
  }

  /** NotImplementedError, as asyncio's datagram transport. Python: `asyncio.WriteTransport.writelines`. */
  writelines(_list: Iterable<Uint8Array>): never {
    throw new NotImplementedError();
  }

  /** NotImplementedError, as asyncio's datagram transport. Python: `asyncio.WriteTransport.write_eof`. */
  write_eof(): never {
    throw new NotImplementedError();
  }

  /** NotImplementedError, as asyncio's datagram transport (it does not answer false). Python: `asyncio.WriteTransport.can_write_eof`. */
  can_write_eof(): never {
    throw new NotImplementedError();
  }

  /** Stops reading, sends the queued datagrams, then closes. Python: `asyncio.DatagramTransport.close`. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    setCallback(this.fd, true, READ, null);
    if (this.#queue.length === 0) this.finish(null);
  }

  protected dropBuffered(): void {
    this.#queue = [];
    this.#size = 0;
  }
}
