// Calls whose answers once differed from CPython's, each run in python3 and in
// bsdsock and compared: receives of zero bytes in every mode, connect_ex on a
// closed socket, connect on a connected one.
//
// CPython's recv(0) and recv_into() of an empty buffer return at once with no
// syscall (sock_recv_guts); recvfrom(0), recvfrom_into(), recvmsg(0) and
// recvmsg_into() of nothing make the syscall in the socket's mode, so with
// nothing queued they block, raise BlockingIOError or time out, and a queued
// datagram is consumed (MSG_TRUNC in recvmsg's flags). Blocking calls that
// would wait are not run: the cases in blocking mode all have something queued.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  BlockingIOError,
  MSG_ERRQUEUE,
  MSG_PEEK,
  MSG_WAITALL,
  SOCK_DGRAM,
  SOCK_SEQPACKET,
  SOL_SOCKET,
  SO_RCVTIMEO,
  SO_SNDTIMEO,
  SOCK_STREAM,
  create_connection,
  close as closeFd,
  create_server,
  socket,
  socketpair,
  type Socket,
} from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import { EPOLLOUT, epoll } from 'bsdsock/select';
import { expected, outcome, python } from './helpers/python';

// The same helpers on both sides; everything they open is closed after each case.
const SETUP = String.raw`
import time
from socket import *
opened = []
def track(s):
    opened.append(s)
    return s
def udp(): return track(socket(AF_INET, SOCK_DGRAM))
def bound():
    s = udp(); s.bind(('127.0.0.1', 0)); return s
def listener():
    s = track(socket()); s.bind(('127.0.0.1', 0)); s.listen(); return s
def queued(mode, data=b'hello'):
    s = bound(); c = udp(); c.sendto(data, s.getsockname()); time.sleep(0.02); s.settimeout(mode); return s, c
def stream(mode, data=b''):
    l = listener(); c = track(create_connection(l.getsockname())); s = track(l.accept()[0])
    if data: c.sendall(data); time.sleep(0.02)
    s.settimeout(mode); return s, c
def upair(mode, type=SOCK_STREAM):
    a, b = map(track, socketpair(AF_UNIX, type)); a.settimeout(mode); return a, b
def closed():
    s = socket(); s.close(); return s
def refused():
    s = track(socket()); s.bind(('127.0.0.1', 0)); return s.getsockname()
def pending(s):
    s.settimeout(0)
    try: return s.recv(100)
    except BlockingIOError: return None
def kernel_timeout(s, opt, usec=50000):
    s.setsockopt(SOL_SOCKET, opt, __import__('struct').pack('ll', 0, usec)); return s
def fill(s):
    s.setblocking(False)
    try:
        while True: s.send(b'x' * 65536)
    except BlockingIOError: pass
    s.setblocking(True)
def after_each():
    for s in opened: s.close()
    opened.clear()
`;

const opened: Socket[] = [];
function track<S extends Socket>(s: S): S {
  opened.push(s);
  return s;
}
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const udp = () => track(socket(AF_INET, SOCK_DGRAM));
function bound() {
  const s = udp();
  s.bind(['127.0.0.1', 0]);
  return s;
}
function listener() {
  const s = track(socket());
  s.bind(['127.0.0.1', 0]);
  s.listen();
  return s;
}
function queued(mode: number | null, data = Buffer.from('hello')): [Socket, Socket] {
  const s = bound();
  const c = udp();
  c.sendto(data, s.getsockname());
  sleep(20);
  s.settimeout(mode);
  return [s, c];
}
function stream(mode: number | null, data = Buffer.alloc(0)): [Socket, Socket] {
  const l = listener();
  const c = track(create_connection(l.getsockname() as [string, number]));
  const s = track(l.accept()[0]);
  if (data.length > 0) {
    c.sendall(data);
    sleep(20);
  }
  s.settimeout(mode);
  return [s, c];
}
function upair(mode: number | null, type = SOCK_STREAM): [Socket, Socket] {
  const [a, b] = socketpair(AF_UNIX, type).map(track);
  a!.settimeout(mode);
  return [a!, b!];
}
function closed() {
  const s = socket();
  s.close();
  return s;
}
function refused(): [string, number] {
  const s = track(socket());
  s.bind(['127.0.0.1', 0]);
  return s.getsockname() as [string, number];
}
function pending(s: Socket): Buffer | null {
  s.settimeout(0);
  try {
    return s.recv(100);
  } catch (e) {
    if (e instanceof BlockingIOError) return null;
    throw e;
  }
}
const HELLO = Buffer.from('hello');
/** Sets SO_RCVTIMEO or SO_SNDTIMEO (`opt`) to `usec` microseconds (a 64-bit struct timeval). */
function kernelTimeout(s: Socket, opt: number, usec = 50000): Socket {
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(BigInt(usec), 8);
  s.setsockopt(SOL_SOCKET, opt, tv);
  return s;
}
/** Fills `s`'s send buffer and its peer's receive buffer; `s` is blocking again after. */
function fill(s: Socket): void {
  s.setblocking(false);
  try {
    for (;;) s.send(Buffer.alloc(65536));
  } catch (e) {
    if (!(e instanceof BlockingIOError)) throw e;
  }
  s.setblocking(true);
}

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

