// Python's exception classes for socket errors, with Node's fields.
// The subclass of an OSError is chosen by errno exactly as Python does.

import { FAST_OS, FAST_TIMEOUT, lastErrno, lastSyscall, native, takeFastError } from './native';
import { pyRepr, pyStr } from './repr';
import * as W from './wire';

/** The platform's errno values by name (Python's errno module), read once from the addon. */
export const errnos = native.errnoTable();

/**
 * Python's `OSError` (alias `error`): `errno`, `strerror`, `filename`,
 * `filename2`, `args`, and Node's `code` and `syscall`. Made as Python's is:
 * `new OSError(errno, strerror[, filename[, winerror[, filename2]]])`, or with
 * any other arguments as a plain message. `new OSError(errno, ...)` with an
 * errno that has a subclass makes that subclass, as in Python
 * (`new OSError(ECONNREFUSED, 'refused')` is a ConnectionRefusedError).
 */
export class OSError extends Error {
  /** The errno (an EAI_* code for gaierror); null for errors without one. */
  errno: number | null = null;
  /** The C library's message for the errno. */
  strerror: string | null = null;
  /** The file name the error is about, or null. */
  filename: unknown = null;
  /** The second file name (of a rename, say), or null. */
  filename2: unknown = null;
  /** On Windows, the Windows error code the errno was mapped from. */
  declare winerror?: number;
  /** The arguments, as Python keeps them (without the file names and winerror). */
  args: unknown[] = [];
  /** Node's errno name, `'ECONNREFUSED'`. */
  declare code?: string;
  /** The system call that failed, `'connect'`. */
  declare syscall?: string;
  /** Where it helps, as Node's errors: the host (or AF_UNIX path) of the address the call was given. */
  declare address?: string;
  /** Where it helps, as Node's errors: the port of the address the call was given. */
  declare port?: number;
  /** Bytes sent before an interrupted or failed `sendall`. */
  declare characters_written?: number;

  constructor(...args: unknown[]) {
    super();
    const errno = args[0];
    if (args.length >= 2 && args.length <= 5 && new.target === OSError && typeof errno === 'number') {
      const cls = SUBCLASS.get(errno);
      if (cls !== undefined) return new cls(...args);
    }
    init(this, args);
  }

  /** The class name, `'ConnectionRefusedError'`, as Python's `type(e).__name__`. */
  override get name(): string {
    return this.constructor.name;
  }
}
export { OSError as error };

/**
 * Python's oserror_init: two to five arguments are (errno, strerror, filename,
 * winerror, filename2); any other number are only `args`.
 */
function init(err: OSError, args: unknown[]): OSError {
  const full = args.length >= 2 && args.length <= 5;
  const [errno, strerror, filename = null, winerror = null, filename2 = null] = full ? args : [];
  err.errno = full ? (errno as number | null) : null;
  err.strerror = full ? (strerror as string | null) : null;
  err.filename = filename;
  err.filename2 = filename !== null ? filename2 : null;
  err.args = filename !== null ? args.slice(0, 2) : args;
  let label = 'Errno';
  let shown = errno;
  if (process.platform === 'win32' && typeof winerror === 'number') {
    err.winerror = winerror;
    err.errno = winerrorToErrno(winerror);
    label = 'WinError';
    shown = winerror;
  }
  err.message = full ? describe(label, shown, strerror, filename, err.filename2) : plain(args);
  // Node's `code` names the errno; a resolver error's errno is an EAI_/h_errno code, named by its maker.
  const code = typeof err.errno === 'number' && !(err instanceof gaierror || err instanceof herror) ? errnoName(err.errno) : null;
  if (code !== null) err.code = code;
  return err;
}

const codes = new Map<number, string | null>();

/** The errno's name, `'ECONNREFUSED'` (Node's `code`), or null for a number that is no errno; cached. */
function errnoName(errno: number): string | null {
  let name = codes.get(errno);
  if (name === undefined) codes.set(errno, (name = Number.isInteger(errno) && errno > 0 && errno < 0x10000 ? native.errnoName(errno) : null));
  return name;
}

/** Python's OSError.__str__ with its arguments: `[Errno 2] No such file: 'f'`. */
function describe(label: string, code: unknown, strerror: unknown, filename: unknown, filename2: unknown): string {
  const head = `[${label} ${pyStr(code)}] ${pyStr(strerror)}`;
  if (filename === null) return head;
  return filename2 === null ? `${head}: ${pyRepr(filename)}` : `${head}: ${pyRepr(filename)} -> ${pyRepr(filename2)}`;
}

/** BaseException.__str__: '' for no arguments, str() of one, the tuple's repr for more. */
function plain(args: unknown[]): string {
  if (args.length === 0) return '';
  return args.length === 1 ? pyStr(args[0]) : pyRepr(args);
}

/**
 * CPython's winerror_to_errno for the codes bsdsock raises: a Winsock code
 * (10000-11999) is its own errno, but for the six whose errno.h value is the
 * code less 10000 (WSAEINTR, WSAEBADF, WSAEACCES, WSAEFAULT, WSAEINVAL,
 * WSAEMFILE). Any other code is EINVAL, as CPython's default.
 */
export function winerrorToErrno(winerror: number): number {
  if (winerror >= 10000 && winerror < 12000) {
    return [10004, 10009, 10013, 10014, 10022, 10024].includes(winerror) ? winerror - 10000 : winerror;
  }
  return errnos.EINVAL ?? 22;
}

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
    const errno = errnos[name];
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

/**
 * BlockingIOError is control flow in non-blocking code, thrown far more often
 * than other errors, and V8 takes longer to make an Error (even with no stack
 * trace) than the syscall takes. So bsdsock's own are made from the prototype:
 * the same class, fields and message, with `stack` only the first line (the
 * message and `syscall` say where it came from).
 */
