// create_connection's and create_server's arguments over pools of values (test/helpers/pool.ts),
// each call's outcome compared with python3's: the timeout, source_address and all_errors of a
// connection to a listener on 127.0.0.1 (or to a port that refuses), and create_server's address
// with its family, backlog, reuse_port and dualstack_ipv6 keywords. Python's socket.py tests
// source_address, all_errors, reuse_port and dualstack_ipv6 for truth, so any value is one; a
// TypeError from the timeout or the backlog is not a connection error and goes straight through.
import { afterAll, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  create_connection,
  create_server,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  SO_ACCEPTCONN,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  type Socket,
} from 'bsdsock';
import { python } from './helpers/python';
import { combinations, INTS, mismatches, pyCall, TRUTHS, type PoolValue } from './helpers/pool';

/** A listener on 127.0.0.1, and a port bound but not listening (it refuses), for each side. */
const LISTENER = socket(AF_INET, SOCK_STREAM);
LISTENER.bind(['127.0.0.1', 0]);
LISTENER.listen(4096);
const REFUSER = socket(AF_INET, SOCK_STREAM);
REFUSER.bind(['127.0.0.1', 0]);
afterAll(() => {
  LISTENER.close();
  REFUSER.close();
});
const PORTS = { PORT: LISTENER.getsockname()[1], REFUSED: REFUSER.getsockname()[1] };

const SOURCES: PoolValue[] = [
  ['None', null],
  ['()', []],
  ["('127.0.0.1', 0)", ['127.0.0.1', 0]],
  ["('127.0.0.1',)", ['127.0.0.1']],
  ["('', 0)", ['', 0]],
  ["('::1', 0)", ['::1', 0]],
  ["('127.0.0.1', -1)", ['127.0.0.1', -1]],
  ["('127.0.0.1', 0, 0)", ['127.0.0.1', 0, 0]],
  ['5', 5],
  ['0', 0],
  ["''", ''],
  ["'127.0.0.1'", '127.0.0.1'],
  ['True', true],
  ["b''", Buffer.alloc(0)],
];
/** A port from PORTS by its name: the literal is Python's variable, the value this side's port. */
const port = (name: keyof typeof PORTS): PoolValue => [`('127.0.0.1', ${name})`, ['127.0.0.1', PORTS[name]]];

const CONNECTIONS = [
  ...combinations([[port('PORT')], INTS]),
  ...combinations([[port('PORT')], [['None', null]], SOURCES]),
  ...combinations([[port('PORT')], [['1.5', 1.5]], SOURCES]),
  ...combinations([[port('REFUSED')], [['None', null]], [['None', null]], TRUTHS]),
  ...combinations([[port('REFUSED')], [['0', 0], ['5', 5]], [["('127.0.0.1', -1)", ['127.0.0.1', -1]]], TRUTHS]),
].map((args) => ({ call: pyCall('connection', args), args }));

const ADDRESSES: PoolValue[] = [
  ["('127.0.0.1', 0)", ['127.0.0.1', 0]],
  ["('::1', 0)", ['::1', 0]],
  ["('', 0)", ['', 0]],
  ["('::1', 0, 0, 0)", ['::1', 0, 0, 0]],
  ["('127.0.0.1',)", ['127.0.0.1']],
  ["('127.0.0.1', -1)", ['127.0.0.1', -1]],
  ['5', 5],
  ['None', null],
];
const FAMILIES: PoolValue[] = [
  ['socket.AF_INET', AF_INET],
  ['socket.AF_INET6', AF_INET6],
  ['socket.AF_UNIX', AF_UNIX],
  ['-1', -1],
  ['2**31', 2 ** 31],
  ['1.5', 1.5],
  ['None', null],
  ["'x'", 'x'],
];
type ServerKeyword = 'family' | 'backlog' | 'reuse_port' | 'dualstack_ipv6';
/** A create_server call: its address, and keywords as [name, value] pairs. */
const server = (address: PoolValue, keywords: [ServerKeyword, PoolValue][]) => ({
  call: `server(${address[0]}${keywords.map(([k, [literal]]) => `, ${k}=${literal}`).join('')})`,
  args: [address, ...keywords.map(([k, [literal, v]]): PoolValue => [literal, [k, v]])],
});
const SERVERS = [
  ...combinations([ADDRESSES, FAMILIES]).map(([a, f]) => server(a!, [['family', f!]])),
  ...INTS.map((b) => server(ADDRESSES[0]!, [['backlog', b]])),
  ...TRUTHS.map((r) => server(ADDRESSES[0]!, [['reuse_port', r]])),
  ...combinations([ADDRESSES.slice(0, 3), FAMILIES.slice(0, 4), TRUTHS]).map(([a, f, d]) => server(a!, [['family', f!], ['dualstack_ipv6', d!]])),
];

// A socket made is [family, type, its host, listening or not, IPV6_V6ONLY on AF_INET6], then
// closed; all_errors' ExceptionGroup is ['group', its message, each error's class and errno].
const PY = python(
  `import socket
PORT = ${PORTS.PORT}
REFUSED = ${PORTS.REFUSED}
def made(s):
    with s:
        v6only = s.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) if s.family == socket.AF_INET6 else None
        return [s.family, s.type, s.getsockname()[0], s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN), v6only, s.gettimeout()]
def connection(*args):
    try:
        return made(socket.create_connection(*args[:3], all_errors=args[3]) if len(args) == 4 else socket.create_connection(*args))
    except ExceptionGroup as eg:
        return ['group', eg.message, [[type(e).__name__, e.errno] for e in eg.exceptions]]
def server(*args, **kw):
    return made(socket.create_server(*args, **kw))`,
  Object.fromEntries([...CONNECTIONS, ...SERVERS].map(({ call }) => [call, call])),
);

function made(s: Socket): unknown[] {
  try {
    const v6only = s.family === AF_INET6 ? s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY) : null;
    return [s.family, s.type, (s.getsockname() as unknown[])[0], s.getsockopt(SOL_SOCKET, SO_ACCEPTCONN), v6only, s.gettimeout()];
  } finally {
    s.close();
  }
}

const lib = { create_connection, create_server } as unknown as Record<string, (...args: unknown[]) => Socket>;

describe("create_connection's and create_server's arguments over pools of values, as python3", () => {
  it('create_connection: timeout, source_address, all_errors', () => {
    const found = mismatches(CONNECTIONS, PY, (args) => {
      try {
        return made(args.length === 4 ? lib.create_connection!(...args.slice(0, 3), { all_errors: args[3] }) : lib.create_connection!(...args));
      } catch (e) {
        if (!(e instanceof AggregateError)) throw e;
        return ['group', e.message, e.errors.map((x: { constructor: { name: string }; errno: number }) => [x.constructor.name, x.errno])];
      }
    });
    expect(found).toEqual([]);
  });

  it('create_server: address, family, backlog, reuse_port, dualstack_ipv6', () => {
    const found = mismatches(SERVERS, PY, ([address, ...keywords]) =>
      made(lib.create_server!(address, Object.fromEntries(keywords as [string, unknown][]))),
    );
    expect(found).toEqual([]);
  });
});