const cases: Record<string, [py: string, js: () => unknown]> = {};

const MODES: [name: string, py: string, js: number | null][] = [
  ['blocking', 'None', null],
  ['non-blocking', '0', 0],
  ['timeout', '0.05', 0.05],
];
for (const [mode, pm, m] of MODES) {
  Object.assign(cases, {
    // recv(0) and recv_into(empty): at once, nothing consumed, whatever the socket.
    [`${mode}: recv(0), unconnected UDP`]: [`s = udp(); s.settimeout(${pm}); s.recv(0)`, () => (udp().settimeout(m), opened.at(-1)!.recv(0))],
    [`${mode}: recv(0), listening TCP`]: [`s = listener(); s.settimeout(${pm}); s.recv(0)`, () => (listener().settimeout(m), opened.at(-1)!.recv(0))],
    [`${mode}: recv(0), connected TCP, nothing sent`]: [`s, c = stream(${pm}); s.recv(0)`, () => stream(m)[0].recv(0)],
    [`${mode}: recv(0), TCP with data: not consumed`]: [
      `s, c = stream(${pm}, b'hello'); (s.recv(0), pending(s))`,
      () => {
        const [s] = stream(m, HELLO);
        return [s.recv(0), pending(s)];
      },
    ],
    [`${mode}: recv(0), queued datagram: not consumed`]: [
      `s, c = queued(${pm}); (s.recv(0), pending(s))`,
      () => {
        const [s] = queued(m);
        return [s.recv(0), pending(s)];
      },
    ],
    [`${mode}: recv(0), Unix datagram pair, nothing sent`]: [`a, b = upair(${pm}, SOCK_DGRAM); a.recv(0)`, () => upair(m, SOCK_DGRAM)[0].recv(0)],
    [`${mode}: recv_into(empty), connected TCP, nothing sent`]: [`s, c = stream(${pm}); s.recv_into(bytearray(0))`, () => stream(m)[0].recv_into(Buffer.alloc(0))],
    [`${mode}: recv_into(empty, 0), queued datagram: not consumed`]: [
      `s, c = queued(${pm}); (s.recv_into(bytearray(0), 0), pending(s))`,
      () => {
        const [s] = queued(m);
        return [s.recv_into(Buffer.alloc(0), 0), pending(s)];
      },
    ],
    [`${mode}: recv(0, flags) checks flags`]: [`s = udp(); s.settimeout(${pm}); s.recv(0, 1.5)`, () => (udp().settimeout(m), opened.at(-1)!.recv(0, 1.5))],
    [`${mode}: recv(-1)`]: [`s = udp(); s.settimeout(${pm}); s.recv(-1)`, () => (udp().settimeout(m), opened.at(-1)!.recv(-1))],
    // The calls that make the syscall: a queued datagram is consumed.
    [`${mode}: recvfrom(0), queued datagram: consumed`]: [
      `s, c = queued(${pm}); d, a = s.recvfrom(0); (d, a == c.getsockname(), pending(s))`,
      () => {
        const [s, c] = queued(m);
        const [d, a] = s.recvfrom(0);
        return [d, JSON.stringify(a) === JSON.stringify(c.getsockname()), pending(s)];
      },
    ],
    [`${mode}: recvfrom(0), empty datagram queued`]: [
      `s, c = queued(${pm}, b''); d, a = s.recvfrom(0); (d, a == c.getsockname(), pending(s))`,
      () => {
        const [s, c] = queued(m, Buffer.alloc(0));
        const [d, a] = s.recvfrom(0);
        return [d, JSON.stringify(a) === JSON.stringify(c.getsockname()), pending(s)];
      },
    ],
    [`${mode}: recvfrom_into(empty), queued datagram: consumed`]: [
      `s, c = queued(${pm}); n, a = s.recvfrom_into(bytearray(0)); (n, a == c.getsockname(), pending(s))`,
      () => {
        const [s, c] = queued(m);
        const [n, a] = s.recvfrom_into(Buffer.alloc(0));
        return [n, JSON.stringify(a) === JSON.stringify(c.getsockname()), pending(s)];
      },
    ],
    [`${mode}: recvmsg(0), queued datagram: consumed, MSG_TRUNC`]: [
      `s, c = queued(${pm}); d, anc, fl, a = s.recvmsg(0); (d, anc, fl, a == c.getsockname(), pending(s))`,
      () => {
        const [s, c] = queued(m);
        const [d, anc, fl, a] = s.recvmsg(0);
        return [d, anc, fl, JSON.stringify(a) === JSON.stringify(c.getsockname()), pending(s)];
      },
    ],
    [`${mode}: recvmsg_into([empty]), Unix datagram queued`]: [
      `a, b = upair(${pm}, SOCK_DGRAM); b.send(b'hello'); (a.recvmsg_into([bytearray(0)]), pending(a))`,
      () => {
        const [a, b] = upair(m, SOCK_DGRAM);
        b.send(HELLO);
        return [a.recvmsg_into([Buffer.alloc(0)]), pending(a)];
      },
    ],
    [`${mode}: recvfrom(0), TCP with data: not consumed`]: [
      `s, c = stream(${pm}, b'hello'); (s.recvfrom(0), pending(s))`,
      () => {
        const [s] = stream(m, HELLO);
        return [s.recvfrom(0), pending(s)];
      },
    ],
    [`${mode}: recvmsg(0), TCP after the peer closed`]: [
      `s, c = stream(${pm}); c.close(); time.sleep(0.02); s.recvmsg(0)`,
      () => {
        const [s, c] = stream(m);
        c.close();
        sleep(20);
        return s.recvmsg(0);
      },
    ],
    [`${mode}: recvfrom(0), unconnected TCP`]: [`s = track(socket()); s.settimeout(${pm}); s.recvfrom(0)`, () => (track(socket()).settimeout(m), opened.at(-1)!.recvfrom(0))],
    // connect on a socket connect()ed in blocking mode: EISCONN in every mode, connect_ex its errno.
    [`${mode}: connect on a connected socket`]: [
      `s, c = stream(None); c.settimeout(${pm}); c.connect(s.getsockname())`,
      () => {
        const [s, c] = stream(null);
        c.settimeout(m);
        return c.connect(s.getsockname() as [string, number]);
      },
    ],
    [`${mode}: connect elsewhere on a connected socket`]: [
      `s, c = stream(None); c.settimeout(${pm}); c.connect(listener().getsockname())`,
      () => {
        const [, c] = stream(null);
        c.settimeout(m);
        return c.connect(listener().getsockname() as [string, number]);
      },
    ],
    [`${mode}: connect_ex on a connected socket`]: [
      `s, c = stream(None); c.settimeout(${pm}); c.connect_ex(s.getsockname())`,
      () => {
        const [s, c] = stream(null);
        c.settimeout(m);
        return c.connect_ex(s.getsockname() as [string, number]);
      },
    ],
    [`${mode}: connect twice from a fresh socket`]: [
      `l = listener(); c = track(socket()); c.settimeout(${pm === '0' ? 'None' : pm}); c.connect(l.getsockname()); c.settimeout(${pm}); c.connect(l.getsockname())`,
      () => {
        const l = listener();
        const c = track(socket());
        c.settimeout(m === 0 ? null : m);
        c.connect(l.getsockname() as [string, number]);
        c.settimeout(m);
        return c.connect(l.getsockname() as [string, number]);
      },
    ],
    [`${mode}: connect on a Unix pair`]: [`a, b = upair(${pm}); a.connect('/nonexistent/x')`, () => upair(m)[0].connect('/nonexistent/x')],
  });
}

