// bsdsock/select against Python's select module: select(), poll objects and
// epoll objects, each call sequence run once in python3 (all cases of a group in
// one python3 process, test/helpers/python.ts) and once here, and both must end
// the same way. Then what the oracle cannot show: the very objects come back,
// no FD_SETSIZE limit, and signals sent for real from this process to a child
// blocked in select, poll, epoll.poll or a selector's select.
//
// Class mapping, as in test/python-oracle.test.ts: ValueError and OverflowError
// are RangeError; OSError subclasses by name (bsdsock's own classes); KeyError is
// bsdsock's KeyError, its message Python's str() without the quotes that
// KeyError.__str__ adds. Numbers of 10 and more in messages are file
// descriptors, which differ between the two processes, and are compared as 'N'.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { inspect } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import * as bsdsock from 'bsdsock';
import { AF_INET, MSG_OOB, SOCK_DGRAM, socket, socketpair, type Socket } from 'bsdsock';
import * as S from 'bsdsock/select';
import { EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLOUT, EPOLLRDHUP, epoll, KeyError, poll, POLLIN, POLLOUT, select } from 'bsdsock/select';
import * as selectors from 'bsdsock/selectors';

import { encode, expected, normalize, outcome, python, type Outcome } from './helpers/python';
import { closeNamed, devnull, NAMED_PY, nm, opened, pair, track } from './helpers/named';
import { combinations, INTS, mismatches, TUPLED, type PoolValue } from './helpers/pool';
import { signalWhenReady, type Exit } from './helpers/signals';
import { ROOT, tcpPair } from './helpers/sockets';

// ---- the oracle ----

/** The same helpers on both sides: sockets get names in order of creation ('a', 'b', ...). */
const PY_SETUP = NAMED_PY + String.raw`
from select import *
import select
def tcp():
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); l.close()
    return track(c, s)
def ev(pairs):
    return [[nm(fd), e] for fd, e in pairs]
def lists(r):
    return [[nm(x) for x in l] for l in r]
def ep(*a):
    e = epoll(*a); opened.append(e); return e
def fill(s):
    s.setblocking(False)
    try:
        while True: s.send(b'x' * 65536)
    except BlockingIOError:
        pass
`;

function tcp(): [Socket, Socket] {
  const { listener, client, server } = tcpPair();
  listener.close();
  return track(client, server) as [Socket, Socket];
}
const ev = (pairs: [number, number][]) => pairs.map(([fd, e]) => [nm(fd), e]);
const lists = (r: unknown[][]) => r.map((l) => l.map(nm));
function ep(...args: number[]): epoll {
  const e = new epoll(...args);
  opened.push(e);
  return e;
}
function fill(s: Socket): void {
  s.setblocking(false);
  try {
    for (;;) s.send(Buffer.alloc(65536, 'x'));
  } catch (e) {
    if (!(e instanceof bsdsock.BlockingIOError)) throw e;
  }
}

afterEach(closeNamed);


interface Case {
  py: string;
  js: () => unknown;
}

/** One `it` per case: bsdsock must end as python3 did. */
function oracle(cases: Record<string, Case>): void {
  const py = python(PY_SETUP, Object.fromEntries(Object.entries(cases).map(([name, c]) => [name, c.py])));
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      expect(normalize(outcome(c.js))).toEqual(normalize(expected(py[name]!)));
    });
  }
}

const any = (v: unknown) => v as never;

// ---- select() ----

describe('select() as Python', () => {
  oracle({
    'nothing ready with timeout 0: three empty lists': {
      py: `a, b = pair(); lists(select.select([a, b], [], [], 0))`,
      js: () => {
        const [a, b] = pair();
        return lists(select([a, b], [], [], 0));
      },
    },
    'readable and writable entries, sockets and fd numbers alike': {
      py: `a, b = pair(); a.send(b'x'); lists(select.select([a, b, b.fileno()], [a, b.fileno()], [a], 0))`,
      js: () => {
        const [a, b] = pair();
        a.send(Buffer.from('x'));
        return lists(select([a, b, b.fileno()], [a, b.fileno()], [a], 0));
      },
    },
    'an entry given twice comes back twice': {
      py: `a, b = pair(); a.send(b'x'); lists(select.select([b, b, b.fileno()], [], [], 0))`,
      js: () => {
        const [a, b] = pair();
        a.send(Buffer.from('x'));
        return lists(select([b, b, b.fileno()], [], [], 0));
      },
    },
    'any iterable will do': {
      py: `a, b = pair(); lists(select.select((a,), {b}, iter([]), 0))`,
      js: () => {
        const [a, b] = pair();
        return lists(select([a], new Set([b]), [][Symbol.iterator](), 0));
      },
    },
    'a closed peer makes a socket readable, at end of stream': {
      py: `a, b = pair(); a.close(); [lists(select.select([b], [], [], 0)), b.recv(10)]`,
      js: () => {
        const [a, b] = pair();
        a.close();
        return [lists(select([b], [], [], 0)), b.recv(10)];
      },
    },
    'a closed peer: readable and writable, not exceptional': {
      py: `a, b = pair(); a.close(); lists(select.select([b], [b], [b], 0))`,
      js: () => {
        const [a, b] = pair();
        a.close();
        return lists(select([b], [b], [b], 0));
      },
    },
    'a refused connect (a pending error): readable and writable': {
      py: `c, s = tcp(); port = s.getsockname()[1]; c.close(); s.close(); t = track(socket.socket())[0]; t.setblocking(False); t.connect_ex(('127.0.0.1', port)); lists(select.select([t], [t], [t], 5))`,
      js: () => {
        const [c, s] = tcp();
        const port = (s.getsockname() as [string, number])[1];
        c.close();
        s.close();
        const [t] = track(socket());
        t!.setblocking(false);
        t!.connect_ex(['127.0.0.1', port]);
        return lists(select([t!], [t!], [t!], 5));
      },
    },
    'a full send buffer is not writable': {
      py: `a, b = pair(); fill(a); lists(select.select([], [a], [], 0))`,
      js: () => {
        const [a] = pair();
        fill(a);
        return lists(select([], [a], [], 0));
      },
    },
    'urgent (MSG_OOB) data is an exceptional condition': {
      py: `c, s = tcp(); c.send(b'!', socket.MSG_OOB); lists(select.select([], [], [s], 5))`,
      js: () => {
        const [c, s] = tcp();
        c.send(Buffer.from('!'), MSG_OOB);
        return lists(select([], [], [s], 5));
      },
    },
    'a timeout that expires returns three empty lists': {
      py: `a, b = pair(); lists(select.select([a], [], [], 0.01))`,
      js: () => {
        const [a] = pair();
        return lists(select([a], [], [], 0.01));
      },
    },
    'timeout null (None) waits until something is ready': {
      py: `a, b = pair(); lists(select.select([a], [b], [], None))`,
      js: () => {
        const [a, b] = pair();
        return lists(select([a], [b], [], null));
      },
    },
    'a negative timeout is a ValueError': {
      py: `select.select([], [], [], -1)`,
      js: () => select([], [], [], -1),
    },
    'timeout NaN is a ValueError': {
      py: `select.select([], [], [], float('nan'))`,
      js: () => select([], [], [], NaN),
    },
    'timeout -inf is an OverflowError': {
      py: `select.select([], [], [], float('-inf'))`,
      js: () => select([], [], [], -Infinity),
    },
    'a timeout that is not a number is a TypeError': {
      py: `select.select([], [], [], 'a')`,
      js: () => select([], [], [], any('a')),
    },
    'a negative fd is a ValueError': {
      py: `select.select([-1], [], [], 0)`,
      js: () => select([-1], [], [], 0),
    },
    'a string entry is a TypeError': {
      py: `select.select(['x'], [], [], 0)`,
      js: () => select([any('x')], [], [], 0),
    },
    'a float entry is a TypeError': {
      py: `select.select([1.5], [], [], 0)`,
      js: () => select([1.5], [], [], 0),
    },
    'a list that is not a sequence is a TypeError': {
      py: `select.select(1, [], [], 0)`,
      js: () => select(any(1), [], [], 0),
    },
    'fileno() returning a string is a TypeError': {
      py: `class F:\n    def fileno(self): return 'x'\nselect.select([F()], [], [], 0)`,
      js: () => select([{ fileno: () => any('x') }], [], [], 0),
    },
    'fileno() returning a float is a TypeError': {
      py: `class F:\n    def fileno(self): return 1.5\nselect.select([F()], [], [], 0)`,
      js: () => select([{ fileno: () => 1.5 }], [], [], 0),
    },
    'fileno() returning a negative number is a ValueError': {
      py: `class F:\n    def fileno(self): return -3\nselect.select([F()], [], [], 0)`,
      js: () => select([{ fileno: () => -3 }], [], [], 0),
    },
    'an object whose fileno() works comes back as itself': {
      py: `a, b = pair()\nclass F:\n    def fileno(self): return b.fileno()\nf = F(); a.send(b'x'); [x is f for x in select.select([f], [], [], 0)[0]]`,
      js: () => {
        const [a, b] = pair();
        const f = { fileno: () => b.fileno() };
        a.send(Buffer.from('x'));
        return select([f], [], [], 0)[0].map((x) => x === f);
      },
    },
    'a closed socket is a ValueError (fileno() is -1)': {
      py: `a, b = pair(); a.close(); select.select([a], [], [], 0)`,
      js: () => {
        const [a] = pair();
        a.close();
        return select([a], [], [], 0);
      },
    },
    'an fd that is not open (closed just now) is EBADF': {
      py: `a, b = pair(); fd = a.fileno(); a.close(); select.select([fd], [], [], 0)`,
      js: () => {
        const [a] = pair();
        const fd = a.fileno();
        a.close();
        return select([fd], [], [], 0);
      },
    },
    'an fd beyond a C int is an OverflowError, not another fd': {
      py: `a, b = pair(); a.send(b'x'); select.select([2**32 + b.fileno()], [], [], 0)`,
      js: () => {
        const [a, b] = pair();
        a.send(Buffer.from('x'));
        return select([2 ** 32 + b.fileno()], [], [], 0);
      },
    },
    'an fd of 2**31 is an OverflowError': {
      py: `select.select([2**31], [], [], 0)`,
      js: () => select([2 ** 31], [], [], 0),
    },
  });
});

