// Faults on real connections, each compared with what python3 does where Python
// has the same call: peer resets mid-transfer (SO_LINGER 0, then close),
// half-closes, ICMP port-unreachable on connected UDP, connect timeouts
// against a listener whose backlog is full, sends to a closed peer (EPIPE, never
// a SIGPIPE), and storms of signals while bsdsock blocks in recv, accept,
// sendall and select and while asyncio operations are pending.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
  AF_INET,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  create_connection,
  SHUT_WR,
  SO_LINGER,
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  socket,
  socketpair,
  TimeoutError,
  type Socket,
} from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import { select } from 'bsdsock/select';
import { describe, expect, it } from 'vitest';

import { expected, normalize, outcome, python } from './helpers/python';
import { closing, ERRNO, owned, ROOT, runNodeSync, startNode, tcpPair, thrown } from './helpers/sockets';
import { Running } from './helpers/run';

/** Closes `sock` with SO_LINGER {on, 0}: the peer gets a RST instead of a FIN. */
function reset(sock: Socket<string>): void {
  sock.setsockopt(SOL_SOCKET, SO_LINGER, Buffer.from(new Int32Array([1, 0]).buffer));
  sock.close();
}

/** A pattern of `n` bytes that a truncation, a repeat or a reorder would change. */
function pattern(n: number, step = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * step + (i >> 8)) & 0xff;
  return b;
}

/** The same faults in python3, as outcomes of one case each. */
const PY_SETUP = `
import socket, struct, select
def tcp_pair():
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); l.close()
    return c, s
def reset(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); s.close()
def read_until_error(c):
    got = 0
    while True:
        select.select([c], [], [], 5)
        d = c.recv(65536)
        if not d: return ('eof', got)
        got += len(d)
def closed_udp_port():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 0)); port = u.getsockname()[1]; u.close()
    return port
def full_listener():
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(0)
    pending = []
    for i in range(4):
        c = socket.socket(); c.setblocking(False); c.connect_ex(l.getsockname()); pending.append(c)
    return l, pending
`;

const PY_CASES = {
  resetRecv: `c, s = tcp_pair(); s.send(b'x' * 100000); reset(s); c.settimeout(5); read_until_error(c)`,
  resetRecvNonblocking: `c, s = tcp_pair(); reset(s); c.setblocking(False); read_until_error(c)`,
  resetSend: `c, s = tcp_pair(); reset(s); select.select([c], [], [], 5); c.send(b'x')`,
  resetThenSendAgain: `
c, s = tcp_pair(); reset(s); select.select([c], [], [], 5)
try: c.send(b'x')
except ConnectionResetError: pass
c.send(b'y')`,
  resetMakefileRead: `c, s = tcp_pair(); s.send(b'x' * 10); reset(s); select.select([c], [], [], 5); c.makefile('rb').read()`,
  resetMakefileReadline: `c, s = tcp_pair(); s.send(b'no newline'); reset(s); select.select([c], [], [], 5); c.makefile('r').readline()`,
  halfCloseMakefile: `c, s = tcp_pair(); c.sendall(b'one\\ntwo'); c.shutdown(socket.SHUT_WR); f = s.makefile('rb'); (f.readline(), f.readline(), f.readline(), f.read())`,
  halfCloseSend: `c, s = tcp_pair(); c.shutdown(socket.SHUT_WR); c.send(b'x')`,
  halfCloseRecv: `c, s = tcp_pair(); c.send(b'last'); c.shutdown(socket.SHUT_WR); (s.recv(10), s.recv(10), s.send(b'back'), c.recv(10))`,
  udpRefusedRecv: `u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(('127.0.0.1', closed_udp_port())); u.send(b'x'); u.settimeout(5); u.recv(10)`,
  udpRefusedSend: `
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.connect(('127.0.0.1', closed_udp_port())); u.send(b'x')
select.select([u], [], [], 5)
u.send(b'y')`,
  connectTimeout: `l, p = full_listener(); c = socket.socket(); c.settimeout(0.3); c.connect(l.getsockname())`,
  connectExTimeout: `l, p = full_listener(); c = socket.socket(); c.settimeout(0.3); c.connect_ex(l.getsockname())`,
  createConnectionTimeout: `l, p = full_listener(); socket.create_connection(l.getsockname(), 0.3)`,
  unixClosedPeer: `a, b = socket.socketpair(); b.close(); a.send(b'x')`,
  unixClosedPeerSendall: `a, b = socket.socketpair(); b.close(); a.sendall(b'x' * 100000)`,
};

