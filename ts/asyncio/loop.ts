// bsdsock/asyncio's link to Node's event loop: per fd, the reader and writer
// callbacks (add_reader, add_writer) and the operations waiting for it to be
// readable or writable, and one native watcher that watches what they need
// (crates/node/src/watch.rs: a uv_poll handle, or on Bun and Deno an interest
// in the addon's own poller thread). An operation keeps the loop alive while it
// waits (through one ref'd handle of the environment, `keepAlive`), and so do an
// open transport and a serving server (`hold`) until closed, or until its
// socket (a server: all its sockets) is closed or detached under it; readers
// and writers do not.
// A socket's handle stays armed for reading after it served a read, so that a
// connection read over and over costs no epoll_ctl per read; the first
// readiness with nothing to read disarms it. This module's state belongs to one
// JS environment (the main thread or a worker), as the addon's does.

import { badf, dropError, RuntimeError, takeError } from '../errors';
import { keywordNames } from '../keywords';
import { loopHeld, native, setPendingOps } from '../native';
import { pyRepr } from '../repr';
import { onRelease } from '../socket';
import { BATCH_COUNT, BATCH_EVENTS, BATCH_FD, BATCH_KEEP, BATCH_WORDS } from '../wire';

export const READ = 1;
export const WRITE = 2;
const OWNED = 8;

/** Node's AbortError, for an operation whose AbortSignal fired: `code` 'ABORT_ERR', the signal's reason as `cause`. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
  /** `'AbortError'`, as Node names the errors of an aborted operation. */
  override get name(): string {
    return 'AbortError';
  }
}

/** The trailing options every operation takes. */
export interface OperationOptions {
  /** Aborting rejects the operation with an AbortError and leaves the socket as it was. */
  signal?: AbortSignal | undefined;
}

/** The option names of an operation (`Positional.keywords`). */
export const OPERATION_KEYWORDS = keywordNames<OperationOptions>({ signal: true });

export function abortError(signal: AbortSignal): AbortError {
  return new AbortError(undefined, { cause: signal.reason });
}

/** Throws the AbortError of a signal that has already fired. */
export function checkSignal(options: OperationOptions | undefined): AbortSignal | undefined {
  const signal = options?.signal;
  return signal === undefined || signal === null ? undefined : checked(signal);
}

// The hot calls inline checkSignal, ensureStarted and update: V8's optimizing compiler inlines callees up
// to a total size per function, so their rare paths are functions of their own.

function checked(signal: unknown): AbortSignal {
  if (!(signal instanceof AbortSignal)) throw new TypeError('options.signal must be an AbortSignal');
  if (signal.aborted) throw abortError(signal);
  return signal;
}

/**
 * A pending operation. `attempt` makes its syscall once the fd is ready and
 * returns true when it settled the operation (done or failed), false to wait
 * again (EAGAIN).
 */
interface Pending {
  readonly syscall: string;
  run(): boolean;
  fail(err: unknown): true;
}

// The operations' fields are declared (not class fields) and set in the
// constructor, and they have no private method, and there is one class for
// every operation (no subclass and its super() call): so V8's optimized code
// makes one inline. With class fields and a private method, or a subclass, it
// went through V8's generic construct path each time (measured in audp: about
// 250 instructions a round trip).

/** What an operation makes at each readiness: `once(a, b, c)`, a result, or null when it would block. */
export type Once<T, A, B, C> = (a: A, b: B, c: C) => T | null;

/**
 * A pending operation: `attempt(op)` at each readiness. An operation made by
 * `readNowOrWait` or `writeNowOrWait` makes `once(a, b, c)` there until it gives a result or throws;
 * its arguments are fields, not a closure's, so a receive that waits makes
 * one object, not three.
 */
