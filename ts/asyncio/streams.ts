// asyncio's streams over bsdsock's transports: open_connection / start_server
// (and the Unix variants) give a StreamReader and a StreamWriter. The reader
// keeps the chunks as the transport delivered them (views, never copied on
// arrival); a read that fits in the first chunk returns a view of it, one that
// spans chunks is copied once. Reading pauses the transport when more than
// twice the limit is buffered and resumes it at the limit, as asyncio does.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { anInt, pyType } from '../convert';
import { numberRepr, pyRepr } from '../repr';
import { keywords, type WithOptions } from '../keywords';
import { ConnectionResetError, RuntimeError } from '../errors';
import type { TransportSocket } from './trsock';
import { create_connection, create_unix_connection, type ConnectionOptions, type UnixConnectionOptions } from './connections';
import { Protocol } from './protocols';
import { create_server, create_unix_server, type Server, type ServerOptions, type UnixServerOptions } from './server';
import type { ExtraInfoName, Transport } from './transports';

/** Python's repr of a size as given: an int's every digit, a float's (a number with a fraction, an infinity) as Python writes it. */
const sizeRepr = (n: unknown): string => (typeof n === 'number' ? numberRepr(n) : pyRepr(n));

/** asyncio's `IncompleteReadError` (an EOFError): the stream ended before the bytes asked for. */
export class IncompleteReadError extends Error {
  /** The bytes read before the end of the stream. */
  readonly partial: Buffer;
  /** The number of bytes expected (a bigint's number), or null when unknown (readuntil). */
  readonly expected: number | null;
  /** `expected` as readexactly was given it: its message has Python's repr of it (every digit of a bigint). */
  constructor(partial: Buffer, expected: number | bigint | null) {
    super(`${partial.length} bytes read on a total of ${expected === null ? 'undefined' : sizeRepr(expected)} expected bytes`);
    this.partial = partial;
    this.expected = expected === null ? null : Number(expected);
  }
  /** `'IncompleteReadError'`. */
  override get name(): string {
    return 'IncompleteReadError';
  }
}

/** asyncio's `LimitOverrunError`: the separator was not found within the limit. */
export class LimitOverrunError extends Error {
  /** How many bytes are to be consumed. */
  readonly consumed: number;
  constructor(message: string, consumed: number) {
    super(message);
    this.consumed = consumed;
  }
  /** `'LimitOverrunError'`. */
  override get name(): string {
    return 'LimitOverrunError';
  }
}

const DEFAULT_LIMIT = 2 ** 16;
const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from([NEWLINE]);
/** What drain() gives when there is nothing to wait for: one settled promise for all. */
const DRAINED: Promise<void> = Promise.resolve();

/** A separator's bytes: a string's latin1 bytes (the common '\n' made once), a view of a Uint8Array's. */
function separatorBytes(separator: Uint8Array | string): Buffer {
  if (separator === '\n') return NEWLINE_BYTES;
  if (typeof separator === 'string') return Buffer.from(separator, 'latin1');
  if (!ArrayBuffer.isView(separator)) {
    // Python takes len() of it first (an empty list is too short), then looks for it in the buffer's bytes.
    const given: unknown = separator;
    if (Array.isArray(given) && given.length === 0) throw new RangeError('Separator should be at least one-byte string');
    const sized = typeof separator === 'object' && separator !== null;
    throw new TypeError(sized ? `argument should be integer or bytes-like object, not '${pyType(separator)}'` : `object of type '${pyType(separator)}' has no len()`);
  }
  return Buffer.from(separator.buffer, separator.byteOffset, separator.byteLength);
}

/** A size as asyncio compares it (`n < 0`, a limit's `limit <= 0`): a number (a bool and a bigint are ones); anything
 * else is that comparison's TypeError. */
function comparedSize(given: unknown, op: '<' | '<=' = '<'): number {
  const n = anInt(given);
  if (typeof n === 'number') return n;
  if (typeof n === 'boolean') return Number(n);
  throw new TypeError(`'${op}' not supported between instances of '${pyType(n)}' and 'int'`);
}

/** A size asyncio slices its buffer with: a fraction is the slice's TypeError. */
function sliceSize(n: number): number {
  if (!Number.isInteger(n)) throw new TypeError('slice indices must be integers or None or have an __index__ method');
  return n;
}

