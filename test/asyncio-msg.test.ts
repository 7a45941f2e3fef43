// The message operations of bsdsock/asyncio on real non-blocking sockets:
// sock_sendmsg / sock_recvmsg(_into) with ancillary data, fd passing, batched
// datagrams, and sock_sendfile against python3's asyncio loop.sock_sendfile on
// the same file and arguments.

import * as fs from 'node:fs';
import { open } from 'node:fs/promises';
import * as path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  AF_INET,
  AF_UNIX,
  BlockingIOError,
  OSError,
  SCM_RIGHTS,
  SOCK_DGRAM,
  SOCK_STREAM,
  SO_RCVBUF,
  SO_SNDBUF,
  SOL_SOCKET,
  socket,
  socketpair,
  type Socket,
} from 'bsdsock';
import {
  AbortError,
  create_datagram_endpoint,
  create_server,
  DatagramProtocol,
  open_connection,
  Protocol,
  SendfileNotAvailableError,
  sendfile,
  type Transport,
  sock_connect,
  sock_recv,
  sock_recv_fds,
  sock_recvmmsg,
  sock_recvmmsg_into,
  sock_recvmsg,
  sock_recvmsg_into,
  sock_send_fds,
  sock_sendall,
  sock_sendfile,
  sock_sendmmsg,
  sock_sendmsg,
} from 'bsdsock/asyncio';

import { expected, outcomeAsync, python, type Outcome } from './helpers/python';
import { closing, filePosition as position, owned, sha1, tempDir, udpPair } from './helpers/sockets';
import { runSync } from './helpers/run';

/** A non-blocking socketpair of `type`, closed at the end of the scope. */
function pair(type: number = SOCK_STREAM): [Socket<'AF_UNIX'>, Socket<'AF_UNIX'>] & Disposable {
  const p = owned(socketpair(AF_UNIX, type));
  p[0].setblocking(false);
  p[1].setblocking(false);
  return p;
}

/** Fills `sock`'s send path until it would block; the bytes that went in. */
function fill(sock: Socket<string>, chunk = Buffer.alloc(65536, 0x61)): number {
  let total = 0;
  for (;;) {
    try {
      total += sock.send(chunk);
    } catch (e) {
      if (e instanceof BlockingIOError) return total;
      throw e;
    }
  }
}

/** Whether a promise is still pending after the loop has turned a few times. */
async function pending(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then(() => 'settled', () => 'settled'), new Promise((res) => setTimeout(() => res(marker), 20))]);
  return r === marker;
}

