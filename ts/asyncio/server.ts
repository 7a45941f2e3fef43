// asyncio's Server and create_server / create_unix_server: listening sockets
// that accept, on Node's event loop, into a Transport per connection.

import { keywordNames, keywords, type WithOptions } from '../keywords';
import * as fs from 'node:fs';
import { Buffer } from 'node:buffer';

import { type AddressArgOf } from '../address';
import * as C from '../constants';
import { errnos, isWouldBlock, OSError, RuntimeError } from '../errors';
import { pyRepr } from '../repr';
import { flag, intKeyword, pyTruth } from '../convert';
import { Socket } from '../socket';
import { TransportSocket } from './trsock';
import { checkStream, checkUnixStream, fspath, removeStaleSocket } from './connections';
import { hold, onFdGone, READ, reportLater, setCallback } from './loop';
import type { StreamProtocol } from './protocols';
import { ensureResolved } from './resolver';
import { Transport } from './transports';

/** asyncio's keyword-only arguments of `create_server`. */
export interface ServerOptions {
  sock?: Socket | null;
  family?: number;
  flags?: number;
  backlog?: number;
  reuse_address?: boolean;
  reuse_port?: boolean;
  /** Whether the server accepts at once (default true). */
  start_serving?: boolean;
}

const SERVER_KEYWORDS = keywordNames<ServerOptions>({
  sock: true,
  family: true,
  flags: true,
  backlog: true,
  reuse_address: true,
  reuse_port: true,
  start_serving: true,
});

/** accept() errors after which asyncio pauses accepting for a second. */
const OUT_OF_RESOURCES = new Set([errnos.EMFILE, errnos.ENFILE, errnos.ENOBUFS, errnos.ENOMEM].filter((n): n is number => typeof n === 'number'));

/** asyncio's `Server`: the listening sockets, accepting into transports. */
export class Server {
  readonly #sockets: Socket[];
  readonly #factory: () => StreamProtocol;
  readonly #backlog: number;
  readonly #cleanup: (() => void) | null;
  #serving = false;
  #closed = false;
  #active = 0;
  #release: (() => void) | null = null;
  #waiters: (() => void)[] = [];
  #forever: ((v: void) => void) | null = null;

  constructor(sockets: Socket[], factory: () => StreamProtocol, backlog: number, cleanup: (() => void) | null) {
    this.#sockets = sockets;
    this.#factory = factory;
    this.#backlog = backlog;
    this.#cleanup = cleanup;
  }

  /** asyncio's `Server.sockets`: the listening sockets, as TransportSockets (empty once closed). */
  get sockets(): TransportSocket[] {
    return this.#closed ? [] : this.#sockets.map((s) => new TransportSocket(s));
  }

  /** asyncio's `is_serving()`. */
  is_serving(): boolean {
    return this.#serving;
  }

  /** asyncio's `start_serving()`: starts accepting (and keeps the process alive while it does). */
  async start_serving(): Promise<void> {
    if (this.#serving || this.#closed) return;
    this.#serving = true;
    this.#release = hold();
    // A server whose every socket was closed under it can never accept again: it stops keeping
    // the process alive (is_serving() stays true and close() is still needed, as in asyncio).
    let listening = this.#sockets.length;
    const gone = (): void => {
      if (--listening === 0) this.#letGo();
    };
    for (const s of this.#sockets) {
      onFdGone(s.fileno(), gone);
      setCallback(s.fileno(), true, READ, () => this.#accept(s));
    }
  }

  #letGo(): void {
    this.#release?.();
    this.#release = null;
  }

  #accept(listener: Socket): void {
    for (let i = 0; i < this.#backlog && this.#serving; i++) {
      let conn: Socket;
      try {
        [conn] = listener.accept();
      } catch (e) {
        if (!(e instanceof OSError) || isWouldBlock(e)) return;
        if (e.errno !== null && OUT_OF_RESOURCES.has(e.errno)) {
          // asyncio: stop accepting for a second (the connection would wake the loop over and over).
          const fd = listener.fileno();
          setCallback(fd, true, READ, null);
          setTimeout(() => {
            if (this.#serving && listener.fileno() === fd) setCallback(fd, true, READ, () => this.#accept(listener));
          }, 1000);
          return;
        }
        // ECONNABORTED and the like: that connection is gone; asyncio goes on.
        continue;
      }
      conn.setblocking(false);
      this.#active++;
      let transport: Transport | null = null;
      try {
        const protocol = this.#factory();
        transport = new Transport(conn, protocol);
        transport.onGone = () => this.#detach();
        transport.start();
      } catch (e) {
        // A connection_made that threw: the transport closes the connection, and is gone (once)
        // through onGone, as any other; one never made leaves the socket to close here.
        if (transport !== null) transport.abort();
        else {
          conn.close();
          this.#detach();
        }
        reportLater(e);
      }
    }
  }

  #detach(): void {
    this.#active--;
    this.#wake();
  }

