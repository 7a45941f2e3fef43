// bsdsock/asyncio against python3's asyncio where a comparison of the two
// found them apart: create_server's checks of host, port and backlog, the
// transport's write checks and buffer limits, eof_received's truth, a stream
// reader's sizes and separators, the sock_*_into buffers; and the
// error paths of create_connection, which must leave no fd open and nothing
// holding the process.
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, AF_UNIX, create_connection as connectSync, create_server as createServer, SHUT_WR, SOCK_DGRAM, socket, socketpair, type Socket } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import * as selectors from 'bsdsock/selectors';
import { encode, expected, outcome, outcomeAsync, python, type Outcome } from './helpers/python';
import { asyncDifferences, combinations, INTS, pyCall, TRUTHS, type PoolValue } from './helpers/pool';
import { runSync } from './helpers/run';

/** [what, a StreamReader call in Python, the same call here], on a reader fed b'ab\ncdef' then EOF. */
const READER_CALLS: [string, string, (r: asyncio.StreamReader) => Promise<unknown>][] = [
  ['read(None)', 'read(None)', (r) => r.read(null as never)],
  ["read('x')", "read('x')", (r) => r.read('x' as never)],
  ['read(1.5)', 'read(1.5)', (r) => r.read(1.5)],
  ['read(-1.5): everything', 'read(-1.5)', (r) => r.read(-1.5)],
  ['read(True): one byte', 'read(True)', (r) => r.read(true as never)],
  ["readexactly('x')", "readexactly('x')", (r) => r.readexactly('x' as never)],
  ['readexactly(1.5)', 'readexactly(1.5)', (r) => r.readexactly(1.5)],
  ['readuntil([sep])', "readuntil([b'\\n'])", (r) => r.readuntil([Buffer.from('\n')] as never)],
  ['readuntil([]): too short', 'readuntil([])', (r) => r.readuntil([] as never)],
];

/** [what, a file object in Python, the same here]: what add_reader and a selector's register take as an fd. */
const FILE_OBJECTS: [string, string, () => unknown][] = [
  ["'x'", "'x'", () => 'x'],
  ['None', 'None', () => null],
  ['2.5', '2.5', () => 2.5],
  ['-1', '-1', () => -1],
  ['-1n', '-1', () => -1n],
  ["fileno() of '-3'", "Fileno('-3')", () => ({ fileno: () => '-3' })],
  ['fileno() of -2.5', 'Fileno(-2.5)', () => ({ fileno: () => -2.5 })],
  ["fileno() of the fd's digits", 'Fileno(str(A.fileno()))', () => ({ fileno: () => String(A.fileno()) })],
  ['fileno() of the fd plus a half', 'Fileno(A.fileno() + 0.5)', () => ({ fileno: () => A.fileno() + 0.5 })],
];

/** The socket whose fd FILE_OBJECTS' good cases name. */
const [A, B] = socketpair();

/** [what, a StreamReader call in Python, the same call here], on a reader fed b'ab', b'cd' and EOF, 10 ms apart:
 * its outcome, how many chunks had come when it failed, and what it left. */
const LATE_CALLS: [string, string, (r: asyncio.StreamReader) => Promise<unknown>][] = [
  ['read(1.5): waits for bytes, then fails, leaving them', 'read(1.5)', (r) => r.read(1.5)],
  ['readexactly(2.5): waits for 3 bytes, then fails, leaving them', 'readexactly(2.5)', (r) => r.readexactly(2.5)],
  ['readexactly(4.5): IncompleteReadError at EOF', 'readexactly(4.5)', (r) => r.readexactly(4.5)],
];

/** [a WriteTransport call asyncio's datagram transport refuses, the same call here]. */
const DATAGRAM_WRITES: [string, (t: asyncio.DatagramTransport) => unknown][] = [
  ["write(b'x')", (t) => t.write(Buffer.from('x'))],
  ["writelines([b'x'])", (t) => t.writelines([Buffer.from('x')])],
  ['write_eof()', (t) => t.write_eof()],
  ['can_write_eof()', (t) => t.can_write_eof()],
];

