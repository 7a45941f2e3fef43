// asyncio's create_connection, create_unix_connection and
// create_datagram_endpoint: a socket made, bound and connected on Node's event
// loop, then handed to a transport with the protocol the factory makes.

import * as fs from 'node:fs';
import { keywordNames, keywords, type WithOptions } from '../keywords';
import { type AddressArgOf } from '../address';
import * as C from '../constants';
import { intKeyword, pyTruth, pyType } from '../convert';
import { AddressFamily } from '../enums';
import { OSError } from '../errors';
import { pyRepr, pyStr } from '../repr';
import type { AddrInfo } from '../resolver';
import { Socket } from '../socket';
import type { DatagramProtocol, StreamProtocol } from './protocols';
import { abortError, checkSignal, type OperationOptions } from './loop';
import { ensureResolved } from './resolver';
import { sock_connect } from './sock';
import { DatagramTransport, Transport } from './transports';

/**
 * asyncio's keyword-only arguments of `create_connection` (no ssl), and an AbortSignal: aborting
 * stops the lookup or the connects under way (asyncio's cancellation, as
 * `wait_for(open_connection(...), timeout)` does), and closes the sockets it made.
 */
export interface ConnectionOptions extends OperationOptions {
  /** An already connected stream socket to use instead of host and port. */
  sock?: Socket | null;
  family?: number;
  proto?: number;
  flags?: number;
  /** `[host, port]` to bind the socket to first. */
  local_addr?: [string, number] | null;
  /**
   * Happy Eyeballs (RFC 8305): seconds to give each address's connect before the next address's
   * starts beside it (RFC 8305 suggests 0.25); the first to connect wins and the others are
   * closed. Without it each address is tried after the one before has failed.
   */
  happy_eyeballs_delay?: number | null;
  /**
   * Reorders the addresses by family: `interleave - 1` of the first family, then one of each
   * family in turn. 1 when `happy_eyeballs_delay` is given; 0 or null leaves getaddrinfo's order.
   */
  interleave?: number | null;
}

/** The keyword arguments of `create_unix_connection`, and an AbortSignal (see ConnectionOptions). */
export interface UnixConnectionOptions extends OperationOptions {
  /** An already connected stream socket to use instead of a path. */
  sock?: Socket | null;
}

const CONNECTION_KEYWORDS = keywordNames<ConnectionOptions>({
  sock: true,
  family: true,
  proto: true,
  flags: true,
  local_addr: true,
  happy_eyeballs_delay: true,
  interleave: true,
  signal: true,
});
const UNIX_CONNECTION_KEYWORDS = keywordNames<UnixConnectionOptions>({ sock: true, signal: true });
const NO_KEYWORDS = keywordNames<Record<string, never>>({});

/** The Unix stream socket a Unix server or connection needs: RangeError for any other, as asyncio. */
export function checkUnixStream(sock: Socket): void {
  if (sock.family !== C.AF_UNIX || sock.type !== C.SOCK_STREAM) throw new RangeError(`A UNIX Domain Stream Socket was expected, got ${String(sock)}`);
}

/** A Unix path as asyncio takes it, `os.fspath(path)`: a str or bytes, else its TypeError. */
export function fspath(path: unknown): string | Uint8Array {
  if (typeof path === 'string' || path instanceof Uint8Array) return path;
  throw new TypeError(`expected str, bytes or os.PathLike object, not ${pyType(path)}`);
}

/** The stream socket a stream transport needs: RangeError for any other type, as asyncio. */
export function checkStream(sock: Socket): void {
  if (sock.type !== C.SOCK_STREAM) throw new RangeError(`A Stream Socket was expected, got ${String(sock)}`);
}

/**
 * asyncio's `_make_socket_transport` and the wait for connection_made. What the protocol factory or
 * connection_made throws rejects the call (asyncio would log it and go on), and nothing is left
 * open: a socket made here (`made`) is closed, a transport aborted.
 */
