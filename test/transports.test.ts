// bsdsock/asyncio's protocols and transports on real loopback and Unix
// sockets: create_connection / create_server and their Unix variants,
// datagram endpoints, half-close, abort, flow control on both sides and a
// large transfer to a slow reader with the write buffer bounded.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { AF_INET, AF_INET6, AF_UNIX, ConnectionRefusedError, ConnectionResetError, OSError, SHUT_RDWR, SHUT_WR, SO_KEEPALIVE, SO_LINGER, SO_TYPE, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, type Socket, socket, socketpair } from 'bsdsock';
import {
  add_reader,
  add_writer,
  BufferedProtocol,
  connect_accepted_socket,
  create_connection,
  create_datagram_endpoint,
  create_server,
  create_unix_connection,
  create_unix_server,
  DatagramProtocol,
  type DatagramTransport,
  Protocol,
  remove_reader,
  remove_writer,
  type Server,
  sock_recv,
  sock_sendall,
  type Transport,
  TransportSocket,
} from 'bsdsock/asyncio';

import { ROOT, tempDir } from './helpers/sockets';
import { runSync } from './helpers/run';
import { expected, normalize, outcomeAsync, python, type Outcome } from './helpers/python';

/** A protocol that records what happens to it. */
class Recorder extends Protocol {
  transport: Transport | null = null;
  events: string[] = [];
  data: Buffer[] = [];
  keepOpen = false;
  readonly lost: Promise<Error | null>;
  readonly eof: Promise<void>;
  #lost!: (e: Error | null) => void;
  #eof!: () => void;
  constructor() {
    super();
    this.lost = new Promise((r) => (this.#lost = r));
    this.eof = new Promise((r) => (this.#eof = r));
  }
  override connection_made(t: Transport): void {
    this.transport = t;
    this.events.push('made');
  }
  override data_received(d: Buffer): void {
    if (this.events.at(-1) !== 'data') this.events.push('data');
    this.data.push(Buffer.from(d));
  }
  override eof_received(): boolean {
    this.events.push('eof');
    this.#eof();
    return this.keepOpen;
  }
  override connection_lost(e: Error | null): void {
    this.events.push(e === null ? 'lost' : `lost ${e.name}`);
    this.#lost(e);
  }
  pause_writing_count = 0;
  resume_writing_count = 0;
  override pause_writing(): void {
    this.pause_writing_count++;
  }
  override resume_writing(): void {
    this.resume_writing_count++;
  }
  received(): Buffer {
    return Buffer.concat(this.data);
  }
}

/** Echoes what it gets and closes on EOF. */
class Echo extends Protocol {
  t: Transport | null = null;
  override connection_made(t: Transport): void {
    this.t = t;
  }
  override data_received(d: Buffer): void {
    this.t!.write(d);
  }
}

function port(server: Server): number {
  return (server.sockets[0]!.getsockname() as [string, number])[1];
}

describe('create_connection and create_server', () => {
  it('round trip: connection_made, data, EOF, connection_lost in order; extra info', async () => {
    const server = await create_server(() => new Echo(), '127.0.0.1', 0);
    expect(server.is_serving()).toBe(true);
    const [t, p] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    expect(p.transport).toBe(t);
    expect(t.get_extra_info('peername')).toEqual(['127.0.0.1', port(server)]);
    const sockname = t.get_extra_info('sockname') as [string, number];
    expect(sockname[0]).toBe('127.0.0.1');
    expect(t.get_extra_info('socket')!.getsockname()).toEqual(sockname);
    expect(t.get_extra_info('nothing', 'dflt')).toBe('dflt');
    expect(t.can_write_eof()).toBe(true);
    t.write(Buffer.from('hello '));
    t.writelines([Buffer.from('wor'), new Uint8Array(Buffer.from('ld'))]);
    t.write_eof();
    expect(() => t.write(Buffer.from('x'))).toThrow('Cannot call write() after write_eof()');
    expect(await p.lost).toBeNull();
    expect(p.received().toString()).toBe('hello world');
    expect(p.events).toEqual(['made', 'data', 'eof', 'lost']);
    expect(t.is_closing()).toBe(true);
    // As asyncio's: the transport's TransportSocket stays, its socket closed (fd -1).
    expect(t.get_extra_info('socket')).toBeInstanceOf(TransportSocket);
    expect(t.get_extra_info('socket').fileno()).toBe(-1);
    server.close();
    expect(server.sockets).toEqual([]);
    await server.wait_closed();
  });

  it('eof_received returning true keeps the transport open for writing (half-close)', async () => {
    let serverSide: Recorder | null = null;
    const server = await create_server(() => {
      serverSide = new Recorder();
      serverSide.keepOpen = true;
      return serverSide;
    }, '127.0.0.1', 0);
    const [t, p] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    t.write(Buffer.from('request'));
    t.write_eof();
    while (serverSide === null) await new Promise((r) => setImmediate(r));
    const s = serverSide as Recorder;
    await s.eof;
    expect(s.transport!.is_closing()).toBe(false);
    s.transport!.write(Buffer.from('reply after EOF'));
    s.transport!.close();
    expect(await p.lost).toBeNull();
    expect(p.received().toString()).toBe('reply after EOF');
    expect(s.received().toString()).toBe('request');
    await s.lost;
    server.close();
    await server.wait_closed();
  });

  it('write_eof() with bytes still buffered shuts down once they are sent: the peer reads them all, then EOF, and can still reply', async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    const [t, p] = await create_connection(() => new Recorder(), { sock: a });
    const data = Buffer.alloc(4 << 20, 'abcdefg');
    t.write(data);
    t.write_eof();
    // The peer has read nothing yet: most of it is still the transport's, and no EOF has gone out.
    expect(t.get_write_buffer_size()).toBeGreaterThan(0);
    expect(t.can_write_eof()).toBe(true);
    b.setblocking(false);
    const got: Buffer[] = [];
    for (;;) {
      let chunk: Buffer;
      try {
        chunk = b.recv(1 << 20);
      } catch (e) {
        if (!(e instanceof OSError) || e.errno !== 11) throw e;
        await new Promise((r) => setImmediate(r));
        continue;
      }
      if (chunk.length === 0) break;
      got.push(chunk);
    }
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(t.get_write_buffer_size()).toBe(0);
    // Half-closed: the transport still reads what the peer sends, then the peer's own EOF.
    b.setblocking(true);
    b.sendall(Buffer.from('reply'));
    b.close();
    await p.eof;
    expect(p.received().toString()).toBe('reply');
    expect(await p.lost).toBeNull();
    expect(p.events).toEqual(['made', 'data', 'eof', 'lost']);
  });

  it('a refused connection rejects with ConnectionRefusedError, as asyncio', async () => {
    const s = socket(AF_INET);
    s.bind(['127.0.0.1', 0]);
    const [, free] = s.getsockname() as [string, number];
    s.close();
    const e = await create_connection(() => new Recorder(), '127.0.0.1', free).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ConnectionRefusedError);
    expect((e as OSError).message).toBe(`[Errno 111] Connect call failed ('127.0.0.1', ${free})`);
  });

  it('create_connection over a given sock, and its argument checks', async () => {
    const server = await create_server(() => new Echo(), '127.0.0.1', 0);
    const s = socket(AF_INET);
    s.connect(['127.0.0.1', port(server)]);
    const [t, p] = await create_connection(() => new Recorder(), null, null, { sock: s });
    // A TransportSocket of the given socket, the same one each time.
    expect(t.get_extra_info('socket')).toBe(t.get_extra_info('socket'));
    expect(t.get_extra_info('socket').fileno()).toBe(s.fileno());
    expect(s.gettimeout()).toBe(0);
    t.write(Buffer.from('ping'));
    t.write_eof();
    await p.lost;
    expect(p.received().toString()).toBe('ping');
    await expect(create_connection(() => new Recorder())).rejects.toThrow('host and port was not specified and no sock specified');
    const u = socket(AF_INET, SOCK_DGRAM);
    await expect(create_connection(() => new Recorder(), null, null, { sock: u })).rejects.toThrow('A Stream Socket was expected');
    u.close();
    server.close();
    await server.wait_closed();
  });

  it('close() sends what is buffered first; abort() drops it', async () => {
    const got: Recorder[] = [];
    const server = await create_server(() => {
      const r = new Recorder();
      got.push(r);
      return r;
    }, '127.0.0.1', 0);
    const big = Buffer.alloc(8 * 1024 * 1024, 0x61);
    const [t1] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    t1.write(big);
    expect(t1.get_write_buffer_size()).toBeGreaterThan(0);
    t1.close();
    expect(t1.is_closing()).toBe(true);
    while (got.length < 1) await new Promise((r) => setImmediate(r));
    await got[0]!.lost;
    expect(got[0]!.received().equals(big)).toBe(true);

    const [t2, p2] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    t2.write(big);
    expect(t2.get_write_buffer_size()).toBeGreaterThan(0);
    t2.abort();
    expect(await p2.lost).toBeNull();
    expect(t2.get_write_buffer_size()).toBe(0);
    while (got.length < 2) await new Promise((r) => setImmediate(r));
    await got[1]!.lost;
    expect(got[1]!.received().length).toBeLessThan(big.length);
    server.close();
    await server.wait_closed();
  });

  it('pause_reading holds data back until resume_reading', async () => {
    let peer: Recorder | null = null;
    const server = await create_server(() => (peer = new Recorder()), '127.0.0.1', 0);
    const [t, p] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    t.pause_reading();
    expect(t.is_reading()).toBe(false);
    while (peer === null) await new Promise((r) => setImmediate(r));
    const srv = peer as Recorder;
    srv.transport!.write(Buffer.from('while paused'));
    // A round trip through the peer proves the bytes reached this side's kernel buffer.
    t.write(Buffer.from('x'));
    while (srv.data.length === 0) await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(p.data).toEqual([]);
    t.resume_reading();
    expect(t.is_reading()).toBe(true);
    while (p.data.length === 0) await new Promise((r) => setImmediate(r));
    expect(p.received().toString()).toBe('while paused');
    t.close();
    srv.transport!.close();
    await p.lost;
    server.close();
    await server.wait_closed();
  });

  it('set_write_buffer_limits: pause_writing over high, resume_writing at low', async () => {
    let peer: Recorder | null = null;
    const server = await create_server(() => (peer = new Recorder()), '127.0.0.1', 0);
    const [t, p] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    expect(t.get_write_buffer_limits()).toEqual([16384, 65536]);
    t.set_write_buffer_limits(1000);
    expect(t.get_write_buffer_limits()).toEqual([250, 1000]);
    expect(() => t.set_write_buffer_limits(10, 20)).toThrow('high (10) must be >= low (20) must be >= 0');
    while (peer === null) await new Promise((r) => setImmediate(r));
    const srv = peer as Recorder;
    srv.transport!.pause_reading();
    const chunk = Buffer.alloc(64 * 1024, 1);
    let written = 0;
    while (p.pause_writing_count === 0) {
      t.write(chunk);
      written += chunk.length;
    }
    expect(t.get_write_buffer_size()).toBeGreaterThan(1000);
    expect(p.resume_writing_count).toBe(0);
    srv.transport!.resume_reading();
    while (p.resume_writing_count === 0) await new Promise((r) => setImmediate(r));
    expect(t.get_write_buffer_size()).toBeLessThanOrEqual(250);
    t.close();
    await p.lost;
    await srv.eof;
    expect(srv.received().length).toBe(written);
    server.close();
    await server.wait_closed();
  });

  it('serve_forever resolves on close; wait_closed waits for the connections it made', async () => {
    let accepted: Recorder | null = null;
    const server = await create_server(() => (accepted = new Recorder()), '127.0.0.1', 0, { start_serving: false });
    expect(server.is_serving()).toBe(false);
    let served = false;
    const forever = server.serve_forever().then(() => (served = true));
    await expect(server.serve_forever()).rejects.toThrow('is already being awaited on serve_forever()');
    const [t, p] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    while (accepted === null) await new Promise((r) => setImmediate(r));
    server.close();
    await forever;
    expect(served).toBe(true);
    let waited = false;
    const closed = server.wait_closed().then(() => (waited = true));
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    expect(waited).toBe(false);
    t.close();
    await p.lost;
    await closed;
    expect(waited).toBe(true);
  });

  it('a reset from the peer is connection_lost(ConnectionResetError); a throwing data_received is fatal', async () => {
    class Resetter extends Protocol {
      override connection_made(t: Transport): void {
        // Linger 0: closing sends an RST.
        t.get_extra_info('socket')!.setsockopt(SOL_SOCKET, SO_LINGER, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
        t.abort();
      }
    }
    const server = await create_server(() => new Resetter(), '127.0.0.1', 0);
    const [, p] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    expect(await p.lost).toBeInstanceOf(ConnectionResetError);
    expect(p.events).toEqual(['made', 'lost ConnectionResetError']);
    server.close();
    await server.wait_closed();

    const echo = await create_server(() => new Echo(), '127.0.0.1', 0);
    class Throws extends Recorder {
      override data_received(): void {
        throw new TypeError('protocol bug');
      }
    }
    const [t2, p2] = await create_connection(() => new Throws(), '127.0.0.1', port(echo));
    t2.write(Buffer.from('boom'));
    const e = await p2.lost;
    expect(e).toBeInstanceOf(TypeError);
    expect(e!.message).toBe('protocol bug');
    expect(t2.is_closing()).toBe(true);
    echo.close();
    await echo.wait_closed();
  });

  it("refuses the arguments python3's asyncio refuses, and loses no fd doing it; a Server's calls made twice", async () => {
    using dir = tempDir();
    const missing = path.join(dir.path, 'no-such-dir', 'sock');
    const py = python(
      String.raw`
import asyncio
from socket import *
def run(coro):
    return asyncio.run(coro)
async def server_sockets(**kw):
    srv = await asyncio.get_running_loop().create_server(asyncio.Protocol, **kw)
    n = len(srv.sockets)
    srv.close()
    await srv.wait_closed()
    return n
async def unix(path, **kw):
    srv = await asyncio.get_running_loop().create_unix_server(asyncio.Protocol, path, **kw)
    srv.close()
async def twice():
    srv = await asyncio.get_running_loop().create_server(asyncio.Protocol, '127.0.0.1', 0)
    await srv.start_serving()
    await srv.start_serving()
    forever = asyncio.ensure_future(srv.serve_forever())
    await asyncio.sleep(0)
    try:
        await srv.serve_forever()
    except RuntimeError as e:
        again = type(e).__name__
    srv.close()
    srv.close()
    try:
        await srv.serve_forever()
    except RuntimeError as e:
        closed = type(e).__name__
    forever.cancel()
    try:
        await forever
    except asyncio.CancelledError:
        pass
    return [srv.is_serving(), again, closed]
`,
      {
        'host and sock': `s = socket(); run(server_sockets(host='127.0.0.1', sock=s))`,
        'one host twice': `run(server_sockets(host=['127.0.0.1', '127.0.0.1'], port=0))`,
        'a Unix path and sock': `s = socket(AF_UNIX); run(unix('${path.join(dir.path, 'x')}', sock=s))`,
        'a Unix server with neither': `run(unix(None))`,
        'a Unix path whose directory is missing': `run(unix('${missing}'))`,
        'start_serving, serve_forever and close twice': `run(twice())`,
      },
    );
    const serverSockets = async (host: string | string[], port: number | null, options: Record<string, unknown> = {}): Promise<number> => {
      const srv = await create_server(() => new Protocol(), host, port, options as never);
      const n = srv.sockets.length;
      srv.close();
      await srv.wait_closed();
      return n;
    };
    const unix = async (where: string | null, options: Record<string, unknown> = {}): Promise<void> => {
      (await create_unix_server(() => new Protocol(), where, options as never)).close();
    };
    const twice = async (): Promise<unknown[]> => {
      const srv = await create_server(() => new Protocol(), '127.0.0.1', 0);
      await srv.start_serving();
      await srv.start_serving();
      const forever = srv.serve_forever();
      const again = await srv.serve_forever().catch((e: Error) => e.constructor.name);
      srv.close();
      srv.close();
      const closed = await srv.serve_forever().catch((e: Error) => e.constructor.name);
      await forever;
      return [srv.is_serving(), again, closed];
    };
    const fds = (): number => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    const s = socket();
    const u = socket(AF_UNIX);
    const js: Record<string, () => Promise<unknown>> = {
      'host and sock': () => serverSockets('127.0.0.1', null, { sock: s }),
      'one host twice': () => serverSockets(['127.0.0.1', '127.0.0.1'], 0),
      'a Unix path and sock': () => unix(path.join(dir.path, 'x'), { sock: u }),
      'a Unix server with neither': () => unix(null),
      'a Unix path whose directory is missing': () => unix(missing),
      'start_serving, serve_forever and close twice': twice,
    };
    for (const [name, run] of Object.entries(js)) expect([name, await outcomeAsync(run)]).toEqual([name, expected(py[name]!)]);
    s.close();
    u.close();
    expect(fds()).toBe(before);
  });

  it("create_connection, create_unix_connection and create_datagram_endpoint refuse what python3's asyncio refuses, and lose no fd", async () => {
    using dir = tempDir();
    const missing = path.join(dir.path, 'no-such-sock');
    const py = python(
      String.raw`
import asyncio
from socket import *
def run(method, *args, **kw):
    async def main():
        t, _ = await getattr(asyncio.get_running_loop(), method)(asyncio.Protocol if 'datagram' not in method else asyncio.DatagramProtocol, *args, **kw)
        t.close()
    return asyncio.run(main())
`,
      {
        'create_connection, host and sock': `run('create_connection', '127.0.0.1', 9, sock=socket())`,
        'create_unix_connection, path and sock': `run('create_unix_connection', '${missing}', sock=socket(AF_UNIX))`,
        'create_unix_connection, nobody there': `run('create_unix_connection', '${missing}')`,
        'create_datagram_endpoint, sock and local_addr': `run('create_datagram_endpoint', sock=socket(AF_INET, SOCK_DGRAM), local_addr=('127.0.0.1', 0))`,
        'create_datagram_endpoint, sock and family, reuse_port, a false allow_broadcast': `run('create_datagram_endpoint', sock=socket(AF_INET, SOCK_DGRAM), family=AF_INET, reuse_port=True, allow_broadcast=False)`,
        'create_datagram_endpoint, sock and a Unix remote_addr': `run('create_datagram_endpoint', sock=socket(AF_UNIX, SOCK_DGRAM), remote_addr='${missing}')`,
        'create_datagram_endpoint, sock and options all 0': `run('create_datagram_endpoint', sock=socket(AF_INET, SOCK_DGRAM), family=0, proto=0, flags=0)`,
      },
    );
    const given: Socket[] = [];
    const made = <S extends Socket>(s: S): S => (given.push(s), s);
    const js: Record<string, () => Promise<unknown>> = {
      'create_connection, host and sock': () => create_connection(() => new Protocol(), '127.0.0.1', 9, { sock: made(socket()) }),
      'create_unix_connection, path and sock': () => create_unix_connection(() => new Protocol(), missing, { sock: made(socket(AF_UNIX)) }),
      'create_unix_connection, nobody there': () => create_unix_connection(() => new Protocol(), missing),
      'create_datagram_endpoint, sock and local_addr': () =>
        create_datagram_endpoint(() => new DatagramProtocol(), { sock: made(socket(AF_INET, SOCK_DGRAM)), local_addr: ['127.0.0.1', 0] }),
      'create_datagram_endpoint, sock and family, reuse_port, a false allow_broadcast': () =>
        create_datagram_endpoint(() => new DatagramProtocol(), { sock: made(socket(AF_INET, SOCK_DGRAM)), family: AF_INET, reuse_port: true, allow_broadcast: false }),
      'create_datagram_endpoint, sock and a Unix remote_addr': () =>
        create_datagram_endpoint(() => new DatagramProtocol(), { sock: made(socket(AF_UNIX, SOCK_DGRAM)), remote_addr: missing }),
      'create_datagram_endpoint, sock and options all 0': () =>
        create_datagram_endpoint(() => new DatagramProtocol(), { sock: made(socket(AF_INET, SOCK_DGRAM)), family: 0, proto: 0, flags: 0 }),
    };
    const fds = (): number => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    for (const [name, run] of Object.entries(js)) {
      const got = await outcomeAsync(async () => {
        const [t] = await run() as [{ close(): void }];
        t.close();
        await new Promise((r) => setImmediate(r));
      });
      expect([name, got]).toEqual([name, expected(py[name]!)]);
    }
    // A given sock that was refused is still the caller's, open; nothing else was left open.
    expect(given.filter((s) => s.fileno() >= 0).length).toBe(given.length - 1);
    for (const s of given) s.close();
    expect(fds()).toBe(before);
  });

  it('connect_accepted_socket: a connection accepted elsewhere gets a transport and protocol; a datagram socket is refused as python3 refuses it', async () => {
    const l = socket(AF_INET, SOCK_STREAM);
    l.bind(['127.0.0.1', 0]);
    l.listen();
    const c = socket(AF_INET, SOCK_STREAM);
    c.connect(l.getsockname());
    const [conn] = l.accept();
    expect(conn.getblocking()).toBe(true);
    const [t, p] = await connect_accepted_socket(() => new Echo(), conn);
    expect(conn.getblocking()).toBe(false);
    expect(t.get_extra_info('peername')).toEqual(c.getsockname());
    expect(p.t).toBe(t);
    c.setblocking(false);
    await sock_sendall(c, Buffer.from('echo me'));
    expect((await sock_recv(c, 100)).toString()).toBe('echo me');
    c.close();
    l.close();
    const py = python('import asyncio\nfrom socket import *', {
      datagram: `asyncio.run(asyncio.new_event_loop().connect_accepted_socket(asyncio.Protocol, socket(AF_INET, SOCK_DGRAM)))`,
    });
    const udp = socket(AF_INET, SOCK_DGRAM);
    const fdless = (o: Outcome): Outcome => ('error' in o ? { ...o, message: o.message.replace(/fd=\d+/, 'fd=N') } : o);
    expect(fdless(await outcomeAsync(() => connect_accepted_socket(() => new Protocol(), udp)))).toEqual(fdless(expected(py.datagram!)));
    udp.close();
    await expect(connect_accepted_socket(() => new Protocol(), 5 as never)).rejects.toThrow(TypeError);
  });

  it('reuse_port lets two servers share a port; a listening sock is served as it is', async () => {
    const a = await create_server(() => new Echo(), '127.0.0.1', 0, { reuse_port: true });
    const b = await create_server(() => new Echo(), '127.0.0.1', port(a), { reuse_port: true });
    expect(port(b)).toBe(port(a));
    a.close();
    b.close();
    await a.wait_closed();
    await b.wait_closed();

    const listener = socket(AF_INET);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    const c = await create_server(() => new Echo(), null, null, { sock: listener });
    expect(c.sockets.map((x) => [x instanceof TransportSocket, x.fileno()])).toEqual([[true, listener.fileno()]]);
    const [t, p] = await create_connection(() => new Recorder(), '127.0.0.1', port(c));
    t.write(Buffer.from('via sock'));
    t.write_eof();
    await p.lost;
    expect(p.received().toString()).toBe('via sock');
    c.close();
    await c.wait_closed();
    expect(listener.fileno()).toBe(-1);
  });

  it('binding an address in use and a refused connection fail as python3 asyncio says', async () => {
    const server = await create_server(() => new Recorder(), '127.0.0.1', 0);
    const p = port(server);
    const closed = socket(AF_INET);
    closed.bind(['127.0.0.1', 0]);
    const [, free] = closed.getsockname() as [string, number];
    closed.close();
    const py = runSync('python3', ['-c', PY_ERRORS, String(p), String(free)], { encoding: 'utf8' });
    expect(py.status).toBe(0);
    const want = JSON.parse(py.stdout) as { bind: [string, number, string]; connect: [string, number, string] };
    const describe = (e: unknown): [string, number, string] => [(e as Error).name, (e as OSError).errno!, (e as Error).message];
    const bind = await create_server(() => new Recorder(), '127.0.0.1', p, { reuse_address: false }).then(
      () => null,
      describe,
    );
    const refused = await create_connection(() => new Recorder(), '127.0.0.1', free).then(() => null, describe);
    expect(want.bind[2]).toContain('address already in use');
    expect(bind).toEqual(want.bind);
    expect(refused).toEqual(want.connect);
    server.close();
    await server.wait_closed();
  });
});

/** python3's asyncio on the same failures: [class, errno, str(e)]. */
const PY_ERRORS = String.raw`
import asyncio, json, sys
port, free = int(sys.argv[1]), int(sys.argv[2])
async def main():
    out = {}
    try:
        await asyncio.get_running_loop().create_server(asyncio.Protocol, '127.0.0.1', port, reuse_address=False)
    except OSError as e:
        out['bind'] = [type(e).__name__, e.errno, str(e)]
    try:
        await asyncio.get_running_loop().create_connection(asyncio.Protocol, '127.0.0.1', free)
    except OSError as e:
        out['connect'] = [type(e).__name__, e.errno, str(e)]
    print(json.dumps(out))
asyncio.run(main())
`;

describe('a server out of fds', () => {
  it('accept() failing with EMFILE: every connection is accepted once fds are free', () => {
    // A child with 128 fds at most: clients are opened until socket() fails with EMFILE, so the server's accept() fails too.
    const script = `const ROOT = ${JSON.stringify(ROOT)};\n` + EMFILE_CHILD;
    const r = runSync('prlimit', ['--nofile=128:128', process.execPath, '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { emfile: boolean; clients: number; before: number; accepted: number };
    expect(out.emfile).toBe(true);
    expect(out.clients).toBeGreaterThan(50);
    expect(out.before).toBe(0);
    expect(out.accepted).toBe(out.clients);
  });
});

const EMFILE_CHILD = String.raw`
const { socket, AF_INET } = require(ROOT);
const { create_server, Protocol } = require(ROOT + '/dist/cjs/asyncio.js');
(async () => {
  let accepted = 0;
  let gone = 0;
  let done;
  const all = new Promise((r) => (done = r));
  class P extends Protocol {
    connection_made() { accepted++; }
    connection_lost() { if (++gone === clients.length) done(); }
  }
  const server = await create_server(() => new P(), '127.0.0.1', 0, { backlog: 1000 });
  const port = server.sockets[0].getsockname()[1];
  const clients = [];
  let emfile = false;
  for (;;) {
    let s;
    try { s = socket(AF_INET); } catch (e) { if (e.code === 'EMFILE') { emfile = true; break; } throw e; }
    clients.push(s);
    s.connect(['127.0.0.1', port]);
  }
  // Let the server try to accept with every fd taken.
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  const before = accepted;
  for (const s of clients) s.close();
  await all;
  server.close();
  console.log(JSON.stringify({ emfile, clients: clients.length, before, accepted }));
})();
`;

describe('BufferedProtocol', () => {
  it('receives into its own buffer', async () => {
    const server = await create_server(() => new Echo(), '127.0.0.1', 0);
    const own = Buffer.alloc(7);
    const seen: string[] = [];
    let done!: () => void;
    const lost = new Promise<void>((r) => (done = r));
    class Into extends BufferedProtocol {
      override get_buffer(hint: number): Uint8Array {
        expect(hint).toBe(-1);
        return own;
      }
      override buffer_updated(n: number): void {
        seen.push(own.subarray(0, n).toString());
      }
      override connection_lost(): void {
        done();
      }
    }
    const [t] = await create_connection(() => new Into(), '127.0.0.1', port(server));
    t.write(Buffer.from('0123456789abcdefghij'));
    t.write_eof();
    await lost;
    expect(seen.join('')).toBe('0123456789abcdefghij');
    expect(Math.max(...seen.map((s) => s.length))).toBeLessThanOrEqual(7);
    server.close();
    await server.wait_closed();
  });
});

describe('Unix transports', () => {
  it('create_unix_server replaces a stale socket file and removes its own on close', async () => {
    using dir = tempDir();
    const file = path.join(dir.path, 's.sock');
    const stale = socket(AF_UNIX);
    stale.bind(file);
    stale.close();
    expect(fs.existsSync(file)).toBe(true);
    const server = await create_unix_server(() => new Echo(), file);
    const [t, p] = await create_unix_connection(() => new Recorder(), file);
    expect(t.get_extra_info('peername')).toBe(file);
    t.write(Buffer.from('over unix'));
    t.write_eof();
    await p.lost;
    expect(p.received().toString()).toBe('over unix');
    server.close();
    await server.wait_closed();
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('create_datagram_endpoint', () => {
  class Dgram extends DatagramProtocol {
    t: DatagramTransport | null = null;
    got: [string, unknown][] = [];
    errors: Error[] = [];
    waiting: (() => void) | null = null;
    override connection_made(t: DatagramTransport): void {
      this.t = t;
    }
    override datagram_received(d: Buffer, a: unknown): void {
      this.got.push([d.toString(), a]);
      this.waiting?.();
    }
    override error_received(e: Error): void {
      this.errors.push(e);
      this.waiting?.();
    }
    next(): Promise<void> {
      return new Promise((r) => (this.waiting = r));
    }
  }

  it('datagrams both ways, and an ICMP refusal as error_received', async () => {
    const [a, pa] = await create_datagram_endpoint(() => new Dgram(), { local_addr: ['127.0.0.1', 0] });
    const aAddr = a.get_extra_info('sockname') as [string, number];
    const [b, pb] = await create_datagram_endpoint(() => new Dgram(), { remote_addr: aAddr });
    const bAddr = b.get_extra_info('sockname');
    expect(b.get_extra_info('peername')).toEqual(aAddr);
    let w = pa.next();
    b.sendto(Buffer.from('one'));
    await w;
    expect(pa.got).toEqual([['one', bAddr]]);
    w = pb.next();
    a.sendto(Buffer.from('two'), bAddr);
    await w;
    expect(pb.got).toEqual([['two', aAddr]]);
    expect(() => b.sendto(Buffer.from('x'), ['127.0.0.1', 1])).toThrow('Invalid address');
    a.close();
    await new Promise((r) => setImmediate(r));
    // Nobody listens at aAddr now: the kernel reports the ICMP refusal on the next operation.
    w = pb.next();
    b.sendto(Buffer.from('three'));
    b.sendto(Buffer.from('four'));
    await w;
    expect(pb.errors[0]).toBeInstanceOf(ConnectionRefusedError);
    b.close();
  });

  it('over Unix datagram sockets (string addresses, family AF_UNIX); a stale socket file at local_addr is removed, another file is not', async () => {
    using dir = tempDir();
    const server = path.join(dir.path, 'server.sock');
    const client = path.join(dir.path, 'client.sock');
    const [a, pa] = await create_datagram_endpoint(() => new Dgram(), { local_addr: server, family: AF_UNIX });
    const [b, pb] = await create_datagram_endpoint(() => new Dgram(), { local_addr: client, remote_addr: server, family: AF_UNIX });
    expect(b.get_extra_info('peername')).toBe(server);
    let w = pa.next();
    b.sendto(Buffer.from('over unix'));
    await w;
    expect(pa.got).toEqual([['over unix', client]]);
    w = pb.next();
    a.sendto(Buffer.from('back'), client);
    await w;
    expect(pb.got).toEqual([['back', server]]);
    a.close();
    b.close();
    // The socket files stay after close (a datagram endpoint does not remove them); binding server's path
    // again finds a stale one and removes it first, as asyncio does. A file of another kind stays: EADDRINUSE.
    expect(fs.statSync(server).isSocket()).toBe(true);
    const [again] = await create_datagram_endpoint(() => new Dgram(), { local_addr: server, family: AF_UNIX });
    expect(again.get_extra_info('sockname')).toBe(server);
    again.close();
    const plain = path.join(dir.path, 'plain');
    fs.writeFileSync(plain, 'not a socket');
    await expect(create_datagram_endpoint(() => new Dgram(), { local_addr: plain, family: AF_UNIX })).rejects.toMatchObject({ errno: 98 });
    expect(fs.readFileSync(plain, 'utf8')).toBe('not a socket');
  });

  /** Sends `datas` from a plain socket to `to`; all are queued before the loop runs again. */
  function sendAll(family: number, to: unknown, datas: Buffer[]): void {
    const s = socket(family, SOCK_DGRAM);
    for (const d of datas) s.sendto(d, to as never);
    s.close();
  }

  it('delivers many datagrams queued at once, in order, in one turn of the loop', async () => {
    const [t, p] = await create_datagram_endpoint(() => new Dgram(), { local_addr: ['127.0.0.1', 0] });
    const datas = Array.from({ length: 40 }, (_, i) => Buffer.from(`d${i}`));
    // What the first readiness delivered, counted once it is over (setImmediate runs after the loop's poll phase).
    const first = new Promise<number>((r) => {
      p.waiting = () => {
        p.waiting = null;
        setImmediate(() => r(p.got.length));
      };
    });
    sendAll(AF_INET, t.get_extra_info('sockname'), datas);
    expect(await first).toBe(datas.length);
    expect(p.got.map(([d]) => d)).toEqual(datas.map((d) => d.toString()));
    expect(new Set(p.got.map(([, a]) => JSON.stringify(a))).size).toBe(1);
    t.close();
  });

  it('set_protocol: the datagrams that follow go to the new protocol, get_protocol gives it; one without connection_lost is a TypeError', async () => {
    const [t, first] = await create_datagram_endpoint(() => new Dgram(), { local_addr: ['127.0.0.1', 0] });
    expect(t.get_protocol()).toBe(first);
    const to = t.get_extra_info('sockname');
    let w = first.next();
    sendAll(AF_INET, to, [Buffer.from('one')]);
    await w;
    const second = new Dgram();
    t.set_protocol(second);
    expect(t.get_protocol()).toBe(second);
    w = second.next();
    sendAll(AF_INET, to, [Buffer.from('two')]);
    await w;
    expect([first.got.map(([d]) => d), second.got.map(([d]) => d)]).toEqual([['one'], ['two']]);
    expect(() => t.set_protocol({} as never)).toThrow(TypeError);
    expect(t.get_protocol()).toBe(second);
    t.close();
  });

  it('stops delivering at once when the protocol closes the transport', async () => {
    class Closer extends Dgram {
      lost: Promise<unknown>;
      #lost!: (e: unknown) => void;
      constructor() {
        super();
        this.lost = new Promise((r) => (this.#lost = r));
      }
      override datagram_received(d: Buffer, a: unknown): void {
        super.datagram_received(d, a);
        this.t!.close();
      }
      override connection_lost(e: Error | null): void {
        this.#lost(e);
      }
    }
    const [t, p] = await create_datagram_endpoint(() => new Closer(), { local_addr: ['127.0.0.1', 0] });
    sendAll(AF_INET, t.get_extra_info('sockname'), ['a', 'b', 'c', 'd', 'e'].map((x) => Buffer.from(x)));
    expect(await p.lost).toBeNull();
    expect(p.got.map(([d]) => d)).toEqual(['a']);
    expect(t.is_closing()).toBe(true);
  });

  it('delivers datagrams larger than 64 KiB whole, between small ones', async () => {
    using dir = tempDir();
    const server = path.join(dir.path, 'big.sock');
    const [t, p] = await create_datagram_endpoint(() => new Dgram(), { local_addr: server, family: AF_UNIX });
    const datas = [Buffer.from('small'), Buffer.alloc(100 * 1024, 'b'), Buffer.from('tiny'), Buffer.alloc(70 * 1024, 'c')];
    const w = new Promise<void>((r) => (p.waiting = () => p.got.length === datas.length && r()));
    sendAll(AF_UNIX, server, datas);
    await w;
    expect(p.got.map(([d]) => d)).toEqual(datas.map((d) => d.toString()));
    t.close();
  });

  it('needs an address or a family', async () => {
    await expect(create_datagram_endpoint(() => new Dgram())).rejects.toThrow('unexpected address family');
  });
});

describe("a datagram transport's write buffer and failed sends (python3 the oracle)", () => {
  // A Unix datagram peer whose queue is full makes the sender's socket say EAGAIN: what sendto
  // cannot send is kept. Each side fills the peer's queue, queues five more datagrams of 1,000
  // bytes under limits of 4,000 and 2,000, then ends (close or abort) and drains the peer; it
  // gives what the protocol saw, in order, and whether the peer got the datagrams it should have.
  const py = python(
    String.raw`
import asyncio, os, tempfile
from socket import *
def err(e):
    return None if e is None else {'error': type(e).__name__, 'message': str(e), 'errno': getattr(e, 'errno', None)}
def datagram(i):
    return b'%04d' % i + b'x' * 996
def flow(end):
    async def main():
        loop = asyncio.get_running_loop()
        events, lost = [], loop.create_future()
        class P(asyncio.DatagramProtocol):
            def pause_writing(self): events.append(['pause', t.get_write_buffer_size()])
            def resume_writing(self): events.append(['resume', t.get_write_buffer_size()])
            def connection_lost(self, exc): events.append(['lost', err(exc)]); lost.set_result(None)
        path = os.path.join(tempfile.mkdtemp(), 'peer')
        peer = socket(AF_UNIX, SOCK_DGRAM)
        peer.bind(path)
        peer.setblocking(False)
        t, _ = await loop.create_datagram_endpoint(P, remote_addr=path, family=AF_UNIX)
        t.set_write_buffer_limits(high=4000, low=2000)
        events.append(['limits', t.get_write_buffer_limits()])
        sent = 0
        while t.get_write_buffer_size() == 0:
            t.sendto(datagram(sent)); sent += 1
        taken = sent - 1
        for _ in range(5):
            t.sendto(datagram(sent)); sent += 1
        events.append(['queued', t.get_write_buffer_size()])
        getattr(t, end)()
        events.append([end, t.get_write_buffer_size(), t.is_closing()])
        expect = sent if end == 'close' else taken
        got = []
        while len(got) < expect or not lost.done():
            try:
                got.append(peer.recv(2000))
            except BlockingIOError:
                await asyncio.sleep(0)
        await asyncio.sleep(0.05)
        try:
            got.append(peer.recv(2000))
        except BlockingIOError:
            pass
        peer.close()
        events.append(['peer got them, in order', got == [datagram(i) for i in range(expect)]])
        return events
    return asyncio.run(main())
def shut_down(how):
    async def main():
        loop = asyncio.get_running_loop()
        events = []
        class P(asyncio.DatagramProtocol):
            def datagram_received(self, data, addr): events.append(['datagram', len(data), addr])
            def error_received(self, exc): events.append(['error_received', err(exc)])
            def connection_lost(self, exc): events.append(['lost', err(exc)])
        where = tempfile.mkdtemp()
        peer = socket(AF_UNIX, SOCK_DGRAM)
        peer.bind(os.path.join(where, 'peer'))
        s = socket(AF_UNIX, SOCK_DGRAM)
        s.bind(os.path.join(where, 'me'))
        t, _ = await loop.create_datagram_endpoint(P, sock=s)
        while t.get_write_buffer_size() == 0:
            t.sendto(b'x' * 8000, os.path.join(where, 'peer'))
        for _ in range(2):
            t.sendto(b'y' * 8000, os.path.join(where, 'peer'))
        events.append(['kept', t.get_write_buffer_size() // 8000])
        s.shutdown(how)
        for i in range(5):
            await asyncio.sleep(0)
            events.append(['turn', i, t.get_write_buffer_size() // 8000, t.is_closing()])
        t.abort()
        await asyncio.sleep(0)
        peer.close()
        return events
    return asyncio.run(main())
def bad_address(addr):
    async def main():
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: None)
        events = []
        class P(asyncio.DatagramProtocol):
            def error_received(self, exc): events.append(['error_received', err(exc)])
            def connection_lost(self, exc): events.append(['lost', err(exc)])
        t, _ = await loop.create_datagram_endpoint(P, local_addr=('127.0.0.1', 0))
        t.sendto(b'x', addr)
        await asyncio.sleep(0.05)
        events.append(['closing', t.is_closing()])
        t.close()
        await asyncio.sleep(0)
        return events
    return asyncio.run(main())
`,
    {
      close: `flow('close')`,
      abort: `flow('abort')`,
      'both ways': `shut_down(SHUT_RDWR)`,
      'for writing': `shut_down(SHUT_WR)`,
      'an address of the wrong type': `bad_address('nope')`,
      'an address of the wrong length': `bad_address(('127.0.0.1',))`,
      'a port out of range': `bad_address(('127.0.0.1', 70000))`,
      "an IPv6 host for an IPv4 socket (an OSError: gaierror)": `bad_address(('::1', 9))`,
    },
  );

  /** Python's events (each error as the oracle encodes one). */
  function pythonEvents(name: string): unknown {
    const o = py[name]!;
    if (!('value' in o)) throw new Error(`python3: ${JSON.stringify(o)}`);
    return o.value;
  }
  /** An error as the oracle encodes it ({error, message, errno}: see oracle.py), Python's class mapped to bsdsock's. */
  const asOracle = (e: Error | null): unknown => (e === null ? null : { error: e.constructor.name, message: e.message, errno: (e as { errno?: number }).errno ?? null });
  const mapped = (events: unknown): unknown =>
    JSON.parse(JSON.stringify(events), (_k, v: unknown) =>
      v !== null && typeof v === 'object' && 'error' in v && typeof (v as { error: unknown }).error === 'string' ? expected(v as never) : v,
    );

  const datagram = (i: number): Buffer => Buffer.concat([Buffer.from(String(i).padStart(4, '0')), Buffer.alloc(996, 'x')]);

  it.each(['close', 'abort'] as const)('%s(): pause_writing over the high-water mark, resume_writing once sent, the peer gets them in order', async (end) => {
    using dir = tempDir();
    const where = path.join(dir.path, 'peer');
    const events: unknown[] = [];
    let t!: DatagramTransport;
    let gone!: () => void;
    const lost = new Promise<void>((r) => (gone = r));
    class P extends DatagramProtocol {
      override pause_writing(): void {
        events.push(['pause', t.get_write_buffer_size()]);
      }
      override resume_writing(): void {
        events.push(['resume', t.get_write_buffer_size()]);
      }
      override connection_lost(exc: Error | null): void {
        events.push(['lost', asOracle(exc)]);
        gone();
      }
    }
    const peer = socket(AF_UNIX, SOCK_DGRAM);
    peer.bind(where);
    peer.setblocking(false);
    [t] = await create_datagram_endpoint(() => new P(), { remote_addr: where, family: AF_UNIX });
    t.set_write_buffer_limits(4000, 2000);
    events.push(['limits', t.get_write_buffer_limits()]);
    let sent = 0;
    while (t.get_write_buffer_size() === 0) t.sendto(datagram(sent++));
    const taken = sent - 1;
    for (let i = 0; i < 5; i++) t.sendto(datagram(sent++));
    events.push(['queued', t.get_write_buffer_size()]);
    t[end]();
    events.push([end, t.get_write_buffer_size(), t.is_closing()]);
    const wanted = end === 'close' ? sent : taken;
    const got: Buffer[] = [];
    let done = false;
    void lost.then(() => (done = true));
    while (got.length < wanted || !done) {
      try {
        got.push(peer.recv(2000));
      } catch (e) {
        if (!(e instanceof OSError) || e.errno !== 11) throw e;
        await new Promise((r) => setImmediate(r));
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    try {
      got.push(peer.recv(2000));
    } catch {
      // Nothing more came, as it should not.
    }
    peer.close();
    events.push(['peer got them, in order', got.length === wanted && got.every((d, i) => d.equals(datagram(i)))]);
    // Python 3.11's events, counted as 3.13 counts (and bsdsock): each datagram kept is its 1,000 bytes
    // and an 8-byte header, so the buffer crosses the high-water mark (4,000) at the fourth, not the
    // fifth. abort() drops the queue; 3.11's datagram transport clears it but not the count
    // get_write_buffer_size() gives (_force_close leaves _buffer_size), so it still says 6000.
    const counted = (n: number): number => (n / 1000) * 1008;
    const want = (mapped(pythonEvents(end)) as unknown[][]).map((e): unknown[] => {
      if (e[0] === 'pause') return ['pause', 4 * 1008];
      if (e[0] === 'queued') return ['queued', counted(e[1] as number)];
      if (e[0] === 'close') return ['close', counted(e[1] as number), e[2]];
      if (e[0] === 'abort') return ['abort', 0, e[2]];
      return e;
    });
    expect(pythonEvents(end)).toContainEqual(['pause', 5000]);
    expect(events).toEqual(want);
    expect(events).toContainEqual(['pause', 4032]);
    expect(events).toContainEqual(['peer got them, in order', true]);
  });

  it('empty datagrams kept for a full peer count their headers: a flood of them reaches the high-water mark', async () => {
    using dir = tempDir();
    const where = path.join(dir.path, 'peer');
    const peer = socket(AF_UNIX, SOCK_DGRAM);
    peer.bind(where);
    let paused = 0;
    class P extends DatagramProtocol {
      override pause_writing(): void {
        paused++;
      }
    }
    const [t] = await create_datagram_endpoint(() => new P(), { remote_addr: where, family: AF_UNIX });
    t.set_write_buffer_limits(64, 0);
    // Fill the peer's queue with empty datagrams until one is kept, then keep sending them.
    let sent = 0;
    while (t.get_write_buffer_size() === 0 && sent < 100_000) {
      t.sendto(Buffer.alloc(0));
      sent++;
    }
    expect(t.get_write_buffer_size()).toBe(8);
    for (let i = 0; i < 8; i++) t.sendto(Buffer.alloc(0));
    expect(t.get_write_buffer_size()).toBe(72);
    expect(paused).toBe(1);
    t.abort();
    peer.close();
  });

  // A socket shut down both ways is hung up (POLLHUP), which a selector reports as writable even
  // while the socket has no room: each turn, the kept datagram first in line is sent, fails with
  // EPIPE, is dropped and is reported; the rest wait for the next turn. Shut down for writing
  // only, the socket is not writable (its kept datagrams fill its send buffer), so they stay kept.
  it.each(['both ways', 'for writing'] as const)('datagrams kept for a full peer, then the socket shut down %s: as asyncio, one EPIPE a turn', async (how) => {
    using dir = tempDir();
    const events: unknown[] = [];
    class P extends DatagramProtocol {
      override datagram_received(data: Buffer, addr: unknown): void {
        events.push(['datagram', data.length, addr]);
      }
      override error_received(exc: Error): void {
        events.push(['error_received', asOracle(exc)]);
      }
      override connection_lost(exc: Error | null): void {
        events.push(['lost', asOracle(exc)]);
      }
    }
    const peer = socket(AF_UNIX, SOCK_DGRAM);
    peer.bind(path.join(dir.path, 'peer'));
    const s = socket(AF_UNIX, SOCK_DGRAM);
    s.bind(path.join(dir.path, 'me'));
    const [t] = await create_datagram_endpoint(() => new P(), { sock: s });
    let sent = 0;
    while (t.get_write_buffer_size() === 0 && sent++ < 1000) t.sendto(Buffer.alloc(8000, 'x'), path.join(dir.path, 'peer'));
    for (let i = 0; i < 2; i++) t.sendto(Buffer.alloc(8000, 'y'), path.join(dir.path, 'peer'));
    // How many datagrams are kept (bsdsock counts 3.13's 8-byte header for each, 3.11 none).
    const kept = (): number => Math.floor(t.get_write_buffer_size() / 8000);
    events.push(['kept', kept()]);
    s.shutdown(how === 'both ways' ? SHUT_RDWR : SHUT_WR);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setImmediate(r));
      events.push(['turn', i, kept(), t.is_closing()]);
    }
    t.abort();
    await new Promise((r) => setImmediate(r));
    peer.close();
    // Where the first turn falls against the socket's hangup differs between Node's immediates and
    // asyncio's sleep(0), so the turns are compared as what each held: at most one error, and the
    // datagrams kept after it.
    const byTurn = (list: unknown[]): unknown[] =>
      list.flatMap((e, i) => {
        const [what] = e as unknown[];
        if (what !== 'turn') return [e];
        return list[i - 1] !== undefined && (list[i - 1] as unknown[])[0] === 'error_received' ? [['kept', (e as unknown[])[2]]] : [];
      });
    expect(byTurn(events)).toEqual(byTurn(mapped(pythonEvents(how)) as unknown[]));
    expect(events.filter((e) => (e as unknown[])[0] === 'error_received')).toHaveLength(how === 'both ways' ? 3 : 0);
    expect(events.at(-2)).toEqual(['turn', 4, how === 'both ways' ? 0 : 3, false]);
  });

  const addresses: Record<string, unknown> = {
    'an address of the wrong type': 'nope',
    'an address of the wrong length': ['127.0.0.1'],
    'a port out of range': ['127.0.0.1', 70000],
    'an IPv6 host for an IPv4 socket (an OSError: gaierror)': ['::1', 9],
  };
  it.each(Object.keys(addresses))('sendto to %s: an OSError is error_received(), anything else ends the transport', async (name) => {
    const events: unknown[] = [];
    class P extends DatagramProtocol {
      override error_received(exc: Error): void {
        events.push(['error_received', asOracle(exc)]);
      }
      override connection_lost(exc: Error | null): void {
        events.push(['lost', asOracle(exc)]);
      }
    }
    const [t] = await create_datagram_endpoint(() => new P(), { local_addr: ['127.0.0.1', 0] });
    t.sendto(Buffer.from('x'), addresses[name]);
    await new Promise((r) => setTimeout(r, 50));
    events.push(['closing', t.is_closing()]);
    t.close();
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(mapped(pythonEvents(name)));
  });
});

describe('a throwing pause_writing or resume_writing', () => {
  // In a child: what a flow-control callback throws is reported as an uncaught exception (asyncio
  // hands it to the loop's exception handler), and the write that crossed the mark still succeeds.
  // The stream's peer reads nothing until the write has returned; the datagram's peer is a Unix
  // socket whose queue fills.
  const script = String.raw`
const { socketpair, socket, AF_UNIX, SOCK_STREAM, SOCK_DGRAM } = require('bsdsock');
const { create_connection, create_datagram_endpoint, Protocol, DatagramProtocol } = require('bsdsock/asyncio');
const seen = [];
process.on('uncaughtException', (e) => seen.push(e.message));
const turn = () => new Promise((r) => setTimeout(r, 20));
const throwing = (Base) => class extends Base {
  pause_writing() { throw new Error('pause_writing threw'); }
  resume_writing() { throw new Error('resume_writing threw'); }
};
(async () => {
  const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
  const [t] = await create_connection(() => new (throwing(Protocol))(), { sock: a });
  t.set_write_buffer_limits(1000);
  t.write(Buffer.alloc(8 << 20));
  const streamBuffered = t.get_write_buffer_size() > 1000;
  b.setblocking(false);
  let left = 8 << 20;
  while (left > 0) {
    try { left -= b.recv(1 << 20).length; } catch { await turn(); }
  }
  await turn();
  const streamDrained = t.get_write_buffer_size() === 0;
  t.close();
  b.close();
  const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'flow-'));
  const where = require('node:path').join(dir, 'peer');
  const peer = socket(AF_UNIX, SOCK_DGRAM);
  peer.bind(where);
  peer.setblocking(false);
  const [d] = await create_datagram_endpoint(() => new (throwing(DatagramProtocol))(), { remote_addr: where, family: AF_UNIX });
  d.set_write_buffer_limits(1000);
  let sent = 0;
  while (d.get_write_buffer_size() <= 1000) { d.sendto(Buffer.alloc(1000)); sent++; }
  let got = 0;
  while (got < sent) {
    try { peer.recv(2000); got++; } catch { await turn(); }
  }
  await turn();
  const datagramsDrained = d.get_write_buffer_size() === 0;
  d.close();
  peer.close();
  require('node:fs').rmSync(dir, { recursive: true });
  console.log(JSON.stringify({ seen, streamBuffered, streamDrained, datagramsDrained }));
})();
`;
  it('is reported as uncaught; the write that crossed the mark succeeds, and the buffer still drains', () => {
    const run = runSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      seen: ['pause_writing threw', 'resume_writing threw', 'pause_writing threw', 'resume_writing threw'],
      streamBuffered: true,
      streamDrained: true,
      datagramsDrained: true,
    });
  });
});

describe('a large transfer to a slow reader', () => {
  const TOTAL = Number(process.env.BSDSOCK_TRANSFER_BYTES ?? 1024 * 1024 * 1024);
  it(`${TOTAL} bytes through a Transport, the write buffer never past its limit plus one write`, { timeout: 600_000 }, async () => {
    // The stream repeats every 251 bytes (a prime, so no read size lines up with it); writes are whole periods.
    const CHUNK = 251 * 4096;
    const pattern = Buffer.alloc(CHUNK);
    for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7) % 251;
    let received = 0;
    let mismatch = -1;
    let slowTransport: Transport | null = null;
    let finished!: () => void;
    const done = new Promise<void>((r) => (finished = r));
    // The reader compares each read with the pattern and pauses reading for a turn of the loop after every read.
    class Slow extends BufferedProtocol {
      buf = Buffer.alloc(64 * 1024);
      override connection_made(t: Transport): void {
        slowTransport = t;
      }
      override get_buffer(): Uint8Array {
        return this.buf;
      }
      override buffer_updated(n: number): void {
        const off = received % 251;
        if (mismatch < 0 && !this.buf.subarray(0, n).equals(pattern.subarray(off, off + n))) mismatch = received;
        received += n;
        slowTransport!.pause_reading();
        setImmediate(() => slowTransport!.resume_reading());
      }
      override eof_received(): boolean {
        finished();
        return false;
      }
    }
    const server = await create_server(() => new Slow(), '127.0.0.1', 0);
    let resume: (() => void) | null = null;
    class Producer extends Protocol {
      paused = false;
      override pause_writing(): void {
        this.paused = true;
      }
      override resume_writing(): void {
        this.paused = false;
        resume?.();
      }
    }
    const [t, p] = await create_connection(() => new Producer(), '127.0.0.1', port(server));
    const [, high] = t.get_write_buffer_limits();
    let maxBuffered = 0;
    let sent = 0;
    const rssBefore = process.memoryUsage().rss;
    while (sent < TOTAL) {
      const n = Math.min(CHUNK, TOTAL - sent);
      t.write(pattern.subarray(0, n));
      sent += n;
      maxBuffered = Math.max(maxBuffered, t.get_write_buffer_size());
      if (p.paused) await new Promise<void>((r) => (resume = r));
    }
    t.write_eof();
    await done;
    const rssAfter = process.memoryUsage().rss;
    expect(mismatch).toBe(-1);
    expect(received).toBe(TOTAL);
    expect(maxBuffered).toBeLessThanOrEqual(high + CHUNK);
    // Nothing close to the transfer stayed in memory.
    expect(rssAfter - rssBefore).toBeLessThan(TOTAL / 4 + 64 * 1024 * 1024);
    t.close();
    server.close();
    await server.wait_closed();
  });
});

describe("a transport's socket is the transport's", () => {
  it("a socket operation that would wait on it, and add_reader/add_writer/remove_*, are asyncio's RuntimeError; a closing transport's are not", async () => {
    const py = runSync('python3', ['-c', PY_OWNED], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const want = JSON.parse(py.stdout) as [string, string][];
    const got: [string, string][] = [];
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    a.setblocking(false);
    b.setblocking(false);
    const fd = a.fileno();
    const [transport] = await create_connection(() => new Recorder(), null, null, { sock: a });
    const tries: [string, () => unknown][] = [
      ['sock_recv', () => sock_recv(a, 10)],
      ['sock_sendall', () => sock_sendall(a, Buffer.from('x'))],
      ['add_reader', () => add_reader(fd, () => undefined)],
      ['add_writer', () => add_writer(a, () => undefined)],
      ['remove_reader', () => remove_reader(fd)],
      ['remove_writer', () => remove_writer(fd)],
    ];
    const attempt = async (name: string, f: () => unknown): Promise<void> => {
      try {
        const r = await Promise.race([f(), new Promise((resolve) => setTimeout(() => resolve('waits'), 100))]);
        got.push([name, String(r)]);
      } catch (e) {
        got.push([name, `${(e as Error).name}: ${(e as Error).message.replaceAll(String(fd), 'FD').replace(/<socket\.socket .*?>/, 'SOCK')}`]);
      }
    };
    for (const [name, f] of tries) await attempt(name, f);
    transport.close();
    await attempt('sock_recv after close()', () => sock_recv(b, 1).then(() => sock_recv(a, 10)));
    b.close();
    expect(got).toEqual(want);
  });
});

describe("a transport's and a server's sockets are asyncio's TransportSockets (python3 the oracle)", () => {
  it('the same calls allowed, the same refused, the same repr, before and after the transport closes', async () => {
    const py = runSync('python3', ['-c', PY_TRSOCK], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const want = JSON.parse(py.stdout) as unknown[];
    const server = await create_server(() => new Echo(), '127.0.0.1', 0);
    const [tcp] = await create_connection(() => new Recorder(), '127.0.0.1', port(server));
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    a.setblocking(false);
    const [unix] = await connect_accepted_socket(() => new Recorder(), a);
    const udp = socket(AF_INET, SOCK_DGRAM);
    udp.bind(['127.0.0.1', 0]);
    udp.setblocking(false);
    const [dgram] = await create_datagram_endpoint(() => new DatagramProtocol(), { sock: udp });
    const got: unknown[] = [];
    for (const t of [tcp, unix, dgram]) got.push(trsockReport(t.get_extra_info('socket')));
    got.push(server.sockets.map((s) => [s instanceof TransportSocket, s.fileno() === server.sockets[0]!.fileno(), shown(s)]));
    got.push(server.sockets[0] === server.sockets[0]);
    for (const t of [tcp, unix, dgram]) t.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const t of [tcp, unix, dgram]) got.push([t.get_extra_info('socket').fileno(), shown(t.get_extra_info('socket'))]);
    b.close();
    server.close();
    await server.wait_closed();
    expect(got).toEqual(want);
  });
});

/** A TransportSocket's repr with its fd and ports as FD and PORT. */
function shown(s: TransportSocket): string {
  return String(s).replace(/fd=\d+/, 'fd=FD').replace(/, (\d{4,5})\)/g, ', PORT)');
}

/** What each call of a live transport's TransportSocket gives: its value, or its error's class and message. */
function trsockReport(s: TransportSocket): unknown[] {
  const out: unknown[] = [shown(s), s.family, s.type, s.proto, s.gettimeout(), s.get_inheritable()];
  const calls: [string, () => unknown][] = [
    ['settimeout(0)', () => s.settimeout(0)],
    ['settimeout(false)', () => s.settimeout(false as unknown as number)],
    ['settimeout(1)', () => s.settimeout(1)],
    ['settimeout(null)', () => s.settimeout(null)],
    ['setblocking(false)', () => s.setblocking(false)],
    ['setblocking(0)', () => s.setblocking(0 as unknown as boolean)],
    ['setblocking(true)', () => s.setblocking(true)],
    ['SO_TYPE', () => s.getsockopt(SOL_SOCKET, SO_TYPE)],
    ['SO_KEEPALIVE', () => (s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1), s.getsockopt(SOL_SOCKET, SO_KEEPALIVE))],
  ];
  for (const [name, call] of calls) {
    try {
      const r = call();
      out.push([name, r === undefined ? null : r]);
    } catch (e) {
      out.push([name, e instanceof RangeError ? 'ValueError' : (e as Error).name, (e as Error).message]);
    }
  }
  // What Python's has not: the calls that would take the socket from the transport.
  out.push(['close', 'recv', 'send', 'sendto', 'accept', 'connect', 'bind', 'detach'].filter((name) => name in s));
  const d = s.dup();
  out.push([d.fileno() !== s.fileno(), d.gettimeout()]);
  d.close();
  return out;
}

/** python3's asyncio on the same calls (see trsockReport). */
const PY_TRSOCK = String.raw`
import asyncio, json, re, socket
from socket import SOL_SOCKET, SO_TYPE, SO_KEEPALIVE
def shown(s):
    return re.sub(r', (\d{4,5})\)', ', PORT)', re.sub(r'fd=\d+', 'fd=FD', repr(s), count=1))
def report(s):
    out = [shown(s), s.family, s.type, s.proto, s.gettimeout(), s.get_inheritable()]
    def keepalive():
        s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1)
        return s.getsockopt(SOL_SOCKET, SO_KEEPALIVE)
    calls = [('settimeout(0)', lambda: s.settimeout(0)), ('settimeout(false)', lambda: s.settimeout(False)),
             ('settimeout(1)', lambda: s.settimeout(1)), ('settimeout(null)', lambda: s.settimeout(None)),
             ('setblocking(false)', lambda: s.setblocking(False)), ('setblocking(0)', lambda: s.setblocking(0)),
             ('setblocking(true)', lambda: s.setblocking(True)),
             ('SO_TYPE', lambda: s.getsockopt(SOL_SOCKET, SO_TYPE)), ('SO_KEEPALIVE', keepalive)]
    for name, call in calls:
        try:
            out.append([name, call()])
        except Exception as e:
            out.append([name, type(e).__name__, str(e)])
    out.append([n for n in ['close', 'recv', 'send', 'sendto', 'accept', 'connect', 'bind', 'detach'] if hasattr(s, n)])
    d = s.dup()
    out.append([d.fileno() != s.fileno(), d.gettimeout()])
    d.close()
    return out
class Echo(asyncio.Protocol):
    def connection_made(self, t):
        self.t = t
    def data_received(self, data):
        self.t.write(data)
async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Echo, '127.0.0.1', 0)
    tcp, _ = await loop.create_connection(asyncio.Protocol, '127.0.0.1', server.sockets[0].getsockname()[1])
    a, b = socket.socketpair()
    a.setblocking(False)
    unix, _ = await loop.connect_accepted_socket(asyncio.Protocol, a)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(('127.0.0.1', 0))
    udp.setblocking(False)
    dgram, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, sock=udp)
    out = [report(t.get_extra_info('socket')) for t in (tcp, unix, dgram)]
    out.append([[type(s).__name__ == 'TransportSocket', s.fileno() == server.sockets[0].fileno(), shown(s)] for s in server.sockets])
    out.append(server.sockets[0] is server.sockets[0])
    for t in (tcp, unix, dgram):
        t.close()
    await asyncio.sleep(0.02)
    for t in (tcp, unix, dgram):
        out.append([t.get_extra_info('socket').fileno(), shown(t.get_extra_info('socket'))])
    b.close()
    server.close()
    await server.wait_closed()
    print(json.dumps(out))
asyncio.run(main())
`;

/** python3's asyncio on the same calls; its messages' fd as FD, a socket's repr as SOCK. */
const PY_OWNED = String.raw`
import asyncio, json, re, socket
async def main():
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    fd = a.fileno()
    transport, _ = await loop.create_connection(asyncio.Protocol, sock=a)
    out = []
    async def attempt(name, f):
        try:
            r = await asyncio.wait_for(f(), 0.1) if name.startswith('sock_') else f()
            out.append([name, 'undefined' if r is None else str(r)])
        except asyncio.TimeoutError:
            out.append([name, 'waits'])
        except Exception as e:
            out.append([name, f'{type(e).__name__}: ' + re.sub(r'<socket.socket .*?>', 'SOCK', str(e).replace(str(fd), 'FD'))])
    await attempt('sock_recv', lambda: loop.sock_recv(a, 10))
    await attempt('sock_sendall', lambda: loop.sock_sendall(a, b'x'))
    await attempt('add_reader', lambda: loop.add_reader(fd, lambda: None))
    await attempt('add_writer', lambda: loop.add_writer(a, lambda: None))
    await attempt('remove_reader', lambda: loop.remove_reader(fd))
    await attempt('remove_writer', lambda: loop.remove_writer(fd))
    transport.close()
    async def after():
        await loop.sock_recv(b, 1)
        return await loop.sock_recv(a, 10)
    await attempt('sock_recv after close()', after)
    b.close()
    print(json.dumps(out))
asyncio.run(main())
`;

describe("create_datagram_endpoint resolves and pairs its addresses as asyncio's does (python3 the oracle)", () => {
  // Each case makes an endpoint (no peer needs to listen: a UDP connect only names it) and gives
  // [its socket's host (a Unix socket's path), its peername], or the error.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-endpoint-'));
  const nowhere = path.join(dir, 'nowhere.sock');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const cases: Record<string, [py: string, js: Record<string, unknown>]> = {
    // Paths only with family AF_UNIX; there, strings only.
    'local_addr a path, no family': [`local_addr=${JSON.stringify(path.join(dir, 'a.sock'))}`, { local_addr: path.join(dir, 'a.sock') }],
    'remote_addr a path, no family': [`remote_addr=${JSON.stringify(nowhere)}`, { remote_addr: nowhere }],
    'family AF_UNIX, a 2-tuple': [`local_addr=('127.0.0.1', 0), family=AF_UNIX`, { local_addr: ['127.0.0.1', 0], family: AF_UNIX }],
    'family AF_UNIX, a path where nothing listens': [`remote_addr=${JSON.stringify(nowhere)}, family=AF_UNIX`, { remote_addr: nowhere, family: AF_UNIX }],
    'family AF_UNIX, empty paths: an unbound socket': [`local_addr='', remote_addr='', family=AF_UNIX`, { local_addr: '', remote_addr: '', family: AF_UNIX }],
    'no family, empty paths': [`local_addr='', remote_addr=''`, { local_addr: '', remote_addr: '' }],
    'remote_addr, the port a str': [`remote_addr=('127.0.0.1', '9')`, { remote_addr: ['127.0.0.1', '9'] }],
    'remote_addr on ::1: the 4-tuple': [`remote_addr=('::1', 9)`, { remote_addr: ['::1', 9] }],
    'remote_addr, the port a float': [`remote_addr=('127.0.0.1', 9.5)`, { remote_addr: ['127.0.0.1', 9.5] }],
    'remote_addr a 3-tuple': [`remote_addr=('127.0.0.1', 9, 0)`, { remote_addr: ['127.0.0.1', 9, 0] }],
    'remote_addr a host name, family AF_INET': [`remote_addr=('localhost', 9), family=AF_INET`, { remote_addr: ['localhost', 9], family: AF_INET }],
    'remote_addr, a service name the resolver does not know': [`remote_addr=('127.0.0.1', 'no-such-service')`, { remote_addr: ['127.0.0.1', 'no-such-service'] }],
    'local_addr IPv4, remote_addr IPv6: no pair': [`local_addr=('127.0.0.1', 0), remote_addr=('::1', 9)`, { local_addr: ['127.0.0.1', 0], remote_addr: ['::1', 9] }],
    'local_addr IPv6, family AF_INET': [`local_addr=('::1', 0), family=AF_INET`, { local_addr: ['::1', 0], family: AF_INET }],
    'local_addr, the port None': [`local_addr=('127.0.0.1', None)`, { local_addr: ['127.0.0.1', null] }],
    'no address, family AF_INET6': [`family=AF_INET6`, { family: AF_INET6 }],
    'allow_broadcast: the remote address not connected to': [`remote_addr=('127.0.0.1', 9), allow_broadcast=True`, { remote_addr: ['127.0.0.1', 9], allow_broadcast: true }],
  };
  const py = python(
    String.raw`
import asyncio
from socket import *
def endpoint(**kw):
    async def main():
        t, p = await asyncio.get_running_loop().create_datagram_endpoint(asyncio.DatagramProtocol, **kw)
        try:
            name = t.get_extra_info('sockname')
            return [name if isinstance(name, str) else name[0], t.get_extra_info('peername')]
        finally:
            t.close()
    return asyncio.run(main())
`,
    Object.fromEntries(Object.entries(cases).map(([name, [kw]]) => [name, `endpoint(${kw})`])),
  );

  it.each(Object.keys(cases))('%s', async (name) => {
    const got = await outcomeAsync(async () => {
      const [t] = await create_datagram_endpoint(() => new DatagramProtocol(), cases[name]![1] as never);
      try {
        const sockname = t.get_extra_info('sockname');
        return [typeof sockname === 'string' ? sockname : (sockname as unknown[])[0], t.get_extra_info('peername')];
      } finally {
        t.close();
      }
    });
    expect(got).toEqual(expected(py[name]!));
  });

  it('allow_broadcast: each datagram goes to the remote address; sendto takes it again, and refuses another with Python\'s message', async () => {
    const r = socket(AF_INET, SOCK_DGRAM);
    r.bind(['127.0.0.1', 0]);
    const to = r.getsockname();
    const [t] = await create_datagram_endpoint(() => new DatagramProtocol(), { remote_addr: to, allow_broadcast: true });
    try {
      t.sendto(Buffer.from('default'));
      t.sendto(Buffer.from('named'), [...to]);
      expect(() => t.sendto(Buffer.from('x'), ['127.0.0.1', 1])).toThrow(`Invalid address: must be None or ('127.0.0.1', ${to[1]})`);
      expect(r.recv(100).toString()).toBe('default');
      expect(r.recv(100).toString()).toBe('named');
    } finally {
      t.close();
      r.close();
    }
  });
});

describe("create_connection resolves its host, port and local_addr as asyncio's does (python3 the oracle)", () => {
  // P and P6: ports bound on 127.0.0.1 and ::1 and not listening (refused); ports in messages are made 'N'.
  // Python's side is the arguments after the protocol factory.
  const cases: Record<string, [py: string, js: (p: number, p6: number) => [unknown[], Record<string, unknown>]]> = {
    'host and port': [`'127.0.0.1', P`, (p) => [['127.0.0.1', p], {}]],
    'the port a str': [`'127.0.0.1', str(P)`, (p) => [['127.0.0.1', String(p)], {}]],
    'the port a float': [`'127.0.0.1', P + 0.5`, (p) => [['127.0.0.1', p + 0.5], {}]],
    '::1: the 4-tuple in the message': [`'::1', P6`, (_, p6) => [['::1', p6], {}]],
    'a host name, family AF_INET': [`'localhost', P, family=AF_INET`, (p) => [['localhost', p], { family: AF_INET }]],
    'local_addr of another family': [`'127.0.0.1', P, local_addr=('::1', 0)`, (p) => [['127.0.0.1', p], { local_addr: ['::1', 0] }]],
    'local_addr in use': [`'127.0.0.1', P, local_addr=('127.0.0.1', P)`, (p) => [['127.0.0.1', p], { local_addr: ['127.0.0.1', p] }]],
    'local_addr, the port a str': [`'127.0.0.1', P, local_addr=('127.0.0.1', '0')`, (p) => [['127.0.0.1', p], { local_addr: ['127.0.0.1', '0'] }]],
    'local_addr a 3-tuple': [`'127.0.0.1', P, local_addr=('127.0.0.1', 0, 0)`, (p) => [['127.0.0.1', p], { local_addr: ['127.0.0.1', 0, 0] }]],
  };
  const py = python(
    String.raw`
import asyncio
from socket import *
def connect(make):
    with socket(AF_INET, SOCK_STREAM) as r, socket(AF_INET6, SOCK_STREAM) as r6:
        r.bind(('127.0.0.1', 0))
        r6.bind(('::1', 0))
        P, P6 = r.getsockname()[1], r6.getsockname()[1]
        async def main():
            t, p = await make(asyncio.get_running_loop(), P, P6)
            t.close()
        asyncio.run(main())
`,
    Object.fromEntries(Object.entries(cases).map(([name, [call]]) => [name, `connect(lambda loop, P, P6: loop.create_connection(asyncio.Protocol, ${call}))`])),
  );

  it.each(Object.keys(cases))('%s', async (name) => {
    const r = socket(AF_INET, SOCK_STREAM);
    const r6 = socket(AF_INET6, SOCK_STREAM);
    try {
      r.bind(['127.0.0.1', 0]);
      r6.bind(['::1', 0]);
      const [args, options] = cases[name]![1](r.getsockname()[1], r6.getsockname()[1]);
      const got = await outcomeAsync(async () => {
        const [t] = await create_connection(() => new Protocol(), ...(args as [string, number]), options as never);
        t.close();
      });
      expect(normalize(got)).toEqual(normalize(expected(py[name]!)));
    } finally {
      r.close();
      r6.close();
    }
  });
});

describe("a datagram transport's pause_reading and resume_reading (python3 the oracle)", () => {
  // Five datagrams wait in the socket's queue; the protocol pauses after the second. Nothing
  // more comes while paused (bsdsock reads them in one batch and holds the rest), and all of
  // them come, in order, once it resumes. A protocol that pauses in connection_made gets
  // nothing until it resumes. After close, pausing and resuming change nothing.
  const py = python(
    String.raw`
import asyncio
from socket import *
def reading():
    async def main():
        loop = asyncio.get_running_loop()
        events = []
        class P(asyncio.DatagramProtocol):
            def connection_made(self, t):
                self.t = t
                if self.pause_first: t.pause_reading()
                events.append(['made', t.is_reading()])
            def datagram_received(self, data, addr):
                events.append(data.decode())
                if data == b'd1':
                    self.t.pause_reading()
                    events.append(['paused', self.t.is_reading()])
        P.pause_first = False
        t, p = await loop.create_datagram_endpoint(P, local_addr=('127.0.0.1', 0))
        s = socket(AF_INET, SOCK_DGRAM)
        for i in range(5): s.sendto(b'd%d' % i, t.get_extra_info('sockname'))
        await asyncio.sleep(0.05)
        events.append('resume')
        t.resume_reading()
        events.append(['resumed', t.is_reading()])
        await asyncio.sleep(0.05)
        P.pause_first = True
        t2, _ = await loop.create_datagram_endpoint(P, local_addr=('127.0.0.1', 0))
        for i in range(5, 7): s.sendto(b'd%d' % i, t2.get_extra_info('sockname'))
        await asyncio.sleep(0.05)
        events.append('resume')
        t2.resume_reading()
        await asyncio.sleep(0.05)
        t.close(); t2.close()
        t.pause_reading(); t.resume_reading()
        events.append(['closed', t.is_reading(), t.is_closing()])
        s.close()
        await asyncio.sleep(0)
        return events
    return asyncio.run(main())
`,
    { reading: 'reading()' },
  );

  it('holds back what comes while paused, and gives it all in order on resume', async () => {
    const events: unknown[] = [];
    class P extends DatagramProtocol {
      static pauseFirst = false;
      t!: DatagramTransport;
      override connection_made(t: DatagramTransport): void {
        this.t = t;
        if (P.pauseFirst) t.pause_reading();
        events.push(['made', t.is_reading()]);
      }
      override datagram_received(data: Buffer): void {
        events.push(data.toString());
        if (data.toString() === 'd1') {
          this.t.pause_reading();
          events.push(['paused', this.t.is_reading()]);
        }
      }
    }
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const [t] = await create_datagram_endpoint(() => new P(), ['127.0.0.1', 0]);
    const s = socket(AF_INET, SOCK_DGRAM);
    for (let i = 0; i < 5; i++) s.sendto(Buffer.from(`d${i}`), t.get_extra_info('sockname') as [string, number]);
    await wait(50);
    events.push('resume');
    t.resume_reading();
    events.push(['resumed', t.is_reading()]);
    await wait(50);
    P.pauseFirst = true;
    const [t2] = await create_datagram_endpoint(() => new P(), ['127.0.0.1', 0]);
    for (let i = 5; i < 7; i++) s.sendto(Buffer.from(`d${i}`), t2.get_extra_info('sockname') as [string, number]);
    await wait(50);
    events.push('resume');
    t2.resume_reading();
    await wait(50);
    t.close();
    t2.close();
    t.pause_reading();
    t.resume_reading();
    events.push(['closed', t.is_reading(), t.is_closing()]);
    s.close();
    await wait(0);
    expect({ value: events }).toEqual(py.reading);
    expect(events).toEqual([
      ['made', true],
      'd0',
      'd1',
      ['paused', false],
      'resume',
      ['resumed', true],
      'd2',
      'd3',
      'd4',
      ['made', false],
      'resume',
      'd5',
      'd6',
      ['closed', false, true],
    ]);
  });
});

describe("a stream transport's reads are asyncio's, up to 256 KiB at once (python3 the oracle)", () => {
  // The peer fills a Unix connection (more than 64 KiB); the protocol pauses at its first
  // data_received. What that one read took is what the peer finds room for after it: asyncio
  // reads up to max_size (256 KiB) at once, and a reader that took less would leave the peer
  // no room. Then the rest comes on resume, in reads of at most 256 KiB.
  const py = python(
    String.raw`
import asyncio
from socket import *
def sizes():
    async def main():
        loop = asyncio.get_running_loop()
        a, b = socketpair(AF_UNIX, SOCK_STREAM)
        a.setblocking(False)
        sent = a.send(b'x' * 600_000)
        got = []
        class P(asyncio.Protocol):
            def connection_made(self, t): self.t = t
            def data_received(self, data):
                got.append(len(data))
                if len(got) == 1: self.t.pause_reading()
        t, _ = await loop.create_connection(P, sock=b)
        for _ in range(5): await asyncio.sleep(0)
        try: room = a.send(b'y' * 600_000)
        except BlockingIOError: room = 'EAGAIN'
        t.resume_reading()
        for _ in range(10): await asyncio.sleep(0)
        t.close(); a.close()
        return [sent > 65536, room, got[0] == sent, sum(got) == sent + (0 if room == 'EAGAIN' else room), max(got) <= 262144]
    return asyncio.run(main())
`,
    { sizes: 'sizes()' },
  );

  it('a reader that pauses at once has taken all the peer sent, up to 256 KiB, and the peer has room again', async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_STREAM);
    a.setblocking(false);
    const sent = a.send(Buffer.alloc(600_000, 'x'));
    const got: number[] = [];
    class P extends Protocol {
      t!: Transport;
      override connection_made(t: Transport): void {
        this.t = t;
      }
      override data_received(data: Buffer): void {
        got.push(data.byteLength);
        if (got.length === 1) this.t.pause_reading();
      }
    }
    const [t] = await create_connection(() => new P(), null, null, { sock: b });
    const turns = async (n: number) => {
      for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
    };
    await turns(5);
    let room: number | string;
    try {
      room = a.send(Buffer.alloc(600_000, 'y'));
    } catch (e) {
      if ((e as { errno?: number }).errno !== 11) throw e;
      room = 'EAGAIN';
    }
    t.resume_reading();
    await turns(10);
    t.close();
    a.close();
    const mine = [sent > 65536, room, got[0] === sent, got.reduce((x, y) => x + y, 0) === sent + (room === 'EAGAIN' ? 0 : (room as number)), Math.max(...got) <= 262144];
    expect({ value: mine }).toEqual(py.sizes);
    expect(room).not.toBe('EAGAIN');
  });
});
