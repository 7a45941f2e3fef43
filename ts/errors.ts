// Python's exception classes for socket errors, with Node's fields.
// The subclass of an OSError is chosen by errno exactly as Python does.

import { native } from './native';

const E = native.errnoTable();

/** Python's `OSError` (alias `error`): `errno`, `strerror`, and Node's `code` and `syscall`. */
export class OSError extends Error {
  /** The errno (an EAI_* code for gaierror); null for errors without one. */
  errno: number | null;
  /** The C library's message for the errno. */
  strerror: string | null;
  /** Node's errno name, `'ECONNREFUSED'`. */
  declare code?: string;
  /** The system call that failed, `'connect'`. */
  declare syscall?: string;
  /** Bytes sent before an interrupted or failed `sendall`. */
  declare characters_written?: number;

  /** As Python's: `new OSError(errno, strerror)`, or `new OSError(message)`. */
  constructor(...args: unknown[]) {
    const numbered = args.length >= 2 && typeof args[0] === 'number';
    super(numbered ? `[Errno ${args[0]}] ${String(args[1])}` : args.length === 1 ? String(args[0]) : '');
    this.errno = numbered ? (args[0] as number) : null;
    this.strerror = numbered ? String(args[1]) : null;
  }

  /** The class name, `'ConnectionRefusedError'`, as Python's `type(e).__name__`. */
  override get name(): string {
    return this.constructor.name;
  }
}
export { OSError as error };

/** Python: `BlockingIOError` (EAGAIN, EWOULDBLOCK, EALREADY, EINPROGRESS): a non-blocking call could not complete now. */
export class BlockingIOError extends OSError {}
/** Python: `ChildProcessError` (ECHILD). */
export class ChildProcessError extends OSError {}
/** Python: `ConnectionError`, the base of the connection errors below. */
export class ConnectionError extends OSError {}
/** Python: `BrokenPipeError` (EPIPE, ESHUTDOWN). */
export class BrokenPipeError extends ConnectionError {}
/** Python: `ConnectionAbortedError` (ECONNABORTED). */
export class ConnectionAbortedError extends ConnectionError {}
/** Python: `ConnectionRefusedError` (ECONNREFUSED). */
export class ConnectionRefusedError extends ConnectionError {}
/** Python: `ConnectionResetError` (ECONNRESET). */
export class ConnectionResetError extends ConnectionError {}
/** Python: `FileExistsError` (EEXIST), as from binding a Unix socket path that exists. */
export class FileExistsError extends OSError {}
/** Python: `FileNotFoundError` (ENOENT), as from connecting to a Unix socket path that does not exist. */
export class FileNotFoundError extends OSError {}
/** Python: `InterruptedError` (EINTR): a signal interrupted a blocking call (see `siginterrupt`). */
export class InterruptedError extends OSError {}
/** Python: `IsADirectoryError` (EISDIR). */
export class IsADirectoryError extends OSError {}
/** Python: `NotADirectoryError` (ENOTDIR). */
export class NotADirectoryError extends OSError {}
/** Python: `PermissionError` (EACCES, EPERM), as from a raw socket without the privilege. */
export class PermissionError extends OSError {}
/** Python: `ProcessLookupError` (ESRCH). */
export class ProcessLookupError extends OSError {}
/** Python's `TimeoutError`; `socket.timeout` is an alias. */
export class TimeoutError extends OSError {}
export { TimeoutError as timeout };
/** Python: `socket.gaierror`, a resolver error: `errno` is the EAI_* code. */
export class gaierror extends OSError {}
/** Python: `socket.herror`, a legacy resolver error (h_errno). */
export class herror extends OSError {}

type OSErrorClass = new (...args: unknown[]) => OSError;