describe('sock_sendmsg / sock_recvmsg', () => {
  it('a pending sock_recvmsg settles with the datagram that arrives later', async () => {
    using p = pair(SOCK_DGRAM);
    const got = sock_recvmsg(p[1], 100);
    expect(await pending(got)).toBe(true);
    expect(await sock_sendmsg(p[0], [Buffer.from('hel'), Buffer.from('lo')])).toBe(5);
    const [data, anc, flags, address] = await got;
    expect(data.toString()).toBe('hello');
    expect(anc).toEqual([]);
    expect(flags).toBe(0);
    expect(address).toBe(null);
  });

  it('sock_recvmsg_into scatters one message over the buffers, in place', async () => {
    using p = pair(SOCK_DGRAM);
    const a = Buffer.alloc(3);
    const b = Buffer.alloc(10);
    const got = sock_recvmsg_into(p[1], [a, b]);
    await sock_sendmsg(p[0], [Buffer.from('abcdefg')]);
    const [n, anc, flags] = await got;
    expect([n, anc, flags]).toEqual([7, [], 0]);
    expect(a.toString()).toBe('abc');
    expect(b.subarray(0, 4).toString()).toBe('defg');
  });

  it('sock_sendmsg waits for room in a full socket, then sends', async () => {
    using p = pair(SOCK_STREAM);
    const queued = fill(p[0]);
    const big = Buffer.alloc(100_000, 0x62);
    const sending = sock_sendmsg(p[0], [big]);
    expect(await pending(sending)).toBe(true);
    let received = 0;
    let sent: number | null = null;
    void sending.then((n) => (sent = n));
    while (sent === null || received < queued + sent) {
      const d = await sock_recv(p[1], 1 << 20);
      received += d.length;
    }
    expect(sent).toBeGreaterThan(0);
    expect(received).toBe(queued + sent!);
  });

  it('SCM_RIGHTS ancillary data through sock_sendmsg and sock_recvmsg carries a working fd', async () => {
    using p = pair(SOCK_DGRAM);
    const [x, y] = socketpair();
    using _ = closing(x, y);
    const fds = Buffer.alloc(4);
    fds.writeInt32LE(x.fileno());
    const got = sock_recvmsg(p[1], 10, 64);
    await sock_sendmsg(p[0], [Buffer.from('fd')], [[SOL_SOCKET, SCM_RIGHTS, fds]]);
    const [data, anc] = await got;
    expect(data.toString()).toBe('fd');
    expect(anc.length).toBe(1);
    const [level, type, payload] = anc[0]!;
    expect([level, type, payload.length]).toEqual([SOL_SOCKET, SCM_RIGHTS, 4]);
    const passed = socket(AF_UNIX, SOCK_STREAM, 0, payload.readInt32LE());
    using __ = closing(passed);
    expect(passed.fileno()).not.toBe(x.fileno());
    passed.sendall(Buffer.from('through the passed fd'));
    expect(y.recv(100).toString()).toBe('through the passed fd');
  });

  it('sock_send_fds and sock_recv_fds pass fds, and the data with them', async () => {
    using p = pair(SOCK_STREAM);
    const [x, y] = socketpair();
    using _ = closing(x, y);
    const got = sock_recv_fds(p[1], 100, 2);
    expect(await pending(got)).toBe(true);
    expect(await sock_send_fds(p[0], [Buffer.from('two fds')], [x.fileno(), y.fileno()])).toBe(7);
    const [data, fds, flags] = await got;
    expect(data.toString()).toBe('two fds');
    expect(flags).toBe(0);
    expect(fds.length).toBe(2);
    const [x2, y2] = fds.map((fd) => socket(AF_UNIX, SOCK_STREAM, 0, fd));
    using __ = closing(x2!, y2!);
    x2!.sendall(Buffer.from('ping'));
    expect(y.recv(10).toString()).toBe('ping');
    y2!.sendall(Buffer.from('pong'));
    expect(x.recv(10).toString()).toBe('pong');
  });

  it("a host name in sock_sendmsg's address is resolved without blocking", async () => {
    using udp = udpPair();
    const [rx, tx] = udp;
    for (const s of udp) s.setblocking(false);
    const port = rx.getsockname()[1];
    const got = sock_recvmsg(rx, 100);
    expect(await sock_sendmsg(tx, [Buffer.from('to localhost')], [], 0, ['localhost', port])).toBe(12);
    const [data, , , address] = await got;
    expect(data.toString()).toBe('to localhost');
    expect(address).toEqual(tx.getsockname());
  });

  it('an aborted sock_recvmsg rejects with AbortError and consumes nothing', async () => {
    using p = pair(SOCK_DGRAM);
    const ac = new AbortController();
    const got = sock_recvmsg(p[1], 100, 0, 0, { signal: ac.signal });
    ac.abort();
    await expect(got).rejects.toBeInstanceOf(AbortError);
    p[0].send(Buffer.from('still here'));
    expect(p[1].recvmsg(100)[0].toString()).toBe('still here');
  });

  it('closing the socket rejects a pending sock_recv_fds with EBADF', async () => {
    using p = pair(SOCK_STREAM);
    const got = sock_recv_fds(p[1], 10, 1);
    p[1].close();
    await expect(got).rejects.toMatchObject({ errno: 9 });
    await expect(got).rejects.toBeInstanceOf(OSError);
  });

  it("bad arguments reject with the synchronous call's errors", async () => {
    using p = pair(SOCK_DGRAM);
    await expect(sock_recvmsg(p[1], -1)).rejects.toThrow(new RangeError('negative buffer size in recvmsg()'));
    await expect(sock_sendmsg(p[0], 5 as unknown as Uint8Array[])).rejects.toBeInstanceOf(TypeError);
    const blocking = socket(AF_UNIX, SOCK_DGRAM);
    using _ = closing(blocking);
    await expect(sock_recvmsg(blocking, 10)).rejects.toThrow(new RangeError('the socket must be non-blocking'));
  });
});

