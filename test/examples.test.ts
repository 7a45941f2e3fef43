// Every example of examples/ run as a real program (`node examples/<name>.mjs`),
// servers paired with their clients, their output checked. Where the talk's
// example is a Python session, the same program in python3 is the oracle: each
// pair is run node/node, python3/node and node/python3 and must print what
// python3/python3 prints (ports aside), and the single-process examples must
// print what their python3 version prints.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { AF_INET6, IPPROTO_IPV6, IPV6_V6ONLY, socket, SOCK_STREAM, type Socket } from 'bsdsock';

import { type Ended, Running } from './helpers/run';
import { ERRNO, recvAll, recvExactly, ROOT } from './helpers/sockets';

/** A running program (stdin at end of file), in `running` until it ends. */
class Program extends Running {
  constructor(argv: string[]) {
    super(argv, { limitMs: 20_000, cwd: ROOT });
    running.add(this);
    void this.ended.then(() => running.delete(this));
  }

  /** The port a server printed on its first line ("listening on ('127.0.0.1', 4711)"). */
  async port(): Promise<number> {
    const m = await this.waitForLine(/^(?:listening on|bound to) (?:\('[^']*', (\d+)|[\d.]+:(\d+)$)/);
    return Number(m[1] ?? m[2]);
  }

  /** Everything printed, once the program has ended with exit code 0. */
  async output(): Promise<string[]> {
    const ended = await this.ended;
    expect(ended, this.stderr).toEqual({ code: 0, signal: null });
    return this.lines;
  }
}

/** Programs still running: a failed test leaves none behind. */
const running = new Set<Program>();
const opened: Socket[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) s.close();
  for (const p of running) p.kill('SIGKILL');
  await Promise.all([...running].map((p) => p.ended));
});

/** Every example file the tests ran. */
const exercised = new Set<string>();

/** `node examples/<name>.mjs ...args`. */
function example(name: string, ...args: string[]): Program {
  exercised.add(name);
  return new Program([process.execPath, path.join('examples', `${name}.mjs`), ...args]);
}

/** `python3 -c <code> ...args`. */
function python(code: string, ...args: string[]): Program {
  return new Program(['python3', '-c', code, ...args]);
}

