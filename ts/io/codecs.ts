// The text codecs of makefile()'s text files, decoded incrementally as
// Python's are: a character split between two receives waits for its rest,
// and an invalid byte is Python's UnicodeDecodeError (a RangeError here) with
// its message, or with errors='replace' / 'ignore' one U+FFFD / nothing for
// each invalid span, the spans CPython's decoders find. Positions in messages
// count from the start of the bytes one decode call saw (the held-back bytes
// first), as in Python's incremental decoders.

import { Buffer, isUtf8 } from 'node:buffer';

import { loneSurrogate } from '../convert';
import { LookupError } from '../errors';

/** The error handlers a text file knows; any other name is a LookupError when an error needs it. */
const HANDLERS = new Set(['strict', 'replace', 'ignore']);

/** Python's LookupError for an error handler it does not know, raised when an error first needs it. */
function unknownHandler(errors: string): LookupError {
  return new LookupError(`unknown error handler name '${errors}'`);
}

/** An incremental decoder: the text of the bytes given so far, less an incomplete character at the end until `final`. */
export interface Decoder {
  decode(chunk: Buffer, final: boolean): string;
}

/** An invalid span a codec found: `end` exclusive, and Python's reason. */
interface Bad {
  start: number;
  end: number;
  reason: string;
}

/**
 * Python's UnicodeDecodeError message: "'utf-8' codec can't decode byte 0xff in position 2: invalid
 * start byte", or "bytes in position 2-3" for a longer span.
 */
function decodeError(codec: string, data: Buffer, bad: Bad): RangeError {
  const where =
    bad.end - bad.start === 1
      ? `byte 0x${data[bad.start]!.toString(16).padStart(2, '0')} in position ${bad.start}`
      : `bytes in position ${bad.start}-${bad.end - 1}`;
  return new RangeError(`'${codec}' codec can't decode ${where}: ${bad.reason}`);
}

/**
 * A decoder made of a codec's `scan`, which says of `data` from `at` how long the valid run is, and
 * then what stops it: an invalid span, or the incomplete character that ends the data (kept until
 * more comes, an error when `final`).
 */
class ScanningDecoder implements Decoder {
  #held: Buffer = Buffer.alloc(0);

  constructor(
    readonly codec: string,
    readonly errors: string,
    /** The valid text of `data` from `at` up to the next stop, that stop's index, and the stop (null at the end). */
    readonly scan: (data: Buffer, at: number, final: boolean) => [text: string, stop: number, bad: Bad | null],
  ) {}

  decode(chunk: Buffer, final: boolean): string {
    const data = this.#held.length === 0 ? chunk : Buffer.concat([this.#held, chunk]);
    let text = '';
    let at = 0;
    for (;;) {
      const [valid, stop, bad] = this.scan(data, at, final);
      text += valid;
      if (bad === null) {
        // What is left from `stop` is an incomplete character, kept for the next chunk.
        this.#held = Buffer.from(data.subarray(stop));
        return text;
      }
      if (this.errors === 'strict' || !HANDLERS.has(this.errors)) {
        this.#held = Buffer.alloc(0);
        throw this.errors === 'strict' ? decodeError(this.codec, data, bad) : unknownHandler(this.errors);
      }
      if (this.errors === 'replace') text += '\ufffd';
      at = bad.end;
    }
  }
}

/** How many bytes a UTF-8 sequence starting with `b` has (0: `b` starts none). */
function utf8Length(b: number): number {
  return b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;
}

/** Whether `b` may follow `lead` as the second byte (no overlong form, surrogate, or code point above U+10FFFF). */
function utf8Second(lead: number, b: number): boolean {
  if (lead === 0xe0) return b >= 0xa0 && b <= 0xbf;
  if (lead === 0xed) return b >= 0x80 && b <= 0x9f;
  if (lead === 0xf0) return b >= 0x90 && b <= 0xbf;
  if (lead === 0xf4) return b >= 0x80 && b <= 0x8f;
  return b >= 0x80 && b <= 0xbf;
}

/** UTF-8 as CPython decodes it: the maximal invalid subparts, and its three reasons. */
function scanUtf8(data: Buffer, at: number, final: boolean): [string, number, Bad | null] {
  // The common case first, all of it valid; else (an invalid byte, or a character cut off at the end) a walk to the first stop.
  if (isUtf8(data.subarray(at))) return [data.toString('utf8', at), data.length, null];
  let i = at;
  while (i < data.length) {
    const lead = data[i]!;
    const n = utf8Length(lead);
    if (n === 0) return [data.toString('utf8', at, i), i, { start: i, end: i + 1, reason: 'invalid start byte' }];
    let k = 1;
    while (k < n && i + k < data.length && (k === 1 ? utf8Second(lead, data[i + 1]!) : (data[i + k]! & 0xc0) === 0x80)) k++;
    if (k === n) {
      i += n;
      continue;
    }
    const text = data.toString('utf8', at, i);
    if (i + k < data.length) return [text, i, { start: i, end: i + k, reason: 'invalid continuation byte' }];
    // The data ends inside the character.
    return final ? [text, i, { start: i, end: data.length, reason: 'unexpected end of data' }] : [text, i, null];
  }
  return [data.toString('utf8', at), data.length, null];
}

