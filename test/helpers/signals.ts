// Real signals sent to a real child blocked in a call: the child is
// test/fixtures/blocking-call.js (bsdsock) or blocking-call.py (python3, the
// oracle), and this process is the other end of the call (it sends the
// datagram, makes the connection, holds the full accept queue or the peer that
// does not read yet) and sends the signal once the child is in the call.
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { AF_UNIX, BlockingIOError, ConnectionResetError, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET, socket, type Socket } from 'bsdsock';

import { lineReader, ROOT, sleep, startNode } from './sockets';

export type Lang = 'node' | 'python';
export type Behaviour = 'throw' | 'return';

/** How the call ended: its result, or the class of what it threw ('stop': the listener's own exception). */
export interface Done {
  result?: unknown;
  error?: string;
  errno?: number | null;
  /** Seconds from the call's start to its end. */
  elapsed: number;
  /** How many times the listener had run when the call ended. */
  runs: number;
}

export interface CallRun {
  /** Every line the child wrote, in order. */
  lines: Record<string, unknown>[];
  /** The arguments of each listener run. */
  listener: unknown[][];
  done: Done | undefined;
  /** How many times the listener had run once the loop turned after the call. */
  runs: number | undefined;
  code: number | null;
  /** For the sending calls, how many bytes the peer received. */
  received: number | null;
}

/** This process's end of a call: what it supplies once the signal has come. */
interface Other {
  /** The port (or AF_UNIX path) the child connects to (0: none). */
  port: number | string;
  supply(childPort: number): void;
  /** Bytes received from the child, once it has closed (null: not a receiving end). */
  received(): Promise<number | null>;
  close(): void;
}

/** A datagram to the child's UDP socket. */
function datagram(): Other {
  const s = dgram.createSocket('udp4');
  return {
    port: 0,
    supply: (port) => s.send('after the signal', port, '127.0.0.1'),
    received: async () => null,
    close: () => s.close(),
  };
}

/** A connection to the child's listener. */
function connection(): Other {
  const conns: net.Socket[] = [];
  return {
    port: 0,
    supply: (port) => conns.push(net.connect(port, '127.0.0.1').on('error', () => {})),
    received: async () => null,
    close: () => conns.forEach((c) => c.destroy()),
  };
}

/** A listener whose accept queue is full, so that a connect waits; supplying accepts. */
function fullBacklog(): Other {
  const l = socket();
  l.bind(['127.0.0.1', 0]);
  l.listen(0);
  const fillers: Socket[] = [];
  for (let i = 0; i < 8; i++) {
    const c = socket();
    c.setblocking(false);
    c.connect_ex(l.getsockname());
    fillers.push(c);
  }
  let accepting: NodeJS.Timeout | undefined;
  const drain = () => {
    for (;;) {
      try {
        l.accept()[0].close();
      } catch (e) {
        if (e instanceof BlockingIOError) return;
        throw e;
      }
    }
  };
  return {
    port: l.getsockname()[1],
    supply() {
      l.setblocking(false);
      for (const c of fillers.splice(0)) c.close();
      // The child's SYN was dropped: its retransmission finds room.
      accepting = setInterval(drain, 20);
      drain();
    },
    received: async () => null,
    close() {
      clearInterval(accepting);
      for (const c of fillers) c.close();
      l.close();
    },
  };
}

/**
 * A peer that neither reads nor writes until supplied; then it reads
 * everything (`sink`) or sends a line. Its receive buffer is fixed (as the
 * child's send buffer), so that a buffer the child filled stays full.
 */
function peer(sink: boolean): Other {
  const l = socket();
  l.setsockopt(SOL_SOCKET, SO_RCVBUF, 65536);
  l.bind(['127.0.0.1', 0]);
  l.listen();
  l.setblocking(false);
  let conn: Socket | undefined;
  let count = 0;
  let reading: NodeJS.Timeout | undefined;
  let eof!: () => void;
  const ended = new Promise<void>((resolve) => (eof = resolve));
  const nonblocking = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (e instanceof BlockingIOError) return undefined;
      throw e;
    }
  };
  const connection = () =>
    (conn ??= nonblocking(() => {
      const c = l.accept()[0];
      c.setblocking(false);
      return c;
    }));
  /** Reads what has come; the end of stream (or a reset: the child left a line unread) ends it. */
  const read = () => {
    const c = connection();
    for (let part = c && nonblocking(() => c.recv(1 << 20)); part !== undefined; part = nonblocking(() => c!.recv(1 << 20))) {
      if (part.length === 0) return eof();
      count += part.length;
    }
  };
  const startReading = () => {
    reading ??= setInterval(() => {
      try {
        read();
      } catch (e) {
        if (!(e instanceof ConnectionResetError)) throw e;
        eof();
      }
    }, 10);
  };
  return {
    port: l.getsockname()[1],
    supply() {
      if (sink) startReading();
      else connection()?.send(Buffer.from('a line\n'));
    },
    async received() {
      startReading();
      await ended;
      return count;
    },
    close() {
      clearInterval(reading);
      conn?.close();
      l.close();
    },
  };
}

