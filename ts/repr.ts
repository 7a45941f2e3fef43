// Python's repr() of the values bsdsock deals in, for messages that quote them
// as Python does: arrays are tuples, Buffers bytes, null None.

import { inspect } from 'node:util';

/** The quote Python's repr picks: single, unless the text has one and no double. */
function quoteFor(hasSingle: boolean, hasDouble: boolean): string {
  return hasSingle && !hasDouble ? '"' : "'";
}

/** One character (a code point) as it appears between the quotes of a repr. */
function escape(code: number, quote: string, bytes: boolean): string {
  if (code === 0x5c) return '\\\\';
  if (code === quote.charCodeAt(0)) return `\\${quote}`;
  if (code === 0x09) return '\\t';
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code < 0x20 || code === 0x7f || (bytes && code > 0x7f) || (code >= 0x80 && code < 0xa0)) {
    return `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return String.fromCodePoint(code);
}

/** Python's repr of a str. */
export function strRepr(s: string): string {
  const quote = quoteFor(s.includes("'"), s.includes('"'));
  let body = '';
  for (const ch of s) body += escape(ch.codePointAt(0)!, quote, false);
  return quote + body + quote;
}

/** Python's repr of bytes: printable ASCII as is, the rest escaped. */
export function bytesRepr(b: Uint8Array): string {
  const quote = quoteFor(b.includes(0x27), b.includes(0x22));
  let body = '';
  for (const c of b) body += escape(c, quote, true);
  return `b${quote}${body}${quote}`;
}

/** Python's repr of a float: `2.0`, `-0.5`, `1e-05`, `1e+16`, `inf`, `nan`. */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [digits, exp] = n.toExponential().split('e') as [string, string];
    const e = Number(exp);
    return `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (Number.isInteger(n)) return Object.is(n, -0) ? '-0.0' : `${n}.0`;
  return String(n);
}

/** Python's repr of the int or float a number stands for: an integral number's every digit (1e300's
 * too, as the int it is), else a float's. */
export function numberRepr(n: number): string {
  return Number.isInteger(n) ? BigInt(n).toString() : floatRepr(n);
}

/** Python's repr of a value as bsdsock takes or returns it (a number with a fraction, an infinity or NaN a float's). */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(', ')})`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatRepr(v);
  if (typeof v === 'bigint') return String(v);
  return inspect(v);
}

/** Python's str(): a string as it is, anything else as its repr. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}
