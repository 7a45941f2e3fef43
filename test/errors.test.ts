// OSError as Python makes it, with python3 as the oracle: the constructor's
// forms (errno, strerror, filename, winerror, filename2), the subclass an errno
// picks, str(), args; then Node's address and port on the errors of calls
// given an address; then the Windows form ([WinError N]) in a child process
// that reports itself as win32.
import { constants } from 'node:os';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_UNIX, ConnectionRefusedError, gaierror, OSError, SOCK_DGRAM, SOCK_STREAM, socket } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';

import { encode, python } from './helpers/python';
import { ROOT } from './helpers/sockets';
import { runSync } from './helpers/run';

const E = constants.errno;

// Each case: Python's arguments, and the same in JS (bytes as Buffers, None as null).
const CASES: Record<string, [string, unknown[]]> = {
  'errno and strerror': ['2, "No such file"', [2, 'No such file']],
  'a filename': ['2, "No such file", "foo"', [2, 'No such file', 'foo']],
  'two filenames': ['2, "No such file", "foo", None, "bar"', [2, 'No such file', 'foo', null, 'bar']],
  'a winerror, ignored off Windows': ['2, "No such file", "foo", 5, "bar"', [2, 'No such file', 'foo', 5, 'bar']],
  'filename2 without a filename': ['2, "No such file", None, 5, "bar"', [2, 'No such file', null, 5, 'bar']],
  'an empty filename': ['1, "x", ""', [1, 'x', '']],
  'a filename with a quote': ['1, "x", "it\'s"', [1, 'x', "it's"]],
  'a bytes filename': ['1, "x", b"A\'\\x00\\n"', [1, 'x', Buffer.from("A'\0\n", 'latin1')]],
  'a number as filename': ['1, "x", 3', [1, 'x', 3]],
  'errno not a number': ['"a", "b", "c"', ['a', 'b', 'c']],
  'errno None': ['None, "x"', [null, 'x']],
  'strerror None': ['1, None', [1, null]],
  'ECONNREFUSED picks its subclass': [`${E.ECONNREFUSED}, "refused"`, [E.ECONNREFUSED, 'refused']],
  'EAGAIN picks BlockingIOError': [`${E.EAGAIN}, "again"`, [E.EAGAIN, 'again']],
  'ENOENT with filenames': [`${E.ENOENT}, "gone", "f", None, "g"`, [E.ENOENT, 'gone', 'f', null, 'g']],
  'ETIMEDOUT picks TimeoutError': [`${E.ETIMEDOUT}, "slow"`, [E.ETIMEDOUT, 'slow']],
  'EPIPE picks BrokenPipeError': [`${E.EPIPE}, "pipe"`, [E.EPIPE, 'pipe']],
  'one argument: no subclass': [`${E.ECONNREFUSED}`, [E.ECONNREFUSED]],
  'six arguments: a plain tuple': ['1, 2, 3, 4, 5, 6', [1, 2, 3, 4, 5, 6]],
  'no arguments': ['', []],
  'a message': ['"just text"', ['just text']],
};

/** What the oracle compares of an OSError. */
const FIELDS = '[type(e).__name__, str(e), e.errno, e.strerror, e.filename, e.filename2, list(e.args)]';

describe('new OSError(...) as Python\'s OSError(...)', () => {
  const cases = Object.fromEntries(Object.entries(CASES).map(([name, [args]]) => [name, `e = OSError(${args})\n${FIELDS}`]));
  const py = python('', cases);
  for (const [name, [, args]] of Object.entries(CASES)) {
    it(name, () => {
      const e = new OSError(...args);
      const ours = [e.constructor.name, e.message, e.errno, e.strerror, e.filename, e.filename2, e.args];
      expect({ value: encode(ours) }).toEqual(py[name]);
      expect(e).toBeInstanceOf(OSError);
      expect('winerror' in e).toBe(false);
    });
  }

  it('a subclass made directly keeps its class, whatever the errno (as Python)', () => {
    const py2 = python('', { sub: `e = ConnectionRefusedError(1, "x")\n${FIELDS}` });
    const e = new ConnectionRefusedError(1, 'x');
    expect({ value: encode([e.constructor.name, e.message, e.errno, e.strerror, e.filename, e.filename2, e.args]) }).toEqual(py2.sub);
  });
});