function connected<P extends StreamProtocol>(sock: Socket, protocol_factory: () => P, made: boolean): [Transport, P] {
  sock.setblocking(false);
  let protocol: P;
  try {
    protocol = protocol_factory();
  } catch (e) {
    if (made) sock.close();
    throw e;
  }
  const transport = new Transport(sock, protocol);
  try {
    transport.start();
  } catch (e) {
    transport.abort();
    throw e;
  }
  return [transport, protocol];
}

/** asyncio's error for several failed attempts: each attempt's errors, in the order the attempts began. */
function combined(attempts: Error[][]): Error {
  const errors = attempts.flat();
  if (errors.length === 1) return errors[0]!;
  // Python compares str(exc): the messages.
  const first = errors[0]!.message;
  if (errors.every((e) => e.message === first)) return errors[0]!;
  return new OSError(`Multiple exceptions: ${errors.map((e) => e.message).join(', ')}`);
}

/**
 * asyncio's `loop.create_connection(protocol_factory, host, port, *, sock,
 * family, proto, flags, local_addr, happy_eyeballs_delay, interleave)`:
 * `[transport, protocol]` once connected to one of the addresses of `host`.
 */
export async function create_connection<P extends StreamProtocol>(
  ...args: WithOptions<
    [protocol_factory: () => P],
    [host: string | null | undefined, port: number | string | null | undefined],
    ConnectionOptions
  >
): Promise<[Transport, P]> {
  const [[protocol_factory, host = null, port = null], options] = keywords<[() => P, (string | null)?, (number | string | null)?], ConnectionOptions>(
    args,
    { name: 'create_connection', min: 1, max: 3, keywords: CONNECTION_KEYWORDS },
  );
  if (options.sock !== undefined && options.sock !== null) {
    if (host !== null || port !== null) throw new RangeError('host/port and sock can not be specified at the same time');
    checkStream(options.sock);
    return connected(options.sock, protocol_factory, false);
  }
  if (host === null && port === null) throw new RangeError('host and port was not specified and no sock specified');
  const [delay, interleave] = eyeballs(options);
  const signal = checkSignal(options);
  const hints = { family: intKeyword(options.family, 0), type: C.SOCK_STREAM, proto: intKeyword(options.proto, 0), flags: intKeyword(options.flags, 0) };
  let infos = await ensureResolved([host, port], hints, signal);
  if (infos.length === 0) throw new OSError('getaddrinfo() returned empty list');
  let locals: AddrInfo[] | null = null;
  if (options.local_addr !== undefined && options.local_addr !== null) {
    locals = await ensureResolved(options.local_addr, hints, signal);
    if (locals.length === 0) throw new OSError('getaddrinfo() returned empty list');
  }
  if (interleave !== 0) infos = interleaveAddrinfos(infos, interleave);
  const errors: Error[][] = [];
  const sock = await staggered(infos, locals, delay ?? Infinity, errors, signal);
  if (sock === null) throw combined(errors);
  return connected(sock, protocol_factory, true);
}

/**
 * The Happy Eyeballs options, checked as asyncio's use of them fails (Python's TypeErrors: each a
 * number, and `interleave` an integer where it counts, above 1): the delay (null: none), and how
 * to interleave the families (0: not at all), 1 with a delay unless given.
 */
function eyeballs(options: ConnectionOptions): [delay: number | null, interleave: number] {
  const delay = intKeyword(options.happy_eyeballs_delay ?? null, null);
  if (delay !== null && typeof delay !== 'number') throw new TypeError(`'<=' not supported between instances of '${pyType(delay)}' and 'int'`);
  const interleave = intKeyword(options.interleave ?? undefined, delay !== null ? 1 : 0);
  if (typeof interleave !== 'number') throw new TypeError(`'>' not supported between instances of '${pyType(interleave)}' and 'int'`);
  if (interleave > 1 && !Number.isInteger(interleave)) throw new TypeError('slice indices must be integers or None or have an __index__ method');
  return [delay, interleave];
}

/**
 * asyncio's `_interleave_addrinfos`: getaddrinfo's results grouped by family (in the order each
 * family first appears), `firstFamilyCount - 1` of the first family first, then one of each
 * family in turn while any are left.
 * @internal
 */
