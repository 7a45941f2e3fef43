// A socket's methods of sizes, flags, modes and option numbers, each called on
// a fresh non-blocking end of a socketpair with every combination of values
// from the pool of ints (test/helpers/pool.ts): each call's outcome must be
// python3's, which converts every argument before it checks any.
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  IP_TTL,
  IPPROTO_IP,
  IPPROTO_TCP,
  SO_BINDTODEVICE,
  SO_LINGER,
  SO_RCVBUF,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  socketpair,
  TCP_NODELAY,
} from 'bsdsock';
import { outcome, python } from './helpers/python';
import { combinations, differences, INTS, mismatches, pyCall, TUPLED, type PoolValue } from './helpers/pool';

/** A fixed first argument: [Python, here]. */
const DATA: PoolValue = ["b'x'", Buffer.from('x')];
const LEVEL: PoolValue = ['socket.SOL_SOCKET', SOL_SOCKET];
/** A fresh buffer of 4 for each call (made by `fresh`). */
const BUFFER: PoolValue = ['bytearray(4)', 'a fresh buffer of 4'];
const MODE: PoolValue = ["'rb'", 'rb'];
/** A fresh list of one buffer of 4 for each call. */
const BUFFERS: PoolValue = ['[bytearray(4)]', 'a fresh list of one buffer of 4'];

/** [method, the pools of its arguments in order]. */
const METHODS: [string, PoolValue[][]][] = [
  ['settimeout', [INTS]],
  ['setblocking', [INTS]],
  ['listen', [INTS]],
  ['shutdown', [INTS]],
  ['set_inheritable', [INTS]],
  ['recv', [INTS]],
  ['recv', [INTS, INTS]],
  ['recvfrom', [INTS, INTS]],
  ['recv_into', [[BUFFER], INTS, INTS]],
  ['recvfrom_into', [[BUFFER], INTS, INTS]],
  ['recvmsg', [INTS, INTS]],
  ['recvmsg', [INTS, INTS, INTS]],
  ['recvmsg_into', [[BUFFERS], INTS]],
  ['recvmsg_into', [[BUFFERS], INTS, INTS]],
  ['send', [[DATA], INTS]],
  ['sendto', [[DATA], TUPLED]],
  ['sendto', [[DATA], INTS, [["''", '']]]],
  ['sendall', [[DATA], INTS]],
  ['setsockopt', [[LEVEL], INTS, INTS]],
  ['getsockopt', [[LEVEL], INTS]],
  ['getsockopt', [[LEVEL], INTS, INTS]],
  ['makefile', [INTS]],
  ['makefile', [[MODE], INTS]],
];

const fresh = (v: unknown): unknown => (v === BUFFER[1] ? Buffer.alloc(4) : v === BUFFERS[1] ? [Buffer.alloc(4)] : v);

const CALLS = METHODS.map(([name, pools]) => ({
  name: `${name}, ${pools.length} arguments`,
  method: name,
  calls: combinations(pools).map((args) => ({ call: pyCall(`call(lambda s: s.${name}`, args) + ')', args })),
}));

// A result that is a file is its class's name (and closed); recvmsg's address is left out (a
// socketpair's is '' in Python, null here: test/msg.test.ts compares those).
const PY = python(
  `import socket
def call(f):
    a, b = socket.socketpair()
    a.setblocking(False)
    try:
        r = f(a)
        if isinstance(r, tuple) and len(r) == 4: r = list(r[:3])
        if hasattr(r, 'close'): r.close(); r = type(r).__name__
        return r
    finally:
        a.close(); b.close()`,
  Object.fromEntries(CALLS.flatMap(({ calls }) => calls.map(({ call }) => [call, call]))),
);

describe("a socket's methods, over a pool of ints, as python3", () => {
  it.each(CALLS)('$name', ({ method, calls }) => {
    const found = mismatches(calls, PY, (values) => {
      const [a, b] = socketpair();
      a.setblocking(false);
      try {
        let r = (a as unknown as Record<string, (...args: unknown[]) => unknown>)[method]!(...values.map(fresh));
        if (Array.isArray(r) && r.length === 4) r = r.slice(0, 3);
        if (r !== null && typeof r === 'object' && 'close' in r && typeof r.close === 'function') {
          r.close();
          r = r.constructor.name;
        }
        return r;
      } finally {
        a.close();
        b.close();
      }
    });
    expect(found).toEqual([]);
  });
});

