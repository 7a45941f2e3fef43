// Socket addresses: their types, and the checks Python's getsockaddrarg makes,
// with its messages, before the addon sees them.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { bytes, inCInt, int, pyType, uintMask } from './convert';
import { fail, OSError } from './errors';
import { native } from './native';

// The converters resolver.ts takes from here; their home is convert.ts.

declare const familyBrand: unique symbol;
/** An address family constant; the brand carries its name so that a socket's
 * addresses get exact types (an AF_INET6 address is a 4-tuple). */
export type Family<F extends string> = number & { readonly [familyBrand]: F };

/** AF_INET `(host, port)` */
export type InetAddress = [host: string, port: number];
/** AF_INET6 `(host, port, flowinfo, scope_id)`, as returned */
export type Inet6Address = [host: string, port: number, flowinfo: number, scope_id: number];
/** AF_INET6 as accepted: flowinfo and scope_id may be left out */
export type Inet6AddressArg = [host: string, port: number, flowinfo?: number, scope_id?: number];
/** AF_UNIX: a path, `''` for an unnamed socket, or a Buffer for a Linux abstract name (leading NUL) */
export type UnixAddress = string | Buffer;
/** An AF_UNIX address argument: a path, or bytes (a Linux abstract name starts with a NUL byte). Python: a `str` or `bytes` address. */
export type UnixAddressArg = string | Uint8Array;
/** AF_NETLINK `(pid, groups)` */
export type NetlinkAddress = [pid: number, groups: number];
/** AF_VSOCK `(cid, port)` (Linux) */
export type VsockAddress = [cid: number, port: number];
/** AF_PACKET `(ifname, proto, pkttype, hatype, addr)` */
export type PacketAddress = [ifname: string, proto: number, pkttype: number, hatype: number, addr: Buffer];
/** An AF_PACKET address argument `[ifname, proto, pkttype?, hatype?, addr?]`, as Python's bind() takes it. */
export type PacketAddressArg = [ifname: string, proto: number, pkttype?: number, hatype?: number, addr?: Uint8Array];
/** A family Python does not decode: `(family, sa_data)` */
export type OtherAddress = [family: number, data: Buffer];

interface AddressTypes {
  AF_INET: InetAddress;
  AF_INET6: Inet6Address;
  AF_UNIX: UnixAddress;
  AF_NETLINK: NetlinkAddress;
  AF_PACKET: PacketAddress;
  AF_VSOCK: VsockAddress;
}
interface AddressArgTypes {
  AF_INET: InetAddress;
  AF_INET6: Inet6AddressArg;
  AF_UNIX: UnixAddressArg;
  AF_NETLINK: NetlinkAddress;
  AF_PACKET: PacketAddressArg;
  AF_VSOCK: VsockAddress;
}
/** Any address a socket may return. */
export type SockAddr = AddressTypes[keyof AddressTypes] | OtherAddress;
/** Any address a socket may be given. */
export type SockAddrArg = AddressArgTypes[keyof AddressArgTypes];
/** The addresses a socket of family `F` returns. */
export type AddressOf<F extends string> = F extends keyof AddressTypes ? AddressTypes[F] : SockAddr;
/** The addresses a socket of family `F` accepts. */
export type AddressArgOf<F extends string> = F extends keyof AddressArgTypes ? AddressArgTypes[F] : SockAddrArg;

const C = native.constants();

/** A host argument, as Python's idna_converter takes it (before any other part of the address). */
function host(v: unknown): string {
  let h: string;
  if (typeof v === 'string') h = v;
  else if (v instanceof Uint8Array) h = Buffer.from(v).toString('latin1');
  else throw new TypeError(`str, bytes or bytearray expected, not ${pyType(v)}`);
  if (h.includes('\0')) throw new TypeError('host name must not contain null character');
  return h;
}

/** A port as Python's "i" takes it: a C int, whose OverflowError getsockaddrarg words as the port's range. */
function port(v: unknown, caller: string): number {
  const n = int(v);
  if (!inCInt(n)) throw portRange(caller);
  return n;
}

function ranged(v: unknown, max: number, what: string, caller: string): number {
  const n = int(v);
  if (n < 0 || n > max) throw new RangeError(`${caller}(): ${what} must be 0-${max}.`);
  return n;
}

const portRange = (caller: string): RangeError => new RangeError(`${caller}(): port must be 0-65535.`);

/** The range check Python's getsockaddrarg makes once the host resolved: the error of a port or a flowinfo past its range, or null. */
export function rangeError(p: number, flowinfo: number, caller: string): RangeError | null {
  if (p < 0 || p > 0xffff) return portRange(caller);
  return flowinfo > 0xfffff ? new RangeError(`${caller}(): flowinfo must be 0-1048575.`) : null;
}

