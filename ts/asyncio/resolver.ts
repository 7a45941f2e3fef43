// asyncio's loop.getaddrinfo and loop.getnameinfo: the C library's resolver
// on bsdsock's own bounded pool of threads (crates/node/src/pool.rs), never on
// libuv's four-thread pool, so fs work keeps running while lookups wait.

import { keywordNames, keywords, type WithOptions } from '../keywords';
import { inetParts, isLiteralHost, rangeError, type AddressArgOf } from '../address';
import { cint, pyType, sequenceItems } from '../convert';
import { inet_pton } from '../module';
import * as C from '../constants';
import { OSError, takeError } from '../errors';
import { isSharedAddress, native } from '../native';
import { addrinfoArgs, nameinfoArgs, type AddrInfo } from '../resolver';
import { knownDestination, type Socket } from '../socket';
import { abortError, checkSignal, ensureStarted, lookups, OPERATION_KEYWORDS, type OperationOptions } from './loop';

let nextId = 1;

/** Starts a lookup with `start(id)`; settles when its result comes back on the loop. */
function lookup<T>(start: (id: number) => boolean, signal: AbortSignal | undefined): Promise<T> {
  ensureStarted();
  const id = nextId;
  nextId = (nextId % 0x7fffffff) + 1;
  return new Promise<T>((resolve, reject) => {
    let onAbort: (() => void) | null = null;
    lookups.set(id, (result) => {
      if (onAbort !== null) signal?.removeEventListener('abort', onAbort);
      if (result === null) reject(takeError());
      else resolve(result as T);
    });
    if (!start(id)) {
      lookups.delete(id);
      reject(takeError());
      return;
    }
    if (signal !== undefined) {
      onAbort = () => {
        lookups.delete(id);
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
}

/** Keyword arguments of asyncio's `loop.getaddrinfo`, and the AbortSignal. */
export interface GetaddrinfoOptions extends OperationOptions {
  family?: number;
  type?: number;
  proto?: number;
  flags?: number;
}

const GETADDRINFO_KEYWORDS = keywordNames<GetaddrinfoOptions>({ family: true, type: true, proto: true, flags: true, signal: true });

/**
 * asyncio's `loop.getaddrinfo(host, port, *, family=0, type=0, proto=0, flags=0)`:
 * socket.getaddrinfo() without blocking the loop; the same arguments, results
 * and errors (`gaierror`).
 */
export async function getaddrinfo(
  ...args: WithOptions<
    [host: string | Uint8Array | null, port: number | bigint | string | Uint8Array | null],
    [],
    GetaddrinfoOptions
  >
): Promise<AddrInfo[]> {
  const [[host, port], options] = keywords<[string | Uint8Array | null, number | bigint | string | Uint8Array | null], GetaddrinfoOptions>(
    args,
    { name: 'getaddrinfo', min: 2, max: 2, keywords: GETADDRINFO_KEYWORDS },
  );
  const signal = checkSignal(options);
  const [h, p] = addrinfoArgs(host, port);
  const [family, type, proto, flags] = [options.family, options.type, options.proto, options.flags].map((v) => cint(v === undefined ? 0 : v));
  return lookup<AddrInfo[]>((id) => native.getaddrinfoAsync(id, h, p, family, type, proto, flags), signal);
}

/**
 * asyncio's `loop.getnameinfo(sockaddr, flags=0)`: socket.getnameinfo()
 * without blocking the loop: `[host, port]` as text.
 */
export async function getnameinfo(
  ...args: WithOptions<[sockaddr: [string, number, number?, number?]], [flags: number | undefined], OperationOptions>
): Promise<[host: string, port: string]> {
  const [[sockaddr, flags = 0], options] = keywords<[[string, number, number?, number?], number?], OperationOptions>(
    args,
    { name: 'getnameinfo', min: 1, max: 2, keywords: OPERATION_KEYWORDS },
  );
  const signal = checkSignal(options);
  const f = cint(flags);
  const [host, port, flowinfo, scopeId, length] = nameinfoArgs(sockaddr);
  return lookup<[string, string]>((id) => native.getnameinfoAsync(id, host, port, flowinfo, scopeId, length, f), signal);
}

/** Whether an address holds a host name to resolve before a socket call can take it. */
export function needsLookup(sock: Socket, address: unknown): boolean {
  if (knownDestination(sock, address)) return false;
  const family = sock.family as number;
  if (family !== C.AF_INET && family !== C.AF_INET6) return false;
  // An address bsdsock gave (recvfrom's, getsockname's) holds a numeric host; it is
  // frozen, and V8's optimized code reads a frozen array's elements through a slow
  // generic path (about 700 instructions a round trip in audp), so it is not read.
  if (!Array.isArray(address) || isSharedAddress(address)) return false;
  return typeof address[0] === 'string' && !isLiteralHost(address[0]);
}

/**
 * The address a socket call `caller` (sendto, sendmsg) is given, its host name resolved on the pool
 * (the socket's family, type and protocol; the first result) rather than in the call, which would
 * block the loop; in the call's order: the address converted, the host resolved, then the ranges.
 */
export async function resolveAddress<F extends string>(
  sock: Socket<F>,
  address: AddressArgOf<F>,
  caller: string,
  signal: AbortSignal | undefined,
): Promise<AddressArgOf<F>> {
  const family = sock.family as number;
  const [host, port, flowinfo, scope] = inetParts(family, address, caller);
  const list = await getaddrinfo(host, null, { family, type: sock.type, proto: sock.proto, signal });
  const bad = rangeError(port, flowinfo, caller);
  if (bad !== null) throw bad;
  const resolved = (list[0]![4] as unknown[])[0];
  return (family === C.AF_INET6 ? [resolved, port, flowinfo, scope] : [resolved, port]) as AddressArgOf<F>;
}

/** What `ensureResolved` resolves with: the socket's (or the endpoint's) family, type, protocol and
 * flags; a caller's keywords as given (None too), for getaddrinfo or inet_pton to refuse. */
export interface ResolveHints {
  family: unknown;
  type: number;
  proto: unknown;
  flags?: unknown;
}

/**
 * asyncio's `_ensure_resolved(address, family, type, proto, flags)`, which
 * `sock_connect` (on an AF_INET or AF_INET6 socket), `create_connection`
 * and `create_datagram_endpoint` resolve their addresses with: getaddrinfo's
 * results. `host, port = address[:2]`, the items after them flowinfo and
 * scope_id; a numeric host needs no lookup (`_ipaddr_info`), and its one
 * result's address is made anew: the port an int (a str or bytes of digits, a
 * float cut to its integer, a bool; None and '' are 0), an AF_INET6 address a
 * 4-tuple (flowinfo and scope_id 0 unless given), an AF_INET one just the
 * pair. Anything else (a host name, a service name for the port, a scoped '%'
 * address, a type other than stream or datagram) is resolved on the pool.
 */
export async function ensureResolved(address: unknown, hints: ResolveHints, signal: AbortSignal | undefined): Promise<AddrInfo[]> {
  const [host, port, ...rest] = items(address);
  // address[2:] become flowinfo and scope_id: a longer address (a path's characters) is too many arguments.
  if (rest.length > 2) throw new TypeError(`_ipaddr_info() takes from 5 to 7 positional arguments but ${5 + rest.length} were given`);
  const info = ipaddrInfo(host, port, hints.family, hints.type, hints.proto, ...rest);
  if (info !== null) return [info];
  // The hints as given: getaddrinfo converts them, and refuses what is no int in its own words.
  const { family, type, proto, flags } = hints as GetaddrinfoOptions;
  return getaddrinfo(host as string, port as string, { family, type, proto, flags, signal });
}

/** The items of `address` (`host, port = address[:2]`, the rest after them), with Python's errors. */
function items(address: unknown): unknown[] {
  const all = sequenceItems(address);
  if (all === null) throw new TypeError(`'${pyType(address)}' object is not subscriptable`);
  if (all.length < 2) throw new RangeError(`not enough values to unpack (expected 2, got ${all.length})`);
  return all;
}

/** asyncio's `_ipaddr_info`: the one result for a host that is already an IP, as asyncio makes it; null when it must be looked up. */
function ipaddrInfo(host: unknown, port: unknown, family: unknown, type: number, proto: unknown, flowinfo: unknown = 0, scopeId: unknown = 0): AddrInfo | null {
  if ((proto !== 0 && proto !== C.IPPROTO_TCP && proto !== C.IPPROTO_UDP) || host === null || host === undefined) return null;
  if (type !== C.SOCK_STREAM && type !== C.SOCK_DGRAM) return null;
  const p = portNumber(port);
  if (p === null) return null;
  let h = host;
  // bytes: decoded (an ASCII host; the others are left to the resolver).
  if (h instanceof Uint8Array) {
    if (h.some((b) => b > 0x7f)) return null;
    h = Buffer.from(h).toString('latin1');
  }
  if (typeof h !== 'string') throw new TypeError(`argument of type '${pyType(h)}' is not iterable`);
  // Linux's inet_pton takes no IPv6 zone ('::1%lo'): the resolver does.
  if (h.includes('%')) return null;
  const ipproto = type === C.SOCK_STREAM ? C.IPPROTO_TCP : C.IPPROTO_UDP;
  const families = family === C.AF_UNSPEC ? [C.AF_INET, C.AF_INET6] : [family];
  for (const af of families) {
    try {
      inet_pton(af as number, h);
    } catch (e) {
      // Not an address of the family; anything else (a family that is no int) is the caller's error.
      if (e instanceof OSError) continue;
      throw e;
    }
    const sockaddr = af === C.AF_INET6 ? [h, p, flowinfo, scopeId] : [h, p];
    return [af, type, ipproto, '', sockaddr] as AddrInfo;
  }
  return null;
}

/** Python's `int(port)` in `_ipaddr_info`: the number, or null where int() fails (a service name, say). */
function portNumber(port: unknown): number | null {
  if (port === null || port === undefined || port === '') return 0;
  if (port instanceof Uint8Array) return port.length === 0 ? 0 : digits(Buffer.from(port).toString('latin1'));
  if (typeof port === 'boolean') return port ? 1 : 0;
  if (typeof port === 'bigint') return Number(port);
  if (typeof port === 'number') {
    if (Number.isNaN(port)) return null;
    if (!Number.isFinite(port)) throw new RangeError('cannot convert float infinity to integer');
    return Math.trunc(port);
  }
  return typeof port === 'string' ? digits(port) : null;
}

/** int() of a str: an optional sign and decimal digits (single underscores between them), blanks around. */
function digits(text: string): number | null {
  const m = /^\s*([+-]?\d+(?:_\d+)*)\s*$/.exec(text);
  return m === null ? null : Number(m[1]!.replaceAll('_', ''));
}