/** A program's output with the server's port as PORT and any other port (a client's) as EPHEMERAL. */
function normalized(lines: string[], port: number): string[] {
  return lines.map((line) =>
    line.replace(/(', |\d:)(\d+)/g, (_all, before: string, n: string) => before + (Number(n) === port ? 'PORT' : 'EPHEMERAL')),
  );
}

// The talk's sessions as python3 programs that print what the examples print.
// Each takes the port (and the server's host) as the examples do.
const PY = {
  'udp-server': String.raw`
import sys
from socket import *
sock = socket(AF_INET6, SOCK_DGRAM)
sock.bind(('::ffff:127.0.0.1', int(sys.argv[1])))
print('bound to', sock.getsockname(), flush=True)
data, clientaddr = sock.recvfrom(4096)
print('data:', data)
print('clientaddr:', clientaddr)
print('sendto:', sock.sendto(b'response', clientaddr))
sock.close()
`,
  'udp-client': String.raw`
import sys
from socket import *
sock = socket(AF_INET, SOCK_DGRAM)
sock.settimeout(10)
print('sendto:', sock.sendto(b'request', ('127.0.0.1', int(sys.argv[1]))))
print('recvfrom:', sock.recvfrom(4096))
sock.close()
`,
  'udp-connected-client': String.raw`
import sys
from socket import *
sock = socket(AF_INET, SOCK_DGRAM)
sock.settimeout(10)
sock.connect(('127.0.0.1', int(sys.argv[1])))
print('send:', sock.send(b'message'))
print('recv:', sock.recv(4096))
sock.close()
`,
  'tcp-server': String.raw`
import sys
from socket import *
sock = socket(AF_INET6, SOCK_STREAM)
sock.bind(('::ffff:127.0.0.1', int(sys.argv[1])))
sock.listen(SOMAXCONN)
print('listening on', sock.getsockname(), flush=True)
client, addr = sock.accept()
print('addr:', addr)
print('recv:', client.recv(4096))
client.close()
sock.close()
`,
  'tcp-client': String.raw`
import sys
from socket import *
sock = socket(AF_INET, SOCK_STREAM)
sock.connect(('127.0.0.1', int(sys.argv[1])))
print('connected from', sock.getsockname(), 'to', sock.getpeername())
print('sendall:', sock.sendall(b'message'))
sock.close()
`,
  'makefile-server': String.raw`
import sys
from socket import *
sock = socket(AF_INET6)
sock.bind(('::ffff:127.0.0.1', int(sys.argv[1])))
sock.listen(SOMAXCONN)
print('listening on', sock.getsockname(), flush=True)
client, addr = sock.accept()
print('connection from', addr)
fp = client.makefile('rwb')
print('read:', fp.read(4096))
print('write:', fp.write(b'response'))
fp.flush()
fp.close()
client.close()
sock.close()
`,
  'makefile-client': String.raw`
import sys
from socket import *
sock = socket()
sock.connect(('127.0.0.1', int(sys.argv[1])))
print('send:', sock.send(b'request'))
sock.shutdown(SHUT_WR)
chunks = []
while True:
    chunk = sock.recv(4096)
    if not chunk:
        break
    chunks.append(chunk)
print('recv:', b''.join(chunks))
sock.close()
`,
};
type Mirrored = keyof typeof PY;

/** Runs `server` (in python3 when `pyServer`) on port 0 and `client` against it; both transcripts, normalized. */
async function runPair(server: Mirrored, client: Mirrored, pyServer: boolean, pyClient: boolean): Promise<[string[], string[]]> {
  const s = pyServer ? python(PY[server], '0') : example(server, '0');
  const port = await s.port();
  const c = pyClient ? python(PY[client], String(port)) : example(client, String(port));
  const [clientLines, serverLines] = await Promise.all([c.output(), s.output()]);
  return [normalized(serverLines, port), normalized(clientLines, port)];
}

/** Each pair, what it shows, and the talk's values that the server and the client print after their first line. */
const PAIRS: Array<[Mirrored, Mirrored, string, string[], string[]]> = [
  [
    'udp-server',
    'udp-client',
    'UDP Basics: an AF_INET6 server gets the IPv4 client v4-mapped, and answers',
    ["data: b'request'", "clientaddr: ('::ffff:127.0.0.1', EPHEMERAL, 0, 0)", 'sendto: 8'],
    ['sendto: 7', "recvfrom: (b'response', ('127.0.0.1', PORT))"],
  ],
  [
    'udp-server',
    'udp-connected-client',
    'UDP Connected Sockets: send() to the connected peer, recv() its answer',
    ["data: b'message'", "clientaddr: ('::ffff:127.0.0.1', EPHEMERAL, 0, 0)", 'sendto: 8'],
    ['send: 7', "recv: b'response'"],
  ],
  [
    'tcp-server',
    'tcp-client',
    'TCP Basics: accept() gives the client socket, recv() its message',
    ["addr: ('::ffff:127.0.0.1', EPHEMERAL, 0, 0)", "recv: b'message'"],
    ["connected from ('127.0.0.1', EPHEMERAL) to ('127.0.0.1', PORT)", 'sendall: None'],
  ],
  [
    'makefile-server',
    'makefile-client',
    'Using sock.makefile(): the request read until EOF, the response written',
    ["connection from ('::ffff:127.0.0.1', EPHEMERAL, 0, 0)", "read: b'request'", 'write: 8'],
    ["recv: b'response'"],
  ],
];

describe("the talk's client/server sessions print what python3 prints", () => {
  for (const [server, client, what, serverSays, clientSays] of PAIRS) {
    it(`${server} / ${client}: ${what}`, async () => {
      const [oracle, js] = await Promise.all([runPair(server, client, true, true), runPair(server, client, false, false)]);
      expect(js).toEqual(oracle);
      expect(js[0].slice(1)).toEqual(serverSays);
      expect(js[1].slice(-clientSays.length)).toEqual(clientSays);
    });
  }

  it('each side also talks to the other language: node server with python3 client, python3 server with node client', async () => {
    const [oracle, nodeServer, pythonServer] = await Promise.all([
      runPair('tcp-server', 'tcp-client', true, true),
      runPair('tcp-server', 'tcp-client', false, true),
      runPair('tcp-server', 'tcp-client', true, false),
    ]);
    expect(nodeServer).toEqual(oracle);
    expect(pythonServer).toEqual(oracle);
  });
});

// The single-process examples in python3, printing the same lines.
const PY_SINGLE = {
  'socket-options': String.raw`
import struct, sys
from socket import *
def start_server(addr, reuse):
    sock = socket()
    try:
        if reuse:
            sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen()
        return sock
    except OSError:
        sock.close()
        raise
first = start_server(('127.0.0.1', int(sys.argv[1])), True)
addr = first.getsockname()
print('SO_REUSEADDR:', first.getsockopt(SOL_SOCKET, SO_REUSEADDR))
client = socket()
client.connect(addr)
conn, _ = first.accept()
conn.close()
client.close()
first.close()
print('first run served a connection on', addr, 'and stopped')
try:
    start_server(addr, False).close()
    print('without SO_REUSEADDR: bound (no connection was left in TIME_WAIT)')
except OSError as e:
    print('without SO_REUSEADDR: %s: %s' % (type(e).__name__, e))
second = start_server(addr, True)
print('with SO_REUSEADDR: listening on', second.getsockname())
second.setsockopt(SOL_SOCKET, SO_LINGER, struct.pack('ii', 1, 0))
print('SO_LINGER:', second.getsockopt(SOL_SOCKET, SO_LINGER, 8))
udp = socket(AF_INET, SOCK_DGRAM)
before = udp.getsockopt(SOL_SOCKET, SO_BROADCAST)
udp.setsockopt(SOL_SOCKET, SO_BROADCAST, 1)
print('SO_BROADCAST: %d -> %d' % (before, udp.getsockopt(SOL_SOCKET, SO_BROADCAST)))
before = second.getsockopt(SOL_TCP, TCP_NODELAY)
second.setsockopt(SOL_TCP, TCP_NODELAY, 1)
print('TCP_NODELAY: %d -> %d' % (before, second.getsockopt(SOL_TCP, TCP_NODELAY)))
udp.close()
second.close()
`,
  nonblocking: String.raw`
import errno, select, sys
from socket import *
server = socket()
server.bind(('127.0.0.1', int(sys.argv[1])))
server.listen()
sock = socket()
sock.setblocking(False)
print('timeout: %g' % sock.gettimeout())
try:
    sock.connect(server.getsockname())
    print('connect: connected at once')
except BlockingIOError as e:
    assert e.errno == errno.EINPROGRESS
    print('connect: %s: %s' % (type(e).__name__, e))
select.select([], [sock], [], 10)
print('connected to', sock.getpeername())
try:
    sock.recv(4096)
except IOError as e:
    if e.errno != errno.EWOULDBLOCK:
        raise
    print('recv: %s: %s (errno == EWOULDBLOCK: nothing to read yet)' % (type(e).__name__, e))
print('send:', sock.send(b'request'))
conn, _ = server.accept()
conn.sendall(b'got ' + conn.recv(4096))
readable, _, _ = select.select([sock], [], [], 10)
print('select: readable', str(readable == [sock]).lower())
print('recv:', sock.recv(4096))
conn.close()
sock.close()
server.close()
`,
  getaddrinfo: String.raw`
import sys
from socket import *
host, port = sys.argv[1], sys.argv[2]
port = int(port) if port.isdigit() else port
def show(call, results):
    print(call)
    for family, type, proto, canonname, sockaddr in results:
        print('  (%s, %s, %d, %r, %r)' % (family.name, type.name, proto, canonname, sockaddr))
try:
    show('getaddrinfo(%r, %r, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, AI_ADDRCONFIG)' % (host, port),
         getaddrinfo(host, port, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, AI_ADDRCONFIG))
    show('getaddrinfo(None, %r, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE)' % (port,),
         getaddrinfo(None, port, AF_UNSPEC, SOCK_STREAM, 0, AI_PASSIVE))
    show('getaddrinfo(None, %r, AF_UNSPEC, SOCK_STREAM)' % (port,), getaddrinfo(None, port, AF_UNSPEC, SOCK_STREAM))
except OSError as e:
    print('  %s: %s' % (type(e).__name__, e))
    sys.exit(1)
`,
};

/** Both transcripts of a single-process example and its python3 version, and their exit codes. */
async function runBoth(name: keyof typeof PY_SINGLE, ...args: string[]): Promise<[Ended & { lines: string[] }, Ended & { lines: string[] }]> {
  const transcript = async (p: Program): Promise<Ended & { lines: string[] }> => ({ ...(await p.ended), lines: p.lines });
  return Promise.all([transcript(example(name, ...args)), transcript(python(PY_SINGLE[name], ...args))]);
}

describe('the single-process examples print what python3 prints', () => {
  it('socket-options: SO_REUSEADDR lets a restarted server bind its port while a connection is in TIME_WAIT; struct and TCP options', async () => {
    const [js, py] = await runBoth('socket-options', '0');
    expect(js.code, js.lines.join('\n')).toBe(0);
    expect(js.lines[2]).toBe(`without SO_REUSEADDR: OSError: [Errno ${ERRNO.EADDRINUSE}] Address already in use`);
    // Each picked its own port: compare without it.
    const port = (lines: string[]): number => Number(/, (\d+)\)/.exec(lines[1]!)![1]);
    expect(normalized(js.lines, port(js.lines))).toEqual(normalized(py.lines, port(py.lines)));
    expect(py.code).toBe(0);
  });

  it('nonblocking: EINPROGRESS from connect, EWOULDBLOCK from recv, send at once, select for readiness', async () => {
    const [js, py] = await runBoth('nonblocking', '0');
    expect(js.code).toBe(0);
    expect(js.lines).toContain(`connect: BlockingIOError: [Errno ${ERRNO.EINPROGRESS}] Operation now in progress`);
    const port = (lines: string[]): number => Number(/, (\d+)\)/.exec(lines.find((l) => l.startsWith('connected to'))!)![1]);
    expect(normalized(js.lines, port(js.lines))).toEqual(normalized(py.lines, port(py.lines)));
  });

  for (const args of [
    ['localhost', '80'],
    ['::1', 'http'],
    ['127.0.0.1', '1055'],
    ['localhost', 'no-such-service'],
  ]) {
    it(`getaddrinfo ${args.join(' ')}: the explicit call, then a null host with and without AI_PASSIVE`, async () => {
      const [js, py] = await runBoth('getaddrinfo', ...args);
      expect(js.lines.length).toBeGreaterThan(0);
      expect(js).toEqual(py);
    });
  }
});

