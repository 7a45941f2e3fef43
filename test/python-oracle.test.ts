// python3 is the oracle: every case runs once in Python (all in one python3
// process) and once in bsdsock, and both must end the same way: the same result,
// or the same error class (TypeError; ValueError/OverflowError -> RangeError;
// OSError subclasses by name), the same message and the same errno.
//
// Where a message names the Python type of a JS value, the Python side is given
// what bsdsock reports it as: an array is a 'list', an object a 'dict'. Where the
// array is an address, Python is given a tuple.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  CMSG_LEN,
  CMSG_SPACE,
  MSG_PEEK,
  SHUT_RDWR,
  SHUT_WR,
  SO_REUSEADDR,
  SO_TYPE,
  SOCK_DGRAM,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SO_KEEPALIVE,
  SOL_SOCKET,
  create_connection,
  dup,
  getaddrinfo,
  getdefaulttimeout,
  getfqdn,
  htonl,
  htons,
  inet_aton,
  inet_ntoa,
  inet_ntop,
  inet_pton,
  ntohl,
  ntohs,
  setdefaulttimeout,
  socket,
  socketpair,
  type Socket,
} from 'bsdsock';
import { epoll, poll, select } from 'bsdsock/select';
import { DefaultSelector, EVENT_READ } from 'bsdsock/selectors';
import { expected, outcome, python } from './helpers/python';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-oracle-'));
const PATH = path.join(DIR, 'sock');
const PATH2 = path.join(DIR, 'sock2');
// Python runs first and closes its sockets, so both sides can use the same name.
const ABSTRACT = Buffer.from(`\0bsdsock-oracle-${process.pid}`);

// The same helpers on both sides; everything they open is closed after each case.
const SETUP = String.raw`
import os
from socket import *
DIR = ${JSON.stringify(DIR)}
PATH = ${JSON.stringify(PATH)}
PATH2 = ${JSON.stringify(PATH2)}
ABSTRACT = bytes.fromhex('${ABSTRACT.toString('hex')}')
opened, fds = [], []
def track(s):
    opened.append(s)
    return s
def sock(*a, **k): return track(socket(*a, **k))
def tcp(): return sock(AF_INET, SOCK_STREAM)
def udp(): return sock(AF_INET, SOCK_DGRAM)
def udp6(): return sock(AF_INET6, SOCK_DGRAM)
def unix(type=SOCK_STREAM): return sock(AF_UNIX, type)
def pair(*a): return tuple(map(track, socketpair(*a)))
def listener():
    s = tcp(); s.bind(('127.0.0.1', 0)); s.listen(); return s
def refused():
    s = tcp(); s.bind(('127.0.0.1', 0)); return s.getsockname()  # bound, not listening
def devnull():
    fds.append(os.open('/dev/null', os.O_RDONLY)); return fds[-1]
import select, selectors
def with_selector(f):
    s = selectors.DefaultSelector()
    try:
        return f(s)
    finally:
        s.close()
def after_each():
    for s in opened: s.close()
    for fd in fds: os.close(fd)
    opened.clear(); fds.clear()
    for f in os.listdir(DIR): os.unlink(os.path.join(DIR, f))
    setdefaulttimeout(None)
`;

const opened: Socket[] = [];
const fds: number[] = [];
function track<S extends Socket>(s: S): S {
  opened.push(s);
  return s;
}
const tcp = () => track(socket(AF_INET, SOCK_STREAM));
const udp = () => track(socket(AF_INET, SOCK_DGRAM));
const udp6 = () => track(socket(AF_INET6, SOCK_DGRAM));
const unix = (type = SOCK_STREAM) => track(socket(AF_UNIX, type));
const pair = (family?: number, type?: number) => socketpair(family, type).map(track) as [Socket, Socket];
function listener() {
  const s = tcp();
  s.bind(['127.0.0.1', 0]);
  s.listen();
  return s;
}
function refused() {
  const s = tcp();
  s.bind(['127.0.0.1', 0]);
  return s.getsockname();
}
function devnull() {
  fds.push(fs.openSync('/dev/null', 'r'));
  return fds[fds.length - 1];
}
/** Python's type name of a returned address, for shapes that differ run to run. */
const typeName = (v: unknown) => (Buffer.isBuffer(v) ? 'bytes' : typeof v === 'string' ? 'str' : typeof v);

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  for (const fd of fds.splice(0)) fs.closeSync(fd);
  for (const f of fs.readdirSync(DIR)) fs.unlinkSync(path.join(DIR, f));
  setdefaulttimeout(null);
});
afterAll(() => fs.rmSync(DIR, { recursive: true, force: true }));

