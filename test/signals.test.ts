// Signals during blocking calls, as CPython handles them (PEP 475), sent for
// real from this process to a child blocked in bsdsock, and to python3 doing
// the same: the listener runs inside the call; if it throws, the call ends
// with its exception; if not, the call goes on (with the time it has left).
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { siginterrupt } from 'bsdsock';

import { blockingCall, CALLS, NODE_ONLY, signalled, type Behaviour, type CallRun } from './helpers/signals';
import { ROOT } from './helpers/sockets';
import { Running, runSync } from './helpers/run';
import { expected, outcome as outcomeOf, python } from './helpers/python';

/** The timeout of the calls in timeout mode, in seconds. */
const TIMEOUT = 1;
/** The sending calls: their result is a byte count, which the peer checks. */
const SENDING = new Set(['send', 'sendto', 'sendall', 'sendmsg', 'sendmmsg', 'sendfile', 'write']);
/** For the calls Python lacks, the call Python has whose outcome theirs must match. */
const COUSIN: Record<string, string> = { recvmmsg: 'recvmsg', sendmmsg: 'sendmsg' };

/** What must be the same in bsdsock and in Python: how the call ended, how often the listener ran. */
function outcome(op: string, run: CallRun): unknown {
  const { result, error, errno } = run.done ?? {};
  const sent = SENDING.has(op) && error === undefined ? { allReceived: run.received === result } : { result };
  return { code: run.code, ...(error === undefined ? sent : { error, errno }), listener: run.listener.length, runsAtEnd: run.done?.runs, runsAfter: run.runs };
}

describe.concurrent.each([...CALLS, ...NODE_ONLY])('%s interrupted by a signal', (op) => {
  for (const timeout of [null, TIMEOUT]) {
    const mode = timeout === null ? 'blocking mode' : 'timeout mode';
    const signal: NodeJS.Signals = timeout === null ? 'SIGINT' : 'SIGUSR2';
    const both = (behaviour: Behaviour) =>
      Promise.all([blockingCall('node', op, timeout, behaviour, signal), blockingCall('python', COUSIN[op] ?? op, timeout, behaviour, signal)]);

    it(`${mode}: a ${signal} listener that throws ends the call with its exception, as in Python`, async () => {
      const [ours, theirs] = await both('throw');
      expect(ours.listener).toEqual([[signal, os.constants.signals[signal]]]);
      expect(ours.done).toMatchObject({ error: 'stop', runs: 1 });
      expect(outcome(op, ours)).toEqual(outcome(COUSIN[op] ?? op, theirs));
    }, 30_000);

    it(`${mode}: after a ${signal} listener that returns, the call goes on, as in Python`, async () => {
      const [ours, theirs] = await both('return');
      expect(ours.listener).toEqual([[signal, os.constants.signals[signal]]]);
      expect(ours.done?.runs).toBe(1);
      expect(ours.runs).toBe(1);
      if (timeout === null) {
        // Completed with what this process supplied after the listener ran.
        expect(ours.done?.error).toBeUndefined();
      } else {
        // Ended by its timeout, measured from the call's start, never earlier.
        expect(ours.done?.elapsed).toBeGreaterThanOrEqual(TIMEOUT);
        expect(theirs.done?.elapsed).toBeGreaterThanOrEqual(TIMEOUT);
      }
      expect(outcome(op, ours)).toEqual(outcome(COUSIN[op] ?? op, theirs));
    }, 30_000);
  }
});

describe('a signal after some of the bytes of a stream call in blocking mode (blocking-call.js recv_waitall, recvmsg_waitall, send_part, sendmsg_part)', () => {
  // A receive with MSG_WAITALL that has some bytes, or a send that has queued some: the kernel's call ends
  // with them, without EINTR, and returns their count; the listener runs as it returns (CPython: at once
  // after the call), so that a listener that throws takes the result's place.
  for (const op of ['recv_waitall', 'recvmsg_waitall', 'send_part', 'sendmsg_part']) {
    for (const behaviour of ['return', 'throw'] as const) {
      it(`${op}: a listener that ${behaviour === 'throw' ? 'throws ends the call with its exception' : 'returns has run when the call returns what it has'}, as in Python`, async () => {
        const [ours, theirs] = await Promise.all([blockingCall('node', op, null, behaviour, 'SIGUSR2'), blockingCall('python', op, null, behaviour, 'SIGUSR2')]);
        for (const run of [ours, theirs]) {
          if (behaviour === 'throw') expect(run.done).toMatchObject({ error: 'stop', runs: 1 });
          else if (op.startsWith('recv')) expect(run.done).toMatchObject({ result: 'abc', runs: 1 });
          else {
            // Part of the bytes: what the peer then read, no more, no less.
            expect(run.done).toMatchObject({ runs: 1 });
            expect(run.done?.result).toBeGreaterThan(0);
            expect(run.done?.result).toBeLessThan(16 << 20);
            expect(run.received).toBe(run.done?.result);
          }
        }
        expect(ours.listener).toEqual([['SIGUSR2', os.constants.signals.SIGUSR2]]);
        expect(theirs.listener).toEqual(ours.listener);
        expect(ours.runs).toBe(theirs.runs);
      }, 30_000);
    }
  }
});

