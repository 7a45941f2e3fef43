// asyncio's keyword arguments over pools of values, each call's outcome compared with python3's
// asyncio: create_connection's family, proto, flags, local_addr, happy_eyeballs_delay and
// interleave (to a listener on 127.0.0.1); create_server's family, flags, backlog, reuse_address,
// reuse_port and start_serving; create_datagram_endpoint's family, proto, flags, reuse_port and
// allow_broadcast; loop.getaddrinfo's family, type, proto and flags (numeric hosts only: nothing
// reaches a resolver but the system's own for a literal). A keyword given as None is None, not
// the default, and a flag is true as Python's `if` finds it.
import { afterAll, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_NUMERICHOST,
  AI_PASSIVE,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SO_BROADCAST,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
} from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import { python } from './helpers/python';
import { asyncDifferences, combinations, pyCall, TRUTHS, type PoolValue } from './helpers/pool';

const LISTENER = socket(AF_INET, SOCK_STREAM);
LISTENER.bind(['127.0.0.1', 0]);
LISTENER.listen(4096);
afterAll(() => LISTENER.close());
const PORT = LISTENER.getsockname()[1];

/** Ints of every kind a family, type, protocol or flags may be given as, and what is no int. */
const NUMBERS = (...real: PoolValue[]): PoolValue[] => [
  ...real,
  ['0', 0],
  ['-1', -1],
  ['2**31', 2 ** 31],
  ['2**64', 2n ** 64n],
  ['1.5', 1.5],
  ['True', true],
  ['False', false],
  ['None', null],
  ["'x'", 'x'],
];
const FAMILIES = NUMBERS(['socket.AF_INET', AF_INET], ['socket.AF_INET6', AF_INET6], ['socket.AF_UNIX', AF_UNIX]);
const PROTOS = NUMBERS(['socket.IPPROTO_TCP', IPPROTO_TCP], ['socket.IPPROTO_UDP', IPPROTO_UDP]);
const FLAGS = NUMBERS(['socket.AI_NUMERICHOST', AI_NUMERICHOST], ['socket.AI_PASSIVE', AI_PASSIVE]);
const TYPES = NUMBERS(['socket.SOCK_STREAM', SOCK_STREAM], ['socket.SOCK_DGRAM', SOCK_DGRAM]);
const ADDRESSES: PoolValue[] = [
  ['None', null],
  ["('127.0.0.1', 0)", ['127.0.0.1', 0]],
  ["('::1', 0)", ['::1', 0]],
  ["('127.0.0.1',)", ['127.0.0.1']],
  ["('127.0.0.1', 0, 0)", ['127.0.0.1', 0, 0]],
  ["('127.0.0.1', -1)", ['127.0.0.1', -1]],
  ["'127.0.0.1'", '127.0.0.1'],
  ['5', 5],
  ['()', []],
];
const DELAYS: PoolValue[] = [['None', null], ['0', 0], ['0.25', 0.25], ['-1', -1], ['2**100', 2n ** 100n], ['True', true], ["'x'", 'x']];
const INTERLEAVES: PoolValue[] = [['None', null], ['0', 0], ['1', 1], ['2', 2], ['-1', -1], ['1.5', 1.5], ['2.5', 2.5], ['True', true], ["'x'", 'x']];
const BACKLOGS: PoolValue[] = [['None', null], ['0', 0], ['-1', -1], ['5', 5], ['2**31', 2 ** 31], ['1.5', 1.5], ['True', true], ["'x'", 'x']];

type Kind = 'connection' | 'server' | 'endpoint' | 'getaddrinfo';
/** One call: a function of KINDS with one keyword from a pool. */
const call = (kind: Kind, keyword: string, [literal, value]: PoolValue) => ({ call: `go(${kind}, ${keyword}=${literal})`, kind, keyword, value });
const sweep = (kind: Kind, keywords: Record<string, PoolValue[]>) => Object.entries(keywords).flatMap(([k, pool]) => pool.map((v) => call(kind, k, v)));

