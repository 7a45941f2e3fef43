// sock.makefile(): Python's io layering over real sockets, compared with
// python3 where the answer is Python's to give.
import { describe, expect, it } from 'vitest';
import {
  BlockingIOError,
  OSError,
  SHUT_WR,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_SNDBUF,
  TimeoutError,
  socket,
  socketpair,
} from 'bsdsock';
import { python } from './helpers/python';

const STREAM = 'a\r\nb\rc\nd\r\n\r\ne';
const modes = { none: 'None', empty: "''", lf: "'\\n'", cr: "'\\r'", crlf: "'\\r\\n'" } as const;
const jsNewline = { none: null, empty: '', lf: '\n', cr: '\r', crlf: '\r\n' } as const;

const py = python(
  `import socket
def lines(newline):
    a, b = socket.socketpair()
    a.sendall(${JSON.stringify(STREAM)}.encode())
    a.shutdown(socket.SHUT_WR)
    f = b.makefile('r', newline=newline)
    out = f.readlines()
    f.close(); a.close(); b.close()
    return out
def written(newline):
    a, b = socket.socketpair()
    f = a.makefile('w', newline=newline)
    f.write('x\\ny\\n'); f.flush(); f.close(); a.close()
    data = b.recv(100); b.close()
    return data`,
  {
    ...Object.fromEntries(Object.entries(modes).map(([k, v]) => [`read ${k}`, `lines(${v})`])),
    ...Object.fromEntries(Object.entries(modes).map(([k, v]) => [`write ${k}`, `written(${v})`])),
    badMode: `socket.socket().makefile('rx')`,
    unbufferedText: `socket.socket().makefile('r', 0)`,
  },
);

function value(name: string): unknown {
  const out = py[name];
  if (out === undefined || !('value' in out)) throw new Error(`python3 failed on ${name}: ${JSON.stringify(out)}`);
  return out.value;
}

function pair() {
  const [a, b] = socketpair();
  return { a, b, [Symbol.dispose]: () => (a.close(), b.close()) };
}

describe('makefile text mode and newlines, as Python', () => {
  for (const key of Object.keys(modes) as (keyof typeof modes)[]) {
    it(`readlines() with newline=${modes[key]}`, () => {
      using p = pair();
      p.a.sendall(Buffer.from(STREAM));
      p.a.shutdown(SHUT_WR);
      const f = p.b.makefile('r', null, { newline: jsNewline[key] });
      expect(f.readlines()).toEqual(value(`read ${key}`));
      f.close();
    });

    it(`write() with newline=${modes[key]}`, () => {
      using p = pair();
      const f = p.a.makefile('w', null, { newline: jsNewline[key] });
      f.write('x\ny\n');
      f.flush();
      f.close();
      expect({ hex: p.b.recv(100).toString('hex') }).toEqual(value(`write ${key}`));
    });
  }

  it("rejects modes other than r, w, b with Python's message", () => {
    using s = socket();
    const want = py.badMode as { error: string; message: string };
    expect(want.error).toBe('ValueError');
    expect(() => s.makefile('rx' as 'r')).toThrow(new RangeError(want.message));
  });

  it('unbuffered streams must be binary', () => {
    using s = socket();
    const want = py.unbufferedText as { error: string; message: string };
    expect(() => s.makefile('r', 0)).toThrow(new RangeError(want.message));
  });
});

