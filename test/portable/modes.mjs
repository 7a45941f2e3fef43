// A socket's three modes on whichever runtime runs this script (Node, Deno,
// Bun): blocking, non-blocking (BlockingIOError EAGAIN on an empty receive
// and on a send buffer filled for real) and timeout (TimeoutError 'timed out'
// once the time is up), SO_RCVTIMEO / SO_SNDTIMEO in blocking mode, with getblocking / gettimeout / setdefaulttimeout, as
// python3 gives them. Then 'ok'.

import assert from 'node:assert/strict';
import * as os from 'node:os';

import {
  AF_INET,
  BlockingIOError,
  getdefaulttimeout,
  OSError,
  setdefaulttimeout,
  SO_RCVTIMEO,
  SO_SNDTIMEO,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  socketpair,
  timeout,
  TimeoutError,
} from 'bsdsock';

import { limit, thrown, WINDOWS } from './lib/run.mjs';

const run = limit('modes.mjs');
const EAGAIN = WINDOWS ? 10035 : os.constants.errno.EAGAIN;

function assertWouldBlock(e) {
  assert.ok(e instanceof BlockingIOError, String(e));
  assert.ok(e instanceof OSError);
  assert.equal(e.errno, EAGAIN);
  if (!WINDOWS) assert.match(e.message, new RegExp(`^\\[Errno ${EAGAIN}\\] Resource temporarily unavailable`));
}

// A new socket blocks; the mode's getters as Python's.
{
  const [a, b] = socketpair();
  assert.equal(a.getblocking(), true);
  assert.equal(a.gettimeout(), null);
  a.setblocking(false);
  assert.deepEqual([a.getblocking(), a.gettimeout()], [false, 0]);
  a.settimeout(0.3);
  assert.deepEqual([a.getblocking(), a.gettimeout()], [true, 0.3]);
  a.settimeout(null);
  assert.deepEqual([a.getblocking(), a.gettimeout()], [true, null]);
  assert.throws(() => a.settimeout(-1), (e) => e instanceof RangeError && e.message === 'Timeout value out of range');
  // Blocking: a receive waits for what is sent.
  b.send(Buffer.from('blocking'));
  assert.equal(a.recv(100).toString(), 'blocking');
  a.close();
  b.close();
}

// Non-blocking: an empty receive raises BlockingIOError at once.
{
  const [a, b] = socketpair();
  a.setblocking(false);
  const t0 = performance.now();
  assertWouldBlock(thrown(() => a.recv(10)));
  assertWouldBlock(thrown(() => a.recv_into(Buffer.alloc(4))));
  assert.ok(performance.now() - t0 < 1000);
  b.send(Buffer.from('now'));
  assert.equal(a.recv(10).toString(), 'now');
  // A full send buffer, filled for real: send takes part, then raises.
  let sent = 0;
  const e = thrown(() => {
    for (;;) sent += a.send(Buffer.alloc(65536, 1));
  });
  assertWouldBlock(e);
  assert.ok(sent > 0);
  assertWouldBlock(thrown(() => a.sendall(Buffer.alloc(10))));
  a.close();
  b.close();
}

// Non-blocking accept with no connection waiting.
{
  const l = socket(AF_INET, SOCK_STREAM);
  l.bind(['127.0.0.1', 0]);
  l.listen();
  l.setblocking(false);
  assertWouldBlock(thrown(() => l.accept()));
  l.close();
}

// Timeout: TimeoutError 'timed out' (errno None), after the timeout has passed.
{
  const [a, b] = socketpair();
  a.settimeout(0.3);
  const t0 = performance.now();
  const e = thrown(() => a.recv(10));
  const elapsed = (performance.now() - t0) / 1000;
  assert.ok(e instanceof TimeoutError);
  assert.equal(timeout, TimeoutError);
  assert.ok(e instanceof OSError);
  assert.equal(e.errno, null);
  assert.equal(e.message, 'timed out');
  assert.ok(elapsed >= 0.25 && elapsed < 5, `elapsed ${elapsed} s`);
  // Data already there comes at once.
  b.send(Buffer.from('in time'));
  assert.equal(a.recv(10).toString(), 'in time');
  // A send into a full buffer times out too.
  a.settimeout(0.2);
  const e2 = thrown(() => {
    for (;;) a.send(Buffer.alloc(65536, 2));
  });
  assert.ok(e2 instanceof TimeoutError);
  assert.equal(e2.message, 'timed out');
  a.close();
  b.close();
}

// SO_RCVTIMEO / SO_SNDTIMEO on a blocking socket: the OS's own blocking call gives up once
// they pass, and Python's with it: BlockingIOError EAGAIN on Unix; on Windows, where the
// option is a DWORD of milliseconds (a struct timeval elsewhere), TimeoutError WSAETIMEDOUT.
// A receive with nothing sent, a sendall of more than the buffers hold with nobody reading,
// and (not on Windows, where the option is the receives' alone) an accept.
{
  const kernelTimeout = (s, opt, ms) => {
    if (WINDOWS) return s.setsockopt(SOL_SOCKET, opt, ms);
    const tv = Buffer.alloc(16);
    tv.writeBigInt64LE(BigInt(ms * 1000), 8);
    s.setsockopt(SOL_SOCKET, opt, tv);
  };
  const assertKernelTimeout = (e) => {
    if (!WINDOWS) return assertWouldBlock(e);
    assert.ok(e instanceof TimeoutError, String(e));
    assert.equal(e.errno, 10060);
  };
  const [a, b] = socketpair();
  kernelTimeout(a, SO_RCVTIMEO, 100);
  const t0 = performance.now();
  assertKernelTimeout(thrown(() => a.recv(10)));
  assert.ok(performance.now() - t0 >= 80);
  b.send(Buffer.from('in time'));
  assert.equal(a.recv(10).toString(), 'in time');
  kernelTimeout(a, SO_SNDTIMEO, 100);
  assertKernelTimeout(thrown(() => a.sendall(Buffer.alloc(64 << 20))));
  a.close();
  b.close();
  if (!WINDOWS) {
    const l = socket(AF_INET, SOCK_STREAM);
    l.bind(['127.0.0.1', 0]);
    l.listen();
    kernelTimeout(l, SO_RCVTIMEO, 100);
    assertKernelTimeout(thrown(() => l.accept()));
    l.close();
  }
}

// setdefaulttimeout: new sockets take it; None again gives blocking sockets.
{
  assert.equal(getdefaulttimeout(), null);
  setdefaulttimeout(2.5);
  assert.equal(getdefaulttimeout(), 2.5);
  const s = socket();
  assert.deepEqual([s.gettimeout(), s.getblocking()], [2.5, true]);
  const [a, b] = socketpair();
  assert.equal(a.gettimeout(), 2.5);
  setdefaulttimeout(null);
  assert.equal(getdefaulttimeout(), null);
  const t = socket();
  assert.equal(t.gettimeout(), null);
  assert.throws(() => setdefaulttimeout(-2), (e) => e instanceof RangeError && e.message === 'Timeout value out of range');
  for (const x of [s, a, b, t]) x.close();
}

run.done();
