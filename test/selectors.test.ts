// bsdsock/selectors against Python's selectors module: every call sequence runs
// once in python3 (all cases in one python3 process, test/helpers/python.ts) and
// once here, for SelectSelector, PollSelector and EpollSelector, and both must
// end the same way. Then the key objects, `using`, and an echo server on each
// selector that serves 1,000 concurrent clients run by a python3 child.
//
// Class mapping, as in test/python-oracle.test.ts: ValueError is RangeError;
// OSError subclasses by name; KeyError and RuntimeError are bsdsock's, KeyError's
// message Python's str() without the quotes KeyError.__str__ adds. Numbers of 10
// and more in messages are file descriptors, which differ between the two
// processes, and are compared as 'N'.
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';

import * as bsdsock from 'bsdsock';
import { BlockingIOError, socket, socketpair, type Socket } from 'bsdsock';
import * as S from 'bsdsock/select';
import * as selectors from 'bsdsock/selectors';
import {
  BaseSelector,
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  EpollSelector,
  KeyError,
  PollSelector,
  RuntimeError,
  SelectSelector,
  SelectorKey,
} from 'bsdsock/selectors';

import { closeNamed, devnull, NAMED_PY, nm, opened, pair } from './helpers/named';
import { encode, expected, normalize, outcome, python, pythonValue, type Outcome } from './helpers/python';
import { Running } from './helpers/run';

// ---- the oracle ----

const PY_SETUP = NAMED_PY + String.raw`
from selectors import *
def sel(cls):
    s = cls(); opened.append(s); return s
def key(k):
    return [nm(k.fileobj), nm(k.fd), k.events, k.data]
def ready(r):
    return sorted([key(k), e] for k, e in r)
`;

function sel(cls: new () => BaseSelector): BaseSelector {
  const s = new cls();
  opened.push(s);
  return s;
}
const key = (k: SelectorKey) => [nm(k.fileobj), nm(k.fd), k.events, k.data];
const ready = (r: [SelectorKey, number][]) =>
  r.map(([k, e]) => [key(k), e] as [unknown[], number]).sort((x, y) => (String(x[0][0]) < String(y[0][0]) ? -1 : 1));
const message = (e: unknown) => (e as Error).message;
/** The key a selector call gives, or the class and errno of the OSError it throws: the Python side's `try: r = key(...) except OSError`. */
const keyOrErrno = (call: () => SelectorKey): unknown => {
  try {
    return key(call());
  } catch (e) {
    return [(e as Error).constructor.name, (e as { errno: number }).errno];
  }
};

afterEach(closeNamed);


interface Case {
  /** Python source; CLS stands for the selector class. */
  py: string;
  js: (cls: new () => BaseSelector) => unknown;
  /** Compare the error class only (the message is one of Python's operators). */
  classOnly?: boolean;
}

const CLASSES = { SelectSelector, PollSelector, EpollSelector } as Record<string, new () => BaseSelector>;

