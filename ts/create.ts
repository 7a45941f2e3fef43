// Python's connection helpers: create_connection (the talk's "just see what
// works" client loop, done once), create_server and has_dualstack_ipv6, built
// on getaddrinfo and the socket object exactly as Python's socket.py builds them.

import { type AddressArgOf, type Family, type Inet6AddressArg, type InetAddress } from './address';
import { fits, refuse, SOCKET_MODULE } from './arity';
import { pyTruth, pyType, sequenceItems } from './convert';
import * as C from './constants';
import { OSError, oserror } from './errors';
import { keywordNames, keywords, type Positional, type WithOptions } from './keywords';
import { has_ipv6 } from './module';
import { pyRepr } from './repr';
import { getaddrinfo } from './resolver';
import { type Socket, socket } from './socket';

/** create_connection(address, timeout, source_address, *, all_errors) */
const CREATE_CONNECTION: Positional = {
  name: 'create_connection',
  min: 1,
  max: 3,
  params: ['address', 'timeout', 'source_address'],
  keywords: keywordNames<CreateConnectionOptions>({ all_errors: true }),
};
/** create_server(address, *, family, backlog, reuse_port, dualstack_ipv6) */
const CREATE_SERVER: Positional = {
  name: 'create_server',
  min: 1,
  max: 1,
  params: ['address'],
  keywords: keywordNames<CreateServerOptions<string>>({ family: true, backlog: true, reuse_port: true, dualstack_ipv6: true }),
};

/** Python's `host, port = address`. */
function unpackPair(address: unknown): [unknown, unknown] {
  // A str or bytes is a sequence in Python too: of characters, of ints.
  const items = sequenceItems(address);
  if (items === null) throw new TypeError(`cannot unpack non-iterable ${pyType(address)} object`);
  if (items.length > 2) throw new RangeError('too many values to unpack (expected 2)');
  if (items.length < 2) throw new RangeError(`not enough values to unpack (expected 2, got ${items.length})`);
  return [items[0], items[1]];
}

/** Options of create_connection: Python's keyword-only arguments. Python: `socket.create_connection`. */
export interface CreateConnectionOptions {
  /** Throw an AggregateError of every attempt's error, not only the last one. */
  all_errors?: boolean;
}

/**
 * Python's `socket.create_connection(address, timeout, source_address, *, all_errors=False)`:
 * a TCP connection to `[host, port]`, IPv4 or IPv6, whichever works first.
 * It tries every address getaddrinfo returns, in order, closing each socket
 * that failed, and throws the last error; with `{ all_errors: true }` an
 * `AggregateError` ("create_connection failed", Python's ExceptionGroup) of
 * every attempt's error. `timeout` left undefined keeps the default timeout
 * (setdefaulttimeout); null blocks. `source_address` is bound to first.
 */
export function create_connection(
  ...args: WithOptions<
    [address: [host: string | null, port: number | string]],
    [timeout: number | null | undefined, source_address: InetAddress | Inet6AddressArg | null | undefined],
    CreateConnectionOptions
  >
): Socket<'AF_INET' | 'AF_INET6'> {
  const [[address, timeout, source_address], options] = keywords<
    [[string | null, number | string], (number | null)?, (InetAddress | Inet6AddressArg | null)?],
    CreateConnectionOptions
  >(args, CREATE_CONNECTION);
  const [host, port] = unpackPair(address);
  const errors: unknown[] = [];
  const allErrors = pyTruth(options.all_errors);
  for (const [af, socktype, proto, , sa] of getaddrinfo(host as string | null, port as number | string, 0, C.SOCK_STREAM)) {
    let sock: Socket<'AF_INET' | 'AF_INET6'> | null = null;
    try {
      sock = socket(af, socktype, proto);
      if (timeout !== undefined) sock.settimeout(timeout);
      if (pyTruth(source_address)) sock.bind(source_address as InetAddress | Inet6AddressArg);
      sock.connect(sa);
      return sock;
    } catch (e) {
      sock?.close();
      if (!(e instanceof OSError)) throw e;
      if (!allErrors) errors.length = 0; // throw only the last error
      errors.push(e);
    }
  }
  if (errors.length === 0) throw new OSError('getaddrinfo returns an empty list');
  if (!allErrors) throw errors[0];
  throw new AggregateError(errors, 'create_connection failed');
}

