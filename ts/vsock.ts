// AF_VSOCK's socket options, as Python (Linux) treats them: every option of
// a vsock socket is a 64-bit unsigned value (SO_VM_SOCKETS_BUFFER_SIZE and its
// kin are u64 in the kernel), so setsockopt takes only an int, wrapped to 64
// bits (Python's "K" format), and getsockopt only reads one: no bytes either way.

import { pyType } from './convert';
import { OSError, takeError } from './errors';
import { native } from './native';

/** `fd` gives the socket's fd or throws EBADF: called after the arguments are checked, as Python checks them first. */

/** setsockopt(level, opt, value) on a vsock socket: `value` an int (or a bool), sent as a host-endian u64. */
export function setsockopt(fd: () => number, level: number, optname: number, value: unknown, optlen: unknown): void {
  if (optlen !== undefined) throw new TypeError('setsockopt() takes exactly 3 arguments (4 given)');
  let n: bigint;
  if (typeof value === 'boolean') n = value ? 1n : 0n;
  else if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else throw new TypeError(`setsockopt() argument 3 must be int, not ${pyType(value)}`);
  const raw = new Uint8Array(new BigUint64Array([BigInt.asUintN(64, n)]).buffer);
  if (!native.setsockopt(fd(), level, optname, raw, raw.byteLength)) throw takeError();
}

/** getsockopt(level, opt) on a vsock socket: the option read as a u64 (an int option fills its low half, as in Python). */
export function getsockopt(fd: () => number, level: number, optname: number, buflen: number): number {
  if (buflen !== 0) throw new OSError('getsockopt string buffer not allowed');
  const got = native.getsockoptBytes(fd(), level, optname, 8);
  if (got === null) throw takeError();
  // Zero-filled past what the kernel wrote, as Python's zeroed uint64_t is.
  const word = new Uint8Array(8);
  word.set(got);
  // Read in host order, as setsockopt writes it. Exact up to 2 ** 53, past any buffer size the kernel takes.
  return Number(new BigUint64Array(word.buffer)[0]);
}