  #wake(): void {
    if (!this.#closed || this.#active !== 0) return;
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** asyncio's `close()`: stops listening; the connections made stay open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#serving = false;
    for (const s of this.#sockets) s.close();
    this.#cleanup?.();
    this.#letGo();
    this.#forever?.();
    this.#forever = null;
    this.#wake();
  }

  /** asyncio's `wait_closed()`: resolves once closed and every connection it made is gone. */
  wait_closed(): Promise<void> {
    if (this.#closed && this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** asyncio's `serve_forever()`: serves until close() (resolves then). */
  serve_forever(): Promise<void> {
    if (this.#forever !== null) return Promise.reject(new RuntimeError(`server ${String(this)} is already being awaited on serve_forever()`));
    if (this.#closed) return Promise.reject(new RuntimeError(`server ${String(this)} is closed`));
    const forever = new Promise<void>((resolve) => (this.#forever = resolve));
    void this.start_serving();
    return forever;
  }

  /** `await using server = ...`: closes the server and waits until it is closed. Python: `asyncio.Server.__aexit__`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.wait_closed();
  }

  /** `<Server sockets=(...)>`, as asyncio's repr(): the sockets as TransportSockets, in a tuple (none once closed). */
  toString(): string {
    const items = this.sockets.map(String);
    return `<Server sockets=(${items.join(', ')}${items.length === 1 ? ',' : ''})>`;
  }
}

/**
 * asyncio's `loop.create_server(protocol_factory, host=None, port=None, *,
 * family, flags=AI_PASSIVE, sock, backlog=100, reuse_address, reuse_port,
 * start_serving=True)`: a Server listening on every address of `host`.
 */
export async function create_server(
  ...args: WithOptions<
    [protocol_factory: () => StreamProtocol],
    [host: string | string[] | null | undefined, port: number | string | null | undefined],
    ServerOptions
  >
): Promise<Server> {
  const [[protocol_factory, host = null, port = null], options] = keywords<[() => StreamProtocol, (string | string[] | null)?, (number | string | null)?], ServerOptions>(
    args,
    { name: 'create_server', min: 1, max: 3, keywords: SERVER_KEYWORDS },
  );
  const backlog = intKeyword(options.backlog, 100) as number;
  let sockets: Socket[];
  const given = options.sock !== undefined && options.sock !== null;
  if (host === null && port === null && !given) throw new RangeError('Neither host/port nor sock were specified');
  if (given) {
    if (host !== null || port !== null) throw new RangeError('host/port and sock can not be specified at the same time');
    checkStream(options.sock!);
    sockets = [options.sock!];
  } else {
    // asyncio's: '' is every interface, a str or what is no iterable one host, an iterable its hosts
    // (bytes too, whose items are ints: each then the TypeError of a host that is no str).
    const h: unknown = host;
    const hosts: unknown[] = h === null || h === '' ? [null] : Array.isArray(h) ? h : h instanceof Uint8Array ? [...h] : [h];
    const seen = new Set<string>();
    sockets = [];
    try {
      for (const h of hosts) {
        // asyncio's _ensure_resolved: a numeric host is taken as it is, its port unchecked until bind().
        const infos = await ensureResolved([h, port], { family: intKeyword(options.family, 0), type: C.SOCK_STREAM, proto: 0, flags: intKeyword(options.flags, C.AI_PASSIVE) }, undefined);
        for (const [family, type, proto, , address] of infos) {
          const key = `${family} ${JSON.stringify(address)}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const s: Socket = new Socket(family, type, proto);
          sockets.push(s);
          // asyncio's None is POSIX's default, SO_REUSEADDR set.
          if (flag(options.reuse_address ?? undefined, true)) s.setsockopt(C.SOL_SOCKET, C.SO_REUSEADDR, 1);
          if (pyTruth(options.reuse_port)) s.setsockopt(C.SOL_SOCKET, C.SO_REUSEPORT, 1);
          if (family === C.AF_INET6) s.setsockopt(C.IPPROTO_IPV6, C.IPV6_V6ONLY, 1);
          try {
            s.bind(address as AddressArgOf<string>);
          } catch (e) {
            // Only an OSError gets asyncio's message; an out-of-range port stays bind()'s OverflowError (RangeError).
            if (!(e instanceof OSError)) throw e;
            const err = e;
            const msg = `error while attempting to bind on address ${pyRepr(address)}: ${(err.strerror ?? err.message).toLowerCase()}`;
            const out = err.errno !== null ? new OSError(err.errno, msg) : new OSError(msg);
            throw Object.assign(out, { cause: e });
          }
        }
      }
    } catch (e) {
      for (const s of sockets) s.close();
      throw e;
    }
  }
  try {
    for (const s of sockets) {
      s.listen(backlog);
      s.setblocking(false);
    }
  } catch (e) {
    // A bad backlog, say: the sockets made here are closed now, not when collected (a given sock is the caller's).
    if (!given) for (const s of sockets) s.close();
    throw e;
  }
  const server = new Server(sockets, protocol_factory, backlog, null);
  if (flag(options.start_serving, true)) await server.start_serving();
  return server;
}
/** asyncio's `create_unix_server` options: `cleanup_socket` (3.13) unlinks the path on close. */
export interface UnixServerOptions {
  sock?: Socket | null;
  backlog?: number;
  start_serving?: boolean;
  cleanup_socket?: boolean;
}

const UNIX_SERVER_KEYWORDS = keywordNames<UnixServerOptions>({ sock: true, backlog: true, start_serving: true, cleanup_socket: true });

/** A Unix server socket's bind, with asyncio's message for a path in use: `Address '/p' is already in use`. */
function bindUnix(sock: Socket, path: string | Uint8Array): void {
  try {
    sock.bind(path as AddressArgOf<string>);
  } catch (e) {
    if (!(e instanceof OSError) || e.errno !== errnos.EADDRINUSE) throw e;
    throw Object.assign(new OSError(e.errno, `Address ${pyRepr(path)} is already in use`), { cause: e });
  }
}

/**
 * asyncio's `loop.create_unix_server(protocol_factory, path=None, *, sock,
 * backlog=100, start_serving=True, cleanup_socket=True)`: a stale socket file
 * at `path` is removed first, as asyncio does.
 */
export async function create_unix_server(
  ...args: WithOptions<[protocol_factory: () => StreamProtocol], [path: string | Uint8Array | null | undefined], UnixServerOptions>
): Promise<Server> {
  const [[protocol_factory, path = null], options] = keywords<[() => StreamProtocol, (string | Uint8Array | null)?], UnixServerOptions>(
    args,
    { name: 'create_unix_server', min: 1, max: 2, keywords: UNIX_SERVER_KEYWORDS },
  );
  const backlog = intKeyword(options.backlog, 100) as number;
  let sock: Socket;
  let cleanup: (() => void) | null = null;
  if (path !== null) {
    if (options.sock !== undefined && options.sock !== null) throw new RangeError('path and sock can not be specified at the same time');
    // os.fspath(path), then `path[0]` (an empty one is its IndexError, a RangeError here).
    const given = fspath(path);
    if (given.length === 0) throw new RangeError(typeof given === 'string' ? 'string index out of range' : 'index out of range');
    const abstract = removeStaleSocket(path);
    sock = new Socket(C.AF_UNIX, C.SOCK_STREAM);
    try {
      bindUnix(sock, path);
      if (flag(options.cleanup_socket, true) && !abstract) {
        const file = typeof path === 'string' ? path : Buffer.from(path);
        const ino = fs.statSync(file).ino;
        cleanup = () => {
          try {
            if (fs.statSync(file).ino === ino) fs.unlinkSync(file);
          } catch {
            // Gone already.
          }
        };
      }
      sock.listen(backlog);
    } catch (e) {
      sock.close();
      throw e;
    }
  } else {
    if (options.sock === undefined || options.sock === null) throw new RangeError('path was not specified, and no sock specified');
    sock = options.sock;
    checkUnixStream(sock);
    sock.listen(backlog);
  }
  sock.setblocking(false);
  const server = new Server([sock], protocol_factory, backlog, cleanup);
  if (flag(options.start_serving, true)) await server.start_serving();
  return server;
}