const py = python(
  `import asyncio, selectors, socket
A, B = socket.socketpair()
class Fileno:
    def __init__(self, fd): self.fd = fd
    def fileno(self): return self.fd
def add_reader(f):
    loop = asyncio.new_event_loop()
    try:
        loop.add_reader(f, print); loop.remove_reader(f); return 'ok'
    finally:
        loop.close()
def register(f):
    with selectors.SelectSelector() as s:
        return s.register(f, selectors.EVENT_READ).fd == A.fileno()
def run(coro):
    return asyncio.run(coro)
async def server(*a, **k):
    loop = asyncio.get_running_loop()
    s = await loop.create_server(asyncio.Protocol, *a, **k)
    s.close()
async def on_transport(f):
    a, b = socket.socketpair()
    loop = asyncio.get_running_loop()
    t, p = await loop.connect_accepted_socket(asyncio.Protocol, a)
    try:
        return f(t)
    finally:
        t.close(); b.close()
def on_reader(f):
    async def go():
        r = asyncio.StreamReader(); r.feed_data(b'ab\\ncdef'); r.feed_eof()
        return await f(r)
    return run(go())
def on_datagram_transport(f):
    async def go():
        t, p = await asyncio.get_running_loop().create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=('127.0.0.1', 0))
        try:
            return f(t)
        finally:
            t.close()
    return run(go())
def on_late_reader(f):
    async def go():
        r = asyncio.StreamReader()
        fed = []
        async def feed():
            for chunk in [b'ab', b'cd']:
                await asyncio.sleep(0.01); r.feed_data(chunk); fed.append(chunk)
            await asyncio.sleep(0.01); r.feed_eof()
        feeding = asyncio.ensure_future(feed())
        try:
            return [await f(r), bytes(r._buffer)]
        except Exception as e:
            failed_after = len(fed)
            await feeding
            return [type(e).__name__, str(e), failed_after, bytes(r._buffer)]
    return run(go())`,
  {
    ...Object.fromEntries(FILE_OBJECTS.map(([what, f]) => [`add_reader ${what}`, `add_reader(${f})`])),
    ...Object.fromEntries(FILE_OBJECTS.map(([what, f]) => [`register ${what}`, `register(${f})`])),
    ...Object.fromEntries(READER_CALLS.map(([what, call]) => [`reader ${what}`, `on_reader(lambda r: r.${call})`])),
    ...Object.fromEntries(LATE_CALLS.map(([what, call]) => [`late ${what}`, `on_late_reader(lambda r: r.${call})`])),
    ...Object.fromEntries(DATAGRAM_WRITES.map(([call]) => [`datagram ${call}`, `on_datagram_transport(lambda t: t.${call})`])),
    recvIntoStr: `async def into():
    a, b = socket.socketpair(); a.setblocking(False)
    try: await asyncio.get_running_loop().sock_recv_into(a, 'xx')
    finally: a.close(); b.close()
run(into())`,
    recvfromIntoStr: `async def into():
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM); a.setblocking(False)
    try: await asyncio.get_running_loop().sock_recvfrom_into(a, 'xx')
    finally: a.close(); b.close()
run(into())`,
    port70000: `run(server('127.0.0.1', 70000))`,
    portMinus1: `run(server('127.0.0.1', -1))`,
    nothing: `run(server())`,
    backlog: `run(server('127.0.0.1', 0, backlog='x'))`,
    limitsStr: `run(on_transport(lambda t: t.set_write_buffer_limits('a')))`,
    limitsLowStr: `run(on_transport(lambda t: t.set_write_buffer_limits(None, 'a')))`,
    limitsHighLowStr: `run(on_transport(lambda t: t.set_write_buffer_limits(100, 'x')))`,
    limitsBool: `run(on_transport(lambda t: (t.set_write_buffer_limits(True), t.get_write_buffer_limits()[1] == 1)[1]))`,
    writeStr: `run(on_transport(lambda t: t.write('s')))`,
    writeNone: `run(on_transport(lambda t: t.write(None)))`,
    writelinesStr: `run(on_transport(lambda t: t.writelines([b'a', 'b'])))`,
    serverRepr: `async def reprs():
    s = await asyncio.get_running_loop().create_server(asyncio.Protocol, '127.0.0.1', 0)
    open_ = repr(s); s.close(); return [open_, repr(s)]
run(reprs())`,
    readuntilInt: `async def until():
    r = asyncio.StreamReader(); r.feed_data(b'x'); await r.readuntil(5)
run(until())`,
  },
);

