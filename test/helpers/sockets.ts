// Small shared helpers for tests on real sockets: connected pairs on loopback,
// reading exact byte counts, catching the error a call throws, fd inspection
// through /proc, temporary directories and child Node processes.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

import { AF_INET, SOCK_DGRAM, SOCK_STREAM, socket, type AddressArgOf, type Family, type Socket } from 'bsdsock';

import { Running, runSync } from './run';

/** The package root: child processes `require(ROOT)` to load the built package. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The platform's errno numbers, as Python's `errno` module gives them. */
export const ERRNO = os.constants.errno as Record<string, number>;

/** `using _ = closing(a, b)`: closes every socket at the end of the scope. */
export function closing(...socks: Socket<string>[]): Disposable {
  return {
    [Symbol.dispose]() {
      for (const s of socks) s.close();
    },
  };
}

/** `using pair = owned(socketpair())`: the same sockets, closed at the end of the scope. */
export function owned<T extends Socket<string>[]>(socks: T): T & Disposable {
  return Object.assign(socks, {
    [Symbol.dispose]() {
      for (const s of socks) s.close();
    },
  });
}

/** A connected TCP connection on loopback: the listener, the connecting client and the accepted server side. */
export interface TcpPair<F extends string> extends Disposable {
  listener: Socket<F>;
  client: Socket<F>;
  server: Socket<F>;
  /** The address accept() returned (the client's, as the server sees it). */
  peer: unknown;
}

/** The loopback address of `family`. */
function loopback(family: number): string {
  return family === AF_INET ? '127.0.0.1' : '::1';
}

/** Listens on loopback port 0, connects a client and accepts it. Everything is in blocking mode. */
export function tcpPair<F extends string = 'AF_INET'>(family: Family<F> = AF_INET as unknown as Family<F>): TcpPair<F> {
  const listener = socket(family, SOCK_STREAM);
  const client = socket(family, SOCK_STREAM);
  try {
    listener.bind([loopback(family), 0] as unknown as AddressArgOf<F>);
    listener.listen();
    client.connect(listener.getsockname() as unknown as AddressArgOf<F>);
    const [server, peer] = listener.accept();
    return {
      listener,
      client,
      server,
      peer,
      [Symbol.dispose]() {
        client.close();
        server.close();
        listener.close();
      },
    };
  } catch (e) {
    client.close();
    listener.close();
    throw e;
  }
}

/** Two UDP sockets bound on loopback port 0. */
export function udpPair<F extends string = 'AF_INET'>(family: Family<F> = AF_INET as unknown as Family<F>): [Socket<F>, Socket<F>] & Disposable {
  const a = socket(family, SOCK_DGRAM);
  const b = socket(family, SOCK_DGRAM);
  a.bind([loopback(family), 0] as unknown as AddressArgOf<F>);
  b.bind([loopback(family), 0] as unknown as AddressArgOf<F>);
  return owned([a, b] as [Socket<F>, Socket<F>]);
}

/** Receives exactly `n` bytes from a stream socket (fewer only at end of stream). */
export function recvExactly(sock: Socket<string>, n: number): Buffer {
  const parts: Buffer[] = [];
  let got = 0;
  while (got < n) {
    const part = sock.recv(n - got);
    if (part.length === 0) break;
    parts.push(part);
    got += part.length;
  }
  return Buffer.concat(parts);
}

/** Reads a stream socket until end of stream. */
export function recvAll(sock: Socket<string>): Buffer {
  const parts: Buffer[] = [];
  for (;;) {
    const part = sock.recv(65536);
    if (part.length === 0) return Buffer.concat(parts);
    parts.push(part);
  }
}

/** The error `fn` throws; fails the test when it throws nothing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error(`expected ${fn.toString()} to throw, but it returned normally`);
}

/** What /proc says fd `fd` of this process is ('socket:[1234]'), or null when it is not open. */
export function fdLink(fd: number): string | null {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/** A fresh temporary directory, removed with everything in it at scope end. */
export function tempDir(): { path: string } & Disposable {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-test-'));
  return {
    path: dir,
    [Symbol.dispose]() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a Node script synchronously in a child process (killed after `timeout` ms) and returns its stdout (the child inherits fds that are not close-on-exec). */
export function runNodeSync(script: string, args: string[] = [], timeout = 20_000): string {
  const r = runSync(process.execPath, [...args, '-e', script], { timeout });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`child exited with ${r.status ?? r.signal}: ${r.stderr}`);
  return r.stdout;
}

/** A running child Node process whose stdout is read line by line. */
export interface NodeChild {
  pid: number;
  /** The next line the child writes to stdout. */
  line(): Promise<string>;
  /** Resolves with the exit code once the child has exited; rejects on a signal. */
  exited: Promise<number>;
  kill(signal: NodeJS.Signals): void;
  stderr(): string;
}

/**
 * Reads `stream` line by line: `next()` is the next whole line, or null once
 * the stream has ended (an unfinished last line is dropped).
 */
export function lineReader(stream: Readable): { next(): Promise<string | null> } {
  let out = '';
  let ended = false;
  const waiting: Array<(line: string | null) => void> = [];
  const lines: string[] = [];
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      const w = waiting.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  stream.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
  });
  return {
    next() {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Starts `script` in a child Node process (killed after `guardMs`, so a stuck child cannot hang the suite). */
export function startNode(script: string, args: string[] = [], guardMs = 20_000): NodeChild {
  const child = new Running([process.execPath, ...args, '-e', script], { limitMs: guardMs });
  const exited = child.ended.then(({ code, signal }) => {
    if (code === null) throw new Error(`child killed by ${signal}: ${child.stderr}`);
    return code;
  });
  return {
    pid: child.pid,
    line: () => child.line(),
    exited,
    kill: (signal) => child.kill(signal),
    stderr: () => child.stderr,
  };
}

/** Waits `ms` milliseconds on the event loop (for sequencing child processes, never for assertions). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The file position of `fd`, from /proc. */
export function filePosition(fd: number): number {
  const info = fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8');
  return Number(/^pos:\s+(\d+)/m.exec(info)![1]);
}

/** The SHA-1 of some bytes, in hex. */
export const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');