// `x as never` passes a value of the wrong type on purpose.
const cases: Record<string, [py: string, js: () => unknown]> = {
  // AF_INET addresses
  'AF_INET bind: a str, not a tuple': [`udp().bind('127.0.0.1')`, () => udp().bind('127.0.0.1' as never)],
  'AF_INET bind: a dict, not a tuple': [`udp().bind({})`, () => udp().bind({} as never)],
  'AF_INET bind: None': [`udp().bind(None)`, () => udp().bind(null as never)],
  'AF_INET bind: 1-tuple': [`udp().bind(('127.0.0.1',))`, () => udp().bind(['127.0.0.1'] as never)],
  'AF_INET bind: 3-tuple': [`udp().bind(('127.0.0.1', 0, 0))`, () => udp().bind(['127.0.0.1', 0, 0] as never)],
  'AF_INET bind: host an int': [`udp().bind((1, 0))`, () => udp().bind([1, 0] as never)],
  'AF_INET bind: host None': [`udp().bind((None, 0))`, () => udp().bind([null, 0] as never)],
  'AF_INET bind: port a str': [`udp().bind(('127.0.0.1', '80'))`, () => udp().bind(['127.0.0.1', '80'] as never)],
  'AF_INET bind: port a float': [`udp().bind(('127.0.0.1', 1.5))`, () => udp().bind(['127.0.0.1', 1.5])],
  'AF_INET bind: port -1': [`udp().bind(('127.0.0.1', -1))`, () => udp().bind(['127.0.0.1', -1])],
  'AF_INET bind: port 65536': [`udp().bind(('127.0.0.1', 65536))`, () => udp().bind(['127.0.0.1', 65536])],
  'AF_INET connect: port 65536': [`tcp().connect(('127.0.0.1', 65536))`, () => tcp().connect(['127.0.0.1', 65536])],
  'AF_INET sendto: port -1': [`udp().sendto(b'x', ('127.0.0.1', -1))`, () => udp().sendto(Buffer.from('x'), ['127.0.0.1', -1])],
  'AF_INET sendto: address a str': [`udp().sendto(b'x', '127.0.0.1')`, () => udp().sendto(Buffer.from('x'), '127.0.0.1' as never)],
  'AF_INET sendto: one argument': [`udp().sendto(b'x')`, () => (udp().sendto as (d: Uint8Array) => number)(Buffer.from('x'))],
  // Resolution failures without a DNS query: an IPv6 literal for an AF_INET socket.
  'AF_INET bind: host of another family': [`udp().bind(('::1', 0))`, () => udp().bind(['::1', 0])],
  'AF_INET bind and getsockname': [
    `s = udp(); s.bind(('127.0.0.1', 0)); a = s.getsockname(); [a[0], a[1] > 0, len(a)]`,
    () => { const s = udp(); s.bind(['127.0.0.1', 0]); const a = s.getsockname(); return [a[0], a[1] > 0, a.length]; },
  ],

  // AF_INET6 addresses
  'AF_INET6 bind: a str, not a tuple': [`udp6().bind('::1')`, () => udp6().bind('::1' as never)],
  'AF_INET6 bind: 1-tuple': [`udp6().bind(('::1',))`, () => udp6().bind(['::1'] as never)],
  'AF_INET6 bind: 5-tuple': [`udp6().bind(('::1', 0, 0, 0, 0))`, () => udp6().bind(['::1', 0, 0, 0, 0] as never)],
  'AF_INET6 bind: host an int': [`udp6().bind((1, 0))`, () => udp6().bind([1, 0] as never)],
  'AF_INET6 bind: port 65536': [`udp6().bind(('::1', 65536))`, () => udp6().bind(['::1', 65536])],
  'AF_INET6 bind: flowinfo -1': [`udp6().bind(('::1', 0, -1))`, () => udp6().bind(['::1', 0, -1])],
  'AF_INET6 bind: flowinfo 2**20': [`udp6().bind(('::1', 0, 0x100000))`, () => udp6().bind(['::1', 0, 0x100000])],
  'AF_INET6 bind: flowinfo a str': [`udp6().bind(('::1', 0, 'x'))`, () => udp6().bind(['::1', 0, 'x'] as never)],
  'AF_INET6 bind: scope_id -1': [
    `s = udp6(); s.bind(('::1', 0, 0, -1)); s.getsockname()[2:]`,
    () => { const s = udp6(); s.bind(['::1', 0, 0, -1]); return s.getsockname().slice(2); },
  ],
  'AF_INET6 bind and getsockname': [
    `s = udp6(); s.bind(('::1', 0, 0xfffff, 0)); a = s.getsockname(); [a[0], a[1] > 0, a[2], a[3], len(a)]`,
    () => { const s = udp6(); s.bind(['::1', 0, 0xfffff, 0]); const a = s.getsockname(); return [a[0], a[1] > 0, a[2], a[3], a.length]; },
  ],

  // AF_UNIX addresses
  'AF_UNIX bind: path too long (str)': [`unix().bind('a' * 200)`, () => unix().bind('a'.repeat(200))],
  'AF_UNIX bind: path too long (bytes)': [`unix().bind(b'a' * 109)`, () => unix().bind(Buffer.alloc(109, 'a'))],
  'AF_UNIX bind: an int': [`unix().bind(5)`, () => unix().bind(5 as never)],
  'AF_UNIX bind: an array (a tuple)': [`unix().bind(('a',))`, () => unix().bind(['a'] as never)],
  'AF_UNIX bind and getsockname': [`s = unix(); s.bind(PATH); s.getsockname()`, () => { const s = unix(); s.bind(PATH); return s.getsockname(); }],
  'AF_UNIX bind: path in use': [`unix().bind(PATH); unix().bind(PATH)`, () => { unix().bind(PATH); unix().bind(PATH); }],
  'AF_UNIX bind: missing directory': [`unix().bind(DIR + '/missing/sock')`, () => unix().bind(`${DIR}/missing/sock`)],
  'AF_UNIX connect: no such path': [`unix().connect(PATH)`, () => unix().connect(PATH)],
  'AF_UNIX getsockname: unbound': [`unix().getsockname()`, () => unix().getsockname()],
  'AF_UNIX bind: abstract name': [`s = unix(); s.bind(ABSTRACT); s.getsockname()`, () => { const s = unix(); s.bind(ABSTRACT); return s.getsockname(); }],
  'AF_UNIX bind: autobind': [
    `s = unix(SOCK_DGRAM); s.bind(''); a = s.getsockname(); [type(a).__name__, len(a), a[0]]`,
    () => { const s = unix(SOCK_DGRAM); s.bind(''); const a = s.getsockname(); return [typeName(a), a.length, a[0]]; },
  ],
  'AF_UNIX socketpair datagram: recvfrom an unbound sender': [
    `a, b = pair(AF_UNIX, SOCK_DGRAM); a.send(b'hi'); b.recvfrom(10)`,
    () => { const [a, b] = pair(AF_UNIX, SOCK_DGRAM); a.send(Buffer.from('hi')); return b.recvfrom(10); },
  ],
  'AF_UNIX datagram: recvfrom an unbound sender': [
    `s = unix(SOCK_DGRAM); s.bind(PATH); unix(SOCK_DGRAM).sendto(b'hi', PATH); s.recvfrom(10)`,
    () => { const s = unix(SOCK_DGRAM); s.bind(PATH); unix(SOCK_DGRAM).sendto(Buffer.from('hi'), PATH); return s.recvfrom(10); },
  ],
  'AF_UNIX datagram: recvfrom a bound sender': [
    `s = unix(SOCK_DGRAM); s.bind(PATH); c = unix(SOCK_DGRAM); c.bind(PATH2); c.sendto(b'hi', PATH); s.recvfrom(10)`,
    () => {
      const s = unix(SOCK_DGRAM);
      s.bind(PATH);
      const c = unix(SOCK_DGRAM);
      c.bind(PATH2);
      c.sendto(Buffer.from('hi'), PATH);
      return s.recvfrom(10);
    },
  ],
  'AF_UNIX datagram: recvfrom an autobound sender': [
    `s = unix(SOCK_DGRAM); s.bind(PATH); c = unix(SOCK_DGRAM); c.bind(''); c.sendto(b'hi', PATH); d, a = s.recvfrom(10); [d, type(a).__name__, len(a), a == c.getsockname()]`,
    () => {
      const s = unix(SOCK_DGRAM);
      s.bind(PATH);
      const c = unix(SOCK_DGRAM);
      c.bind('');
      c.sendto(Buffer.from('hi'), PATH);
      const [d, a] = s.recvfrom(10);
      return [d, typeName(a), a?.length, isDeepStrictEqual(a, c.getsockname())];
    },
  ],
  'AF_UNIX socketpair datagram: recvfrom_into': [
    `a, b = pair(AF_UNIX, SOCK_DGRAM); a.send(b'hey'); buf = bytearray(8); [b.recvfrom_into(buf), buf]`,
    () => { const [a, b] = pair(AF_UNIX, SOCK_DGRAM); a.send(Buffer.from('hey')); const buf = Buffer.alloc(8); return [b.recvfrom_into(buf), buf]; },
  ],

  // sizes
  'recv: negative size': [`tcp().recv(-1)`, () => tcp().recv(-1)],
  'recvfrom: negative size': [`udp().recvfrom(-1)`, () => udp().recvfrom(-1)],
  'recv_into: negative nbytes': [`tcp().recv_into(bytearray(4), -1)`, () => tcp().recv_into(Buffer.alloc(4), -1)],
  'recvfrom_into: negative nbytes': [`udp().recvfrom_into(bytearray(4), -1)`, () => udp().recvfrom_into(Buffer.alloc(4), -1)],
  'recv_into: nbytes larger than the buffer': [`tcp().recv_into(bytearray(4), 5)`, () => tcp().recv_into(Buffer.alloc(4), 5)],
  'recvfrom_into: nbytes larger than the buffer': [`udp().recvfrom_into(bytearray(4), 5)`, () => udp().recvfrom_into(Buffer.alloc(4), 5)],
  'recv_into: a str buffer': [`tcp().recv_into('abcd')`, () => tcp().recv_into('abcd' as never)],
  'recv: size a str': [`tcp().recv('1')`, () => tcp().recv('1' as never)],
  'recv: size a float': [`tcp().recv(1.5)`, () => tcp().recv(1.5)],
  'recv_into: nbytes less than the buffer': [
    `a, b = pair(); a.send(b'hello'); buf = bytearray(8); [b.recv_into(buf, 3), buf]`,
    () => { const [a, b] = pair(); a.send(Buffer.from('hello')); const buf = Buffer.alloc(8); return [b.recv_into(buf, 3), buf]; },
  ],
  'recv: MSG_PEEK then read': [
    `a, b = pair(); a.send(b'hello'); [b.recv(3, MSG_PEEK), b.recv(10)]`,
    () => { const [a, b] = pair(); a.send(Buffer.from('hello')); return [b.recv(3, MSG_PEEK), b.recv(10)]; },
  ],
  'recv: peer closed': [`a, b = pair(); a.close(); b.recv(10)`, () => { const [a, b] = pair(); a.close(); return b.recv(10); }],

  // str where bytes are needed
  'send: a str': [`a, b = pair(); a.send('abc')`, () => pair()[0].send('abc' as never)],
  'send: None': [`a, b = pair(); a.send(None)`, () => pair()[0].send(null as never)],
  'send: an int': [`a, b = pair(); a.send(5)`, () => pair()[0].send(5 as never)],
  'sendall: a str': [`a, b = pair(); a.sendall('abc')`, () => pair()[0].sendall('abc' as never)],
  'sendto: a str': [`udp().sendto('abc', ('127.0.0.1', 9))`, () => udp().sendto('abc' as never, ['127.0.0.1', 9])],
  'setsockopt: a str': [`tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, 'x')`, () => tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, 'x' as never)],

  // timeouts
  'settimeout: negative': [`tcp().settimeout(-1)`, () => tcp().settimeout(-1)],
  'settimeout: NaN': [`tcp().settimeout(float('nan'))`, () => tcp().settimeout(NaN)],
  'settimeout: infinity': [`tcp().settimeout(float('inf'))`, () => tcp().settimeout(Infinity)],
  'settimeout: a str': [`tcp().settimeout('1')`, () => tcp().settimeout('1' as never)],
  'settimeout: True': [`s = tcp(); s.settimeout(True); s.gettimeout()`, () => { const s = tcp(); s.settimeout(true as never); return s.gettimeout(); }],
  'settimeout: 2.5': [`s = tcp(); s.settimeout(2.5); s.gettimeout()`, () => { const s = tcp(); s.settimeout(2.5); return s.gettimeout(); }],
  'settimeout: 0 is non-blocking': [
    `s = tcp(); s.settimeout(0); [s.gettimeout(), s.getblocking()]`,
    () => { const s = tcp(); s.settimeout(0); return [s.gettimeout(), s.getblocking()]; },
  ],
  'setdefaulttimeout: negative': [`setdefaulttimeout(-1)`, () => setdefaulttimeout(-1)],
  'setdefaulttimeout: NaN': [`setdefaulttimeout(float('nan'))`, () => setdefaulttimeout(NaN)],
  'setdefaulttimeout: a str': [`setdefaulttimeout('1')`, () => setdefaulttimeout('1' as never)],
  'setdefaulttimeout: applies to new sockets': [
    `setdefaulttimeout(0.5); tcp().gettimeout()`,
    () => { setdefaulttimeout(0.5); return tcp().gettimeout(); },
  ],

  // socket options
  'getsockopt: buflen -1': [`tcp().getsockopt(SOL_SOCKET, SO_TYPE, -1)`, () => tcp().getsockopt(SOL_SOCKET, SO_TYPE, -1)],
  'getsockopt: buflen 1025': [`tcp().getsockopt(SOL_SOCKET, SO_TYPE, 1025)`, () => tcp().getsockopt(SOL_SOCKET, SO_TYPE, 1025)],
  'getsockopt: SO_TYPE as int': [`tcp().getsockopt(SOL_SOCKET, SO_TYPE)`, () => tcp().getsockopt(SOL_SOCKET, SO_TYPE)],
  'getsockopt: SO_TYPE as bytes': [`udp().getsockopt(SOL_SOCKET, SO_TYPE, 4)`, () => udp().getsockopt(SOL_SOCKET, SO_TYPE, 4)],
  'getsockopt: unknown option': [`tcp().getsockopt(SOL_SOCKET, 9999)`, () => tcp().getsockopt(SOL_SOCKET, 9999)],
  'getsockopt: level a str': [`tcp().getsockopt('x', SO_TYPE)`, () => tcp().getsockopt('x' as never, SO_TYPE)],
  'setsockopt: int then getsockopt': [
    `s = tcp(); s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); s.getsockopt(SOL_SOCKET, SO_REUSEADDR)`,
    () => { const s = tcp(); s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); return s.getsockopt(SOL_SOCKET, SO_REUSEADDR); },
  ],
  'setsockopt: bytes then getsockopt': [
    `s = tcp(); s.setsockopt(SOL_SOCKET, SO_REUSEADDR, b'\\x01\\0\\0\\0'); s.getsockopt(SOL_SOCKET, SO_REUSEADDR)`,
    () => { const s = tcp(); s.setsockopt(SOL_SOCKET, SO_REUSEADDR, Buffer.from([1, 0, 0, 0])); return s.getsockopt(SOL_SOCKET, SO_REUSEADDR); },
  ],
  'setsockopt: 2**31': [`tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, 2**31)`, () => tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, 2 ** 31)],
  'setsockopt: None with optlen': [`tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, 4)`, () => tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, null, 4)],
  // Python takes optlen modulo 2 ** 32 (its `I` format): the OS then refuses it.
  'setsockopt: None with optlen -1': [`tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, -1)`, () => tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, null, -1)],
  'setsockopt: None with optlen 2**32': [`tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, 2**32)`, () => tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, null, 2 ** 32)],
  'setsockopt: None with optlen 2**32 + 4': [`tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, None, 2**32 + 4)`, () => tcp().setsockopt(SOL_SOCKET, SO_REUSEADDR, null, 2 ** 32 + 4)],

  // sendmsg checks its arguments in Python's order: flags, address, buffers, ancillary data.
  'sendmsg: bad flags before bad buffers': [`udp().sendmsg([1], [], 'x')`, () => udp().sendmsg([1 as never], [], 'x' as never)],
  'sendmsg: bad flags before a bad address': [`udp().sendmsg([b'x'], [], 'x', 5)`, () => udp().sendmsg([Buffer.from('x')], [], 'x' as never, 5 as never)],
  'sendmsg: bad address before bad buffers': [`udp().sendmsg([1], [], 0, 5)`, () => udp().sendmsg([1 as never], [], 0, 5 as never)],
  'sendmsg: bad buffers before bad ancillary items': [`udp().sendmsg([1], [1])`, () => udp().sendmsg([1 as never], [1 as never])],
  'sendmsg: bad buffers before ancdata not iterable': [`udp().sendmsg([1], 5)`, () => udp().sendmsg([1 as never], 5 as never)],
  'sendmsg: an ancillary item not a sequence': [`udp().sendmsg([b'x'], [1])`, () => udp().sendmsg([Buffer.from('x')], [1 as never])],
  'sendmsg: an ancillary item of length 2': [`udp().sendmsg([b'x'], [(1, 1)])`, () => udp().sendmsg([Buffer.from('x')], [[1, 1] as never])],

  // A text file asks its buffer again after the end of the stream, as CPython's TextIOWrapper does: a detached socket then raises EBADF.
  'makefile r: readline after EOF and detach': [
    `a, b = pair(); f = a.makefile('r'); b.close(); f.read(); fds.append(a.detach()); f.readline()`,
    () => { const [a, b] = pair(); const f = a.makefile('r'); b.close(); f.read(); fds.push(a.detach()); return f.readline(); },
  ],
  'makefile r: readline after EOF, twice': [
    `a, b = pair(); f = a.makefile('r'); b.close(); [f.read(), f.readline(), f.readline()]`,
    () => { const [a, b] = pair(); const f = a.makefile('r'); b.close(); return [f.read(), f.readline(), f.readline()]; },
  ],

  // closed sockets
  'closed: recv': [`s = tcp(); s.close(); s.recv(1)`, () => { const s = tcp(); s.close(); return s.recv(1); }],
  'closed: send': [`s = udp(); s.close(); s.send(b'x')`, () => { const s = udp(); s.close(); return s.send(Buffer.from('x')); }],
  'closed: bind': [`s = udp(); s.close(); s.bind(('127.0.0.1', 0))`, () => { const s = udp(); s.close(); s.bind(['127.0.0.1', 0]); }],
  'closed: getsockname': [`s = tcp(); s.close(); s.getsockname()`, () => { const s = tcp(); s.close(); return s.getsockname(); }],
  'closed: getsockopt': [`s = tcp(); s.close(); s.getsockopt(SOL_SOCKET, SO_TYPE)`, () => { const s = tcp(); s.close(); return s.getsockopt(SOL_SOCKET, SO_TYPE); }],
  'closed: settimeout': [`s = tcp(); s.close(); s.settimeout(1)`, () => { const s = tcp(); s.close(); s.settimeout(1); }],
  'closed: fileno is -1': [`s = tcp(); s.close(); s.fileno()`, () => { const s = tcp(); s.close(); return s.fileno(); }],
  'closed: close twice': [`s = tcp(); s.close(); s.close()`, () => { const s = tcp(); s.close(); s.close(); }],

  // socket()
  'socket: bad family': [`sock(12345)`, () => track(socket(12345))],
  'socket: bad type': [`sock(AF_INET, 999)`, () => track(socket(AF_INET, 999))],
  'socket: bad proto': [`sock(AF_INET, SOCK_STREAM, 9999)`, () => track(socket(AF_INET, SOCK_STREAM, 9999))],
  'socket: family a str': [`sock('x')`, () => track(socket('x' as never))],
  'socket: fileno=-5': [`sock(fileno=-5)`, () => track(socket(undefined, undefined, undefined, -5))],
  'socket: fileno not open': [`sock(fileno=999999)`, () => track(socket(undefined, undefined, undefined, 999999))],
  'socket: fileno not a socket': [`sock(fileno=devnull())`, () => track(socket(undefined, undefined, undefined, devnull()))],
  'socket: fileno of a socket': [
    `s = sock(fileno=dup(udp().fileno())); [s.family, s.type, s.proto]`,
    () => { const s = track(socket(undefined, undefined, undefined, dup(udp().fileno()))); return [s.family, s.type, s.proto]; },
  ],
  'socket: defaults': [`s = sock(); [s.family, s.type, s.proto, s.gettimeout()]`, () => { const s = track(socket()); return [s.family, s.type, s.proto, s.gettimeout()]; }],
  'socket: SOCK_NONBLOCK': [
    `s = sock(AF_INET, SOCK_STREAM | SOCK_NONBLOCK); [s.type, s.gettimeout()]`,
    () => { const s = track(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK)); return [s.type, s.gettimeout()]; },
  ],
  'socketpair: defaults': [`a, b = pair(); [a.family, a.type, b.family, b.type]`, () => { const [a, b] = pair(); return [a.family, a.type, b.family, b.type]; }],
  'socketpair: AF_INET': [`pair(AF_INET)`, () => pair(AF_INET)],
  'socketpair: SOCK_NONBLOCK | SOCK_CLOEXEC': [
    `a, b = pair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC); [a.type, a.gettimeout(), b.getblocking(), b.get_inheritable()]`,
    () => { const [a, b] = pair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC); return [a.type, a.gettimeout(), b.getblocking(), b.get_inheritable()]; },
  ],

  // inet_pton / inet_ntop / inet_aton / inet_ntoa
  'inet_pton: IPv4': [`inet_pton(AF_INET, '1.2.3.4')`, () => inet_pton(AF_INET, '1.2.3.4')],
  'inet_pton: IPv4 short form': [`inet_pton(AF_INET, '127.1')`, () => inet_pton(AF_INET, '127.1')],
  'inet_pton: IPv4 empty': [`inet_pton(AF_INET, '')`, () => inet_pton(AF_INET, '')],
  'inet_pton: IPv6': [`inet_pton(AF_INET6, '::1')`, () => inet_pton(AF_INET6, '::1')],
  'inet_pton: IPv6 mapped IPv4': [`inet_pton(AF_INET6, '::ffff:1.2.3.4')`, () => inet_pton(AF_INET6, '::ffff:1.2.3.4')],
  'inet_pton: IPv6 two ::': [`inet_pton(AF_INET6, '1::2::3')`, () => inet_pton(AF_INET6, '1::2::3')],
  'inet_pton: bad family': [`inet_pton(12345, '1.2.3.4')`, () => inet_pton(12345, '1.2.3.4')],
  'inet_pton: address an int': [`inet_pton(AF_INET, 5)`, () => inet_pton(AF_INET, 5 as never)],
  'inet_ntop: IPv4': [`inet_ntop(AF_INET, b'\\x01\\x02\\x03\\x04')`, () => inet_ntop(AF_INET, Buffer.from([1, 2, 3, 4]))],
  'inet_ntop: IPv4 wrong length': [`inet_ntop(AF_INET, b'\\x01\\x02\\x03')`, () => inet_ntop(AF_INET, Buffer.from([1, 2, 3]))],
  'inet_ntop: IPv6': [`inet_ntop(AF_INET6, bytes(16))`, () => inet_ntop(AF_INET6, Buffer.alloc(16))],
  'inet_ntop: IPv6 mapped IPv4': [
    `inet_ntop(AF_INET6, bytes(10) + b'\\xff\\xff\\x01\\x02\\x03\\x04')`,
    () => inet_ntop(AF_INET6, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4])),
  ],
  'inet_ntop: IPv6 wrong length': [`inet_ntop(AF_INET6, bytes(4))`, () => inet_ntop(AF_INET6, Buffer.alloc(4))],
  'inet_ntop: a str': [`inet_ntop(AF_INET, '1234')`, () => inet_ntop(AF_INET, '1234' as never)],
  'inet_ntop: bad family': [`inet_ntop(12345, bytes(4))`, () => inet_ntop(12345, Buffer.alloc(4))],
  "inet_aton: '1.2.3.4'": [`inet_aton('1.2.3.4')`, () => inet_aton('1.2.3.4')],
  "inet_aton: '127.1'": [`inet_aton('127.1')`, () => inet_aton('127.1')],
  "inet_aton: '0x7f.1'": [`inet_aton('0x7f.1')`, () => inet_aton('0x7f.1')],
  "inet_aton: '010.0.0.1' (octal)": [`inet_aton('010.0.0.1')`, () => inet_aton('010.0.0.1')],
  "inet_aton: '4294967295'": [`inet_aton('4294967295')`, () => inet_aton('4294967295')],
  "inet_aton: '4294967296'": [`inet_aton('4294967296')`, () => inet_aton('4294967296')],
  "inet_aton: '256.1.1.1'": [`inet_aton('256.1.1.1')`, () => inet_aton('256.1.1.1')],
  "inet_aton: '1.2.3.4 junk'": [`inet_aton('1.2.3.4 junk')`, () => inet_aton('1.2.3.4 junk')],
  "inet_aton: ''": [`inet_aton('')`, () => inet_aton('')],
  'inet_aton: an int': [`inet_aton(5)`, () => inet_aton(5 as never)],
  'inet_ntoa: 4 bytes': [`inet_ntoa(b'\\x7f\\0\\0\\x01')`, () => inet_ntoa(Buffer.from([127, 0, 0, 1]))],
  'inet_ntoa: 3 bytes': [`inet_ntoa(b'abc')`, () => inet_ntoa(Buffer.from('abc'))],
  'inet_ntoa: a str': [`inet_ntoa('abcd')`, () => inet_ntoa('abcd' as never)],

  // byte order
  'htons(1)': [`htons(1)`, () => htons(1)],
  'htons(65535)': [`htons(65535)`, () => htons(65535)],
  'htons(65536)': [`htons(65536)`, () => htons(65536)],
  'htons(-1)': [`htons(-1)`, () => htons(-1)],
  "htons('1')": [`htons('1')`, () => htons('1' as never)],
  'htons(1.5)': [`htons(1.5)`, () => htons(1.5)],
  'ntohs(0x1234)': [`ntohs(0x1234)`, () => ntohs(0x1234)],
  'ntohs(-1)': [`ntohs(-1)`, () => ntohs(-1)],
  'htonl(1)': [`htonl(1)`, () => htonl(1)],
  'htonl(2**32 - 1)': [`htonl(2**32 - 1)`, () => htonl(2 ** 32 - 1)],
  'htonl(2**32)': [`htonl(2**32)`, () => htonl(2 ** 32)],
  'htonl(-1)': [`htonl(-1)`, () => htonl(-1)],
  "htonl('1')": [`htonl('1')`, () => htonl('1' as never)],
  'ntohl(0x12345678)': [`ntohl(0x12345678)`, () => ntohl(0x12345678)],
  'ntohl(2**32)': [`ntohl(2**32)`, () => ntohl(2 ** 32)],

  // connect, accept, modes
  'connect_ex: IPv6 literal on AF_INET (gaierror, not a number)': [`tcp().connect_ex(('::1', 80))`, () => tcp().connect_ex(['::1', 80])],
  'sendto: IPv6 literal on AF_INET': [`udp().sendto(b'x', ('::1', 80))`, () => udp().sendto(Buffer.from('x'), ['::1', 80])],
  'connect: IPv6 literal on AF_INET': [`tcp().connect(('::1', 80))`, () => tcp().connect(['::1', 80])],
  'connect_ex: refused': [`tcp().connect_ex(refused())`, () => tcp().connect_ex(refused())],
  'connect: refused': [`tcp().connect(refused())`, () => tcp().connect(refused())],
  'connect_ex: listening': [`tcp().connect_ex(listener().getsockname())`, () => tcp().connect_ex(listener().getsockname())],
  'connect then getpeername': [
    `l = listener(); s = tcp(); s.connect(l.getsockname()); s.getpeername() == l.getsockname()`,
    () => { const l = listener(); const s = tcp(); s.connect(l.getsockname()); return isDeepStrictEqual(s.getpeername(), l.getsockname()); },
  ],
  'getpeername: not connected': [`tcp().getpeername()`, () => tcp().getpeername()],
  'recv: timeout mode, nothing to read': [`a, b = pair(); a.settimeout(0.01); a.recv(1)`, () => { const [a] = pair(); a.settimeout(0.01); return a.recv(1); }],
  'recv: non-blocking, nothing to read': [`a, b = pair(); a.setblocking(False); a.recv(1)`, () => { const [a] = pair(); a.setblocking(false); return a.recv(1); }],
  'recv: non-blocking, data waiting': [
    `a, b = pair(); b.send(b'x'); a.setblocking(False); a.recv(5)`,
    () => { const [a, b] = pair(); b.send(Buffer.from('x')); a.setblocking(false); return a.recv(5); },
  ],
  'accept: non-blocking, no client': [`l = listener(); l.setblocking(False); l.accept()`, () => { const l = listener(); l.setblocking(false); return l.accept(); }],
  'accept: timeout mode, no client': [`l = listener(); l.settimeout(0.01); l.accept()`, () => { const l = listener(); l.settimeout(0.01); return l.accept(); }],
  'accept: not listening': [`tcp().accept()`, () => tcp().accept()],
  'accept: a waiting client': [
    `l = listener(); c = tcp(); c.connect(l.getsockname()); s, a = l.accept(); track(s); [a == c.getsockname(), s.getpeername() == a, s.gettimeout()]`,
    () => {
      const l = listener();
      const c = tcp();
      c.connect(l.getsockname());
      const [s, a] = l.accept();
      track(s);
      return [isDeepStrictEqual(a, c.getsockname()), isDeepStrictEqual(s.getpeername(), a), s.gettimeout()];
    },
  ],
  'send: unconnected TCP': [`tcp().send(b'x')`, () => tcp().send(Buffer.from('x'))],
  'send: unconnected UDP': [`udp().send(b'x')`, () => udp().send(Buffer.from('x'))],
  'send: peer closed': [`a, b = pair(); b.close(); a.send(b'x')`, () => { const [a, b] = pair(); b.close(); return a.send(Buffer.from('x')); }],
  'UDP round trip on loopback': [
    `s = udp(); s.bind(('127.0.0.1', 0)); s.sendto(b'ping', s.getsockname()); d, a = s.recvfrom(10); [d, a == s.getsockname()]`,
    () => {
      const s = udp();
      s.bind(['127.0.0.1', 0]);
      s.sendto(Buffer.from('ping'), s.getsockname());
      const [d, a] = s.recvfrom(10);
      return [d, isDeepStrictEqual(a, s.getsockname())];
    },
  ],

  // shutdown, listen
  'shutdown: how 5': [`a, b = pair(); a.shutdown(5)`, () => pair()[0].shutdown(5)],
  'shutdown: how a str': [`a, b = pair(); a.shutdown('x')`, () => pair()[0].shutdown('x' as never)],
  'shutdown: not connected': [`tcp().shutdown(SHUT_RDWR)`, () => tcp().shutdown(SHUT_RDWR)],
  'shutdown: SHUT_WR, peer reads end of stream': [
    `a, b = pair(); a.shutdown(SHUT_WR); b.recv(10)`,
    () => { const [a, b] = pair(); a.shutdown(SHUT_WR); return b.recv(10); },
  ],
  'listen: UDP socket': [`udp().listen()`, () => udp().listen()],
  'listen: negative backlog': [`s = tcp(); s.bind(('127.0.0.1', 0)); s.listen(-5)`, () => { const s = tcp(); s.bind(['127.0.0.1', 0]); s.listen(-5); }],
  'listen: backlog a str': [`tcp().listen('x')`, () => tcp().listen('x' as never)],

  // getaddrinfo (numeric: no resolver traffic)
  'getaddrinfo: 127.0.0.1, 80': [`getaddrinfo('127.0.0.1', 80)`, () => getaddrinfo('127.0.0.1', 80)],
  'getaddrinfo: ::1, 80, AF_INET6, SOCK_STREAM': [`getaddrinfo('::1', 80, AF_INET6, SOCK_STREAM)`, () => getaddrinfo('::1', 80, AF_INET6, SOCK_STREAM)],
  'getaddrinfo: None, port str, AI_PASSIVE': [
    `getaddrinfo(None, '8080', AF_INET, SOCK_STREAM, 0, AI_PASSIVE)`,
    () => getaddrinfo(null, '8080', AF_INET, SOCK_STREAM, 0, AI_PASSIVE),
  ],
  'getaddrinfo: None host, AF_INET6 datagram': [`getaddrinfo(None, 0, AF_INET6, SOCK_DGRAM)`, () => getaddrinfo(null, 0, AF_INET6, SOCK_DGRAM)],
  'getaddrinfo: port None': [`getaddrinfo('127.0.0.1', None, AF_INET, SOCK_DGRAM)`, () => getaddrinfo('127.0.0.1', null, AF_INET, SOCK_DGRAM)],
  'getaddrinfo: AI_CANONNAME': [
    `getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME)`,
    () => getaddrinfo('127.0.0.1', 80, AF_INET, SOCK_STREAM, 0, AI_CANONNAME),
  ],
  'getaddrinfo: AI_NUMERICHOST with a name': [
    `getaddrinfo('not-a-number', 80, 0, 0, 0, AI_NUMERICHOST)`,
    () => getaddrinfo('not-a-number', 80, 0, 0, 0, AI_NUMERICHOST),
  ],
  'getaddrinfo: AI_NUMERICSERV with a name': [
    `getaddrinfo('127.0.0.1', 'bsdsock', 0, 0, 0, AI_NUMERICSERV)`,
    () => getaddrinfo('127.0.0.1', 'bsdsock', 0, 0, 0, AI_NUMERICSERV),
  ],
  'getaddrinfo: IPv4 literal, AF_INET6': [
    `getaddrinfo('127.0.0.1', 80, AF_INET6, 0, 0, AI_NUMERICHOST)`,
    () => getaddrinfo('127.0.0.1', 80, AF_INET6, 0, 0, AI_NUMERICHOST),
  ],
  'getaddrinfo: bad family': [`getaddrinfo('127.0.0.1', 80, 12345)`, () => getaddrinfo('127.0.0.1', 80, 12345)],
  'getaddrinfo: None, None': [`getaddrinfo(None, None)`, () => getaddrinfo(null, null)],
  'getaddrinfo: port a float': [`getaddrinfo('127.0.0.1', 1.5)`, () => getaddrinfo('127.0.0.1', 1.5)],
  'getaddrinfo: host an int': [`getaddrinfo(5, 80)`, () => getaddrinfo(5 as never, 80)],

  // byte order and CMSG sizes: each step's OverflowError, as CPython parses them
  'htons: 2**32, beyond a C int': [`htons(2**32)`, () => htons(2 ** 32)],
  'htons: 2**64, beyond a C long': [`htons(2**64)`, () => htons(2 ** 64)],
  'ntohs: 65536': [`ntohs(65536)`, () => ntohs(65536)],
  'htonl: 1.5': [`htonl(1.5)`, () => htonl(1.5)],
  'htonl: 2**64, beyond a C unsigned long': [`htonl(2**64)`, () => htonl(2 ** 64)],
  'ntohl: 2**32': [`ntohl(2**32)`, () => ntohl(2 ** 32)],
  'CMSG_LEN: 2**63, beyond a ssize_t': [`CMSG_LEN(2**63)`, () => CMSG_LEN(2 ** 63)],
  'CMSG_SPACE: 2**62': [`CMSG_SPACE(2**62)`, () => CMSG_SPACE(2 ** 62)],

  // AF_UNIX addresses: an array stands for a tuple, as for every other family
  'AF_UNIX connect: an AF_INET address': [`unix().connect(('127.0.0.1', 80))`, () => unix().connect(['127.0.0.1', 80] as never)],
  'AF_UNIX sendto: an AF_INET address': [`unix(SOCK_DGRAM).sendto(b'x', ('127.0.0.1', 80))`, () => unix(SOCK_DGRAM).sendto(Buffer.from('x'), ['127.0.0.1', 80] as never)],

  // str arguments: encoded to UTF-8 first, then free of NUL
  'inet_aton: a NUL': [`inet_aton('1.2.3.4\\x00')`, () => inet_aton('1.2.3.4\0')],
  'inet_pton: a NUL': [`inet_pton(AF_INET6, '::1\\x00')`, () => inet_pton(AF_INET6, '::1\0')],
  'inet_aton: a lone surrogate': [`inet_aton('\\ud800')`, () => inet_aton('\ud800')],
  'inet_pton: a lone surrogate after three characters': [`inet_pton(AF_INET6, '::1\\ud800')`, () => inet_pton(AF_INET6, '::1\ud800')],
  'inet_pton: a lone surrogate after an astral character (positions count code points)': [`inet_pton(AF_INET, '\\U0001f600\\ud800')`, () => inet_pton(AF_INET, '\u{1f600}\ud800')],
  'getfqdn: None': [`getfqdn(None)`, () => getfqdn(null as never)],
  'getfqdn: an int': [`getfqdn(1)`, () => getfqdn(1 as never)],

  // timeouts, held as whole nanoseconds rounded up
  'setdefaulttimeout: 1e-10 is 1e-09': [`setdefaulttimeout(1e-10); getdefaulttimeout()`, () => { setdefaulttimeout(1e-10); return getdefaulttimeout(); }],
  'setdefaulttimeout: 0.1 + 0.2': [`setdefaulttimeout(0.1 + 0.2); getdefaulttimeout()`, () => { setdefaulttimeout(0.1 + 0.2); return getdefaulttimeout(); }],
  'settimeout: 0.1234567891': [`s = tcp(); s.settimeout(0.1234567891); s.gettimeout()`, () => { const s = tcp(); s.settimeout(0.1234567891); return s.gettimeout(); }],
  'setdefaulttimeout: an int too large': [`setdefaulttimeout(10**10)`, () => setdefaulttimeout(1e10)],
  'setdefaulttimeout: -inf': [`setdefaulttimeout(float('-inf'))`, () => setdefaulttimeout(-Infinity)],
  'setdefaulttimeout: -1e-12': [`setdefaulttimeout(-1e-12)`, () => setdefaulttimeout(-1e-12)],
  'settimeout: no argument': [`tcp().settimeout()`, () => (tcp().settimeout as () => void)()],

  // modes and flags are ints, not any value's truth
  'setblocking: no argument': [`tcp().setblocking()`, () => (tcp().setblocking as () => void)()],
  'setblocking: None': [`tcp().setblocking(None)`, () => tcp().setblocking(null as never)],
  'setblocking: 0.5': [`tcp().setblocking(0.5)`, () => tcp().setblocking(0.5 as never)],
  'setblocking: a str': [`tcp().setblocking('x')`, () => tcp().setblocking('x' as never)],
  'setblocking: 2**64': [`tcp().setblocking(2**64)`, () => tcp().setblocking((2 ** 64) as never)],
  'setblocking: 2, then blocking': [`s = tcp(); s.setblocking(2); s.gettimeout()`, () => { const s = tcp(); s.setblocking(2 as never); return s.gettimeout(); }],
  'set_inheritable: None': [`tcp().set_inheritable(None)`, () => tcp().set_inheritable(null as never)],
  'set_inheritable: 2**40': [`tcp().set_inheritable(2**40)`, () => tcp().set_inheritable((2 ** 40) as never)],
  'set_inheritable: no argument': [`tcp().set_inheritable()`, () => (tcp().set_inheritable as () => void)()],

  // other arguments
  'socketpair: family None is the default': [`a, b = pair(None); [a.family, a.type]`, () => { const [a] = pair(null as never); return [a.family, a.type]; }],
  'create_connection: a str address': [`create_connection('127.0.0.1', 1)`, () => create_connection('127.0.0.1' as never, 1)],
  'create_connection: a one-character str': [`create_connection('a', 1)`, () => create_connection('a' as never, 1)],
  'recv: 2**64 bytes': [`tcp().recv(2**64)`, () => tcp().recv(2 ** 64)],
  'makefile: mode an int': [`tcp().makefile(5)`, () => tcp().makefile(5 as never)],
  'makefile: buffering a str': [`tcp().makefile('rb', 'x')`, () => tcp().makefile('rb', 'x' as never)],
  'makefile: an unknown encoding': [`tcp().makefile('r', encoding='nope')`, () => tcp().makefile('r', { encoding: 'nope' })],
  'epoll.poll: maxevents beyond a C int': [`e = select.epoll()\ntry:\n    e.poll(0, 2**31)\nfinally:\n    e.close()`, () => withEpoll((e) => e.poll(0, 2 ** 31))],
  "epoll.poll: maxevents beyond the kernel's limit": [`e = select.epoll()\ntry:\n    e.poll(0, 178956971)\nfinally:\n    e.close()`, () => withEpoll((e) => e.poll(0, 178_956_971))],
  'selectors: register with events None': [`with_selector(lambda s: s.register(pair()[0], None))`, () => withSelector((s) => s.register(pair()[0], null as never))],
  'selectors: register with events a str': [`with_selector(lambda s: s.register(pair()[0], 'x'))`, () => withSelector((s) => s.register(pair()[0], 'x' as never))],
  'selectors: register with events True, which is EVENT_READ': [
    `with_selector(lambda s: s.register(pair()[0], True).events == selectors.EVENT_READ)`,
    () => withSelector((s) => s.register(pair()[0], true as never).events === EVENT_READ),
  ],
  'selectors: select with a str timeout': [`with_selector(lambda s: s.select('1'))`, () => withSelector((s) => s.select('1' as never))],

  // A bigint is Python's int of any size, wherever an int is taken
  'recv: bigint sizes and flags': [`(lambda p: (p[1].send(b'hello'), p[0].recv(2, 0))[1])(pair())`, () => ((p) => (p[1].send(Buffer.from('hello')), p[0].recv(2n as never, 0n as never)))(pair())],
  'recv: a bigint beyond a ssize_t': [`pair()[0].recv(2**70)`, () => pair()[0].recv((2n ** 70n) as never)],
  'bind: a bigint port': [`(lambda s: (s.bind(('127.0.0.1', 0)), s.getsockname()[1] > 0)[1])(udp())`, () => ((s) => (s.bind(['127.0.0.1', 0n as never]), s.getsockname()[1] > 0))(udp())],
  'bind: a bigint port beyond 16 bits': [`udp().bind(('127.0.0.1', 2**70))`, () => udp().bind(['127.0.0.1', (2n ** 70n) as never])],
  'setsockopt: a bigint value': [`(lambda s: (s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1), s.getsockopt(SOL_SOCKET, SO_KEEPALIVE))[1])(tcp())`, () => ((s) => (s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, 1n as never), s.getsockopt(SOL_SOCKET, SO_KEEPALIVE)))(tcp())],
  'setsockopt: a bigint beyond a C int is no int to it': [`tcp().setsockopt(SOL_SOCKET, SO_KEEPALIVE, 2**40)`, () => tcp().setsockopt(SOL_SOCKET, SO_KEEPALIVE, (2n ** 40n) as never)],
  'shutdown: a how beyond a C int, in _PyLong_AsInt\'s one message': [`pair()[0].shutdown(2**31)`, () => pair()[0].shutdown(2 ** 31)],
  'shutdown: a bigint how beyond a C long': [`pair()[0].shutdown(2**70)`, () => pair()[0].shutdown((2n ** 70n) as never)],
  'shutdown: a bigint how below a C int': [`pair()[0].shutdown(-2**31 - 1)`, () => pair()[0].shutdown((-(2n ** 31n) - 1n) as never)],
  'set_inheritable: a bigint beyond a C int': [`pair()[0].set_inheritable(2**40)`, () => pair()[0].set_inheritable((2n ** 40n) as never)],
  'htonl: a bigint': [`htonl(1)`, () => htonl(1n as never)],
  'htonl: a bigint beyond a C unsigned long': [`htonl(2**70)`, () => htonl((2n ** 70n) as never)],
  'CMSG_LEN: a bigint': [`CMSG_LEN(4)`, () => CMSG_LEN(4n as never)],
  'select: a bigint fd': [`(lambda p: len(select.select([p[0].fileno()], [], [], 0)[0]))((lambda p: (p[1].send(b'x'), p)[1])(pair()))`, () => ((p) => select([BigInt(p[0].fileno()) as never], [], [], 0)[0].length)(((p) => (p[1].send(Buffer.from('x')), p))(pair()))],
  'select: a bigint fd beyond a C int': [`select.select([2**70], [], [], 0)`, () => select([(2n ** 70n) as never], [], [], 0)],
  'poll.register: a bigint mask beyond an unsigned long': [`select.poll().register(pair()[0], 2**70)`, () => poll().register(pair()[0], (2n ** 70n) as never)],
  'selectors: events past 32 bits are invalid, not cut to their low bits': [`with_selector(lambda s: s.register(pair()[0], 2**32 + 1))`, () => withSelector((s) => s.register(pair()[0], 2 ** 32 + 1))],
  'selectors: bigint events past 64 bits, named whole': [`with_selector(lambda s: s.register(pair()[0], 2**70))`, () => withSelector((s) => s.register(pair()[0], (2n ** 70n) as never))],
  'selectors: register and modify with bigint events': [
    `with_selector(lambda s: (lambda p: (s.register(p[0], 1).events, s.modify(p[0], 3).events))(pair()))`,
    () => withSelector((s) => ((p) => [s.register(p[0], 1n as never).events, s.modify(p[0], 3n as never).events])(pair())),
  ],
  'selectors: register a bigint fd': [`with_selector(lambda s: (lambda p: s.register(p[0].fileno(), 1).fd == p[0].fileno())(pair()))`, () => withSelector((s) => ((p) => s.register(BigInt(p[0].fileno()) as never, 1).fd === p[0].fileno())(pair()))],
  'makefile: a bigint buffering 0, unbuffered': [`type(tcp().makefile('rb', 0)).__name__`, () => tcp().makefile('rb', 0n as never).constructor.name],
  'setblocking: a bigint': [`(lambda s: (s.setblocking(0), s.gettimeout())[1])(tcp())`, () => ((s) => (s.setblocking(0n as never), s.gettimeout()))(tcp())],
};

/** Runs `f` on `thing` (a new epoll or selector), closed after. */
function closing<C extends { close(): void }, T>(thing: C, f: (c: C) => T): T {
  try {
    return f(thing);
  } finally {
    thing.close();
  }
}
const withEpoll = <T>(f: (e: epoll) => T): T => closing(new epoll(), f);
const withSelector = <T>(f: (s: DefaultSelector) => T): T => closing(new DefaultSelector(), f);

const py = python(
  SETUP,
  Object.fromEntries(Object.entries(cases).map(([name, [src]]) => [name, src])),
);

describe('bsdsock does what python3 does', () => {
  for (const [name, [, js]] of Object.entries(cases)) {
    it(name, () => {
      expect(py[name]).toBeDefined();
      expect(outcome(js)).toEqual(expected(py[name]));
    });
  }
});