/** An AF_UNIX datagram socket that does not read until supplied, so that its queue stays full. */
function datagramQueue(): Other {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-queue-'));
  const s = socket(AF_UNIX, SOCK_DGRAM);
  s.bind(path.join(dir, 'queue'));
  s.setblocking(false);
  let count = 0;
  let reading: NodeJS.Timeout | undefined;
  const drain = () => {
    for (;;) {
      try {
        count += s.recv(65536).length;
      } catch (e) {
        if (e instanceof BlockingIOError) return;
        throw e;
      }
    }
  };
  return {
    port: path.join(dir, 'queue'),
    supply() {
      reading = setInterval(drain, 10);
    },
    async received() {
      drain();
      return count;
    },
    close() {
      clearInterval(reading);
      s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The kind of other end each call needs. */
const OTHER: Record<string, () => Other> = {
  accept: connection,
  connect: fullBacklog,
  connect_ex: fullBacklog,
  sendall: () => peer(true),
  send: datagramQueue,
  sendto: datagramQueue,
  sendmsg: datagramQueue,
  sendmmsg: datagramQueue,
  write: () => peer(true),
  sendfile: () => peer(true),
  readline: () => peer(false),
};

/** The calls blocking-call.js and blocking-call.py both make (`write`: a makefile's write and flush). */
export const CALLS = [
  'recv',
  'recvfrom',
  'recv_into',
  'recvfrom_into',
  'recvmsg',
  'recvmsg_into',
  'select',
  'poll',
  'epoll',
  'selectors',
  'accept',
  'connect',
  'connect_ex',
  'send',
  'sendto',
  'sendall',
  'sendmsg',
  'sendfile',
  'readline',
  'write',
] as const;

/** The calls only blocking-call.js makes: Python has no recvmmsg or sendmmsg. */
export const NODE_ONLY = ['recvmmsg', 'sendmmsg'] as const;

const FIXTURES = path.join(__dirname, '../fixtures');

/**
 * Runs `op` in a child (`timeout` null: blocking mode), sends `signal` once
 * it is in the call, and with a listener that returns, in blocking mode,
 * supplies what the call waits for once the listener has run. The child is
 * killed after `guardMs`, so a stuck call ends the run (without a `done`).
 */
export async function blockingCall(
  lang: Lang,
  op: string,
  timeout: number | null,
  behaviour: Behaviour,
  signal: NodeJS.Signals,
  guardMs = 15_000,
): Promise<CallRun> {
  const other = (OTHER[op] ?? datagram)();
  const args = [op, timeout === null ? 'none' : String(timeout), behaviour, signal, String(other.port)];
  const child =
    lang === 'node'
      ? spawn(process.execPath, [path.join(FIXTURES, 'blocking-call.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
      : spawn('python3', [path.join(FIXTURES, 'blocking-call.py'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const reader = lineReader(child.stdout);
  const lines: Record<string, unknown>[] = [];
  let childPort = 0;
  try {
    for (let text = await reader.next(); text !== null; text = await reader.next()) {
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      if (line.ready) {
        childPort = (line.port as number | undefined) ?? 0;
        // A moment for the child to enter the call (a signal that came earlier
        // would have its listener run as the call starts, with the same outcome).
        await sleep(200);
        child.kill(signal);
      } else if (line.listener && behaviour === 'return' && timeout === null && lines.filter((l) => l.listener).length === 1) {
        // The call goes on after the listener: what it waits for comes a little later.
        setTimeout(() => other.supply(childPort), 150);
      }
    }
    const code = await exited;
    // The child is gone, so its end of stream comes at once (if it ever connected).
    const received = code === null ? null : await Promise.race([other.received(), sleep(5000).then(() => null)]);
    return {
      lines,
      listener: lines.filter((l) => l.listener).map((l) => l.listener as unknown[]),
      done: lines.find((l) => l.done)?.done as Done | undefined,
      runs: lines.find((l) => 'runs' in l)?.runs as number | undefined,
      code,
      received,
    };
  } finally {
    clearTimeout(guard);
    other.close();
  }
}

/** How a child program began: the bsdsock modules as `bs`, `select` (the module) and `selectors`, in CommonJS or ESM. */
export function prelude(esm: boolean): string {
  const dist = (name: string) => JSON.stringify(path.join(ROOT, 'dist', esm ? `esm/${name}.mjs` : `cjs/${name}.js`));
  return esm
    ? `import * as bs from ${dist('index')}; import * as select from ${dist('select')}; import * as selectors from ${dist('selectors')};`
    : `const bs = require(${dist('index')}); const select = require(${dist('select')}); const selectors = require(${dist('selectors')});`;
}

/**
 * Runs `script` (after `prelude`) in a child Node process, sends it the next
 * of `signals` a moment after each line 'ready' it writes, and returns every
 * other line it writes and its exit code. The child is killed after 20 s.
 */
export async function signalled(script: string, signals: NodeJS.Signals[], esm = false): Promise<{ lines: string[]; code: number }> {
  const child = startNode(`${prelude(esm)}\n${script}`, esm ? ['--input-type=module'] : []);
  const lines: string[] = [];
  const queue = [...signals];
  for (;;) {
    let line: string;
    try {
      line = await child.line();
    } catch {
      break;
    }
    if (line !== 'ready') {
      lines.push(line);
      continue;
    }
    const signal = queue.shift();
    if (signal === undefined) throw new Error(`child asked for more signals than ${signals.join(', ')}`);
    await sleep(150);
    child.kill(signal);
  }
  return { lines, code: await child.exited };
}