/** Reads until an error or the end: `['eof', bytes]`, or the error thrown. */
function readUntilError(c: Socket<string>): [string, number] {
  let got = 0;
  for (;;) {
    select([c], [], [], 5);
    const d = c.recv(65536);
    if (d.length === 0) return ['eof', got];
    got += d.length;
  }
}

function closedUdpPort(): number {
  const u = socket(AF_INET, SOCK_DGRAM);
  u.bind(['127.0.0.1', 0]);
  const port = u.getsockname()[1];
  u.close();
  return port;
}

/** A listener whose accept queue is full (listen(0) and connections never accepted): SYNs to it are dropped. */
function fullListener(): Socket<'AF_INET'> & Disposable {
  const l = socket(AF_INET, SOCK_STREAM);
  l.bind(['127.0.0.1', 0]);
  l.listen(0);
  const pending: Socket<'AF_INET'>[] = [];
  for (let i = 0; i < 4; i++) {
    const c = socket(AF_INET, SOCK_STREAM);
    c.setblocking(false);
    c.connect_ex(l.getsockname());
    pending.push(c);
  }
  return Object.assign(l, {
    [Symbol.dispose]() {
      for (const c of pending) c.close();
      l.close();
    },
  });
}

/** A connected TCP pair without its listener. */
function pair(): [Socket<'AF_INET'>, Socket<'AF_INET'>] & Disposable {
  const p = tcpPair();
  p.listener.close();
  return owned([p.client, p.server] as [Socket<'AF_INET'>, Socket<'AF_INET'>]);
}