/** A port nothing listens on, on both 127.0.0.1 and ::1: bound (so no one else takes it) but not listening. */
function refusedPort(): number {
  const s = socket(AF_INET6, SOCK_STREAM);
  opened.push(s);
  s.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0);
  s.bind(['::', 0]);
  return s.getsockname()[1];
}

/** A blocking client connected to 127.0.0.1:`port`. */
function connected(port: number): Socket {
  const s = socket();
  opened.push(s);
  s.settimeout(10);
  s.connect(['127.0.0.1', port]);
  return s;
}

describe('name resolution: see what works, create_connection', () => {
  it('see-what-works-client and -server: the getaddrinfo loops connect and listen on what works', async () => {
    const server = example('see-what-works-server', '0', 'localhost', '1');
    const port = await server.port();
    const client = example('see-what-works-client', String(port), 'localhost', 'hi there');
    expect(await client.output()).toEqual([`connected to ('127.0.0.1', ${port})`, "reply: b'echo: hi there'"]);
    expect(normalized(await server.output(), port)).toEqual(["listening on ('127.0.0.1', PORT)", "('127.0.0.1', EPHEMERAL) sent b'hi there'"]);
  });

  it('see-what-works-client: with nothing listening it raises the last error', async () => {
    const client = example('see-what-works-client', String(refusedPort()), 'localhost');
    expect((await client.ended).code).toBe(1);
    expect(client.stderr).toContain(`ConnectionRefusedError: [Errno ${ERRNO.ECONNREFUSED}] Connection refused`);
  });

  it('create-connection: connects, or logs the strerror python3 gives for the same failure', async () => {
    const listener = socket();
    opened.push(listener);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    const port = listener.getsockname()[1];
    const ok = example('create-connection', String(port), 'localhost');
    expect(await ok.output()).toEqual([expect.stringMatching(new RegExp(`^connected to \\('127\\.0\\.0\\.1', ${port}\\) from \\('127\\.0\\.0\\.1', \\d+\\)$`))]);

    const refused = String(refusedPort());
    for (const target of [refused, 'no-such-service']) {
      const failing = example('create-connection', target, 'localhost');
      const oracle = python(
        "import socket, sys\ntry:\n    socket.create_connection(('localhost', sys.argv[1]))\nexcept socket.error as e:\n    print(e.strerror)",
        target,
      );
      const [strerror] = await oracle.output();
      expect((await failing.ended).code).toBe(1);
      expect(failing.stderr).toBe(`WARNING:root:Failed to create connection: ${strerror}\n`);
    }
  });
});