/** ASCII: each byte above 0x7f is invalid alone. */
function scanAscii(data: Buffer, at: number): [string, number, Bad | null] {
  let i = at;
  while (i < data.length && data[i]! < 0x80) i++;
  const text = data.toString('latin1', at, i);
  return i < data.length ? [text, i, { start: i, end: i + 1, reason: 'ordinal not in range(128)' }] : [text, i, null];
}

/** UTF-16-LE as CPython decodes it: pairs of units, a lone surrogate invalid, an odd byte at the end truncated data. */
function scanUtf16le(data: Buffer, at: number, final: boolean): [string, number, Bad | null] {
  let i = at;
  const stop = (bad: Bad | null): [string, number, Bad | null] => [data.toString('utf16le', at, i), i, bad];
  while (i + 1 < data.length) {
    const unit = data.readUInt16LE(i);
    if (unit < 0xd800 || unit > 0xdfff) {
      i += 2;
      continue;
    }
    if (unit >= 0xdc00) return stop({ start: i, end: i + 2, reason: 'illegal encoding' });
    if (i + 3 >= data.length) {
      // A high surrogate whose pair has not come (yet).
      if (!final) return stop(null);
      return stop(i + 2 === data.length ? { start: i, end: i + 2, reason: 'unexpected end of data' } : { start: i, end: i + 2, reason: 'illegal UTF-16 surrogate' });
    }
    const next = data.readUInt16LE(i + 2);
    if (next < 0xdc00 || next > 0xdfff) return stop({ start: i, end: i + 2, reason: 'illegal UTF-16 surrogate' });
    i += 4;
  }
  if (i < data.length && final) return stop({ start: i, end: i + 1, reason: 'truncated data' });
  return stop(null);
}

/** The decoder of a codec (Node's name for it) with an error handler; the codec's name as Python's messages give it. */
export function decoderFor(codec: BufferEncoding, errors: string): Decoder {
  switch (codec) {
    case 'utf8':
      return new ScanningDecoder('utf-8', errors, scanUtf8);
    case 'ascii':
      return new ScanningDecoder('ascii', errors, scanAscii);
    case 'utf16le':
      return new ScanningDecoder('utf-16-le', errors, scanUtf16le);
    default:
      // latin-1: every byte is a character.
      return { decode: (chunk) => chunk.toString('latin1') };
  }
}

/** What a codec cannot encode: its name in Python's messages, whether a code point (or a lone
 * surrogate's unit) is out of its reach, and the reason Python's UnicodeEncodeError gives. */
interface Reach {
  name: string;
  fits: (cp: number) => boolean;
  reason: string;
}

const notSurrogate = (cp: number): boolean => cp < 0xd800 || cp > 0xdfff;

const REACH: Record<string, Reach> = {
  utf8: { name: 'utf-8', fits: notSurrogate, reason: 'surrogates not allowed' },
  utf16le: { name: 'utf-16-le', fits: notSurrogate, reason: 'surrogates not allowed' },
  ascii: { name: 'ascii', fits: (cp) => cp < 0x80, reason: 'ordinal not in range(128)' },
  latin1: { name: 'latin-1', fits: (cp) => cp < 0x100, reason: 'ordinal not in range(256)' },
};

/** Whether the codec can encode all of `text`, checked without a loop in JavaScript. */
function allFit(codec: BufferEncoding, text: string): boolean {
  switch (codec) {
    case 'ascii':
      return !/[^\x00-\x7f]/.test(text);
    case 'latin1':
      return !/[^\x00-\xff]/.test(text);
    default:
      return loneSurrogate(text) === null;
  }
}

/** A character as Python's UnicodeEncodeError names it: '\xe9', '\u20ac', '\U0001f600'. */
function escaped(cp: number): string {
  const [prefix, width] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8];
  return `\\${prefix}${cp.toString(16).padStart(width, '0')}`;
}

/**
 * `text` encoded as Python's codec encodes it: a character out of the codec's reach (a lone
 * surrogate; above U+007F for ascii, U+00FF for latin-1) is Python's UnicodeEncodeError (a
 * RangeError) for the run of them it starts, positions counted in code points as Python counts
 * characters; with errors='replace' each is '?', with 'ignore' nothing.
 */
export function encode(codec: BufferEncoding, errors: string, text: string): Buffer {
  if (allFit(codec, text)) return Buffer.from(text, codec);
  const reach = REACH[codec]!;
  const chars = Array.from(text);
  let out = '';
  for (let i = 0; i < chars.length; ) {
    const cp = chars[i]!.codePointAt(0)!;
    if (reach.fits(cp)) {
      out += chars[i++];
      continue;
    }
    let end = i + 1;
    while (end < chars.length && !reach.fits(chars[end]!.codePointAt(0)!)) end++;
    if (errors === 'strict') {
      const what = end - i === 1 ? `character '${escaped(cp)}' in position ${i}` : `characters in position ${i}-${end - 1}`;
      throw new RangeError(`'${reach.name}' codec can't encode ${what}: ${reach.reason}`);
    }
    if (!HANDLERS.has(errors)) throw unknownHandler(errors);
    if (errors === 'replace') out += '?'.repeat(end - i);
    i = end;
  }
  return Buffer.from(out, codec);
}
