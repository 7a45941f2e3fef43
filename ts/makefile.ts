// sock.makefile(): Python's io layering over a socket, from the file objects
// in io/. SocketIO (io/socketio.ts) is the raw object (socket.SocketIO);
// BufferedReader, BufferedWriter and BufferedRWPair (io/buffered.ts) buffer it
// as io's do; TextIOWrapper (io/text.ts) decodes and encodes text with Python's
// newline rules. Behaviour follows CPython's Modules/_io in every mode:
// non-blocking reads return null (or what they have), a timeout poisons the raw
// object, a full non-blocking buffered write throws BlockingIOError with
// `characters_written`.

import { anInt, pyType, ssize } from './convert';
import { pyRepr } from './repr';
import { DEFAULT_BUFFER_SIZE } from './io/base';
import { BufferedReader, BufferedRWPair, BufferedWriter } from './io/buffered';
import { IO_REF, SocketIO, type FileSocket } from './io/socketio';
import { TextIOWrapper } from './io/text';

/** makefile's keyword-only arguments. Python: `socket.socket.makefile`. */
export interface MakefileOptions {
  encoding?: string | null;
  errors?: string | null;
  newline?: string | null;
}

/** What makefile returns for a mode: text by default, bytes with 'b', raw when unbuffered. */
export type SocketFile = SocketIO | BufferedReader | BufferedWriter | BufferedRWPair | TextIOWrapper;

/** Python's socket.makefile(mode='r', buffering=None, *, encoding, errors, newline). */
export function makefile(sock: FileSocket, mode = 'r', buffering: number | null = null, options: MakefileOptions = {}): SocketFile {
  // Python's set(mode) <= {'r', 'w', 'b'}: bytes are a set of ints, which only an empty one passes (to
  // fail at `'w' in mode`); a mode that is no string nor bytes is not iterable there.
  const given: unknown = mode;
  // A list of the letters is a mode too (Python iterates it as it does a str).
  if (Array.isArray(given)) {
    if (!given.every((c) => c === 'r' || c === 'w' || c === 'b')) throw new RangeError(`invalid mode [${given.map(pyRepr).join(', ')}] (only r, w, b allowed)`);
    mode = given.join('');
  }
  if (given instanceof Uint8Array) {
    if (given.length === 0) throw new TypeError("a bytes-like object is required, not 'str'");
    throw new RangeError(`invalid mode ${pyRepr(given)} (only r, w, b allowed)`);
  }
  if (typeof mode !== 'string') throw new TypeError(`'${pyType(mode)}' object is not iterable`);
  if ([...mode].some((c) => !'rwb'.includes(c))) {
    throw new RangeError(`invalid mode '${String(mode)}' (only r, w, b allowed)`);
  }
  const writing = mode.includes('w');
  const reading = mode.includes('r') || !writing;
  const binary = mode.includes('b');
  // Python compares it first (`buffering < 0`): anything but a number is that comparison's TypeError.
  if (buffering !== null && buffering !== undefined && typeof buffering !== 'number' && typeof buffering !== 'boolean' && typeof buffering !== 'bigint') {
    throw new TypeError(`'<' not supported between instances of '${pyType(buffering)}' and 'int'`);
  }
  // Python: `buffering < 0` is the default size and `buffering == 0` unbuffered, whatever the number
  // (-0.5 too); any other size goes to the buffered file as an int (1.5 is its TypeError, 2**63 its OverflowError).
  const compared = buffering === null || buffering === undefined ? -1 : Number(anInt(buffering));
  const size = compared < 0 ? DEFAULT_BUFFER_SIZE : compared === 0 ? 0 : ssize(buffering);
  if (size === 0 && !binary) throw new RangeError('unbuffered streams must be binary');
  const raw = new SocketIO(sock, `${reading ? 'r' : ''}${writing ? 'w' : ''}`);
  // A file from makefile() holds the socket open until it closes too (Python's _io_refs).
  sock[IO_REF](1);
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