// sendmsg's buffers, ancillary items (level, type, data) and flags from pools of every shape and
// type, on an AF_UNIX datagram pair, each outcome as python3's.
describe("sendmsg's arguments over a pool of values, as python3", () => {
  const LEVELS: PoolValue[] = [['0', 0], ['1', 1], ['-1', -1], ['2**31', 2 ** 31], ['2**63', 2n ** 63n], ['1.5', 1.5], ['None', null], ["'x'", 'x']];
  const TYPES: PoolValue[] = [['1', 1], ['2', 2], ['-1', -1], ['2**31', 2 ** 31], ['None', null]];
  const DATA_ITEMS: PoolValue[] = [["b''", Buffer.alloc(0)], ["b'\\x01\\x00\\x00\\x00'", Buffer.from([1, 0, 0, 0])], ["b'abc'", Buffer.from('abc')], ["'x'", 'x'], ['None', null], ['5', 5]];
  const X: PoolValue = ["[b'x']", [Buffer.from('x')]];
  const tuple = (values: PoolValue[]): PoolValue => [`(${values.map(([l]) => l).join(', ')})`, values.map(([, v]) => v)];
  const listOf = ([l, v]: PoolValue): PoolValue => [`[${l}]`, [v]];
  const ANCDATA: PoolValue[] = [
    ...combinations([LEVELS, TYPES, DATA_ITEMS]).map(tuple).map(listOf),
    ['None', null],
    ['5', 5],
    ["'x'", 'x'],
    ["['abc']", ['abc']],
    ["[b'abc']", [Buffer.from('abc')]],
    ['[()]', [[]]],
    ['[(1, 1)]', [[1, 1]]],
    ["[(1, 1, b'', 4)]", [[1, 1, Buffer.alloc(0), 4]]],
    ['[None]', [null]],
  ];
  const BUFFERS: PoolValue[] = [['[]', []], X, ["b'x'", Buffer.from('x')], ["'x'", 'x'], ['None', null], ["[b'x', 'y']", [Buffer.from('x'), 'y']], ['[None]', [null]], ['5', 5]];
  const FLAGS: PoolValue[] = [['0', 0], ['-1', -1], ['2**31', 2 ** 31], ['1.5', 1.5], ['None', null]];
  const calls = [...combinations([[X], ANCDATA]), ...combinations([BUFFERS, [['[]', []]], FLAGS])].map((args) => ({ call: pyCall('sm', args), args }));
  const py = python(
    `import socket
def sm(*a):
    x, y = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    try: return x.sendmsg(*a)
    finally: x.close(); y.close()`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, () => {
    const found = mismatches(calls, py, (values) => {
      const [x, y] = socketpair(AF_UNIX, SOCK_DGRAM);
      try {
        return (x.sendmsg as (...a: unknown[]) => number)(...values);
      } finally {
        x.close();
        y.close();
      }
    });
    expect(found).toEqual([]);
  });
});

