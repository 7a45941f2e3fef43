// asyncio's sendfile: `loop.sock_sendfile` on a socket and `loop.sendfile` through a stream
// transport. Each sends with the OS sendfile (no copy through JS) while the socket has room and
// waits on Node's event loop while it has none, or, where the OS cannot send from the file, reads
// it and sends what it read.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { fstat, read } from 'node:fs';

import { pyType } from '../convert';
import * as C from '../constants';
import { errnos, RuntimeError, takeError, wouldBlock } from '../errors';
import { keywordNames, keywords, type WithOptions } from '../keywords';
import * as M from '../msg';
import { lastErrno, native } from '../native';
import { Socket } from '../socket';
import type { TransportSocket } from './trsock';
import { abortError, busy, checkSignal, wait, WRITE, type OperationOptions } from './loop';
import { fdOf, sock_sendall } from './sock';
import { BaseTransport, Transport } from './transports';

/** asyncio's `SendfileNotAvailableError`: the OS sendfile cannot serve this file or socket. */
export class SendfileNotAvailableError extends RuntimeError {
  /** `'SendfileNotAvailableError'`. */
  override get name(): string {
    return 'SendfileNotAvailableError';
  }
}

/** Options of `sock_sendfile` and `sendfile`: asyncio's keyword `fallback`, and an AbortSignal. */
export interface SendfileOptions extends OperationOptions {
  /** Read and send when the OS sendfile cannot be used (true, as in asyncio), or reject with SendfileNotAvailableError. */
  fallback?: boolean;
}

const SENDFILE_KEYWORDS = keywordNames<SendfileOptions>({ fallback: true, signal: true });

const EINTR = errnos.EINTR;

/** asyncio's `constants.SENDFILE_FALLBACK_READBUFFER_SIZE`. */
const FALLBACK_READ_SIZE = 256 * 1024;
/** What asyncio's `_sendfile_fallback` reads at a time for a transport. */
const TRANSPORT_READ_SIZE = 16 * 1024;

/**
 * asyncio's `loop.sock_sendfile(sock, file, offset=0, count=null, *, fallback=true)`:
 * sends the file (an fd or a FileHandle) from `offset`, `count` bytes or to its
 * end, with the OS sendfile where it can (no copy through JS) and by reading
 * and sending otherwise; the bytes sent. The file's position ends after them.
 */
