// How many positional arguments each function and method takes: every one of
// Python's socket, select and selectors modules that bsdsock has is called with
// one argument too few (when it requires any) and one too many, in python3 and
// in bsdsock, and both must refuse the call with the same TypeError, word for
// word (the words differ by how CPython parses each function; see ts/arity.ts).
// The arguments are None / null, which every parser counts before it looks at
// a value. A few rows more check the project's own rule: an argument left
// undefined at the end is not given.
import { afterEach, describe, expect, it } from 'vitest';
import * as bsdsock from 'bsdsock';
import { AF_INET, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, socketpair, type Socket } from 'bsdsock';
import * as select from 'bsdsock/select';
import * as selectors from 'bsdsock/selectors';
import { expected, outcome, python, type Outcome } from './helpers/python';

// The same helpers on both sides; everything they open is closed after each case.
const SETUP = String.raw`
import socket as socketmodule, select, selectors
from socket import *
opened = []
def track(s):
    opened.append(s)
    return s
def tcp(): return track(socket(AF_INET, SOCK_STREAM))
def udp():
    s = track(socket(AF_INET, SOCK_DGRAM)); s.bind(('127.0.0.1', 0)); return s
def pair(): return tuple(map(track, socketpair()))
def ep(): return track(select.epoll())
def sel(cls): return track(cls())
class Mine(selectors.BaseSelector):
    register = unregister = select = get_map = lambda *a: None
def after_each():
    for s in opened: s.close()
    opened.clear()
    setdefaulttimeout(None)
`;

interface Closable {
  close(): void;
}
const opened: Closable[] = [];
function track<T extends Closable>(thing: T): T {
  opened.push(thing);
  return thing;
}
const tcp = () => track(bsdsock.socket(AF_INET, SOCK_STREAM));
function udp(): Socket {
  const s = track(bsdsock.socket(AF_INET, SOCK_DGRAM));
  s.bind(['127.0.0.1', 0]);
  return s;
}
const pair = () => socketpair().map(track) as [Socket, Socket];
const ep = () => track(new select.epoll());
const sel = <S extends Closable>(make: new () => S): S => track(new make());

/** A selector of one's own: BaseSelector with its abstract methods, as Python's Mine. */
class Mine extends selectors.BaseSelector {
  register(): never {
    throw new Error('not called');
  }
  unregister(): never {
    throw new Error('not called');
  }
  select(): never {
    throw new Error('not called');
  }
  get_map(): null {
    return null;
  }
}

afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
  bsdsock.setdefaulttimeout(null);
});

type Fn = (...args: unknown[]) => unknown;
/** A function of the module, callable with any arguments. */
const fn = (f: unknown): Fn => f as Fn;
/** A method of `obj`, callable with any arguments. */
const method = (obj: object, name: string): Fn => (...args) => (obj as Record<string, Fn>)[name]!.apply(obj, args);
/** A class, called as Python calls one (`new`). */
const make = (cls: unknown): Fn => (...args) => new (cls as new (...a: unknown[]) => unknown)(...args);

