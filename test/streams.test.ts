// bsdsock/asyncio's streams: StreamReader against python3's asyncio on the
// same sequences (feeds, EOF, reads that wait; results, errors, messages,
// `partial` and `consumed`), then open_connection / start_server and the Unix
// variants on real sockets, and a file fetched from `python3 -m http.server`
// with streams and with makefile().

import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AF_INET, ConnectionResetError, IPPROTO_TCP, SO_LINGER, SOL_SOCKET, socket, socketpair, TCP_NODELAY, type Socket } from 'bsdsock';
import {
  IncompleteReadError,
  LimitOverrunError,
  open_connection,
  open_unix_connection,
  start_server,
  start_unix_server,
  StreamReader,
  type Server,
  type StreamWriter,
} from 'bsdsock/asyncio';

import { runNodeSync, tcpPair, tempDir } from './helpers/sockets';
import { runSync } from './helpers/run';

type Op =
  | ['feed', string]
  | ['eof']
  | ['read', number]
  | ['readexactly', number]
  | ['readuntil', string]
  | ['readline']
  | ['at_eof']
  /** Starts the next read without waiting for it; `wait` waits for it. */
  | ['start', 'read' | 'readexactly' | 'readuntil' | 'readline', (number | string)?]
  | ['wait'];

interface Case {
  limit: number;
  ops: Op[];
}

const hex = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

const CASES: Record<string, Case> = {
  exactly_partial_at_eof: { limit: 64, ops: [['feed', 'abc'], ['eof'], ['readexactly', 5], ['at_eof'], ['read', 4]] },
  exactly_negative: { limit: 64, ops: [['feed', 'abc'], ['readexactly', -1], ['readexactly', 0], ['readexactly', 3]] },
  exactly_across_feeds: { limit: 64, ops: [['feed', 'ab'], ['feed', 'cd'], ['feed', 'ef'], ['readexactly', 5], ['readexactly', 1]] },
  exactly_waits: { limit: 64, ops: [['start', 'readexactly', 6], ['feed', 'ab'], ['feed', 'cd'], ['feed', 'efg'], ['wait'], ['read', 10]] },
  exactly_waits_then_eof: { limit: 64, ops: [['start', 'readexactly', 6], ['feed', 'ab'], ['eof'], ['wait'], ['at_eof']] },
  until_at_eof: { limit: 64, ops: [['feed', 'abc'], ['eof'], ['readuntil', '\n'], ['at_eof']] },
  until_empty_separator: { limit: 64, ops: [['feed', 'abc'], ['readuntil', '']] },
  until_not_found_over_limit: { limit: 4, ops: [['feed', 'abcdefgh'], ['readuntil', '\n'], ['read', 3], ['read', 100]] },
  until_found_over_limit: { limit: 4, ops: [['feed', 'abcdef\nxy'], ['readuntil', '\n'], ['read', 100]] },
  until_at_limit: { limit: 4, ops: [['feed', 'abcd\nxy'], ['readuntil', '\n'], ['read', 100]] },
  until_multibyte_split: { limit: 64, ops: [['feed', 'ab\r'], ['feed', '\ncd\r'], ['feed', '\n'], ['readuntil', '\r\n'], ['readuntil', '\r\n']] },
  until_waits: { limit: 64, ops: [['start', 'readuntil', 'END'], ['feed', 'xxEN'], ['feed', 'Dyy'], ['wait'], ['read', 10]] },
  until_waits_over_limit: { limit: 5, ops: [['start', 'readuntil', '\n'], ['feed', 'abc'], ['feed', 'defgh'], ['wait'], ['read', 100]] },
  line_over_limit_with_newline: { limit: 4, ops: [['feed', 'abcdef\nxy\n'], ['readline'], ['readline'], ['eof'], ['readline'], ['at_eof']] },
  line_over_limit_without_newline: { limit: 4, ops: [['feed', 'abcdefgh'], ['readline'], ['feed', 'z\n'], ['readline']] },
  line_partial_at_eof: { limit: 64, ops: [['feed', 'one\ntwo'], ['eof'], ['readline'], ['readline'], ['readline'], ['at_eof']] },
  read_all: { limit: 3, ops: [['feed', 'abcdefgh'], ['feed', 'ij'], ['eof'], ['read', -1], ['read', -1], ['read', 0], ['at_eof']] },
  read_some: { limit: 64, ops: [['feed', 'abc'], ['feed', 'def'], ['read', 4], ['read', 4], ['eof'], ['read', 4]] },
  two_waiters: { limit: 64, ops: [['start', 'read', 4], ['read', 4], ['feed', 'ab'], ['wait']] },
  read_waits: { limit: 64, ops: [['start', 'read', 4], ['feed', 'abcdef'], ['wait'], ['read', 10], ['start', 'read', 10], ['feed', 'g'], ['wait']] },
  read_waits_then_eof: { limit: 64, ops: [['start', 'read', 4], ['eof'], ['wait'], ['at_eof'], ['read', 4]] },
  read_waits_over_limit: { limit: 2, ops: [['start', 'read', 3], ['feed', 'abcdefgh'], ['wait'], ['read', 100]] },
};

