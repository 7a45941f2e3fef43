// asyncio's transport and stream methods over pools of argument values, each outcome as python3's
// asyncio's: a stream Transport's write buffer limits, write, writelines and get_extra_info (and a
// datagram transport's get_extra_info, whose peer may be None); a StreamReader's limit and its
// read, readexactly, readline and readuntil, with what each leaves to read; a StreamWriter's write,
// writelines, can_write_eof, get_extra_info and drain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AF_INET, BlockingIOError, create_server as listen, MSG_DONTWAIT, SOCK_DGRAM, socket, socketpair, type Socket } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import { python } from './helpers/python';
import { asyncDifferences, combinations, INTS, pyCall, type PoolValue } from './helpers/pool';

/** INTS, the infinities and NaN (which every comparison finds false): the sizes, limits and write buffer limits. */
const NUMBERS: PoolValue[] = [...INTS, ["float('inf')", Infinity], ["float('-inf')", -Infinity], ["float('nan')", NaN]];

/** What a write and writelines are given: Python's bytes, bytearray and memoryview are Uint8Arrays (an array's
 * memoryview a Uint16Array, its bytes little-endian on both sides), and values of every other type. */
const DATA: PoolValue[] = [
  ["b'ab'", Buffer.from('ab')],
  ["b''", Buffer.alloc(0)],
  ["bytearray(b'cd')", Buffer.from('cd')],
  ["memoryview(b'ef')", new Uint8Array([0x65, 0x66])],
  ["memoryview(array.array('H', [1, 2]))", new Uint16Array([1, 2])],
  ["'x'", 'x'],
  ["''", ''],
  ['None', null],
  ['5', 5],
  ['1.5', 1.5],
  ['True', true],
  ['[1]', [1]],
  ['[]', []],
];

/** What writelines is given: lists of pieces good and bad, an iterator, and values that are no iterable
 * (and bytes and a str, which are: of ints and of characters). */
const LISTS: PoolValue[] = [
  ["[b'a', b'b']", [Buffer.from('a'), Buffer.from('b')]],
  ['[]', []],
  ["[b'a']", [Buffer.from('a')]],
  ["[bytearray(b'a'), memoryview(b'b')]", [Buffer.from('a'), new Uint8Array([0x62])]],
  ["[memoryview(array.array('H', [1]))]", [new Uint16Array([1])]],
  ["[b'a', 'b']", [Buffer.from('a'), 'b']],
  ["[b'a', 5]", [Buffer.from('a'), 5]],
  ["[b'a', None]", [Buffer.from('a'), null]],
  ["[[b'a']]", [[Buffer.from('a')]]],
  ["iter([b'a', b'b'])", 'an iterator of two'],
  ["(b'a', b'b')", [Buffer.from('a'), Buffer.from('b')]],
  ["b'ab'", Buffer.from('ab')],
  ["b''", Buffer.alloc(0)],
  ["'ab'", 'ab'],
  ["''", ''],
  ['None', null],
  ['5', 5],
  ['1.5', 1.5],
  ['True', true],
];

/** LISTS' iterator, made afresh for each call (an iterator is spent once read). */
const pieces = (v: unknown): unknown => (v === 'an iterator of two' ? [Buffer.from('a'), Buffer.from('b')][Symbol.iterator]() : v);

/** get_extra_info's names: those a socket transport has, one it has not, and names of other types
 * (a list is unhashable: Python's dict.get refuses it). */
const NAMES: PoolValue[] = [
  ["'peername'", 'peername'],
  ["'sockname'", 'sockname'],
  ["'socket'", 'socket'],
  ["'nope'", 'nope'],
  ["''", ''],
  ["'constructor'", 'constructor'],
  ['None', null],
  ['5', 5],
  ['True', true],
  ["b'peername'", Buffer.from('peername')],
  ["['peername']", ['peername']],
];

/** get_extra_info's defaults. */
const DEFAULTS: PoolValue[] = [
  ['None', null],
  ['5', 5],
  ["'x'", 'x'],
  ['2**100', 2n ** 100n],
  ["b'ab'", Buffer.from('ab')],
];

/** A StreamReader made with no limit, its default. */
const DEFAULT_LIMIT: PoolValue = ['DEFAULT', Symbol('default limit')];

/**
 * readuntil's separators: bytes found, found at the start, found only at the end, not found, longer than what
 * the reader holds (and than the smaller limits), empty; a bytearray, a memoryview; and values of other types.
 * Not a str: bsdsock's readuntil takes a string's characters as latin-1 bytes, where Python's refuses it
 * (a documented difference, docs/guide.md).
 */
