// Property-based fuzzing of the whole API: random values of every type (numbers
// with NaN, ±Infinity, -0 and huge ones, bigints, strings with NULs, buffers,
// typed arrays, detached and shared buffers, objects whose getters, valueOf or
// fileno throw, symbols, functions) thrown at every exported function and class
// and at every method of sockets, makefile() files, poll/epoll objects,
// selectors and stream readers. The body runs in a child process
// (test/fixtures/fuzz-api-child.cjs), inside a network namespace of its own
// where the OS allows one, so that a crash cannot take vitest with it and no
// random host name can reach a resolver.

import * as fs from 'node:fs';
import * as path from 'node:path';

import * as bsdsock from 'bsdsock';
import { AF_INET, AF_UNIX, close, dup, send_fds, SHUT_RDWR, SOCK_STREAM, socket, socketpair } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import * as selectors from 'bsdsock/selectors';
import { describe, expect, it } from 'vitest';

import { fdLink, owned, ROOT, tempDir, thrown } from './helpers/sockets';
import { runSync } from './helpers/run';

interface Failure {
  kind: string;
  target: string;
  args: string;
  detail: string;
}
interface Report {
  runs: number;
  targets: number;
  skipped: number;
  netns: boolean;
  outcomes: Record<string, Record<string, number>>;
  failures: Failure[];
  fatal?: string;
}

const CHILD = path.join(ROOT, 'test/fixtures/fuzz-api-child.cjs');