describe('sendall and a signal', () => {
  it('a listener that returns: every byte reaches the peer exactly once', async () => {
    const run = await blockingCall('node', 'sendall', null, 'return', 'SIGINT');
    expect(run.done).toMatchObject({ result: 16 << 20, runs: 1 });
    expect(run.received).toBe(16 << 20);
  }, 30_000);
});

/**
 * The talk's loop: a listener writes a wake-up byte to a socketpair, and
 * select() returns with it readable. `retry` schedules the next round
 * (`round` is the function to call); three rounds, one SIGINT each.
 */
const wakeUpLoop = (retry: string) => `
  const [wakeR, wakeW] = bs.socketpair();
  let runs = 0;
  process.on('SIGINT', () => { runs++; wakeW.send(Buffer.from('!')); });
  const rounds = [];
  let n = 0;
  function round() {
    console.log('ready');
    const [readable] = select.select([wakeR], [], [], 10);
    // The listener ran inside select(), on this round's signal, and select() returned with its byte.
    console.log('round', readable.length, runs, wakeR.recv(10).toString());
    return ++n < 3;
  }
  ${retry}
`;

const RETRIES: Record<string, string> = {
  setImmediate: `const next = () => { if (round()) setImmediate(next); }; next();`,
  setTimeout: `const next = () => { if (round()) setTimeout(next, 1); }; next();`,
  'promises and await': `(async () => { while (round()) await new Promise((r) => setTimeout(r, 1)); await Promise.resolve(); })();`,
  'a plain synchronous while loop': `while (round());`,
};

/** Runs `script` with `signals` (see `signalled`): it must write `expected` and exit 0. */
async function expectRun(script: string, signals: NodeJS.Signals[], expected: string[], esm = false): Promise<void> {
  const { lines, code } = await signalled(script, signals, esm);
  expect(lines).toEqual(expected);
  expect(code).toBe(0);
}

/** A child's UDP socket `s` on loopback. */
const UDP = `const s = bs.socket(bs.AF_INET, bs.SOCK_DGRAM); s.bind(['127.0.0.1', 0]);`;

describe('programs that wait in select() for a listener\'s wake-up byte: the listener runs on the first signal, every time', () => {
  for (const esm of [false, true]) {
    for (const [how, retry] of Object.entries(RETRIES)) {
      it(`${esm ? 'ESM' : 'CommonJS'}, select() retried with ${how}`, async () => {
        await expectRun(wakeUpLoop(retry), ['SIGINT', 'SIGINT', 'SIGINT'], ['round 1 1 !', 'round 1 2 !', 'round 1 3 !'], esm);
      }, 30_000);
    }
  }
});

describe("bsdsock/select loaded alone (no 'bsdsock')", () => {
  it("a signal's listener runs inside select(), which then goes on to its timeout, as in Python", async () => {
    const script = `
      const { select } = require(${JSON.stringify(require.resolve('bsdsock/select'))});
      const start = Date.now();
      process.on('SIGUSR2', () => console.log('listener', Date.now() - start < 1000));
      console.log('ready');
      const ready = select([], [], [], 1.5);
      console.log('select', ready[0].length, Date.now() - start >= 1400);
    `;
    const child = new Running([process.execPath, '-e', script], { limitMs: 20_000 });
    await child.waitForLine(/^ready$/);
    await new Promise((r) => setTimeout(r, 200));
    process.kill(child.pid, 'SIGUSR2');
    const { code } = await child.ended;
    expect(code, child.stderr).toBe(0);
    expect(child.lines).toEqual(['ready', 'listener true', 'select 0 true']);
  }, 30_000);
});

