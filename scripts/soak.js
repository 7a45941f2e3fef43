#!/usr/bin/env node
// Soak: mixed traffic through bsdsock in one process for SOAK_SECONDS (default
// 300): TCP echo over asyncio streams, UDP with the sock_* operations, Unix
// socketpairs passing fds, select/poll/epoll/selector loops, blocking
// send/recv, and getaddrinfo of numeric hosts and localhost. Every few seconds
// the traffic pauses, the heap is collected, and the RSS and the open fds
// (/proc/self/fd) are sampled. Exits non-zero if, after the warm-up, RSS grew
// by more than 10 MiB or the fd count grew at all, or if any byte came back
// wrong.
//
//   node --expose-gc scripts/soak.js      (npm run soak; SOAK_SECONDS=60 to shorten)

'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const bsdsock = require('bsdsock');
const asyncio = require('bsdsock/asyncio');
const select = require('bsdsock/select');
const selectors = require('bsdsock/selectors');

const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const SAMPLE_EVERY_MS = 5000;
const WARMUP_SECONDS = Math.min(60, SECONDS / 5);
const MAX_RSS_GROWTH = 10 * 1024 * 1024;

if (typeof global.gc !== 'function') {
  // Re-run with the collector exposed: samples are taken after a full GC.
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, ['--expose-gc', __filename], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const counts = {};
const count = (what, n = 1) => (counts[what] = (counts[what] ?? 0) + n);

function check(ok, what) {
  if (!ok) throw new Error(`soak: ${what}`);
}

// ---- the pause the sampler needs: workers wait at the gate between iterations ----

let paused = null; // a promise while sampling, null otherwise
let resume = () => {};
let stopping = false;
let idle = 0;
let idleChanged = () => {};

/** One turn of the event loop. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

async function gate() {
  while (paused) {
    idle++;
    idleChanged();
    await paused;
    idle--;
  }
}

/** Runs `iteration` until the soak ends, pausing at the gate for samples. */
async function worker(name, iteration) {
  while (!stopping) {
    await gate();
    if (stopping) break;
    await iteration();
    count(name);
    // Operations that complete at once resolve as microtasks: let timers and I/O run.
    await turn();
  }
}

// ---- the traffic ----

const payload = (n) => crypto.randomBytes(n);


async function tcpEchoWorkload() {
  const server = await asyncio.start_server(
    async (reader, writer) => {
      for (;;) {
        const data = await reader.read(65536);
        if (data.length === 0) break;
        writer.write(data);
        await writer.drain();
      }
      writer.close();
      await writer.wait_closed().catch(() => {});
    },
    '127.0.0.1',
    0,
  );
  const [, port] = server.sockets[0].getsockname();
  return {
    server,
    // A fresh connection each time: connect, echo a few messages, close.
    async iteration() {
      const [reader, writer] = await asyncio.open_connection('127.0.0.1', port);
      for (let i = 0; i < 4; i++) {
        const msg = payload(1 + crypto.randomInt(32 * 1024));
        writer.write(msg);
        await writer.drain();
        const back = await reader.readexactly(msg.length);
        check(back.equals(msg), 'TCP echo differs');
        count('tcp bytes', msg.length);
      }
      writer.close();
      await writer.wait_closed();
    },
  };
}

function udpWorkload() {
  const a = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
  const b = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
  a.bind(['127.0.0.1', 0]);
  b.bind(['127.0.0.1', 0]);
  a.setblocking(false);
  b.setblocking(false);
  return {
    socks: [a, b],
    async iteration() {
      const msg = payload(1 + crypto.randomInt(1400));
      await asyncio.sock_sendto(a, msg, b.getsockname());
      const [data, from] = await asyncio.sock_recvfrom(b, 2048);
      check(data.equals(msg) && from[1] === a.getsockname()[1], 'UDP datagram differs');
      count('udp bytes', msg.length);
    },
  };
}

function fdPassingWorkload() {
  const [a, b] = bsdsock.socketpair(bsdsock.AF_UNIX, bsdsock.SOCK_STREAM);
  return {
    socks: [a, b],
    async iteration() {
      // A socket passed over the pair comes back as a new fd to the same socket.
      const passed = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
      passed.bind(['127.0.0.1', 0]);
      bsdsock.send_fds(a, [Buffer.from('f')], [passed.fileno()]);
      const [data, fds] = bsdsock.recv_fds(b, 1, 2);
      check(data.toString() === 'f' && fds.length === 1, 'fd passing lost the fd');
      const received = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM, 0, fds[0]);
      check(received.getsockname()[1] === passed.getsockname()[1], 'passed fd is another socket');
      received.close();
      passed.close();
    },
  };
}