describe("Node's code on an OSError made with an errno", () => {
  it.each([
    [E.ECONNREFUSED, 'ECONNREFUSED', ConnectionRefusedError],
    [E.ENOENT, 'ENOENT', OSError],
    [E.EADDRINUSE, 'EADDRINUSE', OSError],
    [E.EAGAIN, 'EAGAIN', OSError],
  ])('new OSError(%i, ...) has code %s, as the errors bsdsock throws', (errno, code, cls) => {
    const e = new OSError(errno, 'text');
    expect(e).toBeInstanceOf(cls);
    expect(e.code).toBe(code);
  });

  it('a subclass made directly names its errno too', () => {
    expect(new ConnectionRefusedError(E.EPIPE, 'x').code).toBe('EPIPE');
  });

  it.each([
    ['one argument (no errno, as in Python)', [E.ECONNREFUSED]],
    ['a message', ['just text']],
    ['errno None', [null, 'x']],
    ['a number that is no errno', [1_000_000, 'x']],
    ['a negative number', [-3, 'x']],
  ])('%s: no code', (_name, args) => {
    expect(new OSError(...args).code).toBeUndefined();
  });

  it("a resolver error's code is not an errno's name", () => {
    expect(new gaierror(E.ENOENT, 'x').code).toBeUndefined();
  });
});

/** A port on 127.0.0.1 that was just bound and closed: nothing listens there. */
function closedPort(): number {
  using l = socket(AF_INET, SOCK_STREAM);
  l.bind(['127.0.0.1', 0]);
  return l.getsockname()[1];
}

