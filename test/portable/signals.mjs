// Signals on whichever runtime runs this script (Node, Deno, Bun): as in
// CPython (PEP 475), a real signal's process.on listeners run inside the
// blocking call it interrupts, which then goes on with the time it has left;
// a listener that throws ends the call with its exception; siginterrupt(sig,
// false) leaves the call alone. Bun and Deno behave as Node here: the addon's
// handler goes in front of theirs, and a thread of its own wakes their loop.
// On Windows there are no such signals: siginterrupt throws, as README says.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as os from 'node:os';

import { select } from 'bsdsock/select';
import { OSError, siginterrupt, socketpair, TimeoutError } from 'bsdsock';

import { limit, sleep, thrown, WINDOWS } from './lib/run.mjs';

const run = limit('signals.mjs');
const { SIGUSR1, SIGUSR2 } = os.constants.signals;

/** Sends `sig` to this process from a child process, `ms` after now. */
function killLater(sig, ms) {
  const child = spawn('sh', ['-c', `sleep ${ms / 1000}; kill -${sig} ${process.pid}`], { stdio: 'ignore', timeout: 10000 });
  return new Promise((resolve) => child.on('exit', resolve));
}

/**
 * Runs `body(a, b)` with a new socket pair and `listener(a, b)` on signal `sig`
 * ('SIGUSR1'); after it, the listener goes and both sockets close (closing a
 * closed one does nothing).
 */
async function withListener(sig, listener, body) {
  const [a, b] = socketpair();
  const fn = listener(a, b);
  process.on(sig, fn);
  try {
    await body(a, b);
  } finally {
    process.off(sig, fn);
    a.close();
    b.close();
  }
}

if (WINDOWS) {
  const e = thrown(() => siginterrupt(2, false));
  assert.ok(e instanceof OSError);
  assert.equal(e.message, 'siginterrupt is not available on Windows');
} else {
  // A blocking recv (no timeout): the listener runs inside it, gets (name, signum),
  // and the recv goes on to return what the listener had the peer send.
  const calls = [];
  const woken = (_a, b) => (...args) => {
    calls.push(args);
    b.send(Buffer.from('woken'));
  };
  await withListener('SIGUSR1', woken, async (a) => {
    const killed = killLater('USR1', 200);
    const t0 = performance.now();
    assert.equal(a.recv(10).toString(), 'woken');
    assert.ok(performance.now() - t0 >= 150);
    assert.deepEqual(calls, [['SIGUSR1', SIGUSR1]]);
    await killed;
    await sleep(50);
    assert.equal(calls.length, 1); // not a second time when the loop turns
  });

  // Timeout mode: the listener runs, and the call goes on with the time left (the deadline stays).
  let ran = 0;
  const counts = () => () => ran++;
  await withListener('SIGUSR2', counts, async (a) => {
    a.settimeout(1);
    const killed = killLater('USR2', 200);
    const t0 = performance.now();
    const e = thrown(() => a.recv(10));
    const elapsed = (performance.now() - t0) / 1000;
    assert.ok(e instanceof TimeoutError);
    assert.equal(e.message, 'timed out');
    assert.equal(ran, 1);
    assert.ok(elapsed >= 0.9 && elapsed < 1.9, `elapsed ${elapsed} s`);
    await killed;
  });

  // A listener that throws ends the call with that very exception.
  const boom = new Error('from the listener');
  const throws = () => () => {
    throw boom;
  };
  await withListener('SIGUSR1', throws, async (a) => {
    a.settimeout(5);
    const killed = killLater('USR1', 200);
    assert.equal(thrown(() => a.recv(10)), boom);
    await killed;
  });

  // A listener that closes the socket: the call ends with OSError EBADF.
  await withListener('SIGUSR1', (a) => () => a.close(), async (a) => {
    const killed = killLater('USR1', 200);
    const e = thrown(() => a.recv(10));
    assert.equal(e.constructor, OSError);
    assert.equal(e.errno, os.constants.errno.EBADF);
    await killed;
  });

  // select() too: the listener makes a socket readable, and select returns it.
  await withListener('SIGUSR2', (_a, b) => () => b.send(Buffer.from('!')), async (a) => {
    const killed = killLater('USR2', 200);
    const [r, w, x] = select([a], [], [], 5);
    assert.deepEqual([r, w, x], [[a], [], []]);
    await killed;
  });

  // A signal that comes between blocking calls: its listener runs before the next one starts.
  ran = 0;
  await withListener('SIGUSR1', counts, async (a, b) => {
    a.settimeout(0.05);
    assert.ok(thrown(() => a.recv(1)) instanceof TimeoutError); // a wait, with the listener there
    b.send(Buffer.from('x'));
    process.kill(process.pid, 'SIGUSR1');
    assert.equal(ran, 0);
    assert.equal(a.recv(1).toString(), 'x');
    assert.equal(ran, 1);
    // And while the program is idle, once, when the loop turns.
    process.kill(process.pid, 'SIGUSR1');
    await sleep(100);
    assert.equal(ran, 2);
  });

  // siginterrupt(sig, false): the call is not disturbed; the listener runs when the loop turns.
  ran = 0;
  await withListener('SIGUSR2', counts, async (a) => {
    siginterrupt(SIGUSR2, false);
    a.settimeout(0.6);
    const killed = killLater('USR2', 100);
    assert.ok(thrown(() => a.recv(1)) instanceof TimeoutError);
    assert.equal(ran, 0);
    await killed;
    await sleep(100);
    assert.equal(ran, 1);
    siginterrupt(SIGUSR2, true);
    assert.throws(() => siginterrupt(0, true), (e) => e instanceof RangeError && e.message === 'signal number out of range');
  });
}

run.done();
