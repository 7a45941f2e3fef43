// The socket calls Python has on Windows only: socket.ioctl, socket.share and
// socket.fromshare. Here each call's arguments are checked as CPython's
// sock_ioctl, sock_share and sock_initobj check them, and ioctl's option is
// made into the bytes WSAIoctl takes. On another platform each is a TypeError
// that names it (Python has no such attribute there), as select.epoll is off Linux.

import { Buffer } from 'node:buffer';
import * as C from './constants';
import { pyType, uintMask } from './convert';

/** sizeof(WSAPROTOCOL_INFOW), the size of share()'s bytes: 628 on every
 * Windows (the struct holds no pointer, so 32 and 64 bits agree). */
export const SHARE_SIZE = 628;


/** Python's `k` format: an int only (a bool is one), masked to 32 bits. */
function ulongMask(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(BigInt.asUintN(32, v));
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`ioctl() ${what} must be int, not ${pyType(v)}`);
  return v >>> 0;
}

/** ULONGs in a row, little-endian, as Windows lays out struct tcp_keepalive. */
function ulongs(values: number[]): Buffer {
  const buf = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => buf.writeUInt32LE(v, 4 * i));
  return buf;
}

/** SIO_KEEPALIVE_VALS's option, `(onoff, keepalivetime, keepaliveinterval)`, as Python's `(kkk)`. */
function keepalive(option: unknown): Buffer {
  // A str is a sequence to Python (of one-character strs): it fails on its first item, as there.
  if (!Array.isArray(option) && typeof option !== 'string') {
    throw new TypeError(`ioctl() argument 2 must be 3-item sequence, not ${pyType(option)}`);
  }
  if (option.length !== 3) throw new TypeError(`ioctl() argument 2 must be sequence of length 3, not ${option.length}`);
  return ulongs(Array.from(option as ArrayLike<unknown>, (v: unknown, i) => ulongMask(v, `argument 2, item ${i}`)));
}

/** ioctl's control code and option bytes, checked as CPython's sock_ioctl: `given` is how many arguments came. */
export function ioctlInput(given: number, control: unknown, option: unknown): [number, Buffer] {
  if (given !== 2) throw new TypeError(`ioctl() takes exactly 2 arguments (${given} given)`);
  const cmd = ulongMask(control, 'argument 1');
  switch (cmd) {
    case C.SIO_RCVALL:
    case C.SIO_LOOPBACK_FAST_PATH:
      return [cmd, ulongs([uintMask(option)])];
    case C.SIO_KEEPALIVE_VALS:
      return [cmd, keepalive(option)];
    default:
      throw new RangeError(`invalid ioctl command ${cmd}`);
  }
}

/** share()'s process id, as Python's `I`. */
export function processId(pid: unknown): number {
  return uintMask(pid);
}

/** fromshare()'s bytes, checked for their size as Python checks them. */
export function shareBytes(data: Uint8Array): Uint8Array {
  if (data.byteLength !== SHARE_SIZE) {
    throw new RangeError(`socket descriptor string has wrong size, should be ${SHARE_SIZE} bytes.`);
  }
  return data;
}
