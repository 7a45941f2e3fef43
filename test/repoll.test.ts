// A second look for ready fds before a turn of the loop ends (crates/node/src/repoll.rs): on Linux, after a
// turn's dispatch, what it made ready is dispatched in the same turn, up to 3 more times (BSDSOCK_LOOKS), and a
// look that finds nothing makes the next ones rarer. Each case runs a child node, whose turns of the loop a
// setImmediate chain counts (Node runs setImmediate's callbacks once a turn, after bsdsock's dispatch).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSync } from './helpers/run';

/**
 * Two tasks of one process ping-pong ROUNDS datagrams over loopback while a setImmediate chain counts the
 * turns of the loop; prints the turns and the most round trips one turn saw. argv[1], argv[2]: bsdsock's and
 * bsdsock/asyncio's paths.
 */
const PING_PONG = String.raw`
const { socket, AF_INET, SOCK_DGRAM } = require(process.argv[1]);
const { sock_recvfrom, sock_sendto } = require(process.argv[2]);
const ROUNDS = 2000;
const [a, b] = [0, 1].map(() => {
  const s = socket(AF_INET, SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  s.setblocking(false);
  return s;
});
let turns = 0, trips = 0, last = 0, most = 0, going = true;
(function turn() {
  turns++;
  most = Math.max(most, trips - last);
  last = trips;
  if (going) setImmediate(turn);
})();
async function echo() {
  for (let i = 0; i < ROUNDS; i++) {
    const [data, from] = await sock_recvfrom(b, 100);
    await sock_sendto(b, data, from);
  }
}
async function ping() {
  const to = b.getsockname();
  for (let i = 0; i < ROUNDS; i++) {
    await sock_sendto(a, Buffer.from('ping'), to);
    const [data] = await sock_recvfrom(a, 100);
    if (data.toString() !== 'ping') throw new Error('wrong datagram: ' + data);
    trips++;
  }
}
Promise.all([echo(), ping()]).then(() => {
  going = false;
  a.close();
  b.close();
  console.log(JSON.stringify({ turns, most, trips }));
});
`;

/** A ping-pong that only stops once a 2 ms timer has fired 5 times: it ends only if timers keep their turns. */
const ENDLESS = String.raw`
const { socket, AF_INET, SOCK_DGRAM } = require(process.argv[1]);
const { sock_recvfrom, sock_sendto } = require(process.argv[2]);
const [a, b] = [0, 1].map(() => {
  const s = socket(AF_INET, SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  s.setblocking(false);
  return s;
});
let fired = 0, trips = 0;
const timer = setInterval(() => { fired++; }, 2);
async function echo() {
  while (fired < 5) {
    const [data, from] = await sock_recvfrom(b, 100);
    await sock_sendto(b, data, from);
  }
}
async function ping() {
  const to = b.getsockname();
  while (fired < 5) {
    await sock_sendto(a, Buffer.from('ping'), to);
    await sock_recvfrom(a, 100);
    trips++;
  }
  // The echo task may be waiting for one more datagram.
  await sock_sendto(a, Buffer.from('last'), to);
}
Promise.all([echo(), ping()]).then(() => {
  clearInterval(timer);
  a.close();
  b.close();
  console.log(JSON.stringify({ fired, trips }));
});
`;

/**
 * 100 round trips with a python3 echo in another process that answers a millisecond after each datagram, so
 * that no look after a dispatch finds the answer yet. argv[1], argv[2]: bsdsock's and bsdsock/asyncio's paths.
 */
const FAR_PEER = String.raw`
const { socket, AF_INET, SOCK_DGRAM } = require(process.argv[1]);
const { sock_recvfrom, sock_sendto } = require(process.argv[2]);
const { spawn } = require('node:child_process');
const peer = socket(AF_INET, SOCK_DGRAM);
peer.bind(['127.0.0.1', 0]);
const echo = spawn('python3', ['-c', 'import socket, time\ns = socket.socket(fileno=3)\nfor _ in range(100):\n    d, a = s.recvfrom(100)\n    time.sleep(0.001)\n    s.sendto(d, a)'], { stdio: ['ignore', 'inherit', 'inherit', peer.fileno()] });
const to = peer.getsockname();
peer.close();
const s = socket(AF_INET, SOCK_DGRAM);
s.setblocking(false);
(async () => {
  let got = 0;
  for (let i = 0; i < 100; i++) {
    await sock_sendto(s, Buffer.from('ping'), to);
    const [data] = await sock_recvfrom(s, 100);
    got += data.length;
  }
  s.close();
  echo.on('exit', (code) => console.log(got, code));
})();
`;

const MODULES = [require.resolve('bsdsock'), require.resolve('bsdsock/asyncio')];

/** Runs `script` in a child node with BSDSOCK_LOOKS set (or left unset: undefined); its printed JSON. */
function run<T>(script: string, looks: string | undefined): T {
  const env = { ...process.env };
  if (looks === undefined) delete env.BSDSOCK_LOOKS;
  else env.BSDSOCK_LOOKS = looks;
  const r = runSync(process.execPath, ['-e', script, ...MODULES], { env });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface Turns {
  turns: number;
  most: number;
  trips: number;
}

describe.runIf(process.platform === 'linux')('a second look for ready fds before the turn ends', () => {
  it('dispatches what a dispatch made ready in the same turn: 2 round trips a turn, up to 4 dispatches', () => {
    const { turns, most, trips } = run<Turns>(PING_PONG, undefined);
    expect(trips).toBe(2000);
    // Without the looks each datagram waits a turn for its readiness: two turns a round trip.
    expect(turns).toBeLessThan(trips);
    expect(most).toBe(2);
  });

  it('takes as many looks as BSDSOCK_LOOKS says: 1 is a round trip a turn, 0 none (two turns a round trip)', () => {
    const one = run<Turns>(PING_PONG, '1');
    expect(one.most).toBe(1);
    expect(one.turns).toBeGreaterThanOrEqual(one.trips);
    expect(one.turns).toBeLessThan(1.5 * one.trips);
    const none = run<Turns>(PING_PONG, '0');
    expect(none.most).toBe(1);
    expect(none.turns).toBeGreaterThanOrEqual(1.9 * none.trips);
  });

  it('leaves timers their turns: a ping-pong that never waits for the loop still lets an interval fire', () => {
    const { fired, trips } = run<{ fired: number; trips: number }>(ENDLESS, undefined);
    expect(fired).toBe(5);
    expect(trips).toBeGreaterThan(0);
  });

  it('looks only now and then while looks find nothing (a peer in another process that answers later)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-repoll-'));
    try {
      const counts = path.join(dir, 'strace');
      const r = runSync('strace', ['-c', '-e', 'trace=epoll_wait,epoll_pwait', '-o', counts, process.execPath, '-e', FAR_PEER, ...MODULES]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('400 0');
      // strace -c's table: "% time  seconds  usecs/call  calls  [errors]  syscall".
      const rows = fs.readFileSync(counts, 'utf8').split('\n').map((line) => line.trim().split(/\s+/));
      const calls = (name: string): number => Number(rows.find((row) => row.at(-1) === name)?.[3] ?? 0);
      // libuv waits once or more a round trip; a look after every dispatch would be 100 more epoll_wait calls.
      expect(calls('epoll_pwait')).toBeGreaterThanOrEqual(100);
      expect(calls('epoll_wait')).toBeGreaterThan(0);
      expect(calls('epoll_wait')).toBeLessThan(20);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