export class Op<T, A = unknown, B = unknown, C = unknown> implements Pending {
  declare resolve: (value: T) => void;
  declare reject: (err: unknown) => void;
  declare onAbort: (() => void) | null;
  declare signal: AbortSignal | undefined;
  declare readonly syscall: string;
  declare readonly attempt: (op: Op<T, A, B, C>) => boolean;
  declare readonly once: Once<T, A, B, C> | null;
  declare readonly a: A;
  declare readonly b: B;
  declare readonly c: C;
  constructor(syscall: string, attempt: (op: Op<T, A, B, C>) => boolean, once: Once<T, A, B, C> | null, a: A, b: B, c: C) {
    this.syscall = syscall;
    this.attempt = attempt;
    this.resolve = unset;
    this.reject = unset;
    this.onAbort = null;
    this.signal = undefined;
    this.once = once;
    this.a = a;
    this.b = b;
    this.c = c;
  }

  run(): boolean {
    return this.attempt(this);
  }

  done(value: T): true {
    stopAbort(this);
    this.resolve(value);
    return true;
  }

  fail(err: unknown): true {
    stopAbort(this);
    this.reject(err);
    return true;
  }
}

/** The settle functions of an operation until its promise is made. */
function unset(): void {}

/** An operation is settled: its AbortSignal no longer concerns it. */
function stopAbort(op: { onAbort: (() => void) | null; signal: AbortSignal | undefined }): void {
  if (op.onAbort !== null) op.signal?.removeEventListener('abort', op.onAbort);
  op.onAbort = null;
}

/** The attempt of `readNowOrWait`'s and `writeNowOrWait`'s operations. */
function retryOnce<T, A, B, C>(op: Op<T, A, B, C>): boolean {
  const r = op.once!(op.a, op.b, op.c);
  return r !== null && op.done(r);
}

/** How often a read that the guess below advises against is made anyway: at first, and at most. */
const PROBE_FIRST = 16;
const PROBE_MOST = 256;

/**
 * Whether a read made before the loop reports the fd readable is likely to
 * find data: yes until one finds nothing, then no until a probe finds
 * something again. Probes are made every PROBE_FIRST-th time it is asked,
 * twice as far apart after each that finds nothing (up to PROBE_MOST). A peer
 * that answers at once (another process, woken by the send) keeps it yes; one
 * that answers from this same loop keeps it no, and saves the read that would
 * fail.
 */
export class ReadGuess {
  #empty = false;
  #asked = 0;
  #every = PROBE_FIRST;