Object.assign(cases, {
  'recv(0) on a closed socket': [`closed().recv(0)`, () => closed().recv(0)],
  'recv(1) on a closed socket': [`closed().recv(1)`, () => closed().recv(1)],
  'recv_into(empty) on a closed socket': [`closed().recv_into(bytearray(0))`, () => closed().recv_into(Buffer.alloc(0))],
  'recv_into(buf, 0) on a closed socket: the whole buffer': [`closed().recv_into(bytearray(4), 0)`, () => closed().recv_into(Buffer.alloc(4), 0)],
  'recvfrom(0) on a closed socket': [`closed().recvfrom(0)`, () => closed().recvfrom(0)],
  'recvmsg(0) on a closed socket': [`closed().recvmsg(0)`, () => closed().recvmsg(0)],
  'connect_ex on a closed socket': [`closed().connect_ex(('127.0.0.1', 1))`, () => closed().connect_ex(['127.0.0.1', 1])],
  'connect_ex on a closed Unix socket': [`s = socket(AF_UNIX); s.close(); s.connect_ex('/nonexistent/x')`, () => {
    const s = socket(AF_UNIX);
    s.close();
    return s.connect_ex('/nonexistent/x');
  }],
  'connect_ex on a closed socket, address a str': [`closed().connect_ex('x')`, () => closed().connect_ex('x' as never)],
  'connect_ex on a closed socket, port out of range': [`closed().connect_ex(('127.0.0.1', 99999))`, () => closed().connect_ex(['127.0.0.1', 99999])],
  'connect on a closed socket, address a str': [`closed().connect('x')`, () => closed().connect('x' as never)],
  'connect on a closed socket': [`closed().connect(('127.0.0.1', 1))`, () => closed().connect(['127.0.0.1', 1])],
  // Keyword-only parameters: a trailing options object after any of the positional ones.
  'create_connection(address, all_errors=True)': [
    `try:
    create_connection(refused(), all_errors=True)
except ExceptionGroup as g:
    r = [type(e).__name__ for e in g.exceptions]
r`,
    () => {
      try {
        create_connection(refused(), { all_errors: true });
      } catch (e) {
        return e instanceof AggregateError ? e.errors.map((x: Error) => x.constructor.name) : e;
      }
    },
  ],
  'create_connection(address, 5, all_errors=True)': [
    `try:
    create_connection(refused(), 5, all_errors=True)
except ExceptionGroup as g:
    r = [type(e).__name__ for e in g.exceptions]
r`,
    () => {
      try {
        create_connection(refused(), 5, { all_errors: true });
      } catch (e) {
        return e instanceof AggregateError ? e.errors.map((x: Error) => x.constructor.name) : e;
      }
    },
  ],
  'create_connection: all_errors given by position': [
    `create_connection(refused(), 5, None, True)`,
    () => (create_connection as (...a: unknown[]) => unknown)(refused(), 5, null, true),
  ],
  'create_server: family given by position': [
    `create_server(('127.0.0.1', 0), AF_INET)`,
    () => (create_server as (...a: unknown[]) => unknown)(['127.0.0.1', 0], AF_INET),
  ],
  'create_server(address, backlog=1)': [
    `track(create_server(('127.0.0.1', 0), backlog=1)).getsockname()[0]`,
    () => track(create_server(['127.0.0.1', 0], { backlog: 1 })).getsockname()[0],
  ],
  // A refused blocking connect leaves the socket as a blocking connect(2) does: disconnected.
  'a refused blocking connect, then recv': [
    `c = track(socket())
try: c.connect(refused())
except ConnectionRefusedError: pass
c.recv(1)`,
    () => {
      const c = track(socket());
      outcome(() => c.connect(refused()));
      return c.recv(1);
    },
  ],
  'a refused blocking connect, then connect again': [
    `c = track(socket())
try: c.connect(refused())
except ConnectionRefusedError: pass
c.connect(refused())`,
    () => {
      const c = track(socket());
      outcome(() => c.connect(refused()));
      return c.connect(refused());
    },
  ],
  // Found by the differential fuzzer (test/diff/).
  'recv(MSG_ERRQUEUE) in timeout mode, nothing queued: TimeoutError, not a wait retried for ever': [
    `s, c = stream(0.05); s.recv(5, MSG_ERRQUEUE)`,
    () => stream(0.05)[0].recv(5, MSG_ERRQUEUE),
  ],
  'recv(MSG_ERRQUEUE) in blocking mode, nothing queued: BlockingIOError at once, not a wait for data': [
    `s, c = stream(None); s.recv(5, MSG_ERRQUEUE)`,
    () => stream(null)[0].recv(5, MSG_ERRQUEUE),
  ],
  'recvmsg(MSG_ERRQUEUE) of a blocking UDP socket, nothing queued: BlockingIOError at once': [
    `s = bound(); s.settimeout(None); s.recvmsg(100, 0, MSG_ERRQUEUE)`,
    () => {
      const s = bound();
      s.settimeout(null);
      return s.recvmsg(100, 0, MSG_ERRQUEUE);
    },
  ],
  'recv(n, MSG_WAITALL) in blocking mode takes one SOCK_SEQPACKET message shorter than n': [
    `a, b = upair(None, SOCK_SEQPACKET); b.send(b'x' * 16); a.recv(17, MSG_WAITALL)`,
    () => {
      const [a, b] = upair(null, SOCK_SEQPACKET);
      b.send(Buffer.alloc(16, 'x'));
      return a.recv(17, MSG_WAITALL);
    },
  ],
  'recv(n, MSG_PEEK | MSG_WAITALL) in blocking mode peeks once at fewer than n bytes': [
    `a, b = upair(None); b.send(b'y' * 17); time.sleep(0.02); a.recv(18, MSG_PEEK | MSG_WAITALL)`,
    () => {
      const [a, b] = upair(null);
      b.send(Buffer.alloc(17, 'y'));
      sleep(20);
      return a.recv(18, MSG_PEEK | MSG_WAITALL);
    },
  ],
  "sendall(b'') sends an empty SOCK_SEQPACKET record": [
    `a, b = upair(None, SOCK_SEQPACKET); a.sendall(b''); b.settimeout(1); b.recv(10)`,
    () => {
      const [a, b] = upair(null, SOCK_SEQPACKET);
      a.sendall(Buffer.alloc(0));
      b.settimeout(1);
      return b.recv(10);
    },
  ],
  "sendall(b'') on an unconnected TCP socket raises what send(2) raises": [
    `track(socket()).sendall(b'')`,
    () => track(socket()).sendall(Buffer.alloc(0)),
  ],
  'connect a UDP socket again': [
    `s = udp(); s.connect(('127.0.0.1', 9)); s.connect(('127.0.0.1', 10))`,
    () => {
      const s = udp();
      s.connect(['127.0.0.1', 9]);
      return s.connect(['127.0.0.1', 10]);
    },
  ],
});