const SEPARATORS: PoolValue[] = [
  ["b'\\n'", Buffer.from('\n')],
  ["b'cd'", Buffer.from('cd')],
  ["b'ab'", Buffer.from('ab')],
  ["b'f'", Buffer.from('f')],
  ["b'\\x00'", Buffer.from([0])],
  ["b'ab\\ncdef'", Buffer.from('ab\ncdef')],
  ["b'ab\\ncdefg'", Buffer.from('ab\ncdefg')],
  ["b'\\ncdef'", Buffer.from('\ncdef')],
  ["b''", Buffer.alloc(0)],
  ["bytearray(b'e')", Buffer.from('e')],
  ["memoryview(b'de')", new Uint8Array([0x64, 0x65])],
  ["memoryview(array.array('H', [0x6463]))", new Uint16Array([0x6463])],
  ['None', null],
  ['5', 5],
  ['1.5', 1.5],
  ['True', true],
  ["[b'\\n']", [Buffer.from('\n')]],
  ['[]', []],
];

/** One StreamReader call: its Python source (`r.read(5)`), and the same call here. */
type ReaderCall = [python: string, call: (r: asyncio.StreamReader) => Promise<unknown>];

const READER_CALLS: ReaderCall[] = [
  ['r.read()', (r) => r.read()],
  ['r.readline()', (r) => r.readline()],
  ['r.readuntil()', (r) => r.readuntil()],
  ...NUMBERS.map(([n, v]): ReaderCall => [`r.read(${n})`, (r) => r.read(v as number)]),
  ...NUMBERS.map(([n, v]): ReaderCall => [`r.readexactly(${n})`, (r) => r.readexactly(v as number)]),
  ...SEPARATORS.map(([s, v]): ReaderCall => [`r.readuntil(${s})`, (r) => r.readuntil(v as Uint8Array)]),
];

/** A reader fed b'ab\ncdef' then EOF, of the limit given (or the default). */
function fedReader(limit: unknown): asyncio.StreamReader {
  const r = limit === DEFAULT_LIMIT[1] ? new asyncio.StreamReader() : new asyncio.StreamReader(limit as number);
  r.feed_data(Buffer.from('ab\ncdef'));
  r.feed_eof();
  return r;
}

/**
 * A result as the comparison shows it, on both sides alike: an object of a class of its own (a
 * TransportSocket) as its class's name, a TCP address with its port (another in each run) as 'port',
 * an infinity or NaN as Python's repr of it (JSON has neither); a bigint as the number it is:
 * python3's ints past 2**53 come through JSON as numbers, and JSON.stringify takes no bigint.
 */
function shown(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  if (Array.isArray(v)) return v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'number' ? [v[0], 'port'] : v.map(shown);
  if (v === null || v === undefined || typeof v !== 'object' || v instanceof Uint8Array) return v;
  return (v as object).constructor.name;
}

/** What the peer has received (up to 1000 bytes), or null when nothing. */
function sent(peer: Socket): Buffer | null {
  try {
    return peer.recv(1000, MSG_DONTWAIT);
  } catch (e) {
    if (e instanceof BlockingIOError) return null;
    throw e;
  }
}

