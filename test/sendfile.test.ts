// sock.sendfile(file, offset=0, count=null) against python3's socket.sendfile
// on the same file and arguments: bytes sent, what arrives, where the file's
// position ends, and Python's errors.
import * as fs from 'node:fs';
import { open } from 'node:fs/promises';
import * as path from 'node:path';

import { AF_UNIX, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, socketpair, type Socket } from 'bsdsock';
import * as aio from 'bsdsock/asyncio';
import { afterAll, describe, expect, it } from 'vitest';

import { expected, outcome, python, type Outcome } from './helpers/python';
import { asyncDifferences, combinations, INTS, pyCall, TUPLED, type PoolValue } from './helpers/pool';
import { closing, filePosition as position, owned, recvAll, sha1, tempDir, thrown } from './helpers/sockets';

/** Python's socket.sendfile on a socketpair for each case (its arguments after the file): [sent, position, received length, sha1], or the error. */
function pythonSendfile(file: string, cases: Record<string, string>): Record<string, Outcome> {
  const setup = String.raw`
import socket, hashlib
def sendfile(path, *args, **kwargs):
    a, b = socket.socketpair()
    try:
        with open(path, 'rb') as f:
            n = a.sendfile(f, *args, **kwargs)
            pos = f.tell()
        a.close()
        data = b''
        while True:
            d = b.recv(1 << 20)
            if not d: break
            data += d
        return [n, pos, len(data), hashlib.sha1(data).hexdigest()]
    finally:
        a.close(); b.close()
`;
  return python(setup, Object.fromEntries(Object.entries(cases).map(([name, args]) => [name, `sendfile(${JSON.stringify(file)}, ${args})`])));
}

describe('sendfile', () => {
  // Removed after the last test (a `using` here would end before the tests run).
  const dir = tempDir();
  afterAll(() => dir[Symbol.dispose]());
  const file = path.join(dir.path, 'data');
  const content = Buffer.alloc(100_000);
  for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 8)) & 0xff;
  fs.writeFileSync(file, content);
  const empty = path.join(dir.path, 'empty');
  fs.writeFileSync(empty, '');
  /** Python's lines opening the same two files, as f and e. */
  const openFiles = `f = open(${JSON.stringify(file)}, 'rb'); e = open(${JSON.stringify(empty)}, 'rb')`;

  /** Runs `body` with the data file and the empty file open (their fds), closing both after. */
  function withFiles(body: (fd: number, efd: number) => void): void {
    const fd = fs.openSync(file, 'r');
    const efd = fs.openSync(empty, 'r');
    try {
      body(fd, efd);
    } finally {
      fs.closeSync(fd);
      fs.closeSync(efd);
    }
  }

  const cases: Record<string, [number, number | null]> = {
    whole: [0, null],
    offset: [10, null],
    count: [0, 20],
    offsetCount: [1000, 5000],
    nearEnd: [99_990, 100],
    pastEnd: [200_000, null],
    countBeyondEnd: [50_000, 1_000_000],
  };
  const py = pythonSendfile(file, Object.fromEntries(Object.entries(cases).map(([k, [o, c]]) => [k, `${o}, ${c === null ? 'None' : c}`])));

  it.each(Object.keys(cases))("%s: the bytes sent, what arrives and the file position are Python's", (name) => {
    const [offset, count] = cases[name]!;
    const [a, b] = socketpair();
    using _ = closing(a, b);
    const fd = fs.openSync(file, 'r');
    try {
      const r = outcome(() => {
        const n = a.sendfile(fd, offset, count);
        const pos = position(fd);
        a.close();
        const data = recvAll(b);
        return [n, pos, data.length, sha1(data)];
      });
      expect(r).toEqual(py[name]);
    } finally {
      fs.closeSync(fd);
    }
    expect((py[name] as { value: number[] }).value[0]).toBeTypeOf('number');
  });

  it('sends from a FileHandle, and leaves its position after the bytes sent', async () => {
    const fh = await open(file, 'r');
    try {
      using pair = owned(socketpair());
      expect(pair[0].sendfile(fh, 100, 1000)).toBe(1000);
      expect(position(fh.fd)).toBe(1100);
      pair[0].close();
      expect(recvAll(pair[1])).toEqual(content.subarray(100, 1100));
    } finally {
      await fh.close();
    }
  });

  it("Python's errors: datagram sockets, count, non-blocking sockets, and an empty file first", () => {
    const want = python(
      String.raw`
import socket
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
s, t = socket.socketpair()
${openFiles}`,
      {
        dgram: 'a.sendfile(f)',
        zero: 's.sendfile(f, 0, 0)',
        negative: 's.sendfile(f, 0, -5)',
        float: 's.sendfile(f, 0, 1.5)',
        nonblocking: 's.setblocking(False)\ns.sendfile(f)',
        nonblockingEmpty: 's.sendfile(e)',
      },
    );
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
    const [s, t] = socketpair();
    using _ = closing(a, b, s, t);
    withFiles((fd, efd) => {
      expect(outcome(() => a.sendfile(fd))).toEqual(expected(want.dgram!));
      expect(outcome(() => s.sendfile(fd, 0, 0))).toEqual(expected(want.zero!));
      expect(outcome(() => s.sendfile(fd, 0, -5))).toEqual(expected(want.negative!));
      expect(outcome(() => s.sendfile(fd, 0, 1.5))).toEqual(expected(want.float!));
      s.setblocking(false);
      expect(outcome(() => s.sendfile(fd))).toEqual(expected(want.nonblocking!));
      expect(outcome(() => s.sendfile(efd))).toEqual(expected(want.nonblockingEmpty!));
      expect(want.nonblocking).toHaveProperty('error', 'ValueError');
    });
  });

  it('SOCK_SEQPACKET passes the type check, as in Python (type & SOCK_STREAM)', () => {
    using pair = owned(socketpair(AF_UNIX, SOCK_SEQPACKET));
    const fd = fs.openSync(file, 'r');
    try {
      expect(pair[0].sendfile(fd, 0, 10)).toBe(10);
      expect(pair[1].recv(100)).toEqual(content.subarray(0, 10));
    } finally {
      fs.closeSync(fd);
    }
    expect(SOCK_STREAM & SOCK_SEQPACKET).not.toBe(0);
  });

  it('a file sendfile(2) cannot read falls back to read(2), whose error is reported', () => {
    using pair = owned(socketpair());
    const fd = fs.openSync(file, 'a');
    try {
      expect(thrown(() => pair[0].sendfile(fd)).code).toBe('EBADF');
    } finally {
      fs.closeSync(fd);
    }
  });

  it("a closed socket and a negative offset as Python's: an empty file sends nothing first, then the socket, then the offset's seek", () => {
    const want = python(
      String.raw`
import socket
s, t = socket.socketpair(); s.close()
u, v = socket.socketpair()
${openFiles}`,
      {
        closed: 's.sendfile(f)',
        closedEmpty: 's.sendfile(e)',
        closedPastEnd: 's.sendfile(f, 200000)',
        negative: 'u.sendfile(f, -1)',
        negativeEmpty: 'u.sendfile(e, -1)',
      },
    );
    const [s, t] = socketpair();
    const [u, v] = socketpair();
    using _ = closing(s, t, u, v);
    s.close();
    withFiles((fd, efd) => {
      expect(outcome(() => s.sendfile(fd))).toEqual(expected(want.closed!));
      expect(outcome(() => s.sendfile(efd))).toEqual(expected(want.closedEmpty!));
      expect(outcome(() => s.sendfile(fd, 200_000))).toEqual(expected(want.closedPastEnd!));
      expect(outcome(() => u.sendfile(fd, -1))).toEqual(expected(want.negative!));
      expect(outcome(() => u.sendfile(efd, -1))).toEqual(expected(want.negativeEmpty!));
      expect(want.closed).toHaveProperty('error', 'ValueError');
      expect(want.negative).toHaveProperty('error', 'OSError');
    });
  });

  it('a bad file argument is a TypeError', () => {
    using pair = owned(socketpair());
    expect(thrown(() => pair[0].sendfile('x' as never))).toBeInstanceOf(TypeError);
  });
});

