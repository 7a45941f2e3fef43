// sock.makefile(): Python's io layering over a socket. SocketIO is the raw
// object (socket.SocketIO); BufferedReader, BufferedWriter and BufferedRWPair
// buffer it as io's do; TextIOWrapper decodes and encodes text with Python's
// newline rules. Behaviour follows CPython's Modules/_io in every mode:
// non-blocking reads return null (or what they have), a timeout poisons the raw
// object, a full non-blocking buffered write throws BlockingIOError with
// `characters_written`.

import { TextDecoder } from 'node:util';

import { bytes, int, pyType } from './address';
import { BlockingIOError, OSError, oserrorNamed, TimeoutError } from './errors';
import type { Socket } from './socket';

/** io.DEFAULT_BUFFER_SIZE */
export const DEFAULT_BUFFER_SIZE = 8192;

/** How a Socket counts the files made from it: its fd stays open until they are closed too. */
export const IO_REF = Symbol('bsdsock.ioRef');

/** What makefile needs of a Socket beyond its public methods. */
interface Referenced {
  [IO_REF](delta: 1 | -1): void;
}

const EAGAIN = oserrorNamed('EAGAIN').errno;

/** Python's ValueError for an operation on a closed file. */
function closedFile(what = 'I/O operation on closed file.'): RangeError {
  return new RangeError(what);
}

/** The errnos of a read or write that would block (socket._blocking_errnos). */
function wouldBlock(e: unknown): boolean {
  return e instanceof BlockingIOError;
}

/**
 * Python's `io.UnsupportedOperation`: what a socket file cannot do (seek, tell,
 * truncate; read on a file made for writing, write on one made for reading).
 * Python's is both an OSError and a ValueError; this one is an OSError.
 */
export class UnsupportedOperation extends OSError {}

/** The file object's methods that io.IOBase gives every class, for a socket file. */
export abstract class IOBase {
  /** Whether the file is closed. Python: `io.IOBase.closed`. */
  abstract get closed(): boolean;

  /** What seek(), tell() and truncate() throw: each io class words it its own way. */
  protected unsupported(op: 'seek' | 'tell' | 'truncate'): Error {
    return new UnsupportedOperation(op === 'tell' ? 'seek' : op);
  }

  /** False: a socket is no terminal. Python: `io.IOBase.isatty`. */
  isatty(): boolean {
    if (this.closed) throw closedFile();
    return false;
  }

  /** Never: a socket cannot seek (UnsupportedOperation). Python: `io.IOBase.seek`. */
  seek(_offset?: number, _whence?: number): never {
    throw this.unsupported('seek');
  }

  /** Never: a socket has no position (UnsupportedOperation). Python: `io.IOBase.tell`. */
  tell(): never {
    throw this.unsupported('tell');
  }

  /** Never: a socket cannot be truncated (UnsupportedOperation). Python: `io.IOBase.truncate`. */
  truncate(_size?: number | null): never {
    throw this.unsupported('truncate');
  }
}

/** Python's socket.SocketIO: the raw I/O object of a socket, in bytes. */
export class SocketIO extends IOBase {
  #sock: (Socket & Referenced) | null;
  readonly #mode: string;
  readonly #reading: boolean;
  readonly #writing: boolean;
  #timedOut = false;

  constructor(sock: Socket, mode: string) {
    super();
    if (!['r', 'w', 'rw', 'rb', 'wb', 'rwb'].includes(mode)) throw new RangeError(`invalid mode: '${mode}'`);
    this.#sock = sock as Socket & Referenced;
    this.#mode = mode.includes('b') ? mode : `${mode}b`;
    this.#reading = mode.includes('r');
    this.#writing = mode.includes('w');
    this.#sock[IO_REF](1);
  }

  /** Whether the file is closed. Python: `socket.SocketIO.closed`. */
  get closed(): boolean {
    return this.#sock === null;
  }

  #open(): Socket {
    if (this.#sock === null) throw closedFile('I/O operation on closed socket.');
    return this.#sock;
  }