/** A transport of one end of a socketpair, closed after `f`. */
async function onTransport<T>(f: (t: asyncio.Transport) => T): Promise<T> {
  const { socketpair } = await import('bsdsock');
  const [a, b] = socketpair();
  const [t] = await asyncio.connect_accepted_socket(() => new asyncio.Protocol(), a);
  try {
    return f(t);
  } finally {
    t.close();
    b.close();
  }
}

async function server(...args: unknown[]): Promise<void> {
  const s = await (asyncio.create_server as (...a: unknown[]) => Promise<asyncio.Server>)(() => new asyncio.Protocol(), ...args);
  s.close();
}

const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('create_server checks its arguments as asyncio does', () => {
  it('a port outside 0-65535 with a numeric host is bind()\'s OverflowError, not a port wrapped to 16 bits', async () => {
    expect(await outcomeAsync(() => server('127.0.0.1', 70000))).toEqual(expected(py.port70000!));
    expect(await outcomeAsync(() => server('127.0.0.1', -1))).toEqual(expected(py.portMinus1!));
  });

  it('neither host, port nor sock is ValueError (RangeError)', async () => {
    expect(await outcomeAsync(() => server())).toEqual(expected(py.nothing!));
  });

  it("a backlog listen() refuses is listen()'s TypeError, and the sockets made are closed at once", async () => {
    const before = openFds();
    for (let i = 0; i < 5; i++) expect(await outcomeAsync(() => server('127.0.0.1', 0, { backlog: 'x' }))).toEqual(expected(py.backlog!));
    expect(openFds()).toBe(before);
  });
});

describe("a transport's checks", () => {
  it.each([
    ['limitsStr', (t: asyncio.Transport) => t.set_write_buffer_limits('a' as never)],
    ['limitsLowStr', (t: asyncio.Transport) => t.set_write_buffer_limits(null, 'a' as never)],
    ['limitsHighLowStr', (t: asyncio.Transport) => t.set_write_buffer_limits(100, 'x' as never)],
    ['limitsBool', (t: asyncio.Transport) => (t.set_write_buffer_limits(true as never), t.get_write_buffer_limits()[1] === 1)],
    ['writeStr', (t: asyncio.Transport) => t.write('s' as never)],
    ['writeNone', (t: asyncio.Transport) => t.write(null as never)],
    ['writelinesStr', (t: asyncio.Transport) => t.writelines([Buffer.from('a'), 'b' as never])],
  ] as const)('%s as in Python', async (name, f) => {
    expect(await outcomeAsync(() => onTransport(f))).toEqual(expected(py[name]!));
  });

  it('eof_received returning any true value (1) keeps the transport open for writing, as asyncio', async () => {
    const events: string[] = [];
    class KeepOpen extends asyncio.Protocol {
      transport: asyncio.Transport | null = null;
      override connection_made(t: asyncio.BaseTransport): void {
        this.transport = t as asyncio.Transport;
      }
      override eof_received(): boolean {
        events.push('eof');
        setTimeout(() => this.transport!.write(Buffer.from('still')), 10);
        return 1 as never;
      }
      override connection_lost(): void {
        events.push('lost');
      }
    }
    const srv = await asyncio.create_server(() => new KeepOpen(), '127.0.0.1', 0);
    const c = connectSync(['127.0.0.1', srv.sockets[0]!.getsockname()[1] as number]);
    try {
      c.setblocking(false);
      c.shutdown(SHUT_WR);
      expect((await asyncio.sock_recv(c, 10)).toString()).toBe('still');
      expect(events).toEqual(['eof']);
    } finally {
      c.close();
      srv.close();
    }
  });
});

