// Module functions of Python's socket module that are not socket methods:
// address text conversion, byte order, host name (the resolver is in
// resolver.ts, signals in signals.ts).

import { Buffer } from 'node:buffer';

import { fits, refuse, SOCKET_MODULE } from './arity';
import { bytes, cint, int, isInt, pyType, str } from './convert';
import { fail } from './errors';
import { native, platformCall } from './native';



/** inet_pton(family, text) -> packed bytes (strict forms only). Python: `socket.inet_pton`. */
export function inet_pton(family: number, ipString: string): Buffer {
  fits(SOCKET_MODULE.inet_pton, arguments.length, ipString) || refuse(SOCKET_MODULE.inet_pton, arguments);
  const f = cint(family);
  const s = str(ipString, 'inet_pton', 2);
  return native.inetPton(f, s) ?? fail();
}

/** inet_ntop(family, packed) -> text. Python: `socket.inet_ntop`. */
export function inet_ntop(family: number, packedIp: Uint8Array): string {
  fits(SOCKET_MODULE.inet_ntop, arguments.length, packedIp) || refuse(SOCKET_MODULE.inet_ntop, arguments);
  const f = cint(family);
  const b = bytes(packedIp);
  return native.inetNtop(f, b) ?? fail();
}

/** inet_aton(text) -> 4 bytes; accepts the C library's lenient forms ("127.1"). Python: `socket.inet_aton`. */
export function inet_aton(ipString: string): Buffer {
  fits(SOCKET_MODULE.inet_aton, arguments.length, ipString) || refuse(SOCKET_MODULE.inet_aton, arguments);
  const s = str(ipString, 'inet_aton', 1);
  return native.inetAton(s) ?? fail();
}

/** inet_ntoa(packed) -> dotted quad. Python: `socket.inet_ntoa`. */
export function inet_ntoa(packedIp: Uint8Array): string {
  fits(SOCKET_MODULE.inet_ntoa, arguments.length, packedIp) || refuse(SOCKET_MODULE.inet_ntoa, arguments);
  const b = bytes(packedIp);
  return native.inetNtoa(b) ?? fail();
}

/**
 * The argument of htons/ntohs (Python's "i", then a 16-bit check) or htonl/ntohl (PyLong_AsUnsignedLong, then a
 * 32-bit check), with each step's OverflowError (RangeError) message.
 */
function unsigned(x: unknown, bits: 16 | 32, caller: string): number {
  if (bits === 16) {
    const n = cint(x);
    if (n < 0) throw new RangeError(`${caller}: can't convert negative Python int to C 16-bit unsigned integer`);
    if (n > 0xffff) throw new RangeError(`${caller}: Python int too large to convert to C 16-bit unsigned integer`);
    return n;
  }
  if (!isInt(x)) throw new TypeError(`expected int, ${pyType(x)} found`);
  const n = int(x);
  if (n < 0) throw new RangeError("can't convert negative value to unsigned int");
  if (n >= 2 ** 64) throw new RangeError('Python int too large to convert to C unsigned long');
  if (n >= 2 ** 32) throw new RangeError('int larger than 32 bits');
  return n;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function swap16(n: number): number {
  return LITTLE_ENDIAN ? ((n & 0xff) << 8) | (n >>> 8) : n;
}

function swap32(n: number): number {
  if (!LITTLE_ENDIAN) return n;
  return (((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0;
}

/** Host to network byte order, 16 bits. Python: `socket.htons`. */
export function htons(x: number): number {
  fits(SOCKET_MODULE.htons, arguments.length, x) || refuse(SOCKET_MODULE.htons, arguments);
  return swap16(unsigned(x, 16, 'htons'));
}
/** Network to host byte order, 16 bits. Python: `socket.ntohs`. */
export function ntohs(x: number): number {
  fits(SOCKET_MODULE.ntohs, arguments.length, x) || refuse(SOCKET_MODULE.ntohs, arguments);
  return swap16(unsigned(x, 16, 'ntohs'));
}
/** Host to network byte order, 32 bits. Python: `socket.htonl`. */
export function htonl(x: number): number {
  fits(SOCKET_MODULE.htonl, arguments.length, x) || refuse(SOCKET_MODULE.htonl, arguments);
  return swap32(unsigned(x, 32, 'htonl'));
}
/** Network to host byte order, 32 bits. Python: `socket.ntohl`. */
export function ntohl(x: number): number {
  fits(SOCKET_MODULE.ntohl, arguments.length, x) || refuse(SOCKET_MODULE.ntohl, arguments);
  return swap32(unsigned(x, 32, 'ntohl'));
}

/** The machine's host name. Python: `socket.gethostname`. */
export function gethostname(): string {
  fits(SOCKET_MODULE.gethostname, arguments.length) || refuse(SOCKET_MODULE.gethostname, arguments);
  return native.gethostname() ?? fail();
}

/**
 * Sets the host name (of the process's UTS namespace, on Linux): a string, as UTF-8, or bytes as
 * they are. Needs CAP_SYS_ADMIN (PermissionError without); a name over 64 bytes is EINVAL on
 * Linux. Unix only: elsewhere a TypeError, as Python has none there. Python: `socket.sethostname`.
 */
export function sethostname(name: string | Uint8Array): void {
  fits(SOCKET_MODULE.sethostname, arguments.length, name) || refuse(SOCKET_MODULE.sethostname, arguments);
  const set = platformCall('sethostname', 'socket.sethostname');
  let raw: Uint8Array;
  if (typeof name === 'string') {
    // Python's file system encoding: a NUL in a str cannot reach the C call.
    if (name.includes('\0')) throw new RangeError('embedded null byte');
    raw = Buffer.from(name, 'utf8');
  } else if (name instanceof Uint8Array) {
    raw = name;
  } else {
    throw new TypeError(`expected str, bytes or os.PathLike object, not ${pyType(name)}`);
  }
  if (!set(raw)) fail();
}

/** Whether IPv6 is supported, as Python's `socket.has_ipv6`. */
export const has_ipv6 = true;


