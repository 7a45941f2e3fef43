// A socket's mode holds whoever shares its open file description. The
// O_NONBLOCK flag lives on the description, which a dup, a child given the fd,
// a process the fd was passed to and node:net all share and may change at any
// moment; bsdsock's calls keep their mode's meaning whatever the flag is
// (non-blocking never blocks, a timeout fires, blocking waits for what it
// needs), and the flag others see is CPython's.
//
// python3 is the oracle: fixtures/modes/cases.py makes every call in every mode
// on a socket nobody else touches, which says what the mode means;
// fixtures/modes/child.cjs makes the same calls in bsdsock while the flag is
// changed under it in each way below, and every outcome must be Python's.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AF_INET,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  fromfd,
  getdefaulttimeout,
  setdefaulttimeout,
  socket,
  socketpair,
  type Socket,
} from 'bsdsock';

import { python } from './helpers/python';
import { Running, runSync } from './helpers/run';
import { ROOT } from './helpers/sockets';

const FIXTURES = path.join(__dirname, 'fixtures/modes');
const STREAM_CASES = ['recv', 'recvfrom', 'recv_into', 'recvfrom_into', 'recvmsg', 'recvmsg_into', 'recvmmsg', 'makefile_read', 'send', 'sendall', 'sendmsg', 'makefile_write', 'sendfile', 'accept', 'connect'];
const DGRAM_CASES = ['sendto', 'sendmmsg'];

/** How the flag is changed under bsdsock, and the calls each way applies to (node:net adopts stream sockets only). */
const DISTURBANCES: Record<string, [string, string[]]> = {
  none: ['nobody else touches the socket', [...STREAM_CASES, ...DGRAM_CASES]],
  detach: ["a dup's detach() gives the fd away and its new owner closes it", [...STREAM_CASES, ...DGRAM_CASES]],
  'child-stdio': ["a child process gets the socket as its stdin (libuv clears O_NONBLOCK)", [...STREAM_CASES, ...DGRAM_CASES]],
  set: ['a python3 child sets O_NONBLOCK with fcntl', [...STREAM_CASES, ...DGRAM_CASES]],
  clear: ['a python3 child clears O_NONBLOCK with fcntl', [...STREAM_CASES, ...DGRAM_CASES]],
  'scm-set': ['the fd passed by SCM_RIGHTS to python3, which sets O_NONBLOCK', [...STREAM_CASES, ...DGRAM_CASES]],
  'scm-clear': ['the fd passed by SCM_RIGHTS to python3, which clears O_NONBLOCK', [...STREAM_CASES, ...DGRAM_CASES]],
  'net-adopt': ['node:net adopts a detached dup (libuv sets O_NONBLOCK)', STREAM_CASES],
  flip: ['a python3 child sets and clears O_NONBLOCK every millisecond while the call waits', [...STREAM_CASES, ...DGRAM_CASES]],
  // With no signal listener a blocking receive is the kernel's own blocking call, first; with one, every call
  // waits in poll() beside the signal self-pipe: the two ways, each under the flag set and flipped.
  'set+listener': ['a python3 child sets O_NONBLOCK with fcntl, and a signal has a listener', [...STREAM_CASES, ...DGRAM_CASES]],
  'flip+listener': ['a python3 child flips O_NONBLOCK while the call waits, and a signal has a listener', [...STREAM_CASES, ...DGRAM_CASES]],
};

interface Outcome {
  value?: unknown;
  error?: string;
  errno?: number | null;
  message?: string | null;
}

/** Runs a fixture to its end (killed after `limitMs`, which fails the test), and its stdout. */
async function run(cmd: string, args: string[], limitMs: number): Promise<string> {
  const child = new Running([cmd, ...args], { limitMs });
  const { code, signal } = await child.ended;
  if (code === 0) return child.stdout;
  // stderr names each call as it starts: the last line is the one that hung.
  const last = child.stderr.trim().split('\n').pop();
  throw new Error(`${path.basename(args[0] ?? cmd)} ${args.slice(1).join(' ')}: ${signal ?? code} during "${last}"\n${child.stderr}`);
}

const oracle = run('python3', [path.join(FIXTURES, 'cases.py')], 60_000).then((out) => JSON.parse(out) as Record<string, Outcome>);
// Every way at once, each in its own process: most of their time is spent waiting.
const runs = Object.fromEntries(
  Object.entries(DISTURBANCES).map(([name, [, cases]]) => [name, run(process.execPath, [path.join(FIXTURES, 'child.cjs'), name, ...cases], 90_000)]),
);

describe('every call keeps its mode, compared with python3', () => {
  for (const [name, [description, cases]] of Object.entries(DISTURBANCES)) {
    it(`when ${description}`, async () => {
      const expected = await oracle;
      const lines = (await runs[name]!).trim().split('\n').map((l) => JSON.parse(l) as { name: string; mode: string; outcome: Outcome });
      expect(lines.map((l) => l.name)).toEqual(cases.flatMap((c) => [c, c, c]));
      for (const { name: call, mode, outcome } of lines) {
        expect({ call, mode, outcome }).toEqual({ call, mode, outcome: expected[`${call} ${mode}`] });
      }
    }, 120_000);
  }
});