const OURS: Record<keyof typeof PY_CASES, () => unknown> = {
  resetRecv: () => {
    const [c, s] = pair();
    s.send(Buffer.alloc(100000, 'x'));
    reset(s);
    c.settimeout(5);
    using _ = closing(c);
    return readUntilError(c);
  },
  resetRecvNonblocking: () => {
    const [c, s] = pair();
    reset(s);
    c.setblocking(false);
    using _ = closing(c);
    return readUntilError(c);
  },
  resetSend: () => {
    const [c, s] = pair();
    reset(s);
    using _ = closing(c);
    select([c], [], [], 5);
    return c.send(Buffer.from('x'));
  },
  resetThenSendAgain: () => {
    const [c, s] = pair();
    reset(s);
    using _ = closing(c);
    select([c], [], [], 5);
    expect(thrown(() => c.send(Buffer.from('x')))).toBeInstanceOf(ConnectionResetError);
    return c.send(Buffer.from('y'));
  },
  resetMakefileRead: () => {
    const [c, s] = pair();
    s.send(Buffer.alloc(10, 'x'));
    reset(s);
    using _ = closing(c);
    select([c], [], [], 5);
    const f = c.makefile('rb');
    try {
      return f.read();
    } finally {
      f.close();
    }
  },
  resetMakefileReadline: () => {
    const [c, s] = pair();
    s.send(Buffer.from('no newline'));
    reset(s);
    using _ = closing(c);
    select([c], [], [], 5);
    const f = c.makefile('r');
    try {
      return f.readline();
    } finally {
      f.close();
    }
  },
  halfCloseMakefile: () => {
    using p = pair();
    const [c, s] = p;
    c.sendall(Buffer.from('one\ntwo'));
    c.shutdown(SHUT_WR);
    const f = s.makefile('rb');
    try {
      return [f.readline(), f.readline(), f.readline(), f.read()];
    } finally {
      f.close();
    }
  },
  halfCloseSend: () => {
    using p = pair();
    p[0].shutdown(SHUT_WR);
    return p[0].send(Buffer.from('x'));
  },
  halfCloseRecv: () => {
    using p = pair();
    const [c, s] = p;
    c.send(Buffer.from('last'));
    c.shutdown(SHUT_WR);
    return [s.recv(10), s.recv(10), s.send(Buffer.from('back')), c.recv(10)];
  },
  udpRefusedRecv: () => {
    using u = owned([socket(AF_INET, SOCK_DGRAM)]);
    u[0].connect(['127.0.0.1', closedUdpPort()]);
    u[0].send(Buffer.from('x'));
    u[0].settimeout(5);
    return u[0].recv(10);
  },
  udpRefusedSend: () => {
    using u = owned([socket(AF_INET, SOCK_DGRAM)]);
    u[0].connect(['127.0.0.1', closedUdpPort()]);
    u[0].send(Buffer.from('x'));
    select([u[0]], [], [], 5);
    return u[0].send(Buffer.from('y'));
  },
  connectTimeout: () => {
    using l = fullListener();
    using c = owned([socket(AF_INET, SOCK_STREAM)]);
    c[0].settimeout(0.3);
    return c[0].connect(l.getsockname());
  },
  connectExTimeout: () => {
    using l = fullListener();
    using c = owned([socket(AF_INET, SOCK_STREAM)]);
    c[0].settimeout(0.3);
    return c[0].connect_ex(l.getsockname());
  },
  createConnectionTimeout: () => {
    using l = fullListener();
    return create_connection(l.getsockname(), 0.3);
  },
  unixClosedPeer: () => {
    const [a, b] = socketpair();
    b.close();
    using _ = closing(a);
    return a.send(Buffer.from('x'));
  },
  unixClosedPeerSendall: () => {
    const [a, b] = socketpair();
    b.close();
    using _ = closing(a);
    return a.sendall(Buffer.alloc(100000, 'x'));
  },
};

describe('faults, as python3 sees them', () => {
  const py = python(PY_SETUP, PY_CASES);
  for (const name of Object.keys(PY_CASES) as (keyof typeof PY_CASES)[]) {
    it(name, () => {
      const want = expected(py[name]!);
      expect(normalize(outcome(OURS[name]))).toEqual(normalize(want));
    });
  }

  it('the oracle saw the faults it was meant to (resets, refusals, timeouts, broken pipes)', () => {
    const errors = Object.fromEntries(Object.entries(py).map(([k, o]) => [k, 'error' in o ? o.error : 'value']));
    expect(errors).toMatchObject({
      resetRecv: 'ConnectionResetError',
      resetRecvNonblocking: 'ConnectionResetError',
      resetSend: 'ConnectionResetError',
      resetThenSendAgain: 'BrokenPipeError',
      halfCloseSend: 'BrokenPipeError',
      udpRefusedRecv: 'ConnectionRefusedError',
      udpRefusedSend: 'ConnectionRefusedError',
      connectTimeout: 'TimeoutError',
      createConnectionTimeout: 'TimeoutError',
      unixClosedPeer: 'BrokenPipeError',
      unixClosedPeerSendall: 'BrokenPipeError',
    });
  });
});

