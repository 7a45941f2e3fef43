// Python's argument conversions (the PyArg_Parse formats the socket module
// uses): integers, C ints and bytes-like objects, with Python's TypeError and
// OverflowError messages, and Python's name for a value's type in them.

/** Python's name for the type of a JS value, for messages. */
export function pyType(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'function') return 'function';
  return 'dict';
}

/**
 * Python's truth of a value (`if flag:`): false for None (null, undefined), false, a zero, and an
 * empty str, bytes, list or tuple; true for anything else, NaN too (Python's float('nan') is true).
 */
export function pyTruth(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length !== 0;
  if (Array.isArray(v)) return v.length !== 0;
  if (ArrayBuffer.isView(v)) return v.byteLength !== 0;
  return typeof v === 'boolean' || typeof v === 'bigint' ? Boolean(v) : true;
}

/** A keyword flag: its default when not given (undefined), else its truth in Python. */
export const flag = (v: unknown, byDefault: boolean): boolean => (v === undefined ? byDefault : pyTruth(v));

/**
 * An int keyword as Python's code goes on to use it: its default when not given (undefined); a bool
 * as the int it is (`True == AF_UNIX`), a bigint as its number; anything else, None too, as it is,
 * for the call it reaches to refuse in its own words.
 */
export function intKeyword<D>(v: unknown, byDefault: D): unknown {
  if (v === undefined) return byDefault;
  return typeof v === 'boolean' ? Number(v) : anInt(v);
}

/** An integer argument, with Python's TypeError for anything else. */
export function int(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return otherInt(v);
}

/** `int` of anything else, made apart so that `int` stays small enough for the hot calls to inline:
 * a bigint (Python's int of any size) as its number, to the callers' range checks; else Python's TypeError. */
function otherInt(v: unknown): number {
  if (typeof v === 'bigint') return bigNumber(v);
  throw new TypeError(`'${pyType(v)}' object cannot be interpreted as an integer`);
}

/** Python's C long bound (2 ** 63). */
export const LONG_MAX = 2 ** 63;

/** A bigint as the number it is (Python's int of any size, exact up to 2 ** 53); anything else as it is. */
export function anInt<T>(v: T): T | number {
  return typeof v === 'bigint' ? bigNumber(v) : v;
}

/**
 * A bigint as a number on the same side of every C bound the range checks test (2 ** 63, 2 ** 64 and
 * -(2 ** 63)), which Number() alone would round onto: 2n ** 63n - 1n is a C long, -(2n ** 63n) - 1n
 * is not. Beyond them, a number beyond every bound (Python's int of any size is too large for all).
 */
function bigNumber(v: bigint): number {
  if (v < -(2n ** 63n)) return -(2 ** 64);
  if (v >= 2n ** 64n) return 2 ** 65;
  const n = Number(v);
  if (v < 2n ** 63n && n >= 2 ** 63) return 2 ** 63 - 1024;
  if (n >= 2 ** 64) return 2 ** 64 - 2048;
  return n;
}

/** Whether `v` is Python's int: an integral number, a bool or a bigint (each caller has its own message for the rest). */
export function isInt(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'boolean' || typeof v === 'bigint';
}

/** An unsigned int as Python's `I` format takes it: any int, masked to 32 bits with no overflow check;
 * anything else is `int`'s TypeError. */
export function uintMask(v: unknown): number {
  return typeof v === 'bigint' ? Number(BigInt.asUintN(32, v)) : int(v) >>> 0;
}

/** A C int's bounds. */
export const INT_MAX = 0x7fffffff;
export const INT_MIN = -0x80000000;

/** Whether a number is within a C int. */
export const inCInt = (n: number): boolean => n >= INT_MIN && n <= INT_MAX;

/** An int within 64 bits, else Python's OverflowError (RangeError) naming the C type. */
function int64(v: unknown, cType: 'ssize_t' | 'long'): number {
  const n = int(v);
  if (n >= LONG_MAX || n < -LONG_MAX) throw new RangeError(`Python int too large to convert to C ${cType}`);
  return n;
}

/** A Py_ssize_t argument (Python's `n` format): OverflowError (RangeError) beyond 64 bits. */
export const ssize = (v: unknown): number => int64(v, 'ssize_t');