const CALLS = [
  ...sweep('connection', { family: FAMILIES, proto: PROTOS, flags: FLAGS, local_addr: ADDRESSES, happy_eyeballs_delay: DELAYS, interleave: INTERLEAVES }),
  ...sweep('server', { family: FAMILIES, flags: FLAGS, backlog: BACKLOGS, reuse_address: TRUTHS, reuse_port: TRUTHS, start_serving: TRUTHS }),
  ...sweep('endpoint', { family: FAMILIES, proto: PROTOS, flags: FLAGS, reuse_port: TRUTHS, allow_broadcast: TRUTHS, local_addr: ADDRESSES }),
  ...sweep('getaddrinfo', { family: FAMILIES, type: TYPES, proto: PROTOS, flags: FLAGS }),
];

// What each makes: a connection its socket's [family, type]; a server its sockets' families, whether
// it serves, and SO_REUSEADDR and SO_REUSEPORT of its first socket; an endpoint its socket's
// [family, SO_BROADCAST, SO_REUSEPORT]; getaddrinfo its entries sorted.
const PY = python(
  `import asyncio, socket
PORT = ${PORT}
def opt(s, o): return s.getsockopt(socket.SOL_SOCKET, o) != 0
async def connection(loop, **kw):
    t, _ = await loop.create_connection(asyncio.Protocol, '127.0.0.1', PORT, **kw)
    s = t.get_extra_info('socket'); r = [s.family, s.type]; t.close(); return r
async def server(loop, **kw):
    srv = await loop.create_server(asyncio.Protocol, '127.0.0.1', 0, **kw)
    s = srv.sockets[0]
    r = [[x.family for x in srv.sockets], srv.is_serving(), opt(s, socket.SO_REUSEADDR), opt(s, socket.SO_REUSEPORT)]
    srv.close(); await srv.wait_closed(); return r
async def endpoint(loop, **kw):
    kw.setdefault('local_addr', ('127.0.0.1', 0))
    t, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, **kw)
    s = t.get_extra_info('socket'); r = [s.family, opt(s, socket.SO_BROADCAST), opt(s, socket.SO_REUSEPORT)]; t.close(); return r
async def getaddrinfo(loop, **kw):
    return sorted([list(e) for e in await loop.getaddrinfo('127.0.0.1', 80, **kw)])
def go(f, **kw):
    async def main(): return await f(asyncio.get_running_loop(), **kw)
    return asyncio.run(main())`,
  Object.fromEntries(CALLS.map(({ call }) => [call, call])),
);

const opt = (s: { getsockopt(level: number, opt: number): number }, o: number): boolean => s.getsockopt(SOL_SOCKET, o) !== 0;
type Extra = { get_extra_info(name: 'socket'): asyncio.TransportSocket };

const RUN: Record<Kind, (options: Record<string, unknown>) => Promise<unknown>> = {
  connection: async (options) => {
    const [t] = await asyncio.create_connection(() => new asyncio.Protocol(), '127.0.0.1', PORT, options);
    const s = (t as unknown as Extra).get_extra_info('socket');
    const r = [s.family, s.type];
    t.close();
    return r;
  },
  server: async (options) => {
    const srv = await asyncio.create_server(() => new asyncio.Protocol(), '127.0.0.1', 0, options);
    const s = srv.sockets[0]!;
    const r = [srv.sockets.map((x) => x.family), srv.is_serving(), opt(s, SO_REUSEADDR), opt(s, SO_REUSEPORT)];
    srv.close();
    await srv.wait_closed();
    return r;
  },
  endpoint: async (options) => {
    const [t] = await asyncio.create_datagram_endpoint(() => new asyncio.DatagramProtocol(), { local_addr: ['127.0.0.1', 0], ...options });
    const s = (t as unknown as Extra).get_extra_info('socket');
    const r = [s.family, opt(s, SO_BROADCAST), opt(s, SO_REUSEPORT)];
    t.close();
    return r;
  },
  getaddrinfo: async (options) => {
    const entries = (await asyncio.getaddrinfo('127.0.0.1', 80, options)).map((e) => [...e]);
    // Python's order of lists: family, type, proto (the rest is the same for all here).
    return entries.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number) || (a[2] as number) - (b[2] as number));
  },
};