describe('select(): the objects passed in come back', () => {
  it('returns the very Socket, number and fileno() objects given, in their order, per list', () => {
    const [a, b] = pair();
    const [c, d] = pair();
    const f = { fileno: () => d.fileno() };
    a.send(Buffer.from('x'));
    c.send(Buffer.from('y'));
    const [r, w, x] = select([a, b, f, d.fileno()], [f, c], [], 0);
    expect(r).toHaveLength(3);
    expect(r[0]).toBe(b);
    expect(r[1]).toBe(f);
    expect(r[2]).toBe(d.fileno());
    expect(w).toHaveLength(2);
    expect(w[0]).toBe(f);
    expect(w[1]).toBe(c);
    expect(x).toEqual([]);
  });

  it('has no FD_SETSIZE limit: fds of 1024 and more can be waited on (made with poll(2))', () => {
    const many: Socket[] = [];
    try {
      while (many.length === 0 || many[many.length - 1]!.fileno() < 1100) many.push(...socketpair());
      const hi = many[many.length - 1]!;
      const peer = many[many.length - 2]!;
      expect(hi.fileno()).toBeGreaterThanOrEqual(1024);
      peer.send(Buffer.from('x'));
      const [r, w] = select(many.slice(-10), [hi], [], 0);
      expect(r).toEqual([hi]);
      expect(w).toEqual([hi]);
      const p = poll();
      p.register(hi, POLLIN);
      expect(p.poll(0)).toEqual([[hi.fileno(), POLLIN]]);
    } finally {
      for (const s of many) s.close();
    }
  });
});

// ---- poll objects ----

