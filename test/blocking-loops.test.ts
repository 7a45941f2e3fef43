// Blocking calls that the kernel makes as one call, and bsdsock as a loop of
// non-blocking calls and waits (so that signals are handled between them),
// against python3 with the same peer process; the loop must add up to the
// kernel's answer:
// - MSG_WAITALL receives, the peer writing in steps with pauses between them:
//   each must wait (or stop) where CPython's does. recvmsg's waits stop after
//   bytes that brought fds, and glue only bytes of one writer when SO_PASSCRED
//   is on, as Linux's AF_UNIX stream does; a TCP reset during the wait leaves
//   the bytes received and the error for the next call. The first bytes are
//   queued before the first call (a call that starts on an empty queue waits
//   for readiness and then makes the kernel's own blocking call).
// - sends of more than the socket's buffers hold, the peer reading only after a
//   pause: send, sendto and sendmsg return once every byte is queued, and
//   sendmsg's ancillary data goes once; sendmmsg (beyond Python) sends each
//   message whole, as its cousin, a loop of sendmsg, does.
// - a sendto to a Unix datagram socket whose queue is full, from an unconnected
//   socket, which polls writable all the while: the loop must sleep, as the
//   kernel's call does, not spin (counted in syscalls under strace).
// - a connect to a Unix listener whose backlog is full: it waits for room, where
//   a non-blocking connect says EAGAIN.
// - a receive, a recvmmsg, a sendall and an epoll.poll that wait, counted in syscalls under
//   strace: the kernel's own blocking call when no signal has a listener, a
//   wait in poll() beside the signal self-pipe when one has.
// - SO_SNDTIMEO and SO_RCVTIMEO with a peer that trickles: a TCP send and a
//   MSG_WAITALL receive have one budget for all their waits, as the kernel's
//   one call has; an AF_UNIX send's starts again with each buffer queued.
// - a receive and a sendall under those options while another process flips
//   O_NONBLOCK: an EAGAIN the flag caused is not the kernel's timeout.
// python3 runs its side while this process runs its own.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  CMSG_SPACE,
  MSG_WAITALL,
  IPPROTO_TCP,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SOL_SOCKET,
  SO_PASSCRED,
  SO_PEERCRED,
  SO_RCVTIMEO,
  SO_SNDBUF,
  SO_SNDTIMEO,
  close as closeFd,
  socket,
  type Socket,
} from 'bsdsock';
import { Running } from './helpers/run';

/** Linux's TCP_INQ (and its item's type, TCP_CM_INQ), which neither Python 3.11 nor bsdsock names. */
const TCP_INQ = 36;

/** A peer's step: send bytes, send bytes with an fd, send bytes from a forked process, or pause. */
type Step = ['send' | 'fds' | 'fork', string] | ['pause'];
/** A receive: recvmsg(n, ancbufsize), recvmsg_into([sizes], ancbufsize), recv(n); all but recv with MSG_WAITALL. */
type Call = ['recvmsg', number, number] | ['recvmsg_into', number[], number] | ['recv', number];
interface Scenario {
  tcp?: boolean;
  passcred?: boolean;
  /** The peer ends with a reset (SO_LINGER 0) rather than a close. */
  reset?: boolean;
  /** TCP_INQ on the receiver: each receive brings a TCP_CM_INQ item, the bytes left after it. */
  inq?: boolean;
  steps: Step[];
  calls: Call[];
}

const FD_SPACE = CMSG_SPACE(4);
const SCENARIOS: Record<string, Scenario> = {
  'recvmsg waits across two sends': {
    steps: [['send', 'abc'], ['pause'], ['send', 'def']],
    calls: [['recvmsg', 6, 0]],
  },
  'recvmsg_into fills every buffer, and leaves the rest': {
    steps: [['send', 'abc'], ['pause'], ['send', 'defgh']],
    calls: [['recvmsg_into', [4, 2], 0], ['recv', 10]],
  },
  'recvmsg stops after bytes that brought fds': {
    steps: [['send', 'ab'], ['pause'], ['fds', 'cd'], ['pause'], ['send', 'ef']],
    calls: [['recvmsg', 6, FD_SPACE], ['recv', 10]],
  },
  'recvmsg with fds in the first bytes takes only those': {
    steps: [['fds', 'ab'], ['pause'], ['send', 'cd']],
    calls: [['recvmsg', 4, FD_SPACE], ['recv', 10]],
  },
  'SO_PASSCRED: one writer, glued': {
    passcred: true,
    steps: [['send', 'abc'], ['pause'], ['send', 'def']],
    calls: [['recvmsg', 6, 256]],
  },
  'SO_PASSCRED: two writers, never glued': {
    passcred: true,
    steps: [['send', 'abc'], ['pause'], ['fork', 'def']],
    calls: [['recvmsg', 6, 256], ['recvmsg', 6, 256]],
  },
  'SO_PASSCRED: credentials and then fds of one writer': {
    passcred: true,
    steps: [['send', 'ab'], ['pause'], ['fds', 'cd'], ['pause'], ['send', 'ef']],
    calls: [['recvmsg', 6, 256], ['recv', 10]],
  },
  'recvmsg returns what came before the end of the stream': {
    steps: [['send', 'abc']],
    calls: [['recvmsg', 6, 0], ['recvmsg', 6, 0]],
  },
  'TCP: recvmsg waits across two sends': {
    tcp: true,
    steps: [['send', 'abc'], ['pause'], ['send', 'def']],
    calls: [['recvmsg', 6, 0]],
  },
  'TCP: with TCP_INQ the item is the one of the last receive, as the kernel reports after its own wait': {
    tcp: true,
    inq: true,
    steps: [['send', 'abc'], ['pause'], ['send', 'defgh']],
    calls: [['recvmsg', 6, 64], ['recvmsg_into', [1, 1], 64]],
  },
  'TCP: a reset during the wait comes from the next call': {
    tcp: true,
    reset: true,
    steps: [['send', 'abc'], ['pause']],
    calls: [['recvmsg', 6, 0], ['recvmsg', 6, 0]],
  },
};