/** What to call on each side, and how many positional arguments Python's takes. */
const callables: Record<string, [py: string, js: () => Fn, min: number, max: number]> = {
  // The socket module's functions.
  'socket()': ['socketmodule.socket', () => fn(bsdsock.socket), 0, 4],
  'new Socket()': ['socketmodule.socket', () => make(bsdsock.Socket), 0, 4],
  socketpair: ['socketpair', () => fn(bsdsock.socketpair), 0, 3],
  fromfd: ['fromfd', () => fn(bsdsock.fromfd), 3, 4],
  dup: ['socketmodule.dup', () => fn(bsdsock.dup), 1, 1],
  close: ['socketmodule.close', () => fn(bsdsock.close), 1, 1],
  create_connection: ['create_connection', () => fn(bsdsock.create_connection), 1, 3],
  create_server: ['create_server', () => fn(bsdsock.create_server), 1, 1],
  has_dualstack_ipv6: ['has_dualstack_ipv6', () => fn(bsdsock.has_dualstack_ipv6), 0, 0],
  getdefaulttimeout: ['getdefaulttimeout', () => fn(bsdsock.getdefaulttimeout), 0, 0],
  setdefaulttimeout: ['setdefaulttimeout', () => fn(bsdsock.setdefaulttimeout), 1, 1],
  CMSG_LEN: ['CMSG_LEN', () => fn(bsdsock.CMSG_LEN), 1, 1],
  CMSG_SPACE: ['CMSG_SPACE', () => fn(bsdsock.CMSG_SPACE), 1, 1],
  if_nameindex: ['if_nameindex', () => fn(bsdsock.if_nameindex), 0, 0],
  if_nametoindex: ['if_nametoindex', () => fn(bsdsock.if_nametoindex), 1, 1],
  if_indextoname: ['if_indextoname', () => fn(bsdsock.if_indextoname), 1, 1],
  inet_aton: ['inet_aton', () => fn(bsdsock.inet_aton), 1, 1],
  inet_ntoa: ['inet_ntoa', () => fn(bsdsock.inet_ntoa), 1, 1],
  inet_pton: ['inet_pton', () => fn(bsdsock.inet_pton), 2, 2],
  inet_ntop: ['inet_ntop', () => fn(bsdsock.inet_ntop), 2, 2],
  htons: ['htons', () => fn(bsdsock.htons), 1, 1],
  ntohs: ['ntohs', () => fn(bsdsock.ntohs), 1, 1],
  htonl: ['htonl', () => fn(bsdsock.htonl), 1, 1],
  ntohl: ['ntohl', () => fn(bsdsock.ntohl), 1, 1],
  gethostbyname: ['gethostbyname', () => fn(bsdsock.gethostbyname), 1, 1],
  gethostbyname_ex: ['gethostbyname_ex', () => fn(bsdsock.gethostbyname_ex), 1, 1],
  gethostbyaddr: ['gethostbyaddr', () => fn(bsdsock.gethostbyaddr), 1, 1],
  getservbyname: ['getservbyname', () => fn(bsdsock.getservbyname), 1, 2],
  getservbyport: ['getservbyport', () => fn(bsdsock.getservbyport), 1, 2],
  getprotobyname: ['getprotobyname', () => fn(bsdsock.getprotobyname), 1, 1],
  getaddrinfo: ['getaddrinfo', () => fn(bsdsock.getaddrinfo), 2, 6],
  getnameinfo: ['getnameinfo', () => fn(bsdsock.getnameinfo), 2, 2],
  getfqdn: ['getfqdn', () => fn(bsdsock.getfqdn), 0, 1],
  gethostname: ['gethostname', () => fn(bsdsock.gethostname), 0, 0],
  sethostname: ['sethostname', () => fn(bsdsock.sethostname), 1, 1],
  send_fds: ['socketmodule.send_fds', () => fn(bsdsock.send_fds), 3, 5],
  recv_fds: ['socketmodule.recv_fds', () => fn(bsdsock.recv_fds), 3, 4],

  // socket.socket's methods.
  'socket.close': ['tcp().close', () => method(tcp(), 'close'), 0, 0],
  'socket.fileno': ['tcp().fileno', () => method(tcp(), 'fileno'), 0, 0],
  'socket.detach': ['tcp().detach', () => method(tcp(), 'detach'), 0, 0],
  'socket.dup': ['tcp().dup', () => method(tcp(), 'dup'), 0, 0],
  'socket.get_inheritable': ['tcp().get_inheritable', () => method(tcp(), 'get_inheritable'), 0, 0],
  'socket.set_inheritable': ['tcp().set_inheritable', () => method(tcp(), 'set_inheritable'), 1, 1],
  'socket.setblocking': ['tcp().setblocking', () => method(tcp(), 'setblocking'), 1, 1],
  'socket.getblocking': ['tcp().getblocking', () => method(tcp(), 'getblocking'), 0, 0],
  'socket.settimeout': ['tcp().settimeout', () => method(tcp(), 'settimeout'), 1, 1],
  'socket.gettimeout': ['tcp().gettimeout', () => method(tcp(), 'gettimeout'), 0, 0],
  'socket.bind': ['tcp().bind', () => method(tcp(), 'bind'), 1, 1],
  'socket.listen': ['tcp().listen', () => method(tcp(), 'listen'), 0, 1],
  'socket.accept': ['tcp().accept', () => method(tcp(), 'accept'), 0, 0],
  'socket.connect': ['tcp().connect', () => method(tcp(), 'connect'), 1, 1],
  'socket.connect_ex': ['tcp().connect_ex', () => method(tcp(), 'connect_ex'), 1, 1],
  'socket.shutdown': ['tcp().shutdown', () => method(tcp(), 'shutdown'), 1, 1],
  'socket.getsockname': ['tcp().getsockname', () => method(tcp(), 'getsockname'), 0, 0],
  'socket.getpeername': ['tcp().getpeername', () => method(tcp(), 'getpeername'), 0, 0],
  'socket.send': ['tcp().send', () => method(tcp(), 'send'), 1, 2],
  'socket.sendall': ['tcp().sendall', () => method(tcp(), 'sendall'), 1, 2],
  'socket.sendto': ['tcp().sendto', () => method(tcp(), 'sendto'), 2, 3],
  'socket.recv': ['tcp().recv', () => method(tcp(), 'recv'), 1, 2],
  'socket.recvfrom': ['tcp().recvfrom', () => method(tcp(), 'recvfrom'), 1, 2],
  'socket.recv_into': ['tcp().recv_into', () => method(tcp(), 'recv_into'), 1, 3],
  'socket.recvfrom_into': ['tcp().recvfrom_into', () => method(tcp(), 'recvfrom_into'), 1, 3],
  'socket.setsockopt': ['tcp().setsockopt', () => method(tcp(), 'setsockopt'), 3, 4],
  'socket.getsockopt': ['tcp().getsockopt', () => method(tcp(), 'getsockopt'), 2, 3],
  'socket.sendmsg': ['tcp().sendmsg', () => method(tcp(), 'sendmsg'), 1, 4],
  'socket.recvmsg': ['tcp().recvmsg', () => method(tcp(), 'recvmsg'), 1, 3],
  'socket.recvmsg_into': ['tcp().recvmsg_into', () => method(tcp(), 'recvmsg_into'), 1, 3],
  'socket.sendfile': ['tcp().sendfile', () => method(tcp(), 'sendfile'), 1, 3],
  'socket.makefile': ['tcp().makefile', () => method(tcp(), 'makefile'), 0, 2],

  // select.
  'select.select': ['select.select', () => fn(select.select), 3, 4],
  'select.poll': ['select.poll', () => fn(select.poll), 0, 0],
  'poll.register': ['select.poll().register', () => method(select.poll(), 'register'), 1, 2],
  'poll.modify': ['select.poll().modify', () => method(select.poll(), 'modify'), 2, 2],
  'poll.unregister': ['select.poll().unregister', () => method(select.poll(), 'unregister'), 1, 1],
  'poll.poll': ['select.poll().poll', () => method(select.poll(), 'poll'), 0, 1],
  'select.epoll': ['select.epoll', () => make(select.epoll), 0, 2],
  'epoll.fromfd': ['select.epoll.fromfd', () => fn(select.epoll.fromfd), 1, 1],
  'epoll.register': ['ep().register', () => method(ep(), 'register'), 1, 2],
  'epoll.modify': ['ep().modify', () => method(ep(), 'modify'), 2, 2],
  'epoll.unregister': ['ep().unregister', () => method(ep(), 'unregister'), 1, 1],
  'epoll.poll': ['ep().poll', () => method(ep(), 'poll'), 0, 2],
  'epoll.close': ['ep().close', () => method(ep(), 'close'), 0, 0],
  'epoll.fileno': ['ep().fileno', () => method(ep(), 'fileno'), 0, 0],

  // selectors: each message names the class that defines the method in Lib/selectors.py.
  SelectorKey: ['selectors.SelectorKey', () => fn(selectors.SelectorKey), 4, 4],
  'BaseSelector.modify': ['Mine().modify', () => method(new Mine(), 'modify'), 2, 3],
  'BaseSelector.close': ['Mine().close', () => method(new Mine(), 'close'), 0, 0],
  'BaseSelector.get_key': ['Mine().get_key', () => method(new Mine(), 'get_key'), 1, 1],
};
for (const name of ['SelectSelector', 'PollSelector', 'EpollSelector'] as const) {
  const cls: new () => Closable = selectors[name];
  callables[`${name}()`] = [`selectors.${name}`, () => make(cls), 0, 0];
  for (const [m, min, max] of [
    ['register', 2, 3],
    ['unregister', 1, 1],
    ['modify', 2, 3],
    ['select', 0, 1],
    ['close', 0, 0],
    ['get_key', 1, 1],
    ['get_map', 0, 0],
    ...(name === 'EpollSelector' ? [['fileno', 0, 0] as const] : []),
  ] as const) {
    callables[`${name}.${m}`] = [`sel(selectors.${name}).${m}`, () => method(sel(cls), m), min, max];
  }
}

