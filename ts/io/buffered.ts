// Python's io.BufferedReader, io.BufferedWriter and io.BufferedRWPair over a
// socket's raw file (SocketIO), as CPython's Modules/_io buffers: non-blocking
// reads return null (or what they have), a full non-blocking write throws
// BlockingIOError with `characters_written`.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer, constants } from 'node:buffer';
import { inspect } from 'node:util';
import { bytes, int, optionalSize, ssize, writableBytes } from '../convert';
import { BlockingIOError, OSError } from '../errors';
import { fitsBuffer } from '../slab';
import type { SocketIO } from './socketio';
import { closedFile, DEFAULT_BUFFER_SIZE, EAGAIN, IOBase, readlines, UnsupportedOperation, writelines } from './base';

/** The raw side a buffered object reads from or writes to: a SocketIO. */
type Raw = SocketIO;

function bufferSize(n: number): number {
  if (n <= 0) throw new RangeError('buffer size must be strictly positive');
  // CPython allocates the buffer here (MemoryError past what the machine lends); bsdsock when it reads,
  // so a size no Buffer can have fails here, as the allocation it stands for would.
  if (n > constants.MAX_LENGTH) throw new OSError('Cannot allocate memory');
  return n;
}

/** What BufferedReader and BufferedWriter share: their raw object, whose name, mode and fd they show. */
export abstract class BufferedIOBase extends IOBase {
  #raw: Raw | null;
  /** The buffer's size (makefile's `buffering`). */
  protected readonly size: number;

  constructor(raw: Raw, bufferSize_: number = DEFAULT_BUFFER_SIZE) {
    super();
    this.#raw = raw;
    this.size = bufferSize(bufferSize_);
  }

  /** The SocketIO underneath; null once `detach()` took it. Python: `io.BufferedReader.raw`. */
  get raw(): Raw | null {
    return this.#raw;
  }

  /** The raw object, which every operation needs: Python's ValueError (a RangeError) once detached. */
  protected get live(): Raw {
    if (this.#raw === null) throw closedFile('raw stream has been detached');
    return this.#raw;
  }

  /**
   * detach() -> the raw object, after a flush: this file is of no more use (every operation is
   * Python's ValueError), the raw object goes on. Python: `io.BufferedReader.detach`.
   */
  detach(): Raw {
    const raw = this.live;
    this.flush();
    this.#raw = null;
    return raw;
  }

  /** flush(): a writer sends what it holds; a reader only checks it is open. Python: `io.BufferedWriter.flush`. */
  abstract flush(): void;

  /** Whether the file is closed. Python: `io.BufferedReader.closed`. */
  get closed(): boolean {
    return this.live.closed;
  }

  /** The socket's fd, as Python names a socket file (-1 once closed). Python: `io.BufferedReader.name`. */
  get name(): number {
    return this.live.name;
  }

  /** `<_io.BufferedReader name=3>` (or BufferedWriter), as Python's repr. */
  [inspect.custom](): string {
    return this.#raw === null ? `<_io.${this.constructor.name}>` : `<_io.${this.constructor.name} name=${this.name}>`;
  }

  /** The raw object's mode: `'rb'` or `'wb'`. Python: `io.BufferedReader.mode`. */
  get mode(): string {
    return this.live.mode;
  }

  protected override unsupported(op: 'seek' | 'tell' | 'truncate'): Error {
    if (this.closed && op !== 'tell') return closedFile(`${op} of closed file`);
    return op === 'seek' ? new UnsupportedOperation('File or stream is not seekable.') : super.unsupported(op);
  }

  /** The socket's fd. Python: `io.BufferedReader.fileno`. */
  fileno(): number {
    return this.live.fileno();
  }

  /** False: a socket cannot seek. Python: `io.BufferedReader.seekable`. */
  seekable(): boolean {
    return this.live.seekable();
  }

  /** Writes each of `lines`. Python: `io.IOBase.writelines`. */
  writelines(lines: Iterable<Uint8Array>): void {
    writelines(this, (line) => this.write(line), lines);
  }

  /** write(b): see each class. */
  abstract write(b: Uint8Array): number;
}

/** Python's io.BufferedReader over a raw object. */
export class BufferedReader extends BufferedIOBase {
  #buf: Buffer = Buffer.alloc(0);