/** asyncio's `StreamReader`. */
export class StreamReader implements AsyncIterable<Buffer> {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #eof = false;
  #exception: Error | null = null;
  #waiter: { resolve: () => void; reject: (e: Error) => void } | null = null;
  #transport: Transport | null = null;
  #paused = false;

  /** `limit` bounds readline/readuntil (64 KiB by default): any number above 0 (a fraction too, as
   * asyncio's, though read() then fails slicing with it), anything else asyncio's `limit <= 0` refuses. */
  constructor(limit: number | bigint = DEFAULT_LIMIT) {
    const n = comparedSize(limit, '<=');
    if (n <= 0) throw new RangeError('Limit cannot be <= 0');
    this.#limit = n;
  }

  /** The transport reads are paused and resumed on. Python: `asyncio.StreamReader.set_transport`. */
  set_transport(transport: Transport): void {
    if (this.#transport !== null) throw new RuntimeError('Transport already set');
    this.#transport = transport;
  }

  /** asyncio's `exception()`. */
  exception(): Error | null {
    return this.#exception;
  }

  /** asyncio's `set_exception(exc)`: pending and later reads fail with it. */
  set_exception(exc: Error): void {
    // Python would raise TypeError ("exceptions must derive from BaseException") at the read.
    if (!(exc instanceof Error)) throw new TypeError('exceptions must derive from BaseException');
    this.#exception = exc;
    const w = this.#waiter;
    this.#waiter = null;
    w?.reject(exc);
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.resolve();
  }

  /** asyncio's `feed_eof()`. */
  feed_eof(): void {
    this.#eof = true;
    this.#wake();
  }

  /** asyncio's `at_eof()`: true when EOF was fed and the buffer is empty. */
  at_eof(): boolean {
    return this.#eof && this.#size === 0;
  }

  /** asyncio's `feed_data(data)`: the chunk is kept as it is (not copied). */
  feed_data(data: Buffer): void {
    if (this.#eof) throw new RuntimeError('feed_data after feed_eof');
    if (data.length === 0) return;
    this.#chunks.push(data);
    this.#size += data.length;
    this.#wake();
    if (this.#transport !== null && !this.#paused && this.#size > 2 * this.#limit) {
      this.#transport.pause_reading();
      this.#paused = true;
    }
  }

  #maybeResume(): void {
    if (this.#paused && this.#size <= this.#limit) {
      this.#paused = false;
      this.#transport!.resume_reading();
    }
  }

  #waitForData(func: string): Promise<void> {
    return new Promise((resolve, reject) => this.#wait(func, { resolve, reject }));
  }

  /** Makes `waiter` the one feed_data(), feed_eof() or set_exception() wakes. */
  #wait(func: string, waiter: { resolve: () => void; reject: (e: Error) => void }): void {
    if (this.#waiter !== null) {
      throw new RuntimeError(`${func}() called while another coroutine is already waiting for incoming data`);
    }
    if (this.#paused) {
      this.#paused = false;
      this.#transport!.resume_reading();
    }
    this.#waiter = waiter;
  }

