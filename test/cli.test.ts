// The `bsdsock` command (bin/bsdsock.js), run as a real process for each of
// its commands, against python3 where Python can say what the answer is.
// Loopback only: `localhost` and numeric addresses.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { AF_INET, AF_UNIX, iter_recv, SO_REUSEADDR, SOCK_DGRAM, SOCK_STREAM, socket, SOL_SOCKET } from 'bsdsock';
import { sock_accept } from 'bsdsock/asyncio';

import { python, pythonValue } from './helpers/python';
import { closing, ROOT, tempDir } from './helpers/sockets';
import { Running, runSync } from './helpers/run';

const BIN = path.join(ROOT, 'bin/bsdsock.js');

/** Runs `bsdsock ...args` to its end. */
function bsdsock(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const r = runSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', timeout: 20_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Checks that a run succeeded, showing its stderr when it did not. */
function expectOk(r: { status: number | null; stderr: string }): void {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
}

/** A running `bsdsock` (or python3) process whose output is collected; its stdin stays open for `input()`. */
class Child extends Running {
  constructor(command: string, args: string[]) {
    super([command, ...args], { limitMs: 20_000, stdin: true });
  }

  static bsdsock(args: string[]): Child {
    return new Child(process.execPath, [BIN, ...args]);
  }

  /** The port a `bsdsock listen` reports on stderr. */
  async listeningPort(): Promise<number> {
    const m = await this.waitFor(/listening on \('[^']*', (\d+)/, 'stderr');
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
    return pythonValue<string[][]>(`[[f.name, t.name, str(p), c, repr(sa)] for f, t, p, c, sa in socket.getaddrinfo(${args})]`);
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
    [['localhost', '80', '--famly', 'inet'], "unknown option '--famly'; did you mean '--family'?"],
    [['localhost', '80', '--proto', '-1'], "option '--proto' needs a value (one that starts with '-' is written --proto=-1)"],
    // The C library would take 99999 and wrap it to 34463.
    [['127.0.0.1', '99999'], "port must be an integer from 0 to 65535, not '99999'"],
    [['127.0.0.1', 'no such service'], "port must be a number from 0 to 65535 or a service name, not 'no such service'"],
  ])('bad input %j is a usage error: one line, and where the help is (exit 2)', (args, message) => {
    const r = bsdsock(['getaddrinfo', ...args]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`bsdsock getaddrinfo: ${message}\nsee 'bsdsock getaddrinfo --help'\n`);
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
    const [host, service] = pythonValue<[string, string]>(`socket.getnameinfo(${pyArgs})`);
    const r = bsdsock(['getnameinfo', ...args]);
    expectOk(r);
    expect(r.stdout).toBe(`${host} ${service}\n`);
  });

  it('a port out of range is a usage error', () => {
    const r = bsdsock(['getnameinfo', '127.0.0.1', '70000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("port must be an integer from 0 to 65535, not '70000'");
  });

  it.each([['localhost'], ['no.such.host']])('a name (%s) where a numeric address belongs is a usage error that says so', (name) => {
    const r = bsdsock(['getnameinfo', name, '80']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `bsdsock getnameinfo: ADDR must be a numeric IPv4 or IPv6 address, not '${name}' ('bsdsock getaddrinfo ${name}' gives a name's addresses)\n` +
        "see 'bsdsock getnameinfo --help'\n",
    );
  });

  it('an IPv6 address with a zone is numeric', () => {
    const r = bsdsock(['getnameinfo', 'fe80::1%lo', '80', '--flags', 'NI_NUMERICHOST,NI_NUMERICSERV']);
    expectOk(r);
    expect(r.stdout).toBe(`${pythonValue<string[]>("socket.getnameinfo(('fe80::1%lo', 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV)").join(' ')}\n`);
  });
});

describe('bsdsock ping', () => {
  /** Whether this process may open an ICMP socket at all: a raw one, or a ping socket. */
  const mayPing = pythonValue<boolean>(
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

  /**
   * Runs `bsdsock ping ...args`. Where the OS lets this process open neither a raw ICMP
   * socket nor a ping socket, asserts that ping says so and exits 1, and returns null;
   * otherwise returns the run, which succeeded.
   */
  function ping(args: string[]): ReturnType<typeof bsdsock> | null {
    const r = bsdsock(['ping', ...args]);
    if (!mayPing) {
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/^bsdsock ping: socket\(AF_INET6?, SOCK_(RAW|DGRAM), IPPROTO_ICMP(V6)?\) failed: \[Errno 1?3\] /);
      return null;
    }
    expectOk(r);
    return r;
  }

  it.each(['127.0.0.1', '::1'])('ping %s -c 2: two replies, and the summary says so (or, where the OS allows no ICMP socket, its refusal)', (host) => {
    const r = ping([host, '-c', '2', '-i', '0.2']);
    if (r === null) return;
    expect(r.stdout).toMatch(new RegExp(`^PING ${host.replace(/\./g, '\\.')} \\(${host.replace(/\./g, '\\.')}\\) 56\\(\\d+\\) bytes of data\\.\n`));
    expect(replies(r.stdout)).toEqual({ seqs: [1, 2], transmitted: 2, received: 2 });
    expect(r.stdout).toMatch(/^rtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/[\d.]+ ms$/m);
  });

  it('the payload size (-s) is what the replies carry', () => {
    const r = ping(['127.0.0.1', '-c', '1', '-s', '300']);
    if (r === null) return;
    expect(r.stdout).toMatch(/^308 bytes from 127\.0\.0\.1: icmp_seq=1 /m);
  });

  /** Whether the OS lets this process make a network namespace and drop a capability. */
  const isolating = runSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec setpriv --bounding-set -net_raw true']).status === 0;

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
      const r = runSync('unshare', ['-n', 'sh', '-c', script, 'sh', process.execPath, BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    it.each(['127.0.0.1', '::1'])('ping --dgram %s', (host) => {
      const r = inNamespace(['ping', '--dgram', host, '-c', '2', '-i', '0.2'], true, true);
      expectOk(r);
      expect(replies(r.stdout)).toEqual({ seqs: [1, 2], transmitted: 2, received: 2 });
      expect(r.stdout).toMatch(/ (ttl|hlim)=\d+ time=/);
    });

    it('with the loopback down nothing comes back: each send error is shown, the loss counted, exit 1', () => {
      const r = runSync('unshare', ['-n', process.execPath, BIN, 'ping', '127.0.0.1', '-c', '2', '-i', '0.2', '-W', '0.5'], { encoding: 'utf8', timeout: 20_000 });
      const unreachable = pythonValue<string>('str(OSError(errno.ENETUNREACH, os.strerror(errno.ENETUNREACH)))', 'import errno, os');
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
    ])('where ping sockets are not allowed either (%j, raw permitted: %s), the OS\'s error and what would allow one', (extra, raw) => {
      const r = inNamespace(['ping', ...extra, '127.0.0.1', '-c', '1'], false, raw);
      expect(r.status).toBe(1);
      // What Python says for EACCES (python3 runs outside the namespace, where ping sockets may be allowed).
      const eacces = pythonValue<string>('str(PermissionError(errno.EACCES, os.strerror(errno.EACCES)))', 'import errno, os');
      expect(r.stderr).toBe(
        `bsdsock ping: socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) failed: ${eacces}\n` +
          "ping sockets are allowed only to the groups in net.ipv4.ping_group_range ('1 0' here);" +
          " allow them with: sysctl -w net.ipv4.ping_group_range='0 2147483647'" +
          (raw ? '' : ', or give this process CAP_NET_RAW for a raw socket') +
          '\n',
      );
    });
  });

  it('SIGINT stops it with the summary', async () => {
    if (ping(['127.0.0.1', '-c', '1']) === null) return;
    const child = Child.bsdsock(['ping', '127.0.0.1', '-i', '0.2']);
    await child.waitFor(/icmp_seq=2 /, 'stdout');
    child.kill('SIGINT');
    expect(await child.ended).toEqual({ code: 0, signal: null });
    const { seqs, transmitted, received } = replies(child.stdout);
    expect(received).toBe(seqs.length);
    expect(received).toBeGreaterThanOrEqual(2);
    expect(transmitted).toBeGreaterThanOrEqual(received);
  });

  it('-4 resolves the host to its IPv4 address only', () => {
    const r = ping(['-4', 'localhost', '-c', '1']);
    if (r === null) return;
    expect(r.stdout).toMatch(/^PING localhost \(127\.0\.0\.1\) /);
  });

  it.each([
    [['no.such.host.invalid'], "'no.such.host.invalid', None, 0, socket.SOCK_DGRAM"],
    [['-6', '127.0.0.1'], "'127.0.0.1', None, socket.AF_INET6, socket.SOCK_DGRAM"],
  ])('a host the resolver refuses (%j) is named with the gaierror (exit 1)', (args, pyArgs) => {
    const expected = python('import socket', { e: `socket.getaddrinfo(${pyArgs})` }).e as { message: string };
    const r = bsdsock(['ping', ...args, '-c', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock ping: getaddrinfo for host '${args.at(-1)}' failed: ${expected.message}\n`);
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
    server.input('from the server\n');
    const port = await server.listeningPort();
    const client = Child.bsdsock(['connect', ...connectArgs(port)]);
    client.input('from the client\n');
    expect(await client.ended).toEqual({ code: 0, signal: null });
    expect(await server.ended).toEqual({ code: 0, signal: null });
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
    server.input('from the server\n');
    await server.waitFor(/listening on/, 'stderr');
    const client = Child.bsdsock(['connect', '--unix', sockPath]);
    client.input('from the client\n');
    expect(await client.ended).toEqual({ code: 0, signal: null });
    expect(await server.ended).toEqual({ code: 0, signal: null });
    expect(server.stdout).toBe('from the client\n');
    expect(client.stdout).toBe('from the server\n');
    expect(fs.existsSync(sockPath)).toBe(false);
  });

  it('a large transfer arrives whole both ways', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'abcdefghijklmnopqrstuvwxyz\n').toString();
    const server = Child.bsdsock(['listen', '127.0.0.1', '0']);
    server.input(big);
    const port = await server.listeningPort();
    const client = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
    client.input(big.toUpperCase());
    expect(await client.ended).toEqual({ code: 0, signal: null });
    expect(await server.ended).toEqual({ code: 0, signal: null });
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
    const port = Number((await server.waitFor(/^(\d+)\n/, 'stdout'))[1]);
    const r = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
    r.input('question\n');
    expect(await r.ended).toEqual({ code: 0, signal: null });
    expect(r.stdout).toBe('python got question\n');
    expect(await server.ended).toEqual({ code: 0, signal: null });
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
    server.input('answer\n');
    expect(await client.ended).toEqual({ code: 0, signal: null });
    expect(await server.ended).toEqual({ code: 0, signal: null });
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
    const r = runSync('python3', ['-c', script, process.execPath, BIN, 'connect', '127.0.0.1'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([0, 'bye\n', '']);
  });

  it('listen ends once the peer has closed and stdin is done, in that order too (as ncat)', async () => {
    const server = Child.bsdsock(['listen', '127.0.0.1', '0']);
    const port = await server.listeningPort();
    const client = new Child('python3', ['-c', `import socket\ns = socket.create_connection(('127.0.0.1', ${port}))\ns.sendall(b'bye\\n')\ns.close()\n`]);
    expect(await client.ended).toEqual({ code: 0, signal: null });
    await server.waitFor(/^bye\n$/, 'stdout');
    let ended = false;
    void server.ended.then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ended).toBe(false); // stdin is still open
    server.input();
    expect(await server.ended).toEqual({ code: 0, signal: null });
  });

  it('--keep-open serves one connection after another', async () => {
    const server = Child.bsdsock(['listen', '127.0.0.1', '0', '--keep-open']);
    const port = await server.listeningPort();
    for (const text of ['first\n', 'second\n']) {
      const client = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
      client.input(text);
      await server.waitFor(new RegExp(text), 'stdout');
      expect(await client.ended).toEqual({ code: 0, signal: null });
    }
    expect(server.stdout).toBe('first\nsecond\n');
    server.kill('SIGTERM');
    expect(await server.ended).toEqual({ code: null, signal: 'SIGTERM' });
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
    client.write('from the client\n');
    await server.waitFor(/from the client\n/, 'stdout');
    expect(server.stderr).toMatch(/datagram from /);
    server.write('from the server\n');
    await client.waitFor(/from the server\n/, 'stdout');
    client.input();
    server.input();
    client.kill('SIGTERM');
    expect(await client.ended).toEqual({ code: null, signal: 'SIGTERM' });
    server.kill('SIGTERM');
    expect(await server.ended).toEqual(serverExit);
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
    const ready = async (s: Child): Promise<number> => (await s.waitFor(/listening on/, 'stderr'), 0);
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
    const port = Number((await server.waitFor(/^(\d+)\n/, 'stdout'))[1]);
    const client = Child.bsdsock(['connect', '127.0.0.1', String(port)]);
    client.write('hello\n');
    const reset = pythonValue<string>('str(ConnectionResetError(errno.ECONNRESET, os.strerror(errno.ECONNRESET)))', 'import errno, os');
    expect(await client.ended).toEqual({ code: 1, signal: null });
    expect(client.stderr).toBe(`bsdsock connect: recv from 127.0.0.1 port ${port} (tcp) failed: ${reset}\n`);
    expect(await server.ended).toEqual({ code: 0, signal: null });
  });

  it('UDP to a port where nothing listens: the refusal the kernel reports names the peer (exit 1)', async () => {
    using unused = socket(AF_INET, SOCK_DGRAM);
    unused.bind(['127.0.0.1', 0]);
    const port = unused.getsockname()[1];
    unused.close(); // nothing is bound there now
    const client = Child.bsdsock(['connect', '--udp', '127.0.0.1', String(port)]);
    client.write('anyone?\n');
    const refused = pythonValue<string>('str(ConnectionRefusedError(errno.ECONNREFUSED, os.strerror(errno.ECONNREFUSED)))', 'import errno, os');
    expect(await client.ended).toEqual({ code: 1, signal: null });
    expect(client.stderr).toBe(`bsdsock connect: recv from 127.0.0.1 port ${port} (udp) failed: ${refused}\n`);
  });

  it('a refused connection exits 1 with the error text Python gives', async () => {
    const server = new Child('python3', ['-c', "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\nprint(s.getsockname()[1], flush=True)\ninput()"]);
    const port = Number((await server.waitFor(/^(\d+)\n/, 'stdout'))[1]);
    const expected = python('import socket', { e: `socket.create_connection(('127.0.0.1', ${port}))` }).e!;
    expect(expected).toMatchObject({ error: 'ConnectionRefusedError' });
    const r = bsdsock(['connect', '127.0.0.1', String(port)]);
    server.input('\n');
    await server.ended;
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock connect: connect to 127.0.0.1 port ${port} (tcp) failed: ${(expected as { message: string }).message}\n`);
  });

  it.each([
    [['connect', '127.0.0.1'], 'missing arguments'],
    [['connect', '127.0.0.1', '70000'], "port must be an integer from 0 to 65535, not '70000'"],
    [['connect', '127.0.0.1', 'no such'], "port must be a number from 0 to 65535 or a service name, not 'no such'"],
    [['connect', '-w', 'soon', '127.0.0.1', '1'], "timeout (-w) must be a positive number of seconds, not 'soon'"],
    [['connect', '-z', '--udp', '127.0.0.1', '1'], '-z scans TCP ports: it takes neither --udp nor --unix'],
    [['connect', '-z', '127.0.0.1', '9-2'], 'port range 9-2 runs backwards'],
    [['connect', '--wiat', '1', '127.0.0.1', '1'], "unknown option '--wiat'; did you mean '--wait'?"],
    [['listen', '--unix'], 'missing arguments'],
    [['listen', '127.0.0.1', '1', '2'], "unexpected argument '2'"],
    [['connect', '--udp=1', 'x', '1'], "option '--udp' takes no value"],
  ])('bad input %j is a usage error', (args, message) => {
    const r = bsdsock(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`bsdsock ${args[0]}: ${message}\nsee 'bsdsock ${args[0]} --help'\n`);
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
    const rcvbuf = pythonValue<number>('socket.socket().getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)');
    expect(value(r.stdout, 'SO_RCVBUF')).toBe(String(rcvbuf));
    // Structures, decoded as Python's struct module reads the bytes getsockopt gives.
    const structs = pythonValue<Record<string, string>>(
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
    const expected = pythonValue<[string, string][]>(
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

  it('--proto: a UDP socket made with IPPROTO_UDP says so, as Python reads it', () => {
    const r = bsdsock(['sockopt', '--family', 'inet', '--type', 'dgram', '--proto', 'udp']);
    expectOk(r);
    const proto = pythonValue<number>('socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP).getsockopt(socket.SOL_SOCKET, socket.SO_PROTOCOL)');
    expect(value(r.stdout, 'SO_PROTOCOL')).toBe(`${proto} (IPPROTO_UDP)`);
    expect(r.stdout).not.toMatch(/TCP_/);
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

  it.each([
    [['conect'], "bsdsock: unknown command 'conect'; did you mean 'connect'?"],
    [['getadrinfo', 'localhost'], "bsdsock: unknown command 'getadrinfo'; did you mean 'getaddrinfo'?"],
    [['frobnicate'], "bsdsock: unknown command 'frobnicate'"],
    [['--wat'], "bsdsock: unknown option '--wat'"],
    [['help', 'pong'], "bsdsock: unknown command 'pong'; did you mean 'ping'?"],
    [['help', 'ping', 'connect'], "bsdsock help: unexpected argument 'connect'"],
  ])('%j is a usage error of two lines, with a guess where one is close', (args, line) => {
    const r = bsdsock(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`${line}\nsee 'bsdsock --help'\n`);
  });

  it('no command at all prints the help on stderr (exit 2)', () => {
    const r = bsdsock([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^usage: bsdsock COMMAND/);
    expect(r.stderr).toContain('  getaddrinfo  ');
  });

  it.each([['--help'], ['-h'], ['help']])('%s prints the help, listing every command', (arg) => {
    const r = bsdsock([arg]);
    expectOk(r);
    for (const name of ['getaddrinfo', 'getnameinfo', 'ping', 'connect', 'listen', 'sockopt']) expect(r.stdout).toContain(`  ${name} `);
  });

  it.each(['getaddrinfo', 'getnameinfo', 'ping', 'connect', 'listen', 'sockopt'])("help %s is what '%s --help' prints", (name) => {
    const r = bsdsock(['help', name]);
    expectOk(r);
    expect(r.stdout).toBe(bsdsock([name, '--help']).stdout);
  });

  it('from a clone whose TypeScript is not built yet, the launcher says how to build it', () => {
    using dir = tempDir();
    fs.mkdirSync(path.join(dir.path, 'bin'));
    fs.copyFileSync(BIN, path.join(dir.path, 'bin/bsdsock.js'));
    const r = runSync(process.execPath, [path.join(dir.path, 'bin/bsdsock.js'), '--version'], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(70);
    expect(r.stderr).toBe(
      `bsdsock: ${path.join(dir.path, 'dist/cjs/cli/main.js')} is not built: run 'npm install' (or 'npm run build:ts') in ${dir.path}\n`,
    );
  });

  it.each([['--version'], ['-V']])('%s prints the version of the package', (arg) => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = bsdsock([arg]);
    expectOk(r);
    expect(r.stdout).toBe(`bsdsock ${version}\n`);
  });
});

describe("bsdsock connect: netcat's options and errors", () => {
  /** A python3 listener that takes `connections` connections, each read to its end, printing its port then each connection's bytes. */
  function pyListener(backlog = 8, connections = 1, fill = false): Child {
    return new Child('python3', [
      '-c',
      `import socket, sys\nsrv = socket.socket()\nsrv.bind(('127.0.0.1', 0))\nsrv.listen(${backlog})\n` +
        (fill ? `filler = socket.create_connection(srv.getsockname())\n` : '') +
        `print(srv.getsockname()[1], flush=True)\n` +
        (fill ? 'sys.stdin.read()\n' : '') +
        `for _ in range(${connections}):\n    c, _ = srv.accept()\n    got = b''\n` +
        `    while (d := c.recv(65536)):\n        got += d\n    print(repr(got), flush=True)\n    c.close()\n`,
    ]);
  }

  async function portOf(child: Child): Promise<number> {
    return Number((await child.waitFor(/^(\d+)\n/, 'stdout'))[1]);
  }

  it('-v says which connection succeeded, as nc does', async () => {
    const server = pyListener();
    const port = await portOf(server);
    const r = Child.bsdsock(['connect', '-v', '127.0.0.1', String(port)]);
    r.input('hi\n');
    expect(await r.ended).toEqual({ code: 0, signal: null });
    expect(r.stderr).toMatch(new RegExp(`^bsdsock connect: Connection to 127\\.0\\.0\\.1 ${port} port \\[tcp/[^\\]]+\\] succeeded!\n$`));
    expect(await server.ended).toEqual({ code: 0, signal: null });
    expect(server.stdout).toBe(`${port}\nb'hi\\n'\n`);
  });

  it('a service name as PORT (hkp, 11371/tcp), resolved as getaddrinfo resolves it', async () => {
    expect(pythonValue<number>("socket.getservbyname('hkp', 'tcp')")).toBe(11371);
    using listener = socket(AF_INET, SOCK_STREAM);
    listener.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1); // a connection of an earlier run may be in TIME_WAIT
    listener.bind(['127.0.0.1', 11371]);
    listener.listen();
    listener.setblocking(false);
    const r = Child.bsdsock(['connect', '127.0.0.1', 'hkp']);
    r.input('by name\n');
    // Read on the event loop: the child's stdin is written by this process's loop.
    const [conn] = await sock_accept(listener);
    using _ = closing(conn);
    let got = '';
    for await (const data of iter_recv(conn)) got += data.toString();
    expect(got).toBe('by name\n');
    conn.close();
    expect(await r.ended).toEqual({ code: 0, signal: null });
  });

  it('-w: a connection that does not complete in time fails with "timed out" (exit 1)', async () => {
    // A listener whose queue (backlog 0) one connection fills: the kernel drops further SYNs.
    const server = pyListener(0, 1, true);
    const port = await portOf(server);
    const r = Child.bsdsock(['connect', '-w', '0.5', '127.0.0.1', String(port)]);
    r.input();
    expect(await r.ended).toEqual({ code: 1, signal: null });
    expect(r.stderr).toBe(`bsdsock connect: connect to 127.0.0.1 port ${port} (tcp) failed: ${pythonValue<string>("str(TimeoutError('timed out'))")}\n`);
    server.kill('SIGTERM');
    await server.ended;
  });

  it('-z scans: an open port succeeds with -v and gets no bytes; exit 0', async () => {
    const server = pyListener();
    const port = await portOf(server);
    const r = bsdsock(['connect', '-zv', '127.0.0.1', String(port)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^bsdsock connect: Connection to 127\\.0\\.0\\.1 ${port} port \\[tcp/[^\\]]+\\] succeeded!\n$`));
    expect(await server.ended).toEqual({ code: 0, signal: null });
    expect(server.stdout).toBe(`${port}\nb''\n`);
  });

  it('-z over a range: each closed port a failure line with -v, nothing without; exit 1 when none is open', () => {
    // Two ports bound but not listening: connecting to them is refused.
    const held: ReturnType<typeof socket>[] = [];
    using _ = { [Symbol.dispose]: () => held.forEach((h) => h.close()) };
    let low = 0;
    for (let tries = 0; tries < 20 && low === 0; tries++) {
      const a = socket(AF_INET, SOCK_STREAM);
      a.bind(['127.0.0.1', 0]);
      held.push(a);
      const next = socket(AF_INET, SOCK_STREAM);
      held.push(next);
      try {
        next.bind(['127.0.0.1', a.getsockname()[1] + 1]);
        low = a.getsockname()[1];
      } catch {
        // that neighbour is taken: try another pair
      }
    }
    expect(low).not.toBe(0);
    const range = `${low}-${low + 1}`;
    const quiet = bsdsock(['connect', '-z', '127.0.0.1', range]);
    expect(quiet).toEqual({ status: 1, stdout: '', stderr: '' });
    const refused = pythonValue<string>('str(ConnectionRefusedError(errno.ECONNREFUSED, os.strerror(errno.ECONNREFUSED)))', 'import errno, os');
    const verbose = bsdsock(['connect', '-z', '-v', '127.0.0.1', range]);
    expect(verbose.status).toBe(1);
    expect(verbose.stderr).toBe(
      [low, low + 1].map((p) => `bsdsock connect: connect to 127.0.0.1 port ${p} (tcp) failed: ${refused}\n`).join(''),
    );
  });

  it('a Unix socket path that does not exist is named in the error', () => {
    using dir = tempDir();
    const where = path.join(dir.path, 'absent.sock');
    const expected = pythonValue<string>(`str(FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT)))`, 'import errno, os');
    const r = bsdsock(['connect', '--unix', where]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock connect: connect to ${where} failed: ${expected}\n`);
  });

  it('a host the resolver does not know names the host and port', () => {
    const expected = python('import socket', { e: "socket.getaddrinfo('no.such.host.invalid', 80, 0, socket.SOCK_STREAM)" }).e as { message: string };
    const r = bsdsock(['connect', 'no.such.host.invalid', '80']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock connect: getaddrinfo for host 'no.such.host.invalid' port 80 (tcp) failed: ${expected.message}\n`);
  });
});

describe('bsdsock listen: errors name the address', () => {
  it('a TCP port in use', () => {
    using holder = socket(AF_INET, SOCK_STREAM);
    holder.bind(['127.0.0.1', 0]);
    holder.listen();
    const port = holder.getsockname()[1];
    const inUse = pythonValue<string>('str(OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE)))', 'import errno, os');
    const r = bsdsock(['listen', '127.0.0.1', String(port)]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bsdsock listen: bind to 127.0.0.1 port ${port} (tcp) failed: ${inUse}\n`);
  });

  it('--unix on a socket file left by an earlier run says so, and how to remove it; the file stays', () => {
    using dir = tempDir();
    const where = path.join(dir.path, 'stale.sock');
    const stale = socket(AF_UNIX, SOCK_STREAM);
    stale.bind(where);
    stale.close(); // the file stays, and nothing listens on it
    const inUse = pythonValue<string>('str(OSError(errno.EADDRINUSE, os.strerror(errno.EADDRINUSE)))', 'import errno, os');
    const r = bsdsock(['listen', '--unix', where]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `bsdsock listen: bind to ${where} failed: ${inUse}; the file exists and nothing listens on it (left by an earlier run?): remove it with rm ${where}\n`,
    );
    expect(fs.existsSync(where)).toBe(true);
  });

  it('--unix on a path another process listens on says that', () => {
    using dir = tempDir();
    const where = path.join(dir.path, 'live.sock');
    using live = socket(AF_UNIX, SOCK_STREAM);
    live.bind(where);
    live.listen();
    const r = bsdsock(['listen', '--unix', where]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/; another process is listening on it\n$/);
    expect(fs.existsSync(where)).toBe(true);
  });
});