// sendfile's and asyncio's sock_sendfile's offset and count over the pool of ints, from a file of
// 'hello' to an end of a socketpair (blocking for sendfile, which refuses a non-blocking one;
// non-blocking for sock_sendfile): what was sent and what the peer received, each outcome as
// python3's. Python's file is a file object, bsdsock's its fd. An array is a list to int()'s
// message and a tuple to a repr (the count's, and asyncio's offset's): each pool says so. Left out
// of sendfile's: an offset past 2**53 but within a C long, which no file reaches and a double
// carries rounded to the kernel.
describe("sendfile's and sock_sendfile's offset and count over the pool of ints, as python3", () => {
  const SMALL_BIGINTS: PoolValue[] = [['int(1)', 1n], ['int(2)', 2n]];
  const dir = tempDir();
  afterAll(() => dir[Symbol.dispose]());
  const FILE = path.join(dir.path, 'hello');
  fs.writeFileSync(FILE, 'hello');
  const calls = [
    ...combinations([INTS.filter(([l]) => l !== '2**63 - 1'), TUPLED]).map((args) => ({ call: pyCall('sent', args), args, nonblocking: false })),
    ...combinations([TUPLED, TUPLED]).map((args) => ({ call: pyCall('asent', args), args, nonblocking: true })),
    // Small ints as bigints too (Python's int of any size).
    ...combinations([SMALL_BIGINTS, SMALL_BIGINTS]).flatMap((args) => [
      { call: pyCall('sent', args), args, nonblocking: false },
      { call: pyCall('asent', args), args, nonblocking: true },
    ]),
  ];
  const want = python(
    `import asyncio, socket
def on_pair(nonblocking, send):
    a, b = socket.socketpair(); a.setblocking(not nonblocking)
    try:
        with open(${JSON.stringify(FILE)}, 'rb') as f:
            n = send(a, f)
        a.close()
        return [n, b.recv(100)]
    finally:
        a.close(); b.close()
def sent(offset, count):
    return on_pair(False, lambda a, f: a.sendfile(f, offset, count))
def asent(offset, count):
    async def main(a, f): return await asyncio.get_running_loop().sock_sendfile(a, f, offset, count)
    return on_pair(True, lambda a, f: asyncio.run(main(a, f)))`,
    Object.fromEntries(calls.map(({ call }) => [call, call])),
  );
  /** [bytes sent, what the peer received] of `send` on one end of a fresh pair, with the file open. */
  async function onPair(nonblocking: boolean, send: (a: Socket, fd: number) => number | Promise<number>): Promise<unknown> {
    const [a, b] = socketpair();
    a.setblocking(!nonblocking);
    const fd = fs.openSync(FILE, 'r');
    try {
      const n = await send(a, fd);
      a.close();
      return [n, b.recv(100)];
    } finally {
      fs.closeSync(fd);
      a.close();
      b.close();
    }
  }
  it(`${calls.length} calls`, async () => {
    const found = await asyncDifferences(calls, want, ({ args, nonblocking }) => {
      const [offset, count] = args.map(([, v]) => v) as [number, number];
      return onPair(nonblocking, (a, fd) => (nonblocking ? aio.sock_sendfile(a, fd, offset, count) : a.sendfile(fd, offset, count)));
    });
    expect(found).toEqual([]);
  });
});