describe("Node's address and port on the errors of calls given an address", () => {
  it('connect: refused', () => {
    using s = socket(AF_INET, SOCK_STREAM);
    const port = closedPort();
    let err: unknown;
    try {
      s.connect(['127.0.0.1', port]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConnectionRefusedError);
    expect(err).toMatchObject({ address: '127.0.0.1', port, code: 'ECONNREFUSED', syscall: 'connect' });
  });

  it('bind: an address in use', () => {
    using a = socket(AF_INET, SOCK_STREAM);
    using b = socket(AF_INET, SOCK_STREAM);
    a.bind(['127.0.0.1', 0]);
    a.listen();
    const port = a.getsockname()[1];
    expect(() => b.bind(['127.0.0.1', port])).toThrow(
      expect.objectContaining({ address: '127.0.0.1', port, code: 'EADDRINUSE', errno: E.EADDRINUSE }),
    );
  });

  it('sendto: a datagram too long', () => {
    using s = socket(AF_INET, SOCK_DGRAM);
    expect(() => s.sendto(Buffer.alloc(70_000), ['127.0.0.1', 9])).toThrow(
      expect.objectContaining({ address: '127.0.0.1', port: 9, code: 'EMSGSIZE', syscall: 'sendto' }),
    );
  });

  it('connect: an AF_UNIX path that does not exist gives the path', () => {
    const where = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-errors-')), 'absent');
    using s = socket(AF_UNIX, SOCK_STREAM);
    expect(() => s.connect(where)).toThrow(expect.objectContaining({ address: where, code: 'ENOENT' }));
    expect(() => s.connect(where)).toThrow(expect.not.objectContaining({ port: expect.anything() }));
  });

  it('asyncio sock_connect: refused, with "Connect call failed" as asyncio says', async () => {
    const port = closedPort();
    using s = socket(AF_INET, SOCK_STREAM);
    s.setblocking(false);
    const err = await asyncio.sock_connect(s, ['127.0.0.1', port]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectionRefusedError);
    expect(err).toMatchObject({
      address: '127.0.0.1',
      port,
      message: `[Errno ${E.ECONNREFUSED}] Connect call failed ('127.0.0.1', ${port})`,
    });
  });
});

describe('on Windows: [WinError N], with the errno mapped from the Winsock code', () => {
  // Python there: OSError(errno, strerror, None, winerror) sets errno from
  // winerror (a Winsock code is its own errno, but for six that errno.h has
  // below 10000) and str() shows the Windows code.
  it('a child process that reports itself as win32 makes them as Python on Windows does', () => {
    const script = `
      const b = require(${JSON.stringify(ROOT)});
      Object.defineProperty(process, 'platform', { value: 'win32' });
      const show = (e) => [e.message, e.errno, e.winerror, e.args];
      console.log(JSON.stringify([
        show(new b.OSError(0, 'No connection could be made', null, 10061)),
        show(new b.OSError(0, 'interrupted', null, 10004)),
        show(new b.OSError(0, 'denied', 'f', 5)),
        show(new b.OSError(2, 'gone', 'f')),
      ]));`;
    const run = runSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([
      ['[WinError 10061] No connection could be made', 10061, 10061, [0, 'No connection could be made', null, 10061]],
      ['[WinError 10004] interrupted', 4, 10004, [0, 'interrupted', null, 10004]],
      // Not a Winsock code: CPython's table maps ERROR_ACCESS_DENIED to EACCES; bsdsock raises
      // only Winsock codes and maps any other to EINVAL, CPython's default.
      ["[WinError 5] denied: 'f'", 22, 5, [0, 'denied']],
      ["[Errno 2] gone: 'f'", 2, null, [2, 'gone']],
    ]);
  });
});

describe('errors the addon reports through its status block', () => {
  // OS errors and timeouts are made from the block the addon writes, with no
  // call to take them; each must still be its own call's, in any order.
  it('each names its own syscall and errno, call after call', () => {
    using l = socket(AF_INET, SOCK_STREAM);
    using u = socket(AF_INET, SOCK_DGRAM);
    l.bind(['127.0.0.1', 0]);
    l.listen();
    l.setblocking(false);
    u.setblocking(false);
    const seen: [string, string | undefined, string | undefined][] = [];
    const note = (f: () => unknown): void => {
      try {
        f();
      } catch (e) {
        const err = e as OSError;
        seen.push([err.constructor.name, err.syscall, err.code]);
      }
    };
    for (let i = 0; i < 3; i++) {
      note(() => l.accept());
      note(() => u.recv(10));
      note(() => u.recvfrom(10));
      note(() => l.getpeername());
    }
    u.settimeout(0.01);
    note(() => u.recv(10));
    const round: [string, string, string][] = [
      ['BlockingIOError', 'accept', 'EAGAIN'],
      ['BlockingIOError', 'recv', 'EAGAIN'],
      ['BlockingIOError', 'recvfrom', 'EAGAIN'],
      ['OSError', 'getpeername', 'ENOTCONN'],
    ];
    expect(seen).toEqual([...round, ...round, ...round, ['TimeoutError', 'recv', undefined]]);
  });
});

describe('a BlockingIOError from a call that would block', () => {
  it('is made without a stack trace: its stack is its first line, and can be set', async () => {
    const { BlockingIOError, socketpair } = await import('bsdsock');
    const { types } = await import('node:util');
    const [a, b] = socketpair();
    a.setblocking(false);
    let err: unknown;
    try {
      a.recv(10);
    } catch (e) {
      err = e;
    }
    a.close();
    b.close();
    expect(err).toBeInstanceOf(BlockingIOError);
    expect(err).toBeInstanceOf(Error);
    const e = err as Error & { errno: number };
    expect(e.errno).toBe(constants.errno.EAGAIN);
    expect(e.stack).toBe(`BlockingIOError: ${e.message}`);
    // As the README says: not a native error to util.types, an Error to everything else.
    expect(types.isNativeError(e)).toBe(false);
    e.stack = 'replaced';
    expect(e.stack).toBe('replaced');
    // One made with `new` has a stack of its own.
    expect(new BlockingIOError(constants.errno.EAGAIN, 'x').stack).toMatch(/\n\s+at /);
  });
});