const SETUP = `import array, asyncio, math, socket
loop = asyncio.new_event_loop()
run = loop.run_until_complete
DEFAULT = object()
def shown(v):
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)
    if isinstance(v, (tuple, list)):
        return [v[0], 'port'] if len(v) == 2 and isinstance(v[0], str) and type(v[1]) is int else [shown(x) for x in v]
    return v if v is None or isinstance(v, (bool, int, float, str, bytes, bytearray)) else type(v).__name__
def sent(peer):
    try:
        return peer.recv(1000, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return None
async def transport():
    a, b = socket.socketpair()
    t, _ = await asyncio.get_running_loop().connect_accepted_socket(asyncio.Protocol, a)
    return t, b
LIMITED, _LIMITED_PEER = run(transport())
WRITTEN, WRITTEN_PEER = run(transport())
async def datagram():
    t, _ = await asyncio.get_running_loop().create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=('127.0.0.1', 0))
    return t
DATAGRAM = run(datagram())
LISTENER = socket.create_server(('127.0.0.1', 0))
async def stream():
    r, w = await asyncio.open_connection('127.0.0.1', LISTENER.getsockname()[1])
    return r, w, LISTENER.accept()[0]
_, WRITER, WRITER_PEER = run(stream())
# A bool limit is the int it is here (asyncio-args.test.ts's limitsBool): Python keeps True itself.
def limits(*a):
    LIMITED.set_write_buffer_limits(*a)
    return shown([int(x) if type(x) is bool else x for x in LIMITED.get_write_buffer_limits()])
def write(x): return [WRITTEN.write(x), sent(WRITTEN_PEER)]
def writelines(x): return [WRITTEN.writelines(x), sent(WRITTEN_PEER)]
def extra(*a): return shown(WRITTEN.get_extra_info(*a))
def datagram_extra(*a): return shown(DATAGRAM.get_extra_info(*a))
def writer_write(x): return [WRITER.write(x), sent(WRITER_PEER)]
def writer_writelines(x): return [WRITER.writelines(x), sent(WRITER_PEER)]
def writer_extra(*a): return shown(WRITER.get_extra_info(*a))
def made(limit):
    asyncio.StreamReader(limit=limit)
    return 'made'
def fed(limit):
    r = asyncio.StreamReader() if limit is DEFAULT else asyncio.StreamReader(limit=limit)
    r.feed_data(b'ab\\ncdef'); r.feed_eof()
    return r
def on_reader(limit, f):
    async def go():
        return await f(fed(limit))
    return run(go())
def left(limit, f):
    async def go():
        r = fed(limit)
        try:
            await f(r)
        except Exception:
            pass
        return await r.read(100)
    return run(go())
def drained(f):
    async def go():
        r, w = await asyncio.open_connection('127.0.0.1', LISTENER.getsockname()[1])
        peer = LISTENER.accept()[0]
        try:
            f(r, w)
            return await w.drain()
        finally:
            w.close(); peer.close()
            await asyncio.sleep(0)
    return run(go())`;

/** The drain() sequences: [Python's f(r, w) before drain(), the same here], each on a connection of its own. */
const DRAINS: [string, (r: asyncio.StreamReader, w: asyncio.StreamWriter) => void][] = [
  ['lambda r, w: None', () => undefined],
  ["lambda r, w: w.write(b'x')", (_r, w) => w.write(Buffer.from('x'))],
  ['lambda r, w: w.close()', (_r, w) => w.close()],
  ['lambda r, w: w.transport.abort()', (_r, w) => w.transport.abort()],
  ['lambda r, w: w.write_eof()', (_r, w) => w.write_eof()],
  ["lambda r, w: (w.write_eof(), w.write(b'x'))", (_r, w) => (w.write_eof(), w.write(Buffer.from('x')))],
  ["lambda r, w: (w.write_eof(), w.writelines([]))", (_r, w) => (w.write_eof(), w.writelines([]))],
  ["lambda r, w: r.set_exception(ValueError('x'))", (r) => r.set_exception(new RangeError('x'))],
];

interface Ends {
  limited: asyncio.Transport;
  written: asyncio.Transport;
  writtenPeer: Socket;
  datagram: asyncio.DatagramTransport;
  writer: asyncio.StreamWriter;
  writerPeer: Socket;
}

interface Call {
  call: string;
  run: (e: Ends) => unknown;
}

const limitCalls: Call[] = [
  { call: 'limits()', run: (e: Ends) => e.limited.set_write_buffer_limits() },
  ...[...NUMBERS.map((h) => [h]), ...combinations([NUMBERS, NUMBERS])].map(
    (args): Call => ({ call: pyCall('limits', args), run: (e) => e.limited.set_write_buffer_limits(...(args.map(([, v]) => v) as [number, number])) }),
  ),
].map(({ call, run }) => ({ call, run: (e: Ends) => (run(e), e.limited.get_write_buffer_limits()) }));

const extraArgs: PoolValue[][] = [...NAMES.map((n) => [n]), ...combinations([NAMES, DEFAULTS])];
const getExtra = (o: { get_extra_info(...a: unknown[]): unknown }, args: PoolValue[]) => shown(o.get_extra_info(...args.map(([, v]) => v)));

const transportCalls: Call[] = [
  ...DATA.map(([lit, v]): Call => ({ call: `write(${lit})`, run: (e) => [e.written.write(v as Uint8Array), sent(e.writtenPeer)] })),
  ...LISTS.map(([lit, v]): Call => ({ call: `writelines(${lit})`, run: (e) => [e.written.writelines(pieces(v) as Uint8Array[]), sent(e.writtenPeer)] })),
  ...extraArgs.map((args): Call => ({ call: pyCall('extra', args), run: (e) => getExtra(e.written as never, args) })),
  ...extraArgs.map((args): Call => ({ call: pyCall('datagram_extra', args), run: (e) => getExtra(e.datagram as never, args) })),
];

