// Running out of fds: in a child process under a low RLIMIT_NOFILE
// (`prlimit --nofile=96`), every call that makes an fd (socket, socketpair,
// accept, dup, fromfd, epoll, asyncio's sock_accept) fails with a clean
// OSError(EMFILE), "[Errno 24] Too many open files" as python3 says, leaks
// nothing, and works again once fds are freed; fds passed to it are dropped
// with MSG_CTRUNC, as python3 sees.

import { describe, expect, it } from 'vitest';

import { underFdLimit } from './helpers/run';
import { ROOT } from './helpers/sockets';

/** Runs `args` under an fd limit of 96 and returns its stdout. */
const underLimit = (cmd: string, args: string[]): string => underFdLimit(96, cmd, args, 60_000);

const CHILD = `
const bs = require(${JSON.stringify(ROOT)});
const { epoll } = require(${JSON.stringify(`${ROOT}/dist/cjs/select.js`)});
const asyncio = require(${JSON.stringify(`${ROOT}/dist/cjs/asyncio.js`)});
const fs = require('fs');
const count = () => fs.readdirSync('/proc/self/fd').length;
const describeError = (e) => e instanceof bs.OSError ? [e.constructor.name, e.errno, e.code, e.message].join(' | ') : 'not an OSError: ' + e;
(async () => {
  void process.stdin, process.stdout, process.stderr;
  const out = {};
  // A listener with connections waiting, and one spare socketpair for fd passing.
  const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM);
  l.bind(['127.0.0.1', 0]);
  l.listen(16);
  const clients = [];
  for (let i = 0; i < 4; i++) {
    const c = bs.socket(bs.AF_INET, bs.SOCK_STREAM);
    c.connect(l.getsockname());
    clients.push(c);
  }
  const [sa, sb] = bs.socketpair();
  const before = count();
  // Use up every fd with sockets.
  const hog = [];
  let first;
  try {
    for (;;) hog.push(bs.socket(bs.AF_INET, bs.SOCK_DGRAM));
  } catch (e) {
    first = e;
  }
  out.socket = describeError(first);
  const attempts = {
    socketpair: () => bs.socketpair(),
    accept: () => l.accept(),
    dup: () => l.dup(),
    dupfd: () => bs.dup(l.fileno()),
    fromfd: () => bs.fromfd(l.fileno(), bs.AF_INET, bs.SOCK_STREAM),
    epoll: () => new epoll(),
    create_connection: () => bs.create_connection(l.getsockname()),
  };
  for (const [name, fn] of Object.entries(attempts)) {
    try {
      fn();
      out[name] = 'no error';
    } catch (e) {
      out[name] = describeError(e);
    }
  }
  // fds passed to a process that has no room for them: dropped by the kernel, MSG_CTRUNC set, as python3 sees.
  bs.send_fds(sa, [Buffer.from('x')], [0, 1]);
  const [data, fds, flags] = bs.recv_fds(sb, 10, 2);
  out.recv_fds = [data.toString(), fds.length, (flags & bs.MSG_CTRUNC) !== 0 ? 'MSG_CTRUNC' : flags];
  l.setblocking(false);
  out.sock_accept = await asyncio.sock_accept(l).then(() => 'no error', describeError);
  // Nothing was left half-made: with one fd freed (for the listing), the count is what the sockets in hand explain.
  hog.pop().close();
  out.leakedWhileOut = count() - before - hog.length;
  // Free a few fds: every call works again.
  for (const s of hog.splice(0, 12)) s.close();
  const [a, b] = bs.socketpair();
  const [conn] = l.accept();
  const d = l.dup();
  const f = bs.fromfd(l.fileno(), bs.AF_INET, bs.SOCK_STREAM);
  const ep = new epoll();
  const accepted = await asyncio.sock_accept(l);
  a.sendall(Buffer.from('recovered'));
  out.recovered = b.recv(100).toString();
  for (const s of [a, b, conn, d, f, ep, accepted[0], ...hog]) s.close();
  for (const c of [...clients, sa, sb]) c.close();
  l.close();
  out.leakedAtEnd = count() - before + 4 + 1 + 2;
  console.log(JSON.stringify(out));
})();
`;

describe('out of fds (EMFILE)', () => {
  it('python3 says [Errno 24] Too many open files for a socket it cannot make', () => {
    const python = underLimit('python3', [
      '-c',
      `import socket
socks = []
try:
    while True: socks.append(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
except OSError as e: print(type(e).__name__, e.errno, e)`,
    ]);
    expect(python).toBe('OSError 24 [Errno 24] Too many open files');
  });

  it('every call that makes an fd throws OSError(EMFILE), leaks nothing, and works again once fds are freed', () => {
    const out = JSON.parse(underLimit(process.execPath, ['-e', CHILD])) as Record<string, string | number>;
    const emfile = 'OSError | 24 | EMFILE | [Errno 24] Too many open files';
    for (const name of ['socket', 'socketpair', 'accept', 'dup', 'dupfd', 'fromfd', 'epoll', 'create_connection', 'sock_accept']) {
      expect([name, out[name]]).toEqual([name, emfile]);
    }
    expect(out.recv_fds).toEqual(['x', 0, 'MSG_CTRUNC']);
    expect(out.leakedWhileOut).toBe(0);
    expect(out.recovered).toBe('recovered');
    expect(out.leakedAtEnd).toBe(0);
  });
});
