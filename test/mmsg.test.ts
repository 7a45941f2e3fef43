// Batched datagrams: sendmmsg, recvmmsg and recvmmsg_into (beyond Python):
// the same results as a loop of Python's per-datagram calls, on real UDP and
// Unix datagram sockets.
import { constants } from 'node:os';

import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  socket,
  socketpair,
  TimeoutError,
  type Socket,
} from 'bsdsock';
import { describe, expect, it } from 'vitest';

import { closing, owned, ROOT, thrown, udpPair } from './helpers/sockets';
import { runSync } from './helpers/run';

const b = (text: string) => Buffer.from(text);

describe('sendmmsg', () => {
  it('sends each datagram to its own address and returns how many it sent', () => {
    const [tx, r1] = udpPair();
    const r2 = socket(AF_INET, SOCK_DGRAM);
    using _ = closing(tx, r1, r2);
    r2.bind(['127.0.0.2', 0]);
    const n = tx.sendmmsg([
      [b('a1'), r1.getsockname()],
      [b('b1'), r2.getsockname()],
      [b('a2'), r1.getsockname()],
    ]);
    expect(n).toBe(3);
    expect([r1.recvfrom(10), r1.recvfrom(10)].map(([d, a]) => [d.toString(), a])).toEqual([
      ['a1', tx.getsockname()],
      ['a2', tx.getsockname()],
    ]);
    const [d2, a2] = r2.recvfrom(10);
    expect([d2.toString(), a2]).toEqual(['b1', tx.getsockname()]);
  });

  it('sends to the connected peer when a message has no address', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    tx.connect(rx.getsockname());
    expect(tx.sendmmsg([[b('x')], [b('y'), null], [new Uint8Array(0)]])).toBe(3);
    expect(rx.recvmmsg(8, 10).map(([d]) => d.toString())).toEqual(['x', 'y', '']);
  });

  it('an empty batch sends nothing', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    expect(tx.sendmmsg([])).toBe(0);
  });

  it("checks arguments: messages must be arrays of [data, address?], data bytes, addresses the family's", () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    expect(thrown(() => tx.sendmmsg(5 as never))).toBeInstanceOf(TypeError);
    expect(thrown(() => tx.sendmmsg([b('x')] as never))).toBeInstanceOf(TypeError);
    expect(thrown(() => tx.sendmmsg([['x', rx.getsockname()]] as never)).message).toBe("a bytes-like object is required, not 'str'");
    expect(thrown(() => tx.sendmmsg([[b('x'), 'x']] as never)).message).toBe('sendmmsg(): AF_INET address must be tuple, not str');
    expect(thrown(() => tx.sendmmsg([[b('x'), ['127.0.0.1', 70000]]])).message).toBe('sendmmsg(): port must be 0-65535.');
  });

  it('an unconnected socket with no address fails with the errno of sendmsg(2) (EDESTADDRREQ)', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    const py = runSync('python3', ['-c', "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ntry: s.sendmsg([b'x'])\nexcept OSError as e: print(type(e).__name__, e.errno)"], { encoding: 'utf8' });
    const e = thrown(() => tx.sendmmsg([[b('x')]]));
    expect(`${e.constructor.name} ${e.errno}`).toBe(py.stdout.trim());
  });
});