describe('sock_sendmmsg / sock_recvmmsg', () => {
  it('a pending sock_recvmmsg settles with the datagrams of a sock_sendmmsg burst, in order', async () => {
    using udp = udpPair();
    const [rx, tx] = udp;
    for (const s of udp) s.setblocking(false);
    const to = rx.getsockname();
    const got = sock_recvmmsg(rx, 8, 64);
    expect(await pending(got)).toBe(true);
    const messages = Array.from({ length: 8 }, (_, i): [Buffer, typeof to] => [Buffer.from(`datagram ${i}`), to]);
    expect(await sock_sendmmsg(tx, messages)).toBe(8);
    const received = [...(await got)];
    while (received.length < 8) received.push(...(await sock_recvmmsg(rx, 8 - received.length, 64)));
    expect(received.map(([d]) => d.toString())).toEqual(messages.map(([d]) => d.toString()));
    for (const [, address] of received) expect(address).toEqual(tx.getsockname());
  });

  it('sock_recvmmsg_into fills the given buffers in place', async () => {
    using p = pair(SOCK_DGRAM);
    const bufs = [Buffer.alloc(8), Buffer.alloc(8), Buffer.alloc(8)];
    const got = sock_recvmmsg_into(p[1], bufs);
    await sock_sendmmsg(p[0], [[Buffer.from('one')], [Buffer.from('two')], [Buffer.from('three')]]);
    const results = await got;
    expect(results.length).toBeGreaterThanOrEqual(1);
    results.forEach(([n], i) => expect(bufs[i]!.subarray(0, n).toString()).toBe(['one', 'two', 'three'][i]));
  });

  it('sock_sendmmsg waits while the peer queue is full, and then sends', async () => {
    using p = pair(SOCK_DGRAM);
    let queued = 0;
    for (;;) {
      try {
        p[0].send(Buffer.from('x'));
        queued++;
      } catch (e) {
        if (e instanceof BlockingIOError) break;
        throw e;
      }
    }
    const sending = sock_sendmmsg(p[0], [[Buffer.from('late 1')], [Buffer.from('late 2')]]);
    expect(await pending(sending)).toBe(true);
    for (let i = 0; i < queued; i++) expect((await sock_recvmsg(p[1], 10))[0].toString()).toBe('x');
    const sent = await sending;
    expect(sent).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < sent; i++) expect((await sock_recvmsg(p[1], 10))[0].toString()).toBe(`late ${i + 1}`);
  });
});

/** python3's asyncio loop.sock_sendfile on a non-blocking socketpair for each case (its arguments after the file): [sent, position, received length, sha1], or the error. */
function pythonSockSendfile(file: string, cases: Record<string, string>): Record<string, Outcome> {
  const setup = String.raw`
import asyncio, hashlib, socket
async def sock_sendfile(path, *args, **kwargs):
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    a.setblocking(False); b.setblocking(False)
    async def drain():
        data = b''
        while True:
            d = await loop.sock_recv(b, 1 << 20)
            if not d: return data
            data += d
    reader = asyncio.ensure_future(drain())
    try:
        with open(path, 'rb') as f:
            n = await loop.sock_sendfile(a, f, *args, **kwargs)
            pos = f.tell()
        a.close()
        data = await reader
        return [n, pos, len(data), hashlib.sha1(data).hexdigest()]
    except BaseException:
        reader.cancel()
        raise
    finally:
        a.close(); b.close()
`;
  return python(setup, Object.fromEntries(Object.entries(cases).map(([name, args]) => [name, `asyncio.run(sock_sendfile(${JSON.stringify(file)}, ${args}))`])));
}

/** Everything until the end of the stream, with sock_recv. */
async function drain(sock: Socket<string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const d = await sock_recv(sock, 1 << 20);
    if (d.length === 0) return Buffer.concat(parts);
    parts.push(Buffer.from(d));
  }
}

/** `send()` from `fd` over p[0] while p[1] is drained: [bytes sent, the file's position, bytes received, their sha1]. */
async function sentAndReceived(p: Socket<string>[], fd: number, send: () => Promise<number>): Promise<unknown[]> {
  const reader = drain(p[1]!);
  let n: number;
  try {
    n = await send();
  } finally {
    // The end of the stream settles the reader, when the send failed too.
    p[0]!.close();
    await reader;
  }
  const data = await reader;
  return [n, position(fd), data.length, sha1(data)];
}

