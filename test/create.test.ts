// create_connection, create_server and has_dualstack_ipv6 on loopback, with
// their errors checked against python3. (The talk's "just see what works"
// client, examples/see-what-works-client.mjs, is run in test/examples.test.ts.)
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import * as bsdsock from 'bsdsock';
import {
  AF_INET,
  AF_INET6,
  ConnectionRefusedError,
  IPPROTO_IPV6,
  IPV6_V6ONLY,
  OSError,
  SO_ACCEPTCONN,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_STREAM,
  SOL_SOCKET,
  create_connection,
  create_server,
  gaierror,
  has_dualstack_ipv6,
  setdefaulttimeout,
  socket,
  type Socket,
} from 'bsdsock';
import { expected, outcome, python } from './helpers/python';
import { ERRNO } from './helpers/sockets';

const opened: Socket[] = [];
function track<S extends Socket>(s: S): S {
  opened.push(s);
  return s;
}
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  setdefaulttimeout(null);
});

/** A TCP listener on 127.0.0.1, port chosen by the kernel. */
function listener(): [Socket<'AF_INET'>, number] {
  const s = track(socket(AF_INET, SOCK_STREAM));
  s.bind(['127.0.0.1', 0]);
  s.listen();
  return [s, s.getsockname()[1]];
}

/** A port nothing listens on: bound (so no one else takes it) but not listening. */
function refusedPort(): number {
  const s = track(socket(AF_INET6, SOCK_STREAM));
  s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
  s.bind(['::', 0]);
  return s.getsockname()[1];
}

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an exception');
}

// A port that is in use, for the same error in Python and here.
const [busy, BUSY] = (() => {
  const s = socket(AF_INET, SOCK_STREAM);
  s.bind(['127.0.0.1', 0]);
  s.listen();
  return [s, s.getsockname()[1]] as const;
})();
const REFUSED = (() => {
  const s = socket(AF_INET6, SOCK_STREAM);
  s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
  s.bind(['::', 0]);
  return [s, s.getsockname()[1]] as const;
})();

const lib = bsdsock as unknown as Record<string, (...args: unknown[]) => unknown>;

const cases: Record<string, [python: string, js: () => unknown]> = {
  'create_connection: an address of one item': [`create_connection(('127.0.0.1',))`, () => lib.create_connection!(['127.0.0.1'])],
  'create_connection: an address of three items': [`create_connection(('127.0.0.1', 80, 0))`, () => lib.create_connection!(['127.0.0.1', 80, 0])],
  'create_connection: an int address': [`create_connection(5)`, () => lib.create_connection!(5)],
  'create_connection: a host the idna codec refuses': [`create_connection(('a..b', 80))`, () => create_connection(['a..b', 80])],
  'create_connection: an unknown service: gaierror': [
    `create_connection(('127.0.0.1', 'no-such-service'))`,
    () => create_connection(['127.0.0.1', 'no-such-service']),
  ],
  'create_connection: refused on every address, the last error': [
    `create_connection((None, ${REFUSED[1]}))`,
    () => create_connection([null, REFUSED[1]]),
  ],
  'create_connection: all_errors, one error per address': [
    `
try:
    create_connection((None, ${REFUSED[1]}), all_errors=True)
except ExceptionGroup as eg:
    r = [eg.message, [(type(e).__name__, e.errno, str(e)) for e in eg.exceptions]]
r`,
    () => {
      try {
        create_connection([null, REFUSED[1]], undefined, null, { all_errors: true });
      } catch (e) {
        if (!(e instanceof AggregateError)) throw e;
        return [e.message, e.errors.map((x: OSError) => [x.constructor.name, x.errno, x.message])];
      }
      return null;
    },
  ],
  'create_server: the port is in use': [`create_server(('127.0.0.1', ${BUSY}))`, () => create_server(['127.0.0.1', BUSY])],
  'create_server: dualstack_ipv6 with AF_INET': [
    `create_server(('', 0), dualstack_ipv6=True)`,
    () => create_server(['', 0], { dualstack_ipv6: true }),
  ],
  'create_server: an address of the wrong shape': [`create_server('127.0.0.1')`, () => lib.create_server!('127.0.0.1')],
  'create_server: a host the resolver refuses': [`create_server(('::1', 0))`, () => create_server(['::1', 0])],
  has_dualstack_ipv6: [`has_dualstack_ipv6()`, () => has_dualstack_ipv6()],
};

const py = python('from socket import *', Object.fromEntries(Object.entries(cases).map(([name, [src]]) => [name, src])));

describe('create_connection, create_server and has_dualstack_ipv6 do what python3 does', () => {
  for (const [name, [, js]] of Object.entries(cases)) {
    it(name, () => {
      const want = py[name]!;
      const mapped = 'error' in want && want.error === 'UnicodeError' ? { ...want, error: 'RangeError' } : expected(want);
      expect(outcome(js)).toEqual(mapped);
    });
  }
});

