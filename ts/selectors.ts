// bsdsock/selectors: Python's selectors module, the same thin layer over
// bsdsock/select that Lib/selectors.py is over select.

import { fits, refuse, SELECTORS } from './arity';
import { anInt, isInt, pyType, uintMask } from './convert';
import { inClockRange } from './timeout';
import { InterruptedError, KeyError, OSError, RuntimeError } from './errors';
import { pyRepr } from './repr';
import { epoll, kevent, kqueue, poll, select, type FileLike } from './select';
import * as S from './select-constants';

/** Readiness for reading. Python: `selectors.EVENT_READ`. */
export const EVENT_READ = 1 << 0;
/** Readiness for writing. Python: `selectors.EVENT_WRITE`. */
export const EVENT_WRITE = 1 << 1;

/** What a selector knows of one registered file object; frozen, as Python's namedtuple. Python: `selectors.SelectorKey`. */
export interface SelectorKey<D = unknown> {
  readonly fileobj: FileLike;
  readonly fd: number;
  readonly events: number;
  readonly data: D;
}

/** A SelectorKey, frozen, for a selector of your own (as Python's namedtuple is made). Python: `selectors.SelectorKey`. */
export function SelectorKey<D = unknown>(fileobj: FileLike, fd: number, events: number, data: D): SelectorKey<D> {
  fits(SELECTORS.SelectorKey, arguments.length, data) || refuse(SELECTORS.SelectorKey, arguments);
  return Object.freeze({ fileobj, fd, events, data });
}

const dispose: typeof Symbol.dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

/**
 * The fd of a file object (an int, or an object whose `fileno()` gives one), with Python's
 * ValueErrors (RangeError here). Python: `selectors._fileobj_to_fd`, which asyncio's
 * add_reader / add_writer use too.
 */
export function fileobjToFd(fileobj: unknown): number {
  let given = fileobj;
  let fd = intOf(given);
  if (fd === null) {
    const f = (fileobj as { fileno?: unknown } | null)?.fileno;
    // Python: `int(fileobj.fileno())`, whose AttributeError, TypeError and ValueError become this one.
    given = typeof f === 'function' ? f.call(fileobj) : null;
    fd = given === null ? null : intOf(given, true);
    if (fd === null) throw new RangeError(`Invalid file object: ${pyRepr(fileobj)}`);
  }
  // A bigint named whole, as Python's int.
  if (fd < 0) throw new RangeError(`Invalid file descriptor: ${typeof given === 'bigint' ? given : fd}`);
  return fd;
}

/** `v` as Python's int when it is one (a bool is too), else null; with `parse`, as `int(v)` makes
 * one of a finite float or a decimal string. */
function intOf(v: unknown, parse = false): number | null {
  const n = anInt(v);
  if (typeof n === 'boolean') return Number(n);
  if (typeof n === 'number' && Number.isInteger(n)) return n;
  if (!parse) return null;
  if (typeof n === 'number') return Number.isFinite(n) ? Math.trunc(n) : null;
  return typeof n === 'string' && /^\s*[+-]?\d+(_\d+)*\s*$/.test(n) ? Number(n.replace(/_/g, '')) : null;
}

/** Python's check of register()'s events: `(not events) or (events & ~(EVENT_READ | EVENT_WRITE))`. */
function checkEvents(given: unknown): number {
  const events = anInt(given);
  // `not events` first: None, 0, '' and False are Python's ValueError whatever their type.
  if (!events) throw new RangeError(`Invalid events: ${pyRepr(events)}`);
  if (events === true) return EVENT_READ;
  if (typeof events !== 'number' || !Number.isInteger(events)) {
    const type = typeof events === 'number' ? 'float' : pyType(events);
    throw new TypeError(`unsupported operand type(s) for &: '${type}' and 'int'`);
  }
  // `events & ~(EVENT_READ | EVENT_WRITE)` in Python's ints: JS's & would see only the low 32 bits.
  if (events < EVENT_READ || events > (EVENT_READ | EVENT_WRITE)) throw new RangeError(`Invalid events: ${pyRepr(given)}`);
  return events;
}

