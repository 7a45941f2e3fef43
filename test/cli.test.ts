// The `bsdsock` command (bin/bsdsock.js), run as a real process for each of
// its commands, against python3 where Python can say what the answer is.
// Loopback only: `localhost` and numeric addresses.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { SOCK_DGRAM, SOCK_STREAM } from 'bsdsock';

import { python } from './helpers/python';
import { ROOT, tempDir } from './helpers/sockets';

const BIN = path.join(ROOT, 'bin/bsdsock.js');

/** Runs `bsdsock ...args` to its end. */
function bsdsock(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Checks that a run succeeded, showing its stderr when it did not. */
function expectOk(r: { status: number | null; stderr: string }): void {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
}

/** The value of a python3 expression (after `import socket`). */
function py<T>(expr: string, setup = 'import socket'): T {
  const r = python(setup, { v: expr }).v!;
  if ('error' in r) throw new Error(`python3: ${r.error}: ${r.message}`);
  return r.value as T;
}

/** A running `bsdsock` (or python3) process whose output is collected. */
class Child {
  readonly proc: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly guard: NodeJS.Timeout;

  constructor(command: string, args: string[]) {
    this.proc = spawn(command, args);
    this.proc.stdout.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    this.proc.stderr.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    // A stuck child must not hang the suite.
    this.guard = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
    this.exited = new Promise((resolve) =>
      this.proc.on('close', (code, signal) => {
        clearTimeout(this.guard);
        resolve({ code, signal });
      }),
    );
  }

  static bsdsock(args: string[]): Child {
    return new Child(process.execPath, [BIN, ...args]);
  }

  /** Resolves with the match once `stream`'s output matches `re`; rejects if the process exits first. */
  waitFor(stream: 'stdout' | 'stderr', re: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = this[stream].match(re);
        if (m !== null) resolve(m);
        return m !== null;
      };
      if (check()) return;
      const onData = (): void => {
        if (check()) this.proc[stream].off('data', onData);
      };
      this.proc[stream].on('data', onData);
      void this.exited.then(() => {
        if (!check()) reject(new Error(`exited before ${stream} matched ${re}: ${this.stdout} ${this.stderr}`));
      });
    });
  }

  /** The port a `bsdsock listen` reports on stderr. */
  async listeningPort(): Promise<number> {
    const m = await this.waitFor('stderr', /listening on \('[^']*', (\d+)/);
    return Number(m[1]);
  }
}