const writerCalls: Call[] = [
  ...DATA.map(([lit, v]): Call => ({ call: `writer_write(${lit})`, run: (e) => [e.writer.write(v as Uint8Array), sent(e.writerPeer)] })),
  ...LISTS.map(([lit, v]): Call => ({ call: `writer_writelines(${lit})`, run: (e) => [e.writer.writelines(pieces(v) as Uint8Array[]), sent(e.writerPeer)] })),
  { call: 'WRITER.can_write_eof()', run: (e) => e.writer.can_write_eof() },
  ...extraArgs.map((args): Call => ({ call: pyCall('writer_extra', args), run: (e) => getExtra(e.writer as never, args) })),
];

const LIMITS: PoolValue[] = [DEFAULT_LIMIT, ...NUMBERS];
const readerCalls = LIMITS.flatMap(([lit, limit]) =>
  READER_CALLS.flatMap(([src, call]) => [
    { call: `on_reader(${lit}, lambda r: ${src})`, run: () => call(fedReader(limit)) },
    {
      call: `left(${lit}, lambda r: ${src})`,
      run: async () => {
        const r = fedReader(limit);
        await call(r).catch(() => undefined);
        return r.read(100);
      },
    },
  ]),
);
const madeCalls = NUMBERS.map(([lit, limit]) => ({ call: `made(${lit})`, run: () => (new asyncio.StreamReader(limit as number), 'made') }));
const drainCalls = DRAINS.map(([src, f]) => ({
  call: `drained(${src})`,
  run: async () => {
    const l = listen(['127.0.0.1', 0]);
    const [r, w] = await asyncio.open_connection('127.0.0.1', l.getsockname()[1] as number);
    const [peer] = l.accept();
    l.close();
    try {
      f(r, w);
      return await w.drain();
    } finally {
      w.close();
      peer.close();
      await w.wait_closed().catch(() => undefined);
    }
  },
}));

const want = python(
  SETUP,
  Object.fromEntries([...limitCalls, ...transportCalls, ...writerCalls, ...readerCalls, ...madeCalls, ...drainCalls].map(({ call }) => [call, call])),
);

/** What `run` gives, as `shown` shows it. */
const shownOf = async (run: () => unknown): Promise<unknown> => shown(await run());

describe("asyncio's transport and stream methods over pools of values, as python3's asyncio's", () => {
  let ends: Ends;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    const [a, b] = socketpair();
    const [c, d] = socketpair();
    const [limited] = await asyncio.connect_accepted_socket(() => new asyncio.Protocol(), a);
    const [written] = await asyncio.connect_accepted_socket(() => new asyncio.Protocol(), c);
    const [datagram] = await asyncio.create_datagram_endpoint(() => new asyncio.DatagramProtocol(), { local_addr: ['127.0.0.1', 0] });
    const l = listen(['127.0.0.1', 0]);
    const [, writer] = await asyncio.open_connection('127.0.0.1', l.getsockname()[1] as number);
    const [writerPeer] = l.accept();
    l.close();
    closers.push(() => limited.close(), () => b.close(), () => written.close(), () => d.close(), () => datagram.close(), () => writer.close(), () => writerPeer.close());
    ends = { limited, written, writtenPeer: d, datagram, writer, writerPeer };
  });

  afterAll(() => {
    for (const close of closers) close();
  });

  it(`a transport's set_write_buffer_limits: ${limitCalls.length} calls`, async () => {
    expect(await asyncDifferences(limitCalls, want, ({ run }) => shownOf(() => run(ends)))).toEqual([]);
  });

  it(`a transport's write, writelines and get_extra_info, a datagram transport's get_extra_info: ${transportCalls.length} calls`, async () => {
    expect(await asyncDifferences(transportCalls, want, ({ run }) => shownOf(() => run(ends)))).toEqual([]);
  });

  it(`a StreamWriter's write, writelines, can_write_eof and get_extra_info: ${writerCalls.length} calls`, async () => {
    expect(await asyncDifferences(writerCalls, want, ({ run }) => shownOf(() => run(ends)))).toEqual([]);
  });

  it(`a StreamReader's limit, and its reads of b'ab\\ncdef' and what each leaves: ${madeCalls.length + readerCalls.length} calls`, async () => {
    const calls = [...madeCalls, ...readerCalls];
    expect(await asyncDifferences(calls, want, ({ run }) => shownOf(run))).toEqual([]);
  });

  it(`a StreamWriter's drain() after a write, a close, an abort, write_eof, a reader's exception: ${drainCalls.length} calls`, async () => {
    expect(await asyncDifferences(drainCalls, want, ({ run }) => shownOf(run))).toEqual([]);
  });
});

