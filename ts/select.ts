// bsdsock/select: Python's select module. select(), poll objects and, on
// Linux, epoll objects. Every wait retries on EINTR with the time left
// (PEP 475) and is interrupted, like the blocking socket calls, by the signals
// that interrupt them (see siginterrupt).

import { inspect } from 'node:util';

import { int } from './address';
import { fail, KeyError, OSError, oserrorNamed } from './errors';
import { native } from './native';
import * as S from './select-constants';

export * from './select-constants';
export { KeyError } from './errors';

/** Something select can wait on: an fd number, or an object with a `fileno()` method (a Socket). */
export type FileLike =
  | number
  | {
      /** The fd to wait on. Python: `fileobj.fileno()`. */
      fileno(): number;
    };


/** The fd of a select argument, as Python's PyObject_AsFileDescriptor. */
export function fdOf(obj: unknown): number {
  let fd: unknown;
  if ((typeof obj === 'number' && Number.isInteger(obj)) || typeof obj === 'boolean') fd = obj;
  else if (obj !== null && typeof obj === 'object' && typeof (obj as { fileno?: unknown }).fileno === 'function') {
    fd = (obj as { fileno(): unknown }).fileno();
    if (typeof fd !== 'number' || !Number.isInteger(fd)) throw new TypeError('fileno() returned a non-integer');
  } else {
    throw new TypeError('argument must be an int, or have a fileno() method.');
  }
  const n = int(fd);
  if (n > INT_MAX || n < INT_MIN) throw new RangeError('Python int too large to convert to C int');
  if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  return n;
}

const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

/** The largest wait Python's clock takes: int64 nanoseconds, in seconds. */
const MAX_SECONDS = 9223372036.854775;

/** A timeout in seconds that Python's clock can hold; OverflowError (RangeError) if not. */
function inClockRange(seconds: number): number {
  if (!(Math.abs(seconds) <= MAX_SECONDS)) throw new RangeError('timestamp out of range for platform time_t');
  return seconds;
}

/** A timeout in milliseconds that poll(2)'s int takes, rounded up; negative waits for ever. */
function pollMs(ms: number): number {
  inClockRange(ms / 1000);
  const rounded = Math.ceil(ms);
  if (rounded > INT_MAX || rounded < INT_MIN) throw new RangeError('timeout is too large');
  return rounded < 0 ? -1 : rounded;
}

/** A timeout argument: null (wait for ever) or a number, checked as Python checks it. */
function timeoutArg(timeout: unknown, message: string): number | null {
  if (timeout === null || timeout === undefined) return null;
  if (typeof timeout !== 'number' && typeof timeout !== 'boolean') throw new TypeError(message);
  const n = Number(timeout);
  if (Number.isNaN(n)) throw new RangeError('Invalid value NaN (not a number)');
  return n;
}

/** The fds of a list's entries (a plain loop: Int32Array.from with a mapper is five times slower). */
function fds(list: readonly unknown[]): Int32Array {
  const out = new Int32Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = fdOf(list[i]);
  return out;
}

function sequence<T>(list: unknown): T[] {
  if (Array.isArray(list)) return list as T[];
  if (list !== null && typeof list === 'object' && Symbol.iterator in list) return [...(list as Iterable<T>)];
  throw new TypeError(`arguments 1-3 must be sequences`);
}

/**
 * select(rlist, wlist, xlist, timeout=null) -> [readable, writable, exceptional]:
 * waits until some entries are ready, or `timeout` seconds pass (null waits for
 * ever, 0 polls). Each result array holds the very objects that were passed.
 * Made with poll(2): no FD_SETSIZE limit.
 * Python: `select.select`.
 */
export function select<R extends FileLike, W extends FileLike, X extends FileLike>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout: number | null = null,
): [R[], W[], X[]] {
  const given = timeoutArg(timeout, 'timeout must be a float or None');
  const t = given === null ? -1 : inClockRange(given);
  if (t < 0 && given !== null) throw new RangeError('timeout must be non-negative');
  const lists = [sequence<R>(rlist), sequence<W>(wlist), sequence<X>(xlist)] as const;
  const [r, w, x] = lists.map(fds);
  if (native.select(r!, w!, x!, t) < 0) fail();
  return [lists[0].filter((_, i) => r![i]! >= 0), lists[1].filter((_, i) => w![i]! >= 0), lists[2].filter((_, i) => x![i]! >= 0)];
}

function eventmask(mask: unknown): number {
  if (!(typeof mask === 'number' && Number.isInteger(mask)) && typeof mask !== 'boolean') {
    throw new TypeError('an integer is required');
  }
  const n = Number(mask);
  if (n < 0) throw new RangeError('value must be positive');
  if (n > 0xffff) throw new RangeError('Python int too large for C unsigned short');
  return n;
}

/** A poll object (Python's select.poll()): a set of fds and the events wanted of each. */
export class Poll {
  #wanted = new Map<number, number>();
  #fds = new Int32Array(0);
  #events = new Int32Array(0);
  #revents = new Int32Array(0);
  #dirty = false;

  /** register(fd, eventmask=POLLIN|POLLPRI|POLLOUT): adds fd, or changes its mask. Python: `select.poll.register`. */
  register(fd: FileLike, eventmask_: number = S.POLLIN | S.POLLPRI | S.POLLOUT): void {
    this.#wanted.set(fdOf(fd), eventmask(eventmask_));
    this.#dirty = true;
  }