// setsockopt's byte and int values, its (None, optlen) form, and getsockopt's buflen, on options of
// every kind (a struct, an int, a flag, a device name), on a fresh TCP socket, as python3's.
describe('setsockopt and getsockopt over pools of values, as python3', () => {
  const OPTIONS: PoolValue[] = [
    ['socket.SOL_SOCKET, socket.SO_LINGER', [SOL_SOCKET, SO_LINGER]],
    ['socket.SOL_SOCKET, socket.SO_RCVBUF', [SOL_SOCKET, SO_RCVBUF]],
    ['socket.IPPROTO_TCP, socket.TCP_NODELAY', [IPPROTO_TCP, TCP_NODELAY]],
    ['socket.SOL_SOCKET, socket.SO_BINDTODEVICE', [SOL_SOCKET, SO_BINDTODEVICE]],
    ['socket.IPPROTO_IP, socket.IP_TTL', [IPPROTO_IP, IP_TTL]],
  ];
  const VALUES: PoolValue[] = [
    ["b''", Buffer.alloc(0)],
    ["b'\\x01'", Buffer.from([1])],
    ["b'\\x01\\x00\\x00\\x00'", Buffer.from([1, 0, 0, 0])],
    ["b'\\x01\\x00\\x00\\x00\\x05\\x00\\x00\\x00'", Buffer.from([1, 0, 0, 0, 5, 0, 0, 0])],
    ["b'lo'", Buffer.from('lo')],
    ["b'x' * 100", Buffer.alloc(100, 'x')],
    ['0', 0],
    ['1', 1],
    ['-1', -1],
    ['2**31', 2 ** 31],
    ['True', true],
    ['1.5', 1.5],
    ["'x'", 'x'],
    ['[1]', [1]],
  ];
  const OPTLENS: PoolValue[] = [['0', 0], ['4', 4], ['-1', -1], ['2**32', 2 ** 32], ['2**64 + 4', 2n ** 64n + 4n], ['1.5', 1.5], ["'x'", 'x'], ['None', null]];
  const BUFLENS: PoolValue[] = [['0', 0], ['1', 1], ['4', 4], ['8', 8], ['1024', 1024], ['1025', 1025], ['-1', -1], ['2**31', 2 ** 31], ['None', null]];
  const NONE: PoolValue = ['None', null];
  const opt = (o: PoolValue): unknown[] => o[1] as unknown[];
  const calls = [
    ...combinations([OPTIONS, VALUES]).map((args) => ({ call: `call(lambda s: s.setsockopt(${args.map(([l]) => l).join(', ')}))`, args, method: 'setsockopt' })),
    ...combinations([OPTIONS, [NONE], OPTLENS]).map((args) => ({ call: `call(lambda s: s.setsockopt(${args.map(([l]) => l).join(', ')}))`, args, method: 'setsockopt' })),
    ...combinations([OPTIONS, BUFLENS]).map((args) => ({ call: `call(lambda s: s.getsockopt(${args.map(([l]) => l).join(', ')}))`, args, method: 'getsockopt' })),
  ];
  const py = python(
    `import socket
def call(f):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try: return f(s)
    finally: s.close()`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, () => {
    const found = differences(calls, py, ({ args, method }) =>
      outcome(() => {
        const s = socket(AF_INET, SOCK_STREAM);
        try {
          const [option, ...rest] = args;
          return (s as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!(...opt(option!), ...rest.map(([, v]) => v));
        } finally {
          s.close();
        }
      }),
    );
    expect(found).toEqual([]);
  });
});


// settimeout and setblocking over the pool of ints and the floats a timeout may be, each read back
// (gettimeout, getblocking) on a fresh socket, as python3's. setblocking's pool has no 1e300: an
// integral number is an int where an int is taken (README), where Python's float is a TypeError.
describe('a timeout set and read back over a pool of values, as python3', () => {
  const FLOATS: PoolValue[] = [
    ['1e-9', 1e-9],
    ['0.5', 0.5],
    ['1e300', 1e300],
    ["float('inf')", Infinity],
    ["float('-inf')", -Infinity],
    ["float('nan')", NaN],
  ];
  const calls = (['settimeout', 'setblocking'] as const).flatMap((method) =>
    [...INTS, ...FLOATS.filter(([l]) => method === 'settimeout' || l !== '1e300')].map((v) => ({ call: pyCall(`back(lambda s: s.${method}`, [v]) + ')', method, args: [v] })),
  );
  const want = python(
    `import socket
def back(f):
    with socket.socket() as s:
        f(s)
        return [s.gettimeout(), s.getblocking()]`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, () => {
    const found = calls.flatMap(({ call, method, args }) =>
      mismatches([{ call, args }], want, ([v]) => {
        using s = socket();
        s[method](v as never);
        return [s.gettimeout(), s.getblocking()];
      }),
    );
    expect(found).toEqual([]);
  });
});