describe('a server and a stream reader', () => {
  it("a Server's repr is asyncio's: its sockets as TransportSockets in a tuple, none once closed", async () => {
    const s = await asyncio.create_server(() => new asyncio.Protocol(), '127.0.0.1', 0);
    const open = String(s);
    s.close();
    const numbers = (text: string) => text.replace(/\d+/g, 'N');
    const want = (py.serverRepr as { value: string[] }).value.map(numbers);
    expect([numbers(open), String(s)]).toEqual(want);
  });

  it.each(READER_CALLS)("a StreamReader's %s: asyncio's result or error", async (what, _py, call) => {
    const r = new asyncio.StreamReader();
    r.feed_data(Buffer.from('ab\ncdef'));
    r.feed_eof();
    expect(await outcomeAsync(() => call(r))).toEqual(expected(py[`reader ${what}`]!));
  });

  it.each(LATE_CALLS)("a StreamReader's %s, as asyncio's", async (what, _py, call) => {
    const r = new asyncio.StreamReader();
    let fed = 0;
    const feeding = (async () => {
      for (const chunk of ['ab', 'cd']) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        r.feed_data(Buffer.from(chunk));
        fed++;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
      r.feed_eof();
    })();
    let got: unknown[];
    try {
      got = [encode(await call(r))];
    } catch (e) {
      const failedAfter = fed;
      await feeding;
      got = [(e as Error).constructor.name, (e as Error).message, failedAfter];
    }
    // What the failed call left in the buffer, as Python's r._buffer: read to EOF.
    got.push(encode(await r.read()));
    expect({ value: got }).toEqual(py[`late ${what}`]);
  });

  it.each(DATAGRAM_WRITES)("a datagram transport's %s: asyncio's NotImplementedError", async (call, f) => {
    const [t] = await asyncio.create_datagram_endpoint(() => new asyncio.DatagramProtocol(), { local_addr: ['127.0.0.1', 0] });
    try {
      expect(outcome(() => f(t))).toEqual(expected(py[`datagram ${call}`]!));
      expect(t.is_closing()).toBe(false);
    } finally {
      t.close();
    }
  });

  it("sock_recv_into and sock_recvfrom_into of a str: recv_into()'s and recvfrom_into()'s TypeError", async () => {
    const [a, b] = socketpair();
    const [c, d] = socketpair(AF_UNIX, SOCK_DGRAM);
    try {
      a.setblocking(false);
      c.setblocking(false);
      expect(await outcomeAsync(async () => asyncio.sock_recv_into(a, 'xx' as never))).toEqual(expected(py.recvIntoStr!));
      expect(await outcomeAsync(async () => asyncio.sock_recvfrom_into(c, 'xx' as never))).toEqual(expected(py.recvfromIntoStr!));
    } finally {
      for (const s of [a, b, c, d]) s.close();
    }
  });

  it('a bigint is an int: add_reader of a bigint fd calls back, happy_eyeballs_delay/interleave as bigints connect', async () => {
    const [a, b] = socketpair();
    try {
      b.send(Buffer.from('x'));
      const called = await new Promise<string>((resolve) => {
        asyncio.add_reader(BigInt(a.fileno()) as never, () => {
          asyncio.remove_reader(BigInt(a.fileno()) as never);
          resolve('called');
        });
      });
      expect(called).toBe('called');
      const l = createServer(['127.0.0.1', 0]);
      try {
        const [t] = await asyncio.create_connection(() => new asyncio.Protocol(), '127.0.0.1', l.getsockname()[1], {
          happy_eyeballs_delay: 0n as never,
          interleave: 1n as never,
        });
        expect(t.get_extra_info('peername')).toEqual(['127.0.0.1', l.getsockname()[1]]);
        t.close();
      } finally {
        l.close();
      }
    } finally {
      a.close();
      b.close();
    }
  });

  it('readuntil() with a separator that is no bytes (nor str) is TypeError', async () => {
    const r = new asyncio.StreamReader();
    r.feed_data(Buffer.from('x'));
    expect(await outcomeAsync(() => r.readuntil(5 as never))).toEqual(expected(py.readuntilInt!));
  });
});

describe("file objects, as selectors' _fileobj_to_fd takes them", () => {
  afterAll(() => {
    A.close();
    B.close();
  });

  it.each(FILE_OBJECTS)('add_reader(%s): asyncio\'s outcome', (what, _py, fileobj) => {
    const got = outcome(() => {
      const f = fileobj();
      asyncio.add_reader(f as never, () => undefined);
      asyncio.remove_reader(f as never);
      return 'ok';
    });
    expect(got).toEqual(expected(py[`add_reader ${what}`]!));
  });

  it.each(FILE_OBJECTS)("a selector's register(%s): Python's outcome", (what, _py, fileobj) => {
    const got = outcome(() => {
      const s = new selectors.SelectSelector();
      try {
        return s.register(fileobj() as never, selectors.EVENT_READ).fd === A.fileno();
      } finally {
        s.close();
      }
    });
    expect(got).toEqual(expected(py[`register ${what}`]!));
  });
});