const CASES: Record<string, Case> = {
  'register() returns the key: fileobj, fd, events, data': {
    py: `a, b = pair(); s = sel(CLS); key(s.register(a, EVENT_READ, 'x'))`,
    js: (cls) => key(sel(cls).register(pair()[0], EVENT_READ, 'x')),
  },
  'data defaults to null (None)': {
    py: `a, b = pair(); s = sel(CLS); key(s.register(a, EVENT_WRITE))`,
    js: (cls) => key(sel(cls).register(pair()[0], EVENT_WRITE)),
  },
  'an fd number is a file object too': {
    py: `a, b = pair(); s = sel(CLS); key(s.register(a.fileno(), EVENT_READ | EVENT_WRITE))`,
    js: (cls) => key(sel(cls).register(pair()[0].fileno(), EVENT_READ | EVENT_WRITE)),
  },
  'an object with fileno() is a file object, and comes back as itself': {
    py: `a, b = pair()\nclass F:\n    def fileno(self): return a.fileno()\nf = F(); s = sel(CLS); k = s.register(f, EVENT_WRITE); [k.fileobj is f, nm(k.fd), [[x.fileobj is f, e] for x, e in s.select(0)]]`,
    js: (cls) => {
      const [a] = pair();
      const f = { fileno: () => a.fileno() };
      const s = sel(cls);
      const k = s.register(f, EVENT_WRITE);
      return [k.fileobj === f, nm(k.fd), s.select(0).map(([x, e]) => [x.fileobj === f, e])];
    },
  },
  'events 0: ValueError': {
    py: `a, b = pair(); sel(CLS).register(a, 0)`,
    js: (cls) => sel(cls).register(pair()[0], 0),
  },
  'events 4: ValueError': {
    py: `a, b = pair(); sel(CLS).register(a, 4)`,
    js: (cls) => sel(cls).register(pair()[0], 4),
  },
  'events EVENT_READ | 4: ValueError': {
    py: `a, b = pair(); sel(CLS).register(a, EVENT_READ | 4)`,
    js: (cls) => sel(cls).register(pair()[0], EVENT_READ | 4),
  },
  'events 1.5: TypeError': {
    py: `a, b = pair(); sel(CLS).register(a, 1.5)`,
    js: (cls) => sel(cls).register(pair()[0], 1.5),
    classOnly: true,
  },
  'a string is not a file object: ValueError': {
    py: `sel(CLS).register('x', EVENT_READ)`,
    js: (cls) => sel(cls).register('x' as never, EVENT_READ),
  },
  'fd -1: ValueError': {
    py: `sel(CLS).register(-1, EVENT_READ)`,
    js: (cls) => sel(cls).register(-1, EVENT_READ),
  },
  'a closed socket (fileno() -1): ValueError': {
    py: `a, b = pair(); a.close(); sel(CLS).register(a, EVENT_READ)`,
    js: (cls) => {
      const [a] = pair();
      a.close();
      return sel(cls).register(a, EVENT_READ);
    },
  },
  'registered twice: KeyError "... is already registered"': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.register(a, EVENT_WRITE)`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      return s.register(a, EVENT_WRITE);
    },
  },
  'the same fd as a socket and as a number: KeyError': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.register(a.fileno(), EVENT_READ)`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      return s.register(a.fileno(), EVENT_READ);
    },
  },
  'unregister() returns the key, which is then gone': {
    py: `a, b = pair(); s = sel(CLS); k = s.register(a, EVENT_READ); u = s.unregister(a); [u is k, len(s.get_map()), s.select(0)]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      const k = s.register(a, EVENT_READ);
      const u = s.unregister(a);
      return [u === k, s.get_map()!.size, s.select(0)];
    },
  },
  'unregister() of a file object not registered: KeyError': {
    py: `a, b = pair(); sel(CLS).unregister(a)`,
    js: (cls) => sel(cls).unregister(pair()[0]),
  },
  'unregister() finds a registered socket that was closed since': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); a.close(); [key(s.unregister(a)), len(s.get_map())]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      a.close();
      return [key(s.unregister(a)), s.get_map()!.size];
    },
  },
  'modify() of a file object not registered: KeyError': {
    py: `a, b = pair(); sel(CLS).modify(a, EVENT_READ)`,
    js: (cls) => sel(cls).modify(pair()[0], EVENT_READ),
  },
  'modify() of the events: a new key, which get_key() returns': {
    py: `a, b = pair(); s = sel(CLS); k = s.register(a, EVENT_READ, 'x'); k2 = s.modify(a, EVENT_WRITE, 'y'); [key(k2), s.get_key(a) is k2, k2 is k, ready(s.select(0))]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      const k = s.register(a, EVENT_READ, 'x');
      const k2 = s.modify(a, EVENT_WRITE, 'y');
      return [key(k2), s.get_key(a) === k2, k2 === k, ready(s.select(0))];
    },
  },
  'modify() of the data only': {
    py: `a, b = pair(); s = sel(CLS); k = s.register(a, EVENT_READ, 'x'); k2 = s.modify(a, EVENT_READ, 'y'); [key(k2), k2 is k, s.get_key(a) is k2]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      const k = s.register(a, EVENT_READ, 'x');
      const k2 = s.modify(a, EVENT_READ, 'y');
      return [key(k2), k2 === k, s.get_key(a) === k2];
    },
  },
  'modify() with the same events and data returns the same key': {
    py: `a, b = pair(); s = sel(CLS); k = s.register(a, EVENT_READ, 'x'); s.modify(a, EVENT_READ, 'x') is k`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      const k = s.register(a, EVENT_READ, 'x');
      return s.modify(a, EVENT_READ, 'x') === k;
    },
  },
  'modify() to events 0': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ)\ntry:\n    r = key(s.modify(a, 0))\nexcept ValueError as e:\n    r = str(e)\n[r, a in s.get_map()]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      let r: unknown;
      try {
        r = key(s.modify(a, 0));
      } catch (e) {
        r = message(e);
      }
      return [r, s.get_map()!.has(a)];
    },
  },
  'get_key() by the object or by its fd number': {
    py: `a, b = pair(); s = sel(CLS); k = s.register(a, EVENT_READ); [s.get_key(a) is k, s.get_key(a.fileno()) is k]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      const k = s.register(a, EVENT_READ);
      return [s.get_key(a) === k, s.get_key(a.fileno()) === k];
    },
  },
  'get_key() of a file object not registered: KeyError': {
    py: `a, b = pair(); sel(CLS).get_key(a)`,
    js: (cls) => sel(cls).get_key(pair()[0]),
  },
  'get_map(): size, membership, lookup, iteration': {
    py: `a, b = pair(); c, d = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.register(b.fileno(), EVENT_WRITE); m = s.get_map(); [len(m), a in m, b in m, c in m, key(m[a]), sorted(nm(x) for x in m)]`,
    js: (cls) => {
      const [a, b] = pair();
      const [c] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      s.register(b.fileno(), EVENT_WRITE);
      const m = s.get_map()!;
      return [m.size, m.has(a), m.has(b), m.has(c), key(m.get(a)!), [...m].map(nm).sort()];
    },
  },
  'select(0), nothing ready: []': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.select(0)`,
    js: (cls) => {
      const s = sel(cls);
      s.register(pair()[0], EVENT_READ);
      return s.select(0);
    },
  },
  'select(0): writable': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_WRITE, 'w'); ready(s.select(0))`,
    js: (cls) => {
      const s = sel(cls);
      s.register(pair()[0], EVENT_WRITE, 'w');
      return ready(s.select(0));
    },
  },
  'select(0): readable and writable': {
    py: `a, b = pair(); b.send(b'x'); s = sel(CLS); s.register(a, EVENT_READ | EVENT_WRITE); s.register(b, EVENT_READ); ready(s.select(0))`,
    js: (cls) => {
      const [a, b] = pair();
      b.send(Buffer.from('x'));
      const s = sel(cls);
      s.register(a, EVENT_READ | EVENT_WRITE);
      s.register(b, EVENT_READ);
      return ready(s.select(0));
    },
  },
  'select() reports only the events registered': {
    py: `a, b = pair(); b.send(b'x'); s = sel(CLS); s.register(a, EVENT_WRITE); s.register(b, EVENT_READ); ready(s.select(0))`,
    js: (cls) => {
      const [a, b] = pair();
      b.send(Buffer.from('x'));
      const s = sel(cls);
      s.register(a, EVENT_WRITE);
      s.register(b, EVENT_READ);
      return ready(s.select(0));
    },
  },
  'select(-1) does not wait': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.register(b, EVENT_WRITE); ready(s.select(-1))`,
    js: (cls) => {
      const [a, b] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      s.register(b, EVENT_WRITE);
      return ready(s.select(-1));
    },
  },
  'select(null) (None) waits until something is ready': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_WRITE); ready(s.select(None))`,
    js: (cls) => {
      const s = sel(cls);
      s.register(pair()[0], EVENT_WRITE);
      return ready(s.select(null));
    },
  },
  'select() with a timeout that expires: []': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.select(0.01)`,
    js: (cls) => {
      const s = sel(cls);
      s.register(pair()[0], EVENT_READ);
      return s.select(0.01);
    },
  },
  'a closed peer makes a socket readable': {
    py: `a, b = pair(); s = sel(CLS); s.register(b, EVENT_READ); a.close(); ready(s.select(0))`,
    js: (cls) => {
      const [a, b] = pair();
      const s = sel(cls);
      s.register(b, EVENT_READ);
      a.close();
      return ready(s.select(0));
    },
  },
  'a registered fd closed behind the selector': {
    py: `a, b = pair(); s = sel(CLS); s.register(a.fileno(), EVENT_READ); a.close(); ready(s.select(0))`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a.fileno(), EVENT_READ);
      a.close();
      return ready(s.select(0));
    },
  },
  'many ready at once: all reported': {
    py: `socks = [x for _ in range(3) for x in pair()]; s = sel(CLS); [s.register(x, EVENT_WRITE) for x in socks]; len(s.select(0))`,
    js: (cls) => {
      const socks = [...pair(), ...pair(), ...pair()];
      const s = sel(cls);
      for (const x of socks) s.register(x, EVENT_WRITE);
      return s.select(0).length;
    },
  },
  'close(): get_map() is null (None)': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.close(); s.get_map()`,
    js: (cls) => {
      const s = sel(cls);
      s.register(pair()[0], EVENT_READ);
      s.close();
      return s.get_map();
    },
  },
  'get_key() after close(): RuntimeError("Selector is closed")': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.close(); s.get_key(a)`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      s.close();
      return s.get_key(a);
    },
  },
  'close() twice': {
    py: `s = sel(CLS); s.close(); s.close()`,
    js: (cls) => {
      const s = sel(cls);
      s.close();
      return s.close();
    },
  },
  'select() after close()': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_WRITE); s.close(); s.select(0)`,
    js: (cls) => {
      const s = sel(cls);
      s.register(pair()[0], EVENT_WRITE);
      s.close();
      return s.select(0);
    },
  },
  'register() after close()': {
    py: `a, b = pair(); s = sel(CLS); s.close(); key(s.register(a, EVENT_READ))`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.close();
      return key(s.register(a, EVENT_READ));
    },
  },
  'unregister() after close(): KeyError': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ); s.close(); s.unregister(a)`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ);
      s.close();
      return s.unregister(a);
    },
  },
  'modify() of a registered fd closed behind the selector: its error, and the key gone where the kernel said so': {
    py: `a, b = pair(); s = sel(CLS); fd = a.fileno(); s.register(fd, EVENT_READ, 'd'); a.close()\ntry:\n    r = key(s.modify(fd, EVENT_WRITE))\nexcept OSError as e:\n    r = [type(e).__name__, e.errno]\n[r, len(s.get_map())]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      const fd = a.fileno();
      s.register(fd, EVENT_READ, 'd');
      a.close();
      const r = keyOrErrno(() => s.modify(fd, EVENT_WRITE));
      return [r, s.get_map()!.size];
    },
  },
  'modify() of the data only; get_map().values()': {
    py: `a, b = pair(); s = sel(CLS); s.register(a, EVENT_READ, 1); k = s.modify(a, EVENT_READ, 2); [k.data, [x.data for x in s.get_map().values()]]`,
    js: (cls) => {
      const [a] = pair();
      const s = sel(cls);
      s.register(a, EVENT_READ, 1);
      const k = s.modify(a, EVENT_READ, 2);
      return [k.data, [...s.get_map()!.values()].map((x) => x.data)];
    },
  },
  'a file object whose fileno() is not an int: ValueError': {
    py: `class F:\n    def fileno(self): return 'x'\ns = sel(CLS)\ntry:\n    s.register(F(), EVENT_READ)\nexcept ValueError as e:\n    r = str(e).split(':')[0]\nr`,
    js: (cls) => {
      const s = sel(cls);
      try {
        s.register({ fileno: () => 'x' } as never, EVENT_READ);
      } catch (e) {
        if (e instanceof RangeError) return e.message.split(':')[0];
        throw e;
      }
      return null;
    },
  },
  'a regular file': {
    py: `fd = devnull(); s = sel(CLS)\ntry:\n    r = key(s.register(fd, EVENT_READ))\nexcept OSError as e:\n    r = [type(e).__name__, e.errno]\n[r, len(s.get_map())]`,
    js: (cls) => {
      const fd = devnull();
      const s = sel(cls);
      const r = keyOrErrno(() => s.register(fd, EVENT_READ));
      return [r, s.get_map()!.size];
    },
  },
};

