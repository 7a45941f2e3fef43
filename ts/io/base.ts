// What Python's io classes share, for the file objects makefile() makes:
// IOBase's methods, UnsupportedOperation, io.DEFAULT_BUFFER_SIZE, and the
// errors and helpers every layer uses.

import { inspect } from 'node:util';

import { optionalSize, pyType } from '../convert';
import { oserrorNamed, OSError } from '../errors';

/** io.DEFAULT_BUFFER_SIZE */
export const DEFAULT_BUFFER_SIZE = 8192;

/** The errno of a read or write that would block. */
export const EAGAIN = oserrorNamed('EAGAIN').errno;

/** Python's ValueError for an operation on a closed file. */
export function closedFile(what = 'I/O operation on closed file.'): RangeError {
  return new RangeError(what);
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

  /** Python's repr: `<_io.BufferedReader name=3>`, each class its own, for console.log. */
  abstract [inspect.custom](): string;

  /** Python's repr, as `[inspect.custom]` gives it. */
  toString(): string {
    return this[inspect.custom]();
  }

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

/** io's readlines(hint): lines until EOF (an empty line), or until their total passes `hint`; a closed file's is a ValueError. */
export function readlines<T extends { length: number }>(file: IOBase, readline: () => T, hintArg: number | null): T[] {
  const hint = optionalSize(hintArg);
  if (file.closed) throw closedFile();
  const lines: T[] = [];
  let total = 0;
  for (let line = readline(); line.length > 0; line = readline()) {
    lines.push(line);
    total += line.length;
    if (hint > 0 && total >= hint) break;
  }
  return lines;
}

/** io's writelines(lines): each line written in turn; a closed file's is a ValueError, whatever the lines. */
export function writelines<T>(file: IOBase, write: (line: T) => unknown, lines: Iterable<T>): void {
  if (file.closed) throw closedFile();
  const iterable = lines as unknown;
  if (typeof iterable !== 'string' && (typeof iterable !== 'object' || iterable === null || !(Symbol.iterator in iterable))) {
    throw new TypeError(`'${pyType(iterable)}' object is not iterable`);
  }
  for (const line of lines) write(line);
}