describe('makefile binary mode', () => {
  it("the talk's request-response: the client shuts down its write end, the server reads to EOF", () => {
    using server = socket();
    server.bind(['127.0.0.1', 0]);
    server.listen();
    using client = socket();
    client.connect(server.getsockname());
    const [conn] = server.accept();
    client.send(Buffer.from('request'));
    client.shutdown(SHUT_WR);
    const fp = conn.makefile('rwb');
    expect(fp.read(4096)).toEqual(Buffer.from('request'));
    expect(fp.write(Buffer.from('response'))).toBe(8);
    fp.flush();
    fp.close();
    conn.close();
    expect(client.recv(4096)).toEqual(Buffer.from('response'));
    expect(client.recv(4096)).toEqual(Buffer.alloc(0));
  });

  it('read(n), read1, peek, readline(limit), readinto and iteration', () => {
    using p = pair();
    p.a.sendall(Buffer.from('first\nsecond\nthird'));
    p.a.shutdown(SHUT_WR);
    const f = p.b.makefile('rb');
    expect(f.peek().subarray(0, 5)).toEqual(Buffer.from('first'));
    expect(f.read(3)).toEqual(Buffer.from('fir'));
    expect(f.readline(2)).toEqual(Buffer.from('st'));
    expect(f.readline()).toEqual(Buffer.from('\n'));
    const into = Buffer.alloc(4);
    expect(f.readinto(into)).toBe(4);
    expect(into).toEqual(Buffer.from('seco'));
    expect([...f]).toEqual([Buffer.from('nd\n'), Buffer.from('third')]);
    expect(f.read()).toEqual(Buffer.alloc(0));
    expect(f.read1()).toEqual(Buffer.alloc(0));
    f.close();
  });

  it('the fd stays open until the socket and every file made from it are closed', () => {
    const [a, b] = socketpair();
    const fd = a.fileno();
    const f = a.makefile('wb');
    a.close();
    expect(a.fileno()).toBe(fd);
    expect(String(a)).toContain('[closed]');
    f.write(Buffer.from('still open'));
    f.close();
    expect(a.fileno()).toBe(-1);
    expect(b.recv(100)).toEqual(Buffer.from('still open'));
    expect(b.recv(100)).toEqual(Buffer.alloc(0));
    b.close();
  });
});

describe('makefile in non-blocking and timeout modes, as Python', () => {
  it('non-blocking reads: read() gives null, read1() and readline() give what there is', () => {
    using p = pair();
    p.b.setblocking(false);
    const f = p.b.makefile('rb');
    expect(f.read()).toBeNull();
    expect(f.read(10)).toBeNull();
    expect(f.read1(10)).toEqual(Buffer.alloc(0));
    p.a.send(Buffer.from('part'));
    expect(f.readline()).toEqual(Buffer.from('part'));
    const raw = p.b.makefile('rb', 0);
    expect(raw.readinto(Buffer.alloc(4))).toBeNull();
    raw.close();
    f.close();
  });

  it("a text read of everything without blocking throws BlockingIOError ('Read returned None.')", () => {
    using p = pair();
    p.b.setblocking(false);
    const f = p.b.makefile('r');
    expect(() => f.read()).toThrow(BlockingIOError);
    f.close();
  });

  it('a timeout poisons the raw object: later reads fail with "cannot read from timed out object"', () => {
    using p = pair();
    p.b.settimeout(0.05);
    const raw = p.b.makefile('rb', 0);
    expect(() => raw.readinto(Buffer.alloc(4))).toThrow(TimeoutError);
    p.a.send(Buffer.from('late'));
    expect(() => raw.readinto(Buffer.alloc(4))).toThrow(new OSError('cannot read from timed out object'));
    raw.close();
  });

  it('a full non-blocking buffered write throws BlockingIOError with characters_written', () => {
    using p = pair();
    p.a.setsockopt(SOL_SOCKET, SO_SNDBUF, 4096);
    p.b.setsockopt(SOL_SOCKET, SO_RCVBUF, 4096);
    p.a.setblocking(false);
    const f = p.a.makefile('wb', 1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let err: unknown = null;
    let total = 0;
    for (let i = 0; i < 64 && err === null; i++) {
      try {
        total += f.write(chunk);
      } catch (e) {
        err = e;
      }
    }
    expect(err).toBeInstanceOf(BlockingIOError);
    const written = (err as BlockingIOError).characters_written ?? -1;
    expect(written).toBeGreaterThanOrEqual(0);
    expect(written).toBeLessThanOrEqual(chunk.length);
    // Every byte the file took (whole writes plus characters_written) arrives once
    // the reader drains the socket and the buffer is flushed.
    const accepted = total + written;
    p.b.setblocking(false);
    let received = 0;
    for (;;) {
      try {
        received += p.b.recv(1 << 20).length;
      } catch (e) {
        if (!(e instanceof BlockingIOError)) throw e;
        try {
          f.flush();
          break;
        } catch (again) {
          if (!(again instanceof BlockingIOError)) throw again;
        }
      }
    }
    p.b.setblocking(true);
    p.a.shutdown(SHUT_WR);
    for (let chunk2 = p.b.recv(1 << 20); chunk2.length > 0; chunk2 = p.b.recv(1 << 20)) received += chunk2.length;
    expect(received).toBe(accepted);
    f.close();
  });
});
