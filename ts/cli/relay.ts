// The netcat part of `bsdsock connect` and `bsdsock listen`: stdin to the
// socket, the socket to stdout. The socket side uses bsdsock/asyncio's
// operations on a non-blocking socket, so both directions run on Node's loop.

import { AbortError } from '../asyncio/loop';
import { sock_recv, sock_recvfrom, sock_sendall, sock_sendto } from '../asyncio/sock';
import * as C from '../constants';
import type { SockAddrArg } from '../address';
import type { Socket } from '../socket';

const STOPPED = Symbol('stopped');
const RECV_SIZE = 65536;
/** Stdin is sent as datagrams of at most this many bytes. */
const DATAGRAM_SIZE = 8192;

/** Whether stdin has ended; `process.stdin` is read only as fast as a socket takes it. */
let stdinEnded = false;
let stdinWatched = false;

/** Stdin's events that can end a wait for input; an error reading it ends the input too. */
const STDIN_EVENTS = ['readable', 'end', 'close'] as const;

function watchStdin(): void {
  if (stdinWatched) return;
  stdinWatched = true;
  process.stdin.on('end', () => (stdinEnded = true));
  process.stdin.on('close', () => (stdinEnded = true));
  process.stdin.on('error', (e) => process.stderr.write(`bsdsock: stdin: ${e.message}\n`));
}

/** Resolves when stdin has data or ends. */
function stdinReadable(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      for (const event of STDIN_EVENTS) process.stdin.off(event, done);
      resolve();
    };
    for (const event of STDIN_EVENTS) process.stdin.on(event, done);
  });
}

/**
 * The next chunk of stdin, null at its end, or STOPPED if `stopped` resolves
 * first. A chunk is taken from stdin only when it is returned, so nothing is
 * lost when the caller stops waiting (the next connection gets it).
 */
async function nextInput(stopped: Promise<typeof STOPPED>): Promise<Buffer | null | typeof STOPPED> {
  watchStdin();
  for (;;) {
    const chunk = process.stdin.read() as Buffer | null;
    if (chunk !== null) return chunk;
    if (stdinEnded) return null;
    if ((await Promise.race([stdinReadable(), stopped])) === STOPPED) return STOPPED;
  }
}

/** Writes to stdout, waiting while its buffer is full. */
async function output(data: Buffer): Promise<void> {
  if (!process.stdout.write(data)) await new Promise((resolve) => process.stdout.once('drain', resolve));
}

/**
 * Runs the two directions of a relay until both are done: on the first
 * error both stop, and that error is thrown (an AbortError is only the other
 * direction being stopped).
 */
async function both(stop: AbortController, receive: Promise<void>, send: Promise<void>): Promise<void> {
  const failFast = (p: Promise<void>): Promise<void> =>
    p.catch((e: unknown) => {
      stop.abort();
      throw e;
    });
  const results = await Promise.allSettled([failFast(receive), failFast(send)]);
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  const error = failures.find((e) => !(e instanceof AbortError)) ?? failures[0];
  if (error !== undefined) throw error;
}

function stopper(): [AbortController, Promise<typeof STOPPED>] {
  const stop = new AbortController();
  const stopped = new Promise<typeof STOPPED>((resolve) => stop.signal.addEventListener('abort', () => resolve(STOPPED)));
  return [stop, stopped];
}

/**
 * Relays a connected stream socket: its bytes to stdout until the peer's EOF,
 * stdin to it until stdin's EOF, which half-closes it (shutdown(SHUT_WR)).
 * Returns when both directions are done, or at the peer's EOF when
 * `endAtPeerEof` (stdin is a terminal, or the next connection is to have it).
 */
export async function relayStream(sock: Socket, endAtPeerEof: boolean): Promise<void> {
  const [stop, stopped] = stopper();
  const { signal } = stop;
  const receive = async (): Promise<void> => {
    for (;;) {
      const data = await sock_recv(sock, RECV_SIZE, { signal });
      if (data.length === 0) break;
      await output(data);
    }
    if (endAtPeerEof) stop.abort();
  };
  const send = async (): Promise<void> => {
    for (;;) {
      const chunk = await nextInput(stopped);
      if (chunk === STOPPED) return;
      if (chunk === null) return sock.shutdown(C.SHUT_WR);
      await sock_sendall(sock, chunk, { signal });
    }
  };
  await both(stop, receive(), send());
}

/**
 * Relays a datagram socket: each datagram received to stdout, stdin to the
 * peer in datagrams. `peer` null means the socket is connected; otherwise
 * stdin goes to whoever sent the last datagram. Datagrams have no EOF: it runs
 * until an error, or until the process is interrupted.
 */
export async function relayDatagrams(sock: Socket, peer: unknown): Promise<void> {
  const [stop, stopped] = stopper();
  const { signal } = stop;
  let to = peer;
  const receive = async (): Promise<void> => {
    for (;;) {
      const [data, from] = await sock_recvfrom(sock, RECV_SIZE, { signal });
      if (to !== null && from !== null && from !== '') to = from;
      await output(data);
    }
  };
  const sendDatagram = (piece: Buffer): Promise<unknown> =>
    to === null ? sock_sendall(sock, piece, { signal }) : sock_sendto(sock, piece, to as SockAddrArg, { signal });
  const send = async (): Promise<void> => {
    for (;;) {
      const chunk = await nextInput(stopped);
      if (chunk === STOPPED || chunk === null) return;
      for (let i = 0; i < chunk.length; i += DATAGRAM_SIZE) await sendDatagram(chunk.subarray(i, i + DATAGRAM_SIZE));
    }
  };
  await both(stop, receive(), send());
}