describe('signals that come between blocking calls', () => {
  it('a listener added while the program is idle in the loop runs once per signal', async () => {
    await expectRun(
      `
      const idle = setInterval(() => {}, 1000);
      setTimeout(() => {
        let runs = 0;
        process.on('SIGUSR2', (name, signum) => {
          console.log('listener', ++runs, name, signum);
          if (runs < 3) console.log('ready');
          // Time for a second run of the same signal, if there were one.
          else setTimeout(() => { console.log('runs', runs); clearInterval(idle); }, 300);
        });
        console.log('ready');
      }, 100);
      `,
      ['SIGUSR2', 'SIGUSR2', 'SIGUSR2'],
      [1, 2, 3].map((n) => `listener ${n} SIGUSR2 ${os.constants.signals.SIGUSR2}`).concat('runs 3'),
    );
  }, 30_000);

  it('a signal that comes while JavaScript runs has its listeners run before the next blocking call starts', async () => {
    await expectRun(
      `
      const [a, b] = bs.socketpair();
      b.settimeout(0.3);
      let runs = 0;
      process.on('SIGUSR2', () => { runs++; console.log('listener'); });
      process.kill(process.pid, 'SIGUSR2');
      console.log('before recv', runs);
      try { b.recv(10); } catch (e) { console.log(e.constructor.name, runs); }
      setTimeout(() => console.log('runs', runs), 100);
      `,
      [],
      ['before recv 0', 'listener', 'TimeoutError 1', 'runs 1'],
    );
  }, 30_000);

  it('... and a listener that throws there ends that call with its exception before it waits', async () => {
    await expectRun(
      `
      const [a, b] = bs.socketpair();
      const stop = new Error('stop');
      process.on('SIGUSR2', () => { throw stop; });
      process.kill(process.pid, 'SIGUSR2');
      const start = Date.now();
      try { b.recv(10); } catch (e) { console.log(e === stop, Date.now() - start < 5000); }
      `,
      [],
      ['true true'],
    );
  }, 30_000);
});

describe('signals that come before their listeners get to run', () => {
  /** Sends the signals to itself while JavaScript runs, then makes a blocking call; SIGINT's listener throws with `throws`. */
  const pending = (signals: string[], throws: boolean) => `
    const [a, b] = bs.socketpair();
    b.settimeout(0.2);
    const runs = { SIGINT: 0, SIGUSR2: 0 };
    const stop = new Error('stop');
    process.on('SIGUSR2', () => runs.SIGUSR2++);
    process.on('SIGINT', () => { runs.SIGINT++; if (${throws}) throw stop; });
    for (const signal of ${JSON.stringify(signals)}) process.kill(process.pid, signal);
    try { b.recv(1); } catch (e) { console.log(e === stop ? 'stop' : e.constructor.name, JSON.stringify(runs)); }
    setTimeout(() => console.log('later', JSON.stringify(runs)), 100);
  `;

  it('the same signal twice runs its listeners twice, once per signal (as CPython, whose handler runs after each os.kill)', async () => {
    await expectRun(pending(['SIGUSR2', 'SIGUSR2', 'SIGINT'], false), [], [
      'TimeoutError {"SIGINT":1,"SIGUSR2":2}',
      'later {"SIGINT":1,"SIGUSR2":2}',
    ]);
  }, 30_000);

  it('listeners run in the order of the signals\' numbers; when one throws, the call ends and the rest run at the next chance', async () => {
    await expectRun(pending(['SIGUSR2', 'SIGINT'], true), [], ['stop {"SIGINT":1,"SIGUSR2":0}', 'later {"SIGINT":1,"SIGUSR2":1}']);
  }, 30_000);
});

/** A worker blocked in a bsdsock recv until the main thread sends it a datagram; `main` is what the main thread does meanwhile. */
const withWorker = (main: string) => `
  const { Worker } = require('node:worker_threads');
  const worker = new Worker(\`
    const bs = require(${JSON.stringify(path.join(ROOT, 'dist/cjs/index.js'))});
    const { parentPort } = require('node:worker_threads');
    const s = bs.socket(bs.AF_INET, bs.SOCK_DGRAM);
    s.bind(['127.0.0.1', 0]);
    parentPort.postMessage(s.getsockname()[1]);
    try { parentPort.postMessage('worker got ' + s.recv(100)); } catch (e) { parentPort.postMessage('worker ' + e.constructor.name); }
  \`, { eval: true });
  let runs = 0;
  worker.once('message', (port) => {
    const wakeUp = () => { const c = bs.socket(bs.AF_INET, bs.SOCK_DGRAM); c.sendto(Buffer.from('its datagram'), ['127.0.0.1', port]); c.close(); };
    worker.once('message', (m) => { console.log(m, 'runs', runs); });
    ${main}
  });
`;

