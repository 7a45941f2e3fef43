'use strict';
// The differential fuzzer's interpreter for bsdsock: runs programs of steps
// (test/diff/steps.md) over bsdsock, one program per line of stdin
// ({"tmp": dir, "steps": [...]}), and writes one line per step
// ({"i": index, "r": result}) and {"end": true} after the last, so that the
// side that runs them can tell which step hung.
//
// test/diff/interp.py is the same interpreter over CPython: the two must stay
// step for step alike, each in its own language.
//
// argv: ROOT (the package to load).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const ROOT = process.argv[2] ?? path.join(__dirname, '..', '..');
const socket = require(ROOT);
const select = require(path.join(ROOT, 'dist/cjs/select.js'));
const selectors = require(path.join(ROOT, 'dist/cjs/selectors.js'));
const asyncio = require(path.join(ROOT, 'dist/cjs/asyncio.js'));

/** A step names a slot that holds nothing: the same outcome on both sides. */
class NoSuch extends Error {}

/** An asyncio step that did not end within AIO_DEADLINE_MS: reported alike on both sides, never generated. */
class Deadline extends Error {}

/** How long an asyncio step may take (run.mjs's step limit is longer). */
const AIO_DEADLINE_MS = 2000;

/**
 * Turns of the event loop after each step of a program with streams: enough for a transport to read what has
 * arrived, then the end of the stream, and to finish closing (connection_lost comes a turn after).
 */
const SETTLE_TURNS = 5;

/**
 * Turns of the loop at most, after those, while a datagram transport that reads has datagrams waiting (asyncio
 * reads one at each readiness, so a queue of many takes it as many turns).
 */
const DGRAM_TURNS = 64;