describe('sock_sendfile', () => {
  const dir = tempDir();
  afterAll(() => dir[Symbol.dispose]());
  const file = path.join(dir.path, 'data');
  // Larger than the socket buffers, so the transfer waits for room many times.
  const content = Buffer.alloc(3_000_000);
  for (let i = 0; i < content.length; i++) content[i] = (i * 13 + (i >> 9)) & 0xff;
  fs.writeFileSync(file, content);

  const cases: Record<string, string> = {
    whole: '',
    offset: '100',
    offsetCount: '1000, 500000',
    count: 'count=1',
    nearEnd: `${content.length - 10}, 100`,
    pastEnd: `${content.length + 5}`,
    countZero: 'count=0',
    countString: "count='1'",
    offsetNegative: 'offset=-1',
    offsetFloat: 'offset=1.5',
  };
  const py = pythonSockSendfile(file, cases);
  /** The same arguments in JavaScript. */
  const args: Record<string, [unknown, unknown]> = {
    whole: [0, null],
    offset: [100, null],
    offsetCount: [1000, 500000],
    count: [0, 1],
    nearEnd: [content.length - 10, 100],
    pastEnd: [content.length + 5, null],
    countZero: [0, 0],
    countString: [0, '1'],
    offsetNegative: [-1, null],
    offsetFloat: [1.5, null],
  };

  it.each(Object.keys(cases))("%s: bytes sent, what arrives, the file position and the errors are asyncio's", async (name) => {
    const [offset, count] = args[name]!;
    using p = pair(SOCK_STREAM);
    const fd = fs.openSync(file, 'r');
    try {
      const r = await outcomeAsync(() => sentAndReceived(p, fd, () => sock_sendfile(p[0], fd, offset as number, count as number | null)));
      expect(r).toEqual(expected(py[name]!));
    } finally {
      fs.closeSync(fd);
    }
  });

  // Files that are not regular: /dev/null's size is 0, so nothing is sent (asyncio's "empty file");
  // /dev/zero's is 0 too, but with a count sendfile(2) reads it.
  const devices: Record<string, [path: string, py: string, count: number | null, fallback: boolean]> = {
    '/dev/null': ['/dev/null', '', null, true],
    '/dev/null, a count': ['/dev/null', 'count=5', 5, true],
    '/dev/zero, a count': ['/dev/zero', 'count=10', 10, true],
    '/dev/zero, a count, no fallback': ['/dev/zero', 'count=10, fallback=False', 10, false],
  };
  const pyDevices = Object.fromEntries(Object.entries(devices).map(([name, [where, pyArgs]]) => [name, pythonSockSendfile(where, { [name]: pyArgs })[name]!]));
  it.each(Object.keys(devices))("%s: what is sent and the file position are asyncio's", async (name) => {
    const [where, , count, fallback] = devices[name]!;
    using p = pair(SOCK_STREAM);
    const fd = fs.openSync(where, 'r');
    try {
      const r = await outcomeAsync(() => sentAndReceived(p, fd, () => sock_sendfile(p[0], fd, 0, count, { fallback })));
      expect(r).toEqual(expected(pyDevices[name]!));
    } finally {
      fs.closeSync(fd);
    }
  });

  it('sends from a FileHandle, and moves its position after the bytes sent', async () => {
    const fh = await open(file, 'r');
    try {
      using p = pair(SOCK_STREAM);
      const reader = drain(p[1]);
      expect(await sock_sendfile(p[0], fh, 10, 200_000)).toBe(200_000);
      expect(position(fh.fd)).toBe(200_010);
      p[0].close();
      expect((await reader).equals(content.subarray(10, 200_010))).toBe(true);
    } finally {
      await fh.close();
    }
  });

  it('falls back to read and send where the OS sendfile refuses the file, unless fallback is false', async () => {
    // sendfile(2) cannot read from a socket; read(2) can.
    using source = pair(SOCK_STREAM);
    await sock_sendall(source[0], Buffer.from('from a socket, not a file'));
    using p = pair(SOCK_STREAM);
    await expect(sock_sendfile(p[0], source[1].fileno(), 0, 6, { fallback: false })).rejects.toBeInstanceOf(SendfileNotAvailableError);
    expect(await sock_sendfile(p[0], source[1].fileno(), 0, 6)).toBe(6);
    expect((await sock_recv(p[1], 100)).toString()).toBe('from a');
    expect((await sock_recv(source[1], 100)).toString()).toBe(' socket, not a file');
  });

  it('only stream sockets', async () => {
    using p = pair(SOCK_DGRAM);
    await expect(sock_sendfile(p[0], 0)).rejects.toThrow(new RangeError('only SOCK_STREAM type sockets are supported'));
  });
});

