// A socket's methods of sizes, flags, modes and option numbers, each called on
// a fresh non-blocking end of a socketpair with every combination of values
// from the pool of ints (test/helpers/pool.ts): each call's outcome must be
// python3's, which converts every argument before it checks any.
import { describe, expect, it } from 'vitest';
import { SOL_SOCKET, socketpair } from 'bsdsock';
import { python } from './helpers/python';
import { combinations, INTS, mismatches, pyCall, type PoolValue } from './helpers/pool';

/** A fixed first argument: [Python, here]. */
const DATA: PoolValue = ["b'x'", Buffer.from('x')];
const LEVEL: PoolValue = ['socket.SOL_SOCKET', SOL_SOCKET];
/** A fresh buffer of 4 for each call (made by `fresh`). */
const BUFFER: PoolValue = ['bytearray(4)', 'a fresh buffer of 4'];
const MODE: PoolValue = ["'rb'", 'rb'];

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
  ['send', [[DATA], INTS]],
  ['sendall', [[DATA], INTS]],
  ['setsockopt', [[LEVEL], INTS, INTS]],
  ['getsockopt', [[LEVEL], INTS]],
  ['getsockopt', [[LEVEL], INTS, INTS]],
  ['makefile', [INTS]],
  ['makefile', [[MODE], INTS]],
];

const fresh = (v: unknown): unknown => (v === BUFFER[1] ? Buffer.alloc(4) : v);

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
