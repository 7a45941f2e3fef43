// The addon: the N-API functions of crates/node, loaded by the platform loader
// in native/index.js. Only the facade calls these; they take fd numbers and
// primitive arguments, and return a failure value (null, false or -1) rather
// than throw: the error waits in the status block or `takeError()`, and
// errors.ts turns it into Python's exception.

import {
  FAST_OS,
  FAST_TIMEOUT,
  STATUS_ERRNO,
  STATUS_FAST,
  STATUS_HELD,
  STATUS_IS_NEW,
  STATUS_OPS,
  STATUS_SLOT,
  STATUS_SYSCALL,
  STATUS_WORDS,
} from './wire';

/** An address as the addon returns it (see address.ts for the public types). */
export type NativeAddress =
  | [string, number]
  | [string, number, number, number]
  | [number, number]
  | [string, number, number, number, Buffer]
  | [number, Buffer]
  | string
  | Buffer
  | null;

/** The host part of an address: a host name, or the bytes of an AF_UNIX path. */
type Host = string | Uint8Array;

/** The addon's functions. None throws for an OS error: each returns its failure
 * value (null, false or -1) and `takeError()` then says what went wrong. */
export interface Native {
  init(status: Uint8Array): boolean;
  /** Makes this the thread that handles signals, with `run(signum)` running a signal's listeners
   * (ts/signals.ts); `portable`: the host has no libuv loop (Bun, Deno), a thread of the addon wakes its loop. */
  signalsInit(run: (signum: number) => void, portable: boolean): boolean;
  /** Whether a signal's listeners run inside blocking calls; false if it cannot be caught. `later`:
   * the addon's handler goes in at the next wait (after the host's own, which Bun and Deno install after this). */
  catchSignal(signum: number, on: boolean, later?: boolean | undefined | null): boolean;
  /** Python's siginterrupt checks on a signal number (range, then sigaction's): false with the error recorded. */
  signalCheck(signum: number): boolean;
  /** Runs the listeners of pending signals (throws what one threw): for a call that failed with EINTR. */
  runSignals(): void;
  /** The last failed call's error: kind, code, syscall, written, message, joined by ERROR_SEPARATOR (ts/wire.ts). */
  takeError(): string | null;
  /** The name of a syscall id the status block gave. */
  syscallName(id: number): string | null;
  addressSlot(slot: number): NativeAddress;
  socketCreate(family: number, type: number, proto: number): number;
  socketAdopt(fd: number): [number, number, number] | null;
  socketpair(family: number, type: number, proto: number): [number, number] | null;
  close(fd: number): boolean;
  /** A Socket holds fd: closed with the environment if still open then (worker teardown). */
  own(fd: number): void;
  /** The Socket gave fd up (detach). */
  disown(fd: number): void;
  dup(fd: number): number;
  /** Windows only: the bytes `fromshare` opens in process `pid`. */
  share?(fd: number, pid: number): Buffer | null;
  /** Windows only: `[fd, family, type, proto]` of the socket `share`'s bytes describe. */
  fromshare?(data: Uint8Array): [number, number, number, number] | null;
  /** Windows only: WSAIoctl with `input`; the count it returned. */
  ioctl?(fd: number, control: number, input: Uint8Array): number | null;
  getInheritable(fd: number): boolean | null;
  setInheritable(fd: number, inheritable: boolean): boolean;
  setNonblocking(fd: number, nonblocking: boolean): boolean;
  sockaddr(family: number, host: Host, a: number, b: number, c: number, extra?: Uint8Array | null): Buffer | null;
  bind(fd: number, sockaddr: Uint8Array): boolean;
  connect(fd: number, timeout: number, sockaddr: Uint8Array): boolean;
  listen(fd: number, backlog: number): boolean;
  accept(fd: number, timeout: number): number;
  shutdown(fd: number, how: number): boolean;
  getsockname(fd: number): boolean;
  getpeername(fd: number): boolean;
  send(fd: number, data: Uint8Array, flags: number, timeout: number): number;
  sendall(fd: number, data: Uint8Array, flags: number, timeout: number): boolean;
  sendto(fd: number, data: Uint8Array, flags: number, timeout: number, sockaddr: Uint8Array): number;
  /** The receives take a view, or an ArrayBuffer (the receive slabs: a cheaper argument to read). */
  recvInto(fd: number, buf: Uint8Array | ArrayBuffer, offset: number, nbytes: number, flags: number, timeout: number): number;
  recvfromInto(fd: number, buf: Uint8Array | ArrayBuffer, offset: number, nbytes: number, flags: number, timeout: number): number;
  /** The lean entries of asyncio's calls: no flags, never waiting. */
  sendNow(fd: number, data: Uint8Array): number;
  /** Also keeps `sockaddr` as the fd's destination for `token`, which `sendtoHeld` then sends to (SEND_NOT_HELD: none kept for it). */
  sendtoNow(fd: number, data: Uint8Array, sockaddr: Uint8Array, token: number): number;
  sendtoHeld(fd: number, data: Uint8Array, token: number): number;
  recvNow(fd: number, buf: Uint8Array | ArrayBuffer, offset: number, nbytes: number): number;
  recvfromNow(fd: number, buf: Uint8Array | ArrayBuffer, offset: number, nbytes: number): number;
  getsockoptInt(fd: number, level: number, opt: number): number | null;
  getsockoptBytes(fd: number, level: number, opt: number, buflen: number): Buffer | null;
  setsockopt(fd: number, level: number, opt: number, value: Uint8Array | null, optlen: number): boolean;
  select(r: Int32Array, w: Int32Array, x: Int32Array, timeout: number): number;
  poll(fds: Int32Array, events: Int32Array, revents: Int32Array, timeoutMs: number): number;
  epollCreate(flags: number): number;
  epollCtl(epfd: number, op: 'add' | 'mod' | 'del', fd: number, events: number): boolean;
  epollWait(epfd: number, out: Int32Array, timeout: number): number;
  /** kqueue, on macOS and FreeBSD only (undefined elsewhere). */
  kqueueCreate?(): number;
  /** Applies `changes` and fills `events`, six slots a kevent (ident, filter, flags, fflags, data, udata); how many events, or -1. */
  kqueueControl?(kq: number, changes: BigInt64Array, events: BigInt64Array, timeout: number): number;
  constants(): Record<string, number>;
  selectConstants(): Record<string, number>;
  errnoTable(): Record<string, number>;
  errnoName(errno: number): string | null;
  strerror(errno: number): string;
  gaiStrerror(code: number): string;
  gethostname(): string | null;
  /** Unix only: sethostname(2). */
  sethostname?(name: Uint8Array): boolean;
  inetPton(family: number, text: string): Buffer | null;
  inetNtop(family: number, packed: Uint8Array): string | null;
  inetAton(text: string): Buffer | null;
  inetNtoa(packed: Uint8Array): string | null;
  /** The hosts, one line per entry, the rest written into `block` (ts/resolver.ts);
   * or tuples when canonical names or other addresses come back. */
  getaddrinfo(host: Host | null, port: Host | null, family: number, type: number, proto: number, flags: number, block: Int32Array): string | [number, number, number, string, NativeAddress][] | null;
  getnameinfo(host: string, port: number, flowinfo: number, scopeId: number, len: number, flags: number): [string, string] | null;
  gethostbyname(name: Host): string | null;
  gethostbynameEx(name: Host): [string, string[], string[]] | null;
  gethostbyaddr(ip: Host): [string, string[], string[]] | null;
  getservbyname(name: string, proto: string | null): number | null;
  getservbyport(port: number, proto: string | null): string | null;
  getprotobyname(name: string): number | null;
  ifNameindex(): [number, string][] | null;
  ifNametoindex(name: Host): number | null;
  ifIndextoname(index: number): string | null;
  hstrerror(code: number): string;
  /** ts/msg.ts: messages, ancillary data, batched datagrams, sendfile (crates/node/src/msg.rs, mmsg.rs). */
  cmsgLen(length: number): number | null;
  cmsgSpace(length: number): number | null;
  sendmsg(fd: number, buffers: Uint8Array[], ancKinds: number[], ancData: Uint8Array[], flags: number, timeout: number, sockaddr: Uint8Array | null): number;
  recvmsgInto(fd: number, buffers: Uint8Array[], ancbufsize: number, flags: number, timeout: number): [number, [number, number, Buffer][], number] | null;
  cmsgDecode(level: number, type: number, data: Uint8Array): [string, ...(number | string | number[] | null)[]] | null;
  ucredBytes(pid: number, uid: number, gid: number): Buffer | null;
  sendfile(sock: number, file: number, offset: number, count: number, timeout: number): number;
  sendfileOnce(sock: number, file: number, offset: number, count: number): number;
  seekFile(file: number, offset: number): boolean;
  sendmmsg(fd: number, datas: Uint8Array[], sockaddrs: (Uint8Array | null)[] | Uint8Array | null, flags: number, timeout: number): number;
  recvmmsgInto(fd: number, buffers: Uint8Array[], meta: Int32Array, fresh: NativeAddress[], flags: number, timeout: number): number;
  recvmmsgSlab(fd: number, buf: Uint8Array, stride: number, count: number, meta: Int32Array, fresh: NativeAddress[], flags: number, timeout: number): number;
  /** The datagram transports' batch, one per environment: `count` windows of `stride` bytes, their meta and fresh addresses (as recvmmsgSlab's). */
  datagramArea(stride: number, count: number): [ArrayBuffer, Int32Array, NativeAddress[]] | null;
  /** A datagram transport's read: up to `count` datagrams into the batch `datagramArea` made, never waiting. */
  recvmmsgArea(fd: number, count: number): number;
  /** bsdsock/asyncio: this environment's loop and the facade's callbacks (crates/node/src/env.rs). */
  /** Returns the batch array that `dispatchBatch` reads (crates/node/src/watch.rs), or null. */
  loopInit(
    dispatchBatch: () => void,
    resolved: (id: number, result: unknown) => void,
    portable: boolean,
  ): Int32Array | null;
  /** Makes the fd's uv_poll handle watch what `mask` says (crates/node/src/watch.rs). */
  watch(fd: number, mask: number): boolean;
  /** Stops and closes the fd's uv_poll handle. */
  unwatch(fd: number): boolean;
  /** Whether operations are pending: one ref'd handle then keeps the loop alive. */
  keepAlive(on: boolean): boolean;
  getaddrinfoAsync(id: number, host: Host | null, port: Host | null, family: number, type: number, proto: number, flags: number): boolean;
  getnameinfoAsync(id: number, host: string, port: number, flowinfo: number, scopeId: number, len: number, flags: number): boolean;
}

