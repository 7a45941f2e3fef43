// sock.makefile(): Python's io layering over a socket, from the file objects
// in io/. SocketIO (io/socketio.ts) is the raw object (socket.SocketIO);
// BufferedReader, BufferedWriter and BufferedRWPair (io/buffered.ts) buffer it
// as io's do; TextIOWrapper (io/text.ts) decodes and encodes text with Python's
// newline rules. Behaviour follows CPython's Modules/_io in every mode:
// non-blocking reads return null (or what they have), a timeout poisons the raw
// object, a full non-blocking buffered write throws BlockingIOError with
// `characters_written`.

import { int, pyType } from './convert';
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
  // Python's set(mode) <= {'r', 'w', 'b'}: a mode that is no string is not iterable there.
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
  let size = buffering === null || buffering === undefined ? -1 : int(buffering);
  if (size < 0) size = DEFAULT_BUFFER_SIZE;
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
