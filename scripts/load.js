#!/usr/bin/env node
// Load: many TCP connections at once and a million UDP datagrams, through
// bsdsock on both ends, every byte and every datagram accounted for.
//
// TCP: an asyncio echo server (create_server with a Protocol) in one process,
// and a client process holding LOAD_CONNECTIONS (10,000) connections at once
// on one epoll selector, each sending 1 KiB messages of its own pattern and
// checking every echoed byte, for LOAD_SECONDS (30). Both processes run under
// `prlimit --nofile` so they may hold that many fds. The client's sent and
// received byte counts must equal the server's.
//
// UDP: LOAD_DATAGRAMS (1,000,000) datagrams from this process to a receiver
// process, in windows of 256 the receiver acknowledges with a bitmap; what
// the kernel dropped is sent again and counted. The receiver checks each
// payload against its sequence number and both sides checksum all payloads.
//
//   node scripts/load.js        (npm run load)
//   LOAD_UDP_RCVBUF=4096 node scripts/load.js   (a receive buffer that drops: the resending at work)

'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

const bsdsock = require('bsdsock');

const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10000);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const DATAGRAMS = Number(process.env.LOAD_DATAGRAMS ?? 1000000);
const MSG = 1024;
const WINDOW = 256;
// The receiver's SO_RCVBUF: small values make the kernel drop, to exercise the resending.
const RCVBUF = Number(process.env.LOAD_UDP_RCVBUF ?? 4 * 1024 * 1024);
const NOFILE = CONNECTIONS + 1024;

function fail(what) {
  console.error(`load: ${what}`);
  process.exit(1);
}

// ---- child processes: one JSON line per message on stdout ----

function child(role, args) {
  const p = spawn('prlimit', [`--nofile=${NOFILE}:${NOFILE}`, process.execPath, __filename, role, ...args.map(String)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: p.stdout });
  const queue = [];
  let waiting = null;
  lines.on('line', (l) => (waiting ? (waiting(JSON.parse(l)), (waiting = null)) : queue.push(JSON.parse(l))));
  const exited = new Promise((resolve) => p.on('exit', (code) => resolve(code)));
  return {
    next: () => (queue.length ? Promise.resolve(queue.shift()) : new Promise((r) => (waiting = r))),
    send: (msg) => p.stdin.write(`${JSON.stringify(msg)}\n`),
    exited,
  };
}

const say = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

/** The parent's next line, or null when it is gone (stdin closed). */
function readStdinLine() {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin });
    rl.once('line', (l) => resolve(JSON.parse(l)));
    rl.once('close', () => resolve(null));
  });
}

// ---- TCP ----

/** The server: echoes everything, counts the bytes, reports them when asked. */
async function tcpServer() {
  const asyncio = require('bsdsock/asyncio');
  const stats = { received: 0, sent: 0, connections: 0, peak: 0, open: 0 };
  class Echo extends asyncio.Protocol {
    connection_made(transport) {
      this.transport = transport;
      stats.connections++;
      stats.peak = Math.max(stats.peak, ++stats.open);
    }
    data_received(data) {
      stats.received += data.length;
      stats.sent += data.length;
      this.transport.write(data);
    }
    connection_lost() {
      stats.open--;
    }
  }
  const server = await asyncio.create_server(() => new Echo(), '127.0.0.1', 0, { backlog: 4096 });
  say({ port: server.sockets[0].getsockname()[1] });
  await readStdinLine();
  // Let the last closes arrive, then report.
  for (let i = 0; i < 100 && stats.open > 0; i++) await new Promise((r) => setTimeout(r, 100));
  say(stats);
  server.close();
  await server.wait_closed();
  process.exit(0);
}

/** The pattern byte of connection `i` at stream offset `off`. */
const patternByte = (i, off) => (i * 131 + off * 7 + (off >> 8)) & 0xff;

function pattern(i, off, n) {
  const b = Buffer.allocUnsafe(n);
  for (let k = 0; k < n; k++) b[k] = patternByte(i, off + k);
  return b;
}