/** The functions napi-rs declares in native/index.d.ts (the `#[napi]` ones;
 * the raw N-API calls of crates/node/src/raw.rs are not there). */
type Generated = typeof import('../native/index');
type Declared = keyof Generated & keyof Native;
/** Whether the hand-kept signature of `K` calls the generated one: the facade's
 * arguments are what it takes, and what it returns is what the facade expects. */
type Agrees<K extends Declared> =
  NonNullable<Native[K]> extends (...args: infer P) => infer R
    ? Generated[K] extends (...args: infer GP) => infer GR
      ? [P] extends [GP]
        ? [GR] extends [R]
          ? true
          : false
        : false
      : false
    : false;
/** The functions whose hand-kept signature differs from native/index.d.ts. */
type Disagreeing = { [K in Declared]: Agrees<K> extends true ? never : K }[Declared];
/** Fails to compile, naming them ("does not satisfy the constraint 'never'"),
 * when a signature above differs from the generated one. */
type NoneDisagree<T extends never> = T;
void (undefined as unknown as NoneDisagree<Disagreeing>);

// A copy of the loader's exports: that object has its 80-odd functions added
// one by one and is in V8's dictionary mode, where each `native.send` in a hot
// path is a generic lookup; the spread copy is a fast object, its loads inlined.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const native: Native = { ...(require('../../native/index.js') as Native) };