/** The peer: connects to argv[1] (a path, or a port on 127.0.0.1), waits, runs the steps, closes. */
const PEER = String.raw`
import json, os, socket, struct, sys, time
where, scenario = sys.argv[1], json.loads(sys.argv[2])
if scenario.get('tcp'):
    s = socket.create_connection(('127.0.0.1', int(where)))
else:
    s = socket.socket(socket.AF_UNIX); s.connect(where)
def run(step):
    if step[0] == 'pause': time.sleep(0.15)
    elif step[0] == 'send': s.sendall(step[1].encode())
    elif step[0] == 'fds': socket.send_fds(s, [step[1].encode()], [0])
    elif step[0] == 'fork':
        pid = os.fork()
        if pid == 0:
            s.sendall(step[1].encode()); os._exit(0)
        os.waitpid(pid, 0)
try:
    for step in scenario['steps']: run(step)
except (BrokenPipeError, ConnectionResetError):
    pass  # a receiver that stopped early closed: its answers tell
time.sleep(0.1)
if scenario.get('reset'): s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
s.close()
`;

/** python3's listening socket on 127.0.0.1 or at a path, and where a peer connects to it (the port or the path). */
const PY_LISTENING = String.raw`
import os, socket, tempfile
def listening(tcp):
    if tcp:
        l = socket.socket(); l.bind(('127.0.0.1', 0)); where = str(l.getsockname()[1])
    else:
        where = os.path.join(tempfile.mkdtemp(), 's'); l = socket.socket(socket.AF_UNIX); l.bind(where)
    l.listen()
    return l, where
`;

/** python3's receiver: for each scenario, listens, starts the peer, accepts, makes the calls; prints JSON. */
const RECEIVER = PY_LISTENING + String.raw`
import json, os, socket, struct, subprocess, sys, tempfile, time
peer, scenarios = sys.argv[1], json.loads(sys.argv[2])
def items(anc, peer_pid):
    out = []
    for level, ty, data in anc:
        if level == socket.SOL_SOCKET and ty == socket.SCM_RIGHTS:
            fds = struct.unpack('%di' % (len(data) // 4), data)
            for fd in fds: os.close(fd)
            out.append(['fds', len(fds)])
        elif level == socket.SOL_SOCKET and ty == socket.SCM_CREDENTIALS:
            pid, uid, gid = struct.unpack('iII', data)
            out.append(['creds', 'peer' if pid == peer_pid else 'other', uid, gid])
        else:
            out.append([level, ty, data.hex()])
    return out
def call(conn, c, peer_pid):
    try:
        if c[0] == 'recv': return {'value': conn.recv(c[1]).hex()}
        if c[0] == 'recvmsg':
            data, anc, flags, addr = conn.recvmsg(c[1], c[2], socket.MSG_WAITALL)
            return {'value': [data.hex(), items(anc, peer_pid), flags, addr is None]}
        bufs = [bytearray(n) for n in c[1]]
        n, anc, flags, addr = conn.recvmsg_into(bufs, c[2], socket.MSG_WAITALL)
        return {'value': [n, [b.hex() for b in bufs], items(anc, peer_pid), flags, addr is None]}
    except OSError as e:
        return {'error': type(e).__name__, 'errno': e.errno}
results = {}
for name, sc in scenarios.items():
    l, where = listening(sc.get('tcp'))
    # On the listener, before the peer starts: the accepted socket inherits it, so every byte the peer sends carries its credentials.
    if sc.get('passcred'): l.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    p = subprocess.Popen([sys.executable, '-c', peer, where, json.dumps(sc)])
    conn, _ = l.accept()
    peer_pid = None if sc.get('tcp') else struct.unpack('iII', conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
    if sc.get('inq'): conn.setsockopt(socket.IPPROTO_TCP, 36, 1)  # TCP_INQ, which Python 3.11 does not name
    time.sleep(0.05)  # the first bytes are queued before the first call
    results[name] = [call(conn, c, peer_pid) for c in sc['calls']]
    conn.close(); l.close(); p.wait()
print(json.dumps(results))
`;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Inside a describe: python3 runs `script` with `args` (its side of every case, printing JSON by case name)
 * from the start, while the returned function runs this process's side of each case in turn (`ours`, given a
 * scratch directory) and then gives both sides' results.
 */
