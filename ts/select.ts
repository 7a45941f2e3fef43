// bsdsock/select: Python's select module. select(), poll objects and, on
// Linux, epoll objects. Every wait retries on EINTR with the time left
// (PEP 475) and is interrupted, like the blocking socket calls, by the signals
// that interrupt them (see siginterrupt).

import { inspect } from 'node:util';

import { int } from './address';
import { fail, KeyError, oserrorNamed } from './errors';
import { native } from './native';
import * as S from './select-constants';

export * from './select-constants';
export { KeyError } from './errors';

/** Something select can wait on: an fd number, or an object with a `fileno()` method (a Socket). */
export type FileLike = number | { fileno(): number };


/** The fd of a select argument, as Python's PyObject_AsFileDescriptor. */
export function fdOf(obj: unknown): number {
  let fd: unknown;
  if (typeof obj === 'number' || typeof obj === 'boolean') fd = obj;
  else if (obj !== null && typeof obj === 'object' && typeof (obj as { fileno?: unknown }).fileno === 'function') {
    fd = (obj as { fileno(): unknown }).fileno();
    if (typeof fd !== 'number' || !Number.isInteger(fd)) throw new TypeError('fileno() returned a non-integer');
  } else {
    throw new TypeError('argument must be an int, or have a fileno() method.');
  }
  const n = int(fd);
  if (n < 0) throw new RangeError(`file descriptor cannot be a negative integer (${n})`);
  return n;
}

function seconds(timeout: unknown, what: string): number {
  if (timeout === null || timeout === undefined) return -1;
  if (typeof timeout !== 'number') throw new TypeError(`${what} must be a float or None`);
  if (Number.isNaN(timeout)) throw new RangeError('Invalid value NaN (not a number)');
  return timeout;
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
 */
export function select<R extends FileLike, W extends FileLike, X extends FileLike>(
  rlist: Iterable<R>,
  wlist: Iterable<W>,
  xlist: Iterable<X>,
  timeout: number | null = null,
): [R[], W[], X[]] {
  const t = seconds(timeout, 'timeout');
  if (t < 0 && timeout !== null && timeout !== undefined) throw new RangeError('timeout must be non-negative');
  const lists = [sequence<R>(rlist), sequence<W>(wlist), sequence<X>(xlist)] as const;
  const [r, w, x] = lists.map((list) => Int32Array.from(list as FileLike[], fdOf));
  if (native.select(r!, w!, x!, t) < 0) fail();
  return [lists[0].filter((_, i) => r![i]! >= 0), lists[1].filter((_, i) => w![i]! >= 0), lists[2].filter((_, i) => x![i]! >= 0)];
}

function eventmask(mask: unknown): number {
  const n = int(mask);
  if (n < 0) throw new RangeError("can't convert negative int to unsigned");
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

  /** register(fd, eventmask=POLLIN|POLLPRI|POLLOUT): adds fd, or changes its mask. */
  register(fd: FileLike, eventmask_: number = S.POLLIN | S.POLLPRI | S.POLLOUT): void {
    this.#wanted.set(fdOf(fd), eventmask(eventmask_));
    this.#dirty = true;
  }

  /** modify(fd, eventmask): FileNotFoundError (ENOENT) when fd is not registered. */
  modify(fd: FileLike, eventmask_: number): void {
    const n = fdOf(fd);
    const mask = eventmask(eventmask_);
    if (!this.#wanted.has(n)) throw oserrorNamed('ENOENT');
    this.#wanted.set(n, mask);
    this.#dirty = true;
  }

  /** unregister(fd): KeyError when fd is not registered. */
  unregister(fd: FileLike): void {
    const n = fdOf(fd);
    if (!this.#wanted.delete(n)) throw new KeyError(String(n));
    this.#dirty = true;
  }

  /** poll(timeout=null) -> [fd, events][]: timeout in milliseconds; null or negative waits for ever. */
  poll(timeout: number | null = null): [number, number][] {
    const ms = seconds(timeout, 'timeout');
    if (this.#dirty) {
      this.#fds = Int32Array.from(this.#wanted.keys());
      this.#events = Int32Array.from(this.#wanted.values());
      this.#revents = new Int32Array(this.#fds.length);
      this.#dirty = false;
    }
    const n = native.poll(this.#fds, this.#events, this.#revents, ms < 0 ? -1 : Math.ceil(ms));
    if (n < 0) fail();
    const out: [number, number][] = [];
    for (let i = 0; i < this.#revents.length && out.length < n; i++) {
      const ev = this.#revents[i]!;
      if (ev !== 0) out.push([this.#fds[i]!, ev]);
    }
    return out;
  }

  [inspect.custom](): string {
    return `<select.poll object, ${this.#wanted.size} fds>`;
  }
}

/** poll(): a new poll object. */
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
      if (f !== 0 && f !== S.EPOLL_CLOEXEC) throw oserrorNamed('EINVAL');
      this.#fd = native.epollCreate(0);
      if (this.#fd < 0) fail();
    }
    closedEpolls.register(this, this.#fd, this);
  }

  /** epoll.fromfd(fd): an epoll object for an epoll fd made elsewhere. */
  static fromfd(fd: number): epoll {
    return new epoll(-1, 0, fdOf(fd));
  }

  #check(): number {
    if (this.#fd < 0) throw new RangeError('I/O operation on closed epoll object');
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

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

  /** register(fd, eventmask=EPOLLIN|EPOLLPRI|EPOLLOUT): FileExistsError when fd is there already. */
  register(fd: FileLike, eventmask_: number = S.EPOLLIN | S.EPOLLPRI | S.EPOLLOUT): void {
    this.#ctl('add', fd, int(eventmask_));
  }

  /** modify(fd, eventmask): FileNotFoundError when fd is not registered. */
  modify(fd: FileLike, eventmask_: number): void {
    this.#ctl('mod', fd, int(eventmask_));
  }

  /** unregister(fd): FileNotFoundError when fd is not registered. */
  unregister(fd: FileLike): void {
    this.#ctl('del', fd, 0);
  }

  /** poll(timeout=null, maxevents=-1) -> [fd, events][]: timeout in seconds; null or negative waits for ever. */
  poll(timeout: number | null = null, maxevents = -1): [number, number][] {
    const ep = this.#check();
    const t = seconds(timeout, 'timeout');
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

  [dispose](): void {
    this.close();
  }

  [inspect.custom](): string {
    return `<select.epoll object fd=${this.#fd}>`;
  }
}