export function interleaveAddrinfos(infos: readonly AddrInfo[], firstFamilyCount = 1): AddrInfo[] {
  const byFamily = new Map<number, AddrInfo[]>();
  for (const info of infos) {
    const list = byFamily.get(info[0]);
    if (list === undefined) byFamily.set(info[0], [info]);
    else list.push(info);
  }
  const lists = [...byFamily.values()];
  const out = firstFamilyCount > 1 ? lists[0]!.splice(0, firstFamilyCount - 1) : [];
  const longest = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) {
    for (const list of lists) if (i < list.length) out.push(list[i]!);
  }
  return out;
}

/**
 * asyncio's `staggered_race` over `_connect_sock` (Happy Eyeballs): each address's attempt begins
 * when the one before it has failed, or `delay` seconds after that one began, whichever is first.
 * The first to connect wins: the attempts still under way are stopped and their sockets closed,
 * and no more begin. Each attempt's errors go to a list of its own in `errors`; null when none
 * connects. With an infinite delay the attempts run one after another, as without Happy Eyeballs.
 * An error that is not an OSError (the caller's abort) stops them all and is thrown.
 */
async function staggered(
  infos: readonly AddrInfo[],
  locals: AddrInfo[] | null,
  delay: number,
  errors: Error[][],
  signal: AbortSignal | undefined,
): Promise<Socket | null> {
  const race: { winner: Socket | null; fatal: { error: unknown } | null } = { winner: null, fatal: null };
  const stops: AbortController[] = [];
  const attempts: Promise<void>[] = [];
  const stopAll = (): void => stops.forEach((stop) => stop.abort(signal?.reason));
  signal?.addEventListener('abort', stopAll);
  try {
    for (const info of infos) {
      if (race.winner !== null || race.fatal !== null || signal?.aborted === true) break;
      const stop = new AbortController();
      stops.push(stop);
      const mine: Error[] = [];
      errors.push(mine);
      const attempt = connectSock(mine, info, locals, stop.signal).then(
        (sock) => {
          if (sock === null) return;
          if (race.winner !== null) return sock.close();
          race.winner = sock;
          stops.forEach((other) => other !== stop && other.abort());
        },
        (error: unknown) => {
          // A loser stopped for the winner has closed its socket: nothing more to say.
          if (race.winner !== null) return;
          race.fatal ??= { error };
          stopAll();
        },
      );
      attempts.push(attempt);
      await beginsNext(attempt, delay);
    }
    await Promise.all(attempts);
  } finally {
    signal?.removeEventListener('abort', stopAll);
  }
  if (race.fatal === null && signal?.aborted === true) race.fatal = { error: abortError(signal) };
  if (race.fatal !== null) {
    race.winner?.close();
    throw race.fatal.error;
  }
  return race.winner;
}