/** A C long (long long) argument: OverflowError (RangeError) beyond 64 bits. */
export const clong = (v: unknown): number => int64(v, 'long');

/** A C int as CPython's `_PyLong_AsInt` takes it (shutdown's `how`, an fd, maxevents): one
 * OverflowError (RangeError) for anything beyond 32 bits, where the `i` format (`cint`) has three. */
export function asInt(v: unknown): number {
  const n = int(v);
  if (!inCInt(n)) throw new RangeError('Python int too large to convert to C int');
  return n;
}

/** A C int argument, as Python's `i` format takes it: OverflowError (RangeError) beyond 32 bits
 * rather than a value the addon would wrap (a wrapped fd number names some other fd). */
export function cint(v: unknown): number {
  const n = clong(v);
  if (n > INT_MAX) throw new RangeError('signed integer is greater than maximum');
  if (n < INT_MIN) throw new RangeError('signed integer is less than minimum');
  return n;
}

/** A bytes-like argument (any Uint8Array, or another ArrayBuffer view as its bytes). */
export function bytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  throw notBytes(v);
}

/** A writable buffer (Python's "w*" format): any ArrayBuffer view or ArrayBuffer, as its bytes;
 * anything else is Python's TypeError naming `what` (`'recv_into() argument 1'`). */
export function writableBytes(v: unknown, what: string): Uint8Array {
  if (!ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer)) throw new TypeError(`${what} must be read-write bytes-like object, not ${argType(v)}`);
  return bytes(v);
}

/** An optional size, as io's `read(size=-1)` and `readline(size=-1)` take it (Python's
 * _Py_convert_optional_to_ssize_t): None is -1, an int itself, anything else its TypeError. */
export function optionalSize(v: unknown): number {
  if (v === null || v === undefined) return -1;
  if (!isInt(v)) throw new TypeError(`argument should be integer or None, not '${pyType(v)}'`);
  const n = int(v);
  if (n >= LONG_MAX || n < -LONG_MAX) throw new RangeError("cannot fit 'int' into an index-sized integer");
  return n;
}

/** `bytes`'s TypeError, made apart as `int`'s is. */
function notBytes(v: unknown): TypeError {
  return new TypeError(`a bytes-like object is required, not '${pyType(v)}'`);
}

/** The items of a value Python can unpack or index as a sequence: an array as it is, a str's
 * characters, a bytes' ints; null for anything else (each caller has Python's own message). */
export function sequenceItems(v: unknown): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof Uint8Array) return Array.from(v);
  return null;
}

/** Python's name for a type in "must be str, not X" messages (None, not NoneType). */
export function argType(v: unknown): string {
  return v === null || v === undefined ? 'None' : pyType(v);
}

/** `String.prototype.isWellFormed`, where the runtime has it (Node 20+). */
const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

/** The first lone surrogate of `s` (which UTF-8 cannot hold), as `[its code in hex, its position in code points]`; null if none. */
export function loneSurrogate(s: string): [code: string, index: number] | null {
  if (isWellFormed !== undefined && isWellFormed.call(s)) return null;
  const m = /\p{Surrogate}/u.exec(s);
  // Python counts characters: the code points before it.
  return m === null ? null : [m[0].charCodeAt(0).toString(16), Array.from(s.slice(0, m.index)).length];
}

/** Python's UnicodeEncodeError for a lone surrogate, which UTF-8 cannot hold. */
export function wellFormed(s: string): string {
  const bad = loneSurrogate(s);
  if (bad !== null) throw new RangeError(`'utf-8' codec can't encode character '\\u${bad[0]}' in position ${bad[1]}: surrogates not allowed`);
  return s;
}

/** A `str` argument (Python's `s` format): a string without NUL. */
export function str(v: unknown, caller: string, position: number): string {
  if (typeof v !== 'string') throw new TypeError(`${caller}() argument ${position} must be str, not ${argType(v)}`);
  // Python encodes it to UTF-8 first (a lone surrogate fails there), then looks for a NUL.
  wellFormed(v);
  if (v.includes('\0')) throw new RangeError('embedded null character');
  return v;
}