  /** modify(fd, eventmask): FileNotFoundError (ENOENT) when fd is not registered. Python: `select.poll.modify`. */
  modify(fd: FileLike, eventmask_: number): void {
    const n = fdOf(fd);
    const mask = eventmask(eventmask_);
    if (!this.#wanted.has(n)) throw oserrorNamed('ENOENT');
    this.#wanted.set(n, mask);
    this.#dirty = true;
  }

  /** unregister(fd): KeyError when fd is not registered. Python: `select.poll.unregister`. */
  unregister(fd: FileLike): void {
    const n = fdOf(fd);
    if (!this.#wanted.delete(n)) throw new KeyError(String(n));
    this.#dirty = true;
  }

  /**
   * poll(timeout=null) -> [fd, events][]: timeout in milliseconds; null or negative waits for ever.
   * Python: `select.poll.poll`.
   */
  poll(timeout: number | null = null): [number, number][] {
    const given = timeoutArg(timeout, 'timeout must be an integer or None');
    const ms = given === null ? -1 : pollMs(given);
    if (this.#dirty) {
      this.#fds = Int32Array.from(this.#wanted.keys());
      this.#events = Int32Array.from(this.#wanted.values());
      this.#revents = new Int32Array(this.#fds.length);
      this.#dirty = false;
    }
    const n = native.poll(this.#fds, this.#events, this.#revents, ms);
    if (n < 0) fail();
    const out: [number, number][] = [];
    for (let i = 0; i < this.#revents.length && out.length < n; i++) {
      const ev = this.#revents[i]!;
      if (ev !== 0) out.push([this.#fds[i]!, ev]);
    }
    return out;
  }

  /** `<select.poll object, N fds>`, for console.log. */
  [inspect.custom](): string {
    return `<select.poll object, ${this.#wanted.size} fds>`;
  }
}

/** poll(): a new poll object. Python: `select.poll`. */
export function poll(): Poll {
  return new Poll();
}

const FD_SETSIZE = 1024;
const closedEpolls = new FinalizationRegistry<number>((fd) => {
  native.close(fd);
});
const dispose: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

/**
 * An epoll object (Linux): Python's select.epoll(sizehint=-1, flags=0). The
 * data of each registration is its fd, as in Python.
 */
export class epoll {
  #fd: number;
  #out = new Int32Array(0);

  constructor(sizehint = -1, flags = 0, fromfd?: number) {
    const hint = int(sizehint);
    if (hint === 0 || hint < -1) throw new RangeError('negative sizehint');
    const f = int(flags);
    if (fromfd !== undefined) {
      this.#fd = fromfd;
    } else {
      if (f !== 0 && f !== S.EPOLL_CLOEXEC) throw new OSError('invalid flags');
      this.#fd = native.epollCreate(0);
      if (this.#fd < 0) fail();
    }
    closedEpolls.register(this, this.#fd, this);
  }

  /** epoll.fromfd(fd): an epoll object for an epoll fd made elsewhere. Python: `select.epoll.fromfd`. */
  static fromfd(fd: number): epoll {
    return new epoll(-1, 0, fdOf(fd));
  }

  #check(): number {
    if (this.#fd < 0) throw new RangeError('I/O operation on closed epoll object');
    return this.#fd;
  }

  /** Whether the object's fd is closed. Python: `select.epoll.closed`. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The object's own fd; RangeError (Python's ValueError) once closed. Python: `select.epoll.fileno`. */
  fileno(): number {
    return this.#check();
  }

  /** Closes the epoll fd; closing twice does nothing. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closedEpolls.unregister(this);
    if (!native.close(fd)) fail();
  }

  #ctl(op: 'add' | 'mod' | 'del', fd: FileLike, mask: number): void {
    const ep = this.#check();
    const n = fdOf(fd);
    if (!native.epollCtl(ep, op, n, mask >>> 0)) fail();
  }

  /**
   * register(fd, eventmask=EPOLLIN|EPOLLPRI|EPOLLOUT): FileExistsError when fd is there already.
   * Python: `select.epoll.register`.
   */
  register(fd: FileLike, eventmask_: number = S.EPOLLIN | S.EPOLLPRI | S.EPOLLOUT): void {
    this.#ctl('add', fd, int(eventmask_));
  }

  /** modify(fd, eventmask): FileNotFoundError when fd is not registered. Python: `select.epoll.modify`. */
  modify(fd: FileLike, eventmask_: number): void {
    this.#ctl('mod', fd, int(eventmask_));
  }

  /** unregister(fd): FileNotFoundError when fd is not registered. Python: `select.epoll.unregister`. */
  unregister(fd: FileLike): void {
    this.#ctl('del', fd, 0);
  }

  /** poll(timeout=null, maxevents=-1) -> [fd, events][]: timeout in seconds; null or negative waits for ever.
   * Python: `select.epoll.poll`.
   */
  poll(timeout: number | null = null, maxevents = -1): [number, number][] {
    const ep = this.#check();
    const given = timeoutArg(timeout, 'timeout must be an integer or None');
    const ms = given === null ? -1 : pollMs(inClockRange(given) * 1000);
    const t = ms < 0 ? -1 : ms / 1000;
    let max = int(maxevents);
    if (max === -1) max = FD_SETSIZE - 1;
    else if (max < 1) throw new RangeError(`maxevents must be greater than 0, got ${max}`);
    if (this.#out.length !== max * 2) this.#out = new Int32Array(max * 2);
    const n = native.epollWait(ep, this.#out, t);
    if (n < 0) fail();
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) out.push([this.#out[2 * i]!, this.#out[2 * i + 1]! >>> 0]);
    return out;
  }

  /** Closes the fd at the end of a `using` scope. Python: `select.epoll.__exit__`. */
  [dispose](): void {
    this.close();
  }

  /** `<select.epoll object fd=N>`, for console.log. */
  [inspect.custom](): string {
    return `<select.epoll object fd=${this.#fd}>`;
  }
}