const PY_SETUP = String.raw`
import asyncio, json

def describe(e):
    d = {'error': type(e).__name__, 'message': str(e)}
    if hasattr(e, 'partial'): d['partial'] = e.partial.hex()
    if hasattr(e, 'expected'): d['expected'] = e.expected
    if hasattr(e, 'consumed'): d['consumed'] = e.consumed
    return d

async def call(r, name, arg):
    try:
        if name == 'readline': v = await r.readline()
        elif name == 'readuntil': v = await r.readuntil(bytes.fromhex(arg))
        else: v = await getattr(r, name)(arg)
        return {'value': v.hex()}
    except Exception as e:
        return describe(e)

async def run(case):
    r = asyncio.StreamReader(limit=case['limit'])
    out = []
    pending = None
    for op in case['ops']:
        k = op[0]
        if k == 'feed':
            r.feed_data(bytes.fromhex(op[1]))
            await asyncio.sleep(0)
        elif k == 'eof':
            r.feed_eof()
            await asyncio.sleep(0)
        elif k == 'at_eof':
            out.append({'value': r.at_eof()})
        elif k == 'start':
            pending = asyncio.ensure_future(call(r, op[1], op[2] if len(op) > 2 else None))
            await asyncio.sleep(0)
        elif k == 'wait':
            out.append(await pending)
        else:
            out.append(await call(r, k, op[1] if len(op) > 1 else None))
    return out

cases = json.loads(input())
print(json.dumps({name: asyncio.run(run(c)) for name, c in cases.items()}))
`;

function hexCases(): Record<string, Case> {
  const out: Record<string, Case> = {};
  for (const [name, c] of Object.entries(CASES)) {
    out[name] = {
      limit: c.limit,
      ops: c.ops.map((op) => {
        if (op[0] === 'feed' || op[0] === 'readuntil') return [op[0], hex(op[1])] as Op;
        if (op[0] === 'start' && op[1] === 'readuntil') return ['start', 'readuntil', hex(String(op[2]))] as Op;
        return op;
      }),
    };
  }
  return out;
}

type Result = Record<string, unknown>;

function describeError(e: unknown): Result {
  const x = e as Error & { partial?: Buffer; expected?: number | null; consumed?: number };
  // ValueError is RangeError here, as everywhere in bsdsock.
  const name = x instanceof RangeError ? 'ValueError' : x.name;
  const d: Result = { error: name, message: x.message };
  if (x instanceof IncompleteReadError) {
    d.partial = x.partial.toString('hex');
    d.expected = x.expected;
  }
  if (x instanceof LimitOverrunError) d.consumed = x.consumed;
  return d;
}