describe('worker threads', () => {
  it('the main thread idle: its listener runs once per signal, and the worker blocked in recv is not disturbed', async () => {
    await expectRun(
      withWorker(`
      process.on('SIGUSR2', () => {
        console.log('listener', ++runs);
        if (runs < 2) console.log('ready');
        else setTimeout(wakeUp, 300);
      });
      console.log('ready');
      `),
      ['SIGUSR2', 'SIGUSR2'],
      ['listener 1', 'listener 2', 'worker got its datagram runs 2'],
    );
  }, 30_000);

  it('the main thread blocked in select(): its listener runs once per signal, inside select(); the worker is not disturbed', async () => {
    await expectRun(
      withWorker(`
      const [wakeR, wakeW] = bs.socketpair();
      process.on('SIGUSR2', () => { runs++; wakeW.send(Buffer.from('!')); });
      for (let i = 0; i < 2; i++) {
        console.log('ready');
        console.log('select', select.select([wakeR], [], [], 10)[0].length, runs, wakeR.recv(10).toString());
      }
      setTimeout(wakeUp, 300);
      `),
      ['SIGUSR2', 'SIGUSR2'],
      ['select 1 1 !', 'select 1 2 !', 'worker got its datagram runs 2'],
    );
  }, 30_000);
});

describe('what a listener can do to the call it interrupts', () => {
  it('a listener that closes the socket ends the call with OSError EBADF, as in Python', async () => {
    const python = runSync('python3', ['-c', `
import signal, socket, os, threading
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
signal.signal(signal.SIGUSR2, lambda *a: s.close())
threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGUSR2)).start()
try:
    s.recv(100)
except OSError as e:
    print(type(e).__name__, e.errno)
`], { encoding: 'utf8', timeout: 10_000 });
    expect(python.stdout.trim()).toBe(`OSError ${os.constants.errno.EBADF}`);
    await expectRun(
      `
      ${UDP}
      process.on('SIGUSR2', () => s.close());
      console.log('ready');
      try { s.recv(100); } catch (e) { console.log(e.constructor.name, e.errno); }
      `,
      ['SIGUSR2'],
      [python.stdout.trim()],
    );
  }, 30_000);

  it('siginterrupt(sig, false): the call goes on undisturbed, and the listener runs after it, when the loop turns', async () => {
    await expectRun(
      `
      ${UDP}
      bs.siginterrupt(require('node:os').constants.signals.SIGUSR2, false);
      process.on('SIGUSR2', (name) => console.log('listener', name));
      const port = s.getsockname()[1];
      // The datagram comes well after the signal, from another process.
      require('node:child_process').spawn(process.execPath, ['-e', \`
        setTimeout(() => require('node:dgram').createSocket('udp4').send('the datagram', \${port}, '127.0.0.1', () => process.exit()), 800);
      \`], { stdio: 'ignore' });
      console.log('ready');
      console.log('recv', s.recv(100).toString());
      `,
      ['SIGUSR2'],
      ['recv the datagram', 'listener SIGUSR2'],
    );
  }, 30_000);

  const NO_LISTENER: Record<string, string> = {
    'with no listener': '',
    'after its last listener was removed': `const listener = () => console.log('listener'); process.on('SIGINT', listener); process.removeListener('SIGINT', listener);`,
  };
  for (const [when, setup] of Object.entries(NO_LISTENER)) {
    it(`SIGINT ${when} still ends the process blocked in recv (its default action)`, async () => {
      const run = signalled(`${UDP} ${setup} console.log('ready'); s.recv(100); console.log('returned');`, ['SIGINT']);
      await expect(run).rejects.toThrow(/killed by SIGINT/);
    }, 30_000);
  }
});

describe("siginterrupt's checks, as Python's", () => {
  // Out of range, the signals no handler may take (SIGKILL, SIGSTOP, the C library's own: 32 and 33
  // with glibc), real-time ones Node has no name for, and ordinary ones. flag true changes nothing here:
  // no signal was made to restart.
  const NUMBERS = [-1, 0, 1, 2, 9, 10, 19, 31, 32, 33, 34, 64, 65, 129, 1000];
  const theirs = python('import signal', Object.fromEntries(NUMBERS.map((n) => [String(n), `signal.siginterrupt(${n}, True)`])));
  for (const n of NUMBERS) {
    it(`siginterrupt(${n}, true)`, () => {
      expect(outcomeOf(() => siginterrupt(n, true))).toEqual(expected(theirs[String(n)]!));
    });
  }
});
