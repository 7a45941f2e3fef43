// bsdsock/select: Python's select module. select(), poll objects and, on
// Linux, epoll objects. As the blocking socket calls, a wait that a signal
// interrupts runs the signal's listeners, then goes on with the time left
// (PEP 475; see signals.ts).

import { inspect } from 'node:util';

import { fits, refuse, SELECT } from './arity';
import { asInt, inCInt, int, INT_MAX, isInt, pyType, uintMask } from './convert';
import { fail, KeyError, OSError, oserrorNamed } from './errors';
import { native } from './native';
import { bigTimeout, inClockRange } from './timeout';
import * as S from './select-constants';
// A program that waits here without loading 'bsdsock' itself still has its signals' listeners run inside the waits.
import './signals';

export * from './select-constants';
export { KeyError, error } from './errors';

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
  if (isInt(obj)) fd = obj;
  else if (obj !== null && typeof obj === 'object' && typeof (obj as { fileno?: unknown }).fileno === 'function') {
    fd = (obj as { fileno(): unknown }).fileno();
    if ((typeof fd !== 'number' || !Number.isInteger(fd)) && typeof fd !== 'bigint') throw new TypeError('fileno() returned a non-integer');
  } else {
    throw new TypeError('argument must be an int, or have a fileno() method.');
  }
  const n = asInt(fd);
  if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  return n;
}

/** A timeout in milliseconds that poll(2)'s int takes, rounded up; negative waits for ever. */
function pollMs(ms: number): number {
  inClockRange(ms / 1000, Number.isSafeInteger(ms));
  const rounded = Math.ceil(ms);
  if (!inCInt(rounded)) throw new RangeError('timeout is too large');
  return rounded < 0 ? -1 : rounded;
}

/** A timeout argument: null (wait for ever) or a number, checked as Python checks it. */
function timeoutArg(timeout: unknown, message: string): number | null {
  if (timeout === null || timeout === undefined) return null;
  if (typeof timeout === 'bigint') return bigTimeout(timeout);
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
  fits(SELECT.select, arguments.length, xlist) || refuse(SELECT.select, arguments);
  const given = timeoutArg(timeout, 'timeout must be a float or None');
  const t = given === null ? -1 : inClockRange(given);
  if (t < 0 && given !== null) throw new RangeError('timeout must be non-negative');
  const lists = [sequence<R>(rlist), sequence<W>(wlist), sequence<X>(xlist)] as const;
  const [r, w, x] = lists.map(fds);
  if (native.select(r!, w!, x!, t) < 0) fail();
  return [lists[0].filter((_, i) => r![i]! >= 0), lists[1].filter((_, i) => w![i]! >= 0), lists[2].filter((_, i) => x![i]! >= 0)];
}

