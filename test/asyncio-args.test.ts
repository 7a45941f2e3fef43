// bsdsock/asyncio against python3's asyncio where a comparison of the two
// found them apart: create_server's checks of host, port and backlog, the
// transport's write checks and buffer limits, eof_received's truth, a stream
// reader's sizes and separators, the sock_*_into buffers; and the
// error paths of create_connection, which must leave no fd open and nothing
// holding the process.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AF_UNIX, create_connection as connectSync, create_server as createServer, SHUT_WR, SOCK_DGRAM, socketpair } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import { expected, outcomeAsync, python } from './helpers/python';
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

const py = python(
  `import asyncio, socket
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
    return run(go())`,
  {
    ...Object.fromEntries(READER_CALLS.map(([what, call]) => [`reader ${what}`, `on_reader(lambda r: r.${call})`])),
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