describe('non-blocking sockets and select', () => {
  it('select-loop: one thread serves clients that are connected at the same time', async () => {
    const server = example('select-loop', '0', '127.0.0.1', '2');
    const port = await server.port();
    const [a, b] = [connected(port), connected(port)];
    // b is served while a is connected and silent, then a.
    b.sendall(Buffer.from('from b'));
    expect(recvExactly(b, 6).toString()).toBe('from b');
    a.sendall(Buffer.from('from a'));
    expect(recvExactly(a, 6).toString()).toBe('from a');
    a.close();
    b.close();
    const lines = normalized(await server.output(), port);
    expect(lines[0]).toBe("listening on ('127.0.0.1', PORT)");
    expect(lines.slice(1).sort()).toEqual([
      "('127.0.0.1', EPHEMERAL) closed",
      "('127.0.0.1', EPHEMERAL) closed",
      "connection from ('127.0.0.1', EPHEMERAL)",
      "connection from ('127.0.0.1', EPHEMERAL)",
    ]);
  });
});

/** Resolves once the process's main thread is blocked in poll(2) (a blocking socket call's wait), as /proc says. */
async function blockedInPoll(pid: number): Promise<void> {
  for (;;) {
    const wchan = fs.readFileSync(`/proc/${pid}/wchan`, 'utf8');
    if (/^(poll_schedule_timeout|do_sys_poll)/.test(wchan)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('signals and EINTR (PEP 475)', () => {
  it('eintr: SIGUSR2 during recv() runs its listener inside recv(), which goes on and returns the data', async () => {
    const server = example('eintr', '0', '127.0.0.1', 'interrupt');
    const client = connected(await server.port());
    await server.waitForLine(/^connection from/);
    await blockedInPoll(server.pid);
    server.kill('SIGUSR2');
    await server.waitForLine(/^signal SIGUSR2/);
    client.sendall(Buffer.from('data'));
    client.close();
    expect((await server.output()).slice(2)).toEqual(['signal SIGUSR2: listener ran', "recv: b'data'", "recv: b''", 'done']);
  });

  it('eintr: with siginterrupt(SIGUSR2, false) recv() is not disturbed, and the listener runs when the loop turns', async () => {
    const server = example('eintr', '0', '127.0.0.1', 'restart');
    const client = connected(await server.port());
    await server.waitForLine(/^connection from/);
    await blockedInPoll(server.pid);
    server.kill('SIGUSR2');
    client.sendall(Buffer.from('data'));
    client.close();
    expect((await server.output()).slice(2)).toEqual(["recv: b'data'", "recv: b''", 'done', 'signal SIGUSR2: listener ran']);
  });

  it('eintr: the first SIGINT during accept() runs its listener, whose exception ends accept() and stops the server', async () => {
    const server = example('eintr', '0', '127.0.0.1');
    await server.port();
    await blockedInPoll(server.pid);
    server.kill('SIGINT');
    expect((await server.output()).slice(1)).toEqual(['signal SIGINT: listener ran, stopping', 'accept: stopped by SIGINT', 'done']);
  });
});

describe('stream data and the event loop', () => {
  it('framing-server / framing-client: AgentX frames sent in pieces come out whole on both sides', async () => {
    const server = example('framing-server', '0', '127.0.0.1', '1');
    const port = await server.port();
    const client = example('framing-client', String(port));
    // The client's three PDUs: type, IDs (transaction and packet) and payload.
    const sent: Array<[number, number, string]> = [
      [13, 1, "b''"],
      [12, 2, "b'a payload'"],
      [12, 3, "b'and another one'"],
    ];
    const ids = (n: number, payload: string): string => `session 7, transaction ${n}, packet ${n}, payload ${payload}`;
    expect(await client.output()).toEqual(sent.map(([, n, payload]) => `response: ${ids(n, payload)}`));
    expect((await server.output()).slice(1)).toEqual([...sent.map(([type, n, payload]) => `frame: type ${type}, ${ids(n, payload)}`), 'connection closed']);
  });

  it('event-loop-server / event-loop-client: three clients at once, each served by its own task', async () => {
    const server = example('event-loop-server', '0', '::ffff:127.0.0.1', '3');
    const port = await server.port();
    const client = example('event-loop-client', String(port), '127.0.0.1', '3');
    expect((await client.output()).sort()).toEqual(["client 0: b'response'", "client 1: b'response'", "client 2: b'response'"]);
    const lines = await server.output();
    expect(lines.filter((l) => l.startsWith('connection from ')).length).toBe(3);
    expect(lines.map((l) => /: (b'.*')$/.exec(l)?.[1]).filter(Boolean).sort()).toEqual(["b'request 0'", "b'request 1'", "b'request 2'"]);
  });
});

// examples/graceful-interrupt.mjs: the talk's graceful-interrupt select() loop
// ("Introducing Select") and the same loop in python3 (os.pipe() as the
// wake-up channel, a signal handler writing to it), driven the same way: both
// must serve the same clients and shut down the same way when SIGINT or
// SIGTERM comes.

/** The talk's loop as Python would write it, serving the same echo protocol as the example. */
const PYTHON_LOOP = String.raw`
import os, select, signal, socket
rpipe, wpipe = os.pipe()
os.set_blocking(rpipe, False)
os.set_blocking(wpipe, False)
def wake_up(signum, frame):
    print('signal', signal.Signals(signum).name, flush=True)
    try:
        os.write(wpipe, b'!')
    except BlockingIOError:
        pass
signal.signal(signal.SIGINT, wake_up)
signal.signal(signal.SIGTERM, wake_up)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen()
server.setblocking(False)
print('listening on %s:%d' % server.getsockname(), flush=True)
clients, served, echoed = {}, 0, 0
keep_running = True
while keep_running:
    rlist = [server, *clients]
    rlist.append(rpipe)
    wlist = [s for s, out in clients.items() if out]
    readable, writable, _ = select.select(rlist, wlist, [], 60)
    if rpipe in readable:
        try:
            os.read(rpipe, 4096)
        except Exception:
            pass
        break
    for s in readable:
        if s is server:
            while True:
                try:
                    conn, _ = server.accept()
                except BlockingIOError:
                    break
                conn.setblocking(False)
                clients[conn] = bytearray()
                served += 1
            continue
        try:
            data = s.recv(4096)
        except BlockingIOError:
            continue
        except ConnectionResetError:
            data = b''
        if data:
            clients[s] += data
        else:
            del clients[s]
            s.close()
    for s in writable:
        out = clients.get(s)
        if out is None:
            continue
        try:
            n = s.send(out)
        except BlockingIOError:
            continue
        echoed += n
        del out[:n]
for s in clients:
    s.close()
server.close()
os.close(rpipe)
os.close(wpipe)
print('shut down: served %d connections, echoed %d bytes' % (served, echoed), flush=True)
`;

const IMPLEMENTATIONS: Record<string, () => Program> = {
  'examples/graceful-interrupt.mjs': () => example('graceful-interrupt', '0'),
  'the same loop in python3': () => python(PYTHON_LOOP),
};

interface Transcript extends Ended {
  lines: string[];
  /** What the client that stayed connected read after the signal: '' is end of stream. */
  afterSignal: string;
}

/**
 * Starts the server, has three clients echo their own data through it (one of
 * them 200 KiB, more than a socket buffer), closes two, sends `signal`, and
 * collects what the server printed and how it ended.
 */
async function drive(server: Program, signal: NodeJS.Signals): Promise<Transcript> {
  const port = await server.port();
  const payloads = [Buffer.from('hello from client 0'), Buffer.alloc(200 * 1024, 'client 1 '), Buffer.from('and client 2')];
  const clients = payloads.map((data) => {
    const c = connected(port);
    c.sendall(data);
    expect(recvExactly(c, data.length).equals(data)).toBe(true);
    return c;
  });
  clients[0]!.close();
  clients[1]!.close();
  server.kill(signal);
  const ended = await server.ended;
  return { ...ended, lines: server.lines, afterSignal: recvAll(clients[2]!).toString() };
}

/** A client (python3) that echoes 64 KiB at a time through the server at `port` until the server closes. */
const FLOOD = String.raw`
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
print('flooding', flush=True)
try:
    while s.sendall(b'x' * 65536) is None and s.recv(65536):
        pass
except OSError:
    pass
`;

/** Starts the server and a client that keeps it busy echoing, then sends SIGINT once, in the middle of the traffic. */
async function driveBusy(server: Program): Promise<Ended & { lines: string[] }> {
  const port = await server.port();
  const flood = python(FLOOD, String(port));
  await flood.waitForLine(/^flooding$/);
  // Well into the traffic: the server is in select() or in its reads and writes.
  await new Promise((resolve) => setTimeout(resolve, 300));
  server.kill('SIGINT');
  const ended = await server.ended;
  await flood.ended;
  return { ...ended, lines: server.lines };
}

const SERVED = 'shut down: served 3 connections, echoed 204831 bytes';

describe('the graceful-interrupt loop of the talk: the first signal stops it', () => {
  for (const [name, start] of Object.entries(IMPLEMENTATIONS)) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${name}: serves, then, idle, one ${signal} wakes the loop through its wake-up channel and it shuts down cleanly`, async () => {
        const t = await drive(start(), signal);
        // One signal sent, one seen, and the loop ended on it.
        expect(t.lines.slice(1)).toEqual([`signal ${signal}`, SERVED]);
        expect([t.code, t.signal]).toEqual([0, null]);
        // The connection still open was closed by the server: end of stream.
        expect(t.afterSignal).toBe('');
      });
    }

    it(`${name}: busy echoing a client's flood, one SIGINT stops it cleanly`, async () => {
      const t = await driveBusy(start());
      expect(t.lines.slice(1)).toEqual(['signal SIGINT', expect.stringMatching(/^shut down: served 1 connections, echoed [1-9]\d* bytes$/)]);
      expect([t.code, t.signal]).toEqual([0, null]);
    });
  }
});

describe("Node's streams", () => {
  it('examples/node-streams.mjs: a bsdsock listener serves as a net.Server, a bsdsock client as a net.Socket, and a net.Socket comes back as a bsdsock Socket', async () => {
    const run = example('node-streams', '0');
    expect(await run.output()).toEqual([
      'net.Server listening on the bsdsock socket',
      'net.Socket read: "FROM A BSDSOCK SOCKET\\n"',
      'bsdsock Socket read: "FROM A NET.SOCKET\\n"',
      'done',
    ]);
    expect((await run.ended).code).toBe(0);
  });
});

describe('examples/', () => {
  it('every example is run by a test in this file', () => {
    const source = fs.readFileSync(path.join(ROOT, 'test', 'examples.test.ts'), 'utf8');
    const named = new Set([...PAIRS.flat(), ...Object.keys(PY_SINGLE)]);
    for (const file of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.mjs'))) {
      const name = file.slice(0, -'.mjs'.length);
      expect(named.has(name) || source.includes(`example('${name}'`), `${file} is not run`).toBe(true);
    }
  });
});