function eventmask(mask: unknown): number {
  if (!isInt(mask)) throw new TypeError('an integer is required');
  const n = int(mask);
  if (n < 0) throw new RangeError('value must be positive');
  if (n >= 2 ** 64) throw new RangeError('Python int too large to convert to C unsigned long');
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
    fits(SELECT.pollObject.register, arguments.length, fd) || refuse(SELECT.pollObject.register, arguments);
    this.#wanted.set(fdOf(fd), eventmask(eventmask_));
    this.#dirty = true;
  }

  /** modify(fd, eventmask): FileNotFoundError (ENOENT) when fd is not registered. Python: `select.poll.modify`. */
  modify(fd: FileLike, eventmask_: number): void {
    fits(SELECT.pollObject.modify, arguments.length, eventmask_) || refuse(SELECT.pollObject.modify, arguments);
    const n = fdOf(fd);
    const mask = eventmask(eventmask_);
    if (!this.#wanted.has(n)) throw oserrorNamed('ENOENT');
    this.#wanted.set(n, mask);
    this.#dirty = true;
  }

  /** unregister(fd): KeyError when fd is not registered. Python: `select.poll.unregister`. */
  unregister(fd: FileLike): void {
    fits(SELECT.pollObject.unregister, arguments.length, fd) || refuse(SELECT.pollObject.unregister, arguments);
    const n = fdOf(fd);
    if (!this.#wanted.delete(n)) throw new KeyError(String(n));
    this.#dirty = true;
  }

  /**
   * poll(timeout=null) -> [fd, events][]: timeout in milliseconds; null or negative waits for ever.
   * Python: `select.poll.poll`.
   */
  poll(timeout: number | null = null): [number, number][] {
    fits(SELECT.pollObject.poll, arguments.length) || refuse(SELECT.pollObject.poll, arguments);
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
  fits(SELECT.poll, arguments.length) || refuse(SELECT.poll, arguments);
  return new Poll();
}

const FD_SETSIZE = 1024;
/** The kernel's EP_MAX_EVENTS, INT_MAX / sizeof(struct epoll_event): 12 bytes on x86-64, where it is packed, 16 elsewhere. */
const EPOLL_MAX_EVENTS = Math.floor(INT_MAX / (process.arch === 'x64' ? 12 : 16));
/** The most events one epoll.poll() hands back. */
const EPOLL_ROOM = 65536;
const closeWhenCollected = new FinalizationRegistry<number>((fd) => {
  native.close(fd);
});
const dispose: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

/** What epoll and kqueue objects share: an fd of their own, closed by close(),
 * `using`, or when the object is collected. */
abstract class PollerFd {
  #fd: number;
  readonly #kind: 'epoll' | 'kqueue';

  protected constructor(fd: number, kind: 'epoll' | 'kqueue') {
    this.#fd = fd;
    this.#kind = kind;
    closeWhenCollected.register(this, fd, this);
  }

  /** The fd; ValueError (RangeError) once closed. */
  protected check(): number {
    if (this.#fd < 0) throw new RangeError(`I/O operation on closed ${this.#kind} object`);
    return this.#fd;
  }

  /** Whether the object's fd is closed. Python: `select.epoll.closed`, `select.kqueue.closed`. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** The object's own fd; RangeError (Python's ValueError) once closed. Python: `select.epoll.fileno`, `select.kqueue.fileno`. */
  fileno(): number {
    fits(SELECT[this.#kind].fileno, arguments.length) || refuse(SELECT[this.#kind].fileno, arguments);
    return this.check();
  }

  /** Closes the fd; closing twice does nothing. */
  close(): void {
    fits(SELECT[this.#kind].close, arguments.length) || refuse(SELECT[this.#kind].close, arguments);
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeWhenCollected.unregister(this);
    if (!native.close(fd)) fail();
  }

  /** Closes the fd at the end of a `using` scope. Python: `select.epoll.__exit__` (kqueue has none). */
  [dispose](): void {
    this.close();
  }

  /** `<select.epoll object fd=N>` or `<select.kqueue object fd=N>`, for console.log. */
  [inspect.custom](): string {
    return `<select.${this.#kind} object fd=${this.#fd}>`;
  }
}

/**
 * An epoll object (Linux): Python's select.epoll(sizehint=-1, flags=0). The
 * data of each registration is its fd, as in Python.
 */
export class epoll extends PollerFd {
  #out = new Int32Array(0);
  /** The fd `fromfd` gives the constructor, which takes Python's two arguments only. */
  static #adopting: number | undefined = undefined;

  constructor(sizehint = -1, flags = 0) {
    fits(SELECT.epoll.__new__, arguments.length) || refuse(SELECT.epoll.__new__, arguments);
    const fromfd = epoll.#adopting;
    // Both converted ("|ii"), then checked.
    const hint = asInt(sizehint);
    const f = asInt(flags);
    if (hint === 0 || hint < -1) throw new RangeError('negative sizehint');
    if (fromfd === undefined && f !== 0 && f !== S.EPOLL_CLOEXEC) throw new OSError('invalid flags');
    // Python has no select.epoll off Linux; here the name exists but cannot make one.
    if (fromfd === undefined && typeof native.epollCreate !== 'function') {
      throw new TypeError('select.epoll is not available on this platform');
    }
    const fd = fromfd ?? native.epollCreate(0);
    if (fd < 0) fail();
    super(fd, 'epoll');
  }

  /** epoll.fromfd(fd): an epoll object for an epoll fd made elsewhere. Python: `select.epoll.fromfd`. */
  static fromfd(fd: number): epoll {
    fits(SELECT.epoll.fromfd, arguments.length, fd) || refuse(SELECT.epoll.fromfd, arguments);
    epoll.#adopting = fdOf(fd);
    try {
      return new epoll();
    } finally {
      epoll.#adopting = undefined;
    }
  }

  /** epoll_ctl, the arguments checked in Python's order: the fd, the mask, then whether the object is closed. */
  #ctl(op: 'add' | 'mod' | 'del', fd: FileLike, mask: unknown): void {
    const n = fdOf(fd);
    // Python's unsigned int, bitwise: any int taken modulo 2**32 (-2**63 - 1 is every bit set).
    const events = uintMask(mask);
    const ep = this.check();
    if (!native.epollCtl(ep, op, n, events)) fail();
  }

  /**
   * register(fd, eventmask=EPOLLIN|EPOLLPRI|EPOLLOUT): FileExistsError when fd is there already.
   * Python: `select.epoll.register`.
   */
  register(fd: FileLike, eventmask_: number = S.EPOLLIN | S.EPOLLPRI | S.EPOLLOUT): void {
    fits(SELECT.epoll.register, arguments.length, fd) || refuse(SELECT.epoll.register, arguments);
    this.#ctl('add', fd, eventmask_);
  }

  /** modify(fd, eventmask): FileNotFoundError when fd is not registered. Python: `select.epoll.modify`. */
  modify(fd: FileLike, eventmask_: number): void {
    fits(SELECT.epoll.modify, arguments.length, eventmask_) || refuse(SELECT.epoll.modify, arguments);
    this.#ctl('mod', fd, eventmask_);
  }

  /** unregister(fd): FileNotFoundError when fd is not registered. Python: `select.epoll.unregister`. */
  unregister(fd: FileLike): void {
    fits(SELECT.epoll.unregister, arguments.length, fd) || refuse(SELECT.epoll.unregister, arguments);
    this.#ctl('del', fd, 0);
  }

  /** poll(timeout=null, maxevents=-1) -> [fd, events][]: timeout in seconds; null or negative waits for ever.
   * Python: `select.epoll.poll`.
   */
  poll(timeout: number | null = null, maxevents = -1): [number, number][] {
    fits(SELECT.epoll.poll, arguments.length) || refuse(SELECT.epoll.poll, arguments);
    // As CPython's: maxevents converted with the arguments, then the closed check, the timeout, maxevents' range.
    let max = asInt(maxevents);
    const ep = this.check();
    const given = timeoutArg(timeout, 'timeout must be an integer or None');
    const ms = given === null ? -1 : pollMs(inClockRange(given) * 1000);
    const t = ms < 0 ? -1 : ms / 1000;
    if (max === -1) max = FD_SETSIZE - 1;
    else if (max < 1) throw new RangeError(`maxevents must be greater than 0, got ${max}`);
    // The kernel's limit (EINVAL), which Python meets after allocating for all of them.
    if (max > EPOLL_MAX_EVENTS) throw oserrorNamed('EINVAL', 'epoll_wait');
    // Room for at most EPOLL_ROOM events a call: more ready than that stay ready (edge-triggered
    // ones too: the kernel keeps what it did not report for the next call), and a huge
    // maxevents costs no huge buffer.
    const room = Math.min(max, EPOLL_ROOM);
    if (this.#out.length !== room * 2) this.#out = new Int32Array(room * 2);
    const n = native.epollWait(ep, this.#out, t);
    if (n < 0) fail();
    const out: [number, number][] = [];
    for (let i = 0; i < n; i++) out.push([this.#out[2 * i]!, this.#out[2 * i + 1]! >>> 0]);
    return out;
  }
}

// ---- kqueue (macOS and FreeBSD) ----

/** Python's range check of a C signed short argument (`h`): OverflowError (RangeError) beyond it. */
function cshort(v: unknown): number {
  const n = int(v);
  if (n > 0x7fff) throw new RangeError('signed short integer is greater than maximum');
  if (n < -0x8000) throw new RangeError('signed short integer is less than minimum');
  return n;
}

/** A 64-bit field: a safe integer, the most a JS number holds exactly (RangeError beyond);
 * `negative` is the message for a negative value where the field is unsigned. */
function exact(v: unknown, negative?: string): number {
  const n = int(v);
  if (negative !== undefined && n < 0) throw new RangeError(negative);
  if (!Number.isSafeInteger(n)) throw new RangeError('int too large to hold exactly in a number');
  return n;
}

/**
 * A kevent (Python's select.kevent): one change for a kqueue, or one event it
 * reported. `ident` is an fd (or an object with `fileno()`) or another
 * identifier (a pid, a signal number); `flags` and `fflags` wrap to 16 and 32
 * bits as in Python; `ident`, `data` and `udata` are integers a number holds
 * exactly (up to 2 ** 53).
 */
class Kevent {
  /** The identifier: an fd, a pid, a signal number ... as the filter says. Python: `kevent.ident`. */
  ident: number;
  /** The filter, a KQ_FILTER_* value. Python: `kevent.filter`. */
  filter: number;
  /** The action and the returned flags, KQ_EV_* bits. Python: `kevent.flags`. */
  flags: number;
  /** The filter's flags, KQ_NOTE_* bits. Python: `kevent.fflags`. */
  fflags: number;
  /** The filter's data (bytes readable, an exit status ...). Python: `kevent.data`. */
  data: number;
  /** A value of the caller's, returned with the events. Python: `kevent.udata`. */
  udata: number;

  constructor(ident: FileLike, filter: number = S.KQ_FILTER_READ, flags: number = S.KQ_EV_ADD, fflags = 0, data = 0, udata = 0) {
    fits(SELECT.kevent, arguments.length, ident) || refuse(SELECT.kevent, arguments);
    const isInt = typeof ident === 'number' || typeof ident === 'boolean';
    this.ident = isInt ? exact(ident, "can't convert negative value to size_t") : fdOf(ident);
    this.filter = cshort(filter);
    this.flags = int(flags) & 0xffff;
    this.fflags = int(fflags) >>> 0;
    this.data = exact(data);
    // Python wraps a negative udata to 64 bits, which a number cannot hold exactly.
    this.udata = exact(udata, 'udata must not be negative here (Python wraps it to 64 bits)');
  }

  /** `<select.kevent ident=... filter=... flags=0x... fflags=0x... data=0x... udata=0x...>`, for console.log. */
  [inspect.custom](): string {
    const hex = (n: number): string => BigInt.asUintN(64, BigInt(n)).toString(16);
    return (
      `<select.kevent ident=${this.ident} filter=${this.filter} flags=0x${hex(this.flags)} ` +
      `fflags=0x${hex(this.fflags)} data=0x${hex(this.data)} udata=0x${hex(this.udata)}>`
    );
  }
}
Object.defineProperty(Kevent, 'name', { value: 'kevent' });

/** Writes the six fields of `kev` at `slot` of `out` (the addon's layout). */
function storeKevent(kev: Kevent, out: BigInt64Array, slot: number): void {
  const fields = [kev.ident, kev.filter, kev.flags, kev.fflags, kev.data, kev.udata];
  for (let i = 0; i < 6; i++) out[slot * 6 + i] = BigInt.asIntN(64, BigInt(int(fields[i])));
}

/** The kevent at `slot` of `from`, as the addon wrote it. */
function loadKevent(from: BigInt64Array, slot: number): Kevent {
  const at = (i: number): bigint => from[slot * 6 + i]!;
  const kev = new Kevent(0);
  kev.ident = Number(BigInt.asUintN(64, at(0)));
  kev.filter = Number(at(1));
  kev.flags = Number(at(2));
  kev.fflags = Number(at(3));
  kev.data = Number(at(4));
  kev.udata = Number(BigInt.asUintN(64, at(5)));
  return kev;
}

/** The changelist of kqueue.control, checked as Python checks it. */
function changes(changelist: unknown): BigInt64Array {
  if (changelist === null || changelist === undefined) return new BigInt64Array(0);
  if (typeof changelist !== 'object' || !(Symbol.iterator in changelist)) throw new TypeError('changelist is not iterable');
  const list = [...(changelist as Iterable<unknown>)];
  const out = new BigInt64Array(list.length * 6);
  list.forEach((kev, i) => {
    if (!(kev instanceof Kevent)) throw new TypeError('changelist must be an iterable of select.kevent objects');
    storeKevent(kev, out, i);
  });
  return out;
}

/** A kqueue object (macOS and FreeBSD): Python's select.kqueue(). */
class Kqueue extends PollerFd {
  #events = new BigInt64Array(0);
  static #adopting = -1;

  constructor(...args: []) {
    if (args.length > 0) throw new TypeError('kqueue() takes no arguments');
    const fd = Kqueue.#adopting >= 0 ? Kqueue.#adopting : (native.kqueueCreate?.() ?? -1);
    if (fd < 0) fail();
    super(fd, 'kqueue');
  }

  /** kqueue.fromfd(fd): a kqueue object for a kqueue fd made elsewhere. */
  static fromfd(fd: FileLike): Kqueue {
    fits(SELECT.kqueue.fromfd, arguments.length, fd) || refuse(SELECT.kqueue.fromfd, arguments);
    Kqueue.#adopting = fdOf(fd);
    try {
      return new Kqueue();
    } finally {
      Kqueue.#adopting = -1;
    }
  }

  /**
   * control(changelist, max_events, timeout=null) -> kevent[]: applies the
   * changes, then waits for up to `max_events` events, or `timeout` seconds
   * (null waits for ever). With `max_events` 0 it does not wait.
   */
  control(changelist: Iterable<Kevent> | null, max_events: number, timeout: number | null = null): Kevent[] {
    fits(SELECT.kqueue.control, arguments.length, max_events) || refuse(SELECT.kqueue.control, arguments);
    const kq = this.check();
    const max = int(max_events);
    if (max < 0) throw new RangeError(`Length of eventlist must be 0 or positive, got ${max}`);
    let t = -1;
    if (timeout !== null && timeout !== undefined) {
      if (typeof timeout !== 'number' && typeof timeout !== 'boolean' && typeof timeout !== 'bigint') {
        throw new TypeError(`timeout argument must be a number or None, got ${pyType(timeout)}`);
      }
      t = typeof timeout === 'bigint' ? bigTimeout(timeout) : Number(timeout);
      if (Number.isNaN(t)) throw new RangeError('Invalid value NaN (not a number)');
      if (t < 0) throw new RangeError('timeout must be positive or None');
      inClockRange(t);
    }
    const list = changes(changelist);
    if (this.#events.length !== max * 6) this.#events = new BigInt64Array(max * 6);
    const n = native.kqueueControl?.(kq, list, this.#events, t) ?? -1;
    if (n < 0) fail();
    const out: Kevent[] = [];
    for (let i = 0; i < n; i++) out.push(loadKevent(this.#events, i));
    return out;
  }
}
Object.defineProperty(Kqueue, 'name', { value: 'kqueue' });

/** What `new kqueue()` gives. */
export type kqueue = Kqueue;
/** What `new kevent(...)` gives. */
export type kevent = Kevent;
/**
 * select.kqueue on macOS and FreeBSD; undefined elsewhere, as Python has no
 * `select.kqueue` there (test it as Python code tests `hasattr(select, 'kqueue')`).
 */
export const kqueue: typeof Kqueue | undefined = native.kqueueCreate === undefined ? undefined : Kqueue;
/** select.kevent where there is kqueue; undefined elsewhere, as in Python. */
export const kevent: typeof Kevent | undefined = kqueue === undefined ? undefined : Kevent;
