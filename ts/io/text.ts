// Python's io.TextIOWrapper over a buffered socket file: text decoded and
// encoded with the codec makefile() was given, and Python's newline rules.


import { inspect } from 'node:util';

import { argType, optionalSize, ssize } from '../convert';
import { pyRepr } from '../repr';
import { BufferedReader, BufferedRWPair, BufferedWriter } from './buffered';
import { LookupError } from '../errors';
import { decoderFor, encode, type Decoder } from './codecs';
import { closedFile, DEFAULT_BUFFER_SIZE, IOBase, readlines, UnsupportedOperation, writelines } from './base';

type Buffered = BufferedReader | BufferedWriter | BufferedRWPair;

/** How many written bytes a TextIOWrapper holds before it hands them to its buffer. Python: `_io.TextIOWrapper._CHUNK_SIZE`. */
const CHUNK_SIZE = 8192;

/** The text codecs makefile supports: Node's name, Python's (its module in `encodings`), and the
 * aliases Python's `encodings.aliases` gives it. */
const CODECS: [BufferEncoding, string, string[]][] = [
  ['utf8', 'utf_8', ['cp65001', 'u8', 'utf', 'utf8', 'utf8_ucs2', 'utf8_ucs4']],
  [
    'latin1',
    'latin_1',
    ['8859', 'cp819', 'csisolatin1', 'ibm819', 'iso8859', 'iso8859_1', 'iso_8859_1', 'iso_8859_1_1987', 'iso_ir_100', 'l1', 'latin', 'latin1'],
  ],
  [
    'ascii',
    'ascii',
    ['646', 'ansi_x3.4_1968', 'ansi_x3.4_1986', 'ansi_x3_4_1968', 'cp367', 'csascii', 'ibm367', 'iso646_us', 'iso_646.irv_1991', 'iso_ir_6', 'us', 'us_ascii'],
  ],
  ['utf16le', 'utf_16_le', ['unicodelittleunmarked', 'utf_16le']],
];
const MODULES = new Map(CODECS.map(([codec, module]) => [module, codec]));
const ALIASES = new Map(CODECS.flatMap(([codec, , aliases]) => aliases.map((alias) => [alias, codec] as const)));

/**
 * The codec of an encoding's name, as Python's codecs.lookup finds it: the name in lower case (ASCII),
 * each run of characters other than letters, digits and '.' one '_' (none at either end), letters
 * beyond ASCII dropped (`encodings.normalize_encoding`); then an alias (a '.' also tried as '_'),
 * else a module's name.
 */
function codecOf(encoding: string): BufferEncoding | undefined {
  const norm = encoding
    .replace(/[A-Z]+/g, (upper) => upper.toLowerCase())
    .replace(/[^\p{L}\p{N}.]+/gu, '_')
    .replace(/[^\x00-\x7f]/g, '')
    .replace(/^_+|_+$/g, '');
  return ALIASES.get(norm) ?? ALIASES.get(norm.replace(/\./g, '_')) ?? MODULES.get(norm);
}

/** A str-or-None argument of TextIOWrapper(), as its argument parser takes it. */
function strOrNone(v: unknown, name: string): string | null {
  if (v === null || v === undefined || typeof v === 'string') return v ?? null;
  throw new TypeError(`TextIOWrapper() argument '${name}' must be str or None, not ${argType(v)}`);
}

/** The index in `text` after its first `n` characters, a surrogate pair counting one as Python
 * counts characters; -1 if it has fewer. */