describe("create_connection's error paths leave nothing open", () => {
  it('a protocol factory or connection_made that throws rejects the call; no fd stays open, and the process exits', () => {
    // In a child: a transport left open would hold its loop, and the child would not exit by itself.
    const r = runSync(process.execPath, ['-e', `const A = require('bsdsock/asyncio');
      const fs = require('node:fs');
      const open = () => fs.readdirSync('/proc/self/fd').length;
      (async () => {
        const srv = await A.create_server(() => new A.Protocol(), '127.0.0.1', 0);
        const port = srv.sockets[0].getsockname()[1];
        const before = open();
        const messages = [];
        for (let i = 0; i < 5; i++) {
          await A.create_connection(() => { throw new Error('factory'); }, '127.0.0.1', port).catch((e) => messages.push(e.message));
          const Throws = class extends A.Protocol { connection_made() { throw new Error('connection_made'); } };
          await A.create_connection(() => new Throws(), '127.0.0.1', port).catch((e) => messages.push(e.message));
        }
        await new Promise((r) => setTimeout(r, 50));
        console.log(JSON.stringify({ delta: open() - before, messages: [...new Set(messages)] }));
        srv.close();
      })();`], { timeout: 20_000, cwd: process.cwd() });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ delta: 0, messages: ['factory', 'connection_made'] });
  });
});

// sock_recv's sizes and sock_recv_into's and sock_sendall's buffers from pools past every bound and
// of every wrong type, on a socket with 'hello' to read, each outcome as python3's asyncio's.
describe("the sock_* operations' arguments over a pool of values, as asyncio's", () => {
  const SIZES: PoolValue[] = INTS.filter(([, v]) => typeof v !== 'number' || v < 2 ** 31);
  // Python's bytes are read-only, a Buffer is not: recv_into's pool has no bytes.
  const BUFFERS: PoolValue[] = [['bytearray(4)', 'a fresh buffer of 4'], ["'x'", 'x'], ['None', null], ['5', 5], ['[1]', [1]]];
  const DATA: PoolValue[] = [["b'x'", Buffer.from('x')], ["b''", Buffer.alloc(0)], ["'x'", 'x'], ['None', null], ['5', 5], ['[1]', [1]]];
  const calls: { call: string; args: PoolValue[]; run: (a: Socket, v: unknown) => Promise<unknown> }[] = [
    ...SIZES.map((n) => ({ call: `go(lambda loop, a: loop.sock_recv(a, ${n[0]}))`, args: [n], run: (a: Socket, v: unknown) => asyncio.sock_recv(a, v as number) })),
    ...BUFFERS.map((b) => ({
      call: `go(lambda loop, a: loop.sock_recv_into(a, ${b[0]}))`,
      args: [b],
      run: (a: Socket, v: unknown) => asyncio.sock_recv_into(a, (v === BUFFERS[0]![1] ? Buffer.alloc(4) : v) as Uint8Array),
    })),
    ...DATA.map((d) => ({ call: `go(lambda loop, a: loop.sock_sendall(a, ${d[0]}))`, args: [d], run: (a: Socket, v: unknown) => asyncio.sock_sendall(a, v as Uint8Array) })),
    // sock_recvfrom's size and sock_recvfrom_into's nbytes (into a buffer of 4); the sender's address (a
    // socketpair's, '' in Python, null here: msg.test.ts compares those) left out.
    ...SIZES.map((n) => ({
      call: `go(lambda loop, a: data_of(loop.sock_recvfrom(a, ${n[0]})))`,
      args: [n],
      run: async (a: Socket, v: unknown) => (await asyncio.sock_recvfrom(a, v as number))[0],
    })),
    ...INTS.map((n) => ({
      call: `go(lambda loop, a: data_of(loop.sock_recvfrom_into(a, bytearray(4), ${n[0]})))`,
      args: [n],
      run: async (a: Socket, v: unknown) => (await asyncio.sock_recvfrom_into(a, Buffer.alloc(4), v as number))[0],
    })),
  ];
  const want = python(
    `import asyncio, socket
async def data_of(call):
    return (await call)[0]
def go(f):
    async def main():
        a, b = socket.socketpair(); a.setblocking(False); b.send(b'hello')
        try:
            return await f(asyncio.get_running_loop(), a)
        finally:
            a.close(); b.close()
    return asyncio.run(main())`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, async () => {
    const found = await asyncDifferences(calls, want, async ({ args, run }) => {
      const [a, b] = socketpair();
      a.setblocking(false);
      b.send(Buffer.from('hello'));
      try {
        return await run(a, args[0]![1]);
      } finally {
        a.close();
        b.close();
      }
    });
    expect(found).toEqual([]);
  });
});