/** Options of create_server: Python's keyword-only arguments. Python: `socket.create_server`. */
export interface CreateServerOptions<F extends string> {
  /** AF_INET (the default) or AF_INET6. */
  family?: Family<F> | number;
  /** listen()'s backlog; null or left out: listen()'s default. */
  backlog?: number | null;
  /** Set SO_REUSEPORT, so that several sockets can listen on the port. */
  reuse_port?: boolean;
  /** With AF_INET6, accept IPv4 connections too (IPV6_V6ONLY off). */
  dualstack_ipv6?: boolean;
}

/**
 * Python's `socket.create_server(address, *, family=AF_INET, backlog=None,
 * reuse_port=False, dualstack_ipv6=False)`: a TCP socket bound to `address`
 * and listening. On POSIX it sets SO_REUSEADDR; an AF_INET6 socket is IPv6-only
 * unless `dualstack_ipv6` (where `has_dualstack_ipv6()`) accepts IPv4 too. A
 * failed bind throws the OSError of its errno with the address in the message:
 * `Address already in use (while attempting to bind on address ('127.0.0.1', 80))`.
 */
export function create_server<F extends string = 'AF_INET'>(address: AddressArgOf<F>, options?: CreateServerOptions<F>): Socket<F> {
  [, options] = keywords<[AddressArgOf<F>], CreateServerOptions<F>>(arguments, CREATE_SERVER);
  // A family given as None is None (socket()'s TypeError), not the default.
  const family = options.family === undefined ? C.AF_INET : options.family;
  const reusePort = pyTruth(options.reuse_port);
  const dualstack = pyTruth(options.dualstack_ipv6);
  if (reusePort && C.SO_REUSEPORT === undefined) throw new RangeError('SO_REUSEPORT not supported on this platform');
  if (dualstack) {
    if (!has_dualstack_ipv6()) throw new RangeError('dualstack_ipv6 not supported on this platform');
    if (family !== C.AF_INET6) throw new RangeError('dualstack_ipv6 requires AF_INET6 family');
  }
  const sock = socket(family as Family<F>, C.SOCK_STREAM);
  try {
    // Not on Windows, where SO_REUSEADDR lets another socket take the port.
    if (process.platform !== 'win32' && C.SO_REUSEADDR !== undefined) {
      try {
        sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
      } catch (e) {
        // Fail later on bind(), for platforms which may not support this option.
        if (!(e instanceof OSError)) throw e;
      }
    }
    if (reusePort) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
    if (has_ipv6 && family === C.AF_INET6) {
      if (dualstack) sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0);
      else if (C.IPV6_V6ONLY !== undefined && C.IPPROTO_IPV6 !== undefined) {
        sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1);
      }
    }
    try {
      sock.bind(address);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      const msg = `${e.strerror} (while attempting to bind on address ${pyRepr(address)})`;
      if (e.errno === null) throw new OSError(msg);
      const err = oserror(e.errno, 'bind');
      err.strerror = msg;
      err.message = `[Errno ${e.errno}] ${msg}`;
      throw err;
    }
    if (options.backlog === undefined || options.backlog === null) sock.listen();
    else sock.listen(options.backlog);
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

/**
 * Python's `socket.has_dualstack_ipv6()`: whether an AF_INET6 socket can
 * accept IPv4 connections too (IPV6_V6ONLY can be turned off).
 */
export function has_dualstack_ipv6(): boolean {
  fits(SOCKET_MODULE.has_dualstack_ipv6, arguments.length) || refuse(SOCKET_MODULE.has_dualstack_ipv6, arguments);
  if (!has_ipv6 || C.IPPROTO_IPV6 === undefined || C.IPV6_V6ONLY === undefined) return false;
  let sock: Socket | null = null;
  try {
    sock = socket(C.AF_INET6, C.SOCK_STREAM);
    sock.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 0);
    return true;
  } catch (e) {
    if (e instanceof OSError) return false;
    throw e;
  } finally {
    sock?.close();
  }
}