// A closed socket checks its arguments first, as CPython's parse them before the syscall's EBADF;
// settimeout and setblocking record the mode even so.
const LOCAL: [string, number] = ['127.0.0.1', 1];
const X = Buffer.from('x');
const CLOSED: [name: string, py: string, js: (s: Socket) => unknown][] = [
  ['bind(str)', `s.bind('x')`, (s) => s.bind('x' as never)],
  ['bind(unknown host)', `s.bind(('nonexistent.invalid', 1))`, (s) => s.bind(['nonexistent.invalid', 1])],
  ['bind(port out of range)', `s.bind(('127.0.0.1', 99999))`, (s) => s.bind(['127.0.0.1', 99999])],
  ['listen(str)', `s.listen('x')`, (s) => s.listen('x' as never)],
  ['shutdown(str)', `s.shutdown('x')`, (s) => s.shutdown('x' as never)],
  ['shutdown(5)', `s.shutdown(5)`, (s) => s.shutdown(5)],
  ['send(str)', `s.send('x')`, (s) => s.send('x' as never)],
  ['send(data, str)', `s.send(b'x', 'f')`, (s) => s.send(X, 'f' as never)],
  ['sendall(str)', `s.sendall('x')`, (s) => s.sendall('x' as never)],
  ['sendall(data, str)', `s.sendall(b'x', 'f')`, (s) => s.sendall(X, 'f' as never)],
  ['sendto(str, address)', `s.sendto('x', ('127.0.0.1', 1))`, (s) => s.sendto('x' as never, LOCAL)],
  ['sendto(data, str)', `s.sendto(b'x', 'y')`, (s) => s.sendto(X, 'y' as never)],
  ['sendto(data, str, address)', `s.sendto(b'x', 'f', ('127.0.0.1', 1))`, (s) => s.sendto(X, 'f' as never, LOCAL)],
  ['sendto(data, unknown host)', `s.sendto(b'x', ('nonexistent.invalid', 1))`, (s) => s.sendto(X, ['nonexistent.invalid', 1])],
  ['recvfrom(1, str)', `s.recvfrom(1, 'f')`, (s) => s.recvfrom(1, 'f' as never)],
  ['recvfrom(0)', `s.recvfrom(0)`, (s) => s.recvfrom(0)],
  ['recv_into(buffer, 0, str)', `s.recv_into(bytearray(1), 0, 'f')`, (s) => s.recv_into(Buffer.alloc(1), 0, 'f' as never)],
  ['recvfrom_into(buffer, 0, str)', `s.recvfrom_into(bytearray(1), 0, 'f')`, (s) => s.recvfrom_into(Buffer.alloc(1), 0, 'f' as never)],
  ['setsockopt(str, ...)', `s.setsockopt('x', 1, 1)`, (s) => s.setsockopt('x' as never, 1, 1)],
  ['setsockopt(level, opt, str)', `s.setsockopt(1, 2, 'v')`, (s) => s.setsockopt(1, 2, 'v' as never)],
  ['getsockopt(str, opt)', `s.getsockopt('x', 1)`, (s) => s.getsockopt('x' as never, 1)],
  ['getsockopt(level, opt, 2000)', `s.getsockopt(1, 2, 2000)`, (s) => s.getsockopt(1, 2, 2000)],
  ['getsockopt(level, opt, -1)', `s.getsockopt(1, 2, -1)`, (s) => s.getsockopt(1, 2, -1)],
  ['sendmsg, an ancillary item of 2', `s.sendmsg([b'x'], [(1, 2)])`, (s) => s.sendmsg([X], [[1, 2] as never])],
  ['sendmsg([str])', `s.sendmsg(['x'])`, (s) => s.sendmsg(['x' as never])],
  ['sendmsg(buffers, [], str)', `s.sendmsg([b'x'], [], 'f')`, (s) => s.sendmsg([X], [], 'f' as never)],
  ['sendmsg(buffers, [], 0, str)', `s.sendmsg([b'x'], [], 0, 'y')`, (s) => s.sendmsg([X], [], 0, 'y' as never)],
  ['recvmsg(1, 0, str)', `s.recvmsg(1, 0, 'f')`, (s) => s.recvmsg(1, 0, 'f' as never)],
  ['recvmsg_into([str])', `s.recvmsg_into(['x'])`, (s) => s.recvmsg_into(['x' as never])],
  ['recvmsg_into(buffers, -1)', `s.recvmsg_into([bytearray(1)], -1)`, (s) => s.recvmsg_into([Buffer.alloc(1)], -1)],
  ['accept()', `s.accept()`, (s) => s.accept()],
];
for (const [how, py, js] of [
  ['closed', 's = closed()', closed],
  ['detached', 's = track(socket()); close(s.detach())', () => {
    const s = track(socket());
    closeFd(s.detach());
    return s;
  }],
] as const) {
  for (const [name, src, call] of CLOSED) cases[`${how}: ${name}`] = [`${py}\n${src}`, () => call(js())];
  cases[`${how}: setblocking(False), then the mode`] = [
    `${py}
try: s.setblocking(False)
except OSError as e: r = e.errno
(r, s.gettimeout(), s.getblocking(), s.timeout)`,
    () => {
      const s = js();
      const r = (outcome(() => s.setblocking(false)) as { errno: number }).errno;
      return [r, s.gettimeout(), s.getblocking(), s.timeout];
    },
  ];
  cases[`${how}: settimeout(2.5), then the mode`] = [
    `${py}
try: s.settimeout(2.5)
except OSError as e: r = e.errno
(r, s.gettimeout(), s.getblocking())`,
    () => {
      const s = js();
      const r = (outcome(() => s.settimeout(2.5)) as { errno: number }).errno;
      return [r, s.gettimeout(), s.getblocking()];
    },
  ];
}