// sock_connect's addresses as asyncio resolves them (`_ensure_resolved`: a numeric host taken as it
// is, the port through int(), anything else through getaddrinfo), on UDP sockets of both families
// (a datagram socket's connect sends nothing), loopback and numeric hosts only; the peer it
// connected to, its port named 'port' when not 0, as python3's asyncio.
describe("sock_connect's addresses over pools of hosts and ports, as asyncio's", () => {
  const HOSTS: PoolValue[] = [
    ["'127.0.0.1'", '127.0.0.1'],
    ["'127.1'", '127.1'],
    ["'::1'", '::1'],
    ["'::ffff:127.0.0.1'", '::ffff:127.0.0.1'],
    ["b'127.0.0.1'", Buffer.from('127.0.0.1')],
    ["''", ''],
    ['None', null],
    ['5', 5],
  ];
  const PORTS: PoolValue[] = [
    ['9', 9],
    ["'9'", '9'],
    ["b'9'", Buffer.from('9')],
    ["' 9 '", ' 9 '],
    ['9.5', 9.5],
    ['True', true],
    ['None', null],
    ["''", ''],
    ['-1', -1],
    ['65536', 65536],
    ['2**63', 2n ** 63n],
    ["'discard'", 'discard'],
    ['[9]', [9]],
  ];
  const FAMILIES: PoolValue[] = [
    ['socket.AF_INET', AF_INET],
    ['socket.AF_INET6', AF_INET6],
  ];
  // sock_connect, then the peer it connected to (its port named 'port' when not 0); sock_sendto
  // (asyncio's is sendto itself: no resolving), then the count sent.
  const calls = (['connected', 'sent'] as const).flatMap((how) =>
    combinations([FAMILIES, HOSTS, PORTS]).map((args) => ({ call: pyCall(how, args), how, args })),
  );
  const want = python(
    `import asyncio, socket
def on_udp(family, f):
    async def main():
        s = socket.socket(family, socket.SOCK_DGRAM); s.setblocking(False)
        try:
            return await f(asyncio.get_running_loop(), s)
        finally:
            s.close()
    return asyncio.run(main())
async def peer_of(loop, s, address):
    await loop.sock_connect(s, address)
    peer = s.getpeername()
    return [peer[0], 'port' if peer[1] else 0]
def connected(family, host, port): return on_udp(family, lambda loop, s: peer_of(loop, s, (host, port)))
def sent(family, host, port): return on_udp(family, lambda loop, s: loop.sock_sendto(s, b'x', (host, port)))`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, async () => {
    const found = await asyncDifferences(calls, want, async ({ how, args }) => {
      const [family, host, port] = args.map(([, v]) => v);
      const s = socket(family as number, SOCK_DGRAM);
      s.setblocking(false);
      try {
        if (how === 'sent') return await asyncio.sock_sendto(s, Buffer.from('x'), [host, port] as never);
        await asyncio.sock_connect(s, [host, port] as never);
        const peer = s.getpeername() as unknown[];
        return [peer[0], peer[1] ? 'port' : 0];
      } finally {
        s.close();
      }
    });
    expect(found).toEqual([]);
  });
});