/** Whether this process may make a network namespace (root, or user namespaces allowed). */
function canUnshare(): boolean {
  const r = runSync('unshare', ['-n', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  return r.status === 0;
}

function fuzz(seed: number, runs: number): Report {
  using dir = tempDir();
  const report = path.join(dir.path, 'report.json');
  const netns = canUnshare();
  const node = [process.execPath, CHILD, ROOT, String(seed), String(runs), netns ? '1' : '0', report];
  // Unix socket paths the fuzz binds land in the temporary directory.
  const r = netns
    ? runSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...node], { cwd: dir.path, encoding: 'utf8', timeout: 240_000 })
    : runSync(node[0]!, node.slice(1), { cwd: dir.path, encoding: 'utf8', timeout: 240_000 });
  if (!fs.existsSync(report)) throw new Error(`the fuzz child died (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
  const parsed = JSON.parse(fs.readFileSync(report, 'utf8')) as Report;
  if (r.status !== 0 || parsed.fatal) throw new Error(`the fuzz child failed (${r.status ?? r.signal}): ${parsed.fatal ?? r.stderr.slice(-2000)}`);
  return parsed;
}

/** What a call may end with: a result, Python's classes, or the error a user callback threw. */
const ALLOWED_OUTCOMES = new Set([
  'result', 'TypeError', 'RangeError', 'KeyError', 'RuntimeError', 'AggregateError', 'AbortError',
  'IncompleteReadError', 'LimitOverrunError', 'FuzzCallbackError',
  // OSError's subclasses, and RuntimeError's (asyncio's SendfileNotAvailableError), wherever exported.
  ...[bsdsock, asyncio, selectors].flatMap((m) =>
    Object.values(m)
      .filter((v): v is new () => Error => typeof v === 'function' && [bsdsock.OSError, selectors.RuntimeError].some((base) => v === base || v.prototype instanceof base))
      .map((v) => v.name),
  ),
]);

describe('random arguments to every function and method', () => {
  it('only results, TypeError, RangeError or OSError subclasses; no crash, hang, leaked or stolen fd', () => {
    const report = fuzz(Number(process.env.BSDSOCK_FUZZ_SEED ?? 20251125), 4000);
    expect(report.failures).toEqual([]);
    // Every target was called, and the runs reached past argument checking.
    expect(Object.keys(report.outcomes)).toHaveLength(report.targets);
    expect(report.targets).toBeGreaterThan(300);
    const totals: Record<string, number> = {};
    for (const counts of Object.values(report.outcomes)) {
      for (const [what, n] of Object.entries(counts)) totals[what] = (totals[what] ?? 0) + n;
    }
    expect(Object.keys(totals).filter((what) => !ALLOWED_OUTCOMES.has(what))).toEqual([]);
    for (const what of ['result', 'TypeError', 'RangeError', 'OSError', 'BlockingIOError']) expect(totals[what] ?? 0).toBeGreaterThan(0);
    const withResults = Object.values(report.outcomes).filter((c) => (c.result ?? 0) > 0).length;
    expect(withResults).toBeGreaterThan(report.targets / 4);
  }, 300_000);
});

describe('what the fuzzing found, pinned', () => {
  it('an fd number beyond a C int is a RangeError, never another fd after wrapping', () => {
    using pair = owned(socketpair());
    const fd = pair[0].fileno();
    for (const huge of [2 ** 32 + fd, 2 ** 64 + fd * 2 ** 32, -(2 ** 32) + fd]) {
      expect(thrown(() => close(huge))).toBeInstanceOf(RangeError);
      expect(thrown(() => dup(huge))).toBeInstanceOf(RangeError);
      expect(thrown(() => socket(AF_UNIX, SOCK_STREAM, 0, huge))).toBeInstanceOf(RangeError);
    }
    expect(thrown(() => close(2 ** 32 + fd)).message).toBe('signed integer is greater than maximum');
    // shutdown's how is _PyLong_AsInt's, with its one message (python-oracle.test.ts compares it).
    expect(thrown(() => pair[0].shutdown(2 ** 32 + SHUT_RDWR)).message).toBe('Python int too large to convert to C int');
    expect(thrown(() => pair[0].send(Buffer.from('x'), -(2 ** 31) - 1)).message).toBe('signed integer is less than minimum');
    // send_fds: a wrapped number would pass some other fd to the peer.
    expect(thrown(() => send_fds(pair[0], [Buffer.from('x')], [2 ** 32 + fd])).message).toBe('signed integer is greater than maximum');
    expect(thrown(() => pair[0].sendmsg([Buffer.from('x')], [[2 ** 32 + 1, 1, Buffer.alloc(4)]])).message).toBe('signed integer is greater than maximum');
    expect(fdLink(fd)).toMatch(/^socket:/);
    pair[1].send(Buffer.from('still connected'));
    expect(pair[0].recv(100).toString()).toBe('still connected');
  });

  it('makefile() with arguments it rejects leaves the socket closable', () => {
    for (const args of [['r', 'x'], ['r', null, { encoding: 'no-such-codec' }], ['r', null, { newline: 'x' }]] as const) {
      const [a, b] = socketpair();
      const fd = a.fileno();
      expect(() => (a.makefile as (...x: unknown[]) => unknown)(...args)).toThrow();
      a.close();
      b.close();
      expect(fdLink(fd)).toBeNull();
    }
  });

  it('asyncio servers and endpoints that fail to start leave no socket open', async () => {
    const before = fs.readdirSync('/proc/self/fd').length;
    await expect(asyncio.create_unix_server(() => new asyncio.Protocol(), Buffer.alloc(0) as unknown as string)).rejects.toBeInstanceOf(RangeError);
    const boom = new Error('factory failed');
    await expect(
      asyncio.create_datagram_endpoint(() => {
        throw boom;
      }, { family: AF_INET }),
    ).rejects.toBe(boom);
    expect(() => new asyncio.Transport({} as never, new asyncio.Protocol())).toThrow(TypeError);
    expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
  });

  it('StreamReader.set_exception takes errors only (a read would throw anything else)', async () => {
    const reader = new asyncio.StreamReader();
    for (const bad of [5, 'x', null, { message: 'no' }]) expect(thrown(() => reader.set_exception(bad as never))).toBeInstanceOf(TypeError);
    const boom = new Error('boom');
    reader.set_exception(boom);
    await expect(reader.readline()).rejects.toBe(boom);
  });

  it('a transport refuses a protocol it could not call back (TypeError now, not an uncaught error at close)', async () => {
    using l = owned([socket(AF_INET, SOCK_STREAM)]);
    l[0].bind(['127.0.0.1', 0]);
    l[0].listen();
    const [transport] = await asyncio.create_connection(() => new asyncio.Protocol(), '127.0.0.1', l[0].getsockname()[1]);
    for (const bad of [5, null, {}, 'protocol']) expect(thrown(() => transport.set_protocol(bad as never))).toBeInstanceOf(TypeError);
    const lost = new Promise((resolve) => {
      const p = new asyncio.Protocol();
      p.connection_lost = resolve;
      transport.set_protocol(p);
    });
    transport.close();
    expect(await lost).toBeNull();
  });
});