// SO_RCVTIMEO and SO_SNDTIMEO on a blocking socket: the kernel's blocking call fails with EAGAIN once they
// pass, and CPython's with it (BlockingIOError); bsdsock's waits in poll() keep them (they once waited for ever).
const KERNEL_TIMEOUTS: [name: string, py: string, js: () => unknown][] = [
  ['recv', `a, b = upair(None); kernel_timeout(a, SO_RCVTIMEO).recv(10)`, () => kernelTimeout(upair(null)[0], SO_RCVTIMEO).recv(10)],
  ['recvfrom', `a, b = upair(None); kernel_timeout(a, SO_RCVTIMEO).recvfrom(10)`, () => kernelTimeout(upair(null)[0], SO_RCVTIMEO).recvfrom(10)],
  ['recv_into', `a, b = upair(None); kernel_timeout(a, SO_RCVTIMEO).recv_into(bytearray(10))`, () => kernelTimeout(upair(null)[0], SO_RCVTIMEO).recv_into(Buffer.alloc(10))],
  ['recvmsg', `a, b = upair(None); kernel_timeout(a, SO_RCVTIMEO).recvmsg(10)`, () => kernelTimeout(upair(null)[0], SO_RCVTIMEO).recvmsg(10)],
  [
    'recv(6, MSG_WAITALL) with 3 bytes queued: the 3',
    `a, b = upair(None); b.send(b'abc'); kernel_timeout(a, SO_RCVTIMEO).recv(6, MSG_WAITALL)`,
    () => {
      const [a, b] = upair(null);
      b.send(Buffer.from('abc'));
      return kernelTimeout(a, SO_RCVTIMEO).recv(6, MSG_WAITALL);
    },
  ],
  ['accept', `kernel_timeout(listener(), SO_RCVTIMEO).accept()`, () => kernelTimeout(listener(), SO_RCVTIMEO).accept()],
  [
    "a makefile's readline, then read(5), with 2 bytes queued: the 2, then None",
    `a, b = upair(None); b.send(b'ab'); f = kernel_timeout(a, SO_RCVTIMEO).makefile('rb'); (f.readline(), f.read(5))`,
    () => {
      const [a, b] = upair(null);
      b.send(Buffer.from('ab'));
      const f = kernelTimeout(a, SO_RCVTIMEO).makefile('rb');
      return [f.readline(), f.read(5)];
    },
  ],
  [
    'connect to a Unix listener whose backlog is full',
    `l = track(socket(AF_UNIX)); l.bind('\\0bsdsock-backlog-py'); l.listen(0)
f = track(socket(AF_UNIX)); f.setblocking(False); f.connect('\\0bsdsock-backlog-py')
kernel_timeout(track(socket(AF_UNIX)), SO_SNDTIMEO).connect('\\0bsdsock-backlog-py')`,
    () => {
      const l = track(socket(AF_UNIX));
      l.bind('\0bsdsock-backlog-js');
      l.listen(0);
      const f = track(socket(AF_UNIX));
      f.setblocking(false);
      f.connect('\0bsdsock-backlog-js');
      return kernelTimeout(track(socket(AF_UNIX)), SO_SNDTIMEO).connect('\0bsdsock-backlog-js');
    },
  ],
  [
    'sendall of more than the buffers hold',
    `a, b = upair(None); kernel_timeout(a, SO_SNDTIMEO).sendall(b'x' * (8 << 20))`,
    () => kernelTimeout(upair(null)[0], SO_SNDTIMEO).sendall(Buffer.alloc(8 << 20)),
  ],
  ['a UDP recvfrom', `kernel_timeout(bound(), SO_RCVTIMEO).recvfrom(10)`, () => kernelTimeout(bound(), SO_RCVTIMEO).recvfrom(10)],
  [
    'send to a full socket',
    `a, b = upair(None); fill(a); kernel_timeout(a, SO_SNDTIMEO).send(b'x' * 100)`,
    () => {
      const [a] = upair(null);
      fill(a);
      return kernelTimeout(a, SO_SNDTIMEO).send(Buffer.alloc(100));
    },
  ],
  [
    'sendto to a full Unix datagram socket, from an unconnected one',
    `s = track(socket(AF_UNIX, SOCK_DGRAM)); s.bind('\\0bsdsock-full-py')
t = kernel_timeout(track(socket(AF_UNIX, SOCK_DGRAM)), SO_SNDTIMEO)
t.setblocking(False)
try:
    while True: t.sendto(b'x', '\\0bsdsock-full-py')
except BlockingIOError: pass
t.setblocking(True)
t.sendto(b'x', '\\0bsdsock-full-py')`,
    () => {
      const s = track(socket(AF_UNIX, SOCK_DGRAM));
      s.bind('\0bsdsock-full-js');
      const t = kernelTimeout(track(socket(AF_UNIX, SOCK_DGRAM)), SO_SNDTIMEO);
      t.setblocking(false);
      try {
        for (;;) t.sendto(Buffer.from('x'), '\0bsdsock-full-js');
      } catch (e) {
        if (!(e instanceof BlockingIOError)) throw e;
      }
      t.setblocking(true);
      return t.sendto(Buffer.from('x'), '\0bsdsock-full-js');
    },
  ],
];
/** `js` with a signal listener installed: bsdsock's blocking calls then wait in poll() beside the signal
 * self-pipe, and keep the kernel's timeouts themselves; without one a receive is the kernel's own call. */