export async function sock_sendfile(
  ...args: WithOptions<
    [sock: Socket, file: M.SendfileSource],
    [offset: number | undefined, count: number | null | undefined],
    SendfileOptions
  >
): Promise<number> {
  const [[sock, file, given = 0, count = null], options] = keywords<[Socket, M.SendfileSource, number?, (number | null)?], SendfileOptions>(
    args,
    { name: 'sock_sendfile', min: 2, max: 4, keywords: SENDFILE_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_sendfile');
  const signal = checkSignal(options);
  const [fileFd, offset, n] = checked(sock, file, given, count);
  try {
    return await sendfileNative(fd, fileFd, offset, n, signal);
  } catch (e) {
    if (!(e instanceof SendfileNotAvailableError) || options?.fallback === false) throw e;
  }
  return readAndSend(fileFd, offset, n, FALLBACK_READ_SIZE, (block) => sock_sendall(sock, block, { signal }));
}

/** asyncio's `_check_sendfile_params`: the file's fd, the offset and the count (-1: to the end of the file). */
function checked(sock: Socket | TransportSocket, file: unknown, given: unknown, count: unknown): [file: number, offset: number, count: number] {
  if (sock.type !== C.SOCK_STREAM) throw new RangeError('only SOCK_STREAM type sockets are supported');
  const n = M.sendfileCount(count);
  M.sendfileParam(given, 'offset', 0);
  return [M.sendfileFd(file), M.sendfileOffset(given, count, n), n];
}

/**
 * asyncio's `loop.sendfile(transport, file, offset=0, count=null, *, fallback=true)`: sends the
 * file through a stream transport, with the OS sendfile once what the transport has buffered is
 * sent (reading paused meanwhile, so the protocol sees nothing arrive), or by reading and writing
 * it through the transport, holding back while its writing is paused; the bytes sent. The file's
 * position ends after them. A datagram transport, or one closing, is asyncio's RuntimeError.
 */
export async function sendfile(
  ...args: WithOptions<
    [transport: BaseTransport, file: M.SendfileSource],
    [offset: number | undefined, count: number | null | undefined],
    SendfileOptions
  >
): Promise<number> {
  const [[transport, file, given = 0, count = null], options] = keywords<[BaseTransport, M.SendfileSource, number?, (number | null)?], SendfileOptions>(
    args,
    { name: 'sendfile', min: 2, max: 4, keywords: SENDFILE_KEYWORDS },
  );
  if (!(transport instanceof BaseTransport)) throw new TypeError(`sendfile() argument 1 must be a transport, not ${pyType(transport)}`);
  if (transport.is_closing()) throw new RuntimeError('Transport is closing');
  if (!(transport instanceof Transport)) throw new RuntimeError(`sendfile is not supported for transport ${String(transport)}`);
  const sock = transport.get_extra_info('socket');
  const signal = checkSignal(options);
  const [fileFd, offset, n] = checked(sock, file, given, count);
  try {
    return await transport.sendingFile(() => sendfileNative(sock.fileno(), fileFd, offset, n, signal));
  } catch (e) {
    if (!(e instanceof SendfileNotAvailableError) || options?.fallback === false) throw e;
  }
  return transport.writingFile((drain) =>
    readAndSend(fileFd, offset, n, TRANSPORT_READ_SIZE, async (block) => {
      // An abort stops it between blocks, or while it waits to write: what was written stays written.
      await untilAborted(drain(), signal);
      transport.write(block);
    }),
  );
}

/** asyncio's `_sock_sendfile_native`: sendfile(2) each time the socket has room, until `count` or the end of the file. */
async function sendfileNative(fd: number, file: number, offset: number, count: number, signal: AbortSignal | undefined): Promise<number> {
  let size: number;
  try {
    size = await new Promise<number>((resolve, reject) => fstat(file, (err, st) => (err ? reject(err) : resolve(st.size))));
  } catch {
    throw new SendfileNotAvailableError('not a regular file');
  }
  const blocksize = Math.min(count > 0 ? count : size, 0xffff_ffff);
  if (blocksize === 0) return 0;
  let total = 0;
  /** Sends what it can now: true when done, false when the socket is full. */
  const attempt = (): boolean => {
    for (;;) {
      const want = count > 0 ? count - total : blocksize;
      if (want <= 0) return true;
      const sent = native.sendfileOnce(fd, file, offset + total, want);
      if (sent === 0) return true;
      if (sent > 0) {
        total += sent;
        continue;
      }
      if (wouldBlock() || lastErrno() === EINTR) return false;
      const err = takeError();
      if (total === 0) throw new SendfileNotAvailableError('os.sendfile call failed');
      throw err;
    }
  };
  try {
    if (!busy(fd, WRITE) && attempt()) return total;
    await wait<void>(fd, WRITE, 'sendfile', (op) => attempt() && op.done(undefined), signal);
    return total;
  } finally {
    if (total > 0) native.seekFile(file, offset + total);
  }
}

/** read(2) of up to `length` bytes from the file's position, on Node's thread pool. */
function readFile(file: number, buf: Buffer, length: number): Promise<number> {
  return new Promise((resolve, reject) => read(file, buf, 0, length, null, (err, n) => (err ? reject(err) : resolve(n))));
}

/** `p`, or AbortError once `signal` aborts first. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(abortError(signal));
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * asyncio's `_sock_sendfile_fallback` and `_sendfile_fallback`: seek to `offset` (when not 0), then
 * read blocks of up to `blocksize` bytes and `send` each, until `count` bytes (-1: the end of the
 * file); the file's position is set to `offset` + the bytes sent at the end, as asyncio does.
 */
async function readAndSend(file: number, offset: number, count: number, blocksize: number, send: (block: Buffer) => Promise<void>): Promise<number> {
  if (offset !== 0 && !native.seekFile(file, offset)) throw takeError();
  let size = count > 0 ? Math.min(count, blocksize) : blocksize;
  const buf = Buffer.allocUnsafe(size);
  let total = 0;
  try {
    for (;;) {
      if (count > 0) {
        size = Math.min(count - total, size);
        if (size <= 0) break;
      }
      const got = await readFile(file, buf, size);
      if (got === 0) break;
      await send(buf.subarray(0, got));
      total += got;
    }
    return total;
  } finally {
    if (total > 0) native.seekFile(file, offset + total);
  }
}
