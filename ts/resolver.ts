// Name resolution, as Python's socket module has it.
//
// Use getaddrinfo() and getnameinfo(): they know IPv6, and every flag of the
// platform's resolver. The older calls (gethostbyname, gethostbyname_ex,
// gethostbyaddr, getfqdn, getservbyname, getservbyport, getprotobyname) are
// here so that ported scripts run; as the talk says, "don't use these".
//
// Each function checks its arguments as Python does, with Python's messages
// (TypeError, RangeError for ValueError/OverflowError), then makes one addon call.

import { Buffer } from 'node:buffer';

import { type Family, type Inet6Address, type InetAddress } from './address';
import { fits, refuse, SOCKET_MODULE } from './arity';
import { argType, cint, LONG_MAX, loneSurrogate, pyType, str, wellFormed } from './convert';
import { fail, OSError } from './errors';
import { native } from './native';
import { gethostname } from './module';
import {
  RESOLVER_FAMILY,
  RESOLVER_FLOWINFO,
  RESOLVER_IS_V6,
  RESOLVER_PORT,
  RESOLVER_PROTO,
  RESOLVER_SCOPE_ID,
  RESOLVER_TYPE,
  RESOLVER_WORDS,
} from './wire';


/** An unsigned int as Python's `I` format takes it: wrapped to 32 bits, unchecked. */
function uint(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(BigInt.asUintN(32, v));
  if (typeof v === 'number' && Number.isInteger(v)) return Number(BigInt.asUintN(32, BigInt(v)));
  throw new TypeError(`'${pyType(v)}' object cannot be interpreted as an integer`);
}

/** A host name that goes through the idna codec: a lone surrogate fails there first, as
 * nameprep prohibits it, with Python's UnicodeError. */
function idnaReady(s: string): string {
  const bad = loneSurrogate(s);
  if (bad !== null) throw new RangeError(`encoding with 'idna' codec failed (UnicodeError: Invalid character '\\u${bad[0]}')`);
  return s;
}

/** A host for the gethostby* calls: str (encoded with idna by the addon) or bytes. */
function hostArg(v: unknown, caller: string): string | Uint8Array {
  if (typeof v === 'string') return idnaReady(v);
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`${caller}() argument 1 must be str, bytes or bytearray, not ${argType(v)}`);
}

/**
 * One getaddrinfo result: `[family, type, proto, canonname, sockaddr]`; the
 * sockaddr is `[host, port]` for AF_INET and `[host, port, flowinfo, scope_id]`
 * for AF_INET6, with a zone (`fe80::1%lo`) split out as the scope id.
 * Python: `socket.getaddrinfo`.
 */
export type AddrInfo =
  | [family: Family<'AF_INET'>, type: number, proto: number, canonname: string, sockaddr: InetAddress]
  | [family: Family<'AF_INET6'>, type: number, proto: number, canonname: string, sockaddr: Inet6Address];

/** The AddrInfo of family `F`: `AddrInfoOf<'AF_INET6'>` has a 4-tuple sockaddr. */
export type AddrInfoOf<F extends 'AF_INET' | 'AF_INET6'> = Extract<AddrInfo, [Family<F>, ...unknown[]]>;

/**
 * Whether getaddrinfo's result `ai` is of `family`, as `ai[0] === family`;
 * TypeScript narrows `ai` with it, so that after `is_family(ai, AF_INET6)` the
 * sockaddr `ai[4]` is `[host, port, flowinfo, scope_id]`. (`ai[0] === AF_INET6`
 * cannot narrow by itself: the constants carry the platform's values, which
 * the types do not know.) Python needs no counterpart.
 */
export function is_family<F extends 'AF_INET' | 'AF_INET6'>(ai: AddrInfo, family: Family<F>): ai is AddrInfoOf<F> {
  return ai[0] === family;
}

/** getaddrinfo's host and port as the addon takes them (a port number as its digits), checked as
 * CPython's socket.getaddrinfo checks them; asyncio's loop.getaddrinfo takes the same. */
