// The checks SECURITY.md promises: every fd bsdsock creates or receives is
// close-on-exec (read from /proc, not from bsdsock's own get_inheritable), no
// source file of the library starts processes, and AF_UNIX names are
// length-checked before the kernel sees them.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  dup,
  fromfd,
  OSError,
  recv_fds,
  send_fds,
  SOCK_DGRAM,
  SOCK_STREAM,
  socket,
  socketpair,
  type Socket,
} from 'bsdsock';
import { sock_accept, sock_connect, sock_recv_fds, sock_send_fds } from 'bsdsock/asyncio';
import { epoll } from 'bsdsock/select';
import { EpollSelector } from 'bsdsock/selectors';

import { closing, owned, ROOT, tcpPair, tempDir, thrown } from './helpers/sockets';
import { expected, outcome, python } from './helpers/python';

/** O_CLOEXEC as /proc/<pid>/fdinfo prints it (octal flags). */
const O_CLOEXEC = 0o2000000;

/** Whether fd `fd` of this process has FD_CLOEXEC, as the kernel reports it. */
function closeOnExec(fd: number): boolean {
  const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  const flags = /^flags:\s+([0-7]+)/m.exec(info);
  if (!flags) throw new Error(`no flags in /proc/self/fdinfo/${fd}`);
  return (parseInt(flags[1]!, 8) & O_CLOEXEC) !== 0;
}

const onLinux = process.platform === 'linux';

/** `s` with FD_CLOEXEC cleared. */
function inheritable<S extends Socket<string>>(s: S): S {
  s.set_inheritable(true);
  return s;
}

describe.runIf(onLinux)('every fd bsdsock makes is close-on-exec', () => {
  it('socket() of each family and type', () => {
    for (const family of [AF_INET, AF_INET6, AF_UNIX]) {
      for (const type of [SOCK_STREAM, SOCK_DGRAM]) {
        using s = socket(family, type);
        expect(closeOnExec(s.fileno()), `family ${family} type ${type}`).toBe(true);
      }
    }
  });

  it('accept(), socketpair(), socket.dup(), dup(fd) and fromfd()', () => {
    using p = tcpPair();
    using pair = owned(socketpair());
    using copy = p.client.dup();
    using f = fromfd(p.client.fileno(), AF_INET, SOCK_STREAM);
    const raw = dup(p.client.fileno());
    try {
      for (const fd of [p.server.fileno(), pair[0].fileno(), pair[1].fileno(), copy.fileno(), f.fileno(), raw]) {
        expect(closeOnExec(fd), `fd ${fd}`).toBe(true);
      }
    } finally {
      fs.closeSync(raw);
    }
  });

  it('fds received with recv_fds and recvmsg(SCM_RIGHTS) (the sender passed fds without FD_CLOEXEC)', () => {
    using pair = owned(socketpair());
    // Inheritable fds: the flag on the received ones is then bsdsock's doing.
    using x = inheritable(socket(AF_INET, SOCK_DGRAM));
    using y = inheritable(socket(AF_UNIX, SOCK_STREAM));
    const sent = [x.fileno(), y.fileno()];
    {
      expect(sent.map(closeOnExec)).toEqual([false, false]);
      send_fds(pair[0], [Buffer.from('x')], sent);
      const [, fds] = recv_fds(pair[1], 1, 4);
      expect(fds).toHaveLength(2);
      for (const fd of fds) {
        expect(closeOnExec(fd)).toBe(true);
        fs.closeSync(fd);
      }
      send_fds(pair[0], [Buffer.from('y')], sent);
      const [, ancdata] = pair[1].recvmsg(1, 64);
      const received: number[] = [];
      for (const [, , data] of ancdata) for (let i = 0; i + 4 <= data.length; i += 4) received.push(data.readInt32LE(i));
      expect(received).toHaveLength(2);
      for (const fd of received) {
        expect(closeOnExec(fd)).toBe(true);
        fs.closeSync(fd);
      }
    }
  });

  it('asyncio sock_accept and sock_recv_fds, epoll and EpollSelector', async () => {
    using listener = socket(AF_INET, SOCK_STREAM);
    listener.bind(['127.0.0.1', 0]);
    listener.listen();
    listener.setblocking(false);
    using client = socket(AF_INET, SOCK_STREAM);
    client.setblocking(false);
    const [[conn]] = await Promise.all([sock_accept(listener), sock_connect(client, listener.getsockname())]);
    using _ = closing(conn);
    expect(closeOnExec(conn.fileno()), 'sock_accept').toBe(true);

    using pair = owned(socketpair());
    for (const s of pair) s.setblocking(false);
    using file = inheritable(socket(AF_INET, SOCK_DGRAM));
    await sock_send_fds(pair[0], [Buffer.from('z')], [file.fileno()]);
    const [, fds] = await sock_recv_fds(pair[1], 1, 1);
    expect(fds).toHaveLength(1);
    expect(closeOnExec(fds[0]!), 'sock_recv_fds').toBe(true);
    fs.closeSync(fds[0]!);

    const ep = new epoll();
    try {
      expect(closeOnExec(ep.fileno()), 'epoll').toBe(true);
    } finally {
      ep.close();
    }
    const sel = new EpollSelector();
    try {
      expect(closeOnExec(sel.fileno()), 'EpollSelector').toBe(true);
    } finally {
      sel.close();
    }
  });
});