describe('poll objects as Python', () => {
  oracle({
    'register() with the default mask (POLLIN|POLLPRI|POLLOUT)': {
      py: `a, b = pair(); p = poll(); p.register(a); ev(p.poll(0))`,
      js: () => {
        const [a] = pair();
        const p = poll();
        p.register(a);
        return ev(p.poll(0));
      },
    },
    'readable entries only, for POLLIN': {
      py: `a, b = pair(); b.send(b'x'); p = poll(); p.register(a, POLLIN); p.register(b, POLLIN); ev(p.poll(0))`,
      js: () => {
        const [a, b] = pair();
        b.send(Buffer.from('x'));
        const p = poll();
        p.register(a, POLLIN);
        p.register(b, POLLIN);
        return ev(p.poll(0));
      },
    },
    'results come in the order of registration': {
      py: `a, b = pair(); p = poll(); p.register(b, POLLOUT); p.register(a.fileno(), POLLOUT); ev(p.poll(0))`,
      js: () => {
        const [a, b] = pair();
        const p = poll();
        p.register(b, POLLOUT);
        p.register(a.fileno(), POLLOUT);
        return ev(p.poll(0));
      },
    },
    'registering again changes the mask': {
      py: `a, b = pair(); p = poll(); p.register(a, POLLIN); p.register(a, POLLOUT); ev(p.poll(0))`,
      js: () => {
        const [a] = pair();
        const p = poll();
        p.register(a, POLLIN);
        p.register(a, POLLOUT);
        return ev(p.poll(0));
      },
    },
    'modify() changes the mask': {
      py: `a, b = pair(); p = poll(); p.register(a, POLLOUT); p.modify(a, POLLIN); r1 = ev(p.poll(0)); b.send(b'x'); [r1, ev(p.poll(0))]`,
      js: () => {
        const [a, b] = pair();
        const p = poll();
        p.register(a, POLLOUT);
        p.modify(a, POLLIN);
        const r1 = ev(p.poll(0));
        b.send(Buffer.from('x'));
        return [r1, ev(p.poll(0))];
      },
    },
    'modify() of an fd not registered is FileNotFoundError': {
      py: `a, b = pair(); p = poll(); p.modify(a, POLLIN)`,
      js: () => poll().modify(pair()[0], POLLIN),
    },
    'unregister() removes the fd': {
      py: `a, b = pair(); p = poll(); p.register(a); p.register(b); p.unregister(a); ev(p.poll(0))`,
      js: () => {
        const [a, b] = pair();
        const p = poll();
        p.register(a);
        p.register(b);
        p.unregister(a);
        return ev(p.poll(0));
      },
    },
    'unregister() of an fd not registered is KeyError(fd)': {
      py: `p = poll(); p.unregister(999)`,
      js: () => poll().unregister(999),
    },
    'unregister() of a socket not registered is KeyError(its fd)': {
      py: `a, b = pair(); poll().unregister(a)`,
      js: () => poll().unregister(pair()[0]),
    },
    'a closed peer: POLLIN|POLLHUP': {
      py: `a, b = pair(); a.close(); p = poll(); p.register(b, POLLIN); ev(p.poll(0))`,
      js: () => {
        const [a, b] = pair();
        a.close();
        const p = poll();
        p.register(b, POLLIN);
        return ev(p.poll(0));
      },
    },
    'a registered fd that was closed: POLLNVAL': {
      py: `a, b = pair(); p = poll(); fd = a.fileno(); p.register(fd, POLLIN); a.close(); [[f == fd, e] for f, e in p.poll(0)]`,
      js: () => {
        const [a] = pair();
        const p = poll();
        const fd = a.fileno();
        p.register(fd, POLLIN);
        a.close();
        return p.poll(0).map(([f, e]) => [f === fd, e]);
      },
    },
    'poll(null) (None) waits until something is ready': {
      py: `a, b = pair(); p = poll(); p.register(a, POLLOUT); ev(p.poll(None))`,
      js: () => {
        const [a] = pair();
        const p = poll();
        p.register(a, POLLOUT);
        return ev(p.poll(null));
      },
    },
    'a negative timeout waits for ever too (returns when ready)': {
      py: `a, b = pair(); p = poll(); p.register(a, POLLOUT); ev(p.poll(-1))`,
      js: () => {
        const [a] = pair();
        const p = poll();
        p.register(a, POLLOUT);
        return ev(p.poll(-1));
      },
    },
    'a timeout that expires returns []': {
      py: `a, b = pair(); p = poll(); p.register(a, POLLIN); p.poll(1.5)`,
      js: () => {
        const [a] = pair();
        const p = poll();
        p.register(a, POLLIN);
        return p.poll(1.5);
      },
    },
    'register() of a negative fd is a ValueError': {
      py: `poll().register(-1)`,
      js: () => poll().register(-1),
    },
    'register() of a string is a TypeError': {
      py: `poll().register('x')`,
      js: () => poll().register(any('x')),
    },
    'register() of an fd beyond a C int is an OverflowError, not another fd': {
      py: `a, b = pair(); poll().register(2**32 + a.fileno())`,
      js: () => poll().register(2 ** 32 + pair()[0].fileno()),
    },
    'a negative eventmask is a ValueError': {
      py: `a, b = pair(); poll().register(a, -1)`,
      js: () => poll().register(pair()[0], -1),
    },
    'an eventmask beyond an unsigned short is an OverflowError': {
      py: `a, b = pair(); poll().register(a, 0x10000)`,
      js: () => poll().register(pair()[0], 0x10000),
    },
    'a float eventmask is a TypeError': {
      py: `a, b = pair(); poll().register(a, 1.5)`,
      js: () => poll().register(pair()[0], 1.5),
    },
    'a timeout that is not a number is a TypeError': {
      py: `poll().poll('a')`,
      js: () => poll().poll(any('a')),
    },
    'timeout NaN is a ValueError': {
      py: `poll().poll(float('nan'))`,
      js: () => poll().poll(NaN),
    },
  });
});

// ---- epoll objects ----

