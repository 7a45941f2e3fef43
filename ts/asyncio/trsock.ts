// asyncio's TransportSocket (asyncio/trsock.py): what a transport's
// get_extra_info('socket') and a Server's `sockets` give. It stands for the
// socket a transport or server owns, and offers only what cannot take the
// socket from under it: its fd, options, addresses, shutdown() and a dup().
// There is no close(), no send or receive, and the socket cannot be made
// blocking. Python's has the same methods and says the same errors (a ValueError
// there is a RangeError here).

import { inspect } from 'node:util';
import { type AddressOf, type Family } from '../address';
import { pyTruth } from '../convert';
import { reprAddresses, type Socket } from '../socket';

/** asyncio's `TransportSocket`: a transport's or server's socket, with only the calls that leave it working. */
export class TransportSocket<F extends string = string> {
  readonly #sock: Socket<F>;

  /** Wraps `sock`, which the caller keeps owning. Python: `asyncio.trsock.TransportSocket`. */
  constructor(sock: Socket<F>) {
    this.#sock = sock;
  }

  /** The socket's address family. Python: `TransportSocket.family`. */
  get family(): Family<F> {
    return this.#sock.family;
  }
  /** The socket's type. Python: `TransportSocket.type`. */
  get type(): number {
    return this.#sock.type;
  }
  /** The socket's protocol. Python: `TransportSocket.proto`. */
  get proto(): number {
    return this.#sock.proto;
  }

  /** The socket's fd; -1 once the transport closed it. Python: `TransportSocket.fileno`. */
  fileno(): number {
    return this.#sock.fileno();
  }
  /** A new socket of the same fd, duplicated: the caller's own to close. Python: `TransportSocket.dup`. */
  dup(): Socket<F> {
    return this.#sock.dup();
  }
  /** Whether child processes inherit the fd. Python: `TransportSocket.get_inheritable`. */
  get_inheritable(): boolean {
    return this.#sock.get_inheritable();
  }
  /** Shuts down one or both directions (SHUT_RD, SHUT_WR, SHUT_RDWR). Python: `TransportSocket.shutdown`. */
  shutdown(how: number): void {
    this.#sock.shutdown(how);
  }

  /** An option's value: an int, or its bytes when `buflen` is given. Python: `TransportSocket.getsockopt`. */
  getsockopt(level: number, optname: number): number;
  getsockopt(level: number, optname: number, buflen: number): Buffer;
  getsockopt(level: number, optname: number, buflen?: number): number | Buffer {
    return buflen === undefined ? this.#sock.getsockopt(level, optname) : this.#sock.getsockopt(level, optname, buflen);
  }
  /** Sets an option: an int or bool, bytes, or null with `optlen`. Python: `TransportSocket.setsockopt`. */
  setsockopt(level: number, optname: number, value: number | boolean | Uint8Array | null, optlen?: number): void {
    this.#sock.setsockopt(level, optname, value, optlen);
  }

  /** The socket's own address. Python: `TransportSocket.getsockname`. */
  getsockname(): AddressOf<F> {
    return this.#sock.getsockname();
  }
  /** The peer's address. Python: `TransportSocket.getpeername`. */
  getpeername(): AddressOf<F> {
    return this.#sock.getpeername();
  }

  /** 0: non-blocking, as a transport's socket always is. Python: `TransportSocket.gettimeout`. */
  gettimeout(): number | null {
    return this.#sock.gettimeout();
  }
  /** Only 0 is allowed (the socket already is non-blocking); anything else is a RangeError. Python: `TransportSocket.settimeout`. */
  settimeout(value: number | null): void {
    // Python's `value == 0`: False and a bigint 0 are 0 too.
    const v: unknown = value;
    if (v === 0 || v === false || v === 0n) return;
    throw new RangeError('settimeout(): only 0 timeout is allowed on transport sockets');
  }
  /** Only a false flag is allowed (the socket stays non-blocking); a true one is a RangeError. Python: `TransportSocket.setblocking`. */
  setblocking(flag: boolean): void {
    if (!pyTruth(flag)) return;
    throw new RangeError('setblocking(): transport sockets cannot be blocking');
  }

  /** Python's repr: `<asyncio.TransportSocket fd=6, family=2, type=1, proto=6, laddr=('127.0.0.1', 8888)>`. */
  [inspect.custom](): string {
    const fd = this.fileno();
    const addresses = fd === -1 ? '' : reprAddresses(fd);
    return `<asyncio.TransportSocket fd=${fd}, family=${this.family}, type=${this.type}, proto=${this.proto}${addresses}>`;
  }

  /** Python's repr (see `[inspect.custom]`). */
  toString(): string {
    return this[inspect.custom]();
  }
}