for (const [clsName, cls] of Object.entries(CLASSES)) {
  describe(`${clsName} as Python's`, () => {
    const py = python(PY_SETUP, Object.fromEntries(Object.entries(CASES).map(([name, c]) => [name, c.py.replaceAll('CLS', clsName)])));
    for (const [name, c] of Object.entries(CASES)) {
      it(name, () => {
        const got = normalize(outcome(() => c.js(cls)));
        const want = normalize(expected(py[name]!));
        if (c.classOnly && 'error' in want) expect('error' in got ? got.error : got).toBe(want.error);
        else expect(got).toEqual(want);
      });
    }
  });
}

// ---- what the oracle does not show ----

describe('keys and selectors', () => {
  it('a SelectorKey is a frozen { fileobj, fd, events, data }, holding the very objects given', () => {
    const [a] = pair();
    const data = { any: 'thing' };
    using s = new DefaultSelector();
    const k = s.register(a, EVENT_READ | EVENT_WRITE, data);
    expect(Object.keys(k)).toEqual(['fileobj', 'fd', 'events', 'data']);
    expect(Object.isFrozen(k)).toBe(true);
    expect(k.fileobj).toBe(a);
    expect(k.data).toBe(data);
    expect(k.fd).toBe(a.fileno());
    expect(() => {
      (k as { events: number }).events = 0;
    }).toThrow(TypeError);
    const [[readyKey, events]] = s.select(0) as [[SelectorKey, number]];
    expect(readyKey).toBe(k);
    expect(events).toBe(EVENT_WRITE);
  });

  it('SelectorKey(fileobj, fd, events, data) makes a key for a selector of your own, as the selectors make theirs', () => {
    const [a] = pair();
    const data = { any: 'thing' };
    const k = SelectorKey(a, a.fileno(), EVENT_READ, data);
    expect(Object.keys(k)).toEqual(pythonValue<string[]>('list(selectors.SelectorKey._fields)', 'import selectors'));
    expect(Object.isFrozen(k)).toBe(true);
    expect([k.fileobj, k.fd, k.events, k.data]).toEqual([a, a.fileno(), EVENT_READ, data]);
    expect(k.fileobj).toBe(a);
    using s = new DefaultSelector();
    expect(s.register(a, EVENT_READ, data)).toEqual(k);
  });

  it('the messages name the file object as Python does (its repr, and the fd)', () => {
    const [a] = pair();
    using s = new SelectSelector();
    s.register(a, EVENT_READ);
    expect(() => s.register(a, EVENT_READ)).toThrow(new KeyError(`<socket.socket fd=${a.fileno()}, family=1, type=1, proto=0> (FD ${a.fileno()}) is already registered`));
    expect(() => s.get_key(a.fileno() + 1000)).toThrow(new KeyError(`${a.fileno() + 1000} is not registered`));
  });

  it('EVENT_READ and EVENT_WRITE are 1 and 2', () => {
    expect([EVENT_READ, EVENT_WRITE]).toEqual([1, 2]);
  });

  it('KqueueSelector exists exactly where Python has it', () => {
    const py = python('import selectors', { has: `hasattr(selectors, 'KqueueSelector')` }).has as { value: boolean };
    expect(selectors.KqueueSelector !== undefined).toBe(py.value);
  });

  it('DefaultSelector is EpollSelector on Linux, as in Python', () => {
    const py = python('import selectors', { d: 'selectors.DefaultSelector.__name__' }).d as { value: string };
    using s = new DefaultSelector();
    expect(s.constructor.name).toBe(py.value);
    expect(s).toBeInstanceOf(BaseSelector);
  });

  it('`using` closes the selector, and an EpollSelector its epoll fd', () => {
    let outer: EpollSelector;
    let fd: number;
    {
      using s = new EpollSelector();
      outer = s;
      fd = s.fileno();
      s.register(pair()[0], EVENT_READ);
      expect(fs.readlinkSync(`/proc/self/fd/${fd}`)).toBe('anon_inode:[eventpoll]');
    }
    expect(outer.get_map()).toBeNull();
    expect(() => outer.get_key(0)).toThrow(new RuntimeError('Selector is closed'));
    expect(() => fs.readlinkSync(`/proc/self/fd/${fd}`)).toThrow();
  });
});