describe('epoll objects as Python', () => {
  oracle({
    'register() with the default mask (EPOLLIN|EPOLLPRI|EPOLLOUT)': {
      py: `a, b = pair(); e = ep(); e.register(a); ev(e.poll(0))`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a);
        return ev(e.poll(0));
      },
    },
    'readable entries only, for EPOLLIN': {
      py: `a, b = pair(); b.send(b'x'); e = ep(); e.register(a, EPOLLIN); e.register(b.fileno(), EPOLLIN); ev(e.poll(0))`,
      js: () => {
        const [a, b] = pair();
        b.send(Buffer.from('x'));
        const e = ep();
        e.register(a, EPOLLIN);
        e.register(b.fileno(), EPOLLIN);
        return ev(e.poll(0));
      },
    },
    'register() of an fd already there is FileExistsError': {
      py: `a, b = pair(); e = ep(); e.register(a); e.register(a.fileno())`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a);
        return e.register(a.fileno());
      },
    },
    'modify() changes the mask': {
      py: `a, b = pair(); e = ep(); e.register(a, EPOLLIN); r1 = ev(e.poll(0)); e.modify(a, EPOLLOUT); [r1, ev(e.poll(0))]`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a, EPOLLIN);
        const r1 = ev(e.poll(0));
        e.modify(a, EPOLLOUT);
        return [r1, ev(e.poll(0))];
      },
    },
    'modify() of an fd not registered is FileNotFoundError': {
      py: `a, b = pair(); ep().modify(a, EPOLLIN)`,
      js: () => ep().modify(pair()[0], EPOLLIN),
    },
    'unregister() removes the fd': {
      py: `a, b = pair(); e = ep(); e.register(a); e.unregister(a); ev(e.poll(0))`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a);
        e.unregister(a);
        return ev(e.poll(0));
      },
    },
    'unregister() of an fd not registered is FileNotFoundError': {
      py: `a, b = pair(); ep().unregister(a)`,
      js: () => ep().unregister(pair()[0]),
    },
    'maxevents caps the result': {
      py: `a, b = pair(); c, d = pair(); e = ep(); [e.register(s, EPOLLOUT) for s in (a, b, c)]; len(e.poll(0, 2))`,
      js: () => {
        const [a, b] = pair();
        const [c] = pair();
        const e = ep();
        for (const s of [a, b, c]) e.register(s, EPOLLOUT);
        return e.poll(0, 2).length;
      },
    },
    'EPOLLET: an edge is reported once': {
      py: `a, b = pair(); e = ep(); e.register(b, EPOLLIN | EPOLLET); a.send(b'x'); r1 = ev(e.poll(0)); r2 = ev(e.poll(0)); a.send(b'y'); [r1, r2, ev(e.poll(0))]`,
      js: () => {
        const [a, b] = pair();
        const e = ep();
        e.register(b, EPOLLIN | EPOLLET);
        a.send(Buffer.from('x'));
        const r1 = ev(e.poll(0));
        const r2 = ev(e.poll(0));
        a.send(Buffer.from('y'));
        return [r1, r2, ev(e.poll(0))];
      },
    },
    'EPOLLONESHOT: one event, then none until modify()': {
      py: `a, b = pair(); e = ep(); e.register(b, EPOLLIN | EPOLLONESHOT); a.send(b'x'); r1 = ev(e.poll(0)); r2 = ev(e.poll(0)); e.modify(b, EPOLLIN); [r1, r2, ev(e.poll(0))]`,
      js: () => {
        const [a, b] = pair();
        const e = ep();
        e.register(b, EPOLLIN | EPOLLONESHOT);
        a.send(Buffer.from('x'));
        const r1 = ev(e.poll(0));
        const r2 = ev(e.poll(0));
        e.modify(b, EPOLLIN);
        return [r1, r2, ev(e.poll(0))];
      },
    },
    'EPOLLRDHUP when the peer closes': {
      py: `a, b = pair(); e = ep(); e.register(b, EPOLLIN | EPOLLRDHUP); a.close(); ev(e.poll(0))`,
      js: () => {
        const [a, b] = pair();
        const e = ep();
        e.register(b, EPOLLIN | EPOLLRDHUP);
        a.close();
        return ev(e.poll(0));
      },
    },
    'poll(null) (None) waits until something is ready': {
      py: `a, b = pair(); e = ep(); e.register(a, EPOLLOUT); ev(e.poll(None))`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a, EPOLLOUT);
        return ev(e.poll(null));
      },
    },
    'a negative timeout waits for ever too (returns when ready)': {
      py: `a, b = pair(); e = ep(); e.register(a, EPOLLOUT); ev(e.poll(-1))`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a, EPOLLOUT);
        return ev(e.poll(-1));
      },
    },
    'a timeout that expires returns []': {
      py: `a, b = pair(); e = ep(); e.register(a, EPOLLIN); e.poll(0.01)`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a, EPOLLIN);
        return e.poll(0.01);
      },
    },
    'close(): closed, and every use after it is a ValueError; close() again does nothing': {
      py: `e = ep(); e.close(); [e.closed, e.close()]`,
      js: () => {
        const e = ep();
        e.close();
        return [e.closed, e.close()];
      },
    },
    'fileno() after close() is a ValueError': {
      py: `e = ep(); e.close(); e.fileno()`,
      js: () => {
        const e = ep();
        e.close();
        return e.fileno();
      },
    },
    'register() after close() is a ValueError': {
      py: `a, b = pair(); e = ep(); e.close(); e.register(a)`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.close();
        return e.register(a);
      },
    },
    'register() of a closed socket on a closed object: the fd is checked first, as Python does': {
      py: `a, b = pair(); a.close(); e = ep(); e.close(); e.register(a, EPOLLIN)`,
      js: () => {
        const [a] = pair();
        a.close();
        const e = ep();
        e.close();
        return e.register(a, EPOLLIN);
      },
    },
    'modify() with a mask that is no integer on a closed object: the mask is checked before the object': {
      py: `a, b = pair(); e = ep(); e.close(); e.modify(a, 'x')`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.close();
        return e.modify(a, 'x' as unknown as number);
      },
    },
    'register() of a closed socket with a mask that is no integer: the fd is checked first': {
      py: `a, b = pair(); a.close(); e = ep(); e.register(a, None)`,
      js: () => {
        const [a] = pair();
        a.close();
        return ep().register(a, null as unknown as number);
      },
    },
    'poll() after close() is a ValueError': {
      py: `e = ep(); e.close(); e.poll(0)`,
      js: () => {
        const e = ep();
        e.close();
        return e.poll(0);
      },
    },
    'fromfd() makes an epoll object of an epoll fd': {
      py: `a, b = pair(); e = ep(); e.register(a, EPOLLOUT); e2 = select.epoll.fromfd(os.dup(e.fileno())); opened.append(e2); [e2.closed, ev(e2.poll(0))]`,
      js: () => {
        const [a] = pair();
        const e = ep();
        e.register(a, EPOLLOUT);
        const e2 = epoll.fromfd(bsdsock.dup(e.fileno()));
        opened.push(e2);
        return [e2.closed, ev(e2.poll(0))];
      },
    },
    'epoll(sizehint, EPOLL_CLOEXEC) is accepted': {
      py: `e = ep(8, EPOLL_CLOEXEC); e.closed`,
      js: () => ep(8, S.EPOLL_CLOEXEC).closed,
    },
    'sizehint 0 is a ValueError': {
      py: `ep(0)`,
      js: () => ep(0),
    },
    'sizehint -2 is a ValueError': {
      py: `ep(-2)`,
      js: () => ep(-2),
    },
    'flags other than 0 and EPOLL_CLOEXEC: OSError("invalid flags")': {
      py: `ep(-1, 5)`,
      js: () => ep(-1, 5),
    },
    'register() of a negative fd is a ValueError': {
      py: `ep().register(-1)`,
      js: () => ep().register(-1),
    },
    'register() of an fd that is not open is EBADF': {
      py: `ep().register(1000)`,
      js: () => ep().register(1000),
    },
    'register() of a regular file is EPERM (PermissionError)': {
      py: `ep().register(devnull())`,
      js: () => ep().register(devnull()),
    },
    'register() of an fd beyond a C int is an OverflowError, not another fd': {
      py: `a, b = pair(); ep().register(2**32 + a.fileno())`,
      js: () => ep().register(2 ** 32 + pair()[0].fileno()),
    },
    'register() of an fd of 2**31 is an OverflowError': {
      py: `ep().register(2**31)`,
      js: () => ep().register(2 ** 31),
    },
    'maxevents 0 is a ValueError': {
      py: `ep().poll(0, 0)`,
      js: () => ep().poll(0, 0),
    },
    'maxevents -2 is a ValueError': {
      py: `ep().poll(0, -2)`,
      js: () => ep().poll(0, -2),
    },
    'a timeout that is not a number is a TypeError': {
      py: `ep().poll('a')`,
      js: () => ep().poll(any('a')),
    },
    'timeout NaN is a ValueError': {
      py: `ep().poll(float('nan'))`,
      js: () => ep().poll(NaN),
    },
  });

  it('`using` closes the epoll object at the end of the scope', () => {
    let fd: number;
    let outer: epoll;
    {
      using e = new epoll();
      outer = e;
      fd = e.fileno();
      expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).toBe('anon_inode:[eventpoll]');
    }
    expect(outer.closed).toBe(true);
    expect(() => fs.readlinkSync(`/proc/self/fd/${fd}`)).toThrow();
  });

  it('the epoll fd is close-on-exec', () => {
    using e = new epoll();
    const flags = fs.readFileSync(`/proc/self/fdinfo/${e.fileno()}`, 'utf8').match(/flags:\s+(\d+)/)![1]!;
    expect(parseInt(flags, 8) & 0o2000000).not.toBe(0);
  });
});

// ---- constants ----

describe('constants', () => {
  it("every POLL*/EPOLL* constant and PIPE_BUF of Python's select module, with Python's value", () => {
    const py = python('import select', {
      all: `sorted([k, getattr(select, k)] for k in dir(select) if k.startswith(('POLL', 'EPOLL')) or k == 'PIPE_BUF')`,
    }).all as { value: [string, number][] };
    const ours = py.value.map(([name]) => [name, (S as Record<string, unknown>)[name]]);
    expect(ours).toEqual(py.value);
  });

  it("kqueue, kevent and the KQ_* constants exist exactly where Python's select module has them, with its values", () => {
    const py = python('import select', {
      kq: `sorted([k, getattr(select, k)] for k in dir(select) if k.startswith('KQ_'))`,
      has: `[hasattr(select, 'kqueue'), hasattr(select, 'kevent')]`,
    }) as Record<string, { value: unknown }>;
    const exported = S as Record<string, unknown>;
    const ours = Object.keys(S)
      .filter((k) => k.startsWith('KQ_') && exported[k] !== undefined)
      .sort()
      .map((k) => [k, exported[k]]);
    expect(ours).toEqual(py.kq!.value);
    expect([S.kqueue !== undefined, S.kevent !== undefined]).toEqual(py.has!.value);
  });
});

// ---- kqueue (macOS and FreeBSD): the same calls in python3 and here ----