  /** Receives into `b`; null when a non-blocking socket has nothing. Python: `socket.SocketIO.readinto`. */
  readinto(b: Uint8Array): number | null {
    const sock = this.#open();
    if (!this.#reading) throw new UnsupportedOperation('File or stream is not readable.');
    if (this.#timedOut) throw new OSError('cannot read from timed out object');
    try {
      return sock.recv_into(b);
    } catch (e) {
      if (e instanceof TimeoutError) this.#timedOut = true;
      else if (wouldBlock(e)) return null;
      throw e;
    }
  }

  /** read(n=-1): one receive of up to n bytes (all until EOF when n < 0); null if a
   * non-blocking socket has nothing. Python: `io.RawIOBase.read`. */
  read(n = -1): Buffer | null {
    const want = int(n);
    if (want < 0) return this.readall();
    const b = Buffer.alloc(want);
    const got = this.readinto(b);
    return got === null ? null : b.subarray(0, got);
  }

  /** Every byte until EOF; null if nothing came before the socket would block. Python: `io.RawIOBase.readall`. */
  readall(): Buffer | null {
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = this.read(DEFAULT_BUFFER_SIZE);
      if (chunk === null) {
        if (chunks.length === 0) return null;
        break;
      }
      if (chunk.length === 0) break;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** readline(limit=-1): bytes up to and including b'\n', one byte per receive, as io.IOBase's. Python: `io.IOBase.readline`. */
  readline(limit: number | null = -1): Buffer {
    const max = limit === null ? -1 : int(limit);
    const line: number[] = [];
    while (max < 0 || line.length < max) {
      const b = this.read(1);
      if (b === null || b.length === 0) break;
      line.push(b[0]!);
      if (b[0] === 0x0a) break;
    }
    return Buffer.from(line);
  }

  /** readlines(hint=-1): lines until EOF, or until their total passes `hint`. Python: `io.IOBase.readlines`. */
  readlines(hint = -1): Buffer[] {
    return readlines(() => this.readline(), hint);
  }

  /** Sends what the socket takes of `b`; null when a non-blocking socket takes nothing. Python: `socket.SocketIO.write`. */
  write(b: Uint8Array): number | null {
    const sock = this.#open();
    if (!this.#writing) throw new UnsupportedOperation('File or stream is not writable.');
    try {
      return sock.send(bytes(b));
    } catch (e) {
      if (wouldBlock(e)) return null;
      throw e;
    }
  }

  /** Writes each of `lines`. Python: `io.IOBase.writelines`. */
  writelines(lines: Iterable<Uint8Array>): void {
    for (const line of lines) this.write(line);
  }

  /** Nothing to flush: the raw object holds no buffer. Python: `io.IOBase.flush`. */
  flush(): void {
    if (this.closed) throw closedFile();
  }

  /** Whether the file can read. Python: `socket.SocketIO.readable`. */
  readable(): boolean {
    this.#open();
    return this.#reading;
  }

  /** Whether the file can write. Python: `socket.SocketIO.writable`. */
  writable(): boolean {
    this.#open();
    return this.#writing;
  }

  /** False: a socket cannot seek. Python: `socket.SocketIO.seekable`. */
  seekable(): boolean {
    this.#open();
    return false;
  }

  /** The socket's fd. Python: `socket.SocketIO.fileno`. */
  fileno(): number {
    if (this.#sock === null) throw closedFile();
    return this.#sock.fileno();
  }

  /** The fd, or -1 once closed. Python: `socket.SocketIO.name`. */
  get name(): number {
    return this.#sock === null ? -1 : this.#sock.fileno();
  }

  /** The mode makefile() was given, as the raw object's: `'rb'`, `'wb'` or `'rwb'`. Python: `socket.SocketIO.mode`. */
  get mode(): string {
    return this.#mode;
  }

  /** Closes this file; the socket's fd closes once the socket and all its files are closed. Python: `socket.SocketIO.close`. */
  close(): void {
    const sock = this.#sock;
    if (sock === null) return;
    this.#sock = null;
    sock[IO_REF](-1);
  }

  /** `for (const line of file)`: each line until EOF. Python: `io.IOBase.__iter__`. */
  *[Symbol.iterator](): Iterator<Buffer> {
    for (let line = this.readline(); line.length > 0; line = this.readline()) yield line;
  }
}

/** io's readlines(hint): lines until EOF (an empty line), or until their total passes `hint`. */
function readlines<T extends { length: number }>(readline: () => T, hint: number): T[] {
  const lines: T[] = [];
  let total = 0;
  for (let line = readline(); line.length > 0; line = readline()) {
    lines.push(line);
    total += line.length;
    if (hint > 0 && total >= hint) break;
  }
  return lines;
}

/** The raw side a buffered object reads from or writes to: a SocketIO. */
type Raw = SocketIO;

function bufferSize(n: number): number {
  if (n <= 0) throw new RangeError('buffer size must be strictly positive');
  return n;
}

/** What BufferedReader and BufferedWriter share: their raw object, whose name, mode and fd they show. */
export abstract class BufferedIOBase extends IOBase {
  /** The SocketIO underneath. Python: `io.BufferedReader.raw`. */
  readonly raw: Raw;
  /** The buffer's size (makefile's `buffering`). */
  protected readonly size: number;

  constructor(raw: Raw, bufferSize_: number = DEFAULT_BUFFER_SIZE) {
    super();
    this.raw = raw;
    this.size = bufferSize(bufferSize_);
  }

  /** Whether the file is closed. Python: `io.BufferedReader.closed`. */
  get closed(): boolean {
    return this.raw.closed;
  }

  /** The socket's fd, as Python names a socket file (-1 once closed). Python: `io.BufferedReader.name`. */
  get name(): number {
    return this.raw.name;
  }

  /** The raw object's mode: `'rb'` or `'wb'`. Python: `io.BufferedReader.mode`. */
  get mode(): string {
    return this.raw.mode;
  }

  protected override unsupported(op: 'seek' | 'tell' | 'truncate'): Error {
    if (this.closed && op !== 'tell') return closedFile(`${op} of closed file`);
    return op === 'seek' ? new UnsupportedOperation('File or stream is not seekable.') : super.unsupported(op);
  }

  /** The socket's fd. Python: `io.BufferedReader.fileno`. */
  fileno(): number {
    return this.raw.fileno();
  }

  /** False: a socket cannot seek. Python: `io.BufferedReader.seekable`. */
  seekable(): boolean {
    return this.raw.seekable();
  }

  /** Writes each of `lines`. Python: `io.IOBase.writelines`. */
  writelines(lines: Iterable<Uint8Array>): void {
    for (const line of lines) this.write(line);
  }

  /** write(b): see each class. */
  abstract write(b: Uint8Array): number;
}

/** Python's io.BufferedReader over a raw object. */
export class BufferedReader extends BufferedIOBase {
  #buf: Buffer = Buffer.alloc(0);

  #check(): void {
    if (this.raw.closed) throw closedFile('read of closed file');
  }

  /** One raw read of up to `n` bytes: the bytes, empty at EOF, null if it would block. */
  #rawRead(n: number): Buffer | null {
    const b = Buffer.allocUnsafe(n);
    const got = this.raw.readinto(b);
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
  read(n = -1): Buffer | null {
    this.#check();
    const want = int(n);
    if (want < -1) throw new RangeError('read length must be non-negative or -1');
    const chunks: Buffer[] = [this.#take(this.#buf.length)];
    let have = chunks[0]!.length;
    while (want < 0 || have < want) {
      const chunk = this.#rawRead(want < 0 ? Math.max(this.size, DEFAULT_BUFFER_SIZE) : Math.max(want - have, this.size));
      if (chunk === null) {
        if (have === 0) return null;
        break;
      }
      if (chunk.length === 0) break;
      chunks.push(chunk);
      have += chunk.length;
    }
    const all = Buffer.concat(chunks);
    if (want >= 0 && all.length > want) {
      this.#buf = all.subarray(want);
      return Buffer.from(all.subarray(0, want));
    }
    return all;
  }

  /**
   * read1(n=-1): buffered bytes if any, else at most one raw read (empty if it would block).
   * Python: `io.BufferedReader.read1`.
   */
  read1(n = -1): Buffer {
    this.#check();
    let want = int(n);
    if (want < 0) want = this.size;
    if (want === 0) return Buffer.alloc(0);
    if (this.#buf.length > 0) return this.#take(Math.min(want, this.#buf.length));
    return this.#rawRead(want) ?? Buffer.alloc(0);
  }

  /** peek(n=0): the buffered bytes (one raw read when there are none); nothing consumed. Python: `io.BufferedReader.peek`. */
  peek(_n = 0): Buffer {
    this.#check();
    if (this.#buf.length === 0) this.#buf = this.#rawRead(this.size) ?? Buffer.alloc(0);
    return Buffer.from(this.#buf);
  }

  /**
   * readinto(b) -> bytes read into b, as read(len(b)); null if nothing without blocking.
   * Python: `io.BufferedReader.readinto`.
   */
  readinto(b: Uint8Array): number | null {
    const view = bytes(b);
    const data = this.read(view.length);
    if (data === null) return null;
    view.set(data);
    return data.length;
  }

  /** readline(limit=-1): up to and including b'\n', at most `limit` bytes. Python: `io.BufferedReader.readline`. */
  readline(limit: number | null = -1): Buffer {
    this.#check();
    const max = limit === null ? -1 : int(limit);
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
  readlines(hint = -1): Buffer[] {
    return readlines(() => this.readline(), hint);
  }

  /** readinto1(b) -> bytes read into b, as read1(len(b)). Python: `io.BufferedReader.readinto1`. */
  readinto1(b: Uint8Array): number {
    const view = bytes(b);
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
    return this.raw.readable();
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
    this.raw.close();
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
      const n = this.raw.write(this.#pending);
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
    if (this.raw.closed) throw closedFile('write to closed file');
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
      const n = this.raw.write(data.subarray(written));
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
    if (this.raw.closed) throw closedFile('flush of closed file');
    if (!this.#drain()) throw partialWrite(0);
  }

  /** Never: a writer does not read (UnsupportedOperation). Python: `io.BufferedWriter.read`. */
  read(_n?: number): never {
    throw new UnsupportedOperation('read');
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
    return this.raw.writable();
  }

  /** Flushes, then closes the raw object (even when the flush fails). Python: `io.BufferedWriter.close`. */
  close(): void {
    if (this.raw.closed) return;
    try {
      this.flush();
    } finally {
      this.raw.close();
    }
  }
}

/** Python's io.BufferedRWPair: a reader and a writer over one socket. */
export class BufferedRWPair extends IOBase {
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
  read(n = -1): Buffer | null {
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
    return this.#reader.readline(limit);
  }
  /** readlines(hint=-1): the lines until EOF. Python: `io.BufferedRWPair.readlines`. */
  readlines(hint = -1): Buffer[] {
    return this.#reader.readlines(hint);
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

type Buffered = BufferedReader | BufferedWriter | BufferedRWPair;

/** The text codecs makefile supports: Python's names for them, and Node's. */
const CODECS = new Map<string, BufferEncoding>([
  ['utf-8', 'utf8'],
  ['utf8', 'utf8'],
  ['latin-1', 'latin1'],
  ['latin1', 'latin1'],
  ['iso-8859-1', 'latin1'],
  ['ascii', 'ascii'],
  ['utf-16-le', 'utf16le'],
  ['utf-16le', 'utf16le'],
]);

/** The kinds of line ending a text reader has seen (the bits of Python's seennl). */
const SEEN_LF = 1;
const SEEN_CR = 2;
const SEEN_CRLF = 4;
/** Python's `newlines` for each set of kinds seen. */
const NEWLINES: (string | readonly string[] | null)[] = [
  null,
  '\n',
  '\r',
  Object.freeze(['\r', '\n']),
  '\r\n',
  Object.freeze(['\n', '\r\n']),
  Object.freeze(['\r', '\r\n']),
  Object.freeze(['\r', '\n', '\r\n']),
];

/** Python's io.TextIOWrapper over a buffered object, with its newline rules. */
export class TextIOWrapper extends IOBase {
  /** The buffered object underneath. Python: `io.TextIOWrapper.buffer`. */
  readonly buffer: Buffered;
  /** The encoding: as makefile() was given it, else the locale's, `'UTF-8'`. Python: `io.TextIOWrapper.encoding`. */
  readonly encoding: string;
  /** The codec error handler: `'strict'`, `'replace'` or `'ignore'`. Python: `io.TextIOWrapper.errors`. */
  readonly errors: string;
  /** False: a write is sent when the buffer fills or on flush(), not at each newline. Python: `io.TextIOWrapper.line_buffering`. */
  readonly line_buffering = false;
  /** False: writes are buffered. Python: `io.TextIOWrapper.write_through`. */
  readonly write_through = false;
  /** The mode makefile() was given (`'r'`, `'w'`, `'rw'`). Python: `io.TextIOWrapper.mode`. */
  mode = 'r';
  readonly #codec: BufferEncoding;
  readonly #decoder: TextDecoder | null;
  readonly #newline: string | null;
  /** Decoded text not yet returned. */
  #text = '';
  /** A '\r' held back until the next chunk says whether '\n' follows (universal newlines). */
  #pendingCR = false;
  #eof = false;
  /** The line endings read so far (SEEN_*), and a '\r' at the end of the last chunk not yet counted. */
  #seen = 0;
  #seenCR = false;

  constructor(buffer: Buffered, encoding: string | null = null, errors: string | null = null, newline: string | null = null) {
    super();
    this.buffer = buffer;
    this.encoding = encoding ?? 'UTF-8';
    const codec = CODECS.get(this.encoding.toLowerCase().replace(/_/g, '-'));
    if (codec === undefined) throw new RangeError(`unknown encoding: ${this.encoding}`);
    this.#codec = codec;
    this.errors = errors ?? 'strict';
    if (!['strict', 'replace', 'ignore'].includes(this.errors)) throw new RangeError(`unknown error handler name '${this.errors}'`);
    if (newline !== null && !['', '\n', '\r', '\r\n'].includes(newline)) throw new RangeError(`illegal newline value: ${newline}`);
    this.#newline = newline;
    this.#decoder = codec === 'utf8' ? new TextDecoder('utf-8', { fatal: this.errors === 'strict' }) : null;
  }

  /** Whether the file is closed. Python: `io.TextIOWrapper.closed`. */
  get closed(): boolean {
    return this.buffer.closed;
  }

  #decode(chunk: Buffer, final: boolean): string {
    let text: string;
    try {
      text = this.#decoder !== null ? this.#decoder.decode(chunk, { stream: !final }) : chunk.toString(this.#codec);
    } catch {
      throw new RangeError(`'${this.encoding}' codec can't decode bytes: invalid data`);
    }
    return this.errors === 'ignore' ? text.replace(/\uFFFD/g, '') : text;
  }

  /**
   * The line endings read so far, when newline is null or '' (else null): one
   * of '\r', '\n', '\r\n', or an array of those seen. Python: `io.TextIOWrapper.newlines`.
   */
  get newlines(): string | readonly string[] | null {
    return NEWLINES[this.#seen]!;
  }

  /** Counts the line endings of decoded text (newline null or ''), as Python's IncrementalNewlineDecoder. */
  #see(text: string, final: boolean): void {
    if (this.#newline !== null && this.#newline !== '') return;
    let t = this.#seenCR ? `\r${text}` : text;
    this.#seenCR = !final && t.endsWith('\r');
    if (this.#seenCR) t = t.slice(0, -1);
    for (const [nl] of t.matchAll(/\r\n|\r|\n/g)) this.#seen |= nl === '\n' ? SEEN_LF : nl === '\r' ? SEEN_CR : SEEN_CRLF;
  }

  /** Universal newlines on input (newline=null): '\r\n' and '\r' become '\n'. */
  #translate(text: string, final: boolean): string {
    this.#see(text, final);
    if (this.#newline !== null) return text;
    if (this.#pendingCR) {
      text = `\r${text}`;
      this.#pendingCR = false;
    }
    if (!final && text.endsWith('\r')) {
      text = text.slice(0, -1);
      this.#pendingCR = true;
    }
    return text.replace(/\r\n?/g, '\n');
  }

  /** Reads one more chunk (at most one raw read); false at EOF or when it would block. */
  #more(): boolean {
    if (this.#eof) return false;
    const chunk = this.#reader().read1(DEFAULT_BUFFER_SIZE);
    const final = chunk.length === 0;
    if (final) this.#eof = true;
    this.#text += this.#translate(this.#decode(chunk, final), final);
    return !final;
  }

  /** read(n=-1) -> up to n characters; all until EOF when n < 0. Python: `io.TextIOWrapper.read`. */
  read(n: number | null = -1): string {
    if (this.closed) throw closedFile();
    const want = n === null ? -1 : int(n);
    if (want < 0) {
      const rest = this.#reader().read(-1);
      if (rest === null) throw new BlockingIOError(EAGAIN, 'Read returned None.');
      this.#eof = true;
      const text = this.#text + this.#translate(this.#decode(rest, true), true);
      this.#text = '';
      return text;
    }
    while (this.#text.length < want && this.#more());
    const out = this.#text.slice(0, want);
    this.#text = this.#text.slice(want);
    return out;
  }

  /** Where the first line of `text` ends (after its terminator), or -1. */
  #lineEnd(text: string): number {
    const nl = this.#newline;
    if (nl === null || nl === '\n') {
      const i = text.indexOf('\n');
      return i < 0 ? -1 : i + 1;
    }
    if (nl === '') {
      // Any of \r, \n, \r\n ends a line; a final \r may be the start of \r\n.
      const m = /\r\n|\r(?!$)|\n/.exec(text);
      return m === null ? -1 : m.index + m[0].length;
    }
    const i = text.indexOf(nl);
    return i < 0 ? -1 : i + nl.length;
  }

  /** readline(size=-1) -> one line with its terminator ('' at EOF). Python: `io.TextIOWrapper.readline`. */
  readline(size: number | null = -1): string {
    if (this.closed) throw closedFile();
    const max = size === null ? -1 : int(size);
    for (;;) {
      let end = this.#lineEnd(this.#text);
      if (end < 0 && this.#eof) end = this.#text.length;
      if (end >= 0 || (max >= 0 && this.#text.length >= max)) {
        const cut = max >= 0 ? Math.min(end < 0 ? max : end, max) : end;
        const line = this.#text.slice(0, cut);
        this.#text = this.#text.slice(cut);
        return line;
      }
      if (!this.#more()) {
        if (!this.#eof) {
          // Nothing more without blocking: return what there is, as Python does.
          const line = this.#text;
          this.#text = '';
          return line;
        }
      }
    }
  }

  /** readlines(hint=-1): the lines until EOF. Python: `io.TextIOWrapper.readlines`. */
  readlines(hint = -1): string[] {
    return readlines(() => this.readline(), hint);
  }

  /** write(s) -> len(s): '\n' becomes the newline given (none translated for '' and '\n'). Python: `io.TextIOWrapper.write`. */
  write(s: string): number {
    if (this.closed) throw closedFile();
    if (typeof s !== 'string') throw new TypeError(`write() argument must be str, not ${pyType(s)}`);
    const nl = this.#newline;
    const text = nl === '\r' || nl === '\r\n' ? s.replace(/\n/g, nl) : s;
    this.#writer().write(Buffer.from(text, this.#codec));
    return s.length;
  }

  /** The buffer to read from; UnsupportedOperation for a file made for writing. */
  #reader(): BufferedReader | BufferedRWPair {
    if (this.buffer instanceof BufferedWriter) throw new UnsupportedOperation('not readable');
    return this.buffer;
  }

  /** The buffer to write to; UnsupportedOperation for a file made for reading. */
  #writer(): BufferedWriter | BufferedRWPair {
    if (this.buffer instanceof BufferedReader) throw new UnsupportedOperation('not writable');
    return this.buffer;
  }

  /** Writes each of `lines`. Python: `io.TextIOWrapper.writelines`. */
  writelines(lines: Iterable<string>): void {
    for (const line of lines) this.write(line);
  }

  /** flush(): sends what is buffered. Python: `io.TextIOWrapper.flush`. */
  flush(): void {
    if (this.closed) throw closedFile();
    this.buffer.flush();
  }

  protected override unsupported(op: 'seek' | 'tell' | 'truncate'): Error {
    if (this.closed) return closedFile();
    return op === 'truncate' ? super.unsupported(op) : new UnsupportedOperation('underlying stream is not seekable');
  }

  /** False: a socket cannot seek. Python: `io.TextIOWrapper.seekable`. */
  seekable(): boolean {
    return this.buffer.seekable();
  }

  /** Whether the file can read. Python: `io.TextIOWrapper.readable`. */
  readable(): boolean {
    return this.buffer.readable();
  }

  /** Whether the file can write. Python: `io.TextIOWrapper.writable`. */
  writable(): boolean {
    return this.buffer.writable();
  }

  /** The socket's fd. Python: `io.TextIOWrapper.fileno`. */
  fileno(): number {
    return this.buffer.fileno();
  }

  /** The socket's fd, as Python names a socket file (-1 once closed); undefined in mode
   * 'rw', whose BufferedRWPair has no name. Python: `io.TextIOWrapper.name`. */
  get name(): number | undefined {
    return this.buffer instanceof BufferedRWPair ? undefined : this.buffer.name;
  }

  /**
   * Closes the file (a writer flushes first); the fd stays open until the socket is closed too.
   * Python: `io.TextIOWrapper.close`.
   */
  close(): void {
    this.buffer.close();
  }

  /** `for (const line of file)`: each line until EOF. Python: `io.TextIOWrapper.__iter__`. */
  *[Symbol.iterator](): Iterator<string> {
    for (let line = this.readline(); line.length > 0; line = this.readline()) yield line;
  }
}

/** makefile's keyword-only arguments. Python: `socket.socket.makefile`. */
export interface MakefileOptions {
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

/** What makefile returns for a mode: text by default, bytes with 'b', raw when unbuffered. */
export type SocketFile = SocketIO | BufferedReader | BufferedWriter | BufferedRWPair | TextIOWrapper;

/** Python's socket.makefile(mode='r', buffering=None, *, encoding, errors, newline). */
export function makefile(sock: Socket, mode = 'r', buffering: number | null = null, options: MakefileOptions = {}): SocketFile {
  if (typeof mode !== 'string' || [...mode].some((c) => !'rwb'.includes(c))) {
    throw new RangeError(`invalid mode '${String(mode)}' (only r, w, b allowed)`);
  }
  const writing = mode.includes('w');
  const reading = mode.includes('r') || !writing;
  const binary = mode.includes('b');
  let size = buffering === null || buffering === undefined ? -1 : int(buffering);
  if (size < 0) size = DEFAULT_BUFFER_SIZE;
  if (size === 0 && !binary) throw new RangeError('unbuffered streams must be binary');
  const raw = new SocketIO(sock, `${reading ? 'r' : ''}${writing ? 'w' : ''}`);
  if (size === 0) return raw;
  // The raw file holds the socket open (its io ref): give it back if a wrapper rejects its arguments.
  try {
    const buffer = reading && writing ? new BufferedRWPair(raw, raw, size) : reading ? new BufferedReader(raw, size) : new BufferedWriter(raw, size);
    if (binary) return buffer;
    const text = new TextIOWrapper(buffer, options.encoding ?? null, options.errors ?? null, options.newline ?? null);
    text.mode = mode;
    return text;
  } catch (e) {
    raw.close();
    throw e;
  }
}
