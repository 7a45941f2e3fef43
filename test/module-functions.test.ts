// The socket module's functions of values alone (address conversions, byte
// order, CMSG sizes, the services and protocols databases, interface names),
// called with every one or two values of a pool (test/helpers/pool.ts) that
// runs past each C bound, through strings and bytes that are nearly addresses,
// to the wrong types: each call's outcome must be python3's.
import { describe, expect, it } from 'vitest';
import * as bsdsock from 'bsdsock';
import { python } from './helpers/python';
import { combinations, mismatches, pyCall, VALUES } from './helpers/pool';

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

const CALLS = FUNCTIONS.map(([name, arities]) => ({
  name,
  calls: arities.flatMap((n) => combinations(Array.from({ length: n }, () => VALUES))).map((args) => ({ call: pyCall(`socket.${name}`, args), args })),
}));
const PY = python('import socket', Object.fromEntries(CALLS.flatMap(({ calls }) => calls.map(({ call }) => [call, call]))));

describe("the module's functions of values, over a pool of values, as python3", () => {
  it.each(CALLS)('$name', ({ name, calls }) => {
    const f = bsdsock[name] as (...args: unknown[]) => unknown;
    expect(mismatches(calls, PY, (values) => f(...values))).toEqual([]);
  });
});