// ---- an echo server on each selector, 1,000 concurrent clients in a python3 child ----

/**
 * The clients: N connections opened at once, each sends its own data (a unit
 * naming the client, repeated 1 to 2,000 times) and reads until all of it is
 * back, all of them concurrently through a selector; every byte is checked.
 */
const CLIENTS = String.raw`
import json, selectors, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
sel = selectors.DefaultSelector()
total = 0
for i in range(n):
    s = socket.create_connection(('127.0.0.1', port))
    s.setblocking(False)
    want = (b'<client %04d>' % i) * (1 + (i * 7919) % 2000)
    total += len(want)
    sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, [i, memoryview(want), bytearray(), want])
left, bad = n, []
while left:
    events = sel.select(30)
    if not events:
        print(json.dumps({'error': 'no progress', 'left': left}), flush=True)
        sys.exit(1)
    for key, mask in events:
        s, st = key.fileobj, key.data
        try:
            if mask & selectors.EVENT_WRITE and st[1]:
                st[1] = st[1][s.send(st[1]):]
                if not st[1]:
                    sel.modify(s, selectors.EVENT_READ, st)
            if mask & selectors.EVENT_READ:
                chunk = s.recv(65536)
                if chunk:
                    st[2] += chunk
                if not chunk or len(st[2]) >= len(st[3]):
                    if st[2] != st[3]:
                        bad.append(st[0])
                    sel.unregister(s)
                    s.close()
                    left -= 1
        except BlockingIOError:
            pass
print(json.dumps({'clients': n, 'bytes': total, 'bad': bad}), flush=True)
`;

