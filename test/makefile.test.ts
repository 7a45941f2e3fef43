// sock.makefile(): Python's io layering over real sockets, compared with
// python3 where the answer is Python's to give.
import { describe, expect, it } from 'vitest';
import {
  AF_UNIX,
  BlockingIOError,
  OSError,
  SHUT_WR,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_SNDBUF,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SocketIO,
  TimeoutError,
  socket,
  socketpair,
} from 'bsdsock';
import { expected, outcome, python } from './helpers/python';
import { combinations, differences, pyCall, type PoolValue } from './helpers/pool';
import { thrown } from './helpers/sockets';

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

/** The Python side's outcome(f): f's value, or 'Class: message'. */
const PY_OUTCOME = `def outcome(f):
    try: return f()
    except Exception as e: return type(e).__name__ + ': ' + str(e)`;

/** What a call gives, as the Python side's outcome() shows it: the value (bytes as { hex }, nothing as null) or 'Class: message'. */
function failed(f: () => unknown): unknown {
  try {
    const v = f();
    return v instanceof Uint8Array ? { hex: Buffer.from(v).toString('hex') } : (v ?? null);
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
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

  it.each([-1, 0])("read(2 ** 62) with buffering=%s is Python's MemoryError (an OSError here) and loses nothing", (buffering) => {
    using p = pair();
    p.a.sendall(Buffer.from('hello'));
    p.a.shutdown(SHUT_WR);
    const f = p.b.makefile('rb', buffering);
    const e = thrown(() => f.read(2 ** 62));
    expect(e).toBeInstanceOf(OSError);
    expect((e as Error).message).toBe('Cannot allocate memory');
    expect(f.read()).toEqual(Buffer.from('hello'));
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

  it("a socket closed while a file holds its fd: repr says [closed] and no addresses, as Python's", () => {
    const name = `\0bsdsock-repr-${process.pid}`;
    const want = python('import os, socket', {
      closed: `a, b = socket.socketpair(); b.bind(${JSON.stringify(name)}); f = a.makefile('wb'); a.close(); r = repr(a).replace(str(a.fileno()), 'FD'); f.close(); b.close(); r`,
    }).closed;
    const [a, b] = socketpair();
    b.bind(name);
    const f = a.makefile('wb');
    expect(String(a)).toContain('raddr=');
    a.close();
    expect({ value: String(a).replace(String(a.fileno()), 'FD') }).toEqual(want);
    f.close();
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

  it("reads that meet a non-blocking socket's None fail as CPython 3.11's: text read(), a raw file's readline()", () => {
    const none = python(
      String.raw`import socket
${PY_OUTCOME}
def text(encoding):
    a, b = socket.socketpair(); a.setblocking(False)
    f = a.makefile('r', encoding=encoding)
    first = outcome(f.read)
    b.send(b'ab\ncd')
    out = [first, f.readline(), outcome(f.read), f.read(2)]
    f.close(); a.close(); b.close()
    return out
def raw():
    a, b = socket.socketpair(); a.setblocking(False)
    f = a.makefile('rb', 0)
    first = outcome(f.readline)
    b.send(b'ab')
    out = [first, outcome(f.readline), f.readline(0), outcome(f.readlines), f.read()]
    f.close(); a.close(); b.close()
    return out`,
      { utf8: `text('utf-8')`, latin1: `text('latin-1')`, raw: 'raw()' },
    );
    for (const encoding of ['utf-8', 'latin-1']) {
      using p = pair();
      p.a.setblocking(false);
      const f = p.a.makefile('r', { encoding });
      const first = failed(() => f.read());
      p.b.send(Buffer.from('ab\ncd'));
      const out = [first, f.readline(), failed(() => f.read()), f.read(2)];
      f.close();
      expect(out).toEqual((none[encoding.replace('-', '')] as { value: unknown }).value);
    }
    using p = pair();
    p.a.setblocking(false);
    const f = p.a.makefile('rb', 0);
    const first = failed(() => f.readline());
    p.b.send(Buffer.from('ab'));
    const out = [first, failed(() => f.readline()), failed(() => f.readline(0)), failed(() => f.readlines()), failed(() => f.read())];
    f.close();
    expect(out).toEqual((none.raw as { value: unknown }).value);
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

// The attributes of every kind of file makefile() returns, before and after close(),
// each described the same way on both sides: a value, 'fd' for the socket's fd,
// 'AttributeError' for a name the object lacks, or 'Class: message' for an error
// (a RangeError is Python's ValueError).
const KINDS: [mode: string, buffering: number | null][] = [
  ['rb', null], ['wb', null], ['rwb', null], ['r', null], ['w', null], ['rw', null], ['rb', 0], ['wb', 0], ['rwb', 0],
];
const ATTRIBUTES = ['mode', 'name', 'closed', 'encoding', 'errors', 'newlines', 'line_buffering', 'write_through'];
const CALLS = ['readable', 'writable', 'seekable', 'isatty', 'fileno', 'seek', 'tell', 'truncate', 'flush'];

const described = python(
  String.raw`import socket
ATTRIBUTES = ${JSON.stringify(ATTRIBUTES)}
CALLS = ${JSON.stringify(CALLS)}
def show(f, fd, name):
    try:
        v = getattr(f, name)
        if callable(v): v = v(0) if name == 'seek' else v()
    except AttributeError: return 'AttributeError'
    except Exception as e: return type(e).__name__ + ': ' + str(e)
    return 'fd' if v is not True and v is not False and v == fd else v
def describe(mode, buffering):
    a, b = socket.socketpair()
    f = a.makefile(mode, buffering)
    fd = a.fileno()
    out = {'type': type(f).__name__}
    for n in ATTRIBUTES + CALLS: out[n] = show(f, fd, n)
    for n in ('raw', 'buffer'):
        inner = getattr(f, n, None)
        out[n] = type(inner).__name__ if inner is not None else 'AttributeError'
    out['raw.mode'] = f.raw.mode if hasattr(f, 'raw') else 'AttributeError'
    f.close()
    for n in ATTRIBUTES + CALLS: out['closed ' + n] = show(f, fd, n)
    a.close(); b.close()
    return out`,
  Object.fromEntries(KINDS.map(([m, b]) => [`${m} ${b}`, `describe(${JSON.stringify(m)}, ${b === null ? 'None' : b})`])),
);

/** One attribute or call of a file, described as the Python side describes it. */
function show(f: Record<string, unknown>, fd: number, name: string): unknown {
  let v: unknown;
  try {
    v = f[name];
    if (v === undefined) return 'AttributeError';
    if (typeof v === 'function') v = name === 'seek' ? (v as (n: number) => unknown).call(f, 0) : (v as () => unknown).call(f);
  } catch (e) {
    const cls = e instanceof RangeError ? 'ValueError' : (e as Error).constructor.name;
    return `${cls}: ${(e as Error).message}`;
  }
  if (v === undefined) return null;
  return typeof v !== 'boolean' && v === fd ? 'fd' : v;
}

describe("makefile objects have CPython's attributes", () => {
  for (const [mode, buffering] of KINDS) {
    it(`makefile(${JSON.stringify(mode)}, ${buffering})`, () => {
      using p = pair();
      const fd = p.a.fileno();
      const f = p.a.makefile(mode, buffering) as unknown as Record<string, unknown> & { close(): void };
      const out: Record<string, unknown> = { type: f.constructor.name };
      for (const n of [...ATTRIBUTES, ...CALLS]) out[n] = show(f, fd, n);
      for (const n of ['raw', 'buffer']) out[n] = f[n] === undefined ? 'AttributeError' : (f[n] as object).constructor.name;
      out['raw.mode'] = f.raw === undefined ? 'AttributeError' : (f.raw as { mode: string }).mode;
      f.close();
      for (const n of [...ATTRIBUTES, ...CALLS]) out[`closed ${n}`] = show(f, fd, n);
      expect(out).toEqual((described[`${mode} ${buffering}`] as { value: unknown }).value);
    });
  }

  it('newlines: the line endings a text reader has seen, as Python', () => {
    const seen = python(
      `import socket
def seen(newline, data):
    a, b = socket.socketpair()
    a.sendall(data); a.shutdown(socket.SHUT_WR)
    f = b.makefile('r', newline=newline)
    out = [f.newlines, f.readline(), f.newlines]
    f.read()
    out.append(f.newlines)
    f.close(); a.close(); b.close()
    return out`,
      {
        none: `seen(None, b'a\\r\\nb\\rc\\nd')`,
        empty: `seen('', b'a\\nb\\r')`,
        lf: `seen('\\n', b'a\\r\\nb')`,
        crlfOnly: `seen(None, b'a\\r\\nb\\r\\n')`,
      },
    );
    const cases = { none: [null, 'a\r\nb\rc\nd'], empty: ['', 'a\nb\r'], lf: ['\n', 'a\r\nb'], crlfOnly: [null, 'a\r\nb\r\n'] } as const;
    for (const [key, [newline, data]] of Object.entries(cases)) {
      using p = pair();
      p.a.sendall(Buffer.from(data));
      p.a.shutdown(SHUT_WR);
      const f = p.b.makefile('r', { newline });
      const out: unknown[] = [f.newlines, f.readline(), f.newlines];
      f.read();
      out.push(f.newlines);
      f.close();
      expect([key, out]).toEqual([key, (seen[key] as { value: unknown }).value]);
    }
  });

  it('an options object may follow the mode alone, as Python\'s keywords', () => {
    using p = pair();
    const f = p.a.makefile('r', { encoding: 'latin-1', errors: 'replace' });
    expect([f.encoding, f.errors, f.mode]).toEqual(['latin-1', 'replace', 'r']);
    f.close();
    const g = p.a.makefile({ encoding: 'utf-8' });
    expect([g.encoding, g.mode]).toEqual(['utf-8', 'r']);
    g.close();
    const h = p.a.makefile('w', null, { newline: '\r\n' });
    h.write('x\n');
    h.close();
    expect(p.b.recv(10)).toEqual(Buffer.from('x\r\n'));
  });

  it('a keyword-only argument given by position is a TypeError, as Python', () => {
    const py = python('import socket', { extra: `socket.socket().makefile('r', None, 'utf-8')` });
    using s = socket();
    const want = py.extra as { error: string; message: string };
    expect(want.error).toBe('TypeError');
    expect(() => (s.makefile as (...a: unknown[]) => unknown)('r', null, 'utf-8')).toThrow(new TypeError(want.message));
  });
});

// Every read and write call on every kind of file, open and then closed, on a
// socket whose peer has shut down writing (reads see EOF): each described as
// 'value' or 'Class: message' on both sides.
const FILE_CALLS: [name: string, arg: 'none' | 'zero' | 'five' | 'buffer' | 'data' | 'list'][] = [
  ['read', 'none'], ['read', 'zero'], ['read', 'five'], ['readline', 'none'], ['readline', 'zero'], ['readlines', 'none'],
  ['read1', 'none'], ['readinto', 'buffer'], ['readinto1', 'buffer'], ['peek', 'none'], ['write', 'data'], ['writelines', 'list'],
  ['flush', 'none'],
];
const FILE_KINDS: [mode: string, buffering: number | null][] = [...KINDS, ['rb', 16]];

const calls = python(
  String.raw`import socket
CALLS = ${JSON.stringify(FILE_CALLS)}
def args(kind, binary):
    return {'none': (), 'zero': (0,), 'five': (5,), 'buffer': (bytearray(2),), 'data': (b'x' if binary else 'x',), 'list': ([],)}[kind]
def call(f, name, kind, binary):
    m = getattr(f, name, None)
    if m is None: return 'AttributeError'
    try: v = m(*args(kind, binary))
    except Exception as e: return type(e).__name__ + ': ' + str(e)
    if isinstance(v, (bytes, bytearray)): return 'b' + bytes(v).hex()
    if isinstance(v, list): return 'list ' + str(len(v))
    return v
def every(mode, buffering):
    a, b = socket.socketpair()
    b.shutdown(socket.SHUT_WR)
    f = a.makefile(mode, buffering)
    binary = 'b' in mode
    out = [call(f, n, k, binary) for n, k in CALLS]
    f.close()
    out += [call(f, n, k, binary) for n, k in CALLS]
    a.close(); b.close()
    return out`,
  Object.fromEntries(FILE_KINDS.map(([m, b]) => [`${m} ${b}`, `every(${JSON.stringify(m)}, ${b === null ? 'None' : b})`])),
);

function callFile(f: Record<string, unknown>, name: string, kind: (typeof FILE_CALLS)[number][1], binary: boolean): unknown {
  const m = f[name];
  if (typeof m !== 'function') return 'AttributeError';
  const args = { none: [], zero: [0], five: [5], buffer: [Buffer.alloc(2)], data: [binary ? Buffer.from('x') : 'x'], list: [[]] }[kind];
  let v: unknown;
  try {
    v = (m as (...a: unknown[]) => unknown).apply(f, args);
  } catch (e) {
    const cls = e instanceof RangeError ? 'ValueError' : (e as Error).constructor.name;
    return `${cls}: ${(e as Error).message}`;
  }
  if (v instanceof Uint8Array) return `b${Buffer.from(v).toString('hex')}`;
  if (Array.isArray(v)) return `list ${v.length}`;
  return v === undefined ? null : v;
}

describe('read and write calls on every kind of file, open and closed, as Python', () => {
  for (const [mode, buffering] of FILE_KINDS) {
    it(`makefile(${JSON.stringify(mode)}, ${buffering})`, () => {
      using p = pair();
      p.b.shutdown(SHUT_WR);
      const f = p.a.makefile(mode, buffering) as unknown as Record<string, unknown> & { close(): void };
      const binary = mode.includes('b');
      const out = FILE_CALLS.map(([n, k]) => callFile(f, n, k, binary));
      f.close();
      out.push(...FILE_CALLS.map(([n, k]) => callFile(f, n, k, binary)));
      const want = (calls[`${mode} ${buffering}`] as { value: unknown[] }).value;
      const named = (v: unknown, i: number) => [`${i < FILE_CALLS.length ? '' : 'closed '}${FILE_CALLS[i % FILE_CALLS.length]!.join(' ')}`, v];
      expect(out.map(named)).toEqual(want.map(named));
    });
  }
});

describe("a text file holds what it writes as CPython's TextIOWrapper (pending_bytes)", () => {
  // What the peer has after each step ('' for nothing), or the step's error.
  const STEPS = [
    `f.write('hello')`, 'peer()', `f.write('x' * 8190)`, 'peer()', `f.write('yyy')`, 'peer()', `f.write('z' * 9000)`, 'peer()',
    `f.write('abc')`, 'f.read(0)', 'peer()', `f.write('def')`, 'f.flush()', 'peer()', `f.write('ghi')`, 'f.close()', 'peer()',
  ];
  const held = python(
    String.raw`import socket
${PY_OUTCOME}
def run(steps, buffering):
    a, b = socket.socketpair(); b.setblocking(False)
    f = a.makefile('rw', buffering)
    def peer():
        try: return len(b.recv(100000))
        except BlockingIOError: return 0
    env = {'f': f, 'peer': peer}
    out = [outcome(lambda: eval(s, env)) for s in steps]
    a.close(); b.close()
    return out
def refused(kind):
    a, b = socket.socketpair(socket.AF_UNIX, kind); b.close()
    f = a.makefile('w')
    out = [f.write('q'), outcome(f.close), f.closed]
    a.close()
    return out + [outcome(lambda: a.send(b'x'))]`,
    {
      ...Object.fromEntries([1, 4, null].map((n) => [`buffering ${n}`, `run(${JSON.stringify(STEPS)}, ${n ?? 'None'})`])),
      dgram: 'refused(socket.SOCK_DGRAM)',
      stream: 'refused(socket.SOCK_STREAM)',
    },
  );

  for (const buffering of [1, 4, null]) {
    it(`writes, a read, flush() and close() with buffering=${buffering}`, () => {
      using p = pair();
      p.b.setblocking(false);
      const f = p.a.makefile('rw', buffering);
      const run: Record<string, () => unknown> = {
        'peer()': () => {
          try {
            return p.b.recv(100000).length;
          } catch (e) {
            if (e instanceof BlockingIOError) return 0;
            throw e;
          }
        },
        'f.read(0)': () => f.read(0),
        'f.flush()': () => f.flush(),
        'f.close()': () => f.close(),
      };
      const out = STEPS.map((step) => {
        const write = /^f\.write\('(\w+)'(?: \* (\d+))?\)$/.exec(step);
        return failed(write ? () => f.write(write[1]!.repeat(Number(write[2] ?? 1))) : run[step]!);
      });
      expect(out).toEqual((held[`buffering ${buffering}`] as { value: unknown }).value);
    });
  }

  for (const [name, type] of [['dgram', SOCK_DGRAM], ['stream', SOCK_STREAM]] as const) {
    it(`close() after the peer went: the buffer's second flush raises, and the fd closes (${name})`, () => {
      const [a, b] = socketpair(AF_UNIX, type);
      b.close();
      const f = a.makefile('w');
      const out = [f.write('q'), failed(() => f.close()), f.closed];
      a.close();
      out.push(failed(() => a.send(Buffer.from('x'))));
      expect(out).toEqual((held[name] as { value: unknown }).value);
    });
  }
});

describe("the order of a read's checks, as CPython's", () => {
  const order = python(
    String.raw`import socket
${PY_OUTCOME}
def writer(op):
    s = socket.socket(); s.detach()
    f = s.makefile('w', 16)
    f.write('x' * 17)
    return [outcome(getattr(f, op)), outcome(getattr(f, op))]
def pair_readline():
    a, b = socket.socketpair(); a.setblocking(False)
    f = a.makefile('rwb')
    out = [outcome(f.readline)]
    b.send(b'ab\ncd')
    out += [f.readline(), f.readline(1), outcome(f.readline)]
    f.close(); a.close(); b.close()
    return out`,
    { read: `writer('read')`, readline: `writer('readline')`, pair: 'pair_readline()' },
  );

  for (const op of ['read', 'readline'] as const) {
    it(`a text writer's ${op}() on a detached socket: readline hands on its bytes before it says 'not readable'`, () => {
      const s = socket();
      s.detach();
      const f = s.makefile('w', 16);
      f.write('x'.repeat(17));
      expect([failed(() => f[op]()), failed(() => f[op]())]).toEqual((order[op] as { value: unknown }).value);
    });
  }

  it("a 'rwb' file's readline is io.IOBase's: peek, then read, whose None is an OSError", () => {
    using p = pair();
    p.a.setblocking(false);
    const f = p.a.makefile('rwb');
    const out = [failed(() => f.readline())];
    p.b.send(Buffer.from('ab\ncd'));
    out.push(failed(() => f.readline()), failed(() => f.readline(1)), failed(() => f.readline()));
    f.close();
    expect(out).toEqual((order.pair as { value: unknown }).value);
  });
});

describe("a buffered reader's raw reads have CPython's sizes, so a message socket's records are cut where CPython's are", () => {
  // Records of 100, 10, 50, 7 and 30 bytes; reads with buffering=16, the last two non-blocking.
  const READS = [100, 3, 20, 5, 40, 5];
  const cut = python(
    String.raw`import socket
${PY_OUTCOME}
def records(kind, reads):
    a, b = socket.socketpair(socket.AF_UNIX, kind)
    for n, c in ((100, b'a'), (10, b'b'), (50, b'c'), (7, b'd'), (30, b'e')): b.send(c * n)
    f = a.makefile('rb', 16)
    out = []
    for i, n in enumerate(reads):
        if i == len(reads) - 2: a.setblocking(False)
        out.append(outcome(lambda: f.read(n)))
    f.close(); a.close(); b.close()
    return out`,
    {
      seqpacket: `records(socket.SOCK_SEQPACKET, ${JSON.stringify(READS)})`,
      stream: `records(socket.SOCK_STREAM, ${JSON.stringify(READS)})`,
    },
  );

  for (const [name, type] of [['seqpacket', SOCK_SEQPACKET], ['stream', SOCK_STREAM]] as const) {
    it(`read(n) with buffering=16 on a ${name} pair`, () => {
      const [a, b] = socketpair(AF_UNIX, type);
      for (const [n, c] of [[100, 'a'], [10, 'b'], [50, 'c'], [7, 'd'], [30, 'e']] as const) b.send(Buffer.from(c.repeat(n)));
      const f = a.makefile('rb', 16);
      const out = READS.map((n, i) => {
        if (i === READS.length - 2) a.setblocking(false);
        return failed(() => f.read(n));
      });
      f.close();
      a.close();
      b.close();
      expect(out).toEqual((cut[name] as { value: unknown }).value);
    });
  }
});

describe('SocketIO, made by hand as socket.SocketIO(sock, mode)', () => {
  it("reads and writes bytes, keeps the socket open until closed, and checks its mode as Python", () => {
    const want = python(
      `import socket
def raw(mode):
    a, b = socket.socketpair()
    f = socket.SocketIO(a, mode)
    out = [f.mode, f.readable(), f.writable()]
    if f.writable():
        out.append(f.write(b'hello'))
        out.append(b.recv(10))
    if f.readable():
        b.sendall(b'world')
        out.append(f.read(10))
    a.close()
    out.append(a.fileno() != -1 and not f.closed)
    f.close(); b.close()
    return out`,
      { r: "raw('r')", wb: "raw('wb')", rwb: "raw('rwb')", bad: "raw('rt')", empty: "raw('')" },
    );
    for (const mode of ['r', 'wb', 'rwb', 'rt', '']) {
      const key = { r: 'r', wb: 'wb', rwb: 'rwb', rt: 'bad', '': 'empty' }[mode]!;
      const [a, b] = socketpair();
      let got: unknown;
      try {
        const f = new SocketIO(a, mode);
        const out: unknown[] = [f.mode, f.readable(), f.writable()];
        if (f.writable()) {
          out.push(f.write(Buffer.from('hello')));
          out.push({ hex: b.recv(10).toString('hex') });
        }
        if (f.readable()) {
          b.sendall(Buffer.from('world'));
          out.push({ hex: (f.read(10) as Buffer).toString('hex') });
        }
        a.close();
        // The file holds the fd: the socket's close leaves it open until the file closes.
        out.push(a.fileno() !== -1 && !f.closed);
        f.close();
        got = { value: out };
      } catch (e) {
        got = { error: e instanceof RangeError ? 'ValueError' : (e as Error).constructor.name, message: (e as Error).message, errno: null };
      } finally {
        a.close();
        b.close();
      }
      expect(got, mode).toEqual(want[key]);
    }
  });

  it('a first argument that is not a bsdsock socket is a TypeError', () => {
    expect(() => new SocketIO(5 as never, 'rb')).toThrow(new TypeError('SocketIO() argument 1 must be a bsdsock Socket, not int'));
  });
});

/** [what, Python's call on a fresh file whose socket has 'abc\ndef\n' to read (then end of file), the same call here]. */
type FileCall = [string, string, (f: Record<string, (...args: unknown[]) => unknown>) => unknown];
/** Sizes given as bigints, Python's ints of any size: within a C ssize_t, and past it either way. */
const BIG_SIZES: FileCall[] = [
  ['read(3n)', 'f.read(3)', (f) => f.read!(3n)],
  ['readline(3n)', 'f.readline(3)', (f) => f.readline!(3n)],
  ['read(2n ** 63n)', 'f.read(2 ** 63)', (f) => f.read!(2n ** 63n)],
  ['read(-(2n ** 70n))', 'f.read(-2 ** 70)', (f) => f.read!(-(2n ** 70n))],
  ['readline(2n ** 63n)', 'f.readline(2 ** 63)', (f) => f.readline!(2n ** 63n)],
  ['readline(-(2n ** 70n))', 'f.readline(-2 ** 70)', (f) => f.readline!(-(2n ** 70n))],
  ['readlines(2n ** 63n)', 'f.readlines(2 ** 63)', (f) => f.readlines!(2n ** 63n)],
];

const SIZE_ARGUMENTS: [mode: string, buffering: number | null, calls: FileCall[]][] = [
  ['rb', null, [
    ["read('x')", "f.read('x')", (f) => f.read!('x')],
    ['read(None)', 'f.read(None)', (f) => f.read!(null)],
    ['read(1.5)', 'f.read(1.5)', (f) => f.read!(1.5)],
    ['read(True)', 'f.read(True)', (f) => f.read!(true)],
    ["read1('x')", "f.read1('x')", (f) => f.read1!('x')],
    ['read1(None)', 'f.read1(None)', (f) => f.read1!(null)],
    ["peek('x')", "f.peek('x')", (f) => f.peek!('x')],
    ['peek(None)', 'f.peek(None)', (f) => f.peek!(null)],
    ["readline('x')", "f.readline('x')", (f) => f.readline!('x')],
    ['readline(None)', 'f.readline(None)', (f) => f.readline!(null)],
    ['readline(1.5)', 'f.readline(1.5)', (f) => f.readline!(1.5)],
    ["readlines('x')", "f.readlines('x')", (f) => f.readlines!('x')],
    ['readlines(None)', 'f.readlines(None)', (f) => f.readlines!(null)],
    ["readinto('x')", "f.readinto('x')", (f) => f.readinto!('x')],
    ["readinto1('x')", "f.readinto1('x')", (f) => f.readinto1!('x')],
    ['readinto(a buffer of 5)', 'readinto5(f)', (f) => { const b = Buffer.alloc(5); return [f.readinto!(b), b]; }],
    ...BIG_SIZES,
    ['read1(2n ** 63n)', 'f.read1(2 ** 63)', (f) => f.read1!(2n ** 63n)],
  ]],
  ['rb', 0, [
    ...BIG_SIZES,
    ["read('x')", "f.read('x')", (f) => f.read!('x')],
    ['read(None)', 'f.read(None)', (f) => f.read!(null)],
    ["readline('x')", "f.readline('x')", (f) => f.readline!('x')],
    ['readline(None)', 'f.readline(None)', (f) => f.readline!(null)],
    ["readlines('x')", "f.readlines('x')", (f) => f.readlines!('x')],
    ["readinto('x')", "f.readinto('x')", (f) => f.readinto!('x')],
  ]],
  ['rwb', null, [
    ["read('x')", "f.read('x')", (f) => f.read!('x')],
    ['read(None)', 'f.read(None)', (f) => f.read!(null)],
    ["readline('x')", "f.readline('x')", (f) => f.readline!('x')],
    ['read1(None)', 'f.read1(None)', (f) => f.read1!(null)],
    ["peek('x')", "f.peek('x')", (f) => f.peek!('x')],
    ["readinto('x')", "f.readinto('x')", (f) => f.readinto!('x')],
  ]],
  ['wb', null, [
    ['write(None)', 'f.write(None)', (f) => f.write!(null)],
    ['writelines(None)', 'f.writelines(None)', (f) => f.writelines!(null)],
    ["readline('x')", "f.readline('x')", (f) => f.readline!('x')],
    ['readline(0)', 'f.readline(0)', (f) => f.readline!(0)],
    ["readlines('x')", "f.readlines('x')", (f) => f.readlines!('x')],
  ]],
  ['w', null, [
    ['write(None)', 'f.write(None)', (f) => f.write!(null)],
    ["write(b'x')", "f.write(b'x')", (f) => f.write!(Buffer.from('x'))],
    ['writelines(None)', 'f.writelines(None)', (f) => f.writelines!(null)],
    ['writelines(5)', 'f.writelines(5)', (f) => f.writelines!(5)],
  ]],
  ['r', null, [
    ...BIG_SIZES,
    ["read('x')", "f.read('x')", (f) => f.read!('x')],
    ['read(None)', 'f.read(None)', (f) => f.read!(null)],
    ["readline('x')", "f.readline('x')", (f) => f.readline!('x')],
    ['readline(None)', 'f.readline(None)', (f) => f.readline!(null)],
    ["readlines('x')", "f.readlines('x')", (f) => f.readlines!('x')],
    ['readlines(None)', 'f.readlines(None)', (f) => f.readlines!(null)],
  ]],
];

describe("makefile files' arguments, as Python parses them", () => {
  const cases = SIZE_ARGUMENTS.flatMap(([mode, buffering, calls]) => calls.map(([what, py, js]) => [`${mode} ${buffering} ${what}`, mode, buffering, py, js] as const));
  const want = python(
    `import socket
def on_file(mode, buffering, call):
    a, b = socket.socketpair()
    try:
        b.sendall(b'abc\\ndef\\n'); b.close()
        f = a.makefile(mode, buffering)
        return call(f)
    finally:
        a.close()
def readinto5(f):
    b = bytearray(5)
    n = f.readinto(b)
    return [n, bytes(b)]`,
    Object.fromEntries(cases.map(([key, mode, buffering, py]) => [key, `on_file('${mode}', ${buffering ?? 'None'}, lambda f: ${py})`])),
  );
  it.each(cases)('%s', (key, mode, buffering, _py, js) => {
    const [a, b] = socketpair();
    try {
      b.sendall(Buffer.from('abc\ndef\n'));
      b.close();
      const f = a.makefile(mode as 'rb', buffering as null) as unknown as Record<string, (...args: unknown[]) => unknown>;
      expect(outcome(() => js(f))).toEqual(expected(want[key]!));
    } finally {
      a.close();
    }
  });
});

describe("makefile files' repr, as Python's (less its address)", () => {
  const KINDS_SHOWN: [string, number | null, string | null][] = [
    ['rb', 0, null],
    ['rb', null, null],
    ['wb', null, null],
    ['rwb', null, null],
    ['r', null, null],
    ['w', null, 'latin-1'],
    ['rw', null, null],
  ];
  const want = python(
    `import socket, re
def shown(mode, buffering, encoding):
    a, b = socket.socketpair()
    f = a.makefile(mode, buffering, encoding=encoding)
    fd = a.fileno()
    open_repr = re.sub(r' at 0x[0-9a-f]+', '', repr(f)).replace('name=%d' % fd, 'name=FD')
    f.close(); a.close(); b.close()
    return [open_repr, re.sub(r' at 0x[0-9a-f]+', '', repr(f))]`,
    Object.fromEntries(KINDS_SHOWN.map(([mode, buffering, encoding]) => [mode + buffering, `shown('${mode}', ${buffering ?? 'None'}, ${encoding === null ? 'None' : `'${encoding}'`})`])),
  );
  it.each(KINDS_SHOWN)('mode %s, buffering %s, encoding %s: open and closed', (mode, buffering, encoding) => {
    const [a, b] = socketpair();
    const f = a.makefile(mode as 'r', buffering as null, { encoding });
    const open = String(f).replace(`name=${a.fileno()}`, 'name=FD');
    f.close();
    a.close();
    b.close();
    expect({ value: [open, `${f}`] }).toEqual(want[mode + buffering]);
  });
});

describe('detach(), as Python: the file is of no more use, what it held goes on', () => {
  const OPS: [string, string, (f: Record<string, unknown> & Record<string, (...a: unknown[]) => unknown>, binary: boolean) => unknown][] = [
    ['repr', 'repr(f)', (f) => String(f)],
    ['closed', 'f.closed', (f) => f.closed],
    ['name', 'f.name', (f) => f.name],
    ['read', 'f.read(1)', (f) => f.read!(1)],
    ['write', "f.write(b'x' if binary else 'x')", (f, binary) => f.write!(binary ? Buffer.from('x') : 'x')],
    ['readable', 'f.readable()', (f) => f.readable!()],
    ['writable', 'f.writable()', (f) => f.writable!()],
    ['fileno', 'f.fileno()', (f) => f.fileno!()],
    ['flush', 'f.flush()', (f) => f.flush!()],
    ['close', 'f.close()', (f) => f.close!()],
    ['detach again', 'f.detach()', (f) => f.detach!()],
    ['readline', 'f.readline()', (f) => f.readline!()],
    ['seekable', 'f.seekable()', (f) => f.seekable!()],
    ['isatty', 'f.isatty()', (f) => f.isatty!()],
  ];
  const MODES = ['rb', 'wb', 'r', 'w', 'rwb'];
  const want = python(
    `import socket, re
def detached(mode):
    a, b = socket.socketpair()
    f = a.makefile(mode)
    if 'w' in mode and 'r' not in mode: f.write(b'held' if 'b' in mode else 'held')
    try:
        d = f.detach()
    except Exception as e:
        a.close(); b.close()
        return [type(e).__name__, str(e)]
    # What the file held was flushed; what detach() gave goes on, and so does the socket.
    b.setblocking(False)
    try: flushed = b.recv(10).decode()
    except BlockingIOError: flushed = ''
    out = [type(d).__name__, flushed, d.closed, a.fileno() >= 0, f.raw is None if hasattr(f, 'raw') else f.buffer is None]
    binary = 'b' in mode
    for op in ${JSON.stringify(OPS.map(([, py]) => py))}:
        try: r = eval(op)
        except Exception as e: r = type(e).__name__ + ': ' + str(e)
        out.append(re.sub(r' at 0x[0-9a-f]+', '', r) if isinstance(r, str) else r)
    d.close(); a.close(); b.close()
    return out`,
    Object.fromEntries(MODES.map((mode) => [mode, `detached('${mode}')`])),
  );
  it.each(MODES)('mode %s', (mode) => {
    const [a, b] = socketpair();
    const f = a.makefile(mode as 'rb') as unknown as Record<string, unknown> & Record<string, (...a: unknown[]) => unknown>;
    if (mode.includes('w') && !mode.includes('r')) f.write!(mode.includes('b') ? Buffer.from('held') : 'held');
    const out: unknown[] = [];
    try {
      const d = f.detach!() as { constructor: { name: string }; closed: boolean; close(): void };
      b.setblocking(false);
      let flushed = '';
      try {
        flushed = b.recv(10).toString();
      } catch {
        // Nothing was held.
      }
      out.push(d.constructor.name, flushed, d.closed, a.fileno() >= 0, ('raw' in f ? f.raw : f.buffer) === null);
      for (const [, , js] of OPS) {
        const r = outcome(() => js(f, mode.includes('b')));
        out.push('error' in r ? `${r.error === 'RangeError' ? 'ValueError' : r.error}: ${r.message}` : r.value);
      }
      d.close();
    } catch (e) {
      out.push((e as Error).constructor.name, (e as Error).message);
    } finally {
      a.close();
      b.close();
    }
    expect({ value: out }).toEqual(want[mode]);
  });
});

// A text file's encoding, errors and newline over pools of values (test/helpers/pool.ts), every
// combination, reading bytes with a CRLF, a CR, a two-byte character and an invalid byte, and
// writing text with a lone surrogate: each outcome (the attributes and the lines read, or the
// bytes the peer received) against python3's. The locale's default encoding is left out (None:
// Python's is the locale's, bsdsock's UTF-8).
describe("a text file's encoding, errors and newline over pools of values, as python3", () => {
  const ENCODINGS: PoolValue[] = ["'utf-8'", "'UTF8'", "'utf_8'", "'-UTF 8-'", "'utf.8'", "'latin-1'", "'iso-8859-1'", "'latin 1'", "'ascii'", "'us.ascii'", "'utf-16-le'", "'\u00dctf-8'", "'nope'", "''"]
    .map((l): PoolValue => [l, l.slice(1, -1)])
    .concat([['5', 5], ["b'utf-8'", Buffer.from('utf-8')]]);
  const ERRORS: PoolValue[] = [["'strict'", 'strict'], ["'ignore'", 'ignore'], ["'replace'", 'replace'], ["'nope'", 'nope'], ['5', 5], ['None', null]];
  const NEWLINES: PoolValue[] = [['None', null], ["''", ''], ["'\\n'", '\n'], ["'\\r'", '\r'], ["'\\r\\n'", '\r\n'], ["'x'", 'x'], ['5', 5]];
  const READ = Buffer.from('a\xe9\r\nb\rc\n\xffd', 'latin1');
  const TEXT = 'a\u00e9\nb\r\nc\udcff';
  const calls = (['read', 'write'] as const).flatMap((how) =>
    combinations([ENCODINGS, ERRORS, NEWLINES]).map((args) => ({ call: pyCall(how === 'read' ? 'rfile' : 'wfile', args), how, args })),
  );
  const want = python(
    `import socket
READ = ${JSON.stringify(READ.toString('latin1'))}.encode('latin-1')
def rfile(enc, err, nl):
    a, b = socket.socketpair()
    try:
        b.sendall(READ); b.close()
        f = a.makefile('r', encoding=enc, errors=err, newline=nl)
        return [f.encoding, f.errors, f.readlines()]
    finally:
        a.close()
def wfile(enc, err, nl):
    a, b = socket.socketpair()
    try:
        f = a.makefile('w', encoding=enc, errors=err, newline=nl)
        f.write(${JSON.stringify(TEXT)})
        f.flush()
        return [f.encoding, f.errors, b.recv(100)]
    finally:
        a.close(); b.close()`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  it(`${calls.length} files`, () => {
    const got = calls.map(({ how, args }) => {
      const [encoding, errors, newline] = args.map(([, v]) => v);
      return outcome(() => {
        const [a, b] = socketpair();
        try {
          if (how === 'read') {
            b.sendall(READ);
            b.close();
            const f = a.makefile('r', null, { encoding, errors, newline } as never);
            return [f.encoding, f.errors, f.readlines()];
          }
          const f = a.makefile('w', null, { encoding, errors, newline } as never);
          f.write(TEXT);
          f.flush();
          return [f.encoding, f.errors, b.recv(100)];
        } finally {
          a.close();
          b.close();
        }
      });
    });
    expect(differences(calls, want, (c) => got[calls.indexOf(c)]!)).toEqual([]);
  });
});