/**
 * The low 32 bits of a key's events for Python's `events & EVENT_READ`: an int's (a bool, a
 * bigint of any size); anything else is that `&`'s TypeError.
 */
function lowBits(events: unknown): number {
  if (!isInt(events)) throw new TypeError(`unsupported operand type(s) for &: '${pyType(events)}' and 'int'`);
  return uintMask(events);
}

/** Python's `a == b` of two events values: a bool is the int it is, a bigint the number it is. */
function sameEvents(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown => (typeof v === 'boolean' ? Number(v) : typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v);
  return canon(a) === canon(b);
}

/** Python's math.ceil, whose NaN and infinities are its ValueError and OverflowError (RangeErrors). */
function ceil(x: number): number {
  if (Number.isNaN(x)) throw new RangeError('cannot convert float NaN to integer');
  if (!Number.isFinite(x)) throw new RangeError('cannot convert float infinity to integer');
  return Math.ceil(x);
}

/**
 * A select() timeout as Lib/selectors.py compares it: a number (a bool is one), or null; anything else is the
 * TypeError of its first comparison, `max(timeout, 0)` (select, kqueue: '>') or `timeout <= 0` (poll, epoll: '<=').
 */
function selectTimeout(timeout: unknown, op: '>' | '<='): number | null {
  if (timeout === null || timeout === undefined) return null;
  const t = anInt(timeout);
  if (typeof t === 'number' || typeof t === 'boolean') return Number(t);
  const [left, right] = op === '>' ? ['int', pyType(timeout)] : [pyType(timeout), 'int'];
  throw new TypeError(`'${op}' not supported between instances of '${left}' and '${right}'`);
}

/**
 * A read-only view of a selector's registrations, keyed by file object (Python's get_map()).
 * Python: `selectors.BaseSelector.get_map`.
 */
export class SelectorMapping<D = unknown> implements Iterable<number> {
  readonly #selector: BaseSelectorImpl<D>;

  constructor(selector: BaseSelectorImpl<D>) {
    this.#selector = selector;
  }

  /** The number of registrations. Python: `len(selector.get_map())`. */
  get size(): number {
    return this.#selector.fdToKey.size;
  }

  /** The key of a file object (or fd); undefined when it is not registered. Python: `selector.get_map()[fileobj]`. */
  get(fileobj: FileLike): SelectorKey<D> | undefined {
    const fd = this.#selector.fileobjLookup(fileobj);
    return this.#selector.fdToKey.get(fd);
  }

  /** Whether a file object (or fd) is registered. Python: `fileobj in selector.get_map()`. */
  has(fileobj: FileLike): boolean {
    return this.get(fileobj) !== undefined;
  }

  /** The registered fds, as iterating Python's mapping gives. */
  *[Symbol.iterator](): Iterator<number> {
    yield* this.#selector.fdToKey.keys();
  }

  /** The keys. Python: `selector.get_map().values()`. */
  values(): IterableIterator<SelectorKey<D>> {
    return this.#selector.fdToKey.values();
  }
}

/** Python's selectors.BaseSelector: register file objects, then wait for their events. */
export abstract class BaseSelector<D = unknown> {
  /** register(fileobj, events, data=null) -> the new key. Python: `selectors.BaseSelector.register`. */
  abstract register(fileobj: FileLike, events: number, data?: D): SelectorKey<D>;
  /** unregister(fileobj) -> the key it had. Python: `selectors.BaseSelector.unregister`. */
  abstract unregister(fileobj: FileLike): SelectorKey<D>;
  /** select(timeout=null) -> [key, events][]: timeout in seconds; null waits for ever, <= 0 polls.
   * Python: `selectors.BaseSelector.select`.
   */
  abstract select(timeout?: number | null): [SelectorKey<D>, number][];
  /** get_map() -> the registrations, or null once closed. Python: `selectors.BaseSelector.get_map`. */
  abstract get_map(): SelectorMapping<D> | null;