describe('bsdsock getaddrinfo', () => {
  /** The rows of the table, as [family, type, proto, canonname, sockaddr repr]. */
  function rows(stdout: string): string[][] {
    const [header, ...lines] = stdout.trimEnd().split('\n');
    expect(header!.split(/\s+/)).toEqual(['family', 'type', 'proto', 'canonname', 'sockaddr']);
    return lines.map((line) => {
      const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(.*?)\s*(\(.*\))$/.exec(line);
      expect(m, line).not.toBeNull();
      return m!.slice(1, 6);
    });
  }

  /** What Python's getaddrinfo gives for the same arguments, in the same shape. */
  function pythonRows(args: string): string[][] {
    return py<string[][]>(`[[f.name, t.name, str(p), c, repr(sa)] for f, t, p, c, sa in socket.getaddrinfo(${args})]`);
  }

  it('resolves localhost 80 as Python does', () => {
    const r = bsdsock(['getaddrinfo', 'localhost', '80']);
    expectOk(r);
    expect(rows(r.stdout)).toEqual(pythonRows("'localhost', 80"));
  });

  it.each([
    [['127.0.0.1', '8080'], "'127.0.0.1', 8080"],
    [['::1', '443', '--type', 'stream'], "'::1', 443, type=socket.SOCK_STREAM"],
    [['127.0.0.1', 'http', '--family', 'inet', '--type', 'stream'], "'127.0.0.1', 'http', socket.AF_INET, socket.SOCK_STREAM"],
    [['::1', '7', '--family', 'AF_INET6', '--proto', '6'], "'::1', 7, socket.AF_INET6, 0, 6"],
    [['localhost', '22', '--type', 'SOCK_STREAM', '--flags', 'AI_CANONNAME'], "'localhost', 22, 0, socket.SOCK_STREAM, 0, socket.AI_CANONNAME"],
    [['0.0.0.0', '9', '--flags', 'AI_PASSIVE,AI_NUMERICHOST,AI_NUMERICSERV'], "'0.0.0.0', 9, flags=socket.AI_PASSIVE|socket.AI_NUMERICHOST|socket.AI_NUMERICSERV"],
  ])('getaddrinfo %j is Python\'s', (args, pyArgs) => {
    const r = bsdsock(['getaddrinfo', ...args]);
    expectOk(r);
    expect(rows(r.stdout)).toEqual(pythonRows(pyArgs));
  });

  it.each([
    [['localhost', '80', '--flags', 'AI_BOGUS'], "unknown flag 'AI_BOGUS'"],
    [['localhost', '80', '--family', 'inet7'], "unknown family 'inet7'"],
    [['localhost', '80', '--type', 'stream', '--wat'], "unknown option '--wat'"],
    [['localhost', '80', 'extra'], "unexpected argument 'extra'"],
    [[], 'missing arguments'],
    [['localhost', '80', '--flags'], "option '--flags' needs a value"],
  ])('bad input %j is a usage error (exit 2)', (args, message) => {
    const r = bsdsock(['getaddrinfo', ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`bsdsock getaddrinfo: ${message}\n`);
    expect(r.stderr).toContain('usage: bsdsock getaddrinfo HOST');
  });

  it.each([
    [['no.such.host', '80', '--flags', 'AI_NUMERICHOST'], "'no.such.host', 80, flags=socket.AI_NUMERICHOST"],
    [['127.0.0.1', '80', '--family', 'inet6'], "'127.0.0.1', 80, socket.AF_INET6"],
    [['127.0.0.1', 'no-such-service', '--flags', 'AI_NUMERICSERV'], "'127.0.0.1', 'no-such-service', flags=socket.AI_NUMERICSERV"],
  ])('a resolver error %j exits 1 with the gaierror text', (args, pyArgs) => {
    const expected = python('import socket', { e: `socket.getaddrinfo(${pyArgs})` }).e!;
    expect(expected).toMatchObject({ error: 'gaierror' });
    const r = bsdsock(['getaddrinfo', ...args]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`bsdsock getaddrinfo: ${(expected as { message: string }).message}\n`);
  });
});

describe('bsdsock getnameinfo', () => {
  it.each([
    [['127.0.0.1', '80'], "('127.0.0.1', 80), 0"],
    [['::1', '22', '--flags', 'NI_NUMERICHOST,NI_NUMERICSERV'], "('::1', 22), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV"],
    [['127.0.0.1', '53', '--flags', 'NI_DGRAM'], "('127.0.0.1', 53), socket.NI_DGRAM"],
  ])('getnameinfo %j is Python\'s', (args, pyArgs) => {
    const [host, service] = py<[string, string]>(`socket.getnameinfo(${pyArgs})`);
    const r = bsdsock(['getnameinfo', ...args]);
    expectOk(r);
    expect(r.stdout).toBe(`${host} ${service}\n`);
  });

  it('a port out of range is a usage error', () => {
    const r = bsdsock(['getnameinfo', '127.0.0.1', '70000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("port must be an integer from 0 to 65535, not '70000'");
  });

  it('a name where a numeric address belongs is the resolver error Python gives', () => {
    const expected = python('import socket', { e: "socket.getnameinfo(('no.such.host', 80), socket.NI_NUMERICHOST)" }).e!;
    const r = bsdsock(['getnameinfo', 'no.such.host', '80', '--flags', 'NI_NUMERICHOST']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock getnameinfo: ${(expected as { message: string }).message}\n`);
  });
});

describe('bsdsock ping', () => {
  /** Whether this process may open an ICMP socket at all: a raw one, or a ping socket. */
  const mayPing = py<boolean>(
    `ok = False\nfor t in (socket.SOCK_RAW, socket.SOCK_DGRAM):\n` +
      `    try:\n        socket.socket(socket.AF_INET, t, socket.IPPROTO_ICMP).close()\n        ok = True\n` +
      `    except PermissionError:\n        pass\nok`,
  );

  /** The replies and the summary's counts. */
  function replies(stdout: string): { seqs: number[]; transmitted: number; received: number } {
    const seqs = [...stdout.matchAll(/^\d+ bytes from \S+: icmp_seq=(\d+)(?: (?:ttl|hlim)=\d+)? time=[\d.]+ ms$/gm)].map((m) => Number(m[1]));
    const summary = /^(\d+) packets transmitted, (\d+) received, (\d+)% packet loss/m.exec(stdout);
    expect(summary, stdout).not.toBeNull();
    return { seqs, transmitted: Number(summary![1]), received: Number(summary![2]) };
  }

  // Skipped where the OS lets this process open neither a raw ICMP socket nor a ping socket.
  it.skipIf(!mayPing).each(['127.0.0.1', '::1'])('ping %s -c 2: two replies, and the summary says so', (host) => {
    const r = bsdsock(['ping', host, '-c', '2', '-i', '0.2']);
    expectOk(r);
    expect(r.stdout).toMatch(new RegExp(`^PING ${host.replace(/\./g, '\\.')} \\(${host.replace(/\./g, '\\.')}\\) 56\\(\\d+\\) bytes of data\\.\n`));
    expect(replies(r.stdout)).toEqual({ seqs: [1, 2], transmitted: 2, received: 2 });
    expect(r.stdout).toMatch(/^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/m);
  });

  it.skipIf(!mayPing)('the payload size (-s) is what the replies carry', () => {
    const r = bsdsock(['ping', '127.0.0.1', '-c', '1', '-s', '300']);
    expectOk(r);
    expect(r.stdout).toMatch(/^308 bytes from 127\.0\.0\.1: icmp_seq=1 /m);
  });

  /** Whether the OS lets this process make a network namespace and drop a capability. */
  const isolating = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec setpriv --bounding-set -net_raw true']).status === 0;

  // Skipped where the OS does not let this process make a network namespace.
  describe.skipIf(!isolating)('over a ping socket (SOCK_DGRAM, IPPROTO_ICMP), in a network namespace of its own', () => {
    /**
     * Runs `bsdsock ...args` in a new network namespace: ping sockets are allowed to the
     * groups of its net.ipv4.ping_group_range (none, "1 0", unless `allowed`); without
     * `raw` the process lacks CAP_NET_RAW, so raw sockets are not permitted.
     */
    function inNamespace(args: string[], allowed: boolean, raw: boolean): ReturnType<typeof bsdsock> {
      const allow = allowed ? `echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range && ` : '';
      const run = raw ? 'exec "$@"' : 'exec setpriv --bounding-set -net_raw "$@"';
      const script = `ip link set lo up && ${allow}${run}`;
      const r = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    it.each(['127.0.0.1', '::1'])('ping --dgram %s', (host) => {
      const r = inNamespace(['ping', '--dgram', host, '-c', '2', '-i', '0.2'], true, true);
      expectOk(r);
      expect(replies(r.stdout)).toEqual({ seqs: [1, 2], transmitted: 2, received: 2 });
      expect(r.stdout).toMatch(/ (ttl|hlim)=\d+ time=/);
    });

    it('with the loopback down nothing comes back: each send error is shown, the loss counted, exit 1', () => {
      const r = spawnSync('unshare', ['-n', process.execPath, BIN, 'ping', '127.0.0.1', '-c', '2', '-i', '0.2', '-W', '0.5'], { encoding: 'utf8', timeout: 20_000 });
      const unreachable = py<string>('str(OSError(errno.ENETUNREACH, os.strerror(errno.ENETUNREACH)))', 'import errno, os');
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`bsdsock ping: sendto: ${unreachable}\n`.repeat(2));
      expect(replies(r.stdout)).toEqual({ seqs: [], transmitted: 2, received: 0 });
      expect(r.stdout).toMatch(/, 100% packet loss, /);
      expect(r.stdout).not.toMatch(/^rtt /m);
    });

    it('without CAP_NET_RAW, ping falls back to a ping socket', () => {
      const r = inNamespace(['ping', '127.0.0.1', '-c', '2', '-i', '0.2'], true, false);
      expectOk(r);
      expect(replies(r.stdout)).toEqual({ seqs: [1, 2], transmitted: 2, received: 2 });
    });

    it.each([
      [['--dgram'], true],
      [[], false],
    ])('where ping sockets are not allowed either (%j, raw permitted: %s), the error is the OS\'s', (extra, raw) => {
      const r = inNamespace(['ping', ...extra, '127.0.0.1', '-c', '1'], false, raw);
      expect(r.status).toBe(1);
      // What Python says for EACCES (python3 runs outside the namespace, where ping sockets may be allowed).
      expect(r.stderr).toBe(`bsdsock ping: ${py<string>('str(PermissionError(errno.EACCES, os.strerror(errno.EACCES)))', 'import errno, os')}\n`);
    });
  });

  it.skipIf(!mayPing)('SIGINT stops it with the summary', async () => {
    const child = Child.bsdsock(['ping', '127.0.0.1', '-i', '0.2']);
    await child.waitFor('stdout', /icmp_seq=2 /);
    child.proc.kill('SIGINT');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    const { seqs, transmitted, received } = replies(child.stdout);
    expect(received).toBe(seqs.length);
    expect(received).toBeGreaterThanOrEqual(2);
    expect(transmitted).toBeGreaterThanOrEqual(received);
  });

  it.each([
    [['127.0.0.1', '-c', '0'], "count must be an integer from 1 to 2147483647, not '0'"],
    [['127.0.0.1', '-i', 'soon'], "interval must be a positive number of seconds, not 'soon'"],
    [['127.0.0.1', '-s', '70000'], "size must be an integer from 0 to 65507, not '70000'"],
    [['127.0.0.1', '-4', '-6'], '-4 and -6 exclude each other'],
  ])('bad input %j is a usage error', (args, message) => {
    const r = bsdsock(['ping', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`bsdsock ping: ${message}\n`);
  });
});

describe('bsdsock connect / listen', () => {
  /** Runs a listen and a connect with the same transport, each with its own stdin, to both ends. */
  async function streamPair(listenArgs: string[], connectArgs: (port: number) => string[]): Promise<[Child, Child]> {
    const server = Child.bsdsock(['listen', ...listenArgs]);
    server.proc.stdin.end('from the server\n');
    const port = await server.listeningPort();
    const client = Child.bsdsock(['connect', ...connectArgs(port)]);
    client.proc.stdin.end('from the client\n');
    expect(await client.exited).toEqual({ code: 0, signal: null });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    return [server, client];
  }

  it('TCP: data both ways, each side half-closing at the end of its stdin', async () => {
    const [server, client] = await streamPair(['127.0.0.1', '0'], (port) => ['127.0.0.1', String(port)]);
    expect(server.stdout).toBe('from the client\n');
    expect(client.stdout).toBe('from the server\n');
    expect(server.stderr).toMatch(/connection from \('127\.0\.0\.1', \d+\)/);
  });

  it('TCP over IPv6, listening on every address (dual stack) and connecting to ::1', async () => {
    const [server, client] = await streamPair(['0'], (port) => ['::1', String(port)]);
    expect(server.stdout).toBe('from the client\n');
    expect(client.stdout).toBe('from the server\n');
  });

  it('Unix stream sockets, and the path is removed at the end', async () => {
    using dir = tempDir();
    const sockPath = path.join(dir.path, 'cli.sock');
    const server = Child.bsdsock(['listen', '--unix', sockPath]);
    server.proc.stdin.end('from the server\n');
    await server.waitFor('stderr', /listening on/);
    const client = Child.bsdsock(['connect', '--unix', sockPath]);
    client.proc.stdin.end('from the client\n');
    expect(await client.exited).toEqual({ code: 0, signal: null });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout).toBe('from the client\n');
    expect(client.stdout).toBe('from the server\n');
    expect(fs.existsSync(sockPath)).toBe(false);
  });

  it('a large transfer arrives whole both ways', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'abcdefghijklmnopqrstuvwxyz\n').toString();
    const server = Child.bsdsock(['listen', '127.0.0.1', '0']);
    server.proc.stdin.end(big);
    const port = await server.listeningPort();
    const client = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
    client.proc.stdin.end(big.toUpperCase());
    expect(await client.exited).toEqual({ code: 0, signal: null });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout.length).toBe(big.length);
    expect(server.stdout === big.toUpperCase()).toBe(true);
    expect(client.stdout === big).toBe(true);
  });

  /** A Python TCP peer that reads to EOF before it answers: only a half-close lets it answer. */
  const PY_SERVER = String.raw`
import socket, sys
srv = socket.create_server(('127.0.0.1', 0))
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
got = b''
while True:
    data = conn.recv(65536)
    if not data:
        break
    got += data
conn.sendall(b'python got ' + got)
conn.close()
`;

  it('connect half-closes at the end of stdin and still reads the answer (a Python server)', async () => {
    const server = new Child('python3', ['-c', PY_SERVER]);
    const port = Number((await server.waitFor('stdout', /^(\d+)\n/))[1]);
    const r = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
    r.proc.stdin.end('question\n');
    expect(await r.exited).toEqual({ code: 0, signal: null });
    expect(r.stdout).toBe('python got question\n');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('listen half-closes at the end of stdin and still reads (a Python client)', async () => {
    const server = Child.bsdsock(['listen', '127.0.0.1', '0']);
    const port = await server.listeningPort();
    const client = new Child('python3', [
      '-c',
      `import socket\ns = socket.create_connection(('127.0.0.1', ${port}))\n` +
        `got = b''\nwhile True:\n    d = s.recv(65536)\n    if not d: break\n    got += d\n` +
        `s.sendall(b'python got ' + got)\ns.close()\n`,
    ]);
    server.proc.stdin.end('answer\n');
    expect(await client.exited).toEqual({ code: 0, signal: null });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout).toBe('python got answer\n');
  });

  it('with a terminal on stdin, the peer\'s EOF ends the connection (no one is going to type Ctrl-D)', () => {
    // python3 serves one connection that says bye and closes, and runs the command with a pty as its stdin.
    const script = String.raw`
import json, os, socket, subprocess, sys, threading
srv = socket.create_server(('127.0.0.1', 0))
def serve():
    conn, _ = srv.accept()
    conn.sendall(b'bye\n')
    conn.close()
threading.Thread(target=serve).start()
master, slave = os.openpty()
p = subprocess.run(sys.argv[1:] + [str(srv.getsockname()[1])], stdin=slave, capture_output=True, timeout=20)
print(json.dumps([p.returncode, p.stdout.decode(), p.stderr.decode()]))
`;
    const r = spawnSync('python3', ['-c', script, process.execPath, BIN, 'connect', '127.0.0.1'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([0, 'bye\n', '']);
  });

  it('--keep-open serves one connection after another', async () => {
    const server = Child.bsdsock(['listen', '127.0.0.1', '0', '--keep-open']);
    const port = await server.listeningPort();
    for (const text of ['first\n', 'second\n']) {
      const client = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
      client.proc.stdin.end(text);
      await server.waitFor('stdout', new RegExp(text));
      expect(await client.exited).toEqual({ code: 0, signal: null });
    }
    expect(server.stdout).toBe('first\nsecond\n');
    server.proc.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  /** UDP and Unix datagrams: no EOF, so both ends run until they are stopped. */
  async function datagramPair(
    listenArgs: string[],
    connectArgs: (port: number) => string[],
    ready: (s: Child) => Promise<number>,
    serverExit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: 'SIGTERM' },
  ): Promise<void> {
    const server = Child.bsdsock(['listen', '--udp', ...listenArgs]);
    const port = await ready(server);
    const client = Child.bsdsock(['connect', '--udp', ...connectArgs(port)]);
    client.proc.stdin.write('from the client\n');
    await server.waitFor('stdout', /from the client\n/);
    expect(server.stderr).toMatch(/datagram from /);
    server.proc.stdin.write('from the server\n');
    await client.waitFor('stdout', /from the server\n/);
    client.proc.stdin.end();
    server.proc.stdin.end();
    client.proc.kill('SIGTERM');
    expect(await client.exited).toEqual({ code: null, signal: 'SIGTERM' });
    server.proc.kill('SIGTERM');
    expect(await server.exited).toEqual(serverExit);
    expect(server.stdout).toBe('from the client\n');
    expect(client.stdout).toBe('from the server\n');
  }

  it('UDP: datagrams both ways, the first sender becoming the peer', async () => {
    await datagramPair(['127.0.0.1', '0'], (port) => ['127.0.0.1', String(port)], (s) => s.listeningPort());
  });

  it('Unix datagram sockets (the client autobinds an abstract name for the replies)', async (ctx) => {
    if (process.platform !== 'linux') ctx.skip(); // autobind is Linux's
    using dir = tempDir();
    const sockPath = path.join(dir.path, 'cli-dgram.sock');
    // The server catches SIGTERM to remove its socket file, then exits with 128 + 15.
    const ready = async (s: Child): Promise<number> => (await s.waitFor('stderr', /listening on/), 0);
    await datagramPair(['--unix', sockPath], () => ['--unix', sockPath], ready, { code: 143, signal: null });
    expect(fs.existsSync(sockPath)).toBe(false);
  });

  it('a reset connection ends both directions and exits 1 with the error, stdin still open', async () => {
    const server = new Child('python3', [
      '-c',
      `import socket, struct\nsrv = socket.create_server(('127.0.0.1', 0))\nprint(srv.getsockname()[1], flush=True)\n` +
        `conn, _ = srv.accept()\nconn.recv(100)\n` +
        `conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))\nconn.close()\n`,
    ]);
    const port = Number((await server.waitFor('stdout', /^(\d+)\n/))[1]);
    const client = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
    client.proc.stdin.write('hello\n');
    const reset = py<string>('str(ConnectionResetError(errno.ECONNRESET, os.strerror(errno.ECONNRESET)))', 'import errno, os');
    expect(await client.exited).toEqual({ code: 1, signal: null });
    expect(client.stderr).toBe(`bsdsock connect: ${reset}\n`);
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it('a refused connection exits 1 with the error text Python gives', async () => {
    const server = new Child('python3', ['-c', "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\nprint(s.getsockname()[1], flush=True)\ninput()"]);
    const port = Number((await server.waitFor('stdout', /^(\d+)\n/))[1]);
    const expected = python('import socket', { e: `socket.create_connection(('127.0.0.1', ${port}))` }).e!;
    expect(expected).toMatchObject({ error: 'ConnectionRefusedError' });
    const r = bsdsock(['connect', '127.0.0.1', String(port)]);
    server.proc.stdin.end('\n');
    await server.exited;
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock connect: ${(expected as { message: string }).message}\n`);
  });

  it.each([
    [['connect', '127.0.0.1'], 'missing arguments'],
    [['connect', '127.0.0.1', 'http'], "port must be an integer from 0 to 65535, not 'http'"],
    [['listen', '--unix'], 'missing arguments'],
    [['listen', '127.0.0.1', '1', '2'], "unexpected argument '2'"],
    [['connect', '--udp=1', 'x', '1'], "option '--udp=1' takes no value"],
  ])('bad input %j is a usage error', (args, message) => {
    const r = bsdsock(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`bsdsock ${args[0]}: ${message}\n`);
  });
});

describe('bsdsock sockopt', () => {
  /** The value column of an option's row. */
  function value(stdout: string, option: string): string {
    const m = new RegExp(`^\\S+\\s+${option}\\s+(.*)$`, 'm').exec(stdout);
    expect(m, `${option} in\n${stdout}`).not.toBeNull();
    return m![1]!;
  }

  it('a fresh TCP socket: SO_TYPE is SOCK_STREAM, SO_RCVBUF is what Python reads', () => {
    const r = bsdsock(['sockopt']);
    expectOk(r);
    expect(r.stdout.split('\n')[0]!.split(/\s+/)).toEqual(['level', 'option', 'value']);
    expect(value(r.stdout, 'SO_TYPE')).toBe(`${SOCK_STREAM} (SOCK_STREAM)`);
    const rcvbuf = py<number>('socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)');
    expect(value(r.stdout, 'SO_RCVBUF')).toBe(String(rcvbuf));
    // Structures, decoded as Python's struct module reads the bytes getsockopt gives.
    const structs = py<Record<string, string>>(
      `s = socket.socket()\nv = {\n` +
        `  'SO_LINGER': 'l_onoff=%d l_linger=%d' % struct.unpack('ii', s.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)),\n` +
        `  'SO_RCVTIMEO': 'tv_sec=%d tv_usec=%d' % struct.unpack('@ll', s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.calcsize('@ll'))),\n` +
        `  'TCP_CONGESTION': repr(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).split(b'\\0')[0].decode()),\n` +
        `}\ns.close()\nv`,
      'import socket, struct',
    );
    for (const [name, text] of Object.entries(structs)) expect(value(r.stdout, name)).toBe(text);
    expect(value(r.stdout, 'TCP_NODELAY')).toBe('0');
    expect(r.stdout).toMatch(/^IPPROTO_IP\s+IP_TTL\s+\d+$/m);
    expect(r.stdout).not.toMatch(/IPV6_/);
  });

  it('every option is there, with the value or the error Python gets', () => {
    const r = bsdsock(['sockopt', '--family', 'inet6', '--type', 'dgram']);
    expectOk(r);
    expect(value(r.stdout, 'SO_TYPE')).toBe(`${SOCK_DGRAM} (SOCK_DGRAM)`);
    const expected = py<[string, string][]>(
      `out = []\ns = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n` +
        `for name in ('SO_RCVBUF', 'SO_SNDBUF', 'SO_REUSEADDR', 'IPV6_V6ONLY', 'IPV6_UNICAST_HOPS', 'IPV6_CHECKSUM'):\n` +
        `    level = socket.SOL_SOCKET if name.startswith('SO_') else socket.IPPROTO_IPV6\n` +
        `    try: out.append((name, str(s.getsockopt(level, getattr(socket, name)))))\n` +
        `    except OSError as e: out.append((name, str(e)))\n` +
        `s.close()\nout`,
    );
    for (const [name, text] of expected) expect(value(r.stdout, name)).toBe(text);
    expect(r.stdout).not.toMatch(/TCP_/);
  });

  it('a Unix socket has the SOL_SOCKET options only', () => {
    const r = bsdsock(['sockopt', '--family', 'unix']);
    expectOk(r);
    expect(value(r.stdout, 'SO_DOMAIN')).toMatch(/^\d+ \(AF_UNIX\)$/);
    expect(r.stdout.trimEnd().split('\n').slice(1).every((line) => line.startsWith('SOL_SOCKET '))).toBe(true);
  });

  it('a socket the OS refuses to make is an OS error (exit 1)', () => {
    const expected = python('import socket', { e: 'socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET)' }).e!;
    const r = bsdsock(['sockopt', '--family', 'inet', '--type', 'seqpacket']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock sockopt: ${(expected as { message: string }).message}\n`);
  });
});

describe('bsdsock', () => {
  it.each(['getaddrinfo', 'getnameinfo', 'ping', 'connect', 'listen', 'sockopt'])('%s --help prints its usage', (name) => {
    const r = bsdsock([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: bsdsock ${name} `));
  });

  it('an unknown command is a usage error listing the commands', () => {
    const r = bsdsock(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("bsdsock: unknown command 'frobnicate'");
    expect(r.stderr).toContain('  getaddrinfo  ');
  });
});