/** The library's own source: the Rust crates and the TypeScript API. */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      // build.rs runs at build time (it may run the C compiler), never in a program using bsdsock.
      else if (/\.(rs|ts)$/.test(entry.name) && entry.name !== 'build.rs') out.push(p);
    }
  };
  for (const dir of ['crates', 'ts']) walk(path.join(ROOT, dir));
  return out;
}

/** What starts a process or runs a shell, in Rust, C via libc, or Node. */
const SHELLS_OUT = [
  /std::process::Command/,
  /\bCommand::new\b/,
  /libc::(system|popen|fork|vfork|execv\w*|execl\w*|posix_spawn\w*)\b/,
  /\bfrom ['"](node:)?child_process['"]/,
  /\brequire\(['"](node:)?child_process['"]\)/,
];

describe('nothing in the library starts a process', () => {
  it('no source file of crates/ or ts/ names a process-spawning API', () => {
    const files = sourceFiles();
    // The scan covers the library: the addon's N-API layer, the core and the TypeScript API.
    expect(files.some((f) => f.endsWith(path.join('crates', 'core', 'src', 'sock.rs')))).toBe(true);
    expect(files.some((f) => f.endsWith(path.join('ts', 'socket.ts')))).toBe(true);
    const hits = files.flatMap((f) =>
      fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (SHELLS_OUT.some((re) => re.test(line)) ? [`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it('the scan finds what it looks for', () => {
    for (const line of ['let c = std::process::Command::new("sh");', "import { spawn } from 'node:child_process';", 'unsafe { libc::execvp(p, a) }']) {
      expect(SHELLS_OUT.some((re) => re.test(line)), line).toBe(true);
    }
  });
});

describe('AF_UNIX names are length-checked', () => {
  it("a path of sun_path's size is refused before the kernel sees it, as in Python; an abstract name may fill it", () => {
    using dir = tempDir();
    const room = 108; // sizeof(sockaddr_un.sun_path) on Linux
    const long = path.join(dir.path, 'x'.repeat(room - dir.path.length - 1));
    expect(Buffer.byteLength(long)).toBe(room);
    const py = python('import socket', { bind: `socket.socket(socket.AF_UNIX).bind(${JSON.stringify(long)})` });
    using s = socket(AF_UNIX, SOCK_STREAM);
    expect(outcome(() => s.bind(long))).toEqual(expected(py.bind!));
    expect('error' in py.bind!).toBe(true);
    expect(fs.existsSync(long)).toBe(false);

    if (onLinux) {
      using a = socket(AF_UNIX, SOCK_STREAM);
      const name = Buffer.concat([Buffer.from([0]), Buffer.alloc(room - 1, 'a')]);
      a.bind(name);
      expect(Buffer.from(a.getsockname() as Uint8Array)).toEqual(name);
      using b = socket(AF_UNIX, SOCK_STREAM);
      expect(thrown(() => b.bind(Buffer.concat([name, Buffer.from('b')])))).toBeInstanceOf(OSError);
    }
  });
});
