// Messages and ancillary data: sendmsg, recvmsg, recvmsg_into, CMSG_LEN,
// CMSG_SPACE, send_fds and recv_fds against python3 on the same calls, fds
// passed both ways with a python3 child, and the control messages decoded:
// SCM_RIGHTS, SCM_CREDENTIALS, SO_PEERCRED, IP_PKTINFO, IPV6_PKTINFO,
// IP_TTL, IPV6_HOPLIMIT, SCM_TIMESTAMP, SCM_TIMESTAMPNS.
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as bsdsock from 'bsdsock';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  CMSG_LEN,
  CMSG_SPACE,
  decode_cmsg,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_HOPLIMIT,
  IPV6_PKTINFO,
  IPV6_RECVHOPLIMIT,
  IPV6_RECVPKTINFO,
  IP_PKTINFO,
  IP_RECVTTL,
  IP_TTL,
  MSG_CTRUNC,
  MSG_DONTWAIT,
  MSG_TRUNC,
  pack_ucred,
  recv_fds,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SCM_TIMESTAMP,
  SCM_TIMESTAMPNS,
  send_fds,
  SO_PASSCRED,
  SO_PEERCRED,
  SO_TIMESTAMP,
  SO_TIMESTAMPNS,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  socketpair,
  TimeoutError,
  unpack_ucred,
  type AncData,
  type Socket,
} from 'bsdsock';
import { describe, expect, it } from 'vitest';

import { encode, expected, outcome, python } from './helpers/python';
import { closing, fdLink, owned, tempDir, thrown, udpPair } from './helpers/sockets';
import { runSync } from './helpers/run';

const ERRNO = bsdsock as unknown as Record<string, number>;

/** The fds this process has open (from /proc), for leak checks. */
function openFds(): number[] {
  return fs
    .readdirSync('/proc/self/fd')
    .map(Number)
    .filter((fd) => fdLink(fd) !== null)
    .sort((a, b) => a - b);
}

/** The ancillary items in the oracle's encoding. */
function anc(items: AncData[]): unknown {
  return encode(items);
}

describe('CMSG_LEN and CMSG_SPACE', () => {
  const values = [0, 1, 4, 7, 8, 12, 16, 100, 2147483623, 2147483624, 2147483631, 2147483632, -1];
  const py = python(
    'import socket',
    Object.fromEntries(values.flatMap((n) => [[`len ${n}`, `socket.CMSG_LEN(${n})`], [`space ${n}`, `socket.CMSG_SPACE(${n})`]])),
  );

  it.each(values)("CMSG_LEN(%d) is Python's", (n) => {
    expect(outcome(() => CMSG_LEN(n))).toEqual(expected(py[`len ${n}`]!));
  });

  it.each(values)("CMSG_SPACE(%d) is Python's", (n) => {
    expect(outcome(() => CMSG_SPACE(n))).toEqual(expected(py[`space ${n}`]!));
  });

  it('a float is a TypeError, as in Python', () => {
    expect(thrown(() => CMSG_LEN(1.5))).toBeInstanceOf(TypeError);
  });
});