/** Resolves when `attempt` has ended or `delay` seconds have passed, whichever is first. */
async function beginsNext(attempt: Promise<void>, delay: number): Promise<void> {
  if (!Number.isFinite(delay)) return attempt;
  let timer: NodeJS.Timeout | undefined;
  const passed = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, delay) * 1000)));
  try {
    await Promise.race([attempt, passed]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * asyncio's `_connect_sock`: a socket for one of getaddrinfo's results, bound
 * to the first local address of its family that takes it (each refusal an
 * error of its own: "error while attempting to bind on address ..."), and
 * connected; null, with what failed added to `errors`, if it could not be.
 */
async function connectSock(errors: Error[], [family, type, proto, , address]: AddrInfo, locals: AddrInfo[] | null, signal: AbortSignal | undefined): Promise<Socket | null> {
  let sock: Socket | null = null;
  try {
    // A family the OS does not have (IPv6 turned off) is one more failed attempt, as in asyncio.
    sock = new Socket(family, type, proto);
    sock.setblocking(false);
    if (locals !== null) bindLocal(sock, family, locals, errors);
    await sock_connect(sock, address as AddressArgOf<string>, { signal });
    return sock;
  } catch (e) {
    sock?.close();
    if (!(e instanceof OSError)) throw e;
    errors.push(e);
    return null;
  }
}

/** Binds `sock` to the first of `locals` of its family that it can take; the last refusal, or an OSError when none is of its family. */
function bindLocal(sock: Socket, family: number, locals: AddrInfo[], errors: Error[]): void {
  const refused: OSError[] = [];
  for (const [lfamily, , , , laddr] of locals) {
    if (lfamily !== family) continue;
    try {
      sock.bind(laddr as AddressArgOf<string>);
      return;
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      refused.push(new OSError(e.errno, `error while attempting to bind on address ${pyRepr(laddr)}: ${String(e.strerror).toLowerCase()}`));
    }
  }
  // asyncio keeps every refusal but the one it raises (that one is added as it propagates).
  errors.push(...refused.slice(0, -1));
  throw refused.at(-1) ?? new OSError(`no matching local address with family=<AddressFamily.${AddressFamily[family] ?? family}: ${family}> found`);
}

/**
 * asyncio's `loop.connect_accepted_socket(protocol_factory, sock)`: a transport and its protocol
 * over a connection accepted elsewhere (a socket from `accept()`, a fd another process handed over),
 * for a server that accepts its own connections. The socket becomes the transport's, non-blocking.
 */
export async function connect_accepted_socket<P extends StreamProtocol>(
  ...args: WithOptions<[protocol_factory: () => P, sock: Socket], [], Record<string, never>>
): Promise<[Transport, P]> {
  const [[protocol_factory, sock]] = keywords<[() => P, Socket], Record<string, never>>(args, {
    name: 'connect_accepted_socket',
    min: 2,
    max: 2,
    keywords: NO_KEYWORDS,
  });
  if (!(sock instanceof Socket)) throw new TypeError(`connect_accepted_socket() argument 2 must be a bsdsock Socket, not ${pyType(sock)}`);
  checkStream(sock);
  return connected(sock, protocol_factory, true);
}

/** asyncio's `loop.create_unix_connection(protocol_factory, path=None, *, sock)`. */
export async function create_unix_connection<P extends StreamProtocol>(
  ...args: WithOptions<[protocol_factory: () => P], [path: string | Uint8Array | null | undefined], UnixConnectionOptions>
): Promise<[Transport, P]> {
  const [[protocol_factory, path = null], options] = keywords<[() => P, (string | Uint8Array | null)?], UnixConnectionOptions>(
    args,
    { name: 'create_unix_connection', min: 1, max: 2, keywords: UNIX_CONNECTION_KEYWORDS },
  );
  const given = options.sock !== undefined && options.sock !== null;
  if (path === null) {
    if (!given) throw new RangeError('no path and sock were specified');
    checkUnixStream(options.sock!);
    return connected(options.sock!, protocol_factory, false);
  }
  if (given) throw new RangeError('path and sock can not be specified at the same time');
  const to = fspath(path);
  const signal = checkSignal(options);
  const sock: Socket = new Socket(C.AF_UNIX, C.SOCK_STREAM);
  try {
    sock.setblocking(false);
    await sock_connect(sock, to as AddressArgOf<string>, { signal });
  } catch (e) {
    sock.close();
    throw e;
  }
  return connected(sock, protocol_factory, true);
}
/** An address of create_datagram_endpoint: `[host, port]`, or a Unix socket path. */
export type DatagramAddress = [string, number] | string | null;

/** asyncio's keyword-only arguments of `create_datagram_endpoint` (local_addr and remote_addr may also come by position). */
export interface DatagramOptions {
  local_addr?: DatagramAddress;
  remote_addr?: DatagramAddress;
  family?: number;
  proto?: number;
  flags?: number;
  reuse_port?: boolean;
  allow_broadcast?: boolean;
  sock?: Socket | null;
}

const DATAGRAM_KEYWORDS = keywordNames<DatagramOptions>({
  local_addr: true,
  remote_addr: true,
  family: true,
  proto: true,
  flags: true,
  reuse_port: true,
  allow_broadcast: true,
  sock: true,
});

/** An IP endpoint's (family, protocol) pair, and its local and remote addresses as resolved for it. */
interface EndpointPair {
  family: number;
  proto: number;
  local: unknown;
  remote: unknown;
}

/**
 * The socket of an IP endpoint, as asyncio makes it: each address (a 2-tuple)
 * resolved (`_ensure_resolved`), the results joined by (family, protocol), and
 * a socket tried for each pair that has both addresses asked for, in order,
 * until one binds and connects; the first error if none does. With
 * allow_broadcast the remote address is the transport's default destination,
 * not connected to. Returns the socket and the remote address.
 */
async function endpointSocket(local: unknown, remote: unknown, options: Partial<DatagramOptions>): Promise<[Socket, unknown]> {
  const family = intKeyword(options.family, 0) as number;
  const proto = intKeyword(options.proto, 0) as number;
  let pairs: EndpointPair[];
  if (!pyTruth(local) && !pyTruth(remote)) {
    if (family === 0) throw new RangeError('unexpected address family');
    pairs = [{ family, proto, local: null, remote: null }];
  } else {
    const byKey = new Map<string, EndpointPair>();
    for (const [which, addr] of [['local', local], ['remote', remote]] as const) {
      if (addr === null) continue;
      if (!(Array.isArray(addr) && addr.length === 2)) throw new TypeError('2-tuple is expected');
      const infos = await ensureResolved(addr, { family, type: C.SOCK_DGRAM, proto, flags: intKeyword(options.flags, 0) as number }, undefined);
      if (infos.length === 0) throw new OSError('getaddrinfo() returned empty list');
      for (const [fam, , pro, , address] of infos) {
        const key = `${fam} ${pro}`;
        const pair = byKey.get(key) ?? { family: fam, proto: pro, local: null, remote: null };
        byKey.set(key, pair);
        pair[which] = address;
      }
    }
    pairs = [...byKey.values()].filter((p) => !((local !== null && p.local === null) || (remote !== null && p.remote === null)));
    if (pairs.length === 0) throw new RangeError('can not get address information');
  }
  const errors: unknown[] = [];
  for (const pair of pairs) {
    const sock = new Socket<string>(pair.family, C.SOCK_DGRAM, pair.proto);
    try {
      await setUp(sock, pair.local, pyTruth(options.allow_broadcast) ? null : pair.remote, options);
      return [sock, pair.remote];
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      errors.push(e);
    }
  }
  throw errors[0];
}

/**
 * The socket of a Unix endpoint (family AF_UNIX), as asyncio makes it: string
 * addresses only, and a stale socket file at the local path removed first.
 * Returns the socket and the remote address.
 */
async function unixEndpoint(local: unknown, remote: unknown, options: Partial<DatagramOptions>): Promise<[Socket, unknown]> {
  for (const addr of [local, remote]) if (addr !== null && typeof addr !== 'string') throw new TypeError('string is expected');
  if (pyTruth(local)) removeStaleSocket(local as string);
  const sock = new Socket<string>(C.AF_UNIX, C.SOCK_DGRAM, intKeyword(options.proto, 0) as number);
  const to = pyTruth(remote) ? remote : null;
  await setUp(sock, pyTruth(local) ? local : null, pyTruth(options.allow_broadcast) ? null : to, options);
  return [sock, to];
}

/**
 * asyncio's removal of a stale socket file before a Unix socket binds `path`:
 * a socket file there goes, anything else stays (the bind then fails). A Linux
 * abstract name (a leading NUL, as a string or as bytes) has no file. Returns
 * whether `path` is abstract.
 */
export function removeStaleSocket(path: string | Uint8Array): boolean {
  const first: unknown = path[0];
  const abstract = first === '\0' || first === 0;
  if (abstract) return true;
  try {
    if (fs.statSync(path as fs.PathLike).isSocket()) fs.unlinkSync(path as fs.PathLike);
  } catch {
    // Not there, or not ours to look at: the bind will say.
  }
  return false;
}

/** Sets a new endpoint's socket up (the socket options asked for, non-blocking, bound, connected); closed if that fails. */
async function setUp(sock: Socket, local: unknown, remote: unknown, options: Partial<DatagramOptions>): Promise<void> {
  try {
    if (pyTruth(options.reuse_port)) sock.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
    if (pyTruth(options.allow_broadcast)) sock.setsockopt(C.SOL_SOCKET, C.SO_BROADCAST, 1);
    sock.setblocking(false);
    if (local !== null) sock.bind(local as AddressArgOf<string>);
    if (remote !== null) await sock_connect(sock, remote as AddressArgOf<string>);
  } catch (e) {
    sock.close();
    throw e;
  }
}

/** The options that make the socket, which a given `sock` already is: asyncio's order, for its message. */
const SOCKET_MODIFIERS = ['local_addr', 'remote_addr', 'family', 'proto', 'flags', 'reuse_port', 'allow_broadcast'] as const;

/** asyncio's refusal of a `sock` given with options that would have made it: they would be ignored. */
function checkNoModifiers(options: DatagramOptions): void {
  // Python's truth: an option given as 0, false or None is no problem.
  const problems = SOCKET_MODIFIERS.filter((name) => pyTruth(options[name])).map((name) => `${name}=${pyStr(options[name])}`);
  if (problems.length !== 0) throw new RangeError(`socket modifier keyword arguments can not be used when sock is specified. (${problems.join(', ')})`);
}

/**
 * asyncio's `loop.create_datagram_endpoint(protocol_factory, local_addr=None,
 * remote_addr=None, *, family, proto, flags, reuse_port, allow_broadcast,
 * sock)`: `[transport, protocol]`. With `family: AF_UNIX` the addresses are
 * Unix socket paths (strings), a stale socket file at `local_addr` removed.
 */
export async function create_datagram_endpoint<P extends DatagramProtocol>(
  ...args: WithOptions<
    [protocol_factory: () => P],
    [local_addr: DatagramAddress | undefined, remote_addr: DatagramAddress | undefined],
    DatagramOptions
  >
): Promise<[DatagramTransport, P]> {
  const [[protocol_factory, localArg, remoteAddr], options] = keywords<[() => P, DatagramAddress?, DatagramAddress?], DatagramOptions>(
    args,
    { name: 'create_datagram_endpoint', min: 1, max: 3, keywords: DATAGRAM_KEYWORDS },
  );
  for (const [name, given] of [['local_addr', localArg], ['remote_addr', remoteAddr]] as const) {
    if (given !== undefined && options[name] !== undefined) throw new TypeError(`create_datagram_endpoint() got multiple values for argument '${name}'`);
  }
  let sock: Socket;
  let remote: unknown = null;
  if (options.sock !== undefined && options.sock !== null) {
    if (options.sock.type !== C.SOCK_DGRAM) throw new RangeError(`A UDP Socket was expected, got ${String(options.sock)}`);
    checkNoModifiers({ ...options, local_addr: localArg ?? options.local_addr, remote_addr: remoteAddr ?? options.remote_addr });
    sock = options.sock;
  } else {
    const local = localArg ?? options.local_addr ?? null;
    const remoteArg = remoteAddr ?? options.remote_addr ?? null;
    // Paths only with family AF_UNIX, as asyncio's: a string otherwise is its TypeError, '2-tuple is expected'.
    // (Where the platform has no AF_UNIX, as asyncio's hasattr check: no family is then AF_UNIX.)
    const unix = C.AF_UNIX !== undefined && intKeyword(options.family, 0) === C.AF_UNIX && (pyTruth(local) || pyTruth(remoteArg));
    [sock, remote] = await (unix ? unixEndpoint : endpointSocket)(local, remoteArg, options);
  }
  sock.setblocking(false);
  let protocol: P;
  try {
    protocol = protocol_factory();
  } catch (e) {
    // A socket made here is closed with the error; a given one stays the caller's.
    if (sock !== options.sock) sock.close();
    throw e;
  }
  const transport = new DatagramTransport(sock, protocol, remote);
  transport.start();
  return [transport, protocol];
}
