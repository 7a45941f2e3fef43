// A pool of argument values for comparing calls with python3's: ints at and past
// each C bound (as numbers and, past 2**53, as bigints), a fraction, a bool, None,
// strings and bytes that are nearly addresses, a list. Each is [Python literal,
// the same value here].
import * as bsdsock from 'bsdsock';
import { constants } from 'node:os';
import { expected, outcome, outcomeAsync, type Outcome } from './python';

export type PoolValue = [literal: string, value: unknown];

/** Ints at and past the C bounds, a fraction, a bool, None, a str, bytes and a list: what a size, a flag or a count may be given. */
export const INTS: PoolValue[] = [
  ['0', 0],
  ['1', 1],
  ['-1', -1],
  ['2', 2],
  ['64', 64],
  ['65535', 65535],
  ['65536', 65536],
  ['2**31 - 1', 2 ** 31 - 1],
  ['2**31', 2 ** 31],
  ['2**32', 2 ** 32],
  ['2**63 - 1', 2n ** 63n - 1n],
  ['2**63', 2n ** 63n],
  ['2**64 - 1', 2n ** 64n - 1n],
  ['2**64', 2n ** 64n],
  ['-2**63', -(2n ** 63n)],
  ['-2**63 - 1', -(2n ** 63n) - 1n],
  ['2**100', 2n ** 100n],
  ['1.5', 1.5],
  ['-0.5', -0.5],
  ['True', true],
  ['None', null],
  ["'x'", 'x'],
  ["b'ab'", Buffer.from('ab')],
  ['[1]', [1]],
];

/** INTS where an array stands for a tuple (an address, a value quoted by its repr): [1] is (1,). */
export const TUPLED: PoolValue[] = INTS.map(([l, v]) => [l === '[1]' ? '(1,)' : l, v]);

/** Values Python tests for truth (a flag, `if source_address:`), true and false, of each kind. */
export const TRUTHS: PoolValue[] = [
  ['True', true],
  ['False', false],
  ['1', 1],
  ['0', 0],
  ["'x'", 'x'],
  ["''", ''],
  ['None', null],
  ['[]', []],
];

/** INTS, strings and bytes that are nearly addresses, names, and the families (as plain ints: Python's
 * AddressFamily enum has a name of its own in messages, which a JS number cannot have). */
export const VALUES: PoolValue[] = [
  ...INTS,
  ["''", ''],
  ["'127.0.0.1'", '127.0.0.1'],
  ["'1.2.3'", '1.2.3'],
  ["'1.2.3.4.5'", '1.2.3.4.5'],
  ["'0x7f.1'", '0x7f.1'],
  ["'255.255.255.256'", '255.255.255.256'],
  ["' 1.2.3.4'", ' 1.2.3.4'],
  ["'1.2.3.4\\x00'", '1.2.3.4\0'],
  ["'::1'", '::1'],
  ["'::ffff:1.2.3.4'", '::ffff:1.2.3.4'],
  ["'1::2::3'", '1::2::3'],
  ["'fe80::1%lo'", 'fe80::1%lo'],
  ["'lo'", 'lo'],
  ["'tcp'", 'tcp'],
  ["'http'", 'http'],
  ["'é'", 'é'],
  ["b''", Buffer.alloc(0)],
  ["b'\\x7f\\x00\\x00\\x01'", Buffer.from([127, 0, 0, 1])],
  ["b'\\x00' * 5", Buffer.alloc(5)],
  ["b'\\x00' * 16", Buffer.alloc(16)],
  ["b'127.0.0.1'", Buffer.from('127.0.0.1')],
  [String(bsdsock.AF_INET), bsdsock.AF_INET],
  [String(bsdsock.AF_INET6), bsdsock.AF_INET6],
  [String(bsdsock.AF_UNIX), bsdsock.AF_UNIX],
];

/** Every list of values, one from each pool in turn. */
export function combinations(pools: PoolValue[][]): PoolValue[][] {
  return pools.reduce<PoolValue[][]>((lists, pool) => lists.flatMap((list) => pool.map((v) => [...list, v])), [[]]);
}

/** A call's Python source: `prefix(literals, ...)`. */
export const pyCall = (prefix: string, args: PoolValue[]): string => `${prefix}(${args.map(([literal]) => literal).join(', ')})`;

export interface Mismatch {
  call: string;
  python: Outcome;
  bsdsock: Outcome;
}

/**
 * Where `run(values)` ends otherwise than Python's outcome of the same call. CPython 3.11's own
 * SystemError (if_indextoname(2**64 - 1) returns NULL without an exception) stands for the
 * kernel's answer to the index it names, ENXIO; its MemoryError for bsdsock's OSError.
 */
export function mismatches(calls: { call: string; args: PoolValue[] }[], py: Record<string, Outcome>, run: (values: unknown[]) => unknown): Mismatch[] {
  return differences(calls, py, ({ args }) => outcome(() => run(args.map(([, v]) => v))));
}

/**
 * `differences` of calls made in turn and awaited: `run(c)`'s value, or what it throws or rejects
 * with, is each call's outcome; `seen` shows both sides' outcomes alike (what differs between the
 * two processes made the same).
 */
export async function asyncDifferences<C extends { call: string }>(
  calls: C[],
  py: Record<string, Outcome>,
  run: (c: C) => unknown,
  seen: (o: Outcome) => Outcome = (o) => o,
): Promise<Mismatch[]> {
  const got = new Map<string, Outcome>();
  for (const c of calls) got.set(c.call, seen(await outcomeAsync(async () => run(c))));
  const want = Object.fromEntries(Object.entries(py).map(([k, o]) => [k, seen(o)]));
  return differences(calls, want, (c) => got.get(c.call)!);
}

/** `mismatches` of outcomes taken already (an async call's): `outcomeOf` gives each call's. */
export function differences<C extends { call: string }>(calls: C[], py: Record<string, Outcome>, outcomeOf: (c: C) => Outcome): Mismatch[] {
  const found: Mismatch[] = [];
  for (const c of calls) {
    const got = outcomeOf(c);
    let want = expected(py[c.call]!);
    if ('error' in want && want.error === 'SystemError') {
      want = { error: 'OSError', message: `[Errno ${constants.errno.ENXIO}] No such device or address`, errno: constants.errno.ENXIO };
    }
    // Python's MemoryError is bsdsock's OSError (README: "MemoryError").
    if ('error' in want && want.error === 'MemoryError') want = { error: 'OSError', message: 'Cannot allocate memory', errno: null };
    if (JSON.stringify(got) !== JSON.stringify(want)) found.push({ call: c.call, python: want, bsdsock: got });
  }
  return found;
}
