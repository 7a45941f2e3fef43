// The addon: the N-API functions of crates/node, loaded by the platform loader
// in native/index.js. Only the facade calls these; they take fd numbers and
// primitive arguments, and throw errors that errors.ts decodes.

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

export interface Native {
  socketCreate(family: number, type: number, proto: number): number;
  socketAdopt(fd: number): [number, number, number];
  socketpair(family: number, type: number, proto: number): [number, number];
  close(fd: number): void;
  dup(fd: number): number;
  getInheritable(fd: number): boolean;
  setInheritable(fd: number, inheritable: boolean): void;
  setNonblocking(fd: number, nonblocking: boolean): void;
  bind(fd: number, family: number, host: Host, a: number, b: number, c: number, extra?: Uint8Array | null): void;
  connect(fd: number, timeout: number, family: number, host: Host, a: number, b: number, c: number, extra?: Uint8Array | null): void;
  connectEx(fd: number, timeout: number, family: number, host: Host, a: number, b: number, c: number, extra?: Uint8Array | null): number;
  listen(fd: number, backlog: number): void;
  accept(fd: number, timeout: number): [number, NativeAddress];
  shutdown(fd: number, how: number): void;
  getsockname(fd: number): NativeAddress;
  getpeername(fd: number): NativeAddress;
  send(fd: number, data: Uint8Array, flags: number, timeout: number): number;
  sendall(fd: number, data: Uint8Array, flags: number, timeout: number): void;
  sendto(fd: number, data: Uint8Array, flags: number, timeout: number, family: number, host: Host, a: number, b: number, c: number, extra?: Uint8Array | null): number;
  recv(fd: number, nbytes: number, flags: number, timeout: number): Buffer;
  recvInto(fd: number, buf: Uint8Array, nbytes: number, flags: number, timeout: number): number;
  recvfrom(fd: number, nbytes: number, flags: number, timeout: number): [Buffer, NativeAddress];
  recvfromInto(fd: number, buf: Uint8Array, nbytes: number, flags: number, timeout: number): [number, NativeAddress];
  getsockoptInt(fd: number, level: number, opt: number): number;
  getsockoptBytes(fd: number, level: number, opt: number, buflen: number): Buffer;
  setsockopt(fd: number, level: number, opt: number, value: Uint8Array | null, optlen: number): void;
  constants(): Record<string, number>;
  errnoTable(): Record<string, number>;
  errnoName(errno: number): string | null;
  strerror(errno: number): string;
  gaiStrerror(code: number): string;
  gethostname(): string;
  siginterrupt(signum: number, flag: boolean): boolean;
  inetPton(family: number, text: string): Buffer;
  inetNtop(family: number, packed: Uint8Array): string;
  inetAton(text: string): Buffer;
  inetNtoa(packed: Uint8Array): string;
  getaddrinfo(host: string | null, port: string | null, family: number, type: number, proto: number, flags: number): [number, number, number, string, NativeAddress][];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const native: Native = require('../../native/index.js') as Native;
