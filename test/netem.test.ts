// bsdsock over an impaired link: two network namespaces this test creates,
// joined by a veth pair with private addresses (10.213.0.0/24) that exist only
// inside them. The link is impaired with `tc netem loss 1% delay 20ms` where
// the kernel has netem; where it has not (sch_netem not built), with a token
// bucket (tbf) whose queue is too shallow for TCP's bursts, so the kernel
// drops packets (and queues the rest briefly): the drops are counted from
// `tc -s` and must be more than zero. Without netem there is no added delay.
// A 100 MiB TCP transfer between two child processes (`ip netns exec`) must
// arrive intact (SHA-256 compared), and settimeout() must fire when the peer
// goes silent (its link is cut). Skipped, saying why, where namespaces or veth
// pairs cannot be made (not root, not Linux, no `ip`).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

import { ROOT } from './helpers/sockets';

const NS_A = `bsdsock-a-${process.pid}`;
const NS_B = `bsdsock-b-${process.pid}`;
const ADDR_A = '10.213.0.1';
const ADDR_B = '10.213.0.2';

function ip(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
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

function cleanup(): void {
  for (const ns of [NS_A, NS_B]) ip('netns', 'del', ns);
}

/** Creates the namespaces and the link; returns why it cannot, or null. */
function setUp(): string | null {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const add = ip('netns', 'add', NS_A);
  if (!add.ok) return `ip netns add is not allowed here: ${add.out}`;
  must(ip('netns', 'add', NS_B), 'ip netns add');
  const veth = ip('link', 'add', 'bsdveth-a', 'netns', NS_A, 'type', 'veth', 'peer', 'name', 'bsdveth-b', 'netns', NS_B);
  if (!veth.ok) {
    cleanup();
    return `veth pairs are not allowed here: ${veth.out}`;
  }
  for (const [ns, dev, addr] of [
    [NS_A, 'bsdveth-a', ADDR_A],
    [NS_B, 'bsdveth-b', ADDR_B],
  ] as const) {
    must(inNs(ns, 'ip', 'addr', 'add', `${addr}/24`, 'dev', dev), 'ip addr add');
    must(inNs(ns, 'ip', 'link', 'set', dev, 'up'), 'ip link set up');
    must(inNs(ns, 'ip', 'link', 'set', 'lo', 'up'), 'ip link set lo up');
  }
  return null;
}

/** How the link is impaired: netem if the kernel has it, else a shallow token bucket on both ends. */
function impair(): { how: string } | { skip: string } {
  const netem = ['qdisc', 'add', 'dev', 'bsdveth-a', 'root', 'netem', 'loss', '1%', 'delay', '20ms'];
  const tried = inNs(NS_A, 'tc', ...netem);
  if (tried.ok) {
    must(inNs(NS_B, 'tc', 'qdisc', 'add', 'dev', 'bsdveth-b', 'root', 'netem', 'loss', '1%', 'delay', '20ms'), 'tc netem');
    return { how: 'netem loss 1% delay 20ms' };
  }
  // 200 Mbit/s with a 24 kB queue: TCP's bursts overflow it (tail drops) and
  // wait in it (about 1 ms). A deeper queue, for netem's 20 ms of delay, is
  // never overflowed: TCP small queues keep a sender's backlog below it.
  for (const [ns, dev] of [
    [NS_A, 'bsdveth-a'],
    [NS_B, 'bsdveth-b'],
  ] as const) {
    const tbf = inNs(ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', '200mbit', 'burst', '16kb', 'limit', '24kb');
    if (!tbf.ok) return { skip: `neither netem (${tried.out}) nor tbf (${tbf.out}) can impair a link here` };
  }
  return { how: `tbf rate 200mbit limit 24kb (netem unavailable: ${tried.out})` };
}

/** Packets the qdisc of `dev` in `ns` dropped so far. */
function dropped(ns: string, dev: string): number {
  const stats = must(inNs(ns, 'tc', '-s', 'qdisc', 'show', 'dev', dev), 'tc -s');
  return Number(/dropped (\d+)/.exec(stats)?.[1] ?? NaN);
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

// The receiver: accepts one connection, hashes everything until EOF, sends the hash back.
const SERVER = String.raw`
const [root, host] = process.argv.slice(1);
const b = require(root);
const crypto = require('crypto');
const ls = b.socket(b.AF_INET, b.SOCK_STREAM);
ls.setsockopt(b.SOL_SOCKET, b.SO_REUSEADDR, 1);
ls.bind([host, 0]);
ls.listen();
console.log(JSON.stringify({ port: ls.getsockname()[1] }));
const [c] = ls.accept();
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

// The sender: 100 MiB of random bytes, hashed as sent, then the receiver's answer.
const CLIENT = String.raw`
const [root, host, port, mib] = process.argv.slice(1);
const b = require(root);
const crypto = require('crypto');
const s = b.create_connection([host, Number(port)], 30);
s.settimeout(120);
const h = crypto.createHash('sha256');
const chunk = 1 << 20;
for (let i = 0; i < Number(mib); i++) {
  const d = crypto.randomBytes(chunk);
  h.update(d);
  s.sendall(d);
}
s.shutdown(b.SHUT_WR);
const parts = [];
for (;;) { const d = s.recv(4096); if (d.length === 0) break; parts.push(d); }
s.close();
console.log(JSON.stringify({ sent: Number(mib) * chunk, sha256: h.digest('hex'), answer: JSON.parse(Buffer.concat(parts).toString()) }));
`;

// A peer that answers one ping and then is cut off: recv and sendall with a timeout must raise TimeoutError.
const SILENT_SERVER = String.raw`
const [root, host] = process.argv.slice(1);
const b = require(root);
const ls = b.socket(b.AF_INET, b.SOCK_STREAM);
ls.bind([host, 0]);
ls.listen();
console.log(JSON.stringify({ port: ls.getsockname()[1] }));
const [c] = ls.accept();
c.sendall(c.recv(4));
c.settimeout(60);
try { c.recv(1); } catch {}
console.log(JSON.stringify({ done: true }));
`;

const SILENT_CLIENT = String.raw`
const [root, host, port] = process.argv.slice(1);
const b = require(root);
const s = b.create_connection([host, Number(port)], 10);
s.sendall(Buffer.from('ping'));
const pong = s.recv(4).toString();
console.log(JSON.stringify({ pong }));
// The parent cuts the link, then writes a line.
require('fs').readSync(0, Buffer.alloc(1));
s.settimeout(1);
const outcome = (f) => { try { f(); return 'returned'; } catch (e) { return e.constructor.name + ': ' + e.message; } };
const recv = outcome(() => s.recv(1));
const send = outcome(() => { for (let i = 0; i < 1000; i++) s.sendall(Buffer.alloc(1 << 20)); });
s.close();
console.log(JSON.stringify({ pong, recv, send }));
`;

const made = setUp();
const impairment = made === null ? impair() : { skip: made };
const skip = 'skip' in impairment ? impairment.skip : null;
const how = 'how' in impairment ? impairment.how : '';
afterAll(cleanup);
process.on('exit', cleanup);

describe('an impaired link between two network namespaces', () => {
  it.skipIf(skip !== null)(`a 100 MiB TCP transfer arrives intact${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const before = dropped(NS_A, 'bsdveth-a') + dropped(NS_B, 'bsdveth-b');
    const server = await startServer(NS_B, SERVER, ADDR_B);
    const result = (await runIn(NS_A, CLIENT, [ADDR_B, String(server.port), '100']).result) as {
      sent: number;
      sha256: string;
      answer: { received: number; sha256: string };
    };
    await server.result;
    const drops = dropped(NS_A, 'bsdveth-a') + dropped(NS_B, 'bsdveth-b') - before;
    console.log(`netem: ${how}; ${result.sent} bytes sent, ${result.answer.received} received, ${drops} packets dropped by the link, sha256 ${result.sha256}`);
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
      must(inNs(NS_B, 'ip', 'link', 'set', 'bsdveth-b', 'down'), 'ip link set down');
      client.child.stdin!.write('go\n');
      const r = (await client.result) as { pong: string; recv: string; send: string };
      expect(r.pong).toBe('ping');
      expect(r.recv).toBe('TimeoutError: timed out');
      expect(r.send).toBe('TimeoutError: timed out');
    } finally {
      server.child.kill();
      await server.result.catch(() => {});
    }
  }, 120_000);
});