function construct(cls: OSErrorClass, args: unknown[]): OSError {
  if (cls !== BlockingIOError) return new cls(...args);
  return init(Object.create(BlockingIOError.prototype) as OSError, args);
}

// The `stack` of those made from the prototype (one made with `new` has its own).
Object.defineProperty(BlockingIOError.prototype, 'stack', {
  get(this: Error): string {
    return `${this.name}: ${this.message}`;
  },
  set(this: Error, value: unknown): void {
    Object.defineProperty(this, 'stack', { value, writable: true, configurable: true });
  },
  configurable: true,
});

/**
 * The OSError Python would raise for `code` from `syscall`; `strerror` in place
 * of the C library's message. On Windows a socket call's code is a Winsock
 * one, which Python raises as `OSError(errno, strerror, None, winerror)`:
 * `[WinError 10061] ...`, with the errno mapped from it.
 */
export function oserror(code: number, syscall?: string, strerror?: string): OSError {
  const winerror = process.platform === 'win32' && code >= 10000 && code < 12000 ? code : null;
  const errno = winerror === null ? code : winerrorToErrno(winerror);
  const cls = SUBCLASS.get(errno) ?? OSError;
  let text = strerror ?? strerrors.get(code);
  if (text === undefined) strerrors.set(code, (text = native.strerror(code)));
  const err = construct(cls, winerror === null ? [errno, text] : [errno, text, null, winerror]);
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

const EAGAIN = errnos.EAGAIN;
const EWOULDBLOCK = errnos.EWOULDBLOCK;

/** Whether the addon call that just failed failed only because it would block (EAGAIN, EWOULDBLOCK). */
export function wouldBlock(): boolean {
  const errno = lastErrno();
  return errno === EAGAIN || errno === EWOULDBLOCK;
}

/** Whether `e` says an operation would block: an OSError whose errno is EAGAIN or EWOULDBLOCK (Python's socket._blocking_errnos). */
export function isWouldBlock(e: unknown): boolean {
  return e instanceof OSError && (e.errno === EAGAIN || e.errno === EWOULDBLOCK);
}

/** The exception for the addon call that just returned its failure value. */
export function takeError(): Error {
  return errorOf(takeFastError());
}

/**
 * The exception for the addon call that just returned its failure value, given
 * what `takeFastError()` said of it: made from the status block for an OS
 * error or a timeout, taken from the addon for any other.
 */
export function errorOf(fast: number): Error {
  if (fast === FAST_OS) return oserror(lastErrno(), lastSyscall());
  if (fast === FAST_TIMEOUT) {
    const err = new TimeoutError('timed out');
    err.syscall = lastSyscall();
    return err;
  }
  const e = native.takeError();
  if (e === null) return new OSError('bsdsock: a call failed without an error');
  const [kind, codeText, syscall, writtenText, message] = e.split(W.ERROR_SEPARATOR) as [string, string, string, string, string];
  const code = Number(codeText);
  const written = Number(writtenText);
  let err: OSError;
  switch (kind) {
    case W.ERROR_OS:
      err = oserror(code, syscall);
      break;
    case W.ERROR_TIMEOUT:
      err = new TimeoutError('timed out');
      break;
    case W.ERROR_GAI:
      err = new gaierror(code, native.gaiStrerror(code));
      {
        const name = eaiName(code);
        if (name !== undefined) err.code = name;
      }
      break;
    case W.ERROR_HERROR:
      err = new herror(code, native.hstrerror(code));
      break;
    case W.ERROR_VALUE:
      return new RangeError(message);
    case W.ERROR_TYPE:
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
  return oserror(errnos[name] ?? 0, syscall);
}

/**
 * `err` with Node's `address` and `port` from the address the call was given
 * (`['127.0.0.1', 9]`, or an AF_UNIX path), where it has them.
 */
export function withAddress<E extends Error>(err: E, address: unknown): E {
  if (!(err instanceof OSError)) return err;
  const [host, port] = Array.isArray(address) ? address : [address];
  if (typeof host === 'string') err.address = host;
  if (typeof port === 'number') err.port = port;
  return err;
}

/** Forgets the error of the addon call that just returned its failure value (a failure that is expected). */
export function dropError(): void {
  takeFastError();
  native.takeError();
}

/** Throws the error of the addon call that just returned its failure value. */
export function fail(): never {
  throw takeError();
}

/**
 * The errno of an operation on a closed socket, as CPython's: EBADF, and on
 * Windows WSAENOTSOCK, which Winsock gives for the INVALID_SOCKET CPython
 * passes it then (`[WinError 10038]`).
 */
export const CLOSED_ERRNO = process.platform === 'win32' ? (errnos.ENOTSOCK ?? 10038) : (errnos.EBADF ?? 9);

/** Python's `OSError(EBADF)` (on Windows WSAENOTSOCK) for an operation on a closed socket. */
export function badf(syscall: string): OSError {
  return oserror(CLOSED_ERRNO, syscall);
}

/** Python's `LookupError`: a name no table has (makefile's encoding or error handler), and KeyError's base. */
export class LookupError extends Error {
  /** `'LookupError'`. */
  override get name(): string {
    return 'LookupError';
  }
}

/** Python's `KeyError`: a key (an fd, a registered file object) that is absent or already there. */
export class KeyError extends LookupError {
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

/** Python's `NotImplementedError` (a RuntimeError): a method the class has only to refuse, as a datagram transport's `write`. */
export class NotImplementedError extends RuntimeError {
  /** `'NotImplementedError'`. */
  override get name(): string {
    return 'NotImplementedError';
  }
}
