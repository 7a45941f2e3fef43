// bsdsock over an impaired link: two network namespaces this test creates,
// joined by a link with private addresses (10.213.0.0/24) that exist only
// inside them, which loses 1% of packets and delays each by 20 ms each way.
// Where the kernel has netem the link is a veth pair with `tc netem loss 1%
// delay 20ms` on both ends; where it has not (sch_netem not built), it is a
// pair of TUN devices joined by a delay line (helpers/delayline.py) that holds
// each packet for 20 ms and drops 1% of them with a seeded generator.
// The tests check that the impairment took effect (a round trip takes at least
// the two delays; packets were dropped), that a 100 MiB TCP transfer between
// two child processes (`ip netns exec`) arrives intact (SHA-256 compared), and
// that settimeout() fires, never early, when the peer goes silent (its link is
// cut). Skipped, saying why, where namespaces or links cannot be made (not
// root, not Linux, no `ip`).

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { lineReader, ROOT } from './helpers/sockets';
import { runSync } from './helpers/run';

const NS_A = `bsdsock-a-${process.pid}`;
const NS_B = `bsdsock-b-${process.pid}`;
const DEV_A = 'bsdlink-a';
const DEV_B = 'bsdlink-b';
const ADDR_A = '10.213.0.1';
const ADDR_B = '10.213.0.2';
const DELAY_MS = 20;
const LOSS_PERCENT = 1;