function afterChars(text: string, n: number): number {
  if (n > text.length) return -1;
  if (!/[\ud800-\udbff][\udc00-\udfff]/.test(text)) return n;
  let i = 0;
  for (let k = 0; k < n; k++) {
    if (i >= text.length) return -1;
    const pair = (text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += pair ? 2 : 1;
  }
  return i;
}

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
  #buffer: Buffered | null;
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
  readonly #decoder: Decoder;
  readonly #newline: string | null;
  /** Decoded text not yet returned. */
  #text = '';
  /** A '\r' held back until the next chunk says whether '\n' follows (universal newlines). */
  #pendingCR = false;
  /** This read or readline reached the end of the stream. Not kept between calls: CPython's
   * TextIOWrapper asks its buffer again each time (a detached socket then raises EBADF). */
  #eof = false;
  /** The line endings read so far (SEEN_*), and a '\r' at the end of the last chunk not yet counted. */
  #seen = 0;
  #seenCR = false;
  /** Encoded writes not yet handed to the buffer (CPython's pending_bytes), and their length. */
  #pending: Buffer[] | null = null;
  #pendingCount = 0;

  constructor(buffer: Buffered, encoding: string | null = null, errors: string | null = null, newline: string | null = null) {
    super();
    this.#buffer = buffer;
    // CPython's order: encoding's and newline's types (its argument parser), errors' type, the
    // newline's value, then the codec. An error handler is looked up when an error first needs it.
    this.encoding = strOrNone(encoding, 'encoding') ?? 'UTF-8';
    const nl = strOrNone(newline, 'newline');
    this.errors = strOrNone(errors, 'errors') ?? 'strict';
    if (nl !== null && !['', '\n', '\r', '\r\n'].includes(nl)) throw new RangeError(`illegal newline value: ${nl}`);
    this.#newline = nl;
    const codec = codecOf(this.encoding);
    if (codec === undefined) throw new LookupError(`unknown encoding: ${this.encoding}`);
    this.#codec = codec;
    this.#decoder = decoderFor(codec, this.errors);
  }

  /** The buffered object underneath; null once `detach()` took it. Python: `io.TextIOWrapper.buffer`. */
  get buffer(): Buffered | null {
    return this.#buffer;
  }

  /** The buffered object, which every operation needs: Python's ValueError (a RangeError) once detached. */
  #live(): Buffered {
    if (this.#buffer === null) throw closedFile('underlying buffer has been detached');
    return this.#buffer;
  }

  /**
   * detach() -> the buffered object, after a flush: this file is of no more use (every operation
   * is Python's ValueError), the buffered object goes on. Python: `io.TextIOWrapper.detach`.
   */
  detach(): Buffered {
    const buffer = this.#live();
    this.flush();
    this.#buffer = null;
    return buffer;
  }

  /** Whether the file is closed. Python: `io.TextIOWrapper.closed`. */
  get closed(): boolean {
    return this.#live().closed;
  }

  #decode(chunk: Buffer, final: boolean): string {
    return this.#decoder.decode(chunk, final);
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
    const reader = this.#readStart();
    this.#eof = false;
    const want = optionalSize(n);
    if (want < 0) {
      const rest = reader.read(-1);
      if (rest === null) throw this.#decodeNone();
      this.#eof = true;
      const text = this.#text + this.#translate(this.#decode(rest, true), true);
      this.#text = '';
      return text;
    }
    let at: number;
    while ((at = afterChars(this.#text, want)) < 0 && this.#more());
    if (at < 0) at = this.#text.length;
    const out = this.#text.slice(0, at);
    this.#text = this.#text.slice(at);
    return out;
  }

  /**
   * What CPython 3.11's read() raises when a non-blocking buffer's read() returns None: the codec's
   * decode(None) fails, each codec its own way (the buffered UTF decoders concatenate their held bytes).
   */
  #decodeNone(): TypeError {
    const buffered = this.#codec === 'utf8' || this.#codec === 'utf16le';
    return new TypeError(buffered ? "can't concat NoneType to bytes" : "a bytes-like object is required, not 'NoneType'");
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
    // CPython's readline hands on the bytes held before it asks whether the file reads; read() after.
    this.#writeflush();
    this.#reader();
    this.#eof = false;
    // TextIOWrapper.readline takes an int only (None is a TypeError), unlike read().
    const max = ssize(size);
    for (;;) {
      let end = this.#lineEnd(this.#text);
      if (end < 0 && this.#eof) end = this.#text.length;
      const maxAt = max >= 0 ? afterChars(this.#text, max) : -1;
      if (end >= 0 || maxAt >= 0) {
        const cut = maxAt < 0 ? end : end < 0 ? maxAt : Math.min(end, maxAt);
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
  readlines(hint: number | null = -1): string[] {
    return readlines(this, () => this.readline(), hint);
  }

  /**
   * write(s) -> len(s): '\n' becomes the newline given (none translated for '' and '\n'). The bytes are
   * held until 8192 of them are (or flush(), a read, close()), then handed to the buffer. Python: `io.TextIOWrapper.write`.
   */
  write(s: string): number {
    if (this.closed) throw closedFile();
    if (typeof s !== 'string') throw new TypeError(`write() argument must be str, not ${argType(s)}`);
    const nl = this.#newline;
    const text = nl === '\r' || nl === '\r\n' ? s.replace(/\n/g, nl) : s;
    this.#writer();
    const b = encode(this.#codec, this.errors, text);
    // As CPython's pending_bytes: what is held never grows past CHUNK_SIZE by a write.
    if (this.#pendingCount + b.length > CHUNK_SIZE) this.#writeflush();
    (this.#pending ??= []).push(b);
    this.#pendingCount += b.length;
    if (this.#pendingCount >= CHUNK_SIZE) this.#writeflush();
    // Python counts characters: a surrogate pair is one.
    return /[\ud800-\udbff][\udc00-\udfff]/.test(s) ? Array.from(s).length : s.length;
  }

  /** Hands the bytes held to the buffer (dropping them first, as CPython does, should that fail). */
  #writeflush(): void {
    const pending = this.#pending;
    if (pending === null) return;
    this.#pending = null;
    this.#pendingCount = 0;
    this.#writer().write(pending.length === 1 ? pending[0]! : Buffer.concat(pending));
  }

  /** The buffer for a read, after the bytes written and held are handed on. */
  #readStart(): BufferedReader | BufferedRWPair {
    const reader = this.#reader();
    this.#writeflush();
    return reader;
  }

  /** The buffer to read from; UnsupportedOperation for a file made for writing. */
  #reader(): BufferedReader | BufferedRWPair {
    const buffer = this.#live();
    if (buffer instanceof BufferedWriter) throw new UnsupportedOperation('not readable');
    return buffer;
  }

  /** The buffer to write to; UnsupportedOperation for a file made for reading. */
  #writer(): BufferedWriter | BufferedRWPair {
    const buffer = this.#live();
    if (buffer instanceof BufferedReader) throw new UnsupportedOperation('not writable');
    return buffer;
  }

  /** Writes each of `lines`. Python: `io.TextIOWrapper.writelines`. */
  writelines(lines: Iterable<string>): void {
    writelines(this, (line) => this.write(line), lines);
  }

  /** flush(): sends what is buffered. Python: `io.TextIOWrapper.flush`. */
  flush(): void {
    if (this.closed) throw closedFile();
    this.#writeflush();
    this.#live().flush();
  }

  protected override unsupported(op: 'seek' | 'tell' | 'truncate'): Error {
    if (this.closed) return closedFile();
    return op === 'truncate' ? super.unsupported(op) : new UnsupportedOperation('underlying stream is not seekable');
  }

  /** False: a socket cannot seek. Python: `io.TextIOWrapper.seekable`. */
  seekable(): boolean {
    return this.#live().seekable();
  }

  /** Whether the file can read. Python: `io.TextIOWrapper.readable`. */
  readable(): boolean {
    return this.#live().readable();
  }

  /** Whether the file can write. Python: `io.TextIOWrapper.writable`. */
  writable(): boolean {
    return this.#live().writable();
  }

  /** The socket's fd. Python: `io.TextIOWrapper.fileno`. */
  fileno(): number {
    return this.#live().fileno();
  }

  /** The socket's fd, as Python names a socket file (-1 once closed); undefined in mode
   * 'rw', whose BufferedRWPair has no name. Python: `io.TextIOWrapper.name`. */
  get name(): number | undefined {
    const buffer = this.#live();
    return buffer instanceof BufferedRWPair ? undefined : buffer.name;
  }

  /** `<_io.TextIOWrapper name=3 mode='r' encoding='UTF-8'>` (no name in mode 'rw'), as Python's repr. */
  [inspect.custom](): string {
    // No name once detached: Python's repr leaves out what raises.
    const name = this.#buffer === null || this.name === undefined ? '' : ` name=${this.name}`;
    return `<_io.TextIOWrapper${name} mode=${pyRepr(this.mode)} encoding=${pyRepr(this.encoding)}>`;
  }

  /**
   * Closes the file (a writer flushes first); the fd stays open until the socket is closed too.
   * Python: `io.TextIOWrapper.close`.
   */
  close(): void {
    if (this.closed) return;
    let failed: { error: unknown } | null = null;
    try {
      this.flush();
    } catch (error) {
      failed = { error };
    }
    // The buffer closes (its raw file too) whatever the flush did; its own error wins, as CPython's.
    this.#live().close();
    if (failed !== null) throw failed.error;
  }

  /** `for (const line of file)`: each line until EOF. Python: `io.TextIOWrapper.__iter__`. */
  *[Symbol.iterator](): Iterator<string> {
    for (let line = this.readline(); line.length > 0; line = this.readline()) yield line;
  }
}
