// Python's socket.SocketIO: the raw file object of a socket, in bytes, that
// makefile() layers io's buffered and text objects over.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
import { bytes, optionalSize, pyType, ssize } from '../convert';
import { isWouldBlock, OSError, TimeoutError } from '../errors';
import { fitsBuffer } from '../slab';
import { closedFile, DEFAULT_BUFFER_SIZE, IOBase, readlines, UnsupportedOperation, writelines } from './base';

/** How a Socket counts the files made from it: its fd stays open until they are closed too. */
export const IO_REF = Symbol('bsdsock.ioRef');

/** What a SocketIO needs of its socket: the calls it makes, and the count of files made from it (a -1 at 0 is nothing). */
export interface FileSocket {
  recv_into(buffer: Uint8Array): number;
  send(data: Uint8Array): number;
  fileno(): number;
  [IO_REF](delta: 1 | -1): void;
}

/** Python's socket.SocketIO: the raw I/O object of a socket, in bytes. */
export class SocketIO extends IOBase {
  #sock: FileSocket | null;
  readonly #mode: string;
  readonly #reading: boolean;
  readonly #writing: boolean;
  #timedOut = false;

  /**
   * A raw file over `sock` (`'r'`, `'w'`, `'rw'`, with or without `'b'`). As in Python, one made by
   * hand does not hold the socket open (makefile() counts its files; see Socket.close).
   */
  constructor(sock: FileSocket, mode: string) {
    super();
    if (!['r', 'w', 'rw', 'rb', 'wb', 'rwb'].includes(mode)) throw new RangeError(`invalid mode: '${mode}'`);
    // Python takes any object and fails at the first read; a bsdsock file needs the socket's count of files.
    if (typeof (sock as Partial<FileSocket> | null)?.[IO_REF] !== 'function') throw new TypeError(`SocketIO() argument 1 must be a bsdsock Socket, not ${pyType(sock)}`);
    this.#sock = sock;
    this.#mode = mode.includes('b') ? mode : `${mode}b`;
    this.#reading = mode.includes('r');
    this.#writing = mode.includes('w');
  }

  /** Whether the file is closed. Python: `socket.SocketIO.closed`. */
  get closed(): boolean {
    return this.#sock === null;
  }

  /** The socket, for a read or write; a closed file's is io's ValueError. */
  #open(): FileSocket {
    if (this.#sock === null) throw closedFile();
    return this.#sock;
  }

  /** readable(), writable() and seekable() word a closed file their own way, as socket.SocketIO's. */
  #query<T>(answer: T): T {
    if (this.#sock === null) throw closedFile('I/O operation on closed socket.');
    return answer;
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
      else if (isWouldBlock(e)) return null;
      throw e;
    }
  }

  /** read(n=-1): one receive of up to n bytes (all until EOF when n < 0); null if a
   * non-blocking socket has nothing. Python: `io.RawIOBase.read`. */
  read(n = -1): Buffer | null {
    const want = ssize(n);
    if (want < 0) return this.readall();
    fitsBuffer(want);
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

  /**
   * readline(limit=-1): bytes up to and including b'\n', one byte per receive, as io.IOBase's; OSError
   * if a non-blocking socket has nothing before the line ends. Python: `io.IOBase.readline`.
   */
  readline(limit: number | null = -1): Buffer {
    const max = optionalSize(limit);
    const line: number[] = [];
    while (max < 0 || line.length < max) {
      const b = this.read(1);
      // io.IOBase.readline's check of each read: a non-blocking socket's null is an error (the bytes before it are lost).
      if (b === null) throw new OSError("read() should have returned a bytes object, not 'NoneType'");
      if (b.length === 0) break;
      line.push(b[0]!);
      if (b[0] === 0x0a) break;
    }
    return Buffer.from(line);
  }

  /** readlines(hint=-1): lines until EOF, or until their total passes `hint`. Python: `io.IOBase.readlines`. */
  readlines(hint: number | null = -1): Buffer[] {
    return readlines(this, () => this.readline(), hint);
  }

  /** Sends what the socket takes of `b`; null when a non-blocking socket takes nothing. Python: `socket.SocketIO.write`. */
  write(b: Uint8Array): number | null {
    const sock = this.#open();
    if (!this.#writing) throw new UnsupportedOperation('File or stream is not writable.');
    try {
      return sock.send(bytes(b));
    } catch (e) {
      if (isWouldBlock(e)) return null;
      throw e;
    }
  }

  /** Writes each of `lines`. Python: `io.IOBase.writelines`. */
  writelines(lines: Iterable<Uint8Array>): void {
    writelines(this, (line) => this.write(line), lines);
  }

  /** Nothing to flush: the raw object holds no buffer. Python: `io.IOBase.flush`. */
  flush(): void {
    if (this.closed) throw closedFile();
  }

  /** Whether the file can read. Python: `socket.SocketIO.readable`. */
  readable(): boolean {
    return this.#query(this.#reading);
  }

  /** Whether the file can write. Python: `socket.SocketIO.writable`. */
  writable(): boolean {
    return this.#query(this.#writing);
  }

  /** False: a socket cannot seek. Python: `socket.SocketIO.seekable`. */
  seekable(): boolean {
    return this.#query(false);
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

  /** `<socket.SocketIO object>`, Python's repr without the address. Python: `socket.SocketIO.__repr__`. */
  [inspect.custom](): string {
    return '<socket.SocketIO object>';
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