function ip(...args: string[]): { ok: boolean; out: string } {
  const r = runSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error?.message ?? ''}`.trim() };
}

/** Runs `cmd` inside namespace `ns`. */
function inNs(ns: string, ...cmd: string[]): { ok: boolean; out: string } {
  return ip('netns', 'exec', ns, ...cmd);
}

function must(r: { ok: boolean; out: string }, what: string): string {
  if (!r.ok) throw new Error(`${what}: ${r.out}`);
  return r.out;
}

/** The impaired link: how it is made, and how many packets it has dropped so far. */
interface Link {
  how: string;
  dropped(): Promise<number>;
  close(): void;
}

let link: Link | null = null;

function cleanup(): void {
  link?.close();
  link = null;
  for (const ns of [NS_A, NS_B]) ip('netns', 'del', ns);
}

/** Gives each end its address and brings the link up. `peer`: a point-to-point link (TUN). */
function address(peer: boolean): void {
  for (const [ns, dev, addr, other] of [
    [NS_A, DEV_A, ADDR_A, ADDR_B],
    [NS_B, DEV_B, ADDR_B, ADDR_A],
  ] as const) {
    const a = peer ? [addr, 'peer', other] : [`${addr}/24`];
    must(inNs(ns, 'ip', 'addr', 'add', ...a, 'dev', dev), 'ip addr add');
    must(inNs(ns, 'ip', 'link', 'set', dev, 'up'), 'ip link set up');
    must(inNs(ns, 'ip', 'link', 'set', 'lo', 'up'), 'ip link set lo up');
  }
}

/** A veth pair with netem on both ends, or a reason it cannot be made. */
function netemLink(): Link | string {
  const veth = ip('link', 'add', DEV_A, 'netns', NS_A, 'type', 'veth', 'peer', 'name', DEV_B, 'netns', NS_B);
  if (!veth.ok) return `veth pairs are not allowed here: ${veth.out}`;
  const netem = ['root', 'netem', 'loss', `${LOSS_PERCENT}%`, 'delay', `${DELAY_MS}ms`];
  const tried = inNs(NS_A, 'tc', 'qdisc', 'add', 'dev', DEV_A, ...netem);
  if (!tried.ok) {
    ip('netns', 'exec', NS_A, 'ip', 'link', 'del', DEV_A);
    return `netem is unavailable: ${tried.out}`;
  }
  must(inNs(NS_B, 'tc', 'qdisc', 'add', 'dev', DEV_B, ...netem), 'tc netem');
  address(false);
  /** Packets the qdisc of `dev` in `ns` dropped so far. */
  const dropped = (ns: string, dev: string): number => {
    const stats = must(inNs(ns, 'tc', '-s', 'qdisc', 'show', 'dev', dev), 'tc -s');
    return Number(/dropped (\d+)/.exec(stats)?.[1] ?? NaN);
  };
  return {
    how: `veth with netem loss ${LOSS_PERCENT}% delay ${DELAY_MS}ms`,
    dropped: async () => dropped(NS_A, DEV_A) + dropped(NS_B, DEV_B),
    close: () => {},
  };
}

/** TUN devices joined by the delay line, or a reason they cannot be made. */
async function delayLink(): Promise<Link | string> {
  const script = path.join(ROOT, 'test/helpers/delayline.py');
  const args = [script, NS_A, DEV_A, NS_B, DEV_B, String(DELAY_MS), String(LOSS_PERCENT), '20261126'];
  const line = spawn('python3', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  line.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const { next } = lineReader(line.stdout);
  if ((await next()) !== 'ready') return `no TUN delay line here: ${err.trim()}`;
  address(true);
  return {
    how: `TUN devices joined by a delay line: loss ${LOSS_PERCENT}% delay ${DELAY_MS}ms`,
    dropped: async () => {
      line.stdin.write('stats\n');
      const stats = await next();
      if (stats === null) throw new Error(`the delay line ended: ${err}`);
      return (JSON.parse(stats) as { dropped: number }).dropped;
    },
    close: () => line.kill(),
  };
}

/** Creates the namespaces and the impaired link; returns why it cannot, or the link. */
async function setUp(): Promise<Link | string> {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const add = ip('netns', 'add', NS_A);
  if (!add.ok) return `ip netns add is not allowed here: ${add.out}`;
  must(ip('netns', 'add', NS_B), 'ip netns add');
  const netem = netemLink();
  if (typeof netem !== 'string') return netem;
  const tun = await delayLink();
  if (typeof tun !== 'string') return { ...tun, how: `${tun.how} (${netem})` };
  cleanup();
  return `neither netem (${netem}) nor a TUN delay line (${tun}) can impair a link here`;
}

interface NsChild {
  /** The last line the script printed, parsed, once it exits 0. */
  result: Promise<unknown>;
  child: ChildProcess;
}

/** Runs a Node script in namespace `ns`, handing each stdout line (JSON) to `onLine`. */
function runIn(ns: string, script: string, args: string[], onLine?: (line: unknown) => void): NsChild {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script, ROOT, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const result = new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    let last: unknown = null;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) {
        last = JSON.parse(l);
        onLine?.(last);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => (code === 0 ? resolve(last) : reject(new Error(`child in ${ns} exited ${code ?? signal}: ${err}`))));
  });
  return { result, child };
}

/** Starts a server script in `ns` and waits for the port it prints first. */
async function startServer(ns: string, script: string, host: string): Promise<NsChild & { port: number }> {
  let started: (port: number) => void = () => {};
  const listening = new Promise<number>((r) => (started = r));
  const server = runIn(ns, script, [host], (l) => {
    const p = (l as { port?: number }).port;
    if (p) started(p);
  });
  const port = await Promise.race([listening, server.result.then(() => 0)]);
  return { ...server, port };
}

// Every server's start: listen on an ephemeral port, say which, accept one connection as c.
const ACCEPT_ONE = String.raw`
const [root, host] = process.argv.slice(1);
const b = require(root);
const ls = b.socket(b.AF_INET, b.SOCK_STREAM);
ls.setsockopt(b.SOL_SOCKET, b.SO_REUSEADDR, 1);
ls.bind([host, 0]);
ls.listen();
console.log(JSON.stringify({ port: ls.getsockname()[1] }));
const [c] = ls.accept();
`;

// The receiver: hashes everything until EOF, sends the hash back.
const SERVER = ACCEPT_ONE + String.raw`
const crypto = require('crypto');
c.settimeout(120);
const h = crypto.createHash('sha256');
let n = 0;
for (;;) {
  const d = c.recv(1 << 20);
  if (d.length === 0) break;
  h.update(d);
  n += d.length;
}
c.sendall(Buffer.from(JSON.stringify({ received: n, sha256: h.digest('hex') })));
c.close();
ls.close();
console.log(JSON.stringify({ received: n }));
`;

// Every client's start: connect to the server as s; `arg` is the script's own argument.
const CONNECT = String.raw`
const [root, host, port, arg] = process.argv.slice(1);
const b = require(root);
const s = b.create_connection([host, Number(port)], 30);
`;

// The sender: `arg` MiB of random bytes, hashed as sent, then the receiver's answer.
const CLIENT = CONNECT + String.raw`
const crypto = require('crypto');
const mib = Number(arg);
s.settimeout(120);
const h = crypto.createHash('sha256');
const chunk = 1 << 20;
for (let i = 0; i < mib; i++) {
  const d = crypto.randomBytes(chunk);
  h.update(d);
  s.sendall(d);
}
s.shutdown(b.SHUT_WR);
const parts = [];
for (;;) { const d = s.recv(4096); if (d.length === 0) break; parts.push(d); }
s.close();
console.log(JSON.stringify({ sent: mib * chunk, sha256: h.digest('hex'), answer: JSON.parse(Buffer.concat(parts).toString()) }));
`;

// The echo pair: one byte at a time, each round trip timed by the client.
const ECHO_SERVER = ACCEPT_ONE + String.raw`
for (;;) { const d = c.recv(1); if (d.length === 0) break; c.sendall(d); }
c.close();
ls.close();
console.log(JSON.stringify({ done: true }));
`;

const ECHO_CLIENT = CONNECT + String.raw`
s.setsockopt(b.IPPROTO_TCP, b.TCP_NODELAY, 1);
s.settimeout(30);
let echoed = '';
const rttMs = [];
for (let i = 0; i < Number(arg); i++) {
  const t0 = process.hrtime.bigint();
  s.sendall(Buffer.from(String(i % 10)));
  echoed += s.recv(1).toString();
  rttMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
s.close();
console.log(JSON.stringify({ echoed, rttMs }));
`;

// A peer that answers one ping and then is cut off: recv and sendall with a timeout must raise TimeoutError.
const SILENT_SERVER = ACCEPT_ONE + String.raw`
c.sendall(c.recv(4));
c.settimeout(60);
try { c.recv(1); } catch {}
console.log(JSON.stringify({ done: true }));
`;

const SILENT_CLIENT = CONNECT + String.raw`
s.sendall(Buffer.from('ping'));
const pong = s.recv(4).toString();
console.log(JSON.stringify({ pong }));
// The parent cuts the link, then writes a line.
require('fs').readSync(0, Buffer.alloc(1));
s.settimeout(1);
const outcome = (f) => { try { f(); return 'returned'; } catch (e) { return e.constructor.name + ': ' + e.message; } };
const t0 = process.hrtime.bigint();
const recv = outcome(() => s.recv(1));
const recvMs = Number(process.hrtime.bigint() - t0) / 1e6;
const send = outcome(() => { for (let i = 0; i < 1000; i++) s.sendall(Buffer.alloc(1 << 20)); });
s.close();
console.log(JSON.stringify({ pong, recv, send, recvMs }));
`;

const made = await setUp();
const skip = typeof made === 'string' ? made : null;
link = typeof made === 'string' ? null : made;
const how = link?.how ?? '';
afterAll(cleanup);
process.on('exit', cleanup);

describe('an impaired link between two network namespaces', () => {
  it.skipIf(skip !== null)(`each round trip takes at least the two delays${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const server = await startServer(NS_B, ECHO_SERVER, ADDR_B);
    const r = (await runIn(NS_A, ECHO_CLIENT, [ADDR_B, String(server.port), '10']).result) as { echoed: string; rttMs: number[] };
    await server.result;
    console.log(`link: ${how}; round trips (ms): ${r.rttMs.map((t) => t.toFixed(1)).join(' ')}`);
    expect(r.echoed).toBe('0123456789');
    // A lower bound only: the link holds each packet DELAY_MS in each direction,
    // so no round trip can be shorter; a slow machine only makes them longer.
    expect(Math.min(...r.rttMs)).toBeGreaterThanOrEqual(2 * DELAY_MS);
  }, 60_000);

  it.skipIf(skip !== null)(`a 100 MiB TCP transfer arrives intact${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const before = await link!.dropped();
    const server = await startServer(NS_B, SERVER, ADDR_B);
    const result = (await runIn(NS_A, CLIENT, [ADDR_B, String(server.port), '100']).result) as {
      sent: number;
      sha256: string;
      answer: { received: number; sha256: string };
    };
    await server.result;
    const drops = (await link!.dropped()) - before;
    console.log(`link: ${how}; ${result.sent} bytes sent, ${result.answer.received} received, ${drops} packets dropped by the link, sha256 ${result.sha256}`);
    expect(result.answer.received).toBe(100 * 1024 * 1024);
    expect(result.answer.sha256).toBe(result.sha256);
    // The impairment took effect: packets were lost on the way.
    expect(drops).toBeGreaterThan(0);
  }, 300_000);

  it.skipIf(skip !== null)(`settimeout() fires when the peer goes silent${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const server = await startServer(NS_B, SILENT_SERVER, ADDR_B);
    try {
      let ponged: () => void = () => {};
      const gotPong = new Promise<void>((r) => (ponged = r));
      const client = runIn(NS_A, SILENT_CLIENT, [ADDR_B, String(server.port)], () => ponged());
      await gotPong;
      // The peer goes silent: its end of the link is down, so nothing it sends (or acks) arrives.
      must(inNs(NS_B, 'ip', 'link', 'set', DEV_B, 'down'), 'ip link set down');
      client.child.stdin!.write('go\n');
      const r = (await client.result) as { pong: string; recv: string; send: string; recvMs: number };
      console.log(`link: ${how}; recv with settimeout(1) raised after ${r.recvMs.toFixed(1)} ms`);
      expect(r.pong).toBe('ping');
      expect(r.recv).toBe('TimeoutError: timed out');
      // Never early (a lower bound, as Python's): the timeout is a deadline the call waits out.
      expect(r.recvMs).toBeGreaterThanOrEqual(1000);
      expect(r.send).toBe('TimeoutError: timed out');
    } finally {
      server.child.kill();
      await server.result.catch(() => {});
    }
  }, 120_000);
});