  /** modify(fileobj, events, data=null) -> the new key. Python: `selectors.BaseSelector.modify`. */
  modify(fileobj: FileLike, events: number, data: D = null as D): SelectorKey<D> {
    fits(SELECTORS.BaseSelector.modify, arguments.length, events) || refuse(SELECTORS.BaseSelector.modify, arguments);
    this.unregister(fileobj);
    return this.register(fileobj, events, data);
  }

  /** Frees the selector's resources; it cannot be used after. Python: `selectors.BaseSelector.close`. */
  close(): void {
    fits(SELECTORS.BaseSelector.close, arguments.length) || refuse(SELECTORS.BaseSelector.close, arguments);
  }

  /** get_key(fileobj) -> its key: KeyError when absent, RuntimeError once closed. Python: `selectors.BaseSelector.get_key`. */
  get_key(fileobj: FileLike): SelectorKey<D> {
    fits(SELECTORS.BaseSelector.get_key, arguments.length, fileobj) || refuse(SELECTORS.BaseSelector.get_key, arguments);
    const mapping = this.get_map();
    if (mapping === null) throw new RuntimeError('Selector is closed');
    const key = mapping.get(fileobj);
    if (key === undefined) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    return key;
  }

  /** Closes the selector at the end of a `using` scope. Python: `selectors.BaseSelector.__exit__`. */
  [dispose](): void {
    this.close();
  }
}

/** The registration bookkeeping every selector shares (Python's _BaseSelectorImpl). */
abstract class BaseSelectorImpl<D> extends BaseSelector<D> {
  fdToKey = new Map<number, SelectorKey<D>>();
  #map: SelectorMapping<D> | null = new SelectorMapping(this);

  /** The fd of a file object, or of a registered one whose fileno() no longer works (closed). */
  fileobjLookup(fileobj: FileLike): number {
    try {
      return fileobjToFd(fileobj);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      for (const key of this.fdToKey.values()) if (key.fileobj === fileobj) return key.fd;
      throw e;
    }
  }

  /**
   * register(fileobj, events, data=null) -> the new key: KeyError when already registered, RangeError (ValueError) for bad events.
   * Python: `selectors.BaseSelector.register`.
   */
  register(fileobj: FileLike, events: number, data: D = null as D): SelectorKey<D> {
    return this.addKey(fileobj, events, data);
  }

  /** unregister(fileobj) -> the key it had: KeyError when not registered. Python: `selectors.BaseSelector.unregister`. */
  unregister(fileobj: FileLike): SelectorKey<D> {
    return this.removeKey(fileobj);
  }

  /** The bookkeeping of register(): the new key. */
  protected addKey(fileobj: FileLike, events: number, data: D): SelectorKey<D> {
    const key = SelectorKey(fileobj, this.fileobjLookup(fileobj), checkEvents(events), data);
    if (this.fdToKey.has(key.fd)) throw new KeyError(`${pyRepr(fileobj)} (FD ${key.fd}) is already registered`);
    this.fdToKey.set(key.fd, key);
    return key;
  }

  /** The bookkeeping of unregister(): the key it had. */
  protected removeKey(fileobj: FileLike): SelectorKey<D> {
    const fd = this.fileobjLookup(fileobj);
    const key = this.fdToKey.get(fd);
    if (key === undefined) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    this.fdToKey.delete(fd);
    return key;
  }

  /** addKey, then `apply` the key to the OS object; the key is removed again if that throws. */
  protected addKeyThen(fileobj: FileLike, events: number, data: D, apply: (key: SelectorKey<D>) => void): SelectorKey<D> {
    const key = this.addKey(fileobj, events, data);
    try {
      apply(key);
    } catch (e) {
      this.removeKey(fileobj);
      throw e;
    }
    return key;
  }