  /** A closed file's ValueError names the call: `read of closed file`. */
  #check(what: 'read' | 'readline' | 'readinto' | 'peek'): void {
    if (this.live.closed) throw closedFile(`${what} of closed file`);
  }

  /** One raw read of up to `n` bytes: the bytes, empty at EOF, null if it would block. */
  #rawRead(n: number): Buffer | null {
    fitsBuffer(n);
    const b = Buffer.allocUnsafe(n);
    const got = this.live.readinto(b);
    return got === null ? null : b.subarray(0, got);
  }

  /** Takes `n` bytes (at most what is buffered) off the front of the buffer. */
  #take(n: number): Buffer {
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return Buffer.from(out);
  }

  /**
   * read(n=-1): n bytes, fewer at EOF; all until EOF when n < 0; null if nothing without blocking.
   * Python: `io.BufferedReader.read`.
   */
  read(n: number | null = -1): Buffer | null {
    const want = optionalSize(n);
    this.#check('read');
    if (want < -1) throw new RangeError('read length must be non-negative or -1');
    if (want < 0) return this.#readAll();
    if (want <= this.#buf.length) return this.#take(want);
    return this.#readGeneric(want);
  }

  /** read(-1): what is buffered, then the raw file's readall(), as CPython's _bufferedreader_read_all. */
  #readAll(): Buffer | null {
    const held = this.#take(this.#buf.length);
    const rest = this.live.readall();
    if (held.length === 0) return rest;
    return rest === null ? held : Buffer.concat([held, rest]);
  }

  /**
   * read(n) past the buffer, as CPython's _bufferedreader_read_generic: the largest multiple of the
   * buffer size straight from the raw file, then the buffer filled for the rest (what is left over
   * stays buffered). The reads' sizes say where a message socket's records are cut.
   */
  #readGeneric(n: number): Buffer | null {
    fitsBuffer(n);
    const out = Buffer.allocUnsafe(n);
    let written = this.#buf.copy(out);
    this.#buf = Buffer.alloc(0);
    const short = (got: number | null) => (got === 0 || written > 0 ? Buffer.from(out.subarray(0, written)) : null);
    for (let r = n - written - ((n - written) % this.size); r > 0; r = n - written - ((n - written) % this.size)) {
      const got = this.live.readinto(out.subarray(written, written + r));
      if (got === null || got === 0) return short(got);
      written += got;
    }
    for (let filled = 0; written < n && filled < this.size; ) {
      const chunk = this.#rawRead(this.size - filled);
      if (chunk === null || chunk.length === 0) return short(chunk === null ? null : 0);
      filled += chunk.length;
      const use = Math.min(n - written, chunk.length);
      chunk.copy(out, written, 0, use);
      written += use;
      if (use < chunk.length) this.#buf = chunk.subarray(use);
    }
    return written === n ? out : Buffer.from(out.subarray(0, written));
  }

  /**
   * read1(n=-1): buffered bytes if any, else at most one raw read (empty if it would block).
   * Python: `io.BufferedReader.read1`.
   */
  read1(n = -1): Buffer {
    this.#check('read');
    let want = ssize(n);
    if (want < 0) want = this.size;
    if (want === 0) return Buffer.alloc(0);
    if (this.#buf.length > 0) return this.#take(Math.min(want, this.#buf.length));
    return this.#rawRead(want) ?? Buffer.alloc(0);
  }

  /** peek(n=0): the buffered bytes (one raw read when there are none); nothing consumed. Python: `io.BufferedReader.peek`. */
  peek(n = 0): Buffer {
    // The size is checked (an int) and, as in CPython, otherwise unused.
    int(n);
    this.#check('peek');
    if (this.#buf.length === 0) this.#buf = this.#rawRead(this.size) ?? Buffer.alloc(0);
    return Buffer.from(this.#buf);
  }

  /**
   * readinto(b) -> bytes read into b, as read(len(b)); null if nothing without blocking.
   * Python: `io.BufferedReader.readinto`.
   */
  readinto(b: Uint8Array): number | null {
    this.#check('readinto');
    const view = writableBytes(b, 'readinto() argument');
    const data = this.read(view.length);
    if (data === null) return null;
    view.set(data);
    return data.length;
  }

  /** readline(limit=-1): up to and including b'\n', at most `limit` bytes. Python: `io.BufferedReader.readline`. */
  readline(limit: number | null = -1): Buffer {
    const max = optionalSize(limit);
    this.#check('readline');
    for (;;) {
      const nl = this.#buf.indexOf(0x0a);
      if (nl >= 0 && (max < 0 || nl < max)) return this.#take(nl + 1);
      if (max >= 0 && this.#buf.length >= max) return this.#take(max);
      const chunk = this.#rawRead(this.size);
      if (chunk === null || chunk.length === 0) return this.#take(max >= 0 ? Math.min(max, this.#buf.length) : this.#buf.length);
      this.#buf = Buffer.concat([this.#buf, chunk]);
    }
  }

  /** readlines(hint=-1): lines until EOF, or until their total passes `hint`. Python: `io.BufferedReader.readlines`. */
  readlines(hint: number | null = -1): Buffer[] {
    return readlines(this, () => this.readline(), hint);
  }

  /** readinto1(b) -> bytes read into b, as read1(len(b)). Python: `io.BufferedReader.readinto1`. */
  readinto1(b: Uint8Array): number {
    this.#check('readinto');
    const view = writableBytes(b, 'readinto1() argument');
    const data = this.read1(view.length);
    view.set(data);
    return data.length;
  }

  /** Never: a reader does not write (UnsupportedOperation). Python: `io.BufferedReader.write`. */
  write(_b: Uint8Array): never {
    throw new UnsupportedOperation('write');
  }

  /** Nothing to flush on a reader. Python: `io.BufferedReader.flush`. */
  flush(): void {
    if (this.closed) throw closedFile();
  }

  /** Whether the file can read. Python: `io.BufferedReader.readable`. */
  readable(): boolean {
    return this.live.readable();
  }

  /** False: a reader does not write. Python: `io.BufferedReader.writable`. */
  writable(): boolean {
    return false;
  }

  /**
   * Closes the file (a writer flushes first); the fd stays open until the socket is closed too.
   * Python: `io.BufferedReader.close`.
   */
  close(): void {
    this.live.close();
  }

  /** `for (const line of file)`: each line until EOF. Python: `io.BufferedReader.__iter__`. */
  *[Symbol.iterator](): Iterator<Buffer> {
    for (let line = this.readline(); line.length > 0; line = this.readline()) yield line;
  }
}

/** Python's BlockingIOError of a buffered write: EAGAIN, with how much of the data was taken. */
function partialWrite(written: number): BlockingIOError {
  const err = new BlockingIOError(EAGAIN, 'write could not complete without blocking');
  err.characters_written = written;
  return err;
}

/** Python's io.BufferedWriter over a raw object. */
export class BufferedWriter extends BufferedIOBase {
  #pending: Buffer = Buffer.alloc(0);

  /** Writes the buffer out; false if the raw object would block before it is empty. */
  #drain(): boolean {
    while (this.#pending.length > 0) {
      const n = this.live.write(this.#pending);
      if (n === null) return false;
      this.#pending = this.#pending.subarray(n);
    }
    return true;
  }

  /** write(b) -> len(b): buffers, writing out when the buffer fills. A non-blocking
   * socket that takes too little throws BlockingIOError with `characters_written`.
   * Python: `io.BufferedWriter.write`.
   */
  write(b: Uint8Array): number {
    if (this.live.closed) throw closedFile('write to closed file');
    const data = bytes(b);
    if (this.#pending.length + data.length <= this.size) {
      this.#pending = Buffer.concat([this.#pending, data]);
      return data.length;
    }
    if (!this.#drain()) {
      // Take what still fits in the buffer, and say how much that was.
      const room = Math.max(this.size - this.#pending.length, 0);
      this.#pending = Buffer.concat([this.#pending, data.subarray(0, room)]);
      throw partialWrite(Math.min(room, data.length));
    }
    let written = 0;
    while (data.length - written > this.size) {
      const n = this.live.write(data.subarray(written));
      if (n === null) {
        this.#pending = Buffer.from(data.subarray(written, written + this.size));
        throw partialWrite(written + this.#pending.length);
      }
      written += n;
    }
    this.#pending = Buffer.from(data.subarray(written));
    return data.length;
  }

  /** Writes the buffer out; BlockingIOError if a non-blocking socket cannot take it all. Python: `io.BufferedWriter.flush`. */
  flush(): void {
    if (this.live.closed) throw closedFile('flush of closed file');
    if (!this.#drain()) throw partialWrite(0);
  }

  /** Never: a writer does not read (UnsupportedOperation). Python: `io.BufferedWriter.read`. */
  read(_n?: number): never {
    throw new UnsupportedOperation('read');
  }

  /** b'' for readline(0); else never: a writer does not read (UnsupportedOperation 'read'). Python: `io.IOBase.readline`. */
  readline(limit: number | null = -1): Buffer {
    if (optionalSize(limit) === 0) return Buffer.alloc(0);
    throw new UnsupportedOperation('read');
  }

  /** Never: a writer does not read (UnsupportedOperation 'read'). Python: `io.IOBase.readlines`. */
  readlines(hint: number | null = -1): Buffer[] {
    return readlines(this, () => this.readline(), hint);
  }

  /** Never: a writer does not read (UnsupportedOperation). Python: `io.BufferedWriter.read1`. */
  read1(_n?: number): never {
    throw new UnsupportedOperation('read1');
  }

  /** Never: a writer does not read (UnsupportedOperation). Python: `io.BufferedWriter.readinto`. */
  readinto(_b: Uint8Array): never {
    throw new UnsupportedOperation('read');
  }

  /** Never: a writer does not read (UnsupportedOperation). Python: `io.BufferedWriter.readinto1`. */
  readinto1(_b: Uint8Array): never {
    throw new UnsupportedOperation('read1');
  }

  /** False: a writer does not read. Python: `io.BufferedWriter.readable`. */
  readable(): boolean {
    return false;
  }

  /** Whether the file can write. Python: `io.BufferedWriter.writable`. */
  writable(): boolean {
    return this.live.writable();
  }

  /** Flushes, then closes the raw object (even when the flush fails). Python: `io.BufferedWriter.close`. */
  close(): void {
    if (this.live.closed) return;
    try {
      this.flush();
    } finally {
      this.live.close();
    }
  }
}

/** Python's io.BufferedRWPair: a reader and a writer over one socket. */
export class BufferedRWPair extends IOBase {
  /** `<_io.BufferedRWPair object>`, Python's repr without the address. */
  [inspect.custom](): string {
    return '<_io.BufferedRWPair object>';
  }

  readonly #reader: BufferedReader;
  readonly #writer: BufferedWriter;

  constructor(reader: Raw, writer: Raw, bufferSize_: number = DEFAULT_BUFFER_SIZE) {
    super();
    this.#reader = new BufferedReader(reader, bufferSize_);
    this.#writer = new BufferedWriter(writer, bufferSize_);
  }

  /** Whether the file is closed. Python: `io.BufferedRWPair.closed`. */
  get closed(): boolean {
    return this.#writer.closed;
  }

  /** read(n=-1): up to n, or with -1 every, bytes until EOF. Python: `io.BufferedRWPair.read`. */
  read(n: number | null = -1): Buffer | null {
    return this.#reader.read(n);
  }
  /** read1(n=-1): what one read of the socket gives, at most n bytes. Python: `io.BufferedRWPair.read1`. */
  read1(n = -1): Buffer {
    return this.#reader.read1(n);
  }
  /** peek(n=0): the buffered bytes, without consuming them. Python: `io.BufferedRWPair.peek`. */
  peek(n = 0): Buffer {
    return this.#reader.peek(n);
  }
  /** readinto(b) -> the number of bytes read into b, in place. Python: `io.BufferedRWPair.readinto`. */
  readinto(b: Uint8Array): number | null {
    return this.#reader.readinto(b);
  }
  /** readinto1(b) -> bytes read into b, as read1(len(b)). Python: `io.BufferedRWPair.readinto1`. */
  readinto1(b: Uint8Array): number {
    return this.#reader.readinto1(b);
  }
  /** readline(limit=-1): one line, with its newline (none at EOF). Python: `io.BufferedRWPair.readline`. */
  readline(limit: number | null = -1): Buffer {
    // io.IOBase.readline: peek(1) says how much to read(); a read's null (non-blocking) is an OSError.
    const max = optionalSize(limit);
    const line: Buffer[] = [];
    let length = 0;
    while (max < 0 || length < max) {
      const ahead = this.peek(1);
      let n = ahead.length === 0 ? 1 : ahead.indexOf(0x0a) + 1 || ahead.length;
      if (max >= 0) n = Math.min(n, max - length);
      const b = this.read(n);
      if (b === null) throw new OSError("read() should have returned a bytes object, not 'NoneType'");
      if (b.length === 0) break;
      line.push(b);
      length += b.length;
      if (b[b.length - 1] === 0x0a) break;
    }
    return Buffer.concat(line);
  }
  /** Never: a pair has no one raw object to give (UnsupportedOperation). Python: `io.BufferedRWPair.detach`. */
  detach(): never {
    throw new UnsupportedOperation('detach');
  }
  /** readlines(hint=-1): the lines until EOF. Python: `io.BufferedRWPair.readlines`. */
  readlines(hint: number | null = -1): Buffer[] {
    return readlines(this, () => this.readline(), hint);
  }
  /** write(b) -> the number of bytes taken. Python: `io.BufferedRWPair.write`. */
  write(b: Uint8Array): number {
    return this.#writer.write(b);
  }
  /** Writes each of `lines`. Python: `io.BufferedRWPair.writelines`. */
  writelines(lines: Iterable<Uint8Array>): void {
    this.#writer.writelines(lines);
  }
  /** flush(): sends what is buffered. Python: `io.BufferedRWPair.flush`. */
  flush(): void {
    this.#writer.flush();
  }
  /** Whether the file can read. Python: `io.BufferedRWPair.readable`. */
  readable(): boolean {
    return this.#reader.readable();
  }
  /** Whether the file can write. Python: `io.BufferedRWPair.writable`. */
  writable(): boolean {
    return this.#writer.writable();
  }
  /** False: a socket cannot seek. Python: `io.BufferedRWPair.seekable`. */
  seekable(): boolean {
    return false;
  }
  /** Never: a pair of two streams has no one fd (UnsupportedOperation), as Python's. Python: `io.BufferedRWPair.fileno`. */
  fileno(): never {
    throw new UnsupportedOperation('fileno');
  }
  /**
   * Closes the file (a writer flushes first); the fd stays open until the socket is closed too.
   * Python: `io.BufferedRWPair.close`.
   */
  close(): void {
    try {
      this.#writer.close();
    } finally {
      this.#reader.close();
    }
  }
  /** `for (const line of file)`: each line until EOF. Python: `io.BufferedRWPair.__iter__`. */
  *[Symbol.iterator](): Iterator<Buffer> {
    yield* this.#reader;
  }
}
