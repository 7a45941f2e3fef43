// asyncio's protocols and transports on Node's event loop: create_connection,
// create_server, their Unix variants and create_datagram_endpoint. A
// transport reads whenever its socket is readable (a reader callback on the
// fd, see loop.ts) and hands the bytes to its protocol; `write` never blocks:
// what the kernel will not take is kept, in the chunks it came in, and sent
// when the socket is writable again, with pause_writing / resume_writing on
// the protocol around the write-buffer limits.

import { keywords, type WithOptions } from '../keywords';
import * as fs from 'node:fs';

import { pyType, type AddressArgOf } from '../address';
import * as C from '../constants';
import { errnos, OSError, RuntimeError, takeError } from '../errors';
import { lastErrno, native } from '../native';
import { pyRepr } from '../repr';
import { Socket } from '../socket';
import { hold, READ, setCallback, WRITE } from './loop';
import { getaddrinfo } from './resolver';
import { sock_connect } from './sock';

/** asyncio's `BaseProtocol`: connection_made, connection_lost and write flow control. */
export class BaseProtocol {
  /** Called when the connection is made, with its transport. Python: `asyncio.BaseProtocol.connection_made`. */
  connection_made(_transport: BaseTransport): void {}
  /** Called when the connection is lost or closed: null on a clean close, else the error.
   * Python: `asyncio.BaseProtocol.connection_lost`.
   */
  connection_lost(_exc: Error | null): void {}
  /** The transport's write buffer went over its high-water mark. Python: `asyncio.BaseProtocol.pause_writing`. */
  pause_writing(): void {}
  /** The transport's write buffer drained to its low-water mark. Python: `asyncio.BaseProtocol.resume_writing`. */
  resume_writing(): void {}
}

/** asyncio's `Protocol`: a stream's bytes as they arrive. */
export class Protocol extends BaseProtocol {
  override connection_made(_transport: Transport): void {}
  /** Some bytes arrived (a view valid for good: the transport never reuses it). Python: `asyncio.Protocol.data_received`. */
  data_received(_data: Buffer): void {}
  /** The peer sent EOF. Return true to keep the transport open (for writing); otherwise it closes.
   * Python: `asyncio.Protocol.eof_received`.
   */
  eof_received(): boolean | void {}
}

/** asyncio's `BufferedProtocol`: bytes are received straight into the protocol's own buffer. */
export class BufferedProtocol extends BaseProtocol {
  override connection_made(_transport: Transport): void {}
  /** The buffer to receive into next; `sizehint` is -1 (any size). Python: `asyncio.BufferedProtocol.get_buffer`. */
  get_buffer(_sizehint: number): Uint8Array {
    throw new RuntimeError('BufferedProtocol.get_buffer() not implemented');
  }
  /**
   * `nbytes` bytes were written at the start of the buffer get_buffer returned.
   * Python: `asyncio.BufferedProtocol.buffer_updated`.
   */
  buffer_updated(_nbytes: number): void {}
  /** The peer sent EOF. Return true to keep the transport open (for writing). Python: `asyncio.BufferedProtocol.eof_received`. */
  eof_received(): boolean | void {}
}

/** asyncio's `DatagramProtocol`. */
export class DatagramProtocol extends BaseProtocol {
  override connection_made(_transport: DatagramTransport): void {}
  /** A datagram arrived from `addr`. Python: `asyncio.DatagramProtocol.datagram_received`. */
  datagram_received(_data: Buffer, _addr: unknown): void {}
  /** A send or receive failed (ICMP errors such as ConnectionRefusedError among them).
   * Python: `asyncio.DatagramProtocol.error_received`.
   */
  error_received(_exc: Error): void {}
}

/** What `get_extra_info` knows. Python: `asyncio.BaseTransport.get_extra_info`. */
export type ExtraInfoName = 'socket' | 'peername' | 'sockname';

const EAGAIN = C.EAGAIN;
const EWOULDBLOCK = C.EWOULDBLOCK;
function wouldBlock(): boolean {
  const e = lastErrno();
  return e === EAGAIN || e === EWOULDBLOCK;
}

function toBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(`data argument must be a bytes-like object, not '${data === null ? 'NoneType' : typeof data}'`);
}