describe('sendmsg and recvmsg against Python', () => {
  // Each case runs the same calls in python3 (on its own sockets) and here.
  const py = python(
    `import socket, os
a, b = socketpair = socket.socketpair()
u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u1.bind(('127.0.0.1', 0))
u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u2.bind(('127.0.0.1', 0))
def after_each():
    for s in (a, b, u1, u2):
        s.setblocking(False)
        try:
            while s.recv(65536): pass
        except OSError: pass
        s.setblocking(True)
`,
    {
      gather: "a.sendmsg([b'ab', b'cd', b'']), b.recvmsg(10, 100)",
      scatter: "a.sendmsg([b'hello']); b1 = bytearray(2); b2 = bytearray(6); (b.recvmsg_into([b1, b2]), bytes(b1), bytes(b2))",
      truncated: "u2.sendto(b'0123456789', u1.getsockname()); d, an, fl, ad = u1.recvmsg(4); (d, an, fl, ad == u2.getsockname())",
      truncatedInto: "u2.sendto(b'0123456789', u1.getsockname()); buf = bytearray(4); n, an, fl, ad = u1.recvmsg_into([buf], 0, socket.MSG_TRUNC); (n, an, fl, bytes(buf))",
      toAddress: "n = u2.sendmsg([b'to', b'addr'], [], 0, u1.getsockname()); d, an, fl, ad = u1.recvmsg(100); (n, d, an, fl, ad == u2.getsockname())",
      emptyRights: "a.sendmsg([b'q'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, b'')])",
      ctruncRights: "r, w = os.pipe(); socket.send_fds(a, [b'x'], [r, w]); os.close(r); os.close(w); d, an, fl, ad = b.recvmsg(10, socket.CMSG_LEN(4)); [os.close(int.from_bytes(x[2], 'little')) for x in an]; (d, [(x[0], x[1], len(x[2])) for x in an], fl, ad)",
      tooSmallForAny: "r, w = os.pipe(); socket.send_fds(a, [b'x'], [r, w]); os.close(r); os.close(w); b.recvmsg(10, 10)",
      noAncBuffer: "r, w = os.pipe(); socket.send_fds(a, [b'x'], [r, w]); os.close(r); os.close(w); b.recvmsg(10, 0)",
      recvFds: "r, w = os.pipe(); socket.send_fds(a, [b'xy'], [r, w]); os.close(r); os.close(w); d, fds, fl, ad = socket.recv_fds(b, 10, 1); [os.close(f) for f in fds]; (d, len(fds), fl, ad)",
      nonblocking: 'u1.recvmsg(4, 0, socket.MSG_DONTWAIT)',
      argNotIterable: 'a.sendmsg(5)',
      ancNotIterable: "a.sendmsg([b'x'], 5)",
      ancPair: "a.sendmsg([b'x'], [(1, 2)])",
      ancStr: "a.sendmsg([b'x'], [(1, 2, 's')])",
      bufferStr: "a.sendmsg(['x'])",
      flagsStr: "a.sendmsg([b'x'], [], 'x')",
      addressStr: "u2.sendmsg([b'q'], [], 0, 'x')",
      addressShort: "u2.sendmsg([b'q'], [], 0, ('127.0.0.1',))",
      negativeBufsize: 'b.recvmsg(-1)',
      negativeAnc: 'b.recvmsg(10, -1)',
      intoNotIterable: 'b.recvmsg_into(5)',
      intoNegativeAnc: 'b.recvmsg_into([bytearray(1)], -1)',
      tooManyBuffers: "u2.sendmsg([b'q'] * 2000, [], 0, u1.getsockname())",
    },
  );

  function sockets(): { a: bsdsock.Socket; b: bsdsock.Socket; u1: bsdsock.Socket<'AF_INET'>; u2: bsdsock.Socket<'AF_INET'> } & Disposable {
    const [a, b] = socketpair();
    const [u1, u2] = udpPair();
    return { a, b, u1, u2, [Symbol.dispose]: () => [a, b, u1, u2].forEach((s) => s.close()) };
  }

  it("gathers buffers, as Python's", () => {
    using s = sockets();
    const r = outcome(() => [s.a.sendmsg([Buffer.from('ab'), Buffer.from('cd'), Buffer.alloc(0)]), s.b.recvmsg(10, 100)]);
    expect(r).toEqual(py.gather);
    expect(py.gather).toEqual({ value: [4, [{ hex: '61626364' }, [], 0, null]] });
  });

  it("scatters into buffers in place, as Python's", () => {
    using s = sockets();
    s.a.sendmsg([Buffer.from('hello')]);
    const b1 = new Uint8Array(2);
    const b2 = Buffer.alloc(6);
    const r = outcome(() => [s.b.recvmsg_into([b1, b2]), b1, b2]);
    expect(r).toEqual(py.scatter);
  });

  it('reports MSG_TRUNC for a datagram larger than the buffer, as Python', () => {
    using s = sockets();
    s.u2.sendto(Buffer.from('0123456789'), s.u1.getsockname());
    const [d, an, fl, ad] = s.u1.recvmsg(4);
    expect(outcome(() => [d, an, fl, JSON.stringify(ad) === JSON.stringify(s.u2.getsockname())])).toEqual(py.truncated);
    expect(fl & MSG_TRUNC).toBe(MSG_TRUNC);
  });

  it('recvmsg_into with MSG_TRUNC returns the real length, as Python', () => {
    using s = sockets();
    s.u2.sendto(Buffer.from('0123456789'), s.u1.getsockname());
    const buf = Buffer.alloc(4);
    const [n, an, fl] = s.u1.recvmsg_into([buf], 0, MSG_TRUNC);
    expect(outcome(() => [n, an, fl, buf])).toEqual(py.truncatedInto);
  });

  it('sends to an address, as Python', () => {
    using s = sockets();
    const n = s.u2.sendmsg([Buffer.from('to'), Buffer.from('addr')], [], 0, s.u1.getsockname());
    const [d, an, fl, ad] = s.u1.recvmsg(100);
    expect(outcome(() => [n, d, an, fl, JSON.stringify(ad) === JSON.stringify(s.u2.getsockname())])).toEqual(py.toAddress);
  });

  it('sends an empty SCM_RIGHTS item, as Python', () => {
    using s = sockets();
    expect(outcome(() => s.a.sendmsg([Buffer.from('q')], [[SOL_SOCKET, SCM_RIGHTS, Buffer.alloc(0)]]))).toEqual(py.emptyRights);
  });

  it('truncated SCM_RIGHTS: MSG_CTRUNC, the fds that fit, the others closed by the kernel, as Python', () => {
    using s = sockets();
    const before = openFds();
    sendTwoFds(s.a, 'x');
    const [d, an, fl, ad] = s.b.recvmsg(10, CMSG_LEN(4));
    for (const item of an) for (const fd of decodeFds(item)) fs.closeSync(fd);
    expect(outcome(() => [d, an.map(([l, t, data]) => [l, t, data.length]), fl, ad])).toEqual(py.ctruncRights);
    expect(fl & MSG_CTRUNC).toBe(MSG_CTRUNC);
    expect(openFds()).toEqual(before);
  });

  it('an ancillary buffer too small for any item gets none, with MSG_CTRUNC, as Python', () => {
    using s = sockets();
    const before = openFds();
    sendTwoFds(s.a, 'x');
    expect(outcome(() => s.b.recvmsg(10, 10))).toEqual(py.tooSmallForAny);
    expect(openFds()).toEqual(before);
  });

  it('no ancillary buffer: no items, MSG_CTRUNC, nothing leaked, as Python', () => {
    using s = sockets();
    const before = openFds();
    sendTwoFds(s.a, 'x');
    expect(outcome(() => s.b.recvmsg(10, 0))).toEqual(py.noAncBuffer);
    expect(openFds()).toEqual(before);
  });

  it("recv_fds returns [data, fds, msg_flags, address], as Python's", () => {
    using s = sockets();
    const before = openFds();
    sendTwoFds(s.a, 'xy');
    const [d, fds, fl, ad] = recv_fds(s.b, 10, 1);
    for (const fd of fds) fs.closeSync(fd);
    expect(outcome(() => [d, fds.length, fl, ad])).toEqual(py.recvFds);
    expect(openFds()).toEqual(before);
  });

  it('MSG_DONTWAIT with nothing to receive is BlockingIOError, as Python', () => {
    using s = sockets();
    expect(outcome(() => s.u1.recvmsg(4, 0, MSG_DONTWAIT))).toEqual(expected(py.nonblocking!));
    expect(thrown(() => s.u1.recvmsg(4, 0, MSG_DONTWAIT))).toBeInstanceOf(BlockingIOError);
  });

  const argCases: [string, (s: ReturnType<typeof sockets>) => unknown][] = [
    ['argNotIterable', (s) => s.a.sendmsg(5 as never)],
    ['ancNotIterable', (s) => s.a.sendmsg([Buffer.from('x')], 5 as never)],
    ['ancPair', (s) => s.a.sendmsg([Buffer.from('x')], [[1, 2]] as never)],
    ['ancStr', (s) => s.a.sendmsg([Buffer.from('x')], [[1, 2, 's']] as never)],
    ['bufferStr', (s) => s.a.sendmsg(['x'] as never)],
    ['flagsStr', (s) => s.a.sendmsg([Buffer.from('x')], [], 'x' as never)],
    ['addressStr', (s) => s.u2.sendmsg([Buffer.from('q')], [], 0, 'x' as never)],
    ['addressShort', (s) => s.u2.sendmsg([Buffer.from('q')], [], 0, ['127.0.0.1'] as never)],
    ['negativeBufsize', (s) => s.b.recvmsg(-1)],
    ['negativeAnc', (s) => s.b.recvmsg(10, -1)],
    ['intoNotIterable', (s) => s.b.recvmsg_into(5 as never)],
    ['intoNegativeAnc', (s) => s.b.recvmsg_into([new Uint8Array(1)], -1)],
    ['tooManyBuffers', (s) => s.u2.sendmsg(Array.from({ length: 2000 }, () => Buffer.from('q')), [], 0, s.u1.getsockname())],
  ];

  it.each(argCases)("%s: the error is Python's", (name, f) => {
    using s = sockets();
    expect(py[name]).toHaveProperty('error');
    expect(outcome(() => f(s))).toEqual(expected(py[name]!));
  });

  it('a closed socket is EBADF', () => {
    const [a, b] = socketpair();
    a.close();
    b.close();
    expect(thrown(() => a.sendmsg([Buffer.from('x')])).errno).toBe(ERRNO.EBADF);
    expect(thrown(() => b.recvmsg(1)).errno).toBe(ERRNO.EBADF);
  });

  it('recvmsg follows the socket mode: non-blocking and timeout', () => {
    using pair = owned(socketpair());
    pair[1].setblocking(false);
    expect(thrown(() => pair[1].recvmsg(1))).toBeInstanceOf(BlockingIOError);
    pair[1].settimeout(0.05);
    expect(thrown(() => pair[1].recvmsg_into([Buffer.alloc(1)]))).toBeInstanceOf(TimeoutError);
  });
});