const KQ_PY_SETUP = String.raw`
import socket, select
a, b = socket.socketpair()
`;
/** Each case twice: Python source, and the same calls on bsdsock with `kq`, `kev` (select.kqueue, select.kevent) and a socketpair. */
const KQ_CASES: Record<string, [string, (kq: NonNullable<typeof S.kqueue>, kev: NonNullable<typeof S.kevent>, a: Socket, b: Socket) => unknown]> = {
  'a read filter reports the bytes waiting, with udata': [
    `kq = select.kqueue()
kq.control([select.kevent(b.fileno(), select.KQ_FILTER_READ, select.KQ_EV_ADD, udata=7)], 0, 0)
before = kq.control(None, 4, 0)
a.send(b'xy')
[len(before)] + [[e.ident == b.fileno(), e.filter, e.flags & select.KQ_EV_ADD, e.data, e.udata] for e in kq.control(None, 4, None)]`,
    (kq, kev, a, b) => {
      const q = new kq();
      q.control([new kev(b.fileno(), S.KQ_FILTER_READ, S.KQ_EV_ADD, 0, 0, 7)], 0, 0);
      const before = q.control(null, 4, 0);
      a.send(Buffer.from('xy'));
      const got = q.control(null, 4, null).map((e) => [e.ident === b.fileno(), e.filter, e.flags & S.KQ_EV_ADD, e.data, e.udata]);
      q.close();
      return [before.length, ...got];
    },
  ],
  'a write filter on a fresh socket fires at once': [
    `kq = select.kqueue()
[[e.filter, e.ident == a.fileno()] for e in kq.control([select.kevent(a, select.KQ_FILTER_WRITE)], 1, 0)]`,
    (kq, kev, a) => new kq().control([new kev(a, S.KQ_FILTER_WRITE)], 1, 0).map((e) => [e.filter, e.ident === a.fileno()]),
  ],
  'negative max_events': [`select.kqueue().control(None, -1)`, (kq) => new kq().control(null, -1)],
  'negative timeout': [`select.kqueue().control(None, 1, -1)`, (kq) => new kq().control(null, 1, -1)],
  'a timeout that is not a number': [`select.kqueue().control(None, 1, 'x')`, (kq) => new kq().control(null, 1, 'x' as unknown as number)],
  'a changelist of other things': [`select.kqueue().control([1], 0, 0)`, (kq) => new kq().control([1] as never, 0, 0)],
  'a changelist that is not iterable': [`select.kqueue().control(1, 0, 0)`, (kq) => new kq().control(1 as never, 0, 0)],
  'a closed kqueue': [
    `kq = select.kqueue()
kq.close()
[kq.closed, kq.close()] and kq.fileno()`,
    (kq) => {
      const q = new kq();
      q.close();
      q.close();
      return q.fileno();
    },
  ],
  'a filter beyond a short': [`select.kevent(0, 1 << 15)`, (_kq, kev) => new kev(0, 1 << 15)],
  'a negative ident': [`select.kevent(-1)`, (_kq, kev) => new kev(-1)],
  'flags and fflags wrap as C unsigned ints': [
    `e = select.kevent(0, 0, -1, -1)
[e.flags, e.fflags]`,
    (_kq, kev) => {
      const e = new kev(0, 0, -1, -1);
      return [e.flags, e.fflags];
    },
  ],
};

describe('kqueue', () => {
  const kq = S.kqueue;
  const kev = S.kevent;
  const py = python(KQ_PY_SETUP, Object.fromEntries(Object.entries(KQ_CASES).map(([name, [src]]) => [name, src])));
  for (const [name, [, run]] of Object.entries(KQ_CASES)) {
    it.skipIf(kq === undefined || kev === undefined)(`${name} (macOS and FreeBSD only: this OS has no kqueue)`, () => {
      const [a, b] = socketpair();
      try {
        expect(normalize(outcome(() => run(kq!, kev!, a, b)))).toEqual(normalize(expected(py[name]!)));
      } finally {
        a.close();
        b.close();
      }
    });
  }
});

// ---- timeouts out of range: each in its own child, as a bad one may abort or hang the process ----

interface ChildOutcome {
  outcome?: Outcome;
  crashed?: string;
}