  worthReading(): boolean {
    if (!this.#empty) return true;
    if (++this.#asked < this.#every) return false;
    this.#asked = 0;
    return true;
  }

  /** What the read it advised found. */
  found(data: boolean): void {
    if (data) this.#every = PROBE_FIRST;
    else if (this.#empty) this.#every = Math.min(2 * this.#every, PROBE_MOST);
    this.#empty = !data;
  }
}

/** What one fd is watched for. */
class Watch {
  reader: (() => void) | null = null;
  writer: (() => void) | null = null;
  readonly reads: Pending[] = [];
  readonly writes: Pending[] = [];
  /** The mask the native handle has (without OWNED); -1 before the first watch. */
  mask = -1;
  /** Whether a receive should be made before readiness (see `readNow`). */
  readonly early = new ReadGuess();
  /** Its pair in `batch` once dispatched there, until the next batch (see `dispatchBatch`). */
  slot = -1;
  constructor(
    readonly fd: number,
    public owned: boolean,
  ) {}
}

/** The watches by fd: an array indexed by fd, which a hash map's lookup on every readiness costs more than. */
const watches: (Watch | undefined)[] = [];
/** Operations waiting in every queue; the loop is kept alive while there are any. */
let pendingOps = 0;

function added(): void {
  setPendingOps(++pendingOps);
  if (!loopHeld()) native.keepAlive(true);
}

/** The addon lets the loop go itself, at the loop's next turn, once no
 * operation is pending; where there is no libuv loop (Bun, Deno), at once. */
function removed(n = 1): void {
  if (n === 0) return;
  setPendingOps((pendingOps -= n));
  if (pendingOps === 0 && portable) native.keepAlive(false);
}
/** Keeps the loop alive until the returned function is called: an open transport or server, as a ref'd node:net handle would. */
export function hold(): () => void {
  ensureStarted();
  added();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    removed();
  };
}

let started = false;
/** Set when `native.watch` is called: a dispatch then applies its final mask itself. */
let touched = false;

/** Resolver calls waiting for their result, by id (see resolver.ts). */
export const lookups = new Map<number, (result: unknown) => void>();

/** Whether the host has no libuv loop to share: Bun exports libuv's names as
 * stubs that abort, and Deno's uv_poll reports a readiness once, not for as
 * long as it lasts. The addon then watches the fds on a thread of its own. */
const portable = ['bun', 'deno'].some((host) => typeof process.versions[host] === 'string');

/** Hands the addon this environment's callbacks, once. */
export function ensureStarted(): void {
  if (!started) start();
}

function start(): void {
  const array = native.loopInit(dispatchBatch, resolved, portable);
  if (array === null) throw takeError();
  batch = array;
  started = true;
  onRelease(release);
}

/** The events the fd's callbacks and operations need now. */
function needed(w: Watch): number {
  let mask = 0;
  if (w.reader !== null || w.reads.length !== 0) mask |= READ;
  if (w.writer !== null || w.writes.length !== 0) mask |= WRITE;
  return mask;
}

/** What the handle should watch: what is needed, and a socket's READ kept armed. */
function desired(w: Watch): number {
  const mask = needed(w);
  return w.owned && w.mask > 0 ? mask | (w.mask & READ) : mask;
}

/** Makes the native handle match what the fd needs now. A raw fd nobody
 * needs loses its handle (so that its owner can close it); a socket's handle
 * is only stopped, and closed with the socket. */
function update(w: Watch): void {
  const mask = desired(w);
  if (mask !== w.mask) rewatch(w, mask);
}

/** `update` of a handle whose mask changes. */
function rewatch(w: Watch, mask: number): void {
  if (mask === 0 && !w.owned) {
    watches[w.fd] = undefined;
    native.unwatch(w.fd);
    return;
  }
  touched = true;
  if (!native.watch(w.fd, mask | (w.owned ? OWNED : 0))) throw unwatched(w);
  w.mask = mask;
  // Set after its dispatch in this batch: the addon must keep it, not take the answer.
  if (w.slot >= 0) batch[BATCH_WORDS * w.slot + BATCH_EVENTS] = BATCH_KEEP;
}

/** The error of a watch the addon refused; a watch never made is forgotten. */
function unwatched(w: Watch): unknown {
  const err = takeError();
  if (w.mask === -1) watches[w.fd] = undefined;
  return err;
}

function watchOf(fd: number, owned: boolean): Watch {
  ensureStarted();
  const w = watches[fd];
  if (w === undefined) return (watches[fd] = new Watch(fd, owned));
  if (owned) w.owned = true;
  return w;
}

/** Whether operations already wait on `fd` in that direction (a new one must queue behind them). */
export function busy(fd: number, dir: number): boolean {
  const w = watches[fd];
  return w !== undefined && (dir === READ ? w.reads : w.writes).length !== 0;
}

/**
 * Whether a receive on `fd` should be made now, before the loop reports it
 * readable: not when receives wait already (it must queue behind them), nor
 * when the handle watches for reading and early receives have been finding
 * nothing (a readiness then comes when data does, with no read wasted).
 */
function readNow(fd: number): boolean {
  const w = watches[fd];
  if (w === undefined) return true;
  if (w.reads.length !== 0) return false;
  return w.mask <= 0 || (w.mask & READ) === 0 || w.early.worthReading();
}

/** What a receive made by `readNow`'s leave found. */
function readFound(fd: number, data: boolean): void {
  watches[fd]?.early.found(data);
}

/** What the loop knows of a transport: whether it is closing, and its repr. */
interface TransportLike {
  is_closing(): boolean;
  toString(): string;
}

/** The transport using each fd (asyncio's `loop._transports`), by fd. */
const transports: (TransportLike | undefined)[] = [];

/** Says that a transport uses `fd` (the last one made for it, as asyncio's table keeps). */
export function useFd(fd: number, transport: TransportLike): void {
  if (fd >= 0) transports[fd] = transport;
}

/** What each fd's holder (a transport, a serving server) is told when the fd is closed or detached, by fd. */
const holders: ((() => void) | undefined)[] = [];

/** Says what to call, once, when `fd` is closed or detached: a transport or server that holds the
 * loop for it can never be woken after that, so it lets go (the last one said for an fd is told). */
export function onFdGone(fd: number, gone: () => void): void {
  if (fd >= 0) holders[fd] = gone;
}

/** Says that `transport` is gone, unless another took `fd` since. */
export function releaseFd(fd: number, transport: TransportLike): void {
  if (transports[fd] === transport) transports[fd] = undefined;
}

/**
 * asyncio's `_ensure_fd_no_transport`: an fd a live transport reads and writes
 * is the transport's; a socket operation that would wait on it, or a reader or
 * writer callback, is RuntimeError rather than a race with the transport for
 * its bytes. `given` is the fd as the caller gave it (a number, or a socket),
 * quoted in the message as Python's repr.
 */
export function ensureNoTransport(fd: number, given: unknown = fd): void {
  const t = transports[fd];
  if (t !== undefined && !t.is_closing()) throw new RuntimeError(`File descriptor ${pyRepr(given)} is used by transport ${t.toString()}`);
}

/** Whether the loop watches `fd` for `dir` for a reader or writer callback (a transport's repr says "polling"). */
export function polling(fd: number, dir: number): boolean {
  const w = watches[fd];
  return w !== undefined && (dir === READ ? w.reader : w.writer) !== null;
}

/** Queues an operation on `fd` until it is ready; `attempt` runs then. */
export function wait<T>(
  fd: number,
  dir: number,
  syscall: string,
  attempt: (op: Op<T>) => boolean,
  signal: AbortSignal | undefined,
): Promise<T> {
  return enqueue(fd, dir, new Op<T>(syscall, attempt, null, undefined, undefined, undefined), signal);
}

/**
 * What `once(a, b, c)` gives now, else a promise of what it gives once the fd
 * is ready (null from `once`: it would block), made again at each readiness
 * until it gives a result or throws. A read is made now unless reads wait
 * before it, or early reads have been finding nothing (`readNow`); a write
 * unless writes wait before it. One function for each direction, not one for
 * both, and each queues its operation itself: so each stays small enough for
 * V8 to inline into the operation, with the operation's own wait.
 */
export function readNowOrWait<T, A, B, C>(fd: number, syscall: string, signal: AbortSignal | undefined, once: Once<T, A, B, C>, a: A, b: B, c: C): T | Promise<T> {
  if (readNow(fd)) {
    const r = once(a, b, c);
    readFound(fd, r !== null);
    if (r !== null) return r;
  }
  return enqueue(fd, READ, new Op<T, A, B, C>(syscall, retryOnce, once, a, b, c), signal);
}

/** `readNowOrWait` for a write. */
export function writeNowOrWait<T, A, B, C>(fd: number, syscall: string, signal: AbortSignal | undefined, once: Once<T, A, B, C>, a: A, b: B, c: C): T | Promise<T> {
  if (!busy(fd, WRITE)) {
    const r = once(a, b, c);
    if (r !== null) return r;
  }
  return enqueue(fd, WRITE, new Op<T, A, B, C>(syscall, retryOnce, once, a, b, c), signal);
}

/** The operation whose promise is being made (see `settleWith`). */
let making: { resolve: (value: never) => void; reject: (err: unknown) => void } | null = null;

/** The executor of every operation's promise: one function for all, not a closure each. */
function settleWith(resolve: (value: never) => void, reject: (err: unknown) => void): void {
  making!.resolve = resolve;
  making!.reject = reject;
}

function enqueue<T, A, B, C>(fd: number, dir: number, op: Op<T, A, B, C>, signal: AbortSignal | undefined): Promise<T> {
  // The common case looked at here, the checks and the making of a watch called only when needed: so the
  // operations inline the whole of enqueue (see the note above checked()).
  if (transports[fd] !== undefined) ensureNoTransport(fd);
  let w = watches[fd];
  if (w === undefined || !w.owned) w = watchOf(fd, true);
  making = op;
  const promise = new Promise<T>(settleWith);
  making = null;
  const queue = dir === READ ? w.reads : w.writes;
  queue.push(op);
  // A handle that watches for `dir` already (a socket's stays armed for reading) needs no change: outside a
  // dispatch its mask is what the fd needs, and a dispatch sets the mask it ends with itself.
  if (w.mask <= 0 || (w.mask & dir) === 0) {
    const refused = arm(w, queue, op);
    if (refused !== null) return refused;
  }
  added();
  if (signal !== undefined) abortable(op, w, queue, signal);
  return promise;
}

/** `update` for an operation just queued: null, or the rejected promise of a watch the addon refused (the operation taken back out). */
function arm(w: Watch, queue: Pending[], op: Pending): Promise<never> | null {
  try {
    update(w);
    return null;
  } catch (e) {
    queue.splice(queue.indexOf(op), 1);
    return Promise.reject(e);
  }
}

/** Makes `signal` take `op` out of `queue`, `w`'s, and reject it with an AbortError. */
function abortable<T, A, B, C>(op: Op<T, A, B, C>, w: Watch, queue: Pending[], signal: AbortSignal): void {
  op.signal = signal;
  op.onAbort = () => {
    const i = queue.indexOf(op);
    if (i < 0) return;
    queue.splice(i, 1);
    removed();
    if (watches[w.fd] === w) update(w);
    op.fail(abortError(signal));
  };
  signal.addEventListener('abort', op.onAbort, { once: true });
}

/** Runs the operations at the head of a queue until one must wait again. */
function drain(queue: Pending[]): void {
  while (queue.length !== 0) {
    const op = queue[0]!;
    let settled: boolean;
    try {
      settled = op.run();
    } catch (e) {
      settled = op.fail(e);
    }
    if (!settled) return;
    if (queue[0] === op) {
      queue.shift();
      removed();
    }
  }
}

/** A reader or writer callback: what it throws is reported as an uncaught exception, after the others ran. */
export function callback(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    reportLater(e);
  }
}

/** Reports what a callback threw as an uncaught exception, once the callbacks running now are done. */
export function reportLater(e: unknown): void {
  process.nextTick(() => {
    throw e;
  });
}

/** The (fd, events) entries the addon hands over (wire.ts BATCH_*), each answered with the fd's new mask (its memory is the addon's). */
let batch: Int32Array = new Int32Array(0);
/** The watches of the last batch, as they were when it came. */
const batchWatches: (Watch | undefined)[] = [];
let batchCount = 0;

/**
 * The addon's callback, once per turn of the loop: the first `count` entries
 * of `batch` (its BATCH_COUNT word) are fds ready for their events, as one select() reports them.
 * Each fd's callbacks and operations run in turn, and its new mask replaces
 * its events, which the addon applies once the call and the promise
 * reactions after it are done; BATCH_KEEP when the mask was set already, in the
 * dispatch or after it (`update` writes it then: a later fd's callbacks or a
 * reaction may change what an fd of the batch needs). An fd whose watch went
 * away or was made again while the batch ran (a callback closed its socket,
 * and another took its number) is not told: its readiness was the old one's.
 */
function dispatchBatch(): void {
  const count = batch[BATCH_COUNT]!;
  for (let i = 0; i < batchCount; i++) {
    const w = batchWatches[i];
    if (w !== undefined) w.slot = -1;
  }
  batchCount = count;
  for (let i = 0; i < count; i++) batchWatches[i] = watches[batch[BATCH_WORDS * i + BATCH_FD]!];
  for (let i = 0; i < count; i++) {
    const w = batchWatches[i];
    const at = BATCH_WORDS * i + BATCH_EVENTS;
    let mask = 0;
    if (w !== undefined) {
      try {
        mask = watches[w.fd] === w ? dispatch(w, batch[at]!) : BATCH_KEEP;
      } catch (e) {
        reportLater(e);
        mask = BATCH_KEEP;
      }
      w.slot = i;
    }
    batch[at] = mask;
  }
}

/** `w`'s fd is ready for `events`: runs its callbacks and operations, and
 * returns the mask the handle should have now, or BATCH_KEEP when it was set already. */
function dispatch(w: Watch, events: number): number {
  const fd = w.fd;
  touched = false;
  const reading = w.reader !== null || w.reads.length !== 0;
  if ((events & READ) !== 0) {
    if (w.reader !== null) callback(w.reader);
    drain(w.reads);
  }
  if ((events & WRITE) !== 0 && watches[fd] === w) {
    if (w.writer !== null) callback(w.writer);
    drain(w.writes);
  }
  if (watches[fd] !== w) return BATCH_KEEP;
  let mask = needed(w);
  // Stay armed for reading after serving a read; disarm on a readiness that found nothing to do.
  if (w.owned && reading && (events & READ) !== 0) mask |= READ;
  if (touched || (mask === 0 && !w.owned)) {
    update(w);
    return BATCH_KEEP;
  }
  w.mask = mask;
  return mask;
}

function resolved(id: number, result: unknown): void {
  const done = lookups.get(id);
  if (done === undefined) {
    if (result === null) dropError();
    return;
  }
  lookups.delete(id);
  done(result);
}

/** A socket is about to close or detach its fd: its handle goes first, and
 * what waited on it fails with EBADF, as Python's closed socket would. */
function release(fd: number): void {
  // A transport's fd closed under it is no longer its (a new socket may take the number), and
  // with no watch on it, it or a server can never be woken: whoever held the loop for it lets go.
  transports[fd] = undefined;
  const gone = holders[fd];
  holders[fd] = undefined;
  gone?.();
  const w = watches[fd];
  if (w === undefined) return;
  watches[fd] = undefined;
  native.unwatch(fd);
  const pending = [...w.reads, ...w.writes];
  removed(pending.length);
  w.reads.length = 0;
  w.writes.length = 0;
  w.reader = null;
  w.writer = null;
  for (const op of pending) op.fail(badf(op.syscall));
}

/** Sets or clears the reader (READ) or writer (WRITE) callback of an fd;
 * returns whether there was one. */
export function setCallback(fd: number, owned: boolean, dir: number, fn: (() => void) | null): boolean {
  if (fn === null) {
    const w = watches[fd];
    if (w === undefined) return false;
    const had = (dir === READ ? w.reader : w.writer) !== null;
    if (dir === READ) w.reader = null;
    else w.writer = null;
    update(w);
    return had;
  }
  const w = watchOf(fd, owned);
  const had = (dir === READ ? w.reader : w.writer) !== null;
  const old = dir === READ ? w.reader : w.writer;
  if (dir === READ) w.reader = fn;
  else w.writer = fn;
  try {
    update(w);
  } catch (e) {
    if (dir === READ) w.reader = old;
    else w.writer = old;
    if (desired(w) === 0 && w.mask <= 0 && !w.owned) watches[fd] = undefined;
    throw e;
  }
  return had;
}