/** Calls of `callables` with one argument too few and one too many, named by what they pass. */
const counts: Record<string, [py: string, js: () => unknown]> = {};
for (const [name, [py, js, min, max]] of Object.entries(callables)) {
  for (const n of min > 0 ? [min - 1, max + 1] : [max + 1]) {
    counts[`${name}: ${n} given`] = [`f = ${py}\nf(*[None] * ${n})`, () => js()(...Array<null>(n).fill(null))];
  }
}

/** An argument left undefined at the end is not given; null is a given None. */
const undefinedAtTheEnd: Record<string, [py: string, js: () => unknown]> = {
  'recv(undefined) is recv()': [`tcp().recv()`, () => tcp().recv(undefined as never)],
  "getaddrinfo('127.0.0.1', undefined) is getaddrinfo('127.0.0.1')": [`getaddrinfo('127.0.0.1')`, () => fn(bsdsock.getaddrinfo)('127.0.0.1', undefined)],
  'setdefaulttimeout(undefined) is setdefaulttimeout()': [`setdefaulttimeout()`, () => fn(bsdsock.setdefaulttimeout)(undefined)],
  'select(r, w, undefined) is select(r, w)': [`select.select([], [])`, () => fn(select.select)([], [], undefined)],
  'register(sock, undefined) is register(sock)': [
    `sel(selectors.EpollSelector).register(tcp())`,
    () => method(sel(selectors.EpollSelector), 'register')(tcp(), undefined),
  ],
  'send(data, 0, undefined) sends': [`a, b = pair(); a.send(b'x', 0)`, () => method(pair()[0], 'send')(Buffer.from('x'), 0, undefined)],
  'sendto(data, address, undefined) sends to the address': [
    `s = udp(); s.sendto(b'xy', s.getsockname())`,
    () => {
      const s = udp();
      return method(s, 'sendto')(Buffer.from('xy'), s.getsockname(), undefined);
    },
  ],
  'create_connection({ all_errors }) has no address': [`create_connection(all_errors=True)`, () => fn(bsdsock.create_connection)({ all_errors: true })],
  'create_server({ backlog }) has no address': [`create_server(backlog=1)`, () => fn(bsdsock.create_server)({ backlog: 1 })],
  'setsockopt with a value and an optlen: four given': [`tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, 1, 4)`, () => method(tcp(), 'setsockopt')(SOL_SOCKET, SO_REUSEADDR, 1, 4)],
  'setsockopt(level, optname, None, optlen, undefined) is the call of four': [
    `tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, 0)`,
    () => method(tcp(), 'setsockopt')(SOL_SOCKET, SO_REUSEADDR, null, 0, undefined),
  ],
};

const cases = { ...counts, ...undefinedAtTheEnd };
const py: Record<string, Outcome> = python(SETUP, Object.fromEntries(Object.entries(cases).map(([name, [src]]) => [name, src])));

describe('too few and too many positional arguments: TypeError, with the message python3 gives', () => {
  for (const [name, [, js]] of Object.entries(counts)) {
    it(name, () => {
      const want = py[name]!;
      // The table's counts are Python's: Python refuses each call for its count.
      expect(want).toMatchObject({ error: 'TypeError', message: expect.stringMatching(/argument|expected/) });
      expect(outcome(js)).toEqual(expected(want));
    });
  }
});

describe('an argument left undefined at the end is not given', () => {
  for (const [name, [, js]] of Object.entries(undefinedAtTheEnd)) {
    it(name, () => {
      expect(outcome(js)).toEqual(expected(py[name]!));
    });
  }
});