/** The client: CONNECTIONS connections on one selector, each echoing 1 KiB messages for SECONDS. */
function tcpClient(port, connections, seconds) {
  const selectors = require('bsdsock/selectors');
  const sel = new selectors.DefaultSelector();
  const conns = [];
  // Connect in batches the listen backlog can take.
  for (let i = 0; i < connections; i++) {
    const s = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_STREAM);
    s.setblocking(false);
    const rc = s.connect_ex(['127.0.0.1', port]);
    if (rc !== 0 && rc !== require('node:os').constants.errno.EINPROGRESS) fail(`connect_ex: ${rc}`);
    conns.push({ i, s, sent: 0, received: 0, pending: null, connected: false });
    sel.register(s, selectors.EVENT_WRITE, conns[i]);
    if ((i + 1) % 1000 === 0 || i + 1 === connections) {
      // Wait for this batch to finish connecting before the next.
      let waiting = conns.filter((c) => !c.connected).length;
      while (waiting > 0) {
        for (const [key] of sel.select(10)) {
          const c = key.data;
          if (c.connected) continue;
          const err = c.s.getsockopt(bsdsock.SOL_SOCKET, bsdsock.SO_ERROR);
          if (err !== 0) fail(`connect: errno ${err}`);
          c.connected = true;
          sel.modify(c.s, selectors.EVENT_READ, c);
          waiting--;
        }
      }
    }
  }
  const held = conns.length;
  const start = Date.now();
  const deadline = start + seconds * 1000;
  let open = held;
  let totalSent = 0;
  let totalReceived = 0;
  let messages = 0;
  let mismatches = 0;
  const sendNext = (c) => {
    const msg = pattern(c.i, c.sent, MSG);
    const n = c.s.send(msg);
    c.sent += n;
    totalSent += n;
    c.pending = n < MSG ? msg.subarray(n) : null;
    if (c.pending) sel.modify(c.s, selectors.EVENT_READ | selectors.EVENT_WRITE, c);
  };
  for (const c of conns) sendNext(c);
  while (open > 0) {
    for (const [key, events] of sel.select(10)) {
      const c = key.data;
      if (events & selectors.EVENT_WRITE && c.pending) {
        const n = c.s.send(c.pending);
        c.sent += n;
        totalSent += n;
        c.pending = n < c.pending.length ? c.pending.subarray(n) : null;
        if (!c.pending) sel.modify(c.s, selectors.EVENT_READ, c);
      }
      if (!(events & selectors.EVENT_READ)) continue;
      const data = c.s.recv(65536);
      if (data.length === 0) fail(`connection ${c.i} closed by the server`);
      if (!data.equals(pattern(c.i, c.received, data.length))) mismatches++;
      c.received += data.length;
      totalReceived += data.length;
      // A whole message back: the next one, or the end of this connection.
      if (c.received === c.sent && !c.pending) {
        messages++;
        if (Date.now() < deadline) sendNext(c);
        else {
          sel.unregister(c.s);
          c.s.close();
          open--;
        }
      }
    }
  }
  sel.close();
  return { held, sent: totalSent, received: totalReceived, messages, mismatches, seconds: (Date.now() - start) / 1000 };
}

async function tcpLoad() {
  const server = child('tcp-server', []);
  const { port } = await server.next();
  const client = child('tcp-client', [port, CONNECTIONS, SECONDS]);
  const c = await client.next();
  server.send({ report: true });
  const s = await server.next();
  await Promise.all([client.exited, server.exited]);
  console.log(
    `tcp: ${c.held} connections held at once (server peak ${s.peak}, ${s.connections} accepted), ${c.messages} messages echoed in ${c.seconds.toFixed(1)}s; ` +
      `client sent ${c.sent} B, server received ${s.received} B and sent ${s.sent} B, client received ${c.received} B; ${c.mismatches} mismatched chunks`,
  );
  if (c.held !== CONNECTIONS || s.peak !== CONNECTIONS) fail(`not all ${CONNECTIONS} connections were open at once`);
  if (c.sent !== s.received || s.sent !== c.received || c.sent !== c.received) fail('TCP bytes unaccounted for');
  if (c.mismatches !== 0) fail('echoed bytes differ');
}

// ---- UDP ----

/** A datagram: sequence number (8 bytes), a last-of-window flag, 55 bytes derived from the number. */
function datagram(seq, last) {
  const d = Buffer.allocUnsafe(64);
  d.writeDoubleLE(seq, 0);
  d[8] = last ? 1 : 0;
  // xorshift32 seeded by the sequence number: every datagram's bytes differ.
  let x = (seq * 2654435761 + 1) >>> 0 || 1;
  for (let k = 9; k < 64; k++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    d[k] = x & 0xff;
  }
  return d;
}

/** An order-independent checksum of payloads: the sum of a 32-bit word of each (exact below 2^53). */
const weigh = (d) => d.readUInt32LE(9) + d.readUInt32LE(60);