// The status block the addon writes after each call (crates/node/src/state.rs;
// its words are ts/wire.ts's STATUS_*, generated from crates/node/src/wire.rs).
// An ArrayBuffer's memory never moves.
const block = new ArrayBuffer(64);
const status = new Int32Array(block, 0, STATUS_WORDS);
if (!native.init(new Uint8Array(block))) throw new Error('bsdsock: the addon refused its status block');

/** The calls only some platforms have: Windows' ioctl, share and fromshare, Unix's sethostname. */
type PlatformCall = 'ioctl' | 'share' | 'fromshare' | 'sethostname';

/**
 * The addon's call `name`, or the TypeError of a platform without it (`shown` names it):
 * Python has no such attribute there, and bsdsock keeps its exports alike everywhere.
 */
export function platformCall<K extends PlatformCall>(name: K, shown: string): NonNullable<Native[K]> {
  const call = native[name];
  if (typeof call !== 'function') throw new TypeError(`${shown} is not available on this platform`);
  return call as NonNullable<Native[K]>;
}

/** The errno of the last failed call (0 for errors without one), read without
 * a call and without taking the error. */
export function lastErrno(): number {
  return status[STATUS_ERRNO]!;
}

/** What the last error is, where the status block alone says it (crates/node/src/wire.rs). */
export { FAST_OS, FAST_TIMEOUT };