interface Conn {
  sock: Socket;
  out: Buffer[];
  events: number;
}

/** Serves `n` clients with `Cls` until all have closed; returns what it counted. */
function serveEcho(Cls: new () => BaseSelector<Conn | null>, n: number) {
  const listener = socket();
  listener.bind(['127.0.0.1', 0]);
  listener.listen(2048);
  listener.setblocking(false);
  const child = new Running(['python3', '-c', CLIENTS, String(listener.getsockname()[1]), String(n)], { limitMs: 120_000 });

  const s = new Cls();
  const conns = new Set<Conn>();
  let accepted = 0;
  let closed = 0;
  let received = 0;
  let echoed = 0;
  let maxFd = 0;
  let lastProgress = Date.now();
  const drop = (c: Conn) => {
    s.unregister(c.sock);
    c.sock.close();
    conns.delete(c);
    closed++;
  };
  try {
    s.register(listener, EVENT_READ, null);
    while (closed < n) {
      const events = s.select(1);
      if (events.length === 0) {
        // Only a guard against a hang (the client has its own); not a timing assertion.
        if (Date.now() - lastProgress > 60_000) throw new Error(`no progress: accepted ${accepted}, closed ${closed}; client: ${child.stdout}${child.stderr}`);
        continue;
      }
      lastProgress = Date.now();
      for (const [key, mask] of events) {
        const c = key.data;
        if (c === null) {
          for (;;) {
            let sock: Socket;
            try {
              [sock] = listener.accept();
            } catch (e) {
              if (e instanceof BlockingIOError) break;
              throw e;
            }
            sock.setblocking(false);
            maxFd = Math.max(maxFd, sock.fileno());
            const conn: Conn = { sock, out: [], events: EVENT_READ };
            conns.add(conn);
            s.register(sock, EVENT_READ, conn);
            accepted++;
          }
          continue;
        }
        if (mask & EVENT_READ) {
          const data = c.sock.recv(65536);
          if (data.length === 0) {
            drop(c);
            continue;
          }
          received += data.length;
          c.out.push(data);
        }
        while (c.out.length > 0) {
          let sent: number;
          try {
            sent = c.sock.send(c.out[0]!);
          } catch (e) {
            if (e instanceof BlockingIOError) break;
            throw e;
          }
          echoed += sent;
          if (sent < c.out[0]!.length) {
            c.out[0] = c.out[0]!.subarray(sent);
            break;
          }
          c.out.shift();
        }
        const want = c.out.length > 0 ? EVENT_READ | EVENT_WRITE : EVENT_READ;
        if (want !== c.events) {
          s.modify(c.sock, want, c);
          c.events = want;
        }
      }
    }
  } finally {
    for (const c of conns) c.sock.close();
    s.close();
    listener.close();
  }
  return { accepted, closed, received, echoed, maxFd, client: child.ended.then(({ code }) => ({ code, stdout: child.stdout, stderr: child.stderr })) };
}

describe('an echo server on each selector serves 1,000 concurrent clients', () => {
  for (const [name, cls] of Object.entries(CLASSES)) {
    it(`${name}: every byte of 1,000 clients comes back`, async () => {
      // 32 more fds held open, so that connections get fds of 1024 and more.
      const pad = Array.from({ length: 16 }, () => socketpair()).flat();
      let served: ReturnType<typeof serveEcho>;
      try {
        served = serveEcho(cls as new () => BaseSelector<Conn | null>, 1000);
      } finally {
        for (const p of pad) p.close();
      }
      const client = await served.client;
      expect(client.code, client.stderr).toBe(0);
      const report = JSON.parse(client.stdout.trim()) as { clients: number; bytes: number; bad: number[] };
      expect(report.clients).toBe(1000);
      expect(report.bad).toEqual([]);
      expect(served.accepted).toBe(1000);
      expect(served.closed).toBe(1000);
      expect(served.received).toBe(report.bytes);
      expect(served.echoed).toBe(report.bytes);
      // Some connections have fds of 1024 and more: no FD_SETSIZE limit, for SelectSelector too.
      expect(served.maxFd).toBeGreaterThanOrEqual(1024);
    });
  }
});
