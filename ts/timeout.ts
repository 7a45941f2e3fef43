// Python's timeout values: null blocks, 0 never waits, a positive number of
// seconds waits at most that long; and the module's default for new sockets.

import { pyType } from './convert';

/** A checked timeout, as Python's `settimeout` takes it. */
export function checkTimeout(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return Number(value);
  if (typeof value !== 'number') {
    throw new TypeError(`'${pyType(value)}' object cannot be interpreted as an integer`);
  }
  if (Number.isNaN(value)) throw new RangeError('Invalid value NaN (not a number)');
  if (value < 0) throw new RangeError('Timeout value out of range');
  // Python's clock holds int64 nanoseconds: about 292 years.
  if (!(value <= 9223372036.854775)) throw new RangeError('timestamp out of range for platform time_t');
  return value;
}

let defaultTimeout: number | null = null;

/** Python's `socket.getdefaulttimeout()`. */
export function getdefaulttimeout(): number | null {
  return defaultTimeout;
}

/** Python's `socket.setdefaulttimeout(timeout)`: the timeout of sockets made from now on. */
export function setdefaulttimeout(timeout: number | null): void {
  defaultTimeout = checkTimeout(timeout);
}