describe("asyncio's keyword arguments over pools of values, as python3's asyncio", () => {
  it.each(['connection', 'server', 'endpoint', 'getaddrinfo'] as Kind[])('%s', async (kind) => {
    const calls = CALLS.filter((c) => c.kind === kind);
    expect(await asyncDifferences(calls, PY, (c) => RUN[kind]({ [c.keyword]: c.value }))).toEqual([]);
  });
});

// create_server's and create_connection's host and port, positional, over pools: hosts as asyncio
// takes them (a str, None or '' for every interface, a list of hosts; bytes and an int are iterables
// or not, as Python's isinstance finds), ports as int() takes them in `_ipaddr_info` (a str of
// digits, bytes, a float cut to its integer, None), or a service name; no port below 1024 is bound.
// A server is its sockets' families (sorted) and whether every socket has the same port; a
// connection its socket's [family, type].
describe("create_server's and create_connection's host and port over pools, as python3's asyncio", () => {
  const HOSTS: PoolValue[] = [
    ["'127.0.0.1'", '127.0.0.1'],
    ["'::1'", '::1'],
    ["''", ''],
    ['None', null],
    ["['127.0.0.1', '::1']", ['127.0.0.1', '::1']],
    ["b'127.0.0.1'", Buffer.from('127.0.0.1')],
    ['5', 5],
    ["'127.0.0.1%lo'", '127.0.0.1%lo'],
  ];
  const SERVER_PORTS: PoolValue[] = [['0', 0], ["'0'", '0'], ['None', null], ["''", ''], ['0.5', 0.5], ['-1', -1], ['65536', 65536], ["b'0'", Buffer.from('0')], ["'x'", 'x']];
  const TO_HOSTS: PoolValue[] = [["'127.0.0.1'", '127.0.0.1'], ["'127.1'", '127.1'], ["b'127.0.0.1'", Buffer.from('127.0.0.1')], ['None', null], ["''", '']];
  const TO_PORTS: PoolValue[] = [
    ['PORT', PORT],
    ['str(PORT)', String(PORT)],
    ['str(PORT).encode()', Buffer.from(String(PORT))],
    ['PORT + 0.5', PORT + 0.5],
    ['None', null],
    ["'x'", 'x'],
  ];
  const calls = [
    ...combinations([HOSTS, SERVER_PORTS]).map((args) => ({ call: pyCall('at', [['server_at', null], ...args]), args, server: true })),
    ...combinations([TO_HOSTS, TO_PORTS]).map((args) => ({ call: pyCall('at', [['connection_to', null], ...args]), args, server: false })),
  ];
  const want = python(
    `import asyncio, socket
PORT = ${PORT}
async def server_at(loop, host, port):
    srv = await loop.create_server(asyncio.Protocol, host, port)
    r = [sorted(s.family for s in srv.sockets), len({s.getsockname()[1] for s in srv.sockets}) == 1]
    srv.close(); await srv.wait_closed(); return r
async def connection_to(loop, host, port):
    t, _ = await loop.create_connection(asyncio.Protocol, host, port)
    s = t.get_extra_info('socket'); r = [s.family, s.type]; t.close(); return r
def at(f, host, port):
    async def main(): return await f(asyncio.get_running_loop(), host, port)
    return asyncio.run(main())`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, async () => {
    const found = await asyncDifferences(calls, want, async ({ args, server }) => {
      const [host, port] = args.map(([, v]) => v) as [never, never];
      if (server) {
        const srv = await asyncio.create_server(() => new asyncio.Protocol(), host, port);
        const r = [srv.sockets.map((s) => s.family as number).sort((a, b) => a - b), new Set(srv.sockets.map((s) => (s.getsockname() as unknown[])[1])).size === 1];
        srv.close();
        await srv.wait_closed();
        return r;
      }
      const [t] = await asyncio.create_connection(() => new asyncio.Protocol(), host, port);
      const s = (t as unknown as Extra).get_extra_info('socket');
      const r = [s.family, s.type];
      t.close();
      return r;
    });
    expect(found).toEqual([]);
  });
});