// create_unix_server's path (str and bytes, abstract, empty, too long, in no directory, a file
// that is no socket, the wrong types) and a sock of each kind, each outcome (the server's socket:
// its family and type, and whether its name is the path given) as python3's asyncio's. Each side
// binds its own names in a directory of its own.
describe("create_unix_server's path and sock over pools of values, as asyncio's", () => {
  const dirs = { py: fs.mkdtempSync('/tmp/bsdsock-unix-py-'), js: fs.mkdtempSync('/tmp/bsdsock-unix-js-') };
  afterAll(() => Object.values(dirs).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  for (const d of Object.values(dirs)) fs.writeFileSync(`${d}/file`, '');
  const room = 107 - '/tmp/bsdsock-unix-py-XXXXXX/'.length;
  /** An outcome less what differs between the two processes: the fd a socket's repr names, each side's directory. */
  const fdless = (o: Outcome): Outcome =>
    'error' in o ? { ...o, message: o.message.replace(/fd=\d+/, 'fd=N').replace(dirs.py, 'DIR').replace(dirs.js, 'DIR') } : o;
  /** The arguments after the protocol factory: the path, then the sock as a keyword, each if given. */
  const unixArgs = (path: unknown, sock: Socket | undefined): unknown[] => [...(path === undefined ? [] : [path]), ...(sock === undefined ? [] : [{ sock }])];
  /** [Python, here given DIR]: a path in the side's own directory. */
  const PATHS: [string, (dir: string) => unknown][] = [
    ["DIR + '/s'", (d) => `${d}/s`],
    ["(DIR + '/b').encode()", (d) => Buffer.from(`${d}/b`)],
    ["DIR + '/file'", (d) => `${d}/file`],
    ["DIR + '/none/s'", (d) => `${d}/none/s`],
    [`DIR + '/' + 'x' * ${room}`, (d) => `${d}/${'x'.repeat(room)}`],
    [`DIR + '/' + 'y' * ${room + 1}`, (d) => `${d}/${'y'.repeat(room + 1)}`],
    ["'\\0bsdsock-' + DIR[-6:]", (d) => `\0bsdsock-${d.slice(-6)}`],
    ["b'\\0bsdsock-b' + DIR[-6:].encode()", (d) => Buffer.from(`\0bsdsock-b${d.slice(-6)}`)],
    ["''", () => ''],
    ["b''", () => Buffer.alloc(0)],
    ['None', () => null],
    ['5', () => 5],
    ['1.5', () => 1.5],
    ["['x']", () => ['x']],
  ];
  const SOCKS: [string, () => Socket][] = [
    ['socket.socket(socket.AF_UNIX)', () => socket(AF_UNIX)],
    ['socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)', () => socket(AF_UNIX, SOCK_DGRAM)],
    ['socket.socket()', () => socket()],
  ];
  const calls = [
    ...PATHS.map(([py, path]) => ({ call: `served(${py})`, run: (d: string) => ({ path: path(d), sock: undefined }) })),
    ...SOCKS.map(([py, sock]) => ({ call: `served(sock=${py})`, run: () => ({ path: undefined, sock: sock() }) })),
    { call: `served(DIR + '/t', sock=socket.socket(socket.AF_UNIX))`, run: (d: string) => ({ path: `${d}/t`, sock: socket(AF_UNIX) }) },
  ];
  const want = python(
    `import asyncio, socket
DIR = ${JSON.stringify(dirs.py)}
def served(*args, **kw):
    async def main():
        srv = await asyncio.get_running_loop().create_unix_server(asyncio.Protocol, *args, **kw)
        try:
            s = srv.sockets[0]
            name = s.getsockname()
            given = args[0] if args else kw['sock'].getsockname()
            return [s.family, s.type, name == given or (isinstance(given, bytes) and name == given.decode())]
        finally:
            srv.close(); await srv.wait_closed()
    try:
        return asyncio.run(main())
    finally:
        if 'sock' in kw: kw['sock'].close()`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, async () => {
    const found = await asyncDifferences(
      calls,
      want,
      async ({ run }) => {
        const { path, sock } = run(dirs.js);
        try {
          const srv = await (asyncio.create_unix_server as (...a: unknown[]) => Promise<asyncio.Server>)(() => new asyncio.Protocol(), ...unixArgs(path, sock));
          try {
            const s = srv.sockets[0]!;
            const name: unknown = s.getsockname();
            const given: unknown = path ?? sock!.getsockname();
            const same = Buffer.isBuffer(given) ? Buffer.isBuffer(name) ? given.equals(name) : given.toString() === name : name === given;
            return [s.family, s.type, same];
          } finally {
            srv.close();
            await srv.wait_closed();
          }
        } finally {
          sock?.close();
        }
      },
      fdless,
    );
    expect(found).toEqual([]);
  });

  // create_unix_connection to a listener in each side's directory (bound in setup), and its path and sock pools.
  const CONNECT_PATHS: [string, (dir: string) => unknown][] = [
    ["DIR + '/l'", (d) => `${d}/l`],
    ["(DIR + '/l').encode()", (d) => Buffer.from(`${d}/l`)],
    ...PATHS.filter(([py]) => !py.includes("'/s'") && !py.includes("'/b'")),
  ];
  const CONNECT_SOCKS: [string, () => Socket][] = [
    ['connected_to(DIR + \'/l\')', () => {
      const s = socket(AF_UNIX);
      s.connect(`${dirs.js}/l`);
      return s;
    }],
    ...SOCKS,
  ];
  const connects = [
    ...CONNECT_PATHS.map(([py, path]) => ({ call: `conn(${py})`, run: (d: string) => ({ path: path(d), sock: undefined }) })),
    ...CONNECT_SOCKS.map(([py, sock]) => ({ call: `conn(sock=${py})`, run: () => ({ path: undefined, sock: sock() }) })),
    { call: `conn(DIR + '/l', sock=socket.socket(socket.AF_UNIX))`, run: (d: string) => ({ path: `${d}/l`, sock: socket(AF_UNIX) }) },
  ];
  const LISTENER = socket(AF_UNIX);
  LISTENER.bind(`${dirs.js}/l`);
  LISTENER.listen(64);
  afterAll(() => LISTENER.close());
  const wantConn = python(
    `import asyncio, os, socket, stat
DIR = ${JSON.stringify(dirs.py)}
# Python 3.11's servers leave their socket files; bsdsock's remove them (asyncio 3.13's cleanup_socket).
for n in os.listdir(DIR):
    if stat.S_ISSOCK(os.stat(os.path.join(DIR, n)).st_mode): os.remove(os.path.join(DIR, n))
L = socket.socket(socket.AF_UNIX); L.bind(DIR + '/l'); L.listen(64)
def connected_to(path):
    s = socket.socket(socket.AF_UNIX); s.connect(path); return s
def conn(*args, **kw):
    async def main():
        t, _ = await asyncio.get_running_loop().create_unix_connection(asyncio.Protocol, *args, **kw)
        s = t.get_extra_info('socket'); r = [s.family, s.type]; t.close(); return r
    try:
        return asyncio.run(main())
    finally:
        if 'sock' in kw: kw['sock'].close()`,
    Object.fromEntries(connects.map(({ call }) => [call, call])),
  );
  it(`create_unix_connection: ${connects.length} calls`, async () => {
    const found = await asyncDifferences(
      connects,
      wantConn,
      async ({ run }) => {
        const { path, sock } = run(dirs.js);
        try {
          const [t] = await (asyncio.create_unix_connection as (...a: unknown[]) => Promise<[asyncio.Transport, unknown]>)(() => new asyncio.Protocol(), ...unixArgs(path, sock));
          const s = t.get_extra_info('socket') as asyncio.TransportSocket;
          const r = [s.family, s.type];
          t.close();
          return r;
        } finally {
          sock?.close();
        }
      },
      fdless,
    );
    expect(found).toEqual([]);
  });
});

// A transport's socket's settimeout and setblocking over the pool of ints and Python's truth values
// (asyncio allows only 0 and a false flag), each outcome as python3's asyncio's.
describe("a TransportSocket's settimeout and setblocking over pools of values, as asyncio's", () => {
  const VALUES: PoolValue[] = [...INTS, ...TRUTHS, ['0', 0n], ['-0.0', -0]];
  const calls = (['settimeout', 'setblocking'] as const).flatMap((method) => VALUES.map((v) => ({ call: `on_trsock('${method}', ${v[0]})`, method, args: [v] })));
  const want = python(
    `import asyncio, socket
def on_trsock(method, v):
    async def main():
        a, b = socket.socketpair()
        t, _ = await asyncio.get_running_loop().connect_accepted_socket(asyncio.Protocol, a)
        try:
            s = t.get_extra_info('socket')
            getattr(s, method)(v)
            return s.gettimeout()
        finally:
            t.close(); b.close()
    return asyncio.run(main())`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} calls`, async () => {
    const found = await asyncDifferences(calls, want, async ({ method, args }) => {
      const [a, b] = socketpair();
      const [t] = await asyncio.connect_accepted_socket(() => new asyncio.Protocol(), a);
      try {
        const s = t.get_extra_info('socket') as asyncio.TransportSocket;
        s[method](args[0]![1] as never);
        return s.gettimeout();
      } finally {
        t.close();
        b.close();
      }
    });
    expect(found).toEqual([]);
  });
});