describe('create_connection', () => {
  it('connects to a name from /etc/hosts and returns a blocking stream socket', () => {
    const [lst, port] = listener();
    const s = track(create_connection(['localhost', port]));
    expect(s.getpeername()).toEqual(['127.0.0.1', port]);
    expect([s.family, s.type, s.gettimeout()]).toEqual([AF_INET, SOCK_STREAM, null]);
    const [conn] = lst.accept();
    track(conn);
    s.sendall(Buffer.from('ping'));
    expect(conn.recv(4).toString()).toBe('ping');
  });

  it('tries each address in order: ::1 refuses, 127.0.0.1 answers, and the failed socket is closed', () => {
    const [, port] = listener();
    expect(bsdsock.getaddrinfo(null, port, 0, SOCK_STREAM).map((ai) => ai[4][0])).toEqual(['::1', '127.0.0.1']);
    const before = openFds();
    const s = track(create_connection([null, port]));
    expect(s.family).toBe(AF_INET);
    expect(s.getpeername()).toEqual(['127.0.0.1', port]);
    expect(openFds()).toBe(before + 1);
  });

  it('the timeout: left out, the default timeout; a number; null blocks', () => {
    const [, port] = listener();
    setdefaulttimeout(7);
    expect(track(create_connection(['127.0.0.1', port])).gettimeout()).toBe(7);
    expect(track(create_connection(['127.0.0.1', port], 2.5)).gettimeout()).toBe(2.5);
    expect(track(create_connection(['127.0.0.1', port], null)).gettimeout()).toBeNull();
  });

  it('source_address is bound before connecting', () => {
    const [, port] = listener();
    const s = track(create_connection(['127.0.0.1', port], undefined, ['127.0.0.2', 0]));
    expect(s.getsockname()[0]).toBe('127.0.0.2');
    const [lst] = listener();
    expect(lst.getsockname()[0]).toBe('127.0.0.1');
  });

  it('refused everywhere: the last error, and no socket left open', () => {
    const port = refusedPort();
    const before = openFds();
    const e = thrown(() => create_connection([null, port]));
    expect(e).toBeInstanceOf(ConnectionRefusedError);
    expect(openFds()).toBe(before);
  });

  it('all_errors: an AggregateError of every attempt, in order', () => {
    const port = refusedPort();
    const e = thrown(() => create_connection([null, port], 5, null, { all_errors: true }));
    expect(e).toBeInstanceOf(AggregateError);
    const errors = (e as AggregateError).errors as OSError[];
    expect(errors.map((x) => [x.constructor, x.errno])).toEqual([
      [ConnectionRefusedError, ERRNO.ECONNREFUSED],
      [ConnectionRefusedError, ERRNO.ECONNREFUSED],
    ]);
  });

  it('a resolver error is not an attempt: gaierror goes straight through', () => {
    expect(thrown(() => create_connection(['127.0.0.1', 'no-such-service'], 1, null, { all_errors: true }))).toBeInstanceOf(gaierror);
  });
});

describe('create_server', () => {
  it('binds and listens, with SO_REUSEADDR', () => {
    const s = track(create_server(['127.0.0.1', 0]));
    expect(s.family).toBe(AF_INET);
    expect(s.getsockopt(SOL_SOCKET, SO_ACCEPTCONN)).toBe(1);
    expect(s.getsockopt(SOL_SOCKET, SO_REUSEADDR)).toBe(1);
    expect(s.getsockopt(SOL_SOCKET, SO_REUSEPORT)).toBe(0);
    const port = s.getsockname()[1];
    const c = track(create_connection(['127.0.0.1', port]));
    const [conn, addr] = s.accept();
    track(conn);
    expect(addr).toEqual(c.getsockname());
  });

  it('takes a backlog', () => {
    const s = track(create_server(['127.0.0.1', 0], { backlog: 1 }));
    expect(s.getsockopt(SOL_SOCKET, SO_ACCEPTCONN)).toBe(1);
  });

  it('AF_INET6 is IPv6-only unless dualstack_ipv6', () => {
    const v6 = track(create_server(['::1', 0], { family: AF_INET6 }));
    expect(v6.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)).toBe(1);
    expect(v6.getsockname()).toEqual(['::1', v6.getsockname()[1], 0, 0]);
  });

  it('dualstack_ipv6 accepts IPv4 clients on an AF_INET6 socket', () => {
    expect(has_dualstack_ipv6()).toBe(true);
    const s = track(create_server(['', 0], { family: AF_INET6, dualstack_ipv6: true }));
    expect(s.getsockopt(IPPROTO_IPV6, IPV6_V6ONLY)).toBe(0);
    const port = s.getsockname()[1];
    const c = track(create_connection(['127.0.0.1', port]));
    const [conn, addr] = s.accept();
    track(conn);
    expect(addr).toEqual(['::ffff:127.0.0.1', c.getsockname()[1], 0, 0]);
  });

  it('reuse_port lets two servers share a port', () => {
    const a = track(create_server(['127.0.0.1', 0], { reuse_port: true }));
    expect(a.getsockopt(SOL_SOCKET, SO_REUSEPORT)).toBe(1);
    const port = a.getsockname()[1];
    const b = track(create_server(['127.0.0.1', port], { reuse_port: true }));
    expect(b.getsockname()).toEqual(['127.0.0.1', port]);
  });

  it('a failed bind closes the socket and names the address', () => {
    const before = openFds();
    const e = thrown(() => create_server(['127.0.0.1', BUSY]));
    expect(e).toBeInstanceOf(OSError);
    expect(e).toMatchObject({ errno: ERRNO.EADDRINUSE, code: 'EADDRINUSE', syscall: 'bind' });
    expect((e as OSError).strerror).toBe(`Address already in use (while attempting to bind on address ('127.0.0.1', ${BUSY}))`);
    expect(openFds()).toBe(before);
  });
});

// The module-level sockets live as long as the file's tests.
process.on('exit', () => {
  busy.close();
  REFUSED[0].close();
});