describe('sendfile(transport, ...): a file through a stream transport', () => {
  const dir = tempDir();
  afterAll(() => dir[Symbol.dispose]());
  const file = path.join(dir.path, 'data');
  // Larger than the socket buffers: the OS sendfile waits for room many times.
  const content = Buffer.alloc(2_000_000);
  for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 11)) & 0xff;
  fs.writeFileSync(file, content);

  // Each side: a server whose protocol writes a header, then sends the file (its arguments
  // after the file) and closes; the client reads to the end. [sent, the file's position,
  // what arrived after the header: its length and sha1], or the error.
  const cases: Record<string, [py: string, offset: number, count: number | null]> = {
    whole: ['', 0, null],
    'offset and count': ['1000, 500000', 1000, 500000],
    'past the end': [`${content.length + 5}`, content.length + 5, null],
    'count 0': ['0, 0', 0, 0],
  };
  const py = python(
    String.raw`
import asyncio, hashlib
def through_transport(path, *args):
    async def main():
        loop = asyncio.get_running_loop()
        result = loop.create_future()
        class Sender(asyncio.Protocol):
            def connection_made(self, t):
                async def go():
                    t.write(b'HEADER')
                    with open(path, 'rb') as f:
                        try:
                            n = await loop.sendfile(t, f, *args)
                            result.set_result([n, f.tell()])
                        except Exception as e:
                            result.set_exception(e)
                    t.close()
                asyncio.ensure_future(go())
        srv = await loop.create_server(Sender, '127.0.0.1', 0)
        r, w = await asyncio.open_connection('127.0.0.1', srv.sockets[0].getsockname()[1])
        data = await r.read()
        w.close()
        srv.close()
        assert data.startswith(b'HEADER')
        return (await result) + [len(data) - 6, hashlib.sha1(data[6:]).hexdigest()]
    return asyncio.run(main())
`,
    Object.fromEntries(Object.entries(cases).map(([name, [args]]) => [name, `through_transport(${JSON.stringify(file)}${args === '' ? '' : `, ${args}`})`])),
  );

  /**
   * A server whose protocol writes a header, then runs `send` on its transport, then closes; the
   * client, made by `connect` (open_connection's by default), reads to the end. [what `send` gave
   * or threw, what the client read after the header, the flow control calls the protocol saw].
   */
  async function served(send: (t: Transport) => Promise<unknown>, reader?: (port: number) => Promise<Buffer>): Promise<[unknown, Buffer, string[]]> {
    let result!: Promise<unknown>;
    const flow: string[] = [];
    class Sender extends Protocol {
      override connection_made(t: Transport): void {
        t.write(Buffer.from('HEADER'));
        result = send(t).then((v) => v, (e: unknown) => e).finally(() => t.close());
      }
      override pause_writing(): void {
        flow.push('pause');
      }
      override resume_writing(): void {
        flow.push('resume');
      }
    }
    const server = await create_server(() => new Sender(), '127.0.0.1', 0);
    const port = (server.sockets[0]!.getsockname() as [string, number])[1];
    const read = async (): Promise<Buffer> => {
      const [r, w] = await open_connection('127.0.0.1', port);
      const data = await r.read(-1);
      w.close();
      return data;
    };
    const data = await (reader ?? read)(port);
    server.close();
    await server.wait_closed();
    expect(data.subarray(0, 6).toString()).toBe('HEADER');
    return [await result, data.subarray(6), flow];
  }

  /** A FIFO (which the OS sendfile refuses) holding the first 60,000 bytes of the content: [its read end, its write end, the bytes]. */
  function filledFifo(name: string): [read: number, write: number, bytes: Buffer] {
    const fifo = path.join(dir.path, name);
    expect(runSync('mkfifo', [fifo]).status).toBe(0);
    const rfd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const wfd = fs.openSync(fifo, fs.constants.O_WRONLY);
    const bytes = content.subarray(0, 60_000);
    expect(fs.writeSync(wfd, bytes)).toBe(bytes.length);
    return [rfd, wfd, bytes];
  }

  /** A client with a small receive buffer that reads nothing until `start` resolves, then all: the server's socket fills meanwhile. */
  function lateReader(start: () => Promise<void>): (port: number) => Promise<Buffer> {
    return async (port) => {
      const c = socket(AF_INET, SOCK_STREAM);
      c.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
      c.setblocking(false);
      await sock_connect(c, ['127.0.0.1', port]);
      await start();
      const parts: Buffer[] = [];
      for (let d = await sock_recv(c, 65536); d.length > 0; d = await sock_recv(c, 65536)) parts.push(d);
      c.close();
      return Buffer.concat(parts);
    };
  }

  it.each(Object.keys(cases))("%s: bytes sent, what arrives after what was written before, the file position and the errors are asyncio's", async (name) => {
    const [, offset, count] = cases[name]!;
    const fd = fs.openSync(file, 'r');
    try {
      const r = await outcomeAsync(async () => {
        const [n, data] = await served((t) => sendfile(t, fd, offset, count).then((sent) => [sent, position(fd)]));
        if (n instanceof Error) throw n;
        return [...(n as unknown[]), data.length, sha1(data)];
      });
      expect(r).toEqual(expected(py[name]!));
    } finally {
      fs.closeSync(fd);
    }
  });

  it("falls back to reading and writing through the transport (a FIFO, which the OS sendfile refuses), holding back while the transport's writing is paused; the protocol hears of no flow control meanwhile", async () => {
    const [rfd, wfd, piped] = filledFifo('fifo');
    // The largest write buffer any write of the fallback left.
    let peak = 0;
    const slowReader = lateReader(() => new Promise((r) => setTimeout(r, 100)));
    try {
      const [n, data, flow] = await served(async (t) => {
        t.get_extra_info('socket')!.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
        t.set_write_buffer_limits(2000, 1000);
        const write = t.write.bind(t);
        t.write = (b: Uint8Array): void => {
          write(b);
          peak = Math.max(peak, t.get_write_buffer_size());
        };
        return sendfile(t, rfd, 0, piped.length);
      }, slowReader);
      expect(n).toBe(piped.length);
      expect(data.equals(piped)).toBe(true);
      // Nothing while the file went out; then, if the transport was still paused when sendfile
      // returned, the protocol is told so (it must hold its own writes back), and of the resume.
      expect([[], ['pause', 'resume']]).toContainEqual(flow);
    } finally {
      fs.closeSync(rfd);
      fs.closeSync(wfd);
    }
    // The socket filled (writes were kept), yet a block (16 KiB) was written only once the buffer was down to the low-water mark.
    expect(peak).toBeGreaterThan(2000);
    expect(peak).toBeLessThanOrEqual(1000 + 16 * 1024);
  });

  it('an abort stops the fallback while it waits for a reader that does not read: AbortError, and the transport still works', async () => {
    const [rfd, wfd, piped] = filledFifo('fifo-abort');
    const stop = new AbortController();
    // The client reads nothing until the server has given up (aborted 100 ms in), then everything.
    let gaveUp!: () => void;
    const givenUp = new Promise<void>((r) => (gaveUp = r));
    const reader = lateReader(() => {
      setTimeout(() => stop.abort(), 100);
      return givenUp;
    });
    try {
      const [outcome, data] = await served(async (t) => {
        t.get_extra_info('socket')!.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
        t.set_write_buffer_limits(2000, 1000);
        try {
          return await sendfile(t, rfd, 0, piped.length, { signal: stop.signal });
        } catch (e) {
          // What was written before the abort still goes out, then the end.
          t.write(Buffer.from('TAIL'));
          throw e;
        } finally {
          gaveUp();
        }
      }, reader);
      expect(outcome).toBeInstanceOf(AbortError);
      expect(data.length).toBeLessThan(piped.length);
      expect(data.subarray(0, -4).equals(piped.subarray(0, data.length - 4))).toBe(true);
      expect(data.subarray(-4).toString()).toBe('TAIL');
    } finally {
      fs.closeSync(rfd);
      fs.closeSync(wfd);
    }
  });

  it("refuses a datagram transport and a closing one with asyncio's RuntimeError, and what is no transport with a TypeError", async () => {
    const [d] = await create_datagram_endpoint(() => new DatagramProtocol(), { local_addr: ['127.0.0.1', 0] });
    await expect(sendfile(d, 0)).rejects.toThrow(/^sendfile is not supported for transport <_SelectorDatagramTransport/);
    d.close();
    await expect(sendfile(d, 0)).rejects.toThrow(/^Transport is closing$/);
    await expect(sendfile({} as never, 0)).rejects.toThrow(TypeError);
  });
});