describe('faults in the middle of a transfer', () => {
  it('a blocking sendall to a peer that resets after reading part of it: ConnectionResetError or BrokenPipeError', async () => {
    using l = owned([socket(AF_INET, SOCK_STREAM)]);
    l[0].bind(['127.0.0.1', 0]);
    l[0].listen();
    // The peer is another process: this thread is blocked in sendall meanwhile.
    const peer = new Running(['python3', '-c', `
import socket, struct, sys
s = socket.create_connection(('127.0.0.1', ${l[0].getsockname()[1]}))
got = 0
while got < 1 << 20: got += len(s.recv(65536))
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); s.close()
`]);
    const [conn] = l[0].accept();
    using _ = closing(conn);
    const e = thrown(() => conn.sendall(Buffer.alloc(64 << 20)));
    expect(e instanceof ConnectionResetError || e instanceof BrokenPipeError).toBe(true);
    expect([ERRNO.ECONNRESET, ERRNO.EPIPE]).toContain(e.errno);
    await peer.ended;
  });

  it('a non-blocking reader gets the bytes sent before the reset, in order, then ConnectionResetError', () => {
    const [c, s] = pair();
    using _ = closing(c);
    const data = pattern(200000);
    s.setblocking(false);
    const sent = s.send(data);
    reset(s);
    c.setblocking(false);
    const parts: Buffer[] = [];
    let error: unknown = null;
    for (;;) {
      select([c], [], [], 5);
      try {
        const d = c.recv(65536);
        if (d.length === 0) break;
        parts.push(d);
      } catch (e) {
        error = e;
        break;
      }
    }
    expect(error).toBeInstanceOf(ConnectionResetError);
    const got = Buffer.concat(parts);
    // What arrived is a prefix of what was sent (a RST may drop the rest), never anything else.
    expect(got.length).toBeLessThanOrEqual(sent);
    expect(got.equals(data.subarray(0, got.length))).toBe(true);
  });

  it('asyncio: a pending sock_recv and a pending sock_sendall reject with the reset', async () => {
    const [c, s] = pair();
    using _ = closing(c);
    c.setblocking(false);
    const recv = asyncio.sock_recv(c, 100);
    reset(s);
    await expect(recv).rejects.toBeInstanceOf(ConnectionResetError);

    const [c2, s2] = pair();
    using _2 = closing(c2);
    c2.setblocking(false);
    const sending = asyncio.sock_sendall(c2, Buffer.alloc(64 << 20));
    // Let the send fill the buffers and wait, then reset the peer.
    await new Promise((r) => setTimeout(r, 50));
    reset(s2);
    const e = await sending.then(() => null, (err: unknown) => err);
    expect(e instanceof ConnectionResetError || e instanceof BrokenPipeError).toBe(true);
  });

  it('asyncio: half-close gives an empty read, and the other direction still works', async () => {
    using p = pair();
    const [c, s] = p;
    for (const x of p) x.setblocking(false);
    await asyncio.sock_sendall(c, Buffer.from('request'));
    c.shutdown(SHUT_WR);
    expect((await asyncio.sock_recv(s, 100)).toString()).toBe('request');
    expect((await asyncio.sock_recv(s, 100)).length).toBe(0);
    await asyncio.sock_sendall(s, Buffer.from('response'));
    expect((await asyncio.sock_recv(c, 100)).toString()).toBe('response');
    await expect(asyncio.sock_sendall(c, Buffer.from('more'))).rejects.toBeInstanceOf(BrokenPipeError);
  });

  it('asyncio: connected UDP to a closed port rejects the next receive with ConnectionRefusedError', async () => {
    using u = owned([socket(AF_INET, SOCK_DGRAM)]);
    u[0].setblocking(false);
    u[0].connect(['127.0.0.1', closedUdpPort()]);
    await asyncio.sock_sendall(u[0], Buffer.from('x'));
    await expect(asyncio.sock_recv(u[0], 10)).rejects.toBeInstanceOf(ConnectionRefusedError);
  });

  it('asyncio: a connect to a full backlog is abandoned by its AbortSignal, and the socket stays usable to close', async () => {
    using l = fullListener();
    const c = socket(AF_INET, SOCK_STREAM);
    c.setblocking(false);
    await expect(asyncio.sock_connect(c, l.getsockname(), { signal: AbortSignal.timeout(300) })).rejects.toBeInstanceOf(asyncio.AbortError);
    c.close();
    expect(c.fileno()).toBe(-1);
  });

  it('asyncio: open_connection and create_connection to a full backlog are abandoned by their AbortSignal, closing the socket they made', async () => {
    using l = fullListener();
    const [host, port] = l.getsockname();
    const fds = (): number => fs.readdirSync('/proc/self/fd').length;
    const before = fds();
    await expect(asyncio.open_connection(host, port, { signal: AbortSignal.timeout(200) })).rejects.toBeInstanceOf(asyncio.AbortError);
    await expect(asyncio.create_connection(() => new asyncio.Protocol(), host, port, { signal: AbortSignal.timeout(200) })).rejects.toBeInstanceOf(asyncio.AbortError);
    // Aborted already: nothing is made at all.
    await expect(asyncio.create_connection(() => new asyncio.Protocol(), host, port, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(asyncio.AbortError);
    expect(fds()).toBe(before);
  });

  it('a timed-out connect is TimeoutError("timed out") with no errno, as Python', () => {
    using l = fullListener();
    using c = owned([socket(AF_INET, SOCK_STREAM)]);
    c[0].settimeout(0.2);
    const e = thrown(() => c[0].connect(l.getsockname()));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toBe('timed out');
    expect(e.errno).toBeNull();
  });
});

describe('sends to a closed peer', () => {
  it('every send call throws BrokenPipeError (EPIPE) and no SIGPIPE is raised', () => {
    const out = runNodeSync(`
      const bs = require(${JSON.stringify(ROOT)});
      const asyncio = require(${JSON.stringify(path.join(ROOT, 'dist/cjs/asyncio.js'))});
      let sigpipes = 0;
      process.on('SIGPIPE', () => sigpipes++);
      const results = {};
      const closedPeer = (type) => { const [a, b] = bs.socketpair(bs.AF_UNIX, type); b.close(); return a; };
      const calls = {
        send: (a) => a.send(Buffer.from('x')),
        sendall: (a) => a.sendall(Buffer.alloc(1 << 20)),
        sendmsg: (a) => a.sendmsg([Buffer.from('x')]),
        send_fds: (a) => bs.send_fds(a, [Buffer.from('x')], [0]),
        makefile: (a) => { const f = a.makefile('wb'); try { f.write(Buffer.from('x')); f.flush(); } finally { try { f.close(); } catch {} } },
      };
      (async () => {
        for (const [name, call] of Object.entries(calls)) {
          const a = closedPeer(bs.SOCK_STREAM);
          try { call(a); results[name] = 'no error'; } catch (e) { results[name] = e.constructor.name + ' ' + e.errno; }
          a.close();
        }
        const a = closedPeer(bs.SOCK_STREAM);
        a.setblocking(false);
        results.sock_sendall = await asyncio.sock_sendall(a, Buffer.alloc(1 << 20)).then(() => 'no error', (e) => e.constructor.name + ' ' + e.errno);
        a.close();
        await new Promise((r) => setTimeout(r, 50));
        console.log(JSON.stringify({ results, sigpipes }));
      })();
    `);
    const { results, sigpipes } = JSON.parse(out) as { results: Record<string, string>; sigpipes: number };
    for (const name of ['send', 'sendall', 'sendmsg', 'send_fds', 'makefile', 'sock_sendall']) {
      expect([name, results[name]]).toEqual([name, `BrokenPipeError ${ERRNO.EPIPE}`]);
    }
    expect(sigpipes).toBe(0);
  });
});

describe('a child past its time limit', () => {
  it("is killed, and says where each of its threads was: state, kernel wait and syscall (Linux's /proc)", async () => {
    const child = new Running([process.execPath, '-e', 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)'], { limitMs: 1000 });
    expect(await child.ended).toEqual({ code: null, signal: 'SIGKILL' });
    expect(child.stderr).toContain('[killed by the guard; its threads:');
    // The main thread, asleep in a futex wait: a syscall number and its arguments.
    expect(child.stderr).toMatch(/ node S wchan=\S+ syscall=\d+ 0x/);
  }, 10_000);
});

describe('signal storms', () => {
  const STORMS: [string, NodeJS.Signals[]][] = [
    ['SIGUSR1', ['SIGUSR1']],
    ['SIGUSR1 and SIGINT', ['SIGUSR1', 'SIGINT']],
  ];
  for (const [title, signals] of STORMS) {
    it(`${title}, during blocking accept, sendall, recv and select, then asyncio: no call fails (PEP 475), every listener run is counted, every byte acknowledged is received`, async () => {
      await storm(signals);
    }, 120_000);
  }
});

describe('a storm of SIGUSR1 that comes faster than its listener runs', () => {
  /** Runs `argv` (which prints 'ready', then one line of result) under a storm of SIGUSR1
   * from its 'ready' on; the result line, and how many signals were sent. */
  async function stormed(argv: string[]): Promise<{ result: string; sent: number }> {
    const child = new Running(argv, { limitMs: 40_000 });
    expect(await child.line()).toBe('ready');
    let storming = true;
    let sent = 0;
    const sender = (async () => {
      while (storming) {
        try {
          child.kill('SIGUSR1');
        } catch {
          break;
        }
        sent++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      return { result: await child.line(), sent };
    } finally {
      storming = false;
      await sender;
      child.kill('SIGKILL');
      await child.ended;
    }
  }

  it('select and a timeout-mode recv still time out, as in python3 (the storm does not keep them waiting for ever)', async () => {
    const js = `
      const bs = require(${JSON.stringify(ROOT)});
      const { select } = require(${JSON.stringify(path.join(ROOT, 'dist/cjs/select.js'))});
      let runs = 0;
      process.on('SIGUSR1', () => runs++);
      const [a, b] = bs.socketpair();
      console.log('ready');
      let t = Date.now();
      const selected = select([a], [], [], 1)[0].length;
      const selectEarly = Date.now() - t < 1000;
      a.settimeout(0.5);
      t = Date.now();
      let recv;
      try { recv = 'received ' + a.recv(1).length; } catch (e) { recv = e.constructor.name + ' ' + e.message; }
      const recvEarly = Date.now() - t < 500;
      console.log(JSON.stringify({ selected, selectEarly, recv, recvEarly, ran: runs > 0 }));
    `;
    const py = `
import socket, select, signal, time
runs = 0
def count(s, f):
    global runs; runs += 1
signal.signal(signal.SIGUSR1, count)
a, b = socket.socketpair()
print('ready', flush=True)
t = time.monotonic()
selected = len(select.select([a], [], [], 1)[0])
select_early = time.monotonic() - t < 1
a.settimeout(0.5)
t = time.monotonic()
try:
    recv = 'received %d' % len(a.recv(1))
except Exception as e:
    recv = type(e).__name__ + ' ' + str(e)
recv_early = time.monotonic() - t < 0.5
import json
print(json.dumps({'selected': selected, 'selectEarly': select_early, 'recv': recv, 'recvEarly': recv_early, 'ran': runs > 0}), flush=True)
`;
    const ours = await stormed([process.execPath, '-e', js]);
    const theirs = await stormed(['python3', '-c', py]);
    expect(JSON.parse(theirs.result)).toEqual({ selected: 0, selectEarly: false, recv: 'TimeoutError timed out', recvEarly: false, ran: true });
    expect(JSON.parse(ours.result)).toEqual(JSON.parse(theirs.result));
  }, 120_000);

  it('a listener slower than the storm (50 µs a run): a blocking recv loop still receives all its peer sends, and the listener runs at most once per signal', async () => {
    // Each signal queues one more run of the listener; were every one queued, each
    // batch of runs would queue more than it ran, and the recv between batches would
    // never get its turn. Signals of one kind queue up to a bound, and coalesce beyond it.
    const js = `
      const bs = require(${JSON.stringify(ROOT)});
      const { spawn } = require('node:child_process');
      let runs = 0;
      process.on('SIGUSR1', () => {
        runs++;
        const t = process.hrtime.bigint();
        while (process.hrtime.bigint() - t < 50000n);
      });
      const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM);
      l.bind(['127.0.0.1', 0]);
      l.listen();
      spawn('python3', ['-c', \`
import socket, time
s = socket.create_connection(('127.0.0.1', \${l.getsockname()[1]}))
for i in range(64):
    s.sendall(bytes([i]) * 32768); time.sleep(0.01)
s.close()\`], { stdio: 'inherit' });
      console.log('ready');
      const [c] = l.accept();
      const chunks = [];
      for (;;) { const d = c.recv(65536); if (d.length === 0) break; chunks.push(d); }
      const all = Buffer.concat(chunks);
      const intact = all.every((byte, i) => byte === i >> 15);
      console.log(JSON.stringify({ received: all.length, intact, runs }));
    `;
    const { result, sent } = await stormed([process.execPath, '-e', js]);
    const report = JSON.parse(result) as { received: number; intact: boolean; runs: number };
    expect([report.received, report.intact]).toEqual([64 * 32768, true]);
    expect(report.runs).toBeGreaterThan(0);
    expect(report.runs).toBeLessThanOrEqual(sent);
  }, 120_000);
});

/** Runs the storm scenario with `signals` sent in turn, as fast as this process can send them. */
async function storm(signals: NodeJS.Signals[]): Promise<void> {
  const SIZE = 2 << 20;
  const child = startNode(`
    const bs = require(${JSON.stringify(ROOT)});
    const asyncio = require(${JSON.stringify(path.join(ROOT, 'dist/cjs/asyncio.js'))});
    const { select } = require(${JSON.stringify(path.join(ROOT, 'dist/cjs/select.js'))});
    const { createHash } = require('crypto');
    const counts = { SIGUSR1: 0, SIGINT: 0, other: [] };
    process.on('SIGUSR1', () => counts.SIGUSR1++);
    process.on('SIGINT', () => counts.SIGINT++);
    // The test ends this process with SIGTERM: the listener is in place before the
    // test can send it (a SIGTERM before it would take the default action).
    process.on('SIGTERM', () => process.exit(0));
    /** Calls fn, which no signal may make fail: the listeners run inside it, and it goes on. */
    function call(name, fn) {
      try { return fn(); } catch (e) {
        counts.other.push(name + ': ' + e.constructor.name + ' ' + e.message);
        throw e;
      }
    }
    function pattern(n, step) { const b = Buffer.alloc(n); for (let i = 0; i < n; i++) b[i] = (i * step + (i >> 8)) & 0xff; return b; }
    const l = bs.socket(bs.AF_INET, bs.SOCK_STREAM);
    l.bind(['127.0.0.1', 0]);
    l.listen();
    console.log(l.getsockname()[1]);
    // Each step is written to stderr, so a child stopped by the guard says where it was.
    const step = (name) => process.stderr.write(name + ' ');
    (async () => {
      // Blocking phase: accept, sendall, select and recv.
      const [conn] = call('accept', () => l.accept());
      step('accepted');
      const data = pattern(${SIZE}, 7);
      call('sendall', () => conn.sendall(data));
      conn.shutdown(bs.SHUT_WR);
      step('sent');
      const h = createHash('sha256');
      let got = 0;
      for (;;) {
        step('s');
        call('select', () => select([conn], [], [], 30));
        step('r');
        const d = call('recv', () => conn.recv(65536));
        if (d.length === 0) break;
        h.update(d); got += d.length;
      }
      conn.close();
      step('received');
      // asyncio phase: sock_accept, sock_sendall and sock_recv pending while the signals go on.
      l.setblocking(false);
      const [c2] = await asyncio.sock_accept(l);
      step('async-accepted');
      const h2 = createHash('sha256');
      let got2 = 0;
      const reading = (async () => {
        for (;;) { const d = await asyncio.sock_recv(c2, 65536); if (d.length === 0) return; h2.update(d); got2 += d.length; }
      })();
      await asyncio.sock_sendall(c2, data);
      c2.shutdown(bs.SHUT_WR);
      step('async-sent');
      await reading;
      step('async-received');
      c2.close();
      l.close();
      // The listeners run when the event loop turns: wait until the storm has reached both.
      while (${JSON.stringify(signals)}.some((s) => counts[s] === 0)) await new Promise((r) => setTimeout(r, 10));
      step('listeners-ran');
      console.log(JSON.stringify({ counts, blocking: [got, h.digest('hex')], asyncio: [got2, h2.digest('hex')] }));
      // Stay up (listeners in place) until the storm is over and the test sends SIGTERM.
      setInterval(() => {}, 1000);
    })().catch((e) => { console.log(JSON.stringify({ counts, error: e.constructor.name + ' ' + e.message })); });
  `, [], 100_000); // A storm on a loaded machine is slow: the guard is the test's own timeout, less a margin.
  const port = Number(await child.line());
  // The storm: both signals, as fast as the event loop lets this process send them.
  let storming = true;
  const sent: Record<string, number> = {};
  const sender = (async () => {
    let n = 0;
    while (storming) {
      const signal = signals[n++ % signals.length]!;
      try {
        child.kill(signal);
      } catch {
        break;
      }
      sent[signal] = (sent[signal] ?? 0) + 1;
      await new Promise((r) => setImmediate(r));
    }
    return n;
  })();
  // The peer sends SIZE bytes and reports what it received, twice (one connection per phase).
  const peerScript = `
import socket, sys, hashlib, threading
def pattern(n, step):
  return bytes(((i * step + (i >> 8)) & 0xff) for i in range(n))
data = pattern(${SIZE}, 3)
for phase in range(2):
  s = socket.create_connection(('127.0.0.1', ${port}))
  def send():
      for i in range(0, len(data), 65536): s.sendall(data[i:i + 65536])
      s.shutdown(socket.SHUT_WR)
  t = threading.Thread(target=send); t.start()
  h = hashlib.sha256(); n = 0
  while True:
      d = s.recv(65536)
      if not d: break
      h.update(d); n += len(d)
  t.join(); s.close()
  print(n, h.hexdigest(), flush=True)
`;
  const peer = new Running(['python3', '-c', peerScript]);
  const report = JSON.parse(await child.line()) as {
    counts: { SIGUSR1: number; SIGINT: number; other: string[] };
    blocking: [number, string];
    asyncio: [number, string];
    error?: string;
  };
  storming = false;
  const total = await sender;
  // libuv queues each caught signal in a pipe that the child's loop drains; right
  // after a storm that pipe can still be full, and a signal that finds it full is
  // dropped (as signals may be). So SIGTERM is sent again until the child is gone.
  const ending = setInterval(() => child.kill('SIGTERM'), 250);
  child.kill('SIGTERM');
  await peer.ended;
  try {
    expect(await child.exited).toBe(0);
  } finally {
    clearInterval(ending);
  }
  expect(report.error).toBeUndefined();
  expect(report.counts.other).toEqual([]);
  const theirs = createHash('sha256').update(pattern(SIZE, 3)).digest('hex');
  const ours = createHash('sha256').update(pattern(SIZE, 7)).digest('hex');
  // What each side received is exactly what the other sent.
  expect(report.blocking).toEqual([SIZE, theirs]);
  expect(report.asyncio).toEqual([SIZE, theirs]);
  expect(peer.stdout.trim().split('\n'), peer.stderr).toEqual([`${SIZE} ${ours}`, `${SIZE} ${ours}`]);
  // The storm reached the child, whose listeners ran for each signal, at most
  // once per signal sent (signals that come before the listeners run coalesce).
  expect(total).toBeGreaterThan(10);
  for (const sig of signals) {
    expect(report.counts[sig as 'SIGINT']).toBeGreaterThan(0);
    expect(report.counts[sig as 'SIGINT']).toBeLessThanOrEqual(sent[sig]!);
  }
}
