// Sockets in worker_threads: a worker terminated while it holds open sockets
// (blocking ones, never given to bsdsock/asyncio) leaves no fd behind.
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';

/** What an fd is now ("socket:[inode]"), or null when it is closed. */
function target(fd: number): string | null {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

const WORKER = `
const { parentPort } = require('node:worker_threads');
const bs = require('bsdsock');
const socks = [];
for (let i = 0; i < 5; i++) {
  const [a, b] = bs.socketpair();
  const u = bs.socket(bs.AF_INET, bs.SOCK_DGRAM);
  u.bind(['127.0.0.1', 0]);
  socks.push(a, b, u);
}
const [d] = [socks[0].dup()];
socks.push(d);
parentPort.postMessage(socks.map((s) => s.fileno()));
setInterval(() => {}, 1000); // stay alive until terminated
`;

describe('worker_threads', () => {
  it('terminating a worker closes the fds of the sockets it held', async () => {
    const worker = new Worker(WORKER, { eval: true });
    const fds = await new Promise<number[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    expect(fds).toHaveLength(16);
    const before = fds.map(target);
    expect(before.every((t) => t !== null && t.startsWith('socket:'))).toBe(true);
    await worker.terminate();
    // Each fd is closed now, or (reused since) no longer the worker's socket.
    const after = fds.map(target);
    after.forEach((t, i) => expect(t === null || t !== before[i]).toBe(true));
  });

  it('a detached fd outlives the worker: detach hands ownership over', async () => {
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const bs = require('bsdsock');
       const s = bs.socket(bs.AF_INET, bs.SOCK_DGRAM);
       parentPort.postMessage(s.detach());
       setInterval(() => {}, 1000);`,
      { eval: true },
    );
    const fd = await new Promise<number>((resolve) => worker.once('message', resolve));
    const before = target(fd);
    expect(before).toMatch(/^socket:/);
    await worker.terminate();
    expect(target(fd)).toBe(before);
    fs.closeSync(fd);
  });
});
