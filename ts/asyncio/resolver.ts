// asyncio's loop.getaddrinfo and loop.getnameinfo: the C library's resolver
// on bsdsock's own bounded pool of threads (crates/node/src/pool.rs), never on
// libuv's four-thread pool, so fs work keeps running while lookups wait.

import { keywords, type WithOptions } from '../keywords';
import { isLiteralHost, type AddressArgOf } from '../address';
import { cint, int, pyType } from '../convert';
import * as C from '../constants';
import { takeError } from '../errors';
import { isSharedAddress, native } from '../native';
import type { AddrInfo } from '../resolver';
import { knownDestination, type Socket } from '../socket';
import { abortError, checkSignal, ensureStarted, lookups, type OperationOptions } from './loop';

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
    { name: 'getaddrinfo', min: 2, max: 2 },
  );
  const signal = checkSignal(options);
  let h: string | Uint8Array | null;
  if (host === null || host === undefined) h = null;
  else if (typeof host === 'string' || host instanceof Uint8Array) h = host;
  else throw new TypeError('getaddrinfo() argument 1 must be string or None');
  let p: string | Uint8Array | null;
  if (port === null || port === undefined) p = null;
  else if ((typeof port === 'number' && Number.isInteger(port)) || typeof port === 'bigint') p = BigInt(port).toString();
  else if (typeof port === 'string' || port instanceof Uint8Array) p = port;
  else throw new TypeError(`getaddrinfo() port must be int, str or None, not ${pyType(port)}`);
  const family = cint(options.family ?? 0);
  const type = cint(options.type ?? 0);
  const proto = cint(options.proto ?? 0);
  const flags = cint(options.flags ?? 0);
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
    { name: 'getnameinfo', min: 1, max: 2 },
  );
  const signal = checkSignal(options);
  const f = cint(flags);
  if (!Array.isArray(sockaddr)) throw new TypeError('getnameinfo() argument 1 must be a tuple');
  const sa: unknown[] = sockaddr;
  if (sa.length < 2 || sa.length > 4 || typeof sa[0] !== 'string') throw new TypeError('getnameinfo(): illegal sockaddr argument');
  const host = sa[0];
  if (host.includes('\0')) throw new RangeError('embedded null character');
  const port = cint(sa[1]);
  const flowinfo = sa.length > 2 ? int(sa[2]) >>> 0 : 0;
  const scopeId = sa.length > 3 ? int(sa[3]) >>> 0 : 0;
  if (flowinfo > 0xfffff) throw new RangeError('getnameinfo(): flowinfo must be 0-1048575.');
  return lookup<[string, string]>((id) => native.getnameinfoAsync(id, host, port, flowinfo, scopeId, sa.length, f), signal);
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
 * The address to give the socket call: for AF_INET and AF_INET6, a host name
 * resolved on the pool (asyncio's `_ensure_resolved`: the first result of
 * getaddrinfo with the socket's family, type and protocol); anything else as given.
 */
export async function resolveAddress<F extends string>(
  sock: Socket<F>,
  address: AddressArgOf<F>,
  signal: AbortSignal | undefined,
): Promise<AddressArgOf<F>> {
  const family = sock.family as number;
  const [host, port, ...rest] = address as unknown[];
  const list = await getaddrinfo(host as string, port as number, { family, type: sock.type, proto: sock.proto, signal });
  const sa = list[0]![4] as unknown[];
  return (family === C.AF_INET6 && rest.length > 0 ? [sa[0], sa[1], ...rest] : sa) as AddressArgOf<F>;
}