/** Runs `expr` (a bsdsock/select call) in a child Node process; a child that hangs is killed after `guardMs`. */
function inChild(expr: string, guardMs = 3000): Promise<ChildOutcome> {
  const script = `
    const S = require('bsdsock/select');
    const bs = require('bsdsock');
    const selectors = require('bsdsock/selectors');
    let out;
    try { out = { value: (${expr}) ?? null }; }
    catch (e) { out = { error: e.constructor.name, message: e.message, errno: e.errno ?? null }; }
    process.stdout.write(JSON.stringify(out) + '\\n');
    process.exit(0);
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    // 'close', not 'exit': at 'exit' the child's output may still be in the pipe.
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (code === 0 && stdout.trim()) return resolve({ outcome: JSON.parse(stdout.trim()) as Outcome });
      const why = signal === 'SIGKILL' ? `still blocked after ${guardMs} ms` : `died (${signal ?? code}): ${stderr.split('\n').find((l) => l.trim()) ?? ''}`;
      resolve({ crashed: why });
    });
  });
}

describe('timeouts out of range, as Python: an error, never an abort or a wait for ever', () => {
  const cases: Record<string, [string, string]> = {
    'select(), timeout 1e300': [`select.select([], [], [], 1e300)`, `S.select([], [], [], 1e300)`],
    'select(), timeout inf': [`select.select([], [], [], float('inf'))`, `S.select([], [], [], Infinity)`],
    'poll.poll(), timeout 1e300 ms': [`select.poll().poll(1e300)`, `S.poll().poll(1e300)`],
    'poll.poll(), timeout inf': [`select.poll().poll(float('inf'))`, `S.poll().poll(Infinity)`],
    'poll.poll(), timeout 2**31 ms': [`select.poll().poll(2**31)`, `S.poll().poll(2 ** 31)`],
    'epoll.poll(), timeout 1e300': [`select.epoll().poll(1e300)`, `new S.epoll().poll(1e300)`],
    'epoll.poll(), timeout inf': [`select.epoll().poll(float('inf'))`, `new S.epoll().poll(Infinity)`],
    'epoll.poll(), timeout -1e300': [`select.epoll().poll(-1e300)`, `new S.epoll().poll(-1e300)`],
    'epoll.poll(), timeout 2**31': [`select.epoll().poll(2**31)`, `new S.epoll().poll(2 ** 31)`],
    // A safe integer is an int (Python's int words), a number beyond is a float (as 1e300 is).
    'select(), timeout 10**10, an int': [`select.select([], [], [], 10**10)`, `S.select([], [], [], 1e10)`],
    'poll.poll(), timeout 10**13 ms, an int': [`select.poll().poll(10**13)`, `S.poll().poll(1e13)`],
    'epoll.poll(), timeout 10**10, an int': [`select.epoll().poll(10**10)`, `new S.epoll().poll(1e10)`],
    'settimeout(10**10), an int': [`socket.socket().settimeout(10**10)`, `bs.socket().settimeout(1e10)`],
    'settimeout(1e300), a float': [`socket.socket().settimeout(1e300)`, `bs.socket().settimeout(1e300)`],
    // A bigint is an int of any size, as Python's.
    'select(), timeout 2**63 as a bigint': [`select.select([], [], [], 2**63)`, `S.select([], [], [], 2n ** 63n)`],
    'poll.poll(), timeout 10 ms as a bigint': [`select.poll().poll(10)`, `S.poll().poll(10n)`],
    'settimeout(2**63) as a bigint': [`socket.socket().settimeout(2**63)`, `bs.socket().settimeout(2n ** 63n)`],
    'settimeout(10) as a bigint, then gettimeout()': [`(lambda s: (s.settimeout(10), s.gettimeout())[1])(socket.socket())`, `((s) => (s.settimeout(10n), s.gettimeout()))(bs.socket())`],
    // Lib/selectors.py's math.ceil: NaN and infinity are its errors; PollSelector hands poll() an int, EpollSelector a float.
    'PollSelector.select(nan)': [`selectors.PollSelector().select(float('nan'))`, `new selectors.PollSelector().select(NaN)`],
    'EpollSelector.select(inf)': [`selectors.EpollSelector().select(float('inf'))`, `new selectors.EpollSelector().select(Infinity)`],
    'EpollSelector.select(-inf)': [`selectors.EpollSelector().select(float('-inf'))`, `new selectors.EpollSelector().select(-Infinity)`],
    'PollSelector.select(1e300)': [`selectors.PollSelector().select(1e300)`, `new selectors.PollSelector().select(1e300)`],
    'EpollSelector.select(10**10)': [`selectors.EpollSelector().select(10**10)`, `new selectors.EpollSelector().select(1e10)`],
  };
  const py = python('import select, selectors, socket', Object.fromEntries(Object.entries(cases).map(([k, [p]]) => [k, p])));
  for (const [name, [, js]] of Object.entries(cases)) {
    it.concurrent(name, async () => {
      const got = await inChild(js);
      expect(got).toEqual({ outcome: expected(py[name]!) });
    });
  }
});

// ---- signals during waits, sent for real to a child process ----

/**
 * A child blocked in one wait on a UDP socket bound on 127.0.0.1, which the
 * parent may send a datagram to. argv: op signal timeout|none siginterrupt(0|1|-) listener(0|1).
 * op: select, poll, epoll, or a selectors class name. Prints JSON lines:
 * {ready, port}, then {result, data} or {error, ...}, then {listener} if the signal's listener ran.
 */
const WAITER = String.raw`
'use strict';
const os = require('node:os');
const bs = require('bsdsock');
const S = require('bsdsock/select');
const selectors = require('bsdsock/selectors');
const [op, signal, timeoutArg, interrupts, listen] = process.argv.slice(1);
const timeout = timeoutArg === 'none' ? null : Number(timeoutArg);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
if (interrupts !== '-') bs.siginterrupt(os.constants.signals[signal], interrupts === '1');
// The listener runs inside the wait (as a Python handler does); one that throws
// ends the wait with its exception, as a handler that raises.
class Stop extends Error {}
if (listen === '1') {
  process.on(signal, () => {
    say({ listener: signal });
    if (interrupts !== '0') throw new Stop('stop');
  });
}
const s = bs.socket(bs.AF_INET, bs.SOCK_DGRAM);
s.bind(['127.0.0.1', 0]);
const name = (x) => (x === s || x === s.fileno() ? 'sock' : String(x));
function wait() {
  if (op === 'select') return S.select([s], [], [], timeout)[0].map(name);
  if (op === 'poll') {
    const p = S.poll();
    p.register(s, S.POLLIN);
    return p.poll(timeout === null ? null : timeout * 1000).map(([fd, e]) => [name(fd), e]);
  }
  if (op === 'epoll') {
    const e = new S.epoll();
    try {
      e.register(s, S.EPOLLIN);
      return e.poll(timeout).map(([fd, ev]) => [name(fd), ev]);
    } finally {
      e.close();
    }
  }
  const sel = new selectors[op]();
  try {
    sel.register(s, selectors.EVENT_READ, 'data');
    return sel.select(timeout).map(([key, ev]) => [name(key.fileobj), ev, key.data]);
  } finally {
    sel.close();
  }
}
S.select([s], [], [], 0);
say({ ready: true, port: s.getsockname()[1] });
try {
  const result = wait();
  say({ result, data: result.length > 0 ? s.recv(100).toString() : null });
} catch (e) {
  say({ error: e.constructor.name, message: e.message });
}
s.close();
// A listener kept out of waits (siginterrupt false) runs once the loop turns; then exit.
setTimeout(() => process.exit(0), 300);
`;

const waiter = (op: string, signal: string, timeout: string, interrupts: string, listen = '1') => [process.execPath, '-e', WAITER, op, signal, timeout, interrupts, listen];

const WAITS = ['select', 'poll', 'epoll', 'DefaultSelector', 'PollSelector', 'SelectSelector'];

/** The listener ran once, inside the wait, and the exception it threw ended the wait (selectors too, as Python's). */
function interruptedThenListener(run: Exit, op: string, signal: string): void {
  expect(run.code, run.stderr).toBe(0);
  const at = run.lines.findIndex((l) => 'error' in l || 'result' in l);
  expect(run.lines[at], `${op}: ${JSON.stringify(run.lines)}`).toEqual({ error: 'Stop', message: 'stop' });
  const listened = run.lines.flatMap((l, i) => (l.listener === signal ? [i] : []));
  expect(listened).toEqual([at - 1]);
}

/** What the wait returns when the socket has a datagram. */
function readyResult(op: string): unknown {
  if (op === 'select') return ['sock'];
  if (op === 'poll') return [['sock', POLLIN]];
  if (op === 'epoll') return [['sock', EPOLLIN]];
  return [['sock', selectors.EVENT_READ, 'data']];
}

describe.concurrent('signals during waits', () => {
  for (const op of WAITS) {
    describe(op, () => {
      it("SIGINT's listener runs inside a wait with no timeout, and its exception ends the wait", async () => {
        interruptedThenListener(await signalWhenReady(waiter(op, 'SIGINT', 'none', '-'), { signal: 'SIGINT' }), op, 'SIGINT');
      });

      it("SIGTERM's listener runs inside a wait with a timeout, and its exception ends the wait", async () => {
        interruptedThenListener(await signalWhenReady(waiter(op, 'SIGTERM', '20', '-'), { signal: 'SIGTERM' }), op, 'SIGTERM');
      });

      it("SIGUSR2's listener runs inside the wait after siginterrupt(SIGUSR2, true)", async () => {
        interruptedThenListener(await signalWhenReady(waiter(op, 'SIGUSR2', 'none', '1'), { signal: 'SIGUSR2' }), op, 'SIGUSR2');
      });

      it('a signal that does not interrupt lets the wait go on (PEP 475) and return what became ready', async () => {
        const run = await signalWhenReady(waiter(op, 'SIGUSR2', 'none', '0'), {
          signal: 'SIGUSR2',
          then: (port) => {
            const client = socket(AF_INET, SOCK_DGRAM);
            client.sendto(Buffer.from('after the signal'), ['127.0.0.1', port]);
            client.close();
          },
        });
        expect(run.code, run.stderr).toBe(0);
        expect(run.lines.find((l) => 'result' in l || 'error' in l)).toEqual({ result: readyResult(op), data: 'after the signal' });
        expect(run.lines.some((l) => l.listener === 'SIGUSR2')).toBe(true);
      });

      it('under a storm of signals that do not interrupt, a timeout still expires (the time left is recomputed)', async () => {
        const run = await signalWhenReady(waiter(op, 'SIGUSR2', '1', '0'), { signal: 'SIGUSR2', every: 40 });
        expect(run.code, run.stderr).toBe(0);
        expect(run.lines.find((l) => 'result' in l || 'error' in l)).toEqual({ result: [], data: null });
      });
    });
  }

  it('SIGTERM with no listener ends a process blocked in select(), as it ends python3', async () => {
    const py = await signalWhenReady(
      ['python3', '-c', `import json, select, socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nprint(json.dumps({'ready': True}), flush=True)\nselect.select([s], [], [])`],
      { signal: 'SIGTERM' },
    );
    expect(py.signal).toBe('SIGTERM');
    const node = await signalWhenReady(waiter('select', 'SIGTERM', 'none', '-', '0'), { signal: 'SIGTERM' });
    expect(node.signal).toBe('SIGTERM');
  });

  it("SIGINT with no listener ends a process blocked in a selector's select()", async () => {
    const node = await signalWhenReady(waiter('DefaultSelector', 'SIGINT', 'none', '-', '0'), { signal: 'SIGINT' });
    expect(node.signal).toBe('SIGINT');
  });

  it('SIGTERM with no listener ends a process that made a wait before (it is not blocked now)', async () => {
    const script = `
      const S = require('bsdsock/select');
      const bs = require('bsdsock');
      const [a, b] = bs.socketpair();
      S.select([b], [], [], 0.01);
      a.close(); b.close();
      console.log(JSON.stringify({ ready: true }));
      setTimeout(() => {}, 10000);
    `;
    const node = await signalWhenReady([process.execPath, '-e', script], { signal: 'SIGTERM' });
    expect(node.signal).toBe('SIGTERM');
  });

  it('a signal whose listener already ran while no wait was in progress does not interrupt a later wait', async () => {
    // The same sequence in both: a handler, one wait, then an interrupting signal
    // while idle (its handler runs), then a ready socket and an idle one are waited on.
    const py = await signalWhenReady(
      [
        'python3',
        '-c',
        String.raw`
import json, select, signal, socket
got = []
signal.signal(signal.SIGINT, lambda *_: got.append(1))
a, b = socket.socketpair()
select.select([b], [], [], 0)
print(json.dumps({'ready': True}), flush=True)
while not got:
    signal.pause()
a.send(b'x')
ready = [len(l) for l in select.select([b], [], [], 0)]
idle = [len(l) for l in select.select([a], [], [], 0.05)]
print(json.dumps({'ready_wait': ready, 'idle_wait': idle}), flush=True)
`,
      ],
      { signal: 'SIGINT' },
    );
    const node = await signalWhenReady(
      [
        process.execPath,
        '-e',
        String.raw`
const S = require('bsdsock/select');
const bs = require('bsdsock');
const lengths = (f) => { try { return f().map((l) => l.length); } catch (e) { return e.constructor.name; } };
const [a, b] = bs.socketpair();
process.on('SIGINT', () => {
  setTimeout(() => {
    a.send(Buffer.from('x'));
    const ready = lengths(() => S.select([b], [], [], 0));
    const idle = lengths(() => S.select([a], [], [], 0.05));
    console.log(JSON.stringify({ ready_wait: ready, idle_wait: idle }));
    a.close(); b.close();
    process.exit(0);
  }, 20);
});
S.select([b], [], [], 0);
console.log(JSON.stringify({ ready: true }));
setInterval(() => {}, 1000);
`,
      ],
      { signal: 'SIGINT' },
    );
    const result = (run: Exit) => run.lines.find((l) => 'ready_wait' in l);
    expect(result(py)).toEqual({ ready_wait: [1, 0, 0], idle_wait: [0, 0, 0] });
    expect(result(node)).toEqual(result(py));
  });
});

// A KeyError is bsdsock's own class, exported by bsdsock/select.
it('KeyError is exported by bsdsock/select and is an Error', () => {
  expect(() => poll().unregister(12345)).toThrow(KeyError);
  expect(new KeyError('x')).toBeInstanceOf(Error);
});

// Timeouts, maxevents and epoll()'s arguments from pools past every bound, each call's outcome as
// python3's: which argument is converted first, and in which words each overflows. No timeout here
// waits (none positive beyond a millisecond, none negative where that means for ever).
describe('select, poll, epoll and the selectors over a pool of timeouts and counts, as python3', () => {
  const TIMEOUTS: PoolValue[] = [
    ['0', 0],
    ['0.001', 0.001],
    ['2**40', 2 ** 40],
    ['-2**40', -(2 ** 40)],
    ['2**63', 2n ** 63n],
    ['-2**63 - 1', -(2n ** 63n) - 1n],
    ['2**100', 2n ** 100n],
    ['1e300', 1e300],
    ["float('nan')", NaN],
    ["float('inf')", Infinity],
    ["-float('inf')", -Infinity],
    ["'x'", 'x'],
    ['[1]', [1]],
  ];
  const COUNTS: PoolValue[] = [['-1', -1], ['0', 0], ['1', 1], ['2**31', 2 ** 31], ['2**63', 2n ** 63n], ['1.5', 1.5], ['None', null], ['True', true]];
  const withEpoll = <T>(f: (e: epoll) => T): T => {
    const e = new epoll();
    try {
      return f(e);
    } finally {
      e.close();
    }
  };
  const selecting = (cls: new () => selectors.BaseSelector, t: unknown): unknown => {
    const x = new cls();
    try {
      return x.select(t as number);
    } finally {
      x.close();
    }
  };
  const CALLS: [string, (args: unknown[]) => unknown, PoolValue[][]][] = [
    ['select.select([], [], [], %)', ([t]) => select([], [], [], t as number), [TIMEOUTS]],
    ['select.poll().poll(%)', ([t]) => poll().poll(t as number), [TIMEOUTS]],
    ['ep_poll(%)', ([t]) => withEpoll((e) => e.poll(t as number)), [TIMEOUTS]],
    ['ep_poll(%)', ([t, m]) => withEpoll((e) => e.poll(t as number, m as number)), [TIMEOUTS, COUNTS]],
    ["sel_select('Select', %)", ([t]) => selecting(selectors.SelectSelector, t), [TIMEOUTS]],
    ["sel_select('Poll', %)", ([t]) => selecting(selectors.PollSelector, t), [TIMEOUTS]],
    ["sel_select('Epoll', %)", ([t]) => selecting(selectors.EpollSelector, t), [TIMEOUTS]],
    ['ep_new(%)', ([h, f]) => (new epoll(h as number, f as number).close(), 'made'), [COUNTS, COUNTS]],
  ];
  const cases = CALLS.flatMap(([shape, run, pools]) =>
    combinations(pools).map((args) => ({ call: shape.replace('%', args.map(([l]) => l).join(', ')), args, run })),
  );
  const py = python(
    `import select, selectors
def ep_poll(*a):
    e = select.epoll()
    try: return e.poll(*a)
    finally: e.close()
def ep_new(*a):
    select.epoll(*a).close(); return 'made'
def sel_select(kind, t):
    x = getattr(selectors, kind + 'Selector')()
    try: return x.select(t)
    finally: x.close()`,
    Object.fromEntries(cases.map(({ call }) => [call, call])),
  );
  it(`${cases.length} calls`, () => {
    const found = cases.flatMap(({ call, args, run }) => mismatches([{ call, args }], py, (values) => run(values)));
    expect(found).toEqual([]);
  });
});

// Event masks from the pool of ints, on one end of a socketpair with a byte to read (readable and
// writable): poll's and epoll's register and modify, and the selectors' register and modify, then
// what a poll that does not wait reports (the events alone: fd numbers differ between the two
// processes), each outcome as python3's.
describe('event masks over a pool of ints: register and modify, as python3', () => {
  const [A, B] = socketpair();
  B.send(Buffer.from('x'));
  afterAll(() => {
    A.close();
    B.close();
  });
  const withPoll = (f: (p: ReturnType<typeof poll>) => void): number[] => {
    const p = poll();
    f(p);
    return p.poll(0).map(([, ev]) => ev);
  };
  const withEp = (f: (e: epoll) => void): number[] => {
    const e = new epoll();
    try {
      f(e);
      return e.poll(0).map(([, ev]) => ev);
    } finally {
      e.close();
    }
  };
  const withSelector = (kind: 'Select' | 'Poll' | 'Epoll', f: (x: selectors.BaseSelector) => void): number[] => {
    const x = new selectors[`${kind}Selector`]();
    try {
      f(x);
      // A key's events are the int given, a bigint too: Python's & sees all its bits.
      return x.select(0).map(([key, ev]) => Number(BigInt(key.events) & BigInt(ev)));
    } finally {
      x.close();
    }
  };
  const CALLS: [string, (mask: unknown) => unknown][] = [
    ['p_reg(%)', (m) => withPoll((p) => p.register(A, m as number))],
    ['p_mod(%)', (m) => withPoll((p) => (p.register(A), p.modify(A, m as number)))],
    ['ep_reg(%)', (m) => withEp((e) => e.register(A, m as number))],
    ['ep_mod(%)', (m) => withEp((e) => (e.register(A), e.modify(A, m as number)))],
    ...(['Select', 'Poll', 'Epoll'] as const).flatMap((kind): [string, (mask: unknown) => unknown][] => [
      [`sel_reg('${kind}', %)`, (m) => withSelector(kind, (x) => x.register(A, m as number))],
      [`sel_mod('${kind}', %)`, (m) => withSelector(kind, (x) => (x.register(A, selectors.EVENT_READ), x.modify(A, m as number)))],
    ]),
  ];
  const cases = CALLS.flatMap(([shape, run]) => INTS.map((v) => ({ call: shape.replace('%', v[0]), args: [v], run })));
  const py = python(
    `import select, selectors, socket
A, B = socket.socketpair(); B.send(b'x')
def with_poll(f):
    p = select.poll(); f(p); return [ev for _, ev in p.poll(0)]
def with_ep(f):
    with select.epoll() as e:
        f(e); return [ev for _, ev in e.poll(0)]
def with_sel(kind, f):
    with getattr(selectors, kind + 'Selector')() as x:
        f(x); return [key.events & ev for key, ev in x.select(0)]
p_reg = lambda m: with_poll(lambda p: p.register(A, m))
p_mod = lambda m: with_poll(lambda p: (p.register(A), p.modify(A, m)))
ep_reg = lambda m: with_ep(lambda e: e.register(A, m))
ep_mod = lambda m: with_ep(lambda e: (e.register(A), e.modify(A, m)))
sel_reg = lambda kind, m: with_sel(kind, lambda x: x.register(A, m))
sel_mod = lambda kind, m: with_sel(kind, lambda x: (x.register(A, selectors.EVENT_READ), x.modify(A, m)))`,
    Object.fromEntries(cases.map(({ call }) => [call, call])),
  );
  it(`${cases.length} calls`, () => {
    const found = cases.flatMap(({ call, args, run }) => mismatches([{ call, args }], py, ([m]) => run(m)));
    expect(found).toEqual([]);
  });
});

// What select, poll, epoll and the selectors take as an fd: the pool of ints (less those that may
// name an open fd in one process and not the other: 0, 1, 2, 64, True, and as int() makes of a
// fileno()'s float, -0.5 and 1.5) given as they are and as what an object's fileno() returns;
// each outcome (the ready events of a poll that does not wait, or the error) as python3's. 65535 is
// an fd no process here has open. select() takes fds past FD_SETSIZE (README): none of those for
// it or the SelectSelector.
describe('file objects over a pool of ints: select, poll, epoll and the selectors, as python3', () => {
  const OPEN = new Set<unknown>([0, 1, 2, 64, true]);
  const FDS: PoolValue[] = TUPLED.filter(([, v]) => !OPEN.has(v));
  /** An object whose fileno() returns `v`, named alike in both reprs. */
  const fileno = (v: unknown) => ({ fileno: () => v, [inspect.custom]: () => '<Fileno object>' });
  const OBJECTS: PoolValue[] = [
    ...FDS,
    ...FDS.filter(([, v]) => v !== -0.5 && v !== 1.5).map(([l, v]): PoolValue => [`Fileno(${l})`, fileno(v)]),
  ];
  /** Whether an object names an fd past FD_SETSIZE, itself or by its fileno(). */
  const beyondSelect = ([, o]: PoolValue): boolean => {
    const v = typeof o === 'object' && o !== null && 'fileno' in o ? (o as { fileno(): unknown }).fileno() : o;
    return (typeof v === 'number' || typeof v === 'bigint') && v >= 1024;
  };
  const evented = (pairs: [unknown, number][]): number[] => pairs.map(([, ev]) => ev);
  const CALLS: [string, (o: unknown) => unknown][] = [
    ['sel(%)', (o) => select([o as number], [], [], 0).map((l) => l.length)],
    ['p_reg(%)', (o) => {
      const p = poll();
      p.register(o as number);
      return evented(p.poll(0));
    }],
    ['ep_reg(%)', (o) => {
      const e = new epoll();
      try {
        e.register(o as number);
        return evented(e.poll(0));
      } finally {
        e.close();
      }
    }],
    ...(['Select', 'Poll', 'Epoll'] as const).map((kind): [string, (o: unknown) => unknown] => [`sel_reg('${kind}', %)`, (o) => {
      const x = new selectors[`${kind}Selector`]();
      try {
        x.register(o as number, selectors.EVENT_READ);
        return x.select(0).map(([, ev]) => ev);
      } finally {
        x.close();
      }
    }]),
    // get_key and unregister of what was never registered: each object's lookup, then the KeyError.
    ...(['get_key', 'unregister'] as const).map((method): [string, (o: unknown) => unknown] => [`sel_${method}(%)`, (o) => {
      const x = new selectors.DefaultSelector();
      try {
        return x[method](o as number);
      } finally {
        x.close();
      }
    }]),
  ];
  const cases = CALLS.flatMap(([shape, run]) =>
    OBJECTS.filter((o) => !((shape === 'sel(%)' || shape.startsWith("sel_reg('Select'")) && beyondSelect(o))).map((o) => ({ call: shape.replace('%', o[0]), args: [o], run })),
  );
  const py = python(
    `import select, selectors
class Fileno:
    def __init__(self, fd): self.fd = fd
    def fileno(self): return self.fd
    def __repr__(self): return '<Fileno object>'
def sel(o):
    return [len(l) for l in select.select([o], [], [], 0)]
def p_reg(o):
    p = select.poll(); p.register(o); return [ev for _, ev in p.poll(0)]
def ep_reg(o):
    with select.epoll() as e:
        e.register(o); return [ev for _, ev in e.poll(0)]
def sel_reg(kind, o):
    with getattr(selectors, kind + 'Selector')() as x:
        x.register(o, selectors.EVENT_READ); return [ev for _, ev in x.select(0)]
def sel_get_key(o):
    with selectors.DefaultSelector() as x: return x.get_key(o)
def sel_unregister(o):
    with selectors.DefaultSelector() as x: return x.unregister(o)`,
    Object.fromEntries(cases.map(({ call }) => [call, call])),
  );
  it(`${cases.length} calls`, () => {
    const found = cases.flatMap(({ call, args, run }) => mismatches([{ call, args }], py, ([o]) => run(o)));
    expect(found).toEqual([]);
  });
});