/** Whether the fd's open file description has O_NONBLOCK, as the kernel reports it. */
function nonblocking(s: Socket<string> | number): boolean {
  const fd = typeof s === 'number' ? s : s.fileno();
  const flags = /^flags:\s*([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  return (parseInt(flags?.[1] ?? '0', 8) & 0o4000) !== 0;
}

const state = (s: Socket<string>): [number | null, boolean] => [s.gettimeout(), nonblocking(s)];

/** Runs `f` with a default timeout, and puts the old one back. */
function withDefault<T>(timeout: number | null, f: () => T): T {
  const old = getdefaulttimeout();
  setdefaulttimeout(timeout);
  try {
    return f();
  } finally {
    setdefaulttimeout(old);
  }
}

/** Each case in bsdsock: `[gettimeout(), O_NONBLOCK]` of the socket it ends with. */
const FLAG_CASES: Record<string, [py: string, js: () => unknown]> = {
  new: ['state(socket.socket())', () => state(socket())],
  settimeout: ['s = socket.socket(); s.settimeout(1.5); state(s)', () => {
    const s = socket();
    s.settimeout(1.5);
    return state(s);
  }],
  setblocking_false: ['s = socket.socket(); s.setblocking(False); state(s)', () => {
    const s = socket();
    s.setblocking(false);
    return state(s);
  }],
  back_to_blocking: ['s = socket.socket(); s.settimeout(2); s.setblocking(True); state(s)', () => {
    const s = socket();
    s.settimeout(2);
    s.setblocking(true);
    return state(s);
  }],
  settimeout_none: ['s = socket.socket(); s.setblocking(False); s.settimeout(None); state(s)', () => {
    const s = socket();
    s.setblocking(false);
    s.settimeout(null);
    return state(s);
  }],
  sock_nonblock: ['state(socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK))', () => state(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK))],
  default_timeout: ['socket.setdefaulttimeout(2.5); s = socket.socket(); socket.setdefaulttimeout(None); state(s)', () => state(withDefault(2.5, () => socket()))],
  default_zero: ['socket.setdefaulttimeout(0); s = socket.socket(); socket.setdefaulttimeout(None); state(s)', () => state(withDefault(0, () => socket()))],
  socketpair: ['state(socket.socketpair()[1])', () => state(socketpair()[1])],
  socketpair_default: ['socket.setdefaulttimeout(3); p = socket.socketpair(); socket.setdefaulttimeout(None); state(p[0])', () => state(withDefault(3, () => socketpair()[0]))],
  dup: ['s = socket.socket(); s.settimeout(1); state(s.dup())', () => {
    const s = socket();
    s.settimeout(1);
    return state(s.dup());
  }],
  dup_of_blocking: ['s = socket.socket(); s.settimeout(1); d = s.dup(); s.setblocking(True); state(d)', () => {
    const s = socket();
    s.settimeout(1);
    const d = s.dup();
    s.setblocking(true);
    return state(d);
  }],
  detach_keeps_flag: ['s = socket.socket(); s.setblocking(False); fd = s.detach(); state(socket.socket(fileno=fd))', () => {
    const s = socket();
    s.setblocking(false);
    return state(socket(undefined, undefined, undefined, s.detach()));
  }],
  fileno_default: ['s = socket.socket(); s.setblocking(False); fd = s.detach(); socket.setdefaulttimeout(4); t = socket.socket(fileno=fd); socket.setdefaulttimeout(None); state(t)', () => {
    const s = socket();
    s.setblocking(false);
    const fd = s.detach();
    return state(withDefault(4, () => socket(undefined, undefined, undefined, fd)));
  }],
  fromfd: ['s = socket.socket(); socket.setdefaulttimeout(0.5); t = socket.fromfd(s.fileno(), socket.AF_INET, socket.SOCK_STREAM); socket.setdefaulttimeout(None); [state(s), state(t)]', () => {
    const s = socket();
    const t = withDefault(0.5, () => fromfd(s.fileno(), AF_INET, SOCK_STREAM));
    return [state(s), state(t)];
  }],
  after_blocking_connect: ['l = socket.create_server(("127.0.0.1", 0)); c = socket.socket(); c.connect(l.getsockname()); state(c)', () => {
    const l = socket();
    l.bind(['127.0.0.1', 0]);
    l.listen();
    const c = socket();
    c.connect(l.getsockname());
    const out = state(c);
    l.close();
    c.close();
    return out;
  }],
  accept_from_timeout: ['l = socket.create_server(("127.0.0.1", 0)); l.settimeout(5); c = socket.create_connection(l.getsockname()); state(l.accept()[0])', () => acceptFrom(5, null)],
  accept_from_nonblocking: ['l = socket.create_server(("127.0.0.1", 0)); c = socket.create_connection(l.getsockname()); l.setblocking(False); state(l.accept()[0])', () => acceptFrom(0, null)],
  accept_with_default: ['l = socket.create_server(("127.0.0.1", 0)); c = socket.create_connection(l.getsockname()); socket.setdefaulttimeout(3); a = l.accept()[0]; socket.setdefaulttimeout(None); state(a)', () => acceptFrom(null, 3)],
};

/** A connection accepted by a listener in mode `mode`, with `fallback` as the default timeout. */
function acceptFrom(mode: number | null, fallback: number | null): [number | null, boolean] {
  const l = socket();
  l.bind(['127.0.0.1', 0]);
  l.listen();
  const c = socket();
  c.connect(l.getsockname());
  l.settimeout(mode);
  const [a] = withDefault(fallback, () => l.accept());
  const out = state(a);
  for (const s of [l, c, a]) s.close();
  return out;
}

describe('the flag others see, and the mode a socket starts in, as CPython', () => {
  let py: ReturnType<typeof python>;
  beforeAll(() => {
    const setup = [
      'import fcntl, os, socket',
      'def state(s): return [s.gettimeout(), bool(fcntl.fcntl(s.fileno(), fcntl.F_GETFL) & os.O_NONBLOCK)]',
    ].join('\n');
    py = python(setup, Object.fromEntries(Object.entries(FLAG_CASES).map(([k, [src]]) => [k, src])));
  });
  for (const [name, [, js]] of Object.entries(FLAG_CASES)) {
    it(name, () => {
      expect({ value: js() }).toEqual(py[name]);
    });
  }
});

describe('asyncio waits on the loop whatever the flag', () => {
  it('sock_recv on a socket whose flag a child cleared lets timers run, then gets the data', async () => {
    const { sock_recv } = await import('bsdsock/asyncio');
    const [a, b] = socketpair();
    a.setblocking(false);
    // libuv clears O_NONBLOCK on a child's stdio: the description is now blocking.
    await new Promise<void>((resolve, reject) => {
      const child = spawn('true', [], { stdio: [a.fileno(), 'ignore', 'ignore'] });
      child.on('close', () => resolve());
      child.on('error', reject);
    });
    expect(nonblocking(a)).toBe(false);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const got = sock_recv(a, 10);
    await new Promise((resolve) => setTimeout(resolve, 60));
    b.send(Buffer.from('late'));
    expect((await got).toString()).toBe('late');
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
    a.close();
    b.close();
  });
});

describe('a blocking receive that waited is a blocking call, as CPython makes it', () => {
  // SO_RCVLOWAT = 10 on the receiver; 5 bytes come, then 5 more 0.2 s later.
  // poll() on an AF_UNIX stream says readable at the first byte, but a blocking
  // receive waits for the low-water mark: CPython's recv returns all 10 bytes
  // (a receive made with MSG_DONTWAIT after the wait would return the first 5).
  // TCP's poll itself waits for the mark.
  const FEED = 'import socket,time; s=socket.socket(fileno=3); time.sleep(0.1); s.send(b"12345"); time.sleep(0.2); s.send(b"67890")';
  const PY = String.raw`
import json, socket, threading, time
def pair(family):
    if family == 'unix': return socket.socketpair()
    l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
    c = socket.create_connection(l.getsockname()); s, _ = l.accept(); l.close()
    return s, c
out = {}
for family in ('unix', 'tcp'):
    a, b = pair(family)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 10)
    def feed():
        time.sleep(0.1); b.send(b'12345'); time.sleep(0.2); b.send(b'67890')
    threading.Thread(target=feed).start()
    out[family] = a.recv(100).decode()
print(json.dumps(out))
`;
  const JS = String.raw`
const { socket, socketpair, create_connection, SOL_SOCKET, SO_RCVLOWAT } = require(ROOT);
function pair(family) {
  if (family === 'unix') return socketpair();
  const l = socket(); l.bind(['127.0.0.1', 0]); l.listen();
  const c = create_connection(l.getsockname()); const [s] = l.accept(); l.close();
  return [s, c];
}
const out = {};
for (const family of ['unix', 'tcp']) {
  const [a, b] = pair(family);
  a.setsockopt(SOL_SOCKET, SO_RCVLOWAT, 10);
  const child = require('node:child_process').spawn('python3', ['-c', FEED], { stdio: ['ignore', 'inherit', 'inherit', b.fileno()] });
  out[family] = a.recv(100).toString();
  child.unref();
}
console.log(JSON.stringify(out));
`;

  it('SO_RCVLOWAT: recv returns once the low-water mark is met, not at the first byte', () => {
    const py = runSync('python3', ['-c', PY], { encoding: 'utf8', timeout: 20_000 });
    expect(py.stderr).toBe('');
    const js = runSync(process.execPath, ['-e', `const ROOT = ${JSON.stringify(ROOT)}; const FEED = ${JSON.stringify(FEED)};\n${JS}`], { encoding: 'utf8', timeout: 20_000 });
    expect(js.stderr).toBe('');
    expect(JSON.parse(py.stdout)).toEqual({ unix: '1234567890', tcp: '1234567890' });
    expect(JSON.parse(js.stdout)).toEqual(JSON.parse(py.stdout));
  });
});