/** Python's errno -> subclass table (Objects/exceptions.c). */
const SUBCLASS = new Map<number, OSErrorClass>();
function map(names: string[], cls: OSErrorClass): void {
  for (const name of names) {
    const errno = E[name];
    if (errno !== undefined) SUBCLASS.set(errno, cls);
  }
}
map(['EAGAIN', 'EALREADY', 'EWOULDBLOCK', 'EINPROGRESS'], BlockingIOError);
map(['ECHILD'], ChildProcessError);
map(['EPIPE', 'ESHUTDOWN'], BrokenPipeError);
map(['ECONNABORTED'], ConnectionAbortedError);
map(['ECONNREFUSED'], ConnectionRefusedError);
map(['ECONNRESET'], ConnectionResetError);
map(['EEXIST'], FileExistsError);
map(['ENOENT'], FileNotFoundError);
map(['EISDIR'], IsADirectoryError);
map(['ENOTDIR'], NotADirectoryError);
map(['EINTR'], InterruptedError);
map(['EACCES', 'EPERM', 'ENOTCAPABLE'], PermissionError);
map(['ESRCH'], ProcessLookupError);
map(['ETIMEDOUT'], TimeoutError);

const strerrors = new Map<number, string>();
const codes = new Map<number, string | null>();

/**
 * BlockingIOError is control flow in non-blocking code, thrown far more often
 * than other errors; V8's stack capture would cost ten times the syscall. It is
 * made without a stack trace (its message and `syscall` say where it came from).
 */
function construct(cls: OSErrorClass, errno: number, text: string): OSError {
  if (cls !== BlockingIOError) return new cls(errno, text);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new cls(errno, text);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The OSError Python would raise for `errno` from `syscall`. */
export function oserror(errno: number, syscall?: string): OSError {
  const cls = SUBCLASS.get(errno) ?? OSError;
  let text = strerrors.get(errno);
  if (text === undefined) strerrors.set(errno, (text = native.strerror(errno)));
  let code = codes.get(errno);
  if (code === undefined) codes.set(errno, (code = native.errnoName(errno)));
  const err = construct(cls, errno, text);
  if (code !== null) err.code = code;
  if (syscall) err.syscall = syscall;
  return err;
}

/** EAI_ names by code, for a gaierror's `code` ('EAI_NONAME'), made on first use. */
let eaiNames: Map<number, string> | null = null;
function eaiName(code: number): string | undefined {
  if (eaiNames === null) {
    eaiNames = new Map();
    for (const [name, value] of Object.entries(native.constants())) {
      if (name.startsWith('EAI_') && !eaiNames.has(value)) eaiNames.set(value, name);
    }
  }
  return eaiNames.get(code);
}

/** The exception for the addon call that just returned its failure value. */
export function takeError(): Error {
  const e = native.takeError();
  if (e === null) return new OSError('bsdsock: a call failed without an error');
  const [kind, codeText, syscall, writtenText, message] = e.split('\u0001') as [string, string, string, string, string];
  const code = Number(codeText);
  const written = Number(writtenText);
  let err: OSError;
  switch (kind) {
    case 'os':
      err = oserror(code, syscall);
      break;
    case 'timeout':
      err = new TimeoutError('timed out');
      break;
    case 'gai':
      err = new gaierror(code, native.gaiStrerror(code));
      {
        const name = eaiName(code);
        if (name !== undefined) err.code = name;
      }
      break;
    case 'herror':
      err = new herror(code, native.hstrerror(code));
      break;
    case 'value':
      return new RangeError(message);
    case 'type':
      return new TypeError(message);
    default:
      err = new OSError(message);
  }
  if (syscall) err.syscall = syscall;
  if (written >= 0) err.characters_written = written;
  return err;
}

/** The OSError of an errno given by name ('ENOENT'), with the platform's number. */
export function oserrorNamed(name: string, syscall?: string): OSError {
  return oserror(E[name] ?? 0, syscall);
}

/** Throws the error of the addon call that just returned its failure value. */
export function fail(): never {
  throw takeError();
}

/** Python's `OSError(EBADF)` for an operation on a closed socket. */
export function badf(syscall: string): OSError {
  return oserror(E.EBADF ?? 9, syscall);
}

/** Python's `KeyError`: a key (an fd, a registered file object) that is absent or already there. */
export class KeyError extends Error {
  /** `'KeyError'`. */
  override get name(): string {
    return 'KeyError';
  }
}

/** Python's `RuntimeError`: an operation the object's state does not allow ("Selector is closed"). */
export class RuntimeError extends Error {
  /** `'RuntimeError'`. */
  override get name(): string {
    return 'RuntimeError';
  }
}