/**
 * Sends `data` with two fresh fds, which this side then closes: the receiver's copies are the only ones.
 * The fds are a socketpair's (Python's cases pass a pipe; SCM_RIGHTS passes every kind of fd alike).
 */
function sendTwoFds(sock: Socket, data: string): void {
  const [x, y] = socketpair();
  const [r, w] = [x.detach(), y.detach()];
  send_fds(sock, [Buffer.from(data)], [r, w]);
  fs.closeSync(r);
  fs.closeSync(w);
}

function decodeFds(item: AncData): number[] {
  const d = decode_cmsg(...item);
  return d?.kind === 'rights' ? d.fds : [];
}

describe('fds passed both ways with a python3 child', () => {
  it('bsdsock sends a file fd; python3 receives it and reads the file', () => {
    using dir = tempDir();
    const file = path.join(dir.path, 'data');
    fs.writeFileSync(file, 'from bsdsock');
    const [mine, theirs] = socketpair(AF_UNIX, SOCK_STREAM);
    using _ = closing(mine, theirs);
    const fd = fs.openSync(file, 'r');
    try {
      expect(send_fds(mine, [Buffer.from('m')], [fd])).toBe(1);
    } finally {
      fs.closeSync(fd);
    }
    const child = runSync(
      'python3',
      [
        '-c',
        `import socket, os
s = socket.socket(fileno=3)
msg, fds, flags, addr = socket.recv_fds(s, 10, 4)
print(msg.decode(), len(fds), flags, os.pread(fds[0], 100, 0).decode())`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe', theirs.fileno()], encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('m 1 0 from bsdsock');
  });

  it('python3 sends a pipe and a file fd; bsdsock receives both and reads them', () => {
    using dir = tempDir();
    const file = path.join(dir.path, 'data');
    fs.writeFileSync(file, 'file from python');
    const [mine, theirs] = socketpair(AF_UNIX, SOCK_STREAM);
    using _ = closing(mine, theirs);
    const before = openFds();
    const child = runSync(
      'python3',
      [
        '-c',
        `import socket, os, sys
s = socket.socket(fileno=3)
r, w = os.pipe()
os.write(w, b'pipe from python')
os.close(w)
f = os.open(sys.argv[1], os.O_RDONLY)
print(socket.send_fds(s, [b'py'], [r, f]))`,
        file,
      ],
      { stdio: ['ignore', 'pipe', 'pipe', theirs.fileno()], encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('2');
    const [data, fds, flags, addr] = recv_fds(mine, 10, 4);
    expect([data.toString(), fds.length, flags, addr]).toEqual(['py', 2, 0, null]);
    try {
      const buf = Buffer.alloc(100);
      expect(buf.toString('utf8', 0, fs.readSync(fds[0]!, buf))).toBe('pipe from python');
      expect(buf.toString('utf8', 0, fs.readSync(fds[1]!, buf, 0, 100, 0))).toBe('file from python');
    } finally {
      for (const fd of fds) fs.closeSync(fd);
    }
    expect(openFds()).toEqual(before);
  });

  it('SO_PASSCRED: the credentials of the python3 child that sent', () => {
    const [mine, theirs] = socketpair(AF_UNIX, SOCK_DGRAM);
    using _ = closing(mine, theirs);
    mine.setsockopt(SOL_SOCKET, SO_PASSCRED, 1);
    const child = runSync(
      'python3',
      ['-c', 'import socket, os\ns = socket.socket(fileno=3)\ns.send(b"cred")\nprint(os.getpid(), os.getuid(), os.getgid())'],
      { stdio: ['ignore', 'pipe', 'pipe', theirs.fileno()], encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    const [pid, uid, gid] = child.stdout.trim().split(' ').map(Number);
    const [data, ancdata] = mine.recvmsg(10, CMSG_SPACE(12));
    expect(data.toString()).toBe('cred');
    expect(ancdata.length).toBe(1);
    expect([ancdata[0]![0], ancdata[0]![1]]).toEqual([SOL_SOCKET, SCM_CREDENTIALS]);
    expect(decode_cmsg(...ancdata[0]!)).toEqual({ kind: 'credentials', pid, uid, gid });
    expect(pid).toBe(child.pid);
  });
});

describe('control messages decoded', () => {
  it('SCM_CREDENTIALS sent explicitly, and SO_PEERCRED', () => {
    using pair = owned(socketpair(AF_UNIX, SOCK_DGRAM));
    const [a, b] = pair;
    b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1);
    const uid = process.getuid!();
    const gid = process.getgid!();
    a.sendmsg([Buffer.from('c')], [[SOL_SOCKET, SCM_CREDENTIALS, pack_ucred(process.pid, uid, gid)]]);
    const [, ancdata] = b.recvmsg(1, CMSG_SPACE(12));
    expect(ancdata.map((i) => decode_cmsg(...i))).toEqual([{ kind: 'credentials', pid: process.pid, uid, gid }]);
    expect(unpack_ucred(a.getsockopt(SOL_SOCKET, SO_PEERCRED, 12))).toEqual([process.pid, uid, gid]);
  });

  it("IP_PKTINFO: the destination address and interface, for datagrams to 127.0.0.1 and 127.0.0.2, with Python's bytes", () => {
    const py = python(
      'import socket',
      Object.fromEntries(
        ['127.0.0.1', '127.0.0.2'].map((ip) => [
          ip,
          `r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(('${ip}', 0)); r.setsockopt(socket.IPPROTO_IP, ${IP_PKTINFO}, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b'p', r.getsockname())
d, an, fl, ad = r.recvmsg(10, 256); r.close(); s.close()
(d, an, fl)`,
        ]),
      ),
    );
    for (const ip of ['127.0.0.1', '127.0.0.2']) {
      const [r, s] = [socket(AF_INET, SOCK_DGRAM), socket(AF_INET, SOCK_DGRAM)];
      using _ = closing(r, s);
      r.bind([ip, 0]);
      r.setsockopt(IPPROTO_IP, IP_PKTINFO, 1);
      s.sendto(Buffer.from('p'), r.getsockname());
      const [d, an, fl] = r.recvmsg(10, 256);
      expect(encode([d, an, fl])).toEqual((py[ip] as { value: unknown }).value);
      expect(an.map(([l, t]) => [l, t])).toEqual([[IPPROTO_IP, IP_PKTINFO]]);
      expect(decode_cmsg(...an[0]!)).toEqual({ kind: 'pktinfo', addr: ip, ifindex: bsdsock.if_nametoindex('lo'), spec_dst: ip });
    }
  });

  it('IP_RECVTTL gives IP_TTL; IPV6_RECVPKTINFO and IPV6_RECVHOPLIMIT give IPV6_PKTINFO and IPV6_HOPLIMIT', () => {
    {
      const [r, s] = udpPair();
      using _ = closing(r, s);
      r.setsockopt(IPPROTO_IP, IP_RECVTTL, 1);
      s.setsockopt(IPPROTO_IP, IP_TTL, 17);
      s.sendto(Buffer.from('t'), r.getsockname());
      const [, an] = r.recvmsg(10, 256);
      expect(an.map(([l, t]) => [l, t])).toEqual([[IPPROTO_IP, IP_TTL]]);
      expect(decode_cmsg(...an[0]!)).toEqual({ kind: 'hops', value: 17 });
    }
    {
      const [r, s] = udpPair(AF_INET6);
      using _ = closing(r, s);
      r.setsockopt(IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
      r.setsockopt(IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
      s.setsockopt(IPPROTO_IPV6, bsdsock.IPV6_UNICAST_HOPS, 9);
      s.sendto(Buffer.from('6'), r.getsockname());
      const [, an] = r.recvmsg(10, 256);
      const decoded = Object.fromEntries(an.map(([l, t, d]) => [`${l}/${t}`, decode_cmsg(l, t, d)]));
      expect(decoded).toEqual({
        [`${IPPROTO_IPV6}/${IPV6_PKTINFO}`]: { kind: 'pktinfo', addr: '::1', ifindex: bsdsock.if_nametoindex('lo'), spec_dst: null },
        [`${IPPROTO_IPV6}/${IPV6_HOPLIMIT}`]: { kind: 'hops', value: 9 },
      });
    }
  });

  it('SO_TIMESTAMP and SO_TIMESTAMPNS give SCM_TIMESTAMP and SCM_TIMESTAMPNS, in the current second', () => {
    for (const [opt, type] of [
      [SO_TIMESTAMP, SCM_TIMESTAMP],
      [SO_TIMESTAMPNS, SCM_TIMESTAMPNS],
    ] as const) {
      const [r, s] = udpPair();
      using _ = closing(r, s);
      r.setsockopt(SOL_SOCKET, opt, 1);
      const before = Math.floor(Date.now() / 1000);
      s.sendto(Buffer.from('s'), r.getsockname());
      const [, an] = r.recvmsg(10, 256);
      const after = Math.ceil(Date.now() / 1000);
      expect(an.map(([l, t]) => [l, t])).toEqual([[SOL_SOCKET, type]]);
      const d = decode_cmsg(...an[0]!);
      expect(d?.kind).toBe('timestamp');
      if (d?.kind !== 'timestamp') continue;
      expect(d.sec).toBeGreaterThanOrEqual(before);
      expect(d.sec).toBeLessThanOrEqual(after);
      expect(d.nsec).toBeGreaterThanOrEqual(0);
      expect(d.nsec).toBeLessThan(1e9);
      if (type === SCM_TIMESTAMP) expect(d.nsec % 1000).toBe(0);
    }
  });

  it('decoding checks lengths: short data is null, SCM_RIGHTS takes whole ints only, other kinds are null', () => {
    expect(decode_cmsg(SOL_SOCKET, SCM_CREDENTIALS, Buffer.alloc(11))).toBeNull();
    expect(decode_cmsg(IPPROTO_IP, IP_PKTINFO, Buffer.alloc(11))).toBeNull();
    expect(decode_cmsg(IPPROTO_IPV6, IPV6_PKTINFO, Buffer.alloc(19))).toBeNull();
    expect(decode_cmsg(IPPROTO_IP, IP_TTL, Buffer.alloc(3))).toBeNull();
    expect(decode_cmsg(SOL_SOCKET, SCM_TIMESTAMPNS, Buffer.alloc(15))).toBeNull();
    expect(decode_cmsg(SOL_SOCKET, SCM_RIGHTS, Buffer.from(new Int32Array([7, 8, 9]).buffer).subarray(0, 11))).toEqual({ kind: 'rights', fds: [7, 8] });
    expect(decode_cmsg(SOL_SOCKET, 12345, Buffer.alloc(64))).toBeNull();
    expect(thrown(() => unpack_ucred(Buffer.alloc(4)))).toBeInstanceOf(RangeError);
  });

  it('sendmsg with several ancillary items: each arrives, in order', () => {
    using pair = owned(socketpair(AF_UNIX, SOCK_DGRAM));
    const [a, b] = pair;
    b.setsockopt(SOL_SOCKET, SO_PASSCRED, 1);
    const [x, y] = socketpair();
    using _ = closing(x, y);
    const uid = process.getuid!();
    const gid = process.getgid!();
    a.sendmsg(
      [Buffer.from('two')],
      [
        [SOL_SOCKET, SCM_RIGHTS, Buffer.from(Int32Array.of(x.fileno()).buffer)],
        [SOL_SOCKET, SCM_CREDENTIALS, pack_ucred(process.pid, uid, gid)],
      ],
    );
    const [data, ancdata] = b.recvmsg(10, CMSG_SPACE(4) + CMSG_SPACE(12));
    const decoded = ancdata.map((i) => decode_cmsg(...i));
    expect(data.toString()).toBe('two');
    expect(decoded.map((d) => d?.kind).sort()).toEqual(['credentials', 'rights']);
    for (const d of decoded) if (d?.kind === 'rights') for (const fd of d.fds) fs.closeSync(fd);
  });

  it('exports the constants, with values from the platform', () => {
    for (const c of [IP_PKTINFO, IP_RECVTTL, SO_TIMESTAMP, SO_TIMESTAMPNS, SCM_TIMESTAMP, SCM_TIMESTAMPNS, SO_PASSCRED, SO_PEERCRED, SCM_CREDENTIALS, SCM_RIGHTS, IPV6_RECVPKTINFO, IPV6_RECVHOPLIMIT, bsdsock.MSG_WAITFORONE]) {
      expect(c).toBeTypeOf('number');
    }
  });
});