function readinessWorkload() {
  const [a, b] = bsdsock.socketpair();
  const poller = select.poll();
  poller.register(b, select.POLLIN);
  const ep = new select.epoll();
  ep.register(b.fileno(), select.EPOLLIN);
  return {
    socks: [a, b],
    close: () => ep.close(),
    async iteration() {
      a.send(Buffer.from('r'));
      const [r] = select.select([b], [], [], 5);
      check(r.length === 1, 'select missed a readable socket');
      check(poller.poll(5000).length === 1, 'poll missed a readable socket');
      check(ep.poll(5).length === 1, 'epoll missed a readable socket');
      const sel = new selectors.DefaultSelector();
      sel.register(b, selectors.EVENT_READ, 'b');
      check(sel.select(5).length === 1, 'the selector missed a readable socket');
      sel.close();
      check(b.recv(1).toString() === 'r', 'readiness byte differs');
    },
  };
}

function blockingWorkload() {
  const [a, b] = bsdsock.socketpair();
  a.settimeout(5);
  b.settimeout(5);
  return {
    socks: [a, b],
    async iteration() {
      const msg = payload(1 + crypto.randomInt(16 * 1024));
      a.sendall(msg);
      const parts = [];
      let got = 0;
      while (got < msg.length) {
        const chunk = b.recv(msg.length - got);
        parts.push(chunk);
        got += chunk.length;
      }
      check(Buffer.concat(parts).equals(msg), 'blocking recv differs');
    },
  };
}

async function resolverIteration() {
  const numeric = bsdsock.getaddrinfo('127.0.0.1', 80, 0, bsdsock.SOCK_STREAM);
  check(numeric.length === 1 && numeric[0][4][0] === '127.0.0.1', 'getaddrinfo(127.0.0.1)');
  const v6 = await asyncio.getaddrinfo('::1', 443, { type: bsdsock.SOCK_STREAM });
  check(v6.length === 1 && v6[0][4][0] === '::1', 'getaddrinfo(::1)');
  const local = await asyncio.getaddrinfo('localhost', 'http', { type: bsdsock.SOCK_STREAM });
  check(local.length >= 1, 'getaddrinfo(localhost)');
}

// ---- sampling ----

function openFds() {
  return fs.readdirSync('/proc/self/fd').length;
}

async function sample(workers) {
  let idleNow;
  const allIdle = new Promise((resolve) => {
    idleNow = resolve;
  });
  idleChanged = () => idle === workers && idleNow();
  paused = new Promise((r) => (resume = r));
  await allIdle;
  // Let closed sockets' callbacks and timers settle, then collect.
  await new Promise((r) => setTimeout(r, 50));
  global.gc();
  global.gc();
  const s = { rss: process.memoryUsage().rss, fds: openFds() };
  const release = resume;
  paused = null;
  release();
  return s;
}

const mib = (n) => (n / 1024 / 1024).toFixed(1);

async function main() {
  const tcp = await tcpEchoWorkload();
  const udp = udpWorkload();
  const fdp = fdPassingWorkload();
  const ready = readinessWorkload();
  const blocking = blockingWorkload();
  const loops = [
    worker('tcp connections', tcp.iteration),
    worker('tcp connections', tcp.iteration),
    worker('udp datagrams', udp.iteration),
    worker('fds passed', fdp.iteration),
    worker('readiness rounds', ready.iteration),
    worker('blocking round trips', blocking.iteration),
    worker('resolver rounds', resolverIteration),
  ];
  const workers = loops.length;
  let failure = null;
  const done = Promise.all(loops).catch((e) => {
    failure = e;
    stopping = true;
  });

  const start = Date.now();
  const samples = [];
  let baseline = null;
  console.log(`soak: ${SECONDS}s of mixed traffic (warm-up ${WARMUP_SECONDS}s), sampling every ${SAMPLE_EVERY_MS / 1000}s`);
  while (!stopping && Date.now() - start < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
    if (stopping) break;
    const s = await sample(workers);
    const t = (Date.now() - start) / 1000;
    samples.push({ t, ...s });
    if (baseline === null && t >= WARMUP_SECONDS) baseline = s;
    const vs = baseline ? ` (since warm-up: ${mib(s.rss - baseline.rss)} MiB, ${s.fds - baseline.fds} fds)` : ' (warm-up)';
    console.log(`  t=${t.toFixed(0)}s rss=${mib(s.rss)} MiB fds=${s.fds}${vs}`);
  }
  stopping = true;
  if (paused) resume();
  await done;
  const last = samples[samples.length - 1];

  tcp.server.close();
  await tcp.server.wait_closed();
  for (const s of [...udp.socks, ...fdp.socks, ...ready.socks, ...blocking.socks]) s.close();
  ready.close();

  console.log('operations:', JSON.stringify(counts));
  if (failure) {
    console.error(failure);
    process.exit(1);
  }
  if (!baseline || !last) {
    console.error('soak: too short for a sample after the warm-up (SOAK_SECONDS >= 15)');
    process.exit(1);
  }
  const rssGrowth = last.rss - baseline.rss;
  const fdGrowth = last.fds - baseline.fds;
  console.log(`growth after warm-up: RSS ${mib(rssGrowth)} MiB (limit ${mib(MAX_RSS_GROWTH)}), fds ${fdGrowth} (limit 0)`);
  if (rssGrowth > MAX_RSS_GROWTH || fdGrowth > 0) {
    console.error('soak: FAILED');
    process.exit(1);
  }
  console.log('soak: ok');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
