// Length-prefixed binary framing that copies as little as possible: the
// chunks are kept as they were received, a frame that lies in one chunk is
// returned as a view of it, a frame that spans chunks is copied once into a
// buffer of its own size. Nothing is concatenated as data arrives, so a big
// frame in many small chunks costs one copy, not a quadratic number of bytes.
// AgentX (RFC 2741) is the worked example: a 20-byte header whose last field,
// at offset 16, is the payload length.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { IncompleteReadError, type StreamReader } from './streams';
import { Protocol } from './protocols';
import type { Transport } from './transports';

/** How to find a frame's length: a fixed-size header, and the payload length it carries. */
export interface FrameSpec {
  /** Bytes in the header. */
  readonly headerSize: number;
  /** The payload length (bytes after the header) from the header bytes (headerSize of them). */
  payloadLength(header: Buffer): number;
  /** The largest frame accepted (header included); larger ones throw RangeError. Default 64 MiB. */
  readonly maxFrame?: number;
}

/** AgentX's NETWORK_BYTE_ORDER flag (RFC 2741 section 6.1): set, the header's integers are big-endian. */
export const AGENTX_NETWORK_BYTE_ORDER = 0x10;

/**
 * The AgentX header (RFC 2741 section 6.1): version, type, flags, reserved,
 * sessionID, transactionID, packetID, payload_length; 20 bytes. The payload
 * length is at offset 16 in network byte order when the NETWORK_BYTE_ORDER
 * flag is set, little-endian when it is not.
 */
export const AGENTX: FrameSpec = {
  headerSize: 20,
  payloadLength(header: Buffer): number {
    return (header[2]! & AGENTX_NETWORK_BYTE_ORDER) !== 0 ? header.readUInt32BE(16) : header.readUInt32LE(16);
  },
};

const DEFAULT_MAX = 64 * 1024 * 1024;

/** Splits a byte stream into frames (Python has no counterpart; the talk's frame reader). */
export class FrameReader {
  readonly #spec: FrameSpec;
  readonly #max: number;
  /** The chunks kept; those before #first are consumed, and #offset bytes of #chunks[#first]. */
  #chunks: Buffer[] = [];
  #first = 0;
  #offset = 0;
  #size = 0;
  /** The whole length of the frame at the head, once its header is in. */
  #frameLength = -1;

  constructor(spec: FrameSpec) {
    if (!Number.isInteger(spec.headerSize) || spec.headerSize <= 0) throw new RangeError('headerSize must be a positive integer');
    this.#spec = spec;
    this.#max = spec.maxFrame ?? DEFAULT_MAX;
  }

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.#size;
  }

  /** The length of the frame being received (header included), or -1 before its header is in. */
  get expected(): number {
    return this.#frameLength;
  }

  /** Keeps a received chunk, as it is (not copied: it must not be changed afterwards). */
  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.#chunks.push(buf);
    this.#size += buf.length;
  }

  /** Removes `n` bytes (n <= buffered) from the head: a view when they lie in one chunk, else one copy. */
  #take(n: number): Buffer {
    const head = this.#chunks[this.#first]!;
    let out: Buffer;
    if (head.length - this.#offset >= n) {
      out = head.subarray(this.#offset, this.#offset + n);
      this.#offset += n;
      if (this.#offset === head.length) this.#drop();
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.#chunks[this.#first]!;
        const k = Math.min(c.length - this.#offset, n - at);
        c.copy(out, at, this.#offset, this.#offset + k);
        at += k;
        this.#offset += k;
        if (this.#offset === c.length) this.#drop();
      }
    }
    this.#size -= n;
    return out;
  }

  /** Leaves the head chunk behind; the array is compacted now and then, so that dropping stays O(1). */
  #drop(): void {
    this.#chunks[this.#first] = EMPTY;
    this.#first++;
    this.#offset = 0;
    if (this.#first === this.#chunks.length) {
      this.#chunks = [];
      this.#first = 0;
    } else if (this.#first >= 1024 && this.#first * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }

  /** The first `n` bytes, without consuming them (a view, or a copy of a header that spans chunks). */
  #peek(n: number): Buffer {
    const head = this.#chunks[this.#first]!;
    if (head.length - this.#offset >= n) return head.subarray(this.#offset, this.#offset + n);
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    let i = this.#first;
    let off = this.#offset;
    while (at < n) {
      const c = this.#chunks[i]!;
      const k = Math.min(c.length - off, n - at);
      c.copy(out, at, off, off + k);
      at += k;
      i++;
      off = 0;
    }
    return out;
  }

  /** The next whole frame (header and payload), or null until it has arrived. */
  next(): Buffer | null {
    if (this.#frameLength < 0) {
      const h = this.#spec.headerSize;
      if (this.#size < h) return null;
      const payload = this.#spec.payloadLength(this.#peek(h));
      if (!Number.isInteger(payload) || payload < 0) throw new RangeError(`invalid payload length ${payload}`);
      if (h + payload > this.#max) throw new RangeError(`frame of ${h + payload} bytes exceeds the limit of ${this.#max}`);
      this.#frameLength = h + payload;
    }
    if (this.#size < this.#frameLength) return null;
    const frame = this.#take(this.#frameLength);
    this.#frameLength = -1;
    return frame;
  }

  /** Every whole frame received so far. */
  *frames(): IterableIterator<Buffer> {
    for (let f = this.next(); f !== null; f = this.next()) yield f;
  }

  /** What is left (a frame cut short), consumed. */
  rest(): Buffer {
    return this.#size === 0 ? EMPTY : this.#take(this.#size);
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * A Protocol that splits what arrives into frames and calls `frame_received`
 * with each (views of the received data where possible).
 */
export class FramedProtocol extends Protocol {
  readonly frames: FrameReader;
  transport: Transport | null = null;

  constructor(spec: FrameSpec) {
    super();
    this.frames = new FrameReader(spec);
  }

  override connection_made(transport: Transport): void {
    this.transport = transport;
  }

  override data_received(data: Buffer): void {
    this.frames.push(data);
    let f: Buffer | null;
    while ((f = this.frames.next()) !== null) {
      this.frame_received(f);
      if (this.transport?.is_closing() === true) return;
    }
  }

  /** One whole frame, header included. */
  frame_received(_frame: Buffer): void {}
}

/** Frames read from a StreamReader: `await read()` each, or `for await`. */
export class StreamFrameReader implements AsyncIterable<Buffer> {
  readonly #reader: StreamReader;
  readonly #frames: FrameReader;
  readonly #chunkSize: number;

  constructor(reader: StreamReader, spec: FrameSpec, chunkSize = 256 * 1024) {
    this.#reader = reader;
    this.#frames = new FrameReader(spec);
    this.#chunkSize = chunkSize;
  }

  /** The next frame; null at a clean EOF; IncompleteReadError (with `partial`) at EOF inside a frame. */
  async read(): Promise<Buffer | null> {
    for (;;) {
      const f = this.#frames.next();
      if (f !== null) return f;
      const chunk = await this.#reader.read(this.#chunkSize);
      if (chunk.length === 0) {
        if (this.#frames.buffered === 0) return null;
        const expected = this.#frames.expected;
        throw new IncompleteReadError(this.#frames.rest(), expected < 0 ? null : expected);
      }
      this.#frames.push(chunk);
    }
  }

  /** `for await (const frame of frames)`: each frame until EOF. */
  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (let f = await this.read(); f !== null; f = await this.read()) yield f;
  }
}