/** Tells the addon how many socket operations wait on this thread's loop: it
 * lets the loop go at the loop's next turn once none do (crates/node/src/loop_resolver.rs). */
export function setPendingOps(n: number): void {
  status[STATUS_OPS] = n;
}

/** Whether the addon holds this thread's loop open for pending operations (`keepAlive(true)`). */
export function loopHeld(): boolean {
  return status[STATUS_HELD] !== 0;
}

/** Syscall names by their ids in the status block, learnt once each. */
const syscalls: string[] = [];

/**
 * FAST_OS or FAST_TIMEOUT when the last error can be made from the status
 * block alone (its errno is `lastErrno()`, its syscall `lastSyscall()`), once;
 * 0 when it must be taken with `native.takeError()`.
 */
export function takeFastError(): number {
  const kind = status[STATUS_FAST]!;
  status[STATUS_FAST] = 0;
  return kind;
}

/** The syscall of the last error that `takeFastError` reported. */
export function lastSyscall(): string {
  const id = status[STATUS_SYSCALL]!;
  return (syscalls[id] ??= native.syscallName(id) ?? '');
}

/** One value per slot that can be shared: a string, or an array of strings and
 * numbers, frozen (addresses are immutable, as Python's tuples). Addresses that
 * hold bytes are fetched afresh each time, so no caller sees another's Buffer. */
const slots: (NativeAddress | undefined)[] = [];
/** The frozen arrays handed out from `slots`: immutable, so a sender may trust one it saw before. */
const shared = new WeakSet<object>();

/** Whether `addr` is an address array this module froze (and so cannot have changed). */
export function isSharedAddress(addr: unknown): boolean {
  return typeof addr === 'object' && addr !== null && shared.has(addr);
}

function shareable(addr: NativeAddress): boolean {
  if (typeof addr === 'string') return true;
  return Array.isArray(addr) && addr.every((x: unknown) => !(x instanceof Uint8Array));
}

/** Keeps `addr`, new in `slot`, for the next calls that report the slot:
 * frozen when it can be shared, else not kept (fetched afresh each time). */
function remember(slot: number, addr: NativeAddress): NativeAddress {
  slots[slot] = shareable(addr) ? (Object.freeze(addr) as NativeAddress) : undefined;
  if (Array.isArray(addr) && slots[slot] !== undefined) shared.add(addr);
  return addr;
}

/** The address at `slot` of the address table, for batched receives (ts/msg.ts),
 * which report one slot per datagram: `fresh` is the address when the slot
 * was (re)filled by this datagram, undefined when it was already known. */
export function slotAddress(slot: number, fresh: NativeAddress | undefined): NativeAddress {
  if (slot < 0) return null;
  if (fresh !== undefined) return remember(slot, fresh);
  return slots[slot] ?? native.addressSlot(slot);
}

/** The address the last call published. */
export function lastAddress(): NativeAddress {
  const slot = status[STATUS_SLOT]!;
  if (slot < 0) return null;
  if (status[STATUS_IS_NEW] === 1) {
    status[STATUS_IS_NEW] = 0;
    return remember(slot, native.addressSlot(slot));
  }
  return slots[slot] ?? native.addressSlot(slot);
}