function againstPython<C, R>(
  name: string,
  script: string,
  args: string[],
  cases: Record<string, C>,
  ours: (c: C, dir: string) => Promise<R>,
): () => Promise<{ ours: Record<string, R>; theirs: Record<string, R> }> {
  let python: Running;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `bsdsock-${name}-`));
    python = new Running(['python3', '-c', script, ...args], { limitMs: 60_000 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return async () => {
    const mine: Record<string, R> = {};
    for (const [n, c] of Object.entries(cases)) mine[n] = await ours(c, dir);
    const { code } = await python.ended;
    expect(code, python.stderr).toBe(0);
    return { ours: mine, theirs: JSON.parse(python.stdout) as Record<string, R> };
  };
}

type Result = { value: unknown } | { error: string; errno: number | null };

function items(anc: [number, number, Buffer][], peerPid: number | null): unknown[] {
  return anc.map(([level, ty, data]) => {
    if (level === SOL_SOCKET && ty === SCM_RIGHTS) {
      const fds = Array.from({ length: data.length / 4 }, (_, i) => data.readInt32LE(i * 4));
      for (const fd of fds) closeFd(fd);
      return ['fds', fds.length];
    }
    if (level === SOL_SOCKET && ty === SCM_CREDENTIALS) {
      return ['creds', data.readInt32LE(0) === peerPid ? 'peer' : 'other', data.readUInt32LE(4), data.readUInt32LE(8)];
    }
    return [level, ty, data.toString('hex')];
  });
}

function call(conn: Socket, c: Call, peerPid: number | null): Result {
  try {
    if (c[0] === 'recv') return { value: conn.recv(c[1]).toString('hex') };
    if (c[0] === 'recvmsg') {
      const [data, anc, flags, addr] = conn.recvmsg(c[1], c[2], MSG_WAITALL);
      return { value: [data.toString('hex'), items(anc, peerPid), flags, addr === null] };
    }
    const bufs = c[1].map((n) => Buffer.alloc(n));
    const [n, anc, flags, addr] = conn.recvmsg_into(bufs, c[2], MSG_WAITALL);
    return { value: [n, bufs.map((b) => b.toString('hex')), items(anc, peerPid), flags, addr === null] };
  } catch (e) {
    return { error: (e as Error).constructor.name, errno: (e as { errno?: number }).errno ?? null };
  }
}

/**
 * A listening socket on 127.0.0.1 or at a path in `dir`, and where a peer connects to it (the port or
 * the path); its accept times out, so that a broken peer fails the test instead of hanging it.
 */
function listener(tcp: boolean, dir: string): Socket & { where: string } {
  let l: Socket;
  let where: string;
  if (tcp) {
    const inet = socket(AF_INET);
    inet.bind(['127.0.0.1', 0]);
    [l, where] = [inet, String(inet.getsockname()[1])];
  } else {
    const unix = socket(AF_UNIX);
    where = path.join(dir, 'listener');
    fs.rmSync(where, { force: true });
    unix.bind(where);
    l = unix;
  }
  l.listen();
  l.settimeout(10);
  return Object.assign(l, { where });
}

/** This process's receiver, as python3's above. */
async function receive(sc: Scenario, dir: string): Promise<Result[]> {
  using l = listener(sc.tcp === true, dir);
  const where = l.where;
  // On the listener, before the peer starts: the accepted socket inherits it. Set on that socket after accept,
  // bytes the peer sent in between came without credentials (pid 0, uid 65534), unglued from the rest.
  if (sc.passcred) l.setsockopt(SOL_SOCKET, SO_PASSCRED, 1);
  const peer = new Running(['python3', '-c', PEER, where, JSON.stringify(sc)]);
  const [conn] = l.accept();
  conn.settimeout(null);
  try {
    const peerPid = sc.tcp ? null : conn.getsockopt(SOL_SOCKET, SO_PEERCRED, 12).readInt32LE(0);
    if (sc.inq) conn.setsockopt(IPPROTO_TCP, TCP_INQ, 1);
    sleep(50); // the first bytes are queued before the first call
    return sc.calls.map((c) => call(conn, c, peerPid));
  } finally {
    conn.close();
    const { code } = await peer.ended;
    expect(code, peer.stderr).toBe(0);
  }
}

describe.runIf(process.platform === 'linux')('MSG_WAITALL in blocking mode, against python3 with the same peer', () => {
  const compare = againstPython('waitall', RECEIVER, [PEER, JSON.stringify(SCENARIOS)], SCENARIOS, receive);

  it('every scenario gives what python3 gives', async () => {
    const { ours, theirs } = await compare();
    expect(ours).toEqual(theirs);
    // The scenarios say what they claim: a wait happened, fds and credentials came.
    expect(theirs['recvmsg waits across two sends']).toEqual([{ value: ['616263646566', [], 0, true] }]);
    expect(JSON.stringify(theirs['SO_PASSCRED: two writers, never glued'])).toMatch(/"616263",\[\["creds","peer".*"646566",\[\["creds","other"/);
    expect(JSON.stringify(theirs['recvmsg stops after bytes that brought fds'])).toMatch(/"61626364",\[\["fds",1\]\].*"6566"/);
    // The first receive waited for 'def', and 'gh' was left; the second took 'g' and 'h' with nothing left.
    expect(theirs["TCP: with TCP_INQ the item is the one of the last receive, as the kernel reports after its own wait"]).toEqual([
      { value: ['616263646566', [[IPPROTO_TCP, TCP_INQ, '02000000']], 0, true] },
      { value: [2, ['67', '68'], [[IPPROTO_TCP, TCP_INQ, '00000000']], 0, true] },
    ]);
    expect(theirs['TCP: a reset during the wait comes from the next call']?.[1]).toEqual({ error: 'ConnectionResetError', errno: 104 });
  });
});

/** A send of more than the buffers hold: which call, over TCP or AF_UNIX. */
interface Send {
  /** sendmmsg (beyond Python): two messages, which python3 sends with two sendmsg calls. */
  call: 'send' | 'sendto' | 'sendmsg' | 'sendmsg_fds' | 'sendmmsg' | 'sendfile';
  tcp: boolean;
  /** SO_SNDTIMEO on the sender, 50 ms: CPython's sendfile waits on in select() after the kernel's EAGAIN. */
  sndtimeo?: boolean;
}
const SENDS: Record<string, Send> = {
  'TCP send': { call: 'send', tcp: true },
  'TCP sendto (the address is the peer\'s)': { call: 'sendto', tcp: true },
  'TCP sendmsg of two buffers': { call: 'sendmsg', tcp: true },
  'TCP sendmmsg of two messages': { call: 'sendmmsg', tcp: true },
  'AF_UNIX send': { call: 'send', tcp: false },
  'AF_UNIX sendmsg of two buffers': { call: 'sendmsg', tcp: false },
  'AF_UNIX sendmsg of two buffers and an fd': { call: 'sendmsg_fds', tcp: false },
  'AF_UNIX sendfile under SO_SNDTIMEO 50 ms': { call: 'sendfile', tcp: false, sndtimeo: true },
};
/** Each buffer's size: two of them are more than a loopback TCP socket's buffers hold. */
const HALF = 8 << 20;

/** The reader: connects to argv[1] (a path, or a port on 127.0.0.1), waits, reads to the end; prints the bytes and fds it got. */
const READER = String.raw`
import json, os, socket, sys, time
where = sys.argv[1]
if where.isdigit():
    s = socket.create_connection(('127.0.0.1', int(where)))
else:
    s = socket.socket(socket.AF_UNIX); s.connect(where)
time.sleep(0.3)
got = fds = 0
while True:
    data, anc, flags, addr = s.recvmsg(1 << 20, socket.CMSG_SPACE(16))
    for level, ty, d in anc:
        if (level, ty) == (socket.SOL_SOCKET, socket.SCM_RIGHTS):
            for i in range(0, len(d) - 3, 4):
                os.close(int.from_bytes(d[i:i + 4], sys.byteorder)); fds += 1
    if not data: break
    got += len(data)
print(json.dumps({'got': got, 'fds': fds}))
`;

/** python3's sender: for each case, listens, starts the reader, accepts, makes the call; prints JSON. */
const SENDER = PY_LISTENING + String.raw`
import json, os, socket, struct, subprocess, sys, tempfile
reader, cases, half = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
results = {}
for name, c in cases.items():
    l, where = listening(c['tcp'])
    p = subprocess.Popen([sys.executable, '-c', reader, where], stdout=subprocess.PIPE)
    conn, _ = l.accept()
    data = b'x' * half
    if c.get('sndtimeo'): conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack('ll', 0, 50000))
    if c['call'] == 'sendfile':
        with tempfile.TemporaryFile() as f:
            f.write(data + data); f.seek(0); n = conn.sendfile(f)
    elif c['call'] == 'send': n = conn.send(data + data)
    elif c['call'] == 'sendto': n = conn.sendto(data + data, l.getsockname())
    elif c['call'] == 'sendmsg': n = conn.sendmsg([data, data])
    elif c['call'] == 'sendmmsg': n = sum(conn.sendmsg([d]) == len(d) for d in (data, data))
    else: n = conn.sendmsg([data, data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, l.fileno().to_bytes(4, sys.byteorder))])
    conn.close()
    results[name] = {'sent': n, 'reader': json.loads(p.communicate()[0])}
    l.close()
print(json.dumps(results))
`;

/** This process's sender, as python3's above. */
async function send(c: Send, dir: string): Promise<unknown> {
  using l = listener(c.tcp, dir);
  const where = l.where;
  const reader = new Running(['python3', '-c', READER, where]);
  const [conn] = l.accept();
  conn.settimeout(null);
  const data = Buffer.alloc(HALF, 'x');
  let n: number;
  try {
    if (c.sndtimeo) {
      const tv = Buffer.alloc(16);
      tv.writeBigInt64LE(50000n, 8);
      conn.setsockopt(SOL_SOCKET, SO_SNDTIMEO, tv);
    }
    if (c.call === 'sendfile') {
      const file = path.join(dir, 'file');
      fs.writeFileSync(file, Buffer.concat([data, data]));
      const fd = fs.openSync(file, 'r');
      try {
        n = conn.sendfile(fd);
      } finally {
        fs.closeSync(fd);
      }
    } else if (c.call === 'send') n = conn.send(Buffer.concat([data, data]));
    else if (c.call === 'sendto') n = conn.sendto(Buffer.concat([data, data]), l.getsockname() as never);
    else if (c.call === 'sendmsg') n = conn.sendmsg([data, data]);
    else if (c.call === 'sendmmsg') n = conn.sendmmsg([[data], [data]]);
    else n = conn.sendmsg([data, data], [[SOL_SOCKET, SCM_RIGHTS, Buffer.from(new Int32Array([l.fileno()]).buffer)]]);
  } finally {
    conn.close();
  }
  const { code } = await reader.ended;
  expect(code, reader.stderr).toBe(0);
  return { sent: n, reader: JSON.parse(reader.stdout) as unknown };
}

describe.runIf(process.platform === 'linux')('sends of more than the buffers hold in blocking mode, against python3 with the same reader', () => {
  const compare = againstPython('sends', SENDER, [READER, JSON.stringify(SENDS), String(HALF)], SENDS, send);

  it('every call sends every byte, and the fd once', async () => {
    const { ours, theirs } = await compare();
    expect(ours).toEqual(theirs);
    expect(theirs['TCP sendmsg of two buffers']).toEqual({ sent: 2 * HALF, reader: { got: 2 * HALF, fds: 0 } });
    expect(theirs['AF_UNIX sendmsg of two buffers and an fd']).toEqual({ sent: 2 * HALF, reader: { got: 2 * HALF, fds: 1 } });
  });
});

/**
 * Fills a Unix datagram socket's queue from an unconnected socket, has a child drain it after half a second,
 * and meanwhile makes one more blocking sendto; prints what it returned. argv: the bsdsock module's path, a
 * directory for the socket.
 */
const FULL_QUEUE = String.raw`
const { socket, AF_UNIX, SOCK_DGRAM, BlockingIOError } = require(process.argv[1]);
const { spawn } = require('node:child_process');
const path = require('node:path');
const where = path.join(process.argv[2], 'queue');
const r = socket(AF_UNIX, SOCK_DGRAM);
r.bind(where);
const s = socket(AF_UNIX, SOCK_DGRAM);
s.setblocking(false);
try {
  for (;;) s.sendto(Buffer.alloc(100), where);
} catch (e) {
  if (!(e instanceof BlockingIOError)) throw e;
}
s.setblocking(true);
spawn('python3', ['-c', 'import socket, time\ntime.sleep(0.5)\nr = socket.socket(fileno=3)\nr.settimeout(0)\ntry:\n    while True: r.recv(200)\nexcept BlockingIOError: pass'], { stdio: ['ignore', 'inherit', 'inherit', r.fileno()] });
console.log(s.sendto(Buffer.alloc(100), where));
`;

/**
 * The calls of each name `node -e script ...args` makes, counted by strace: its main thread's, or with
 * `follow` every thread's and child's. The script must print `output`.
 */
async function syscalls(names: string[], follow: boolean, output: string, script: string, ...args: string[]): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-strace-'));
  try {
    const counts = path.join(dir, 'strace');
    const run = new Running(['strace', ...(follow ? ['-f'] : []), '-c', '-e', `trace=${names.join(',')}`, '-o', counts, process.execPath, '-e', script, ...args]);
    const { code } = await run.ended;
    expect(code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(output);
    // strace -c's table: "% time  seconds  usecs/call  calls  [errors]  syscall".
    const rows = fs.readFileSync(counts, 'utf8').split('\n').map((line) => line.trim().split(/\s+/));
    return Object.fromEntries(names.map((name) => [name, Number(rows.find((r) => r.at(-1) === name)?.[3] ?? 0)]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.runIf(process.platform === 'linux')('a blocking sendto that polls writable while the receiver is full', () => {
  it('sleeps until the receiver drains, as the kernel\'s call does: a few dozen sendto calls, not a spin', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-full-'));
    try {
      const { sendto } = await syscalls(['sendto'], true, '100', FULL_QUEUE, require.resolve('bsdsock'), dir);
      // The fill takes the queue's length in calls (about a dozen) and the wait a call after each pause (1, 2,
      // 4, 8, then 16 ms) for half a second; a loop that polls and retries makes tens of thousands.
      expect(sendto).toBeGreaterThan(10);
      expect(sendto).toBeLessThan(200);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * 200 round trips with a python3 echo child over a socketpair: send, then a blocking recv that waits for the
 * echo (a millisecond later); with argv[2] 'listener', a signal listener is installed first. argv[1]: the bsdsock module's path.
 */
const ROUND_TRIPS = String.raw`
const { socketpair } = require(process.argv[1]);
const { spawn } = require('node:child_process');
if (process.argv[2] === 'listener') process.on('SIGUSR2', () => {});
const [a, b] = socketpair();
// The echo waits a millisecond before each answer, so that every receive waits for it.
const echo = spawn('python3', ['-c', 'import socket, time\ns = socket.socket(fileno=3)\nwhile d := s.recv(100): time.sleep(0.001); s.send(d)'], { stdio: ['ignore', 'inherit', 'inherit', b.fileno()] });
b.close();
let got = 0;
for (let i = 0; i < 200; i++) {
  a.send(Buffer.from('ping'));
  got += a.recv(100).length;
}
a.close();
echo.on('exit', (code) => console.log(got, code));
`;

/** 20 epoll.poll(0.02) calls on an epoll with nothing ready; with argv[2] 'listener', a signal listener first. argv[1]: bsdsock/select's path. */
const EPOLL_WAITS = String.raw`
const { epoll } = require(process.argv[1]);
if (process.argv[2] === 'listener') process.on('SIGUSR2', () => {});
const ep = new epoll();
let ready = 0;
for (let i = 0; i < 20; i++) ready += ep.poll(0.02).length;
ep.close();
console.log(ready);
`;

/** 100 datagrams echoed a millisecond later by a python3 child, each waited for with recvmmsg(8, 100); with argv[2] 'listener', a signal listener first. */
const RECVMMSG_WAITS = String.raw`
const { socketpair, AF_UNIX, SOCK_DGRAM } = require(process.argv[1]);
const { spawn } = require('node:child_process');
if (process.argv[2] === 'listener') process.on('SIGUSR2', () => {});
const [a, b] = socketpair(AF_UNIX, SOCK_DGRAM);
const echo = spawn('python3', ['-c', 'import socket, time\ns = socket.socket(fileno=3)\nwhile (d := s.recv(100)) != b"end": time.sleep(0.001); s.send(d)'], { stdio: ['ignore', 'inherit', 'inherit', b.fileno()] });
b.close();
let got = 0;
for (let i = 0; i < 100; i++) {
  a.send(Buffer.from('ping'));
  got += a.recvmmsg(8, 100).length;
}
a.send(Buffer.from('end'));
echo.on('exit', (code) => { a.close(); console.log(got, code); });
`;

/** A sendall of 4 MiB to a python3 child that reads slowly; with argv[2] 'listener', a signal listener first. argv[1]: bsdsock's path. */
const SENDALL = String.raw`
const { socketpair } = require(process.argv[1]);
const { spawn } = require('node:child_process');
if (process.argv[2] === 'listener') process.on('SIGUSR2', () => {});
const [a, b] = socketpair();
spawn('python3', ['-c', 'import socket, time\ns = socket.socket(fileno=3)\nn = 0\nwhile d := s.recv(65536):\n  n += len(d); time.sleep(0.0005)\nprint(n)'], { stdio: ['ignore', 'inherit', 'inherit', b.fileno()] });
b.close();
a.sendall(Buffer.alloc(4 << 20));
a.close();
`;

describe.runIf(process.platform === 'linux')('how a blocking receive, recvmmsg, sendall or epoll.poll waits', () => {
  const names = ['recvfrom', 'poll', 'getsockopt'];
  it("with no signal listener, it is the kernel's own blocking call: one recvfrom a round trip, no poll", async () => {
    const n = await syscalls(names, false, '800 0', ROUND_TRIPS, require.resolve('bsdsock'));
    expect(n.recvfrom).toBeGreaterThanOrEqual(200);
    expect(n.recvfrom).toBeLessThan(210);
    expect(n.poll).toBeLessThan(5);
  });

  it('with a listener, one that waits makes a MSG_DONTWAIT recvfrom, asks SO_RCVTIMEO, and waits in poll beside the self-pipe', async () => {
    const n = await syscalls(names, false, '800 0', ROUND_TRIPS, require.resolve('bsdsock'), 'listener');
    // Nearly every receive comes before the echo and waits (a few may not, on a busy machine).
    expect(n.poll).toBeGreaterThan(150);
    expect(n.recvfrom).toBeGreaterThanOrEqual(200 + n.poll! - 5);
    expect(n.getsockopt).toBeGreaterThanOrEqual(n.poll! - 5);
  });

  it("recvmmsg with no listener is the kernel's wait for the first datagram (MSG_WAITFORONE); with one, a poll a wait", async () => {
    const bsdsock = require.resolve('bsdsock');
    const plain = await syscalls(['recvmmsg', 'poll'], false, '100 0', RECVMMSG_WAITS, bsdsock);
    expect(plain).toEqual({ recvmmsg: 100, poll: 0 });
    const listening = await syscalls(['recvmmsg', 'poll'], false, '100 0', RECVMMSG_WAITS, bsdsock, 'listener');
    // Nearly every receive comes before the echo and waits (a few may not, on a busy machine).
    expect(listening.poll).toBeGreaterThan(75);
    expect(listening.recvmmsg).toBeGreaterThanOrEqual(100 + listening.poll!);
  });

  it("sendall with no listener is the kernel's blocking send (one call here); with one, a MSG_DONTWAIT send and a poll a wait", async () => {
    const plain = await syscalls(['sendto', 'poll'], false, String(4 << 20), SENDALL, require.resolve('bsdsock'));
    expect(plain).toEqual({ sendto: 1, poll: 0 });
    const listening = await syscalls(['sendto', 'poll'], false, String(4 << 20), SENDALL, require.resolve('bsdsock'), 'listener');
    // The reader takes 4 MiB in 64 KiB reads half a millisecond apart: the buffers fill many times.
    expect(listening.poll).toBeGreaterThan(5);
    expect(listening.sendto).toBeGreaterThan(listening.poll!);
  });

  it("epoll.poll with no listener is epoll_wait's own wait, one call; with one, a look with epoll_wait and then a poll beside the self-pipe", async () => {
    const select = require.resolve('bsdsock/select');
    // A wait with a deadline polls with ppoll(2) when the time left is not whole milliseconds.
    const names = ['epoll_wait', 'poll', 'ppoll'];
    const plain = await syscalls(names, false, '0', EPOLL_WAITS, select);
    expect(plain).toEqual({ epoll_wait: 20, poll: 0, ppoll: 0 });
    const listening = await syscalls(names, false, '0', EPOLL_WAITS, select, 'listener');
    expect(listening.poll! + listening.ppoll!).toBeGreaterThanOrEqual(20);
    expect(listening.epoll_wait).toBeGreaterThanOrEqual(20);
  });
});

/**
 * Blocking calls under SO_RCVTIMEO and SO_SNDTIMEO (5 s) on a socket whose O_NONBLOCK a python3 child sets and
 * clears as fast as it can: 300 round trips with an echo child that answers a millisecond later, then a sendall
 * of 4 MiB to a reader that takes it slowly. A call the kernel makes as its own blocking one says EAGAIN at once
 * when it meets the flag set; the flag is often clear again by the time bsdsock asks, so only the time the call
 * lasted tells that EAGAIN from the kernel's timeout. Prints the bytes echoed, the receives that ended early
 * (BlockingIOError), and the sendall's error if it failed, then the bytes the reader got. argv[1]: bsdsock's path.
 */
const FLIPPED_UNDER_TIMEOUT = String.raw`
const { socketpair, SOL_SOCKET, SO_RCVTIMEO, SO_SNDTIMEO, BlockingIOError } = require(process.argv[1]);
const { spawn } = require('node:child_process');
// The flipper spins until killed, so it asks for SIGKILL when its parent dies (PR_SET_PDEATHSIG), whatever ends it.
const FLIP = 'import ctypes, fcntl, os, signal\nctypes.CDLL(None).prctl(1, signal.SIGKILL)\nif os.getppid() != ' + process.pid + ': os._exit(1)\nfl = fcntl.fcntl(3, fcntl.F_GETFL)\nwhile True:\n  fcntl.fcntl(3, fcntl.F_SETFL, fl | os.O_NONBLOCK)\n  fcntl.fcntl(3, fcntl.F_SETFL, fl)';
const ECHO = 'import socket, time\ns = socket.socket(fileno=3)\nwhile (d := s.recv(100)) != b"end": time.sleep(0.001); s.send(d)\ns.send(b"go")\nn = 0\nwhile d := s.recv(65536):\n  n += len(d); time.sleep(0.0005)\nprint(n)';
const fiveSeconds = Buffer.alloc(16);
fiveSeconds.writeBigInt64LE(5n, 0);
const [a, b] = socketpair();
a.setsockopt(SOL_SOCKET, SO_RCVTIMEO, fiveSeconds);
a.setsockopt(SOL_SOCKET, SO_SNDTIMEO, fiveSeconds);
const peer = spawn('python3', ['-c', ECHO], { stdio: ['ignore', 'pipe', 'inherit', b.fileno()] });
let read = '';
peer.stdout.on('data', (d) => (read += d));
b.close();
const flipper = spawn('python3', ['-c', FLIP], { stdio: ['ignore', 'inherit', 'inherit', a.fileno()] });
process.on('exit', () => flipper.kill('SIGKILL'));
// Time for python3 to start flipping.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
let echoed = 0;
let early = 0;
for (let i = 0; i < 300; i++) {
  a.send(Buffer.from('ping'));
  try {
    echoed += a.recv(100).length;
  } catch (e) {
    if (!(e instanceof BlockingIOError)) throw e;
    early++;
    i--;
  }
}
a.send(Buffer.from('end'));
// The reader's "go": its loop of echoes is over (the bytes of sendall must not reach it).
if (a.recv(100).toString() !== 'go') throw new Error('no go');
let sent = '';
try {
  a.sendall(Buffer.alloc(4 << 20));
} catch (e) {
  sent = e.constructor.name + ' ' + e.characters_written + ' ';
}
flipper.kill();
a.close();
peer.on('exit', () => console.log(echoed, early, sent + read.trim()));
`;

describe.runIf(process.platform === 'linux')("a blocking call under the kernel's timeout, its socket's O_NONBLOCK flipped by another process", () => {
  it('waits for its data and its room: no EAGAIN taken for the timeout running out', async () => {
    const run = new Running([process.execPath, '-e', FLIPPED_UNDER_TIMEOUT, require.resolve('bsdsock')], { limitMs: 60_000 });
    const { code } = await run.ended;
    expect(code, run.stderr).toBe(0);
    // Every round trip's 4 bytes, no receive ended early, and the reader's count of every byte sendall sent.
    expect(run.stdout.trim()).toBe(`1200 0 ${4 << 20}`);
  });
});

/**
 * A blocking connect to a Unix listener whose backlog (0) is full, its queued connection accepted by a child
 * after 0.3 s; prints the connect's outcome and the peer's address once connected. argv: the directory.
 */
const CONNECT_PY = String.raw`
import json, os, socket, subprocess, sys
where = os.path.join(sys.argv[1], 'listener-py')
l = socket.socket(socket.AF_UNIX); l.bind(where); l.listen(0)
first = socket.socket(socket.AF_UNIX); first.setblocking(False); first.connect(where)
subprocess.Popen([sys.executable, '-c', 'import socket, time\ntime.sleep(0.3)\nsocket.socket(fileno=3).accept()'], pass_fds=[l.fileno()])
c = socket.socket(socket.AF_UNIX)
try: print(json.dumps({'result': c.connect(where), 'peer': c.getpeername() == where}))
except OSError as e: print(json.dumps({'error': type(e).__name__, 'errno': e.errno}))
`;

describe.runIf(process.platform === 'linux')("a blocking connect to a Unix listener whose backlog is full", () => {
  it('waits until the listener takes a connection, as python3\'s (a non-blocking connect says EAGAIN there)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-backlog-'));
    try {
      const python = new Running(['python3', '-c', CONNECT_PY, dir]);
      const where = path.join(dir, 'listener-js');
      using l = socket(AF_UNIX);
      l.bind(where);
      l.listen(0);
      using first = socket(AF_UNIX);
      first.setblocking(false);
      first.connect(where);
      // The listener's fd as the child's fd 3 (Running has no way to pass one).
      const child = spawn('python3', ['-c', 'import socket, time\ntime.sleep(0.3)\nsocket.socket(fileno=3).accept()'], { stdio: ['ignore', 'ignore', 'inherit', l.fileno()], timeout: 10_000 });
      const accepted = new Promise<number | null>((resolve) => child.on('exit', resolve));
      using c = socket(AF_UNIX);
      let ours: unknown;
      try {
        ours = { result: c.connect(where) ?? null, peer: c.getpeername() === where };
      } catch (e) {
        ours = { error: (e as Error).constructor.name, errno: (e as { errno?: number }).errno };
      }
      expect(await accepted).toBe(0);
      expect((await python.ended).code, python.stderr).toBe(0);
      expect(ours).toEqual(JSON.parse(python.stdout));
      expect(ours).toEqual({ result: null, peer: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A call under the kernel's timeout (0.3 s) while the peer trickles: reads 64 KiB, or writes 1,000 bytes, every 50 ms for 2 s. */
interface Trickle {
  call: 'send' | 'recv_waitall';
  tcp: boolean;
}
const TRICKLES: Record<string, Trickle> = {
  'TCP send: one budget for the call, so it returns part': { call: 'send', tcp: true },
  'AF_UNIX send: a budget for each buffer queued, so it goes on while the reader reads': { call: 'send', tcp: false },
  'TCP recv(MSG_WAITALL): one budget for the call': { call: 'recv_waitall', tcp: true },
  'AF_UNIX recv(MSG_WAITALL): one budget for the call': { call: 'recv_waitall', tcp: false },
};
/** What a send offers, more than the trickle takes in 2 s. */
const OFFER = 32 << 20;
const TRICKLE_BUDGET_US = 300_000;

/** The trickling peer: connects to argv[1] (a path, or a port on 127.0.0.1); argv[2] 'read' or 'write'. */
const TRICKLER = String.raw`
import socket, sys, time
where, role = sys.argv[1], sys.argv[2]
if where.isdigit():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536); s.connect(('127.0.0.1', int(where)))
else:
    s = socket.socket(socket.AF_UNIX); s.connect(where)
end = time.time() + 2
try:
    while time.time() < end:
        time.sleep(0.05)
        if role == 'read': s.recv(65536)
        else: s.sendall(b'y' * 1000)
    if role == 'read':
        while s.recv(1 << 20): pass
except (BrokenPipeError, ConnectionResetError):
    pass
s.close()
`;

/** python3's side: for each case, listens, starts the trickler, accepts, makes the call; prints the bytes it moved. */
const TRICKLED = PY_LISTENING + String.raw`
import json, os, socket, struct, subprocess, sys, tempfile
trickler, cases, offer, usec = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
results = {}
for name, c in cases.items():
    l, where = listening(c['tcp'])
    sending = c['call'] == 'send'
    p = subprocess.Popen([sys.executable, '-c', trickler, where, 'read' if sending else 'write'])
    conn, _ = l.accept()
    if sending:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack('ll', 0, usec))
        results[name] = conn.send(b'x' * offer)
    else:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack('ll', 0, usec))
        results[name] = len(conn.recv(1 << 20, socket.MSG_WAITALL))
    conn.close(); l.close(); p.wait()
print(json.dumps(results))
`;

/** This process's side, as python3's above. */
async function trickled(c: Trickle, dir: string): Promise<number> {
  using l = listener(c.tcp, dir);
  const sending = c.call === 'send';
  const peer = new Running(['python3', '-c', TRICKLER, l.where, sending ? 'read' : 'write']);
  const [conn] = l.accept();
  conn.settimeout(null);
  const tv = Buffer.alloc(16);
  tv.writeBigInt64LE(BigInt(TRICKLE_BUDGET_US), 8);
  let n: number;
  try {
    if (sending) {
      conn.setsockopt(SOL_SOCKET, SO_SNDBUF, 65536);
      conn.setsockopt(SOL_SOCKET, SO_SNDTIMEO, tv);
      n = conn.send(Buffer.alloc(OFFER, 'x'));
    } else {
      conn.setsockopt(SOL_SOCKET, SO_RCVTIMEO, tv);
      n = conn.recv(1 << 20, MSG_WAITALL).length;
    }
  } finally {
    conn.close();
  }
  const { code } = await peer.ended;
  expect(code, peer.stderr).toBe(0);
  return n;
}

describe.runIf(process.platform === 'linux')("the kernel's timeouts over a call that waits more than once, against python3 with the same peer", () => {
  const compare = againstPython('trickle', TRICKLED, [TRICKLER, JSON.stringify(TRICKLES), String(OFFER), String(TRICKLE_BUDGET_US)], TRICKLES, trickled);

  it('a TCP send and a MSG_WAITALL receive stop when the budget is spent, an AF_UNIX send only when the reader stops', async () => {
    const { ours, theirs } = await compare();
    // The counts hang on when the peer's steps fall: each side's is compared with python3's within 8 of the
    // peer's steps (0.4 s of the 2 s trickle, where a budget per wait takes all 40).
    const [send, unixSend, recv, unixRecv] = Object.keys(TRICKLES) as [string, string, string, string];
    for (const [name, step] of [[send, 65536], [unixSend, 65536], [recv, 1000], [unixRecv, 1000]] as const) {
      expect(ours[name], name).toBeGreaterThan(0);
      expect(Math.abs(ours[name]! - theirs[name]!), `${name}: ${ours[name]} against python3's ${theirs[name]}`).toBeLessThan(8 * step);
    }
    // What the scenarios claim: a TCP send and a receive stop within the trickle; an AF_UNIX send goes on through it.
    expect(theirs[recv]).toBeLessThan(20 * 1000);
    expect(theirs[unixRecv]).toBeLessThan(20 * 1000);
    expect(theirs[unixSend]! - theirs[send]!).toBeGreaterThan(20 * 65536);
  });
});