export function addrinfoArgs(host: unknown, port: unknown): [string | Uint8Array | null, string | Uint8Array | null] {
  let h: string | Uint8Array | null;
  if (host === null || host === undefined) h = null;
  else if (typeof host === 'string') h = idnaReady(host);
  else if (host instanceof Uint8Array) h = host;
  else throw new TypeError('getaddrinfo() argument 1 must be string or None');
  let p: string | Uint8Array | null;
  if (port === null || port === undefined) p = null;
  else if (typeof port === 'number' && Number.isInteger(port)) {
    if (port >= LONG_MAX || port < -LONG_MAX) throw new RangeError('Python int too large to convert to C long');
    p = Number.isSafeInteger(port) ? String(port) : BigInt(port).toString();
  } else if (typeof port === 'bigint') {
    if (port >= 2n ** 63n || port < -(2n ** 63n)) throw new RangeError('Python int too large to convert to C long');
    p = port.toString();
  } else if (typeof port === 'string') p = wellFormed(port);
  else if (port instanceof Uint8Array) p = port;
  else throw new OSError('Int or String expected');
  return [h, p];
}

/**
 * Python's `socket.getaddrinfo(host, port, family=0, type=0, proto=0, flags=0)`:
 * the addresses to try for `host` and `port`, in the system's order.
 *
 * `host` is a name, an IP literal (`'fe80::1%lo'` with a zone) or null (with
 * AI_PASSIVE the wildcard, without it the loopback); a string goes through the
 * idna codec, as in Python. `port` is a number, a service name or null. `flags`
 * takes every AI_ flag the platform has (AI_PASSIVE, AI_CANONNAME, AI_NUMERICHOST,
 * AI_NUMERICSERV, AI_ADDRCONFIG, AI_V4MAPPED, AI_ALL). As the talk advises, give
 * as many arguments as you can, then just try the sockets it gives you.
 *
 * Throws `gaierror` (errno the EAI_ code, message the C library's), the OSError
 * of errno for EAI_SYSTEM, TypeError for arguments of the wrong type.
 */
export function getaddrinfo(
  host: string | Uint8Array | null,
  port: number | bigint | string | Uint8Array | null,
  family = 0,
  type = 0,
  proto = 0,
  flags = 0,
): AddrInfo[] {
  fits(SOCKET_MODULE.getaddrinfo, arguments.length, port) || refuse(SOCKET_MODULE.getaddrinfo, arguments);
  // Python's "OO|iiii" converts the numbers before it looks at the host and port.
  const [f, t, pr, fl] = [cint(family), cint(type), cint(proto), cint(flags)];
  const [h, p] = addrinfoArgs(host, port);
  const list = native.getaddrinfo(h, p, f, t, pr, fl, block) ?? fail();
  return typeof list === 'string' ? fromBlock(list) : (list as AddrInfo[]);
}

/** getaddrinfo's result block (crates/node/src/resolver.rs, `through_block`):
 * word 0 the number of entries, then RESOLVER_WORDS words per entry at the
 * offsets RESOLVER_* (ts/wire.ts), written by the addon during the call.
 * Up to 64 entries come this way, each host a line of the string the call
 * returns; more come as arrays. */
const block = new Int32Array(1 + 64 * RESOLVER_WORDS);

function fromBlock(hosts: string): AddrInfo[] {
  const n = block[0]!;
  const out: AddrInfo[] = new Array(n);
  let start = 0;
  for (let k = 0; k < n; k++) {
    let end = k === n - 1 ? hosts.length : hosts.indexOf('\n', start);
    if (end < 0) end = hosts.length;
    const host = start === 0 && end === hosts.length ? hosts : hosts.slice(start, end);
    start = end + 1;
    const w = 1 + k * RESOLVER_WORDS;
    const port = block[w + RESOLVER_PORT]!;
    const sockaddr: InetAddress | Inet6Address =
      block[w + RESOLVER_IS_V6] === 1
        ? [host, port, block[w + RESOLVER_FLOWINFO]! >>> 0, block[w + RESOLVER_SCOPE_ID]! >>> 0]
        : [host, port];
    out[k] = [block[w + RESOLVER_FAMILY]!, block[w + RESOLVER_TYPE]!, block[w + RESOLVER_PROTO]!, '', sockaddr] as AddrInfo;
  }
  return out;
}

/**
 * Python's `socket.getnameinfo(sockaddr, flags)`: `[host, port]` as text for an
 * address tuple `[host, port]` or `[host, port, flowinfo, scope_id]`, whose host
 * must be numeric. `flags` takes NI_NUMERICHOST, NI_NUMERICSERV, NI_NOFQDN,
 * NI_NAMEREQD and NI_DGRAM; a scoped IPv6 address comes back with its zone
 * (`'fe80::1%lo'`).
 */