  /** modify(fileobj, events, data=null) -> the new key: KeyError when not registered. Python: `selectors.BaseSelector.modify`. */
  override modify(fileobj: FileLike, given: number, data: D = null as D): SelectorKey<D> {
    fits(SELECTORS._BaseSelectorImpl.modify, arguments.length, given) || refuse(SELECTORS._BaseSelectorImpl.modify, arguments);
    const key = this.fdToKey.get(this.fileobjLookup(fileobj));
    if (key === undefined) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    if (!sameEvents(given, key.events)) {
      this.unregister(fileobj);
      return this.register(fileobj, given, data);
    }
    if (data !== key.data) {
      const changed = SelectorKey(key.fileobj, key.fd, key.events, data);
      this.fdToKey.set(key.fd, changed);
      return changed;
    }
    return key;
  }

  /** Forgets every registration; get_map() is null after. Python: `selectors.BaseSelector.close`. */
  override close(): void {
    fits(SELECTORS._BaseSelectorImpl.close, arguments.length) || refuse(SELECTORS._BaseSelectorImpl.close, arguments);
    this.fdToKey.clear();
    this.#map = null;
  }

  get_map(): SelectorMapping<D> | null {
    fits(SELECTORS._BaseSelectorImpl.get_map, arguments.length) || refuse(SELECTORS._BaseSelectorImpl.get_map, arguments);
    return this.#map;
  }

  /** The ready [key, events] of an fd's reported events, if it is still registered. */
  protected ready(out: [SelectorKey<D>, number][], fd: number, events: number): void {
    const key = this.fdToKey.get(fd);
    if (key !== undefined) out.push([key, events & lowBits(key.events)]);
  }
}

/** A selector over select(). Python: `selectors.SelectSelector`. */
export class SelectSelector<D = unknown> extends BaseSelectorImpl<D> {
  #readers = new Set<number>();
  #writers = new Set<number>();

  constructor() {
    fits(SELECTORS.SelectSelector.__init__, arguments.length) || refuse(SELECTORS.SelectSelector.__init__, arguments);
    super();
  }

  override register(fileobj: FileLike, events: number, data: D = null as D): SelectorKey<D> {
    fits(SELECTORS.SelectSelector.register, arguments.length, events) || refuse(SELECTORS.SelectSelector.register, arguments);
    const key = super.register(fileobj, events, data);
    if (key.events & EVENT_READ) this.#readers.add(key.fd);
    if (key.events & EVENT_WRITE) this.#writers.add(key.fd);
    return key;
  }

  override unregister(fileobj: FileLike): SelectorKey<D> {
    fits(SELECTORS.SelectSelector.unregister, arguments.length, fileobj) || refuse(SELECTORS.SelectSelector.unregister, arguments);
    const key = super.unregister(fileobj);
    this.#readers.delete(key.fd);
    this.#writers.delete(key.fd);
    return key;
  }

