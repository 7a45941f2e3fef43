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

if (WINDOWS) {
  const e = thrown(() => siginterrupt(2, false));
  assert.ok(e instanceof OSError);
  assert.equal(e.message, 'siginterrupt is not available on Windows');
} else {
  // A blocking recv (no timeout): the listener runs inside it, gets (name, signum),
  // and the recv goes on to return what the listener had the peer send.
  {
    const [a, b] = socketpair();
    const calls = [];
    const listener = (...args) => {
      calls.push(args);
      b.send(Buffer.from('woken'));
    };
    process.on('SIGUSR1', listener);
    const killed = killLater('USR1', 200);
    const t0 = performance.now();
    assert.equal(a.recv(10).toString(), 'woken');
    assert.ok(performance.now() - t0 >= 150);
    assert.deepEqual(calls, [['SIGUSR1', SIGUSR1]]);
    await killed;
    await sleep(50);
    assert.equal(calls.length, 1); // not a second time when the loop turns
    process.off('SIGUSR1', listener);
    a.close();
    b.close();
  }

  // Timeout mode: the listener runs, and the call goes on with the time left (the deadline stays).
  {
    const [a, b] = socketpair();
    let ran = 0;
    const listener = () => ran++;
    process.on('SIGUSR2', listener);
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
    process.off('SIGUSR2', listener);
    a.close();
    b.close();
  }

  // A listener that throws ends the call with that very exception.
  {
    const [a, b] = socketpair();
    const boom = new Error('from the listener');
    const listener = () => {
      throw boom;
    };
    process.on('SIGUSR1', listener);
    a.settimeout(5);
    const killed = killLater('USR1', 200);
    assert.equal(thrown(() => a.recv(10)), boom);
    await killed;
    process.off('SIGUSR1', listener);
    a.close();
    b.close();
  }

  // A listener that closes the socket: the call ends with OSError EBADF.
  {
    const [a, b] = socketpair();
    const listener = () => a.close();
    process.on('SIGUSR1', listener);
    const killed = killLater('USR1', 200);
    const e = thrown(() => a.recv(10));
    assert.equal(e.constructor, OSError);
    assert.equal(e.errno, os.constants.errno.EBADF);
    await killed;
    process.off('SIGUSR1', listener);
    b.close();
  }

  // select() too: the listener makes a socket readable, and select returns it.
  {
    const [a, b] = socketpair();
    const listener = () => b.send(Buffer.from('!'));
    process.on('SIGUSR2', listener);
    const killed = killLater('USR2', 200);
    const [r, w, x] = select([a], [], [], 5);
    assert.deepEqual([r, w, x], [[a], [], []]);
    await killed;
    process.off('SIGUSR2', listener);
    a.close();
    b.close();
  }

  // A signal that comes between blocking calls: its listener runs before the next one starts.
  {
    const [a, b] = socketpair();
    let ran = 0;
    const listener = () => ran++;
    process.on('SIGUSR1', listener);
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
    process.off('SIGUSR1', listener);
    a.close();
    b.close();
  }

  // siginterrupt(sig, false): the call is not disturbed; the listener runs when the loop turns.
  {
    const [a, b] = socketpair();
    let ran = 0;
    const listener = () => ran++;
    process.on('SIGUSR2', listener);
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
    process.off('SIGUSR2', listener);
    a.close();
    b.close();
  }
}

run.done();