/** Reads go into a slab; the protocol gets views of it, and a full slab is left to the views and replaced. */
const SLAB_SIZE = 256 * 1024;
const MAX_READ = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
let slabUsed = 0;

/** A protocol the transport can call back: TypeError now rather than from a callback later. */
function checkProtocol(protocol: unknown): void {
  if (typeof (protocol as { connection_lost?: unknown } | null)?.connection_lost !== 'function') {
    throw new TypeError(`a protocol needs connection_lost(), not ${pyType(protocol)}`);
  }
}

/** asyncio's `BaseTransport`. */
export abstract class BaseTransport {
  protected readonly sock: Socket;
  protected readonly fd: number;
  protected closing = false;
  protected lost = false;
  protected release: () => void;
  protected extra: { peername: unknown; sockname: unknown };
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
    this.extra = { peername, sockname };
  }

  /** asyncio's `get_extra_info(name, default=None)`: the socket, its peer's or its own address. */
  get_extra_info(name: 'socket'): Socket | null;
  get_extra_info(name: ExtraInfoName | string, defaultValue?: unknown): unknown;
  get_extra_info(name: string, defaultValue: unknown = null): unknown {
    if (name === 'socket') return this.lost ? null : this.sock;
    if (name === 'peername') return this.extra.peername ?? defaultValue;
    if (name === 'sockname') return this.extra.sockname ?? defaultValue;
    return defaultValue;
  }

  /** asyncio's `is_closing()`: closed or being closed. */
  is_closing(): boolean {
    return this.closing;
  }

  /**
   * Closes the transport: buffered data is still sent (stream transports), then `connection_lost(null)`.
   * Python: `asyncio.BaseTransport.close`.
   */
  abstract close(): void;
  /** Closes at once; buffered data is lost. Python: `asyncio.WriteTransport.abort`. */
  abstract abort(): void;
  protected abstract protocol(): BaseProtocol;

  /** Tells the protocol (on the next turn, as asyncio's call_soon) and closes the socket. */
  protected finish(exc: Error | null): void {
    if (this.lost) return;
    this.lost = true;
    setCallback(this.fd, true, READ, null);
    setCallback(this.fd, true, WRITE, null);
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

const DEFAULT_HIGH = 64 * 1024;

/** asyncio's `Transport` over a stream socket (its `_SelectorSocketTransport`). */
export class Transport extends BaseTransport {
  #protocol: Protocol | BufferedProtocol;
  #buffered: boolean;
  #paused = false;
  #eof = false;
  #eofPending = false;
  /** Bytes not yet sent, as the chunks written; the first starts at #head. */
  #chunks: Buffer[] = [];
  #head = 0;
  #size = 0;
  #high = DEFAULT_HIGH;
  #low = DEFAULT_HIGH / 4;
  #writingPaused = false;
  #reader = (): void => this.#read();
  #writer = (): void => this.#flush();

  constructor(sock: Socket, protocol: Protocol | BufferedProtocol) {
    super(sock, protocol);
    this.#protocol = protocol;
    this.#buffered = protocol instanceof BufferedProtocol;
  }

  /** Tells the protocol and starts reading (asyncio does both on the next turn; here, before create_connection resolves). */
  start(): void {
    this.#protocol.connection_made(this);
    if (!this.closing && !this.#paused) setCallback(this.fd, true, READ, this.#reader);
  }

  protected protocol(): BaseProtocol {
    return this.#protocol;
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
    for (let i = 0; i < 16 && !this.#paused && !this.closing; i++) {
      let got: number;
      if (this.#buffered) {
        const p = this.#protocol as BufferedProtocol;
        let buf: Uint8Array;
        try {
          buf = p.get_buffer(-1);
          if (!(buf instanceof Uint8Array) || buf.byteLength === 0) throw new RuntimeError('get_buffer() returned an empty buffer');
        } catch (e) {
          this.#fatal(e as Error);
          return;
        }
        got = native.recvInto(this.fd, buf, 0, buf.byteLength, 0, 0);
        if (got < 0) {
          if (wouldBlock()) return;
          this.#fatal(takeError());
          return;
        }
        if (got === 0) {
          this.#onEof();
          return;
        }
        try {
          p.buffer_updated(got);
        } catch (e) {
          // asyncio: "Fatal error: protocol.buffer_updated() call failed."
          this.#fatal(e as Error);
          return;
        }
      } else {
        if (slabUsed + MAX_READ > SLAB_SIZE) {
          slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
          slabUsed = 0;
        }
        const offset = slabUsed;
        got = native.recvInto(this.fd, slab, offset, MAX_READ, 0, 0);
        if (got < 0) {
          if (wouldBlock()) return;
          this.#fatal(takeError());
          return;
        }
        if (got === 0) {
          this.#onEof();
          return;
        }
        slabUsed = (offset + got + 7) & ~7;
        try {
          (this.#protocol as Protocol).data_received(slab.subarray(offset, offset + got));
        } catch (e) {
          // asyncio: "Fatal error: protocol.data_received() call failed."
          this.#fatal(e as Error);
          return;
        }
      }
      if (got < MAX_READ) return;
    }
  }

  #onEof(): void {
    setCallback(this.fd, true, READ, null);
    let keep: boolean | void;
    try {
      keep = this.#protocol.eof_received();
    } catch (e) {
      this.#fatal(e as Error);
      return;
    }
    if (keep !== true) this.close();
  }

  #fatal(exc: Error): void {
    this.#chunks = [];
    this.#size = 0;
    this.closing = true;
    this.finish(exc);
  }

  /** asyncio's `write(data)`: sends what the kernel takes now and buffers the rest; never blocks. */
  write(data: Uint8Array): void {
    const buf = toBuffer(data);
    if (this.#eof) throw new RuntimeError('Cannot call write() after write_eof()');
    if (buf.byteLength === 0 || this.lost) return;
    if (this.closing) return;
    let start = 0;
    if (this.#size === 0) {
      const n = native.send(this.fd, buf, 0, 0);
      if (n < 0) {
        if (!wouldBlock()) {
          this.#fatal(takeError());
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
    this.#checkHigh();
  }

  /** asyncio's `writelines(list_of_data)`. */
  writelines(list: Iterable<Uint8Array>): void {
    for (const d of list) this.write(d);
  }

  #checkHigh(): void {
    if (!this.#writingPaused && this.#size > this.#high) {
      this.#writingPaused = true;
      this.#protocol.pause_writing();
    }
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
        n = native.send(this.fd, this.#head === 0 ? first : first.subarray(this.#head), 0, 0);
      }
      if (n < 0) {
        if (wouldBlock()) break;
        this.#fatal(takeError());
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
    if (this.#writingPaused && this.#size <= this.#low) {
      this.#writingPaused = false;
      this.#protocol.resume_writing();
    }
    if (this.#size === 0) {
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
      // The peer is gone; reading will tell.
    }
  }

  /** asyncio's `write_eof()`: shuts the write side down once the buffer is sent. */
  write_eof(): void {
    if (this.closing || this.#eof) return;
    this.#eof = true;
    if (this.#size === 0) this.#shutdown();
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

  /** asyncio's `abort()`: closes at once; buffered bytes are lost. */
  abort(): void {
    this.#chunks = [];
    this.#size = 0;
    this.closing = true;
    this.finish(null);
  }

  /** asyncio's `is_reading()`. */
  is_reading(): boolean {
    return !this.#paused && !this.closing;
  }

  /** asyncio's `pause_reading()`: the protocol gets nothing until resume_reading(). */
  pause_reading(): void {
    if (this.closing || this.#paused) return;
    this.#paused = true;
    setCallback(this.fd, true, READ, null);
  }

  /** asyncio's `resume_reading()`. */
  resume_reading(): void {
    if (this.closing || !this.#paused) return;
    this.#paused = false;
    setCallback(this.fd, true, READ, this.#reader);
  }

  /** asyncio's `set_write_buffer_limits(high=None, low=None)`: defaults 64 KiB and high/4. */
  set_write_buffer_limits(high: number | null = null, low: number | null = null): void {
    let h = high;
    let l = low;
    if (h === null) h = l === null ? DEFAULT_HIGH : 4 * l;
    if (l === null) l = Math.floor(h / 4);
    if (!(h >= l && l >= 0)) throw new RangeError(`high (${h}) must be >= low (${l}) must be >= 0`);
    this.#high = h;
    this.#low = l;
    this.#checkHigh();
  }

  /** asyncio's `get_write_buffer_limits()`: `[low, high]`. */
  get_write_buffer_limits(): [number, number] {
    return [this.#low, this.#high];
  }

  /** asyncio's `get_write_buffer_size()`: bytes buffered, not yet sent. */
  get_write_buffer_size(): number {
    return this.#size;
  }
}

/** asyncio's `DatagramTransport`. */
export class DatagramTransport extends BaseTransport {
  #protocol: DatagramProtocol;
  #queue: [Buffer, unknown][] = [];
  #size = 0;
  #address: unknown;
  #reader = (): void => this.#read();
  #writer = (): void => this.#flush();

  constructor(sock: Socket, protocol: DatagramProtocol, address: unknown) {
    super(sock, protocol);
    this.#protocol = protocol;
    this.#address = address;
  }

  /** Tells the protocol (`connection_made`) and starts reading; create_datagram_endpoint calls it. */
  start(): void {
    this.#protocol.connection_made(this);
    if (!this.closing) setCallback(this.fd, true, READ, this.#reader);
  }

  protected protocol(): BaseProtocol {
    return this.#protocol;
  }

  #read(): void {
    for (let i = 0; i < 16 && !this.lost; i++) {
      let data: Buffer;
      let addr: unknown;
      try {
        [data, addr] = this.sock.recvfrom(256 * 1024);
      } catch (e) {
        if (e instanceof OSError && (e.errno === EAGAIN || e.errno === EWOULDBLOCK)) return;
        this.#protocol.error_received(e as Error);
        continue;
      }
      this.#protocol.datagram_received(data, addr);
    }
  }

  /** asyncio's `sendto(data, addr=None)`: a datagram to `addr`, or to the connected peer. */
  sendto(data: Uint8Array, addr: unknown = null): void {
    const buf = toBuffer(data);
    if (this.#address !== null && addr !== null && addr !== undefined) {
      throw new RangeError(`Invalid address: must be None or ${JSON.stringify(this.#address)}`);
    }
    if (this.closing) return;
    if (this.#queue.length === 0 && this.#send(buf, addr)) return;
    this.#queue.push([Buffer.from(buf), addr]);
    this.#size += buf.byteLength;
    setCallback(this.fd, true, WRITE, this.#writer);
  }

  /** Sends now: true when done (or failed and reported), false when the socket is full. */
  #send(buf: Buffer, addr: unknown): boolean {
    try {
      if (addr === null || addr === undefined) this.sock.send(buf);
      else this.sock.sendto(buf, addr as AddressArgOf<string>);
      return true;
    } catch (e) {
      if (e instanceof OSError && (e.errno === EAGAIN || e.errno === EWOULDBLOCK)) return false;
      this.#protocol.error_received(e as Error);
      return true;
    }
  }

  #flush(): void {
    while (this.#queue.length !== 0) {
      const [buf, addr] = this.#queue[0]!;
      if (!this.#send(buf, addr)) return;
      this.#queue.shift();
      this.#size -= buf.byteLength;
    }
    setCallback(this.fd, true, WRITE, null);
    if (this.closing) this.finish(null);
  }

  /** asyncio's `get_write_buffer_size()`. */
  get_write_buffer_size(): number {
    return this.#size;
  }

  /** Stops reading, sends the queued datagrams, then closes. Python: `asyncio.DatagramTransport.close`. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    setCallback(this.fd, true, READ, null);
    if (this.#queue.length === 0) this.finish(null);
  }

  /** Closes at once; queued datagrams are lost. Python: `asyncio.DatagramTransport.abort`. */
  abort(): void {
    this.#queue = [];
    this.#size = 0;
    this.closing = true;
    this.finish(null);
  }
}

/** asyncio's keyword-only arguments of `create_connection` (no ssl, no happy eyeballs). */
export interface ConnectionOptions {
  /** An already connected stream socket to use instead of host and port. */
  sock?: Socket | null;
  family?: number;
  proto?: number;
  flags?: number;
  /** `[host, port]` to bind the socket to first. */
  local_addr?: [string, number] | null;
}

/** asyncio's keyword-only arguments of `create_server`. */
export interface ServerOptions {
  sock?: Socket | null;
  family?: number;
  flags?: number;
  backlog?: number;
  reuse_address?: boolean;
  reuse_port?: boolean;
  /** Whether the server accepts at once (default true). */
  start_serving?: boolean;
}

type StreamProtocol = Protocol | BufferedProtocol;

function checkStream(sock: Socket): void {
  if (sock.type !== C.SOCK_STREAM) throw new RangeError(`A Stream Socket was expected, got ${String(sock)}`);
}

/** asyncio's `_make_socket_transport` and the wait for connection_made. */
function connected<P extends StreamProtocol>(sock: Socket, protocol_factory: () => P): [Transport, P] {
  sock.setblocking(false);
  const protocol = protocol_factory();
  const transport = new Transport(sock, protocol);
  transport.start();
  return [transport, protocol];
}

/** asyncio's error for several failed attempts. */
function combined(errors: Error[]): Error {
  if (errors.length === 1) return errors[0]!;
  const first = String(errors[0]);
  if (errors.every((e) => String(e) === first)) return errors[0]!;
  return new OSError(`Multiple exceptions: ${errors.map((e) => e.message).join(', ')}`);
}

/**
 * asyncio's `loop.create_connection(protocol_factory, host, port, *, sock,
 * family, proto, flags, local_addr)`: `[transport, protocol]` once connected,
 * each address of `host` tried in turn.
 */
export async function create_connection<P extends StreamProtocol>(
  ...args: WithOptions<
    [protocol_factory: () => P],
    [host: string | null | undefined, port: number | string | null | undefined],
    ConnectionOptions
  >
): Promise<[Transport, P]> {
  const [[protocol_factory, host = null, port = null], options] = keywords<[() => P, (string | null)?, (number | string | null)?], ConnectionOptions>(
    args,
    { name: 'create_connection', min: 1, max: 3 },
  );
  if (options.sock !== undefined && options.sock !== null) {
    if (host !== null || port !== null) throw new RangeError('host/port and sock can not be specified at the same time');
    checkStream(options.sock);
    return connected(options.sock, protocol_factory);
  }
  if (host === null && port === null) throw new RangeError('host and port was not specified and no sock specified');
  const infos = await getaddrinfo(host, port, {
    family: options.family ?? 0,
    type: C.SOCK_STREAM,
    proto: options.proto ?? 0,
    flags: options.flags ?? 0,
  });
  if (infos.length === 0) throw new OSError('getaddrinfo() returned empty list');
  const errors: Error[] = [];
  for (const [family, type, proto, , address] of infos) {
    const sock: Socket = new Socket(family, type, proto);
    try {
      sock.setblocking(false);
      if (options.local_addr !== undefined && options.local_addr !== null) {
        const local = await getaddrinfo(options.local_addr[0], options.local_addr[1], { family, type: C.SOCK_STREAM });
        if (local.length === 0) throw new OSError('getaddrinfo() returned empty list');
        sock.bind(local[0]![4] as AddressArgOf<string>);
      }
      await sock_connect(sock, address as AddressArgOf<string>);
      return connected(sock, protocol_factory);
    } catch (e) {
      sock.close();
      errors.push(e as Error);
    }
  }
  throw combined(errors);
}

/** accept() errors after which asyncio pauses accepting for a second. */
const OUT_OF_RESOURCES = new Set([errnos.EMFILE, errnos.ENFILE, errnos.ENOBUFS, errnos.ENOMEM].filter((n): n is number => typeof n === 'number'));

/** asyncio's `Server`: the listening sockets, accepting into transports. */
export class Server {
  readonly #sockets: Socket[];
  readonly #factory: () => StreamProtocol;
  readonly #backlog: number;
  readonly #cleanup: (() => void) | null;
  #serving = false;
  #closed = false;
  #active = 0;
  #release: (() => void) | null = null;
  #waiters: (() => void)[] = [];
  #forever: ((v: void) => void) | null = null;

  constructor(sockets: Socket[], factory: () => StreamProtocol, backlog: number, cleanup: (() => void) | null) {
    this.#sockets = sockets;
    this.#factory = factory;
    this.#backlog = backlog;
    this.#cleanup = cleanup;
  }

  /** asyncio's `Server.sockets`: the listening sockets (empty once closed). */
  get sockets(): Socket[] {
    return this.#closed ? [] : [...this.#sockets];
  }

  /** asyncio's `is_serving()`. */
  is_serving(): boolean {
    return this.#serving;
  }

  /** asyncio's `start_serving()`: starts accepting (and keeps the process alive while it does). */
  async start_serving(): Promise<void> {
    if (this.#serving || this.#closed) return;
    this.#serving = true;
    this.#release = hold();
    for (const s of this.#sockets) setCallback(s.fileno(), true, READ, () => this.#accept(s));
  }

  #accept(listener: Socket): void {
    for (let i = 0; i < this.#backlog && this.#serving; i++) {
      let conn: Socket;
      try {
        [conn] = listener.accept();
      } catch (e) {
        if (!(e instanceof OSError) || e.errno === EAGAIN || e.errno === EWOULDBLOCK) return;
        if (e.errno !== null && OUT_OF_RESOURCES.has(e.errno)) {
          // asyncio: stop accepting for a second (the connection would wake the loop over and over).
          const fd = listener.fileno();
          setCallback(fd, true, READ, null);
          setTimeout(() => {
            if (this.#serving && listener.fileno() === fd) setCallback(fd, true, READ, () => this.#accept(listener));
          }, 1000);
          return;
        }
        // ECONNABORTED and the like: that connection is gone; asyncio goes on.
        continue;
      }
      conn.setblocking(false);
      this.#active++;
      try {
        const protocol = this.#factory();
        const transport = new Transport(conn, protocol);
        transport.onGone = () => this.#detach();
        transport.start();
      } catch (e) {
        conn.close();
        this.#detach();
        process.nextTick(() => {
          throw e;
        });
      }
    }
  }

  #detach(): void {
    this.#active--;
    this.#wake();
  }

  #wake(): void {
    if (!this.#closed || this.#active !== 0) return;
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** asyncio's `close()`: stops listening; the connections made stay open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#serving = false;
    for (const s of this.#sockets) s.close();
    this.#cleanup?.();
    this.#release?.();
    this.#release = null;
    this.#forever?.();
    this.#forever = null;
    this.#wake();
  }

  /** asyncio's `wait_closed()`: resolves once closed and every connection it made is gone. */
  wait_closed(): Promise<void> {
    if (this.#closed && this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** asyncio's `serve_forever()`: serves until close() (resolves then). */
  serve_forever(): Promise<void> {
    if (this.#forever !== null) return Promise.reject(new RuntimeError(`server ${String(this)} is already being awaited on serve_forever()`));
    if (this.#closed) return Promise.reject(new RuntimeError(`server ${String(this)} is closed`));
    const forever = new Promise<void>((resolve) => (this.#forever = resolve));
    void this.start_serving();
    return forever;
  }

  /** `await using server = ...`: closes the server and waits until it is closed. Python: `asyncio.Server.__aexit__`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.wait_closed();
  }

  /** `<Server sockets=(...)>`, as asyncio's repr(). */
  toString(): string {
    return `<Server sockets=(${this.#sockets.map(String).join(', ')})>`;
  }
}

/**
 * asyncio's `loop.create_server(protocol_factory, host=None, port=None, *,
 * family, flags=AI_PASSIVE, sock, backlog=100, reuse_address, reuse_port,
 * start_serving=True)`: a Server listening on every address of `host`.
 */
export async function create_server(
  ...args: WithOptions<
    [protocol_factory: () => StreamProtocol],
    [host: string | string[] | null | undefined, port: number | string | null | undefined],
    ServerOptions
  >
): Promise<Server> {
  const [[protocol_factory, host = null, port = null], options] = keywords<[() => StreamProtocol, (string | string[] | null)?, (number | string | null)?], ServerOptions>(
    args,
    { name: 'create_server', min: 1, max: 3 },
  );
  const backlog = options.backlog ?? 100;
  let sockets: Socket[];
  if (options.sock !== undefined && options.sock !== null) {
    if (host !== null || port !== null) throw new RangeError('host/port and sock can not be specified at the same time');
    checkStream(options.sock);
    sockets = [options.sock];
  } else {
    const hosts = host === null || host === '' ? [null] : Array.isArray(host) ? host : [host];
    const seen = new Set<string>();
    sockets = [];
    try {
      for (const h of hosts) {
        const infos = await getaddrinfo(h, port ?? 0, {
          family: options.family ?? 0,
          type: C.SOCK_STREAM,
          flags: options.flags ?? C.AI_PASSIVE,
        });
        for (const [family, type, proto, , address] of infos) {
          const key = `${family} ${JSON.stringify(address)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const s: Socket = new Socket(family, type, proto);
          sockets.push(s);
          if (options.reuse_address ?? true) s.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
          if (options.reuse_port === true) s.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
          if (family === C.AF_INET6) s.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1);
          try {
            s.bind(address as AddressArgOf<string>);
          } catch (e) {
            const err = e as OSError;
            const msg = `error while attempting to bind on address ${pyRepr(address)}: ${(err.strerror ?? err.message).toLowerCase()}`;
            const out = err.errno !== null ? new OSError(err.errno, msg) : new OSError(msg);
            throw Object.assign(out, { cause: e });
          }
        }
      }
    } catch (e) {
      for (const s of sockets) s.close();
      throw e;
    }
  }
  for (const s of sockets) {
    s.listen(backlog);
    s.setblocking(false);
  }
  const server = new Server(sockets, protocol_factory, backlog, null);
  if (options.start_serving ?? true) await server.start_serving();
  return server;
}

/** asyncio's `loop.create_unix_connection(protocol_factory, path=None, *, sock)`. */
export async function create_unix_connection<P extends StreamProtocol>(
  ...args: WithOptions<[protocol_factory: () => P], [path: string | null | undefined], { sock?: Socket | null }>
): Promise<[Transport, P]> {
  const [[protocol_factory, path = null], options] = keywords<[() => P, (string | null)?], { sock?: Socket | null }>(
    args,
    { name: 'create_unix_connection', min: 1, max: 2 },
  );
  if (options.sock !== undefined && options.sock !== null) {
    if (path !== null) throw new RangeError('path and sock can not be specified at the same time');
    checkStream(options.sock);
    return connected(options.sock, protocol_factory);
  }
  if (path === null) throw new RangeError('no path and sock were specified');
  const sock: Socket = new Socket(C.AF_UNIX, C.SOCK_STREAM);
  try {
    sock.setblocking(false);
    await sock_connect(sock, path as AddressArgOf<string>);
  } catch (e) {
    sock.close();
    throw e;
  }
  return connected(sock, protocol_factory);
}

/** asyncio's `create_unix_server` options: `cleanup_socket` (3.13) unlinks the path on close. */
export interface UnixServerOptions {
  sock?: Socket | null;
  backlog?: number;
  start_serving?: boolean;
  cleanup_socket?: boolean;
}

/**
 * asyncio's `loop.create_unix_server(protocol_factory, path=None, *, sock,
 * backlog=100, start_serving=True, cleanup_socket=True)`: a stale socket file
 * at `path` is removed first, as asyncio does.
 */
export async function create_unix_server(
  ...args: WithOptions<[protocol_factory: () => StreamProtocol], [path: string | null | undefined], UnixServerOptions>
): Promise<Server> {
  const [[protocol_factory, path = null], options] = keywords<[() => StreamProtocol, (string | null)?], UnixServerOptions>(
    args,
    { name: 'create_unix_server', min: 1, max: 2 },
  );
  const backlog = options.backlog ?? 100;
  let sock: Socket;
  let cleanup: (() => void) | null = null;
  if (options.sock !== undefined && options.sock !== null) {
    if (path !== null) throw new RangeError('path and sock can not be specified at the same time');
    sock = options.sock;
    sock.listen(backlog);
  } else {
    if (path === null) throw new RangeError('path was not specified, and no sock specified');
    if (path.length === 0) throw new RangeError('index out of range');
    // A Linux abstract name (leading NUL, as a string or as bytes) has no file to remove.
    const first: unknown = (path as string | Uint8Array)[0];
    const abstract = first === '\0' || first === 0;
    if (!abstract) {
      try {
        if (fs.statSync(path).isSocket()) fs.unlinkSync(path);
      } catch {
        // Not there.
      }
    }
    sock = new Socket(C.AF_UNIX, C.SOCK_STREAM);
    try {
      sock.bind(path as AddressArgOf<string>);
      if ((options.cleanup_socket ?? true) && !abstract) {
        const ino = fs.statSync(path).ino;
        cleanup = () => {
          try {
            if (fs.statSync(path).ino === ino) fs.unlinkSync(path);
          } catch {
            // Gone already.
          }
        };
      }
      sock.listen(backlog);
    } catch (e) {
      sock.close();
      throw e;
    }
  }
  sock.setblocking(false);
  const server = new Server([sock], protocol_factory, backlog, cleanup);
  if (options.start_serving ?? true) await server.start_serving();
  return server;
}

/** An address of create_datagram_endpoint: `[host, port]`, or a Unix socket path. */
export type DatagramAddress = [string, number] | string | null;

/** asyncio's keyword-only arguments of `create_datagram_endpoint` (local_addr and remote_addr may also come by position). */
export interface DatagramOptions {
  local_addr?: DatagramAddress;
  remote_addr?: DatagramAddress;
  family?: number;
  proto?: number;
  flags?: number;
  reuse_port?: boolean;
  allow_broadcast?: boolean;
  sock?: Socket | null;
}

/**
 * asyncio's `loop.create_datagram_endpoint(protocol_factory, local_addr=None,
 * remote_addr=None, *, family, proto, flags, reuse_port, allow_broadcast,
 * sock)`: `[transport, protocol]`. A string address is a Unix socket path.
 */
export async function create_datagram_endpoint<P extends DatagramProtocol>(
  ...args: WithOptions<
    [protocol_factory: () => P],
    [local_addr: DatagramAddress | undefined, remote_addr: DatagramAddress | undefined],
    DatagramOptions
  >
): Promise<[DatagramTransport, P]> {
  const [[protocol_factory, localArg, remoteAddr], options] = keywords<[() => P, DatagramAddress?, DatagramAddress?], DatagramOptions>(
    args,
    { name: 'create_datagram_endpoint', min: 1, max: 3 },
  );
  for (const [name, given] of [['local_addr', localArg], ['remote_addr', remoteAddr]] as const) {
    if (given !== undefined && options[name] !== undefined) throw new TypeError(`create_datagram_endpoint() got multiple values for argument '${name}'`);
  }
  let sock: Socket;
  let remote: unknown = null;
  if (options.sock !== undefined && options.sock !== null) {
    if (options.sock.type !== C.SOCK_DGRAM) throw new RangeError(`A datagram socket was expected, got ${String(options.sock)}`);
    sock = options.sock;
  } else {
    const local = localArg ?? options.local_addr ?? null;
    const remoteArg = remoteAddr ?? options.remote_addr ?? null;
    if (local === null && remoteArg === null && (options.family ?? 0) === 0) throw new RangeError('unexpected address family');
    let family = options.family ?? 0;
    let localAddr: unknown = null;
    if (typeof local === 'string' || typeof remoteArg === 'string') {
      family = C.AF_UNIX;
      localAddr = local;
      remote = remoteArg;
    } else {
      if (local !== null) {
        const infos = await getaddrinfo(local[0], local[1], { family, type: C.SOCK_DGRAM, flags: options.flags ?? 0 });
        if (infos.length === 0) throw new OSError('getaddrinfo() returned empty list');
        family = infos[0]![0];
        localAddr = infos[0]![4];
      }
      if (remoteArg !== null) {
        const infos = await getaddrinfo(remoteArg[0], remoteArg[1], { family, type: C.SOCK_DGRAM, flags: options.flags ?? 0 });
        if (infos.length === 0) throw new OSError('getaddrinfo() returned empty list');
        family = infos[0]![0];
        remote = infos[0]![4];
      }
    }
    sock = new Socket<string>(family === 0 ? C.AF_INET : family, C.SOCK_DGRAM, options.proto ?? 0);
    try {
      if (options.reuse_port === true) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
      if (options.allow_broadcast === true) sock.setsockopt(C.SOL_SOCKET, C.SO_BROADCAST, 1);
      sock.setblocking(false);
      if (localAddr !== null) sock.bind(localAddr as AddressArgOf<string>);
      if (remote !== null) await sock_connect(sock, remote as AddressArgOf<string>);
    } catch (e) {
      sock.close();
      throw e;
    }
  }
  sock.setblocking(false);
  let protocol: P;
  try {
    protocol = protocol_factory();
  } catch (e) {
    // A socket made here is closed with the error; a given one stays the caller's.
    if (sock !== options.sock) sock.close();
    throw e;
  }
  const transport = new DatagramTransport(sock, protocol, remote);
  transport.start();
  return [transport, protocol];
}