function listening(js: () => unknown): () => unknown {
  return () => {
    const listener = () => {};
    process.on('SIGUSR2', listener);
    try {
      return js();
    } finally {
      process.off('SIGUSR2', listener);
    }
  };
}
if (process.platform === 'linux') {
  for (const [name, src, js] of KERNEL_TIMEOUTS) {
    cases[`blocking ${name}, SO_RCVTIMEO / SO_SNDTIMEO 50 ms: the kernel's EAGAIN`] = [src, js];
    cases[`blocking ${name}, SO_RCVTIMEO / SO_SNDTIMEO 50 ms, a signal listener installed: the kernel's EAGAIN`] = [src, listening(js)];
  }
}

const py = python(SETUP, Object.fromEntries(Object.entries(cases).map(([name, [src]]) => [name, src])));

describe('bsdsock does what python3 does where it once differed', () => {
  for (const [name, [, js]] of Object.entries(cases)) {
    it(name, () => {
      expect(py[name]).toBeDefined();
      expect(outcome(js)).toEqual(expected(py[name]!));
    });
  }
});

describe("bsdsock/asyncio's receives of nothing and trailing options", () => {
  const aborted = () => AbortSignal.abort();

  it('sock_recv(sock, 0) and sock_recv_into(sock, empty) resolve at once, as asyncio (sock.recv(0) makes no syscall)', async () => {
    const [a] = upair(0);
    await expect(asyncio.sock_recv(a, 0)).resolves.toEqual(Buffer.alloc(0));
    await expect(asyncio.sock_recv_into(a, Buffer.alloc(0))).resolves.toBe(0);
    a.close();
    // asyncio's sock_recv(closed, 0) is sock.recv(0): b'' too.
    await expect(asyncio.sock_recv(a, 0)).resolves.toEqual(Buffer.alloc(0));
    await expect(asyncio.sock_recv(a, 1)).rejects.toMatchObject({ errno: 9 });
  });

  it('an options object right after the required arguments is the options, not the next positional one', async () => {
    const [a] = upair(0, SOCK_DGRAM);
    await expect(asyncio.sock_recvmsg(a, 100, { signal: aborted() })).rejects.toBeInstanceOf(asyncio.AbortError);
    await expect(asyncio.sock_recvfrom_into(a, Buffer.alloc(4), { signal: aborted() })).rejects.toBeInstanceOf(asyncio.AbortError);
    await expect(asyncio.sock_recv_fds(a, 100, 1, { signal: aborted() })).rejects.toBeInstanceOf(asyncio.AbortError);
    await expect(asyncio.getnameinfo(['127.0.0.1', 80], { signal: aborted() })).rejects.toBeInstanceOf(asyncio.AbortError);
    // After all the positional ones, as before.
    await expect(asyncio.sock_recvmsg(a, 100, 0, 0, { signal: aborted() })).rejects.toBeInstanceOf(asyncio.AbortError);
  });

  it('a keyword-only argument given by position is a TypeError', async () => {
    await expect((asyncio.getaddrinfo as (...a: unknown[]) => Promise<unknown>)('127.0.0.1', 80, AF_INET)).rejects.toThrow(
      new TypeError('getaddrinfo() takes 2 positional arguments but 3 were given'),
    );
    const [a] = upair(0);
    await expect((asyncio.sock_recv as (...a: unknown[]) => Promise<unknown>)(a, 10, 0)).rejects.toThrow(
      new TypeError('sock_recv() takes 2 positional arguments but 3 were given'),
    );
  });

  it("create_datagram_endpoint takes local_addr and remote_addr by position, as asyncio's", async () => {
    const [transport] = await asyncio.create_datagram_endpoint(() => new asyncio.DatagramProtocol(), ['127.0.0.1', 0]);
    try {
      expect(transport.get_extra_info('sockname')).toEqual(['127.0.0.1', expect.any(Number)]);
    } finally {
      transport.close();
    }
    await expect(
      asyncio.create_datagram_endpoint(() => new asyncio.DatagramProtocol(), ['127.0.0.1', 0], undefined, { local_addr: ['127.0.0.1', 0] }),
    ).rejects.toThrow(new TypeError("create_datagram_endpoint() got multiple values for argument 'local_addr'"));
  });
});