/** The range checks, after the host resolved (a host that does not resolve is its gaierror, whatever
 * the port says): resolved here first only when one fails. */
function checkRanges(family: number, h: string, p: number, flowinfo: number, caller: string): void {
  const bad = rangeError(p, flowinfo, caller);
  if (bad === null) return;
  if (native.sockaddr(family, h, 0, 0, 0) === null) fail();
  throw bad;
}

/**
 * An AF_INET or AF_INET6 address converted as Python's "O&i" / "O&i|II" take it, before its host is
 * resolved: [host, port, flowinfo, scope id] (flowinfo and scope id wrapped to 32 bits).
 */
export function inetParts(family: number, address: unknown, caller: string): [host: string, port: number, flowinfo: number, scope: number] {
  if (family === C.AF_INET) {
    const t = tuple(address, 'AF_INET', caller);
    if (t.length !== 2) throw new TypeError('AF_INET address must be a pair (host, port)');
    return [host(t[0]), port(t[1], caller), 0, 0];
  }
  const t = tuple(address, 'AF_INET6', caller);
  if (t.length < 2 || t.length > 4) throw new TypeError('AF_INET6 address must be a tuple (host, port[, flowinfo[, scopeid]])');
  return [host(t[0]), port(t[1], caller), t.length > 2 ? uintMask(t[2]) : 0, t.length > 3 ? uintMask(t[3]) : 0];
}

/** The addon's address arguments: host or path, three numbers, extra bytes. */
export type AddressParts = [host: string | Uint8Array, a: number, b: number, c: number, extra: Uint8Array | null];

function tuple(address: unknown, name: string, caller: string): unknown[] {
  if (!Array.isArray(address)) {
    throw new TypeError(`${caller}(): ${name} address must be tuple, not ${pyType(address)}`);
  }
  return address;
}

/** An IPv4 or IPv6 literal (or the empty host, the wildcard). */
const LITERAL = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[^.]*:.*|)$/;
/** The last host found literal: a sender sends to the same host again and again. */
let lastLiteral = '';

/** Whether a host is an IP literal (or the wildcard): its sockaddr needs no lookup, and can be reused. */
export function isLiteralHost(host: string): boolean {
  if (host === lastLiteral) return true;
  if (!LITERAL.test(host)) return false;
  lastLiteral = host;
  return true;
}

/** Checks `address` for a socket of `family` as Python does, for the call `caller`. */
export function addressParts(family: number, address: unknown, caller: string): AddressParts {
  switch (family) {
    case C.AF_INET:
    case C.AF_INET6: {
      // Python's "O&i|II", then the host resolved, then the ranges.
      const [h, p, flowinfo, scope] = inetParts(family, address, caller);
      checkRanges(family, h, p, flowinfo, caller);
      return [h, p, flowinfo, scope, null];
    }
    case C.AF_UNIX: {
      if (typeof address === 'string') return [Buffer.from(address, 'utf8'), 0, 0, 0, null];
      // An array stands for a tuple here (an AF_INET address given by mistake): Python's message names a tuple.
      if (Array.isArray(address)) throw new TypeError("a bytes-like object is required, not 'tuple'");
      return [bytes(address), 0, 0, 0, null];
    }
    case C.AF_NETLINK: {
      const t = tuple(address, 'AF_NETLINK', caller);
      if (t.length !== 2) throw new TypeError('AF_NETLINK address must be a pair (pid, groups)');
      return ['', uintMask(t[0]), uintMask(t[1]), 0, null];
    }
    case C.AF_VSOCK: {
      // Python parses it with "II", whose messages name getsockaddrarg: unsigned ints, wrapped to 32 bits.
      if (!Array.isArray(address)) throw new TypeError(`getsockaddrarg: AF_VSOCK address must be tuple, not ${pyType(address)}`);
      if (address.length !== 2) throw new TypeError(`getsockaddrarg() takes exactly 2 arguments (${address.length} given)`);
      return ['', uintMask(address[0]), uintMask(address[1]), 0, null];
    }
    case C.AF_PACKET: {
      const t = tuple(address, 'AF_PACKET', caller);
      if (t.length < 2 || t.length > 5) {
        throw new TypeError('AF_PACKET address must be a tuple of two to five elements');
      }
      if (typeof t[0] !== 'string') throw new TypeError(`str expected, not ${pyType(t[0])}`);
      const proto = ranged(t[1], 0xffff, 'proto', caller);
      const pkttype = t.length > 2 ? ranged(t[2], 0xff, 'pkttype', caller) : 0;
      const hatype = t.length > 3 ? ranged(t[3], 0xffff, 'hatype', caller) : 0;
      const hw = t.length > 4 ? bytes(t[4]) : null;
      return [t[0], proto, pkttype, hatype, hw];
    }
    default:
      throw new OSError('getsockaddrarg: bad family');
  }
}