export function getnameinfo(sockaddr: InetAddress | Inet6Address | [string, number, number?, number?], flags: number): [host: string, port: string] {
  fits(SOCKET_MODULE.getnameinfo, arguments.length, flags) || refuse(SOCKET_MODULE.getnameinfo, arguments);
  const f = cint(flags);
  const [host, port, flowinfo, scopeId, length] = nameinfoArgs(sockaddr);
  return native.getnameinfo(host, port, flowinfo, scopeId, length, f) ?? fail();
}

/** getnameinfo's sockaddr checked and taken apart as CPython's socket.getnameinfo does:
 * `[host, port, flowinfo, scope_id, the tuple's length]`; asyncio's loop.getnameinfo takes the same. */
export function nameinfoArgs(sockaddr: unknown): [host: string, port: number, flowinfo: number, scopeId: number, length: number] {
  if (!Array.isArray(sockaddr)) throw new TypeError('getnameinfo() argument 1 must be a tuple');
  const sa: unknown[] = sockaddr;
  if (sa.length < 2 || sa.length > 4 || typeof sa[0] !== 'string') throw new TypeError('getnameinfo(): illegal sockaddr argument');
  const host = sa[0];
  if (host.includes('\0')) throw new RangeError('embedded null character');
  const port = cint(sa[1]);
  const flowinfo = sa.length > 2 ? uint(sa[2]) : 0;
  const scopeId = sa.length > 3 ? uint(sa[3]) : 0;
  if (flowinfo > 0xfffff) throw new RangeError('getnameinfo(): flowinfo must be 0-1048575.');
  return [wellFormed(host), port, flowinfo, scopeId, sa.length];
}

/**
 * Python's `socket.gethostbyname(hostname)`: one IPv4 address as text.
 * IPv4 only: prefer getaddrinfo(), as the talk advises.
 */
export function gethostbyname(hostname: string | Uint8Array): string {
  fits(SOCKET_MODULE.gethostbyname, arguments.length, hostname) || refuse(SOCKET_MODULE.gethostbyname, arguments);
  return native.gethostbyname(hostArg(hostname, 'gethostbyname')) ?? fail();
}

/**
 * Python's `socket.gethostbyname_ex(hostname)`: `[hostname, aliaslist, ipaddrlist]`,
 * IPv4 only. Prefer getaddrinfo(), as the talk advises. Throws `herror` when the
 * host database has no such name.
 */
export function gethostbyname_ex(hostname: string | Uint8Array): [hostname: string, aliaslist: string[], ipaddrlist: string[]] {
  fits(SOCKET_MODULE.gethostbyname_ex, arguments.length, hostname) || refuse(SOCKET_MODULE.gethostbyname_ex, arguments);
  return native.gethostbynameEx(hostArg(hostname, 'gethostbyname_ex')) ?? fail();
}

/**
 * Python's `socket.gethostbyaddr(ip_address)`: `[hostname, aliaslist, ipaddrlist]`
 * for an address (or a name, resolved first). Prefer getnameinfo(), as the talk
 * advises. Throws `herror` when the host database has no such address.
 */
export function gethostbyaddr(ip_address: string | Uint8Array): [hostname: string, aliaslist: string[], ipaddrlist: string[]] {
  fits(SOCKET_MODULE.gethostbyaddr, arguments.length, ip_address) || refuse(SOCKET_MODULE.gethostbyaddr, arguments);
  return native.gethostbyaddr(hostArg(ip_address, 'gethostbyaddr')) ?? fail();
}

/**
 * Python's `socket.getfqdn(name='')`: the first name with a dot among the
 * host's name and aliases (gethostbyaddr), else its name; `name` as given when
 * the lookup fails. An empty name, '0.0.0.0' or '::' means this host. One of
 * the calls the talk says not to use: prefer getaddrinfo() with AI_CANONNAME.
 */