// Where bsdsock differs on purpose (README, "From Python"): a size no Buffer can hold, or an fd number
// that would wrap to another fd, is refused with a clear error; the process never aborts on an allocation.
describe('sizes and numbers Python would try, refused', () => {
  it('a receive larger than the largest Buffer is OSError("Cannot allocate memory"), with no errno', () => {
    const [a, b] = socketpair();
    try {
      a.setblocking(false);
      for (const call of [() => a.recv(2 ** 33), () => a.recvfrom(2 ** 33), () => a.recvmsg(2 ** 33)]) {
        expect(outcome(call)).toEqual({ error: 'OSError', message: 'Cannot allocate memory', errno: null });
      }
      // Beyond a C ssize_t it is Python's own OverflowError.
      expect(() => a.recv(2 ** 64)).toThrow(new RangeError('Python int too large to convert to C ssize_t'));
      // Nothing was lost: the socket still receives.
      b.send(Buffer.from('after'));
      a.setblocking(true);
      expect(a.recv(10).toString()).toBe('after');
    } finally {
      a.close();
      b.close();
    }
  });

  it('epoll.poll hands back the ready events of a huge maxevents, and refuses one beyond the kernel limit with EINVAL, never aborting', () => {
    const e = new epoll();
    const pairs = [socketpair(), socketpair(), socketpair()];
    try {
      for (const [a] of pairs) e.register(a.fileno(), EPOLLOUT);
      expect(e.poll(0, 100_000_000)).toHaveLength(3);
      expect(outcome(() => e.poll(0, 2 ** 31 - 1))).toEqual({ error: 'OSError', message: '[Errno 22] Invalid argument', errno: 22 });
    } finally {
      e.close();
      for (const p of pairs) for (const s of p) s.close();
    }
  });

  it('an fd number beyond a C int is a RangeError, and no other fd is touched (Python wraps 2**32 to fd 0)', () => {
    expect(() => closeFd(2 ** 32)).toThrow(new RangeError('signed integer is greater than maximum'));
    expect(fs.fstatSync(0)).toBeDefined();
  });
});