async function call(r: StreamReader, name: string, arg: number | string | undefined): Promise<Result> {
  try {
    let v: Buffer;
    if (name === 'readline') v = await r.readline();
    else if (name === 'readuntil') v = await r.readuntil(Buffer.from(String(arg), 'hex'));
    else if (name === 'read') v = await r.read(Number(arg));
    else v = await r.readexactly(Number(arg));
    return { value: v.toString('hex') };
  } catch (e) {
    return describeError(e);
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function runJs(c: Case): Promise<Result[]> {
  const r = new StreamReader(c.limit);
  const out: Result[] = [];
  let pending: Promise<Result> | null = null;
  for (const op of c.ops) {
    switch (op[0]) {
      case 'feed':
        r.feed_data(Buffer.from(op[1], 'hex'));
        await turn();
        break;
      case 'eof':
        r.feed_eof();
        await turn();
        break;
      case 'at_eof':
        out.push({ value: r.at_eof() });
        break;
      case 'start':
        pending = call(r, op[1], op[2]);
        await turn();
        break;
      case 'wait':
        out.push(await pending!);
        break;
      case 'readline':
        out.push(await call(r, 'readline', undefined));
        break;
      default:
        out.push(await call(r, op[0], op[1]));
    }
  }
  return out;
}

/** A connected TCP pair on loopback, its listener closed: [the client, the accepted end]. */
function connected(): [Socket, Socket] {
  const { listener, client, server } = tcpPair();
  listener.close();
  return [client, server];
}

/** What a python3 script prints, trimmed; the script must end well. */
function pythonPrints(script: string): string {
  const py = runSync('python3', ['-c', script], { encoding: 'utf8' });
  expect(py.status, String(py.stderr)).toBe(0);
  return String(py.stdout).trim();
}

/** connected() in python3, with the imports the scripts below need. */
const PY_TCP_PAIR = `
import asyncio, socket
def tcp_pair():
    srv = socket.socket()
    srv.bind(('127.0.0.1', 0))
    srv.listen()
    c = socket.create_connection(srv.getsockname())
    a, _ = srv.accept()
    srv.close()
    return c, a
`;

describe('StreamReader, side by side with python3 asyncio', () => {
  const cases = hexCases();
  const run = runSync('python3', ['-c', PY_SETUP], { input: JSON.stringify(cases) + '\n', encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 failed: ${run.stderr}`);
  const py = JSON.parse(run.stdout) as Record<string, Result[]>;
  for (const name of Object.keys(cases)) {
    it(name, async () => {
      expect(await runJs(cases[name]!)).toEqual(py[name]);
    });
  }

  it('the messages Python gives are those above (the oracle ran)', () => {
    expect(py.exactly_partial_at_eof![0]).toEqual({
      error: 'IncompleteReadError',
      message: '3 bytes read on a total of 5 expected bytes',
      partial: hex('abc'),
      expected: 5,
    });
    expect(py.until_not_found_over_limit![0]).toMatchObject({ error: 'LimitOverrunError', consumed: 8 });
  });

  it('a read within one received chunk is a view of it, one across chunks a copy', async () => {
    const r = new StreamReader();
    // Unpooled buffers, each with its own ArrayBuffer.
    const a = Buffer.allocUnsafeSlow(11);
    a.write('hello world');
    const b = Buffer.allocUnsafeSlow(2);
    b.write('!!');
    r.feed_data(a);
    r.feed_data(b);
    const first = await r.readexactly(5);
    expect(first.buffer).toBe(a.buffer);
    expect(first.byteOffset).toBe(a.byteOffset);
    const across = await r.readexactly(8);
    expect(across.toString()).toBe(' world!!');
    expect(across.buffer).not.toBe(a.buffer);
    expect(across.buffer).not.toBe(b.buffer);
  });
});

/** Lines are echoed upper-cased; the connection closes at EOF. */
async function upperServer(host: string): Promise<Server> {
  return start_server(async (reader, writer) => {
    for await (const line of reader) {
      writer.write(Buffer.from(line.toString('latin1').toUpperCase(), 'latin1'));
      await writer.drain();
    }
    writer.close();
    await writer.wait_closed();
  }, host, 0);
}

/** A server that resets each connection it accepts (SO_LINGER 0, then abort: an RST, not a FIN). */
function resettingServer(): Promise<Server> {
  return start_server((_r, w) => {
    w.get_extra_info('socket')!.setsockopt(SOL_SOCKET, SO_LINGER, Buffer.from(new Int32Array([1, 0]).buffer));
    w.transport.abort();
  }, '127.0.0.1', 0);
}

function portOf(server: Server): number {
  return (server.sockets[0]!.getsockname() as [string, number])[1];
}

describe('open_connection and start_server', () => {
  it('lines both ways, for await over lines, EOF, wait_closed, get_extra_info', async () => {
    const server = await upperServer('127.0.0.1');
    const [reader, writer] = await open_connection('127.0.0.1', portOf(server));
    expect(writer.get_extra_info('peername')).toEqual(['127.0.0.1', portOf(server)]);
    expect(writer.get_extra_info('socket')!.fileno()).toBeGreaterThanOrEqual(0);
    writer.write(Buffer.from('one\n'));
    writer.writelines([Buffer.from('tw'), Buffer.from('o\nthree\n')]);
    await writer.drain();
    expect((await reader.readline()).toString()).toBe('ONE\n');
    writer.write_eof();
    const rest: string[] = [];
    for await (const line of reader) rest.push(line.toString());
    expect(rest).toEqual(['TWO\n', 'THREE\n']);
    expect(reader.at_eof()).toBe(true);
    writer.close();
    await writer.wait_closed();
    expect(writer.is_closing()).toBe(true);
    server.close();
    await server.wait_closed();
  });

  it("sets TCP_NODELAY on both ends' sockets, as python3's asyncio does", async () => {
    const said = pythonPrints(`
import asyncio, socket
async def main():
    ends = []
    srv = await asyncio.start_server(lambda r, w: ends.append(w), '127.0.0.1', 0)
    r, w = await asyncio.open_connection('127.0.0.1', srv.sockets[0].getsockname()[1])
    while not ends: await asyncio.sleep(0.01)
    opt = lambda w: w.get_extra_info('socket').getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    print(opt(w), opt(ends[0]))
asyncio.run(main())
`);
    const accepted: StreamWriter[] = [];
    const server = await start_server((_r, w) => void accepted.push(w), '127.0.0.1', 0);
    const [, writer] = await open_connection('127.0.0.1', portOf(server));
    while (accepted.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const nodelay = (w: StreamWriter): number => w.get_extra_info('socket')!.getsockopt(IPPROTO_TCP, TCP_NODELAY);
    expect(`${nodelay(writer)} ${nodelay(accepted[0]!)}`).toBe(said);
    expect(said).toBe('1 1');
    writer.close();
    accepted[0]!.close();
    server.close();
    await server.wait_closed();
  });

  it('over IPv6 loopback', async () => {
    const server = await upperServer('::1');
    const [reader, writer] = await open_connection('::1', portOf(server));
    writer.write(Buffer.from('six\n'));
    expect((await reader.readline()).toString()).toBe('SIX\n');
    writer.close();
    await writer.wait_closed();
    server.close();
    await server.wait_closed();
  });

  it('drain() waits for a slow reader; many MiB arrive intact', async () => {
    let serverWriter: StreamWriter | null = null;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const digests: Promise<string>[] = [];
    const server = await start_server((reader, writer) => {
      serverWriter = writer;
      digests.push(
        (async () => {
          await gate;
          const h = crypto.createHash('sha256');
          for (;;) {
            const chunk = await reader.read(65536);
            if (chunk.length === 0) break;
            h.update(chunk);
          }
          return h.digest('hex');
        })(),
      );
    }, '127.0.0.1', 0);
    const [, writer] = await open_connection('127.0.0.1', portOf(server));
    const data = crypto.randomBytes(32 * 1024 * 1024);
    let drains = 0;
    let blocked = false;
    for (let i = 0; i < data.length; i += 1024 * 1024) {
      writer.write(data.subarray(i, i + 1024 * 1024));
      const d = writer.drain();
      // While the reader has not started, a drain() must block at some point: the kernel buffers fill.
      if (!blocked) {
        let done = false;
        void d.then(() => (done = true));
        for (let k = 0; k < 10; k++) await turn();
        if (!done) {
          blocked = true;
          expect(writer.transport.get_write_buffer_size()).toBeGreaterThan(0);
          // The unread StreamReader went past twice its limit and paused its transport.
          expect((serverWriter as StreamWriter | null)!.transport.is_reading()).toBe(false);
          release();
        }
      }
      await d;
      drains++;
    }
    writer.write_eof();
    expect(blocked).toBe(true);
    expect(drains).toBe(32);
    expect(await digests[0]).toBe(crypto.createHash('sha256').update(data).digest('hex'));
    writer.close();
    await writer.wait_closed();
    (serverWriter as StreamWriter | null)?.close();
    server.close();
    await server.wait_closed();
  });

  it('a reset reaches the reader, drain() and wait_closed() as ConnectionResetError', async () => {
    const server = await resettingServer();
    const [reader, writer] = await open_connection('127.0.0.1', portOf(server));
    await expect(reader.read(10)).rejects.toBeInstanceOf(ConnectionResetError);
    expect(reader.exception()).toBeInstanceOf(ConnectionResetError);
    await expect(writer.drain()).rejects.toBeInstanceOf(ConnectionResetError);
    await expect(writer.wait_closed()).rejects.toBeInstanceOf(ConnectionResetError);
    server.close();
    await server.wait_closed();
  });

  it('drain() after the peer reset the connection rejects', async () => {
    const server = await start_server((_r, w) => w.transport.abort(), '127.0.0.1', 0);
    const [reader, writer] = await open_connection('127.0.0.1', portOf(server));
    expect((await reader.read()).length).toBe(0);
    writer.close();
    await writer.wait_closed();
    await expect(writer.drain()).rejects.toBeInstanceOf(ConnectionResetError);
    server.close();
    await server.wait_closed();
  });

  it("drain() just after close(), the connection not yet gone, rejects with asyncio's ConnectionResetError('Connection lost')", async () => {
    // asyncio: is_closing(), so sleep(0), then _drain_helper finds the connection lost.
    const server = await start_server((_r, w) => w.close(), '127.0.0.1', 0);
    const [, writer] = await open_connection('127.0.0.1', portOf(server));
    writer.write(Buffer.from('x'));
    writer.close();
    const drained = writer.drain();
    await expect(drained).rejects.toBeInstanceOf(ConnectionResetError);
    await expect(drained).rejects.toThrow('Connection lost');
    server.close();
    await server.wait_closed();
  });

  it("a reset while reading is paused: once resumed, the reader gets the rest and the end, as python3's", async () => {
    // limit=1 pauses the transport after each read; the peer closes and our
    // own send then draws a reset, which the poll reports as an error. libuv
    // stops a uv_poll handle when it reports an error: resuming must start it
    // again (it waited for ever before).
    const py = runSync('python3', ['-c', `${PY_TCP_PAIR}
async def main():
    c, a = tcp_pair()
    r, w = await asyncio.open_connection(sock=c, limit=1)
    async def turns():
        for _ in range(5):
            await asyncio.sleep(0)
    await turns()
    a.sendall(b'abc')
    await turns()
    a.sendall(b'defghijklmnopqrst')
    await turns()
    a.close()
    await turns()
    c.send(b'x' * 16)
    await turns()
    print((await asyncio.wait_for(r.read(-1), 2)).decode())
    w.close()
asyncio.run(main())
`], { encoding: 'utf8', timeout: 20_000 });
    expect(py.stderr).toBe('');
    const turns = async (): Promise<void> => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const [c, a] = connected();
    const [reader, writer] = await open_connection(undefined, undefined, { sock: c, limit: 1 });
    await turns();
    a.sendall(Buffer.from('abc'));
    await turns();
    a.sendall(Buffer.from('defghijklmnopqrst'));
    await turns();
    a.close();
    await turns();
    c.send(Buffer.alloc(16, 'x'));
    await turns();
    const rest = await Promise.race([reader.read(-1), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('read(-1) still waits after 2 s')), 2000))]);
    expect(rest.toString()).toBe(String(py.stdout).trim());
    expect(rest.toString()).toBe('abcdefghijklmnopqrst');
    writer.close();
  });

  it("writelines([]) after write_eof() raises RuntimeError, as python3's (one write of the pieces joined)", async () => {
    const said = pythonPrints(`
import asyncio, socket
async def main():
    a, b = socket.socketpair()
    r, w = await asyncio.open_connection(sock=a)
    w.write_eof()
    try:
        w.writelines([])
        print('returned')
    except RuntimeError as e:
        print('RuntimeError', e)
    w.close()
    b.close()
asyncio.run(main())
`);
    const [a, b] = socketpair();
    const [, writer] = await open_connection(undefined, undefined, { sock: a });
    writer.write_eof();
    let got = 'returned';
    try {
      writer.writelines([]);
    } catch (e) {
      got = `${(e as Error).name} ${(e as Error).message}`;
    }
    expect(got).toBe(said);
    expect(got).toBe('RuntimeError Cannot call write() after write_eof()');
    writer.close();
    await writer.wait_closed();
    b.close();
  });

  it("after the peer closed: writelines() is one send (the reset comes back after it), write_eof() raises shutdown's ENOTCONN, as python3's", async () => {
    const said = pythonPrints(`${PY_TCP_PAIR}
async def main():
    c, a = tcp_pair()
    r, w = await asyncio.open_connection(sock=c)
    a.close()
    print(len(await r.read()), end=' ')
    w.writelines([b'x', b'y' * 16])
    for _ in range(3):
        await asyncio.sleep(0)
    print(w.is_closing(), end=' ')
    try:
        w.write_eof()
        print('returned')
    except OSError as e:
        print(type(e).__name__, e.errno)
    w.close()
asyncio.run(main())
`);
    const [c, a] = connected();
    const [reader, writer] = await open_connection(undefined, undefined, { sock: c });
    a.close();
    let got = `${(await reader.read()).length} `;
    writer.writelines([Buffer.from('x'), Buffer.alloc(16, 'y')]);
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    got += `${writer.is_closing() ? 'True' : 'False'} `;
    try {
      writer.write_eof();
      got += 'returned';
    } catch (e) {
      got += `${(e as Error).name} ${(e as { errno?: number }).errno}`;
    }
    expect(got).toBe(said);
    expect(got).toBe('0 False OSError 107');
    writer.close();
  });

  it("a second open_connection on a socket a stream reads: the new one takes the reads, closing the old closes the socket, as python3's", async () => {
    // CPython 3.11 refuses no second transport (its _ensure_fd_no_transport guards add_reader and the sock_*
    // calls only): the new transport's reader replaces the old one's.
    const said = pythonPrints(`
import asyncio, socket
async def main():
    a, b = socket.socketpair()
    r1, w1 = await asyncio.open_connection(sock=a)
    r2, w2 = await asyncio.open_connection(sock=a)
    b.send(b'hi')
    print((await asyncio.wait_for(r2.read(10), 5)).decode(), end=' ')
    w1.close()
    await w1.wait_closed()
    print(w1.is_closing(), w2.is_closing(), a.fileno(), end=' ')
    try:
        b.send(b'yo')
        print('sent')
    except OSError as e:
        print(type(e).__name__)
    w2.close()
    b.close()
asyncio.run(main())
`);
    const [a, b] = socketpair();
    const [, w1] = await open_connection(undefined, undefined, { sock: a });
    const [r2, w2] = await open_connection(undefined, undefined, { sock: a });
    b.send(Buffer.from('hi'));
    let got = `${(await r2.read(10)).toString()} `;
    w1.close();
    await w1.wait_closed();
    got += `${w1.is_closing() ? 'True' : 'False'} ${w2.is_closing() ? 'True' : 'False'} ${a.fileno()} `;
    try {
      b.send(Buffer.from('yo'));
      got += 'sent';
    } catch (e) {
      got += (e as Error).name;
    }
    expect(got).toBe(said);
    expect(got).toBe('hi True False -1 BrokenPipeError');
    w2.close();
    b.close();
  });

  it('read() and drain() give their errors as rejected promises, never as a throw', async () => {
    const reader = new StreamReader();
    reader.set_exception(new ConnectionResetError('reset'));
    let read: Promise<Buffer> | null = null;
    expect(() => (read = reader.read(10))).not.toThrow();
    await expect(read).rejects.toThrow('reset');
    const server = await resettingServer();
    const [r, writer] = await open_connection('127.0.0.1', portOf(server));
    await expect(r.read(10)).rejects.toBeInstanceOf(ConnectionResetError);
    let drained: Promise<void> | null = null;
    expect(() => (drained = writer.drain())).not.toThrow();
    await expect(drained).rejects.toBeInstanceOf(ConnectionResetError);
    server.close();
    await server.wait_closed();
  });
});

describe("start_server's client_connected_cb failing", () => {
  // In a child: what the callback throws (at once, or as its promise's rejection) is reported as
  // an uncaught exception, the connection is closed (the client reads the end, or a reset where its
  // own bytes came after the close), and the server's wait_closed() still resolves (it once waited
  // for ever: a connection whose connection_made threw was counted gone twice).
  const script = String.raw`
const { start_server, open_connection } = require('bsdsock/asyncio');
const seen = [];
process.on('uncaughtException', (e) => seen.push(e.message));
(async () => {
  const read = {};
  for (const kind of ['sync', 'async']) {
    const server = await start_server((r) => {
      if (kind === 'sync') throw new Error('sync callback threw');
      return (async () => {
        await r.read(1);
        throw new Error('async callback threw');
      })();
    }, '127.0.0.1', 0);
    const [reader, writer] = await open_connection('127.0.0.1', server.sockets[0].getsockname()[1]);
    writer.write(Buffer.from('x'));
    read[kind] = (await reader.read(100).catch((e) => Buffer.from(e.name))).toString();
    writer.close();
    server.close();
    await server.wait_closed();
  }
  console.log(JSON.stringify({ seen, read }));
})();
`;
  it('is reported as uncaught, closes the connection, and the server still closes', () => {
    const out = JSON.parse(runNodeSync(script)) as { seen: string[]; read: Record<string, string> };
    expect(out.seen).toEqual(['sync callback threw', 'async callback threw']);
    expect(['', 'ConnectionResetError']).toContain(out.read.sync);
    expect(out.read.async).toBe('');
  });
});

describe('Unix streams', () => {
  it('start_unix_server and open_unix_connection', async () => {
    using dir = tempDir();
    const file = path.join(dir.path, 'streams.sock');
    const server = await start_unix_server(async (reader, writer) => {
      const n = (await reader.readexactly(4)).readUInt32BE(0);
      writer.write(await reader.readexactly(n));
      writer.close();
    }, file);
    const [reader, writer] = await open_unix_connection(file);
    const body = Buffer.from('framed over AF_UNIX');
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    writer.write(head);
    writer.write(body);
    expect((await reader.read(-1)).toString()).toBe('framed over AF_UNIX');
    writer.close();
    await writer.wait_closed();
    server.close();
    await server.wait_closed();
  });
});

describe('a file from python3 -m http.server', () => {
  let child: ChildProcess;
  let port = 0;
  let dir: { path: string } & Disposable;
  const body = crypto.randomBytes(3 * 1024 * 1024 + 17);

  beforeAll(async () => {
    dir = tempDir();
    fs.writeFileSync(path.join(dir.path, 'blob.bin'), body);
    child = spawn('python3', ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', dir.path, '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /port (\d+)/.exec(out);
        if (m !== null) resolve(Number(m[1]));
      });
      child.on('exit', (code) => reject(new Error(`http.server exited ${code}`)));
    });
  });

  afterAll(() => {
    child.kill();
    dir[Symbol.dispose]();
  });

  function parseHead(head: string): [number, Map<string, string>] {
    const lines = head.split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers = new Map<string, string>();
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers.set(l.slice(0, i).toLowerCase(), l.slice(i + 1).trim());
    }
    return [status, headers];
  }

  it('with streams: readuntil the blank line, readexactly the body', async () => {
    const [reader, writer] = await open_connection('127.0.0.1', port);
    writer.write(Buffer.from('GET /blob.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'));
    await writer.drain();
    const head = (await reader.readuntil('\r\n\r\n')).toString('latin1');
    const [status, headers] = parseHead(head);
    expect(status).toBe(200);
    expect(Number(headers.get('content-length'))).toBe(body.length);
    const got = await reader.readexactly(body.length);
    expect(got.equals(body)).toBe(true);
    expect((await reader.read()).length).toBe(0);
    expect(reader.at_eof()).toBe(true);
    writer.close();
    await writer.wait_closed();
  });

  it('with makefile(): readline the head, read the body', () => {
    const s = socket(AF_INET);
    s.connect(['127.0.0.1', port]);
    const f = s.makefile('rwb');
    f.write(Buffer.from('GET /blob.bin HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n'));
    f.flush();
    let head = '';
    for (;;) {
      const line = f.readline().toString('latin1');
      head += line;
      if (line === '\r\n' || line === '') break;
    }
    const [status, headers] = parseHead(head);
    expect(status).toBe(200);
    const n = Number(headers.get('content-length'));
    expect(n).toBe(body.length);
    const got = f.read(n)!;
    expect(Buffer.from(got).equals(body)).toBe(true);
    expect(f.read()!.length).toBe(0);
    f.close();
    s.close();
  });
});