function udpReceiver() {
  const s = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
  s.setsockopt(bsdsock.SOL_SOCKET, bsdsock.SO_RCVBUF, RCVBUF);
  s.bind(['127.0.0.1', 0]);
  say({ port: s.getsockname()[1] });
  const seen = new Uint8Array(DATAGRAMS);
  let distinct = 0;
  let duplicates = 0;
  let corrupt = 0;
  let checksum = 0;
  const parent = process.ppid;
  // Acknowledges a window: one bit per datagram received.
  const ack = (base, to) => {
    const bits = Buffer.alloc(8 + WINDOW / 8);
    bits.writeDoubleLE(base, 0);
    for (let k = 0; k < WINDOW && base + k < DATAGRAMS; k++) if (seen[base + k]) bits[8 + (k >> 3)] |= 1 << (k & 7);
    s.sendto(bits, to);
  };
  let current = null; // [window base, sender] of the latest datagram
  s.settimeout(0.02);
  for (;;) {
    let d;
    let from;
    try {
      [d, from] = s.recvfrom(2048);
    } catch (e) {
      if (!(e instanceof bsdsock.TimeoutError)) throw e;
      // A quiet moment: the last of a window may have been dropped, so acknowledge unasked.
      if (current) ack(...current);
      if (process.ppid !== parent) process.exit(1); // the sender is gone
      continue;
    }
    if (d.length === 1) break; // the sender's end marker
    const seq = d.readDoubleLE(0);
    const expected = datagram(seq, d[8] === 1);
    if (d.length !== 64 || !d.equals(expected) || seq >= DATAGRAMS) {
      corrupt++;
      continue;
    }
    if (seen[seq]) duplicates++;
    else {
      seen[seq] = 1;
      distinct++;
      checksum += weigh(d);
    }
    current = [seq - (seq % WINDOW), from];
    if (d[8] === 1) ack(...current);
  }
  s.close();
  say({ distinct, duplicates, corrupt, checksum });
  process.exit(0);
}

async function udpLoad() {
  const receiver = child('udp-recv', []);
  const { port } = await receiver.next();
  const s = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  s.settimeout(0.5);
  const to = ['127.0.0.1', port];
  let resent = 0;
  let checksum = 0;
  let sent = 0;
  const start = Date.now();
  for (let base = 0; base < DATAGRAMS; base += WINDOW) {
    const end = Math.min(base + WINDOW, DATAGRAMS);
    let missing = [];
    for (let seq = base; seq < end; seq++) missing.push(seq);
    for (let round = 0; missing.length > 0; round++) {
      if (round > 1000) fail(`window ${base}: still missing datagrams after 1000 rounds`);
      for (let k = 0; k < missing.length; k++) {
        const seq = missing[k];
        const d = datagram(seq, k === missing.length - 1);
        s.sendto(d, to);
        sent++;
        if (round === 0) checksum += weigh(d);
        else resent++;
      }
      let ack = null;
      try {
        for (;;) {
          const a = s.recv(64);
          if (a.readDoubleLE(0) === base) {
            ack = a;
            break;
          }
        }
      } catch (e) {
        if (!(e instanceof bsdsock.TimeoutError)) throw e;
      }
      if (ack) missing = missing.filter((seq) => !(ack[8 + ((seq - base) >> 3)] & (1 << ((seq - base) & 7))));
      // No acknowledgement: the last-of-window datagram (or its ack) was lost; send the missing ones again.
    }
  }
  for (let k = 0; k < 3; k++) s.sendto(Buffer.from('E'), to); // the end marker; the receiver stops at the first
  const r = await receiver.next();
  await receiver.exited;
  s.close();
  const secs = (Date.now() - start) / 1000;
  console.log(
    `udp: ${DATAGRAMS} datagrams in ${secs.toFixed(1)}s: ${r.distinct} received distinct, ${r.duplicates} duplicates, ${r.corrupt} corrupt; ` +
      `${sent} sent in all, ${resent} sent again after a drop; checksum sender ${checksum} receiver ${r.checksum}`,
  );
  if (r.distinct !== DATAGRAMS || r.corrupt !== 0 || r.checksum !== checksum) fail('UDP datagrams unaccounted for');
}

async function main() {
  const [role, ...args] = process.argv.slice(2);
  if (role === 'tcp-server') return tcpServer();
  if (role === 'tcp-client') {
    say(tcpClient(Number(args[0]), Number(args[1]), Number(args[2])));
    return process.exit(0);
  }
  if (role === 'udp-recv') return udpReceiver();
  await tcpLoad();
  await udpLoad();
  console.log('load: ok');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
