// Python's timeout values: null blocks, 0 never waits, a positive number of
// seconds waits at most that long; and the module's default for new sockets.

import { fits, refuse, SOCKET_MODULE } from './arity';
import { pyType } from './convert';

/** Python's timeouts are int64 nanoseconds. */
const NS = 1e9;
const INT64 = 2 ** 63;

/**
 * Python's OverflowError (a RangeError) for a timeout beyond its clock, in an int's words or a
 * float's. A number the caller gave is an int if it is a safe integer, a float beyond (as
 * `1e300` is written in Python too).
 */
function timestampOverflow(isInt: boolean): RangeError {
  return new RangeError(isInt ? 'timestamp too large to convert to C _PyTime_t' : 'timestamp out of range for platform time_t');
}

/** A bigint timeout as the number it stands for: Python's int OverflowError beyond a safe integer
 * (past Python's clock in seconds and in milliseconds alike). */
export function bigTimeout(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) throw timestampOverflow(true);
  return Number(value);
}

/** The largest wait Python's clock takes: int64 nanoseconds, in seconds. */
const MAX_SECONDS = 9223372036.854775;

/** A timeout in seconds that Python's clock can hold; OverflowError (RangeError) if not, in the
 * words for an int or a float, as the caller gave it. */
export function inClockRange(seconds: number, isInt = Number.isSafeInteger(seconds)): number {
  if (!(Math.abs(seconds) <= MAX_SECONDS)) throw timestampOverflow(isInt);
  return seconds;
}

/**
 * A checked timeout, as Python's `settimeout` takes it: held as Python holds it, whole nanoseconds
 * rounded up (away from zero), so `settimeout(1e-10)` waits, and `gettimeout()` says, 1e-09.
 */
export function checkTimeout(given: unknown): number | null {
  if (given === null || given === undefined) return null;
  if (typeof given === 'boolean') return Number(given);
  const value = typeof given === 'bigint' ? bigTimeout(given) : given;
  if (typeof value !== 'number') {
    throw new TypeError(`'${pyType(value)}' object cannot be interpreted as an integer`);
  }
  if (Number.isNaN(value)) throw new RangeError('Invalid value NaN (not a number)');
  // An int is multiplied exactly (and overflows with its own message); a float is rounded.
  const whole = Number.isInteger(value);
  const ns = whole ? value * NS : value >= 0 ? Math.ceil(value * NS) : Math.floor(value * NS);
  if (!(ns >= -INT64 && ns < INT64)) throw timestampOverflow(Number.isSafeInteger(value));
  if (ns < 0) throw new RangeError('Timeout value out of range');
  return ns / NS;
}

let defaultTimeout: number | null = null;

/** Python's `socket.getdefaulttimeout()`. */
export function getdefaulttimeout(): number | null {
  fits(SOCKET_MODULE.getdefaulttimeout, arguments.length) || refuse(SOCKET_MODULE.getdefaulttimeout, arguments);
  return defaultTimeout;
}

/** Python's `socket.setdefaulttimeout(timeout)`: the timeout of sockets made from now on. */
export function setdefaulttimeout(timeout: number | null): void {
  fits(SOCKET_MODULE.setdefaulttimeout, arguments.length, timeout) || refuse(SOCKET_MODULE.setdefaulttimeout, arguments);
  defaultTimeout = checkTimeout(timeout);
}
