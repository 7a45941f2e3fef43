// The socket module's functions of values alone (address conversions, byte
// order, CMSG sizes, the services and protocols databases, interface names),
// called with every one or two values of a pool that runs past each C bound
// (as numbers and as bigints), through strings and bytes that are nearly
// addresses, to the wrong types: each call's outcome must be python3's. The
// families are given as plain ints on both sides (Python's AddressFamily enum
// has a name of its own in messages, which a JS number cannot have).
import { describe, expect, it } from 'vitest';
import * as bsdsock from 'bsdsock';
import { constants } from 'node:os';
import { expected, outcome, python, type Outcome } from './helpers/python';

const { ENXIO } = constants.errno;

/** [Python literal, the same value here]. */
const POOL: [string, unknown][] = [
  ['0', 0],
  ['1', 1],
  ['-1', -1],
  ['80', 80],
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
  ['True', true],
  ['None', null],
  ["''", ''],
  ["'x'", 'x'],
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
  ["b'abc'", Buffer.from('abc')],
  ["b'\\x00' * 5", Buffer.alloc(5)],
  ["b'\\x00' * 16", Buffer.alloc(16)],
  ["b'127.0.0.1'", Buffer.from('127.0.0.1')],
  ['[1]', [1]],
  [String(bsdsock.AF_INET), bsdsock.AF_INET],
  [String(bsdsock.AF_INET6), bsdsock.AF_INET6],
  [String(bsdsock.AF_UNIX), bsdsock.AF_UNIX],
];

/** The functions, by how many arguments they are called with. */
const FUNCTIONS: [name: keyof typeof bsdsock, arities: number[]][] = [
  ['inet_aton', [1]],
  ['inet_ntoa', [1]],
  ['inet_pton', [2]],
  ['inet_ntop', [2]],
  ['htons', [1]],
  ['ntohs', [1]],
  ['htonl', [1]],
  ['ntohl', [1]],
  ['CMSG_LEN', [1]],
  ['CMSG_SPACE', [1]],
  ['getservbyname', [1, 2]],
  ['getservbyport', [1, 2]],
  ['getprotobyname', [1]],
  ['if_nametoindex', [1]],
  ['if_indextoname', [1]],
];

/** Every call of `name` with `arity` values of the pool. */
function calls(arity: number): [string, unknown][][] {
  if (arity === 1) return POOL.map((a) => [a]);
  return POOL.flatMap((a) => POOL.map((b) => [a, b]));
}

const CASES = FUNCTIONS.flatMap(([name, arities]) => arities.flatMap((arity) => calls(arity).map((args) => ({ name, args }))));
const key = (c: (typeof CASES)[number]): string => `socket.${String(c.name)}(${c.args.map(([lit]) => lit).join(', ')})`;
const PY = python('import socket', Object.fromEntries(CASES.map((c) => [key(c), key(c)])));

describe("the module's functions of values, over a pool of values, as python3", () => {
  it.each(FUNCTIONS.map(([name]) => name))('%s', (name) => {
    const mismatches: { call: string; python: Outcome; bsdsock: Outcome }[] = [];
    for (const c of CASES.filter((x) => x.name === name)) {
      const f = bsdsock[name] as (...args: unknown[]) => unknown;
      const got = outcome(() => f(...c.args.map(([, v]) => v)));
      let want = expected(PY[key(c)]!);
      // CPython 3.11's if_indextoname(2**64 - 1) fails in its own argument check (SystemError: "returned
      // NULL without setting an exception"); the kernel's answer for the index it names is ENXIO.
      if ('error' in want && want.error === 'SystemError') want = { error: 'OSError', message: `[Errno ${ENXIO}] No such device or address`, errno: ENXIO };
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push({ call: key(c), python: want, bsdsock: got });
    }
    expect(mismatches).toEqual([]);
  });
});