export function getfqdn(name: string | Uint8Array = ''): string {
  fits(SOCKET_MODULE.getfqdn, arguments.length) || refuse(SOCKET_MODULE.getfqdn, arguments);
  // Python's first step is name.strip(): str and bytes have it, nothing else.
  if (typeof name !== 'string' && !(name instanceof Uint8Array)) throw new TypeError(`'${pyType(name)}' object has no attribute 'strip'`);
  let n = typeof name === 'string' ? name.trim() : Buffer.from(name).toString('latin1').trim();
  if (!n || n === '0.0.0.0' || n === '::') n = gethostname();
  let found: [string, string[], string[]];
  try {
    found = gethostbyaddr(n);
  } catch (e) {
    if (e instanceof OSError) return n;
    throw e;
  }
  const [hostname, aliases] = found;
  return [hostname, ...aliases].find((a) => a.includes('.')) ?? hostname;
}

/**
 * Python's `socket.getservbyname(servicename[, protocolname])`: the port of a
 * service ('tcp' or 'udp', or either). Prefer numeric ports, as the talk advises.
 */
export function getservbyname(servicename: string, protocolname?: string): number {
  fits(SOCKET_MODULE.getservbyname, arguments.length, servicename) || refuse(SOCKET_MODULE.getservbyname, arguments);
  const name = str(servicename, 'getservbyname', 1);
  const proto = protocolname === undefined ? null : str(protocolname, 'getservbyname', 2);
  return native.getservbyname(name, proto) ?? fail();
}

/**
 * Python's `socket.getservbyport(port[, protocolname])`: the name of a service.
 * An old call: getnameinfo() gives the same with NI_ flags, and as the talk
 * says, leave it to the user to pick a name over a number.
 */
export function getservbyport(port: number, protocolname?: string): string {
  fits(SOCKET_MODULE.getservbyport, arguments.length, port) || refuse(SOCKET_MODULE.getservbyport, arguments);
  const n = cint(port);
  const proto = protocolname === undefined ? null : str(protocolname, 'getservbyport', 2);
  if (n < 0 || n > 0xffff) throw new RangeError('getservbyport: port must be 0-65535.');
  return native.getservbyport(n, proto) ?? fail();
}

/**
 * Python's `socket.getprotobyname(protocolname)`: a protocol's number ('tcp' is 6).
 * An old call: the IPPROTO_ constants need no lookup, and getaddrinfo() picks
 * the protocol for a socket type itself.
 */
export function getprotobyname(protocolname: string): number {
  fits(SOCKET_MODULE.getprotobyname, arguments.length, protocolname) || refuse(SOCKET_MODULE.getprotobyname, arguments);
  return native.getprotobyname(str(protocolname, 'getprotobyname', 1)) ?? fail();
}

/** Python's `socket.if_nameindex()`: `[index, name]` of every network interface. */
export function if_nameindex(): [index: number, name: string][] {
  fits(SOCKET_MODULE.if_nameindex, arguments.length) || refuse(SOCKET_MODULE.if_nameindex, arguments);
  return native.ifNameindex() ?? fail();
}

/** Python's `socket.if_nametoindex(if_name)`: an interface's index. */
export function if_nametoindex(if_name: string | Uint8Array): number {
  fits(SOCKET_MODULE.if_nametoindex, arguments.length, if_name) || refuse(SOCKET_MODULE.if_nametoindex, arguments);
  let name: string | Uint8Array;
  if (typeof if_name === 'string') name = wellFormed(if_name);
  else if (if_name instanceof Uint8Array) name = if_name;
  else throw new TypeError(`expected str, bytes or os.PathLike object, not ${pyType(if_name)}`);
  if ((typeof name === 'string' && name.includes('\0')) || (typeof name !== 'string' && name.includes(0))) {
    throw new RangeError('embedded null byte');
  }
  return native.ifNametoindex(name) ?? fail();
}

/** Python's `socket.if_indextoname(if_index)`: an interface's name. */
export function if_indextoname(if_index: number): string {
  fits(SOCKET_MODULE.if_indextoname, arguments.length, if_index) || refuse(SOCKET_MODULE.if_indextoname, arguments);
  let n: bigint;
  if (typeof if_index === 'boolean') n = if_index ? 1n : 0n;
  else if (typeof if_index === 'number' && Number.isInteger(if_index)) n = BigInt(if_index);
  else if (typeof if_index === 'bigint') n = if_index;
  else throw new TypeError('an integer is required');
  if (n < 0n) throw new RangeError("can't convert negative value to unsigned int");
  if (n >= 2n ** 64n) throw new RangeError('Python int too large to convert to C unsigned long');
  return native.ifIndextoname(Number(BigInt.asUintN(32, n))) ?? fail();
}