/** An address in an error message (asyncio's "Connect call failed ('127.0.0.1', 40000)"): its port is named. */
const ADDRESS_IN_MESSAGE = /\('([0-9a-f.:]+)', (\d+)/g;

/**
 * An fd in a socket's repr (open_connection's "A Stream Socket was expected, got <socket.socket fd=5, ...>"),
 * and an autobind address there (b'\x0054bdb'): named as in addresses.
 */
const FD_IN_MESSAGE = /fd=\d+/g;
const ABSTRACT_IN_MESSAGE = /b'\\x00([0-9a-f]{5})'/g;

/** n bytes of printable ASCII with a newline every 16th byte. */
function payload(n, seed) {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = (seed + i) % 16 === 15 ? 10 : 97 + ((seed + i) % 26);
  return out;
}

function constant(name) {
  const v = socket[name];
  if (v === undefined) throw new NoSuch(`constant ${name}`);
  return v;
}

/**
 * Whether a step passes its integer arguments as bigints (Python's int of any size): a quarter of the
 * steps, chosen by a hash of the step's JSON, so that a reported program runs the same way again.
 */
function bigStep(step) {
  let h = 0;
  for (const c of JSON.stringify(step)) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return (h & 3) === 0;
}

function flagsOf(names) {
  let f = 0;
  for (const name of names ?? []) f |= constant(name);
  return f;
}

const SCM_RIGHTS_ITEM = 4;

class Program {
  constructor(tmp) {
    this.tmp = tmp;
    this.socks = new Map();
    this.files = new Map();
    this.fds = [];
    this.names = new Map();
    this.protocol = 'tcp';
    this.addrs = new Map();
    this.signals = 0;
    this.sent = 0;
    this.helpers = [];
    /** The program's epoll object (epoll_new), or null. */
    this.epoll = null;
    /** Stream slots: [reader, writer] of st_open; every writer ever made, to abort at the end. */
    this.streams = new Map();
    this.writers = [];
    /** Datagram transport slots: [transport, Recorder] of dg_open; every transport ever made, to abort at the end. */
    this.dgrams = new Map();
    this.dgTransports = [];
    /** How many events the datagram protocols were told, all told. */
    this.dgEvents = 0;
  }

  // Values as both interpreters report them.

  port(p, host) {
    // Named within its space: the same number in another family or protocol is another port, which the
    // kernel may hand out at the same time (two connects to different listeners, a TCP and a UDP socket).
    return p === 0 ? 0 : this.ephemeral('port', `${host.includes(':') ? 'v6' : 'v4'} ${this.protocol} ${p}`);
  }

  /** A name the kernel picked (a port, an autobind address), named by order of appearance. */
  ephemeral(kind, value) {
    const key = `${kind} ${value}`;
    if (!this.names.has(key)) this.names.set(key, `${kind}${[...this.names.keys()].filter((k) => k.startsWith(`${kind} `)).length}`);
    return this.names.get(key);
  }

  addr(a) {
    if (Array.isArray(a)) return [a[0], this.port(a[1], a[0]), ...a.slice(2)];
    if (typeof a === 'string' && a.startsWith(this.tmp)) return `$TMP${a.slice(this.tmp.length)}`;
    if (a instanceof Uint8Array) return this.ephemeral('abstract', Buffer.from(a).toString('hex'));
    return a;
  }

  /** The socket (a TransportSocket) as its repr, its fd and ports named; an address as addr() gives it. */
  extra(v, name) {
    return name === 'socket' ? this.portsIn(String(v).replaceAll(this.tmp, '$TMP')) : this.addr(v);
  }

  portsIn(msg) {
    return msg
      .replace(FD_IN_MESSAGE, 'fd=N')
      .replace(ABSTRACT_IN_MESSAGE, (_, name) => this.ephemeral('abstract', `00${Buffer.from(name, 'latin1').toString('hex')}`))
      .replace(ADDRESS_IN_MESSAGE, (_, host, p) => `('${host}', ${this.port(Number(p), host)}`);
  }

  /** An integer argument as the API gets it: a bigint in a step bigStep() picked. */
  int(v) {
    return this.big && Number.isInteger(v) ? BigInt(v) : v;
  }

  /** flagsOf(names) as an argument. */
  flags(names) {
    return this.int(flagsOf(names));
  }

  value(v) {
    if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
    if (typeof v === 'string') return { str: v };
    if (Array.isArray(v)) return v.map((x) => this.value(x));
    return v === undefined ? null : v;
  }

  // Slots.

  sock(s) {
    if (!this.socks.has(s)) throw new NoSuch(`socket slot ${s}`);
    return this.socks.get(s);
  }

  put(s, sock) {
    this.socks.get(s)?.close();
    this.socks.set(s, sock);
  }

  file(m) {
    if (!this.files.has(m)) throw new NoSuch(`file slot ${m}`);
    return this.files.get(m);
  }

  epollObject() {
    if (this.epoll === null) throw new NoSuch('epoll');
    return this.epoll;
  }

  /** The slot of the open socket whose fd is `fd`; -1 for an fd no slot holds open. */
  slotOfFd(fd) {
    for (const [t, sock] of this.socks) if (sock.fileno() === fd) return t;
    return -1;
  }

  fd(f) {
    if (f >= this.fds.length || this.fds[f] === null) throw new NoSuch(`fd slot ${f}`);
    return this.fds[f];
  }

  address(step) {
    const a = step.addr;
    if (a.kind === 'inet') return ['127.0.0.1', 0];
    if (a.kind === 'inet6') return ['::1', 0];
    if (a.kind === 'unix') return path.join(this.tmp, a.name);
    return this.addressOf(a.t);
  }

  /** The address of slot t's socket, its host replaced by the step's `host` unless null (a name both sides resolve). */
  named(step) {
    const a = this.addressOf(step.t);
    return step.host === undefined || step.host === null ? a : [step.host, ...a.slice(1)];
  }

  /** Where slot t's socket is bound, as last seen after a step. */
  addressOf(t) {
    if (!this.addrs.has(t)) throw new NoSuch(`address of slot ${t}`);
    return this.addrs.get(t);
  }

  /** After each step: the address of each slot's socket, while it has one. */
  noteAddresses() {
    for (const [t, sock] of this.socks) {
      try {
        this.addrs.set(t, sock.getsockname());
      } catch (e) {
        if (!(e instanceof socket.OSError)) throw e;
      }
    }
  }

  async closeAll() {
    // Each stream's transport first, so that it lets its socket go before the socket closes.
    for (const writer of this.writers) writer.transport.abort();
    for (const t of this.dgTransports) t.abort();
    if (this.writers.length > 0 || this.dgTransports.length > 0) await this.settle();
    for (const f of this.files.values()) {
      try {
        f.close();
      } catch {
        // A file whose flush fails is closed all the same.
      }
    }
    for (const s of this.socks.values()) s.close();
    for (const fd of this.fds) if (fd !== null) socket.close(fd);
    this.epoll?.close();
    // No signal of this program may reach the next.
    await this.waitSignals();
  }

  // Steps.

  async run(step) {
    this.big = bigStep(step);
    const op = step.op;
    const s = step.s;
    // The protocol of the ports this step reports: its socket's (a stream's socket is TCP).
    const sock = step.w === undefined ? this.socks.get(s) : undefined;
    this.protocol = sock !== undefined && sock.type === socket.SOCK_DGRAM ? 'udp' : 'tcp';
    switch (op) {
      case 'socket':
        return this.put(s, socket.socket(constant(step.family), constant(step.type)));
      case 'socketpair': {
        const [a, b] = socket.socketpair(constant(step.family), constant(step.type));
        this.put(s, a);
        return this.put(step.t, b);
      }
      case 'bind':
        return this.sock(s).bind(this.address(step));
      case 'listen':
        return this.sock(s).listen(this.int(step.backlog));
      case 'connect':
        return this.sock(s).connect(this.named(step));
      case 'connect_ex':
        return this.sock(s).connect_ex(this.named(step));
      case 'accept': {
        const [conn, a] = this.sock(s).accept();
        this.put(step.into, conn);
        return this.addr(a);
      }
      case 'send':
        return this.sock(s).send(payload(step.n, step.seed), this.flags(step.flags));
      case 'sendall':
        return this.sock(s).sendall(payload(step.n, step.seed), this.flags(step.flags));
      case 'sendto':
        return this.sock(s).sendto(payload(step.n, step.seed), this.flags(step.flags), this.named(step));
      case 'sendmsg': {
        const buffers = step.sizes.map((n, i) => payload(n, step.seed + i));
        const anc = [];
        if (step.fds?.length) {
          const fds = step.fds.map((x) => this.sock(x).fileno());
          anc.push([socket.SOL_SOCKET, socket.SCM_RIGHTS, Buffer.from(new Int32Array(fds).buffer)]);
        }
        const to = step.t === undefined || step.t === null ? null : this.addressOf(step.t);
        if (to === null) return this.sock(s).sendmsg(buffers, anc, this.flags(step.flags));
        return this.sock(s).sendmsg(buffers, anc, this.flags(step.flags), to);
      }
      case 'recv':
        return this.value(this.sock(s).recv(this.int(step.n), this.flags(step.flags)));
      case 'recvfrom': {
        const [data, a] = this.sock(s).recvfrom(this.int(step.n), this.flags(step.flags));
        return [this.value(data), this.addr(a)];
      }
      case 'recv_into': {
        const buf = Buffer.alloc(step.size);
        const n = this.sock(s).recv_into(buf, this.int(step.nbytes), this.flags(step.flags));
        return [n, this.value(buf)];
      }
      case 'recvfrom_into': {
        const buf = Buffer.alloc(step.size);
        const [n, a] = this.sock(s).recvfrom_into(buf, this.int(step.nbytes), this.flags(step.flags));
        return [n, this.value(buf), this.addr(a)];
      }
      case 'recvmsg': {
        const [data, anc, flags, a] = this.sock(s).recvmsg(this.int(step.n), this.int(step.anc), this.flags(step.flags));
        return [this.value(data), anc.map((x) => this.ancillary(x)), flags, this.addr(a)];
      }
      case 'recvmsg_into': {
        const bufs = step.sizes.map((n) => Buffer.alloc(n));
        const [n, anc, flags, a] = this.sock(s).recvmsg_into(bufs, this.int(step.anc), this.flags(step.flags));
        return [n, bufs.map((b) => this.value(b)), anc.map((x) => this.ancillary(x)), flags, this.addr(a)];
      }
      case 'sendmmsg': {
        // The socket's slot first, as interp.py looks it up before the addresses.
        const sock = this.sock(s);
        const msgs = step.msgs.map((x) => (x.t === null ? [payload(x.n, x.seed)] : [payload(x.n, x.seed), this.addressOf(x.t)]));
        return sock.sendmmsg(msgs, this.flags(step.flags));
      }
      case 'recvmmsg':
        return this.sock(s).recvmmsg(this.int(step.count), this.int(step.bufsize), this.flags(step.flags)).map(([data, a]) => [this.value(data), this.addr(a)]);
      case 'recvmmsg_into': {
        const bufs = step.sizes.map((n) => Buffer.alloc(n));
        return this.sock(s).recvmmsg_into(bufs, this.flags(step.flags)).map(([n, a], i) => [[n, this.value(bufs[i])], this.addr(a)]);
      }
      case 'setblocking':
        return this.sock(s).setblocking(step.flag);
      case 'settimeout':
        return this.sock(s).settimeout(this.int(step.t));
      case 'gettimeout':
        return this.sock(s).gettimeout();
      case 'getblocking':
        return this.sock(s).getblocking();
      case 'setsockopt': {
        const v = typeof step.value === 'object' ? Buffer.from(step.value.hex, 'hex') : this.int(step.value);
        return this.sock(s).setsockopt(constant(step.level), constant(step.name), v);
      }
      case 'getsockopt':
        if (step.buflen) return this.value(this.sock(s).getsockopt(constant(step.level), constant(step.name), this.int(step.buflen)));
        return this.sock(s).getsockopt(constant(step.level), constant(step.name));
      case 'dup':
        return this.put(step.into, this.sock(s).dup());
      case 'detach': {
        const fd = this.sock(s).detach();
        if (fd < 0) return fd;
        this.fds.push(fd);
        return 'fd';
      }
      case 'close':
        return this.sock(s).close();
      case 'fileno': {
        const fd = this.sock(s).fileno();
        return fd >= 0 ? 'fd' : fd;
      }
      case 'fromfd':
        return this.put(step.into, socket.fromfd(this.sock(s).fileno(), constant(step.family), constant(step.type)));
      case 'adopt': {
        const fd = this.fd(step.f);
        const sock = socket.socket(undefined, undefined, undefined, fd);
        this.fds[step.f] = null;
        this.put(step.into, sock);
        return [sock.family, sock.type];
      }
      case 'closefd': {
        const fd = this.fd(step.f);
        this.fds[step.f] = null;
        return socket.close(fd);
      }
      case 'shutdown':
        return this.sock(s).shutdown(constant(step.how));
      case 'getsockname':
        return this.addr(this.sock(s).getsockname());
      case 'getpeername':
        return this.addr(this.sock(s).getpeername());
      case 'makefile': {
        // The new file takes the slot before the old one closes (a close may throw, flushing):
        // a file nobody holds would stay open here, while CPython's refcounting closes it at once.
        const f = this.sock(s).makefile(step.mode, this.int(step.buffering));
        const old = this.files.get(step.m);
        this.files.set(step.m, f);
        old?.close();
        return null;
      }
      case 'fread':
        return this.value(this.file(step.m).read(this.int(step.n)));
      case 'freadline':
        return this.value(this.file(step.m).readline());
      case 'fwrite': {
        const f = this.file(step.m);
        const data = payload(step.n, step.seed);
        return f.write(f.constructor.name === 'TextIOWrapper' ? data.toString('latin1') : data);
      }
      case 'fflush':
        return this.file(step.m).flush();
      case 'fclose':
        return this.file(step.m).close();
      case 'select': {
        const [r, w, x] = select.select(step.r.map((t) => this.sock(t)), step.w.map((t) => this.sock(t)), [], 0);
        return [this.slots(r), this.slots(w), this.slots(x)];
      }
      case 'poll': {
        const p = select.poll();
        const fds = new Map();
        for (const [t, mask] of step.regs) {
          fds.set(this.sock(t).fileno(), t);
          p.register(this.sock(t), this.int(mask));
        }
        return sortPairs(p.poll(0).map(([fd, ev]) => [fds.get(fd), ev]));
      }
      case 'selector': {
        const sel = new selectors.DefaultSelector();
        try {
          for (const [t, events] of step.regs) sel.register(this.sock(t), this.int(events), t);
          return sortPairs(sel.select(0).map(([key, ev]) => [key.data, ev]));
        } finally {
          sel.close();
        }
      }
      case 'sendfile': {
        const file = path.join(this.tmp, 'sendfile');
        fs.writeFileSync(file, payload(step.n, step.seed));
        const fd = fs.openSync(file, 'r');
        try {
          const sent = this.sock(s).sendfile(fd, this.int(step.offset), this.int(step.count));
          return [sent, restOf(fd)];
        } finally {
          fs.closeSync(fd);
        }
      }
      case 'epoll_new':
        this.epoll?.close();
        this.epoll = new select.epoll();
        return null;
      case 'epoll_ctl': {
        const ep = this.epollObject();
        if (step.how === 'unregister') return ep.unregister(this.sock(s));
        return ep[step.how](this.sock(s), this.int(step.mask));
      }
      case 'epoll_poll':
        return sortPairs(this.epollObject().poll(0, this.int(step.maxevents)).map(([fd, ev]) => [this.slotOfFd(fd), ev]));
      case 'epoll_close':
        return this.epollObject().close();
      case 'setdefaulttimeout':
        return socket.setdefaulttimeout(this.int(step.t));
      case 'getdefaulttimeout':
        return socket.getdefaulttimeout();
      case 'sig_install':
        // As signal.signal does, a second install replaces the first.
        process.removeListener('SIGUSR1', this.onSignal);
        process.on('SIGUSR1', this.onSignal);
        return null;
      case 'sig_raise':
        this.sent += 1;
        process.kill(process.pid, 'SIGUSR1');
        return null;
      case 'sig_later':
        this.sent += 1;
        this.helpers.push(spawn('sh', ['-c', `sleep ${step.ms / 1000}; kill -USR1 ${process.pid}`], { stdio: 'ignore' }));
        return null;
      case 'sig_count':
        return this.waitSignals();
      default:
        if (op.startsWith('aio_')) return this.runAio(op, step);
        if (op.startsWith('st_')) return this.runStream(op, step);
        if (op.startsWith('dg_')) return this.runDgram(op, step);
        throw new NoSuch(`op ${op}`);
    }
  }

  /** Runs one asyncio operation (`call(options)`) to its end, AIO_DEADLINE_MS at most. */
  async aio(call) {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), AIO_DEADLINE_MS);
    try {
      return await call({ signal: deadline.signal });
    } catch (e) {
      if (deadline.signal.aborted && e?.name === 'AbortError') throw new Deadline('step deadline');
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  async runAio(op, step) {
    const sock = this.sock(step.s);
    switch (op) {
      case 'aio_recv':
        return this.value(await this.aio((o) => asyncio.sock_recv(sock, this.int(step.n), o)));
      case 'aio_recv_into': {
        // sock_recv_into has no nbytes: it gets a view of the buffer's first nbytes (0: all of it).
        const buf = Buffer.alloc(step.size);
        const n = await this.aio((o) => asyncio.sock_recv_into(sock, buf.subarray(0, step.nbytes || step.size), o));
        return [n, this.value(buf)];
      }
      case 'aio_recvfrom': {
        const [data, a] = await this.aio((o) => asyncio.sock_recvfrom(sock, this.int(step.n), o));
        return [this.value(data), this.addr(a)];
      }
      case 'aio_recvfrom_into': {
        const buf = Buffer.alloc(step.size);
        const [n, a] = await this.aio((o) => asyncio.sock_recvfrom_into(sock, buf, this.int(step.nbytes), o));
        return [n, this.value(buf), this.addr(a)];
      }
      case 'aio_sendall':
        return this.aio((o) => asyncio.sock_sendall(sock, payload(step.n, step.seed), o));
      case 'aio_sendto':
        return this.aio((o) => asyncio.sock_sendto(sock, payload(step.n, step.seed), this.named(step), o));
      case 'aio_accept': {
        const [conn, a] = await this.aio((o) => asyncio.sock_accept(sock, o));
        this.put(step.into, conn);
        return this.addr(a);
      }
      case 'aio_connect': {
        const to = this.named(step);
        return this.aio((o) => asyncio.sock_connect(sock, to, o));
      }
      default:
        throw new NoSuch(`op ${op}`);
    }
  }

  /**
   * SETTLE_TURNS turns of the loop (each through its poll phase), and more while a datagram transport has
   * datagrams to read: the transports read what has arrived and finish closing.
   */
  async settle() {
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < SETTLE_TURNS; i++) await turn();
    if (this.dgTransports.length === 0) return;
    // Then until a turn tells the datagram protocols nothing and no datagrams wait to be read: asyncio sends the
    // datagrams its transport kept one a turn where each fails (error_received), and says resume_writing a turn after.
    for (let i = 0; i < DGRAM_TURNS; i++) {
      const told = this.dgEvents;
      await turn();
      if (this.dgEvents === told && !this.datagramsWaiting()) break;
    }
  }

  /** Whether a datagram transport that reads has its socket readable. */
  datagramsWaiting() {
    const socks = this.dgTransports.filter((t) => t.is_reading()).map((t) => t.get_extra_info('socket')).filter((s) => s.fileno() >= 0);
    return socks.length > 0 && select.select(socks, [], [], 0)[0].length > 0;
  }

  dgram(d) {
    if (!this.dgrams.has(d)) throw new NoSuch(`datagram slot ${d}`);
    return this.dgrams.get(d);
  }

  /** asyncio's datagram transports: create_datagram_endpoint({ sock }) with a protocol that records. */
  async runDgram(op, step) {
    if (op === 'dg_open' || op === 'dg_endpoint') {
      // Over slot s's socket, or a socket of its own connected to slot t's address.
      const [remote, options] = op === 'dg_open' ? [undefined, { sock: this.sock(step.s) }] : [this.named(step), {}];
      const [t, p] = await this.within(asyncio.create_datagram_endpoint(() => new Recorder(this), undefined, remote, options));
      this.dgrams.set(step.d, [t, p]);
      this.dgTransports.push(t);
      return null;
    }
    const [t, p] = this.dgram(step.d);
    switch (op) {
      case 'dg_sendto': {
        const data = payload(step.n, step.seed);
        return step.t === null ? t.sendto(data) : t.sendto(data, this.named(step));
      }
      case 'dg_events': {
        const events = p.events;
        p.events = [];
        return events;
      }
      case 'dg_pause':
        return t.pause_reading();
      case 'dg_resume':
        return t.resume_reading();
      case 'dg_is_reading':
        return t.is_reading();
      case 'dg_is_closing':
        return t.is_closing();
      case 'dg_close':
        return t.close();
      case 'dg_abort':
        return t.abort();
      case 'dg_get_extra_info':
        return this.extra(t.get_extra_info(step.name), step.name);
      default:
        throw new NoSuch(`op ${op}`);
    }
  }

  /** Awaits a stream operation, AIO_DEADLINE_MS at most; it takes no AbortSignal, so one past the deadline is left behind. */
  async within(promise) {
    promise.catch(() => {});
    let timer;
    const late = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Deadline('step deadline')), AIO_DEADLINE_MS);
    });
    try {
      return await Promise.race([promise, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  stream(w) {
    if (!this.streams.has(w)) throw new NoSuch(`stream slot ${w}`);
    return this.streams.get(w);
  }

  /** asyncio's streams: StreamReader and StreamWriter of open_connection({ sock }). */
  async runStream(op, step) {
    if (op === 'st_open') {
      const sock = this.sock(step.s);
      const [reader, writer] = await this.within(asyncio.open_connection(undefined, undefined, { sock, limit: step.limit }));
      this.streams.set(step.w, [reader, writer]);
      this.writers.push(writer);
      return null;
    }
    const [reader, writer] = this.stream(step.w);
    switch (op) {
      case 'st_read':
        return this.value(await this.within(reader.read(this.int(step.n))));
      case 'st_readline':
        return this.value(await this.within(reader.readline()));
      case 'st_readexactly':
        return this.value(await this.within(reader.readexactly(this.int(step.n))));
      case 'st_readuntil':
        return this.value(await this.within(reader.readuntil(Buffer.from(step.sep, 'latin1'))));
      case 'st_at_eof':
        return reader.at_eof();
      case 'st_write':
        return writer.write(payload(step.n, step.seed));
      case 'st_writelines':
        return writer.writelines(step.sizes.map((n, i) => payload(n, step.seed + i)));
      case 'st_drain':
        return this.within(writer.drain());
      case 'st_write_eof':
        return writer.write_eof();
      case 'st_can_write_eof':
        return writer.can_write_eof();
      case 'st_close':
        writer.close();
        return this.within(writer.wait_closed());
      case 'st_is_closing':
        return writer.is_closing();
      case 'st_get_extra_info':
        return this.extra(writer.get_extra_info(step.name), step.name);
      default:
        throw new NoSuch(`op ${op}`);
    }
  }

  /** Waits (2 s at most) for every signal sent to reach the listener; the count. */
  async waitSignals() {
    await Promise.all(this.helpers.map(exited));
    this.helpers = [];
    const deadline = Date.now() + 2000;
    while (this.signals < this.sent && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
    return this.signals;
  }

  onSignal = () => {
    this.signals += 1;
  };

  slots(socks) {
    return [...this.socks].filter(([, sock]) => socks.includes(sock)).map(([t]) => t).sort((a, b) => a - b);
  }

  ancillary([level, kind, data]) {
    if (level === socket.SOL_SOCKET && kind === socket.SCM_RIGHTS) {
      const n = Math.floor(data.length / SCM_RIGHTS_ITEM);
      for (let i = 0; i < n; i++) this.fds.push(data.readInt32LE(SCM_RIGHTS_ITEM * i));
      return ['SCM_RIGHTS', n];
    }
    if (level === socket.SOL_SOCKET && kind === socket.SCM_CREDENTIALS && data.length >= 12) {
      // The sender's pid is each interpreter's own: named, not compared as a number.
      const pid = data.readInt32LE(0);
      return ['SCM_CREDENTIALS', pid === process.pid ? 'self' : pid, data.readUInt32LE(4), data.readUInt32LE(8)];
    }
    return [level, kind, this.value(data)];
  }
}

/** How many bytes of the file are left to read from its position (reading them). */
function restOf(fd) {
  const buf = Buffer.alloc(4096);
  let rest = 0;
  for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) rest += n;
  return rest;
}

function sortPairs(pairs) {
  return pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
}

/** What a datagram transport tells its protocol, for dg_events: datagrams, errors, flow control, the end. */
class Recorder extends asyncio.DatagramProtocol {
  constructor(program) {
    super();
    this.program = program;
    this.events = [];
  }

  record(event) {
    this.events.push(event);
    this.program.dgEvents += 1;
  }

  datagram_received(data, addr) {
    this.record(['data', this.program.value(data), this.program.addr(addr)]);
  }

  error_received(exc) {
    this.record(['error', errorOf(this.program, exc, 'dg_events')]);
  }

  connection_lost(exc) {
    this.record(['lost', exc === null || exc === undefined ? null : errorOf(this.program, exc, 'dg_events')]);
  }

  pause_writing() {
    this.record(['pause_writing']);
  }

  resume_writing() {
    this.record(['resume_writing']);
  }
}

/** The ops whose errors' messages may name a port or an fd (a socket's repr, an address). */
const NAMES_PORTS = new Set(['aio_connect', 'st_open', 'dg_open', 'dg_endpoint', 'dg_sendto', 'dg_events']);

/** An error as a result: its class, errno and message (the program's directory and ports named). */
function errorOf(program, e, op) {
  const msg = e.message.split(program.tmp).join('$TMP');
  return { e: e.constructor.name, errno: e.errno ?? null, msg: NAMES_PORTS.has(op) ? program.portsIn(msg) : msg };
}

async function outcome(program, step) {
  try {
    return { v: (await program.run(step)) ?? null };
  } catch (e) {
    if (e instanceof NoSuch) return { e: 'NoSuch', errno: null, msg: e.message };
    if (e instanceof Deadline) return { e: 'Timeout', errno: null, msg: e.message };
    if (!(e instanceof Error)) return { e: `thrown ${typeof e}`, errno: null, msg: String(e) };
    const r = errorOf(program, e, step.op);
    // What the streams' errors carry besides their message.
    if (e instanceof asyncio.IncompleteReadError) Object.assign(r, { partial: program.value(e.partial), expected: e.expected });
    if (e instanceof asyncio.LimitOverrunError) r.consumed = e.consumed;
    return r;
  }
}

async function main() {
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const job = JSON.parse(line);
    const program = new Program(job.tmp);
    for (let i = 0; i < job.steps.length; i++) {
      const r = await outcome(program, job.steps[i]);
      if (program.writers.length > 0 || program.dgTransports.length > 0) await program.settle();
      program.noteAddresses();
      process.stdout.write(`${JSON.stringify({ i, r })}\n`);
    }
    await program.closeAll();
    // The next program starts with no default timeout, as this one did.
    socket.setdefaulttimeout(null);
    // A signal still on its way must not start the inspector (SIGUSR1's default in Node).
    if (process.listenerCount('SIGUSR1') > 0) {
      process.removeAllListeners('SIGUSR1');
      process.on('SIGUSR1', () => {});
    }
    process.stdout.write('{"end": true}\n');
  }
}

main();
