// Lifecycles: sockets made, duplicated, detached, adopted, closed, wrapped in
// files, dropped and collected, in random orders with bsdsock/asyncio
// operations pending on them; and worker threads with sockets terminated
// abruptly. Each scenario runs in a child process (a crash must not take
// vitest with it; --expose-gc for the collections).

import * as path from 'node:path';

import { AF_UNIX, close, SOCK_DGRAM, socketpair, type Socket } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import { describe, expect, it } from 'vitest';

import { closing, ROOT, runNodeSync } from './helpers/sockets';
import { runSync } from './helpers/run';

/** Runs a fixture script in a child Node process and parses the JSON line it prints. */
function runFixture<T>(file: string, args: string[], nodeArgs: string[] = []): T {
  const r = runSync(process.execPath, [...nodeArgs, path.join(ROOT, 'test/fixtures', file), ROOT, ...args], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`${file} exited with ${r.status ?? r.signal}: ${r.stdout}\n${r.stderr.slice(-3000)}`);
  return JSON.parse(line) as T;
}

interface LifecycleReport {
  actions: Record<string, number>;
  ops: { resolved: number; ebadf: number; aborted: number; other: number };
  failures: string[];
}

describe('random interleavings of socket lifecycles and pending operations', () => {
  // Seeds are fixed so that a failure can be replayed: node --expose-gc test/fixtures/lifecycle-child.cjs . SEED 3000
  for (const seed of [1, 7, 20251126]) {
    it(`seed ${seed}: 3000 steps; every received datagram is its own socket's, fds back to where they began`, () => {
      const report = runFixture<LifecycleReport>('lifecycle-child.cjs', [String(seed), '3000'], ['--expose-gc']);
      expect(report.failures).toEqual([]);
      // The run reached every kind of ending an operation can have.
      expect(report.ops.resolved).toBeGreaterThan(0);
      expect(report.ops.ebadf).toBeGreaterThan(0);
      expect(report.ops.aborted).toBeGreaterThan(0);
      for (const action of ['dup', 'detach', 'fromfd', 'makefile', 'forget', 'gc', 'close', 'connectPending', 'passFds', 'recvFds', 'reader']) expect(report.actions[action]).toBeGreaterThan(0);
    }, 240_000);
  }

  it('a socket collected with an operation pending releases it: the operation fails with EBADF and the fd number\'s next socket gets its own data', () => {
    const out = runNodeSync(
      `
      const bs = require(${JSON.stringify(ROOT)});
      const asyncio = require(${JSON.stringify(path.join(ROOT, 'dist/cjs/asyncio.js'))});
      process.on('warning', () => {});
      (async () => {
        // Node opens some fds lazily (stdio): have that done before counting on fd numbers.
        void process.stdin, process.stdout, process.stderr;
        let [a, b] = bs.socketpair(bs.AF_UNIX, bs.SOCK_DGRAM);
        a.setblocking(false);
        const fd = a.fileno();
        const gone = new WeakRef(a);
        let settled = false;
        const old = asyncio.sock_recv(a, 100).then((d) => 'received ' + d, (e) => e.constructor.name + ' ' + e.errno).finally(() => { settled = true; });
        a = null;
        // Collect the socket: its finalizer releases the pending operation and closes the fd.
        // (deref() keeps its target alive until the current job ends: collect first, then look.)
        let collected = false;
        for (let i = 0; i < 250 && !(collected && settled); i++) {
          await new Promise((r) => setTimeout(r, 20));
          global.gc();
          collected = gone.deref() === undefined;
        }
        // The next socket given that fd number (the lowest free number: it comes within a few).
        let c, d;
        for (let i = 0; i < 64; i++) {
          [c, d] = bs.socketpair(bs.AF_UNIX, bs.SOCK_DGRAM);
          if (d.fileno() === fd) [c, d] = [d, c];
          if (c.fileno() === fd) break;
        }
        c.setblocking(false);
        const mine = asyncio.sock_recv(c, 100).then((x) => 'received ' + x, (e) => e.constructor.name);
        d.send(Buffer.from('for the new socket'));
        console.log(JSON.stringify({ collected, reused: c.fileno() === fd, old: await old, mine: await mine }));
        process.exit(0);
      })();
      `,
      ['--expose-gc'],
    );
    const r = JSON.parse(out) as { collected: boolean; reused: boolean; old: string; mine: string };
    expect(r.collected).toBe(true);
    expect(r.reused).toBe(true);
    expect(r.old).toBe(`OSError 9`);
    expect(r.mine).toBe('received for the new socket');
  });
});

describe('closing a raw fd number that bsdsock/asyncio watches', () => {
  it('close(fd) stops its reader: the next socket given the number is not served to it', async () => {
    const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
    const fd = a.detach();
    let staleCalls = 0;
    asyncio.add_reader(fd, () => staleCalls++);
    close(fd);
    // The lowest free number comes back soon: find the socket that got it.
    const spare: Socket<string>[] = [];
    let c: Socket<string> | undefined;
    let d: Socket<string> | undefined;
    for (let i = 0; i < 64 && c === undefined; i++) {
      const pair = socketpair(AF_UNIX, SOCK_DGRAM);
      if (pair[0].fileno() === fd) [c, d] = pair;
      else if (pair[1].fileno() === fd) [d, c] = pair;
      else spare.push(...pair);
    }
    using _ = closing(...spare, b, ...(c && d ? [c, d] : []));
    expect(c?.fileno()).toBe(fd);
    c!.setblocking(false);
    const mine = asyncio.sock_recv(c!, 100);
    d!.send(Buffer.from('for the new socket'));
    expect((await mine).toString()).toBe('for the new socket');
    expect(staleCalls).toBe(0);
  });
});

describe('worker threads terminated with sockets and pending operations', () => {
  it('8 workers, 30 rounds of terminate(): no crash, no fd left open, and fds they detached and handed over stay open', () => {
    const r = runFixture<{ rounds: number; start: string; end: string; lostDetached: number[]; handedOver: number }>('worker-terminate-child.cjs', ['30']);
    expect(r.rounds).toBe(30);
    expect(r.end).toBe(r.start);
    expect(r.lostDetached).toEqual([]);
    expect(r.handedOver).toBeGreaterThan(0);
  }, 240_000);
});