  /** Removes and returns the first `n` bytes (n <= size): a view when they lie in one chunk. */
  #take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.#chunks[0]!;
    let out: Buffer;
    if (first.length === n) {
      out = first;
      this.#chunks.shift();
    } else if (first.length > n) {
      out = first.subarray(0, n);
      this.#chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.#chunks[0]!;
        const k = Math.min(c.length, n - at);
        c.copy(out, at, 0, k);
        at += k;
        if (k === c.length) this.#chunks.shift();
        else this.#chunks[0] = c.subarray(k);
      }
    }
    this.#size -= n;
    return out;
  }

  /** The whole buffer as one chunk (for searching); a copy only when it is in several. */
  #joined(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
    return this.#chunks[0] ?? EMPTY;
  }

  #clear(): Buffer {
    const all = this.#take(this.#size);
    this.#chunks = [];
    return all;
  }

  /** asyncio's `read(n=-1)`: up to `n` bytes once some are there; everything to EOF with -1; empty at EOF. */
  read(n = -1): Promise<Buffer> {
    // Bytes already buffered are taken at once, without an async frame of their own.
    try {
      if (this.#exception !== null) throw this.#exception;
      const size = comparedSize(n);
      if (size === 0) return Promise.resolve(EMPTY);
      if (size < 0) return this.#readAll();
      if (this.#size === 0 && !this.#eof) return this.#readWaiting(size);
      return Promise.resolve(this.#readBuffered(size));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async #readAll(): Promise<Buffer> {
    const blocks: Buffer[] = [];
    for (;;) {
      const block = await this.read(this.#limit);
      if (block.length === 0) break;
      blocks.push(block);
    }
    return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
  }

  /** read(n) on an empty buffer: the bytes that wake it are taken as they come, one promise settled by the feed. */
  #readWaiting(n: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const take = (): void => {
        try {
          resolve(this.#readBuffered(n));
        } catch (e) {
          reject(e);
        }
      };
      this.#wait('read', { resolve: take, reject });
    });
  }

  /** Up to `n` of the buffered bytes (none at EOF); a fraction fails here, once there are bytes to slice, as asyncio's. */
  #readBuffered(n: number): Buffer {
    const data = this.#take(Math.min(sliceSize(n), this.#size));
    this.#maybeResume();
    return data;
  }

  /** asyncio's `readexactly(n)`: exactly `n` bytes, or IncompleteReadError with what came before EOF. */
  async readexactly(size: number): Promise<Buffer> {
    const n = comparedSize(size);
    if (n < 0) throw new RangeError('readexactly size can not be less than zero');
    if (this.#exception !== null) throw this.#exception;
    if (n === 0) return EMPTY;
    while (this.#size < n) {
      // The size as given, in the message as Python's repr (every digit of a bigint's).
      if (this.#eof) throw new IncompleteReadError(this.#clear(), size);
      await this.#waitForData('readexactly');
    }
    const data = this.#take(sliceSize(n));
    this.#maybeResume();
    return data;
  }

  /**
   * asyncio's `readuntil(separator=b'\n')`: the bytes up to and including the
   * separator. LimitOverrunError (data left in the buffer) past the limit;
   * IncompleteReadError (buffer emptied) at EOF without it.
   */
  async readuntil(separator: Uint8Array | string = '\n'): Promise<Buffer> {
    const sep = separatorBytes(separator);
    // Python's len(): a typed array's items (a memoryview's, of its format), though the search is for its bytes.
    const seplen = ArrayBuffer.isView(separator) && !(separator instanceof DataView) ? separator.length : sep.length;
    if (seplen === 0) throw new RangeError('Separator should be at least one-byte string');
    if (this.#exception !== null) throw this.#exception;
    let offset = 0;
    let isep: number;
    for (;;) {
      const buflen = this.#size;
      if (buflen - offset >= seplen) {
        // One chunk (the common case) is searched where it lies.
        isep = this.#joined().indexOf(sep, offset);
        if (isep !== -1) break;
        offset = buflen + 1 - seplen;
        if (offset > this.#limit) throw new LimitOverrunError('Separator is not found, and chunk exceed the limit', offset);
      }
      if (this.#eof) throw new IncompleteReadError(this.#clear(), null);
      await this.#waitForData('readuntil');
    }
    if (isep > this.#limit) throw new LimitOverrunError('Separator is found, but chunk is longer than limit', isep);
    const chunk = this.#take(isep + seplen);
    this.#maybeResume();
    return chunk;
  }

  /** asyncio's `readline()`: a line with its '\n'; the rest at EOF; RangeError (ValueError) past the limit. */
  readline(): Promise<Buffer> {
    // A whole line already buffered (a chunk seldom holds just one) is taken
    // at once, without the async machinery of the general case.
    const line = this.#bufferedLine();
    return line !== null ? Promise.resolve(line) : this.#readlineWaiting();
  }

  /** The next line if the buffer holds all of it (within the limit, no error pending); else null. */
  #bufferedLine(): Buffer | null {
    if (this.#exception !== null || this.#size === 0) return null;
    const isep = this.#joined().indexOf(NEWLINE);
    if (isep === -1 || isep > this.#limit) return null;
    const line = this.#take(isep + 1);
    this.#maybeResume();
    return line;
  }

  async #readlineWaiting(): Promise<Buffer> {
    try {
      return await this.readuntil('\n');
    } catch (e) {
      if (e instanceof IncompleteReadError) return e.partial;
      if (e instanceof LimitOverrunError) {
        const buf = this.#joined();
        if (buf.length > e.consumed && buf[e.consumed] === 0x0a) this.#take(e.consumed + 1);
        else this.#clear();
        this.#maybeResume();
        throw new RangeError(e.message);
      }
      throw e;
    }
  }

  /** `for await (const line of reader)`: asyncio's `async for line in reader`. */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

/** asyncio's `StreamReaderProtocol`: feeds a StreamReader, and flow control for the writer's drain(). */
export class StreamReaderProtocol extends Protocol {
  readonly #reader: StreamReader;
  readonly #connected: ((reader: StreamReader, writer: StreamWriter) => unknown) | null;
  #paused = false;
  #lost = false;
  #drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  readonly closed: Promise<void>;
  #closed!: { resolve: () => void; reject: (e: Error) => void };

  constructor(reader: StreamReader, client_connected_cb: ((reader: StreamReader, writer: StreamWriter) => unknown) | null = null) {
    super();
    this.#reader = reader;
    this.#connected = client_connected_cb;
    this.closed = new Promise<void>((resolve, reject) => (this.#closed = { resolve, reject }));
    // wait_closed() is often never called: an unobserved failure is not an unhandled rejection.
    this.closed.catch(() => undefined);
  }

  override connection_made(transport: Transport): void {
    this.#reader.set_transport(transport);
    if (this.#connected !== null) {
      const writer = new StreamWriter(transport, this, this.#reader);
      let r: unknown;
      try {
        r = this.#connected(this.#reader, writer);
      } catch (e) {
        transport.close();
        throw e;
      }
      if (r instanceof Promise) {
        r.catch((e: unknown) => {
          transport.close();
          process.nextTick(() => {
            throw e;
          });
        });
      }
    }
  }

  override data_received(data: Buffer): void {
    this.#reader.feed_data(data);
  }

  override eof_received(): boolean {
    this.#reader.feed_eof();
    return true;
  }

  override connection_lost(exc: Error | null): void {
    if (exc === null) this.#reader.feed_eof();
    else this.#reader.set_exception(exc);
    if (exc === null) this.#closed.resolve();
    else this.#closed.reject(exc);
    this.#lost = true;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) {
      if (exc === null) w.resolve();
      else w.reject(exc);
    }
  }

  override pause_writing(): void {
    this.#paused = true;
  }

  override resume_writing(): void {
    this.#paused = false;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w.resolve();
  }

  /** asyncio's `_drain_helper`: a promise of the writer's resumption, or null when writing is not paused. */
  drainWait(): Promise<void> | null {
    if (this.#lost) throw new ConnectionResetError('Connection lost');
    if (!this.#paused) return null;
    return new Promise<void>((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }
}

/** asyncio's `StreamWriter`. */
export class StreamWriter {
  readonly #transport: Transport;
  readonly #protocol: StreamReaderProtocol;
  readonly #reader: StreamReader | null;

  constructor(transport: Transport, protocol: StreamReaderProtocol, reader: StreamReader | null) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#reader = reader;
  }

  /** The underlying transport. Python: `asyncio.StreamWriter.transport`. */
  get transport(): Transport {
    return this.#transport;
  }

  /** asyncio's `write(data)`: buffered; call drain() to wait for room. */
  write(data: Uint8Array): void {
    this.#transport.write(data);
  }

  /** asyncio's `writelines(data)`. */
  writelines(data: Iterable<Uint8Array>): void {
    this.#transport.writelines(data);
  }

  /** asyncio's `write_eof()`. */
  write_eof(): void {
    this.#transport.write_eof();
  }

  /** asyncio's `can_write_eof()`. */
  can_write_eof(): boolean {
    return this.#transport.can_write_eof();
  }

  /** asyncio's `close()`. */
  close(): void {
    this.#transport.close();
  }

  /** asyncio's `is_closing()`. */
  is_closing(): boolean {
    return this.#transport.is_closing();
  }

  /** asyncio's `wait_closed()`: resolves once the connection is gone (rejects with its error). */
  wait_closed(): Promise<void> {
    return this.#protocol.closed;
  }

  /** asyncio's `get_extra_info(name, default=None)`. */
  get_extra_info(name: 'socket'): TransportSocket;
  get_extra_info(name: ExtraInfoName | string, defaultValue?: unknown): unknown;
  get_extra_info(name: string, defaultValue: unknown = null): unknown {
    return this.#transport.get_extra_info(name, defaultValue);
  }

  /** asyncio's `drain()`: waits until the write buffer is below its low-water mark. */
  drain(): Promise<void> {
    // Most calls have nothing to wait for: they take no async frame of their own.
    try {
      const exc = this.#reader?.exception() ?? null;
      if (exc !== null) throw exc;
      if (this.#transport.is_closing()) return this.#drainClosing();
      return this.#protocol.drainWait() ?? DRAINED;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** drain() on a closing transport: one turn of the loop first, as asyncio's `sleep(0)`. */
  async #drainClosing(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    await this.#protocol.drainWait();
  }
}

/** The `limit` option of the stream functions. */
export interface StreamOptions {
  /** The StreamReader's limit (64 KiB by default). */
  limit?: number;
}

/** asyncio's `open_connection(host, port, *, limit, ...)`: `[reader, writer]`. */
export async function open_connection(
  ...args: WithOptions<
    [],
    [host: string | null | undefined, port: number | string | null | undefined],
    StreamOptions & ConnectionOptions
  >
): Promise<[StreamReader, StreamWriter]> {
  const [[host = null, port = null], options] = keywords<[(string | null)?, (number | string | null)?], StreamOptions & ConnectionOptions>(
    args,
    { name: 'open_connection', min: 0, max: 2 },
  );
  const { limit, ...rest } = options;
  const reader = new StreamReader(limit ?? DEFAULT_LIMIT);
  const protocol = new StreamReaderProtocol(reader);
  // The options but limit are create_connection's, which refuses a name it does not take.
  const [transport] = await create_connection(() => protocol, host, port, rest);
  return [reader, new StreamWriter(transport, protocol, reader)];
}

/**
 * The callback of start_server: called (and awaited when it returns a promise) per connection.
 * Python: `asyncio.start_server`.
 */
export type ClientConnected = (reader: StreamReader, writer: StreamWriter) => unknown;

/** asyncio's `start_server(client_connected_cb, host, port, *, limit, ...)`: a Server. */
export async function start_server(
  ...args: WithOptions<
    [client_connected_cb: ClientConnected],
    [host: string | string[] | null | undefined, port: number | string | null | undefined],
    StreamOptions & ServerOptions
  >
): Promise<Server> {
  const [[client_connected_cb, host = null, port = null], options] = keywords<[ClientConnected, (string | string[] | null)?, (number | string | null)?], StreamOptions & ServerOptions>(
    args,
    { name: 'start_server', min: 1, max: 3 },
  );
  const { limit = DEFAULT_LIMIT, ...rest } = options;
  return create_server(() => new StreamReaderProtocol(new StreamReader(limit), client_connected_cb), host, port, rest);
}

/** asyncio's `open_unix_connection(path, *, limit, sock)`. */
export async function open_unix_connection(
  ...args: WithOptions<[], [path: string | null | undefined], StreamOptions & UnixConnectionOptions>
): Promise<[StreamReader, StreamWriter]> {
  const [[path = null], options] = keywords<[(string | null)?], StreamOptions & UnixConnectionOptions>(
    args,
    { name: 'open_unix_connection', min: 0, max: 1 },
  );
  const { limit, ...rest } = options;
  const reader = new StreamReader(limit ?? DEFAULT_LIMIT);
  const protocol = new StreamReaderProtocol(reader);
  const [transport] = await create_unix_connection(() => protocol, path, rest);
  return [reader, new StreamWriter(transport, protocol, reader)];
}

/** asyncio's `start_unix_server(client_connected_cb, path, *, limit, ...)`. */
export async function start_unix_server(
  ...args: WithOptions<
    [client_connected_cb: ClientConnected],
    [path: string | null | undefined],
    StreamOptions & UnixServerOptions
  >
): Promise<Server> {
  const [[client_connected_cb, path = null], options] = keywords<[ClientConnected, (string | null)?], StreamOptions & UnixServerOptions>(
    args,
    { name: 'start_unix_server', min: 1, max: 2 },
  );
  const { limit = DEFAULT_LIMIT, ...rest } = options;
  return create_unix_server(() => new StreamReaderProtocol(new StreamReader(limit), client_connected_cb), path, rest);
}
