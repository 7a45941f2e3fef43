// Real signals sent to a real child blocked in a call or a wait. signalWhenReady
// runs any child (node or python3) that says when it is about to wait;
// blockingCall runs test/fixtures/blocking-call.js (bsdsock) or blocking-call.py
// (python3, the oracle) with this process as the other end of the call (it
// sends the datagram, makes the connection, holds the full accept queue or the
// peer that does not read yet); signalled runs a Node script that asks for each
// signal in turn.
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

import { AF_UNIX, BlockingIOError, ConnectionResetError, SO_RCVBUF, SOCK_DGRAM, SOL_SOCKET, socket, type Socket } from 'bsdsock';

import { ROOT, sleep, startNode } from './sockets';

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

/** No other end: the call's bytes are the child's own. */
function none(): Other {
  return { port: 0, supply() {}, received: () => Promise.resolve(null), close() {} };
}

/** The kind of other end each call needs. */
const OTHER: Record<string, () => Other> = {
  recv_waitall: none,
  recvmsg_waitall: none,
  send_part: () => peer(true),
  sendmsg_part: () => peer(true),
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
  const argv = lang === 'node' ? [process.execPath, path.join(FIXTURES, 'blocking-call.js'), ...args] : ['python3', path.join(FIXTURES, 'blocking-call.py'), ...args];
  let childPort = 0;
  let listened = 0;
  const onLine = (line: Record<string, unknown>): void => {
    if (line.ready) childPort = (line.port as number | undefined) ?? 0;
    else if (line.listener && behaviour === 'return' && timeout === null && ++listened === 1) {
      // The call goes on after the listener: what it waits for comes a little later.
      setTimeout(() => other.supply(childPort), 150);
    }
  };
  try {
    // A moment for the child to enter the call (a signal that came earlier
    // would have its listener run as the call starts, with the same outcome).
    const { lines, code } = await signalWhenReady(argv, { signal, delayMs: 200, guardMs, onLine });
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

/** How a child run by signalWhenReady ended: the JSON lines it wrote, its exit code or signal, and its stderr. */
export interface Exit {
  lines: Record<string, unknown>[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** What signalWhenReady sends. */
export interface Sending {
  /** The signal to send once the child is about to wait. */
  signal: NodeJS.Signals;
  /** Send it again every `every` ms until the child exits (a signal storm). */
  every?: number;
  /** Called `thenMs` after the (first) signal, with the child's port. */
  then?: (port: number) => void;
  thenMs?: number;
  /** How long after 'ready' the signal goes, for the child to enter its wait (150 ms). */
  delayMs?: number;
  /** When a child that has not ended is killed (15 s). */
  guardMs?: number;
  /** Called with each line as it comes. */
  onLine?: (line: Record<string, unknown>) => void;
}

/** Runs `argv` (a node script or python3's), sends the signal(s) once it says it is ready (a JSON line `{ ready: true }`), and collects its JSON lines. */
export function signalWhenReady(argv: string[], send: Sending): Promise<Exit> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  let storm: NodeJS.Timeout | undefined;
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  readline.createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    send.onLine?.(line);
    if (!line.ready) return;
    // Give the child a moment to enter its wait; an interrupting signal that comes
    // earlier still interrupts the wait it then enters.
    setTimeout(() => {
      child.kill(send.signal);
      if (send.every) storm = setInterval(() => child.kill(send.signal), send.every);
      if (send.then) setTimeout(() => send.then!(line.port as number), send.thenMs ?? 100);
    }, send.delayMs ?? 150);
  });
  // A child that never ends (a bug) is killed, and the test then fails on its exit.
  const guard = setTimeout(() => child.kill('SIGKILL'), send.guardMs ?? 15_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      clearInterval(storm);
      // Let readline deliver the last lines.
      setImmediate(() => resolve({ lines, code, signal, stderr }));
    });
  });
}