  /**
   * select(timeout=null) -> [key, events][]: waits with select(); timeout in seconds, null waits for ever, <= 0 polls.
   * Python: `selectors.SelectSelector.select`.
   */
  select(timeout: number | null = null): [SelectorKey<D>, number][] {
    fits(SELECTORS.SelectSelector.select, arguments.length) || refuse(SELECTORS.SelectSelector.select, arguments);
    const given = selectTimeout(timeout, '>');
    // max(timeout, 0) of a bigint is still Python's int, which select() words its overflow for.
    const t = given === null ? null : typeof timeout === 'bigint' && timeout > 0n ? (timeout as unknown as number) : Math.max(given, 0);
    const ready: [SelectorKey<D>, number][] = [];
    let r: number[];
    let w: number[];
    try {
      [r, w] = select([...this.#readers], [...this.#writers], [], t);
    } catch (e) {
      if (e instanceof InterruptedError) return ready;
      throw e;
    }
    const readable = new Set(r);
    const writable = new Set(w);
    for (const fd of new Set([...r, ...w])) {
      this.ready(ready, fd, (readable.has(fd) ? EVENT_READ : 0) | (writable.has(fd) ? EVENT_WRITE : 0));
    }
    return ready;
  }
}

/** What poll and epoll objects share, for the selectors over them (Python's _PollLikeSelector). */
interface PollLike {
  register(fd: number, mask: number): void;
  modify(fd: number, mask: number): void;
  unregister(fd: number): void;
  poll(timeout: number | null, maxevents?: number): [number, number][];
}

abstract class PollLikeSelector<D> extends BaseSelectorImpl<D> {
  protected abstract selector: PollLike;
  protected abstract readonly IN: number;
  protected abstract readonly OUT: number;

  constructor() {
    // Before the subclass makes its poll or epoll object.
    fits(SELECTORS._PollLikeSelector.__init__, arguments.length) || refuse(SELECTORS._PollLikeSelector.__init__, arguments);
    super();
  }

  #mask(events: unknown): number {
    const bits = lowBits(events);
    return (bits & EVENT_READ ? this.IN : 0) | (bits & EVENT_WRITE ? this.OUT : 0);
  }

  override register(fileobj: FileLike, events: number, data: D = null as D): SelectorKey<D> {
    fits(SELECTORS._PollLikeSelector.register, arguments.length, events) || refuse(SELECTORS._PollLikeSelector.register, arguments);
    return this.addKeyThen(fileobj, events, data, (key) => this.selector.register(key.fd, this.#mask(key.events)));
  }

  override unregister(fileobj: FileLike): SelectorKey<D> {
    fits(SELECTORS._PollLikeSelector.unregister, arguments.length, fileobj) || refuse(SELECTORS._PollLikeSelector.unregister, arguments);
    const key = super.unregister(fileobj);
    try {
      this.selector.unregister(key.fd);
    } catch {
      // The fd may have been closed already: nothing is left to unregister (as Python).
    }
    return key;
  }

  override modify(fileobj: FileLike, given: number, data: D = null as D): SelectorKey<D> {
    fits(SELECTORS._PollLikeSelector.modify, arguments.length, given) || refuse(SELECTORS._PollLikeSelector.modify, arguments);
    // Unchecked, as Python's _PollLikeSelector.modify: any int is kept as given (a bigint too), its
    // low bits the OS's mask; what is no int fails at `events & EVENT_READ`.
    const n = anInt(given);
    const events = Number.isSafeInteger(n) ? n : given;
    const key = this.fdToKey.get(this.fileobjLookup(fileobj));
    if (key === undefined) throw new KeyError(`${pyRepr(fileobj)} is not registered`);
    const same = sameEvents(events, key.events);
    if (!same) {
      // The mask is made first: its TypeError leaves the registration as it was.
      const mask = this.#mask(events);
      try {
        this.selector.modify(key.fd, mask);
      } catch (e) {
        super.unregister(fileobj);
        throw e;
      }
    }
    if (same && data === key.data) return key;
    const changed = SelectorKey(key.fileobj, key.fd, events as number, data);
    this.fdToKey.set(key.fd, changed);
    return changed;
  }

  /** The wait of the underlying object, given Python's timeout. */
  protected abstract wait(timeout: number | null): [number, number][];

  select(timeout: number | null = null): [SelectorKey<D>, number][] {
    fits(SELECTORS._PollLikeSelector.select, arguments.length) || refuse(SELECTORS._PollLikeSelector.select, arguments);
    const ready: [SelectorKey<D>, number][] = [];
    let events: [number, number][];
    try {
      events = this.wait(timeout);
    } catch (e) {
      if (e instanceof InterruptedError) return ready;
      throw e;
    }
    for (const [fd, event] of events) {
      const mask = (event & ~this.IN ? EVENT_WRITE : 0) | (event & ~this.OUT ? EVENT_READ : 0);
      this.ready(ready, fd, mask);
    }
    return ready;
  }
}

/** A selector over a poll object. Python: `selectors.PollSelector`. */
export class PollSelector<D = unknown> extends PollLikeSelector<D> {
  protected selector = poll();
  protected readonly IN = S.POLLIN;
  protected readonly OUT = S.POLLOUT;

  protected wait(timeout: number | null): [number, number][] {
    const given = selectTimeout(timeout, '<=');
    const ms = given === null ? null : given <= 0 ? 0 : ceil(given * 1e3);
    // Python hands poll() an int: past its clock, the int's OverflowError.
    if (ms !== null) inClockRange(ms / 1e3, true);
    return this.selector.poll(ms);
  }
}

/** A selector over an epoll object (Linux). Python: `selectors.EpollSelector`. */
export class EpollSelector<D = unknown> extends PollLikeSelector<D> {
  protected selector = new epoll();
  protected readonly IN = S.EPOLLIN;
  protected readonly OUT = S.EPOLLOUT;

  /** The epoll object's fd. Python: `selectors.EpollSelector.fileno`. */
  fileno(): number {
    fits(SELECTORS.EpollSelector.fileno, arguments.length) || refuse(SELECTORS.EpollSelector.fileno, arguments);
    return this.selector.fileno();
  }

  /** select(timeout=null): as _PollLikeSelector's, a method of EpollSelector's own in Python (its name is in the TypeError). */
  override select(timeout: number | null = null): [SelectorKey<D>, number][] {
    fits(SELECTORS.EpollSelector.select, arguments.length) || refuse(SELECTORS.EpollSelector.select, arguments);
    return super.select(timeout);
  }

  protected wait(timeout: number | null): [number, number][] {
    const given = selectTimeout(timeout, '<=');
    const t = given === null ? -1 : given <= 0 ? 0 : ceil(given * 1e3) * 1e-3;
    // Python hands epoll.poll() a float: past its clock, the float's OverflowError.
    inClockRange(t, false);
    return this.selector.poll(t, Math.max(this.fdToKey.size, 1));
  }

  /** Closes the epoll object and forgets every registration. Python: `selectors.EpollSelector.close`. */
  override close(): void {
    fits(SELECTORS.EpollSelector.close, arguments.length) || refuse(SELECTORS.EpollSelector.close, arguments);
    this.selector.close();
    super.close();
  }
}

/** A selector over a kqueue object (macOS and FreeBSD), as CPython's. */
class KqueueSelectorImpl<D = unknown> extends BaseSelectorImpl<D> {
  // Made only where kqueue exists (see the export below).
  protected selector: kqueue = new kqueue!();

  constructor() {
    fits(SELECTORS.KqueueSelector.__init__, arguments.length) || refuse(SELECTORS.KqueueSelector.__init__, arguments);
    super();
  }

  fileno(): number {
    fits(SELECTORS.KqueueSelector.fileno, arguments.length) || refuse(SELECTORS.KqueueSelector.fileno, arguments);
    return this.selector.fileno();
  }

  /** One change: a kevent of `filter` for fd with `flags` (add or delete). */
  #change(fd: number, filter: number, flags: number): void {
    this.selector.control([new kevent!(fd, filter, flags)], 0, 0);
  }

  override register(fileobj: FileLike, events: number, data: D = null as D): SelectorKey<D> {
    fits(SELECTORS.KqueueSelector.register, arguments.length, events) || refuse(SELECTORS.KqueueSelector.register, arguments);
    return this.addKeyThen(fileobj, events, data, (key) => {
      if (key.events & EVENT_READ) this.#change(key.fd, S.KQ_FILTER_READ, S.KQ_EV_ADD);
      if (key.events & EVENT_WRITE) this.#change(key.fd, S.KQ_FILTER_WRITE, S.KQ_EV_ADD);
    });
  }

  override unregister(fileobj: FileLike): SelectorKey<D> {
    fits(SELECTORS.KqueueSelector.unregister, arguments.length, fileobj) || refuse(SELECTORS.KqueueSelector.unregister, arguments);
    const key = this.removeKey(fileobj);
    for (const [event, filter] of [
      [EVENT_READ, S.KQ_FILTER_READ],
      [EVENT_WRITE, S.KQ_FILTER_WRITE],
    ] as const) {
      if (!(key.events & event)) continue;
      try {
        this.#change(key.fd, filter, S.KQ_EV_DELETE);
      } catch (e) {
        // The fd may have been closed since it was registered (as Python).
        if (!(e instanceof OSError)) throw e;
      }
    }
    return key;
  }

  select(timeout: number | null = null): [SelectorKey<D>, number][] {
    fits(SELECTORS.KqueueSelector.select, arguments.length) || refuse(SELECTORS.KqueueSelector.select, arguments);
    const given = selectTimeout(timeout, '>');
    const t = given === null ? null : Math.max(given, 0);
    // With max_events 0 kqueue would ignore the timeout: at least 1, as CPython.
    const maxEvents = Math.max(this.fdToKey.size, 1);
    const ready: [SelectorKey<D>, number][] = [];
    let kevents: kevent[];
    try {
      kevents = this.selector.control(null, maxEvents, t);
    } catch (e) {
      if (e instanceof InterruptedError) return ready;
      throw e;
    }
    for (const kev of kevents) {
      const events = kev.filter === S.KQ_FILTER_READ ? EVENT_READ : kev.filter === S.KQ_FILTER_WRITE ? EVENT_WRITE : 0;
      this.ready(ready, kev.ident, events);
    }
    return ready;
  }

  override close(): void {
    fits(SELECTORS.KqueueSelector.close, arguments.length) || refuse(SELECTORS.KqueueSelector.close, arguments);
    this.selector.close();
    super.close();
  }
}
Object.defineProperty(KqueueSelectorImpl, 'name', { value: 'KqueueSelector' });

/** What `new KqueueSelector()` gives. */
export type KqueueSelector<D = unknown> = KqueueSelectorImpl<D>;
/** A selector over kqueue on macOS and FreeBSD; undefined elsewhere, as Python has no KqueueSelector there. */
export const KqueueSelector: typeof KqueueSelectorImpl | undefined = kqueue === undefined ? undefined : KqueueSelectorImpl;

/** Python's _can_use: the method exists here, and making (and closing) one does not fail with OSError. */
function canUse(make: (() => void) | undefined): boolean {
  if (make === undefined) return false;
  try {
    make();
    return true;
  } catch (e) {
    if (e instanceof OSError) return false;
    throw e;
  }
}

/** The best selector of this platform, chosen as CPython chooses: kqueue, then epoll, then poll, then select. */
function bestSelector(): typeof KqueueSelectorImpl | typeof EpollSelector | typeof PollSelector | typeof SelectSelector {
  if (KqueueSelector && canUse(kqueue && (() => new kqueue!().close()))) return KqueueSelector;
  if (canUse(S.EPOLLIN === undefined ? undefined : () => new epoll().close())) return EpollSelector;
  // Windows: select, as Python there (which has no poll); WSAPoll misses failed connects before Windows 10 2004.
  if (process.platform !== 'win32' && canUse(() => poll().poll(0))) return PollSelector;
  return SelectSelector;
}

/** The best selector of this platform: kqueue on macOS and FreeBSD, epoll on Linux, select on Windows, else poll or select.
 * Python: `selectors.DefaultSelector`.
 */
export const DefaultSelector = bestSelector();
export type DefaultSelector<D = unknown> = KqueueSelector<D> | EpollSelector<D> | PollSelector<D> | SelectSelector<D>;

export { KeyError, RuntimeError } from './errors';