// A datagram transport's sendto over pools of data and addresses, on an endpoint bound to
// 127.0.0.1 (unconnected) and on one connected to a peer: what sendto raised, what the protocol
// was told (error_received, connection_lost) within 10 ms, before the transport is closed, and
// what the peer received; error classes as bsdsock names them (ValueError, OverflowError:
// RangeError), the peer's port as PORT. An empty datagram is left out (bsdsock sends it, as asyncio 3.13; 3.11 sends nothing).
describe("a datagram transport's sendto over pools of data and addresses, as python3's asyncio's", () => {
  const SEND_DATA: PoolValue[] = [
    ["b'ab'", Buffer.from('ab')],
    ["bytearray(b'cd')", Buffer.from('cd')],
    ["'x'", 'x'],
    ['None', null],
    ['5', 5],
    ['[1]', [1]],
  ];
  const PEER: PoolValue = ["'PEER'", 'the peer'];
  const ADDRS: PoolValue[] = [
    PEER,
    ['None', null],
    ["('::1', 9)", ['::1', 9]],
    ["('127.0.0.1', -1)", ['127.0.0.1', -1]],
    ["('127.0.0.1',)", ['127.0.0.1']],
    ["'x'", 'x'],
    ['5', 5],
    ["('127.0.0.1', 'x')", ['127.0.0.1', 'x']],
  ];
  const calls = (['unconnected', 'connected'] as const).flatMap((kind) =>
    combinations([SEND_DATA, ADDRS]).map((args) => ({ call: `${kind}(${args.map(([l]) => l).join(', ')})`, kind, args })),
  );
  const py = python(
    `import asyncio, socket
JS = {'ValueError': 'RangeError', 'OverflowError': 'RangeError'}
def name(exc): return JS.get(type(exc).__name__, type(exc).__name__)
class Told(asyncio.DatagramProtocol):
    def __init__(self): self.told = []
    def error_received(self, exc): self.told.append(['error', name(exc), getattr(exc, 'errno', None)])
    def connection_lost(self, exc): self.told.append(['lost', name(exc) if exc else None])
def send(connected, data, addr):
    async def main():
        loop = asyncio.get_running_loop()
        peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); peer.bind(('127.0.0.1', 0)); peer.setblocking(False)
        p = peer.getsockname()
        kw = {'remote_addr': p} if connected else {'local_addr': ('127.0.0.1', 0)}
        t, proto = await loop.create_datagram_endpoint(Told, **kw)
        raised = None
        try:
            t.sendto(data, p if addr == 'PEER' else addr)
        except Exception as e:
            raised = [name(e), str(e).replace(str(p[1]), 'PORT')]
        await asyncio.sleep(0.01)
        try: got = peer.recv(100)
        except BlockingIOError: got = None
        told = list(proto.told)
        t.close(); peer.close()
        return [raised, told, got]
    return asyncio.run(main())
def unconnected(data, addr): return send(False, data, addr)
def connected(data, addr): return send(True, data, addr)`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );

  class Told extends asyncio.DatagramProtocol {
    told: unknown[][] = [];
    override error_received(exc: Error): void {
      this.told.push(['error', exc.constructor.name, (exc as { errno?: number }).errno ?? null]);
    }
    override connection_lost(exc: Error | null): void {
      this.told.push(['lost', exc ? exc.constructor.name : null]);
    }
  }

  it(`${calls.length} calls`, async () => {
    const found = await asyncDifferences(calls, py, async ({ kind, args }) => {
      const [data, addr] = args.map(([, v]) => v);
      const peer = socket(AF_INET, SOCK_DGRAM);
      peer.bind(['127.0.0.1', 0]);
      peer.setblocking(false);
      const p = peer.getsockname();
      const options = kind === 'connected' ? { remote_addr: p } : { local_addr: ['127.0.0.1', 0] as [string, number] };
      const [t, proto] = await asyncio.create_datagram_endpoint(() => new Told(), options);
      let raised: unknown = null;
      try {
        t.sendto(data as Uint8Array, addr === PEER[1] ? p : addr);
      } catch (e) {
        raised = [(e as Error).constructor.name, (e as Error).message.replace(String(p[1]), 'PORT')];
      }
      await new Promise((r) => setTimeout(r, 10));
      let received: unknown = null;
      try {
        received = peer.recv(100);
      } catch (e) {
        if (!(e instanceof BlockingIOError)) throw e;
      }
      const told = [...proto.told];
      t.close();
      peer.close();
      return [raised, told, received];
    });
    expect(found).toEqual([]);
  });
});
