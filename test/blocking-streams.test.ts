// MSG_WAITALL in blocking mode, against python3: a peer process writes in
// steps with pauses between them, and each receive must wait (or stop) where
// CPython's does. The kernel makes these receives one blocking call; bsdsock
// makes non-blocking calls in a loop (so that signals are handled between
// them), which must add up to the same answer: recvmsg's waits stop after bytes
// that brought fds, and glue only bytes of one writer when SO_PASSCRED is on,
// as Linux's AF_UNIX stream does; a TCP reset during the wait leaves the
// bytes received and the error for the next call.
//
// The first bytes are queued before the first call (a call that starts on an
// empty queue waits for readiness and then makes the kernel's own blocking
// call). The same peer script serves both receivers, and python3 runs its receiver
// while this process runs its own.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_UNIX,
  CMSG_SPACE,
  MSG_WAITALL,
  SCM_CREDENTIALS,
  SCM_RIGHTS,
  SOL_SOCKET,
  SO_PASSCRED,
  SO_PEERCRED,
  close as closeFd,
  socket,
  type Socket,
} from 'bsdsock';
import { Running } from './helpers/run';

/** A peer's step: send bytes, send bytes with an fd, send bytes from a forked process, or pause. */
type Step = ['send' | 'fds' | 'fork', string] | ['pause'];
/** A receive: recvmsg(n, ancbufsize), recvmsg_into([sizes], ancbufsize), recv(n); all but recv with MSG_WAITALL. */
type Call = ['recvmsg', number, number] | ['recvmsg_into', number[], number] | ['recv', number];
interface Scenario {
  tcp?: boolean;
  passcred?: boolean;
  /** The peer ends with a reset (SO_LINGER 0) rather than a close. */
  reset?: boolean;
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

/** python3's receiver: for each scenario, listens, starts the peer, accepts, makes the calls; prints JSON. */
const RECEIVER = String.raw`
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
    if sc.get('tcp'):
        l = socket.socket(); l.bind(('127.0.0.1', 0)); where = str(l.getsockname()[1])
    else:
        where = os.path.join(tempfile.mkdtemp(), 's'); l = socket.socket(socket.AF_UNIX); l.bind(where)
    l.listen()
    p = subprocess.Popen([sys.executable, '-c', peer, where, json.dumps(sc)])
    conn, _ = l.accept()
    if sc.get('passcred'): conn.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    peer_pid = None if sc.get('tcp') else struct.unpack('iII', conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]
    time.sleep(0.05)  # the first bytes are queued before the first call
    results[name] = [call(conn, c, peer_pid) for c in sc['calls']]
    conn.close(); l.close(); p.wait()
print(json.dumps(results))
`;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

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

/** This process's receiver, as python3's above. */
async function receive(sc: Scenario, dir: string): Promise<Result[]> {
  let l: Socket;
  let where: string;
  if (sc.tcp) {
    const tcp = socket(AF_INET);
    tcp.bind(['127.0.0.1', 0]);
    [l, where] = [tcp, String(tcp.getsockname()[1])];
  } else {
    const unix = socket(AF_UNIX);
    where = path.join(dir, 's');
    fs.rmSync(where, { force: true });
    unix.bind(where);
    l = unix;
  }
  using _listener = l;
  l.listen();
  l.settimeout(10); // only so that a broken peer fails the test instead of hanging it
  const peer = new Running(['python3', '-c', PEER, where, JSON.stringify(sc)]);
  const [conn] = l.accept();
  conn.settimeout(null);
  try {
    if (sc.passcred) conn.setsockopt(SOL_SOCKET, SO_PASSCRED, 1);
    const peerPid = sc.tcp ? null : conn.getsockopt(SOL_SOCKET, SO_PEERCRED, 12).readInt32LE(0);
    sleep(50); // the first bytes are queued before the first call
    return sc.calls.map((c) => call(conn, c, peerPid));
  } finally {
    conn.close();
    const { code } = await peer.ended;
    expect(code, peer.stderr).toBe(0);
  }
}

describe.runIf(process.platform === 'linux')('MSG_WAITALL in blocking mode, against python3 with the same peer', () => {
  let python: Running;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-waitall-'));
    python = new Running(['python3', '-c', RECEIVER, PEER, JSON.stringify(SCENARIOS)], { limitMs: 60_000 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('every scenario gives what python3 gives', async () => {
    const ours: Record<string, Result[]> = {};
    for (const [name, sc] of Object.entries(SCENARIOS)) ours[name] = await receive(sc, dir);
    const { code } = await python.ended;
    expect(code, python.stderr).toBe(0);
    const theirs = JSON.parse(python.stdout) as Record<string, Result[]>;
    expect(ours).toEqual(theirs);
    // The scenarios say what they claim: a wait happened, fds and credentials came.
    expect(theirs['recvmsg waits across two sends']).toEqual([{ value: ['616263646566', [], 0, true] }]);
    expect(JSON.stringify(theirs['SO_PASSCRED: two writers, never glued'])).toMatch(/"616263",\[\["creds","peer".*"646566",\[\["creds","other"/);
    expect(JSON.stringify(theirs['recvmsg stops after bytes that brought fds'])).toMatch(/"61626364",\[\["fds",1\]\].*"6566"/);
    expect(theirs['TCP: a reset during the wait comes from the next call']?.[1]).toEqual({ error: 'ConnectionResetError', errno: 104 });
  });
});