describe('recvmmsg and recvmmsg_into', () => {
  /** The datagrams a python3 child sends to `to` (one sendto per datagram). */
  function pythonSends(to: [string, number], payloads: string[]): [string, number] {
    const r = runSync(
      'python3',
      ['-c', `import socket, json, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('127.0.0.1', 0))\nfor p in json.loads(sys.argv[1]): s.sendto(p.encode(), ('127.0.0.1', ${to[1]}))\nprint(s.getsockname()[1])`, JSON.stringify(payloads)],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    return ['127.0.0.1', Number(r.stdout.trim())];
  }

  it('receives what a loop of recvfrom receives, from a python3 sender: [data, address][]', () => {
    const payloads = ['one', 'two', '', 'four'];
    const [rx1, rx2] = udpPair();
    using _ = closing(rx1, rx2);
    const from1 = pythonSends(rx1.getsockname(), payloads);
    const from2 = pythonSends(rx2.getsockname(), payloads);
    const batched = rx1.recvmmsg(16, 100).map(([d, a]) => [d.toString(), a]);
    const looped = payloads.map(() => rx2.recvfrom(100)).map(([d, a]) => [d.toString(), a]);
    expect(batched).toEqual(payloads.map((p) => [p, from1]));
    expect(looped).toEqual(payloads.map((p) => [p, from2]));
  });

  it('takes at most `count`, leaving the rest queued', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    for (const p of ['1', '2', '3']) tx.sendto(b(p), rx.getsockname());
    expect(rx.recvmmsg(2, 10).map(([d]) => d.toString())).toEqual(['1', '2']);
    expect(rx.recvmmsg(2, 10).map(([d]) => d.toString())).toEqual(['3']);
  });

  it('truncates to bufsize, as recvfrom does', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    tx.sendto(b('0123456789'), rx.getsockname());
    tx.sendto(b('0123456789'), rx.getsockname());
    expect(rx.recvmmsg(1, 4)[0]![0].toString()).toBe('0123');
    expect(rx.recvfrom(4)[0].toString()).toBe('0123');
  });

  it('recvmmsg_into writes each datagram into its buffer in place and returns [nbytes, address]', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    tx.sendmmsg([[b('abc'), rx.getsockname()], [b('defgh'), rx.getsockname()]]);
    const bufs = [Buffer.alloc(4), new Uint8Array(8), Buffer.alloc(4)];
    const got = rx.recvmmsg_into(bufs);
    expect(got).toEqual([
      [3, tx.getsockname()],
      [5, tx.getsockname()],
    ]);
    expect(Buffer.from(bufs[0]!).toString('latin1')).toBe('abc\0');
    expect(Buffer.from(bufs[1]!).subarray(0, 5).toString()).toBe('defgh');
    expect(Buffer.from(bufs[2]!)).toEqual(Buffer.alloc(4));
  });

  it('more senders in one batch than the address cache holds: every address is right', () => {
    const rx = socket(AF_INET, SOCK_DGRAM);
    rx.bind(['127.0.0.1', 0]);
    const senders: Socket[] = [];
    using _ = closing(rx);
    try {
      for (let i = 0; i < 40; i++) {
        const s = socket(AF_INET, SOCK_DGRAM);
        senders.push(s);
        s.bind(['127.0.0.1', 0]);
      }
      for (let round = 0; round < 3; round++) {
        senders.forEach((s, i) => s.sendto(b(String(i)), rx.getsockname()));
        // Repeats in one batch, too: every sender again, in reverse.
        [...senders].reverse().forEach((s, i) => s.sendto(b(`r${senders.length - 1 - i}`), rx.getsockname()));
        const got = [...rx.recvmmsg(64, 10), ...rx.recvmmsg(64, 10)];
        expect(got.length).toBe(80);
        for (const [data, addr] of got) {
          const i = Number(data.toString().replace('r', ''));
          expect(addr).toEqual(senders[i]!.getsockname());
        }
      }
    } finally {
      for (const s of senders) s.close();
    }
  });

  it('IPv6 addresses, as recvfrom gives them', () => {
    const [tx, rx] = udpPair(AF_INET6);
    using _ = closing(tx, rx);
    tx.sendto(b('six'), rx.getsockname());
    const [[data, addr]] = rx.recvmmsg(4, 10) as [[Buffer, unknown]];
    expect([data.toString(), addr]).toEqual(['six', tx.getsockname()]);
  });

  it('Unix datagram sockets: path and abstract-name senders, and unnamed ones (as recvfrom)', () => {
    const abstract = Buffer.from(`\0bsdsock-mmsg-${process.pid}`);
    const rx = socket(AF_UNIX, SOCK_DGRAM);
    const named = socket(AF_UNIX, SOCK_DGRAM);
    const unnamed = socket(AF_UNIX, SOCK_DGRAM);
    using _ = closing(rx, named, unnamed);
    rx.bind(Buffer.from(`\0bsdsock-mmsg-rx-${process.pid}`));
    named.bind(abstract);
    named.sendto(b('n1'), rx.getsockname());
    unnamed.sendto(b('u'), rx.getsockname());
    named.sendto(b('n2'), rx.getsockname());
    const got = rx.recvmmsg(8, 10);
    unnamed.sendto(b('u'), rx.getsockname());
    const [, unnamedByRecvfrom] = rx.recvfrom(10);
    expect(got.map(([d, a]) => [d.toString(), a])).toEqual([
      ['n1', abstract],
      ['u', unnamedByRecvfrom],
      ['n2', abstract],
    ]);
    // Addresses holding bytes are never shared between results.
    expect(got[0]![1]).not.toBe(got[2]![1]);
  });

  it('socketpair datagrams: the sender address is what recvfrom gives', () => {
    using pair = owned(socketpair(AF_UNIX, SOCK_DGRAM));
    expect(pair[0].sendmmsg([[b('p')], [b('q')]])).toBe(2);
    const got = pair[1].recvmmsg(4, 10);
    pair[0].send(b('r'));
    const [, viaRecvfrom] = pair[1].recvfrom(10);
    expect(got.map(([d, a]) => [d.toString(), a])).toEqual([
      ['p', viaRecvfrom],
      ['q', viaRecvfrom],
    ]);
  });

  it('follows the socket mode: non-blocking, MSG_DONTWAIT and timeout', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    expect(thrown(() => rx.recvmmsg(4, 10, MSG_DONTWAIT))).toBeInstanceOf(BlockingIOError);
    rx.setblocking(false);
    expect(thrown(() => rx.recvmmsg_into([Buffer.alloc(4)]))).toBeInstanceOf(BlockingIOError);
    rx.settimeout(0.05);
    expect(thrown(() => rx.recvmmsg(4, 10))).toBeInstanceOf(TimeoutError);
  });

  it('a count beyond what one call takes (UIO_MAXIOV) is cut to it, as the kernel cuts vlen: recvmmsg(10**9, 1) returns what is queued', () => {
    // In a child: without the cut, room for 10**9 datagrams was asked of the allocator, which
    // aborts the process when it cannot give it.
    const r = runSync(process.execPath, ['-e', `
      const bs = require(${JSON.stringify(ROOT)});
      const [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_DGRAM);
      for (const d of ['one', 'two', 'three']) b.send(Buffer.from(d));
      a.setblocking(false);
      console.log(JSON.stringify(a.recvmmsg(10 ** 9, 1).map(([d]) => d.toString())));
      console.log(Math.round(process.memoryUsage().rss / 2 ** 20) < 1024);
    `], { encoding: 'utf8', timeout: 30_000 });
    expect([r.status, r.stdout]).toEqual([0, '["o","t","t"]\ntrue\n']);
  });

  it('checks arguments and a closed socket', () => {
    const [tx, rx] = udpPair();
    using _ = closing(tx, rx);
    expect(thrown(() => rx.recvmmsg(-1, 10))).toBeInstanceOf(RangeError);
    expect(thrown(() => rx.recvmmsg(1, -1))).toBeInstanceOf(RangeError);
    expect(thrown(() => rx.recvmmsg_into(['x'] as never))).toBeInstanceOf(TypeError);
    expect(rx.recvmmsg(0, 10)).toEqual([]);
    expect(rx.recvmmsg_into([])).toEqual([]);
    const s = socket(AF_INET, SOCK_DGRAM);
    s.close();
    expect(thrown(() => s.recvmmsg(1, 1)).errno).toBe(constants.errno.EBADF);
    expect(thrown(() => s.sendmmsg([[b('x'), ['127.0.0.1', 9]]])).errno).toBe(constants.errno.EBADF);
  });
});
