// The message operations of bsdsock/asyncio: sendmsg / recvmsg with ancillary
// data, fd passing and batched datagrams (beyond asyncio, which has none of
// them). Each makes the socket's own call and waits on Node's event loop while
// it would block, as sock.ts does.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';
import { keywords, type WithOptions } from '../keywords';

import { type AddressArgOf, type AddressOf } from '../address';
import * as M from '../msg';
import { Socket } from '../socket';
import { checkSignal, OPERATION_KEYWORDS, READ, WRITE, type OperationOptions } from './loop';
import { needsLookup, resolveAddress } from './resolver';
import { fdOf, whenReady } from './sock';

/** A generator passed as `buffers` is read once, so that a retry sends the same buffers. */
function once<T>(items: Iterable<T>): Iterable<T> {
  const it = items as unknown;
  if (Array.isArray(it) || it === null || typeof it !== 'object' || typeof (it as Iterable<T>)[Symbol.iterator] !== 'function') return items;
  return Array.from(items);
}

/** A host name in `address` resolved without blocking, as sock_sendto does, for the call `caller`. */
async function resolved<F extends string>(
  sock: Socket<F>,
  address: AddressArgOf<F> | null,
  caller: string,
  signal: AbortSignal | undefined,
): Promise<AddressArgOf<F> | null> {
  return address !== null && needsLookup(sock, address) ? resolveAddress(sock, address, caller, signal) : address;
}

/** `sock.sendmsg(buffers, ancdata, flags, address)`, once the socket has room: bytes sent. */
export async function sock_sendmsg<F extends string>(
  ...args: WithOptions<
    [sock: Socket<F>, buffers: Iterable<Uint8Array>],
    [ancdata: Iterable<M.AncDataArg> | undefined, flags: number | undefined, address: AddressArgOf<F> | null | undefined],
    OperationOptions
  >
): Promise<number> {
  const [[sock, buffers, ancdata = [], flags = 0, address = null], options] = keywords<[Socket<F>, Iterable<Uint8Array>, Iterable<M.AncDataArg>?, number?, (AddressArgOf<F> | null)?], OperationOptions>(
    args,
    { name: 'sock_sendmsg', min: 2, max: 5, keywords: OPERATION_KEYWORDS },
  );
  let fd = fdOf(sock, 'sock_sendmsg');
  const signal = checkSignal(options);
  const bufs = once(buffers);
  const anc = once(ancdata);
  const addr = await resolved(sock, address, 'sendmsg', signal);
  if (addr !== address) fd = fdOf(sock, 'sock_sendmsg');
  return whenReady(fd, WRITE, 'sendmsg', () => sock.sendmsg(bufs, anc, flags, addr), signal);
}

/** `sock.recvmsg(bufsize, ancbufsize, flags)`, once a message arrives: `[data, ancdata, msg_flags, address]`. */
export async function sock_recvmsg<F extends string>(
  ...args: WithOptions<
    [sock: Socket<F>, bufsize: number],
    [ancbufsize: number | undefined, flags: number | undefined],
    OperationOptions
  >
): Promise<[Buffer, M.AncData[], number, AddressOf<F> | null]> {
  const [[sock, bufsize, ancbufsize = 0, flags = 0], options] = keywords<[Socket<F>, number, number?, number?], OperationOptions>(
    args,
    { name: 'sock_recvmsg', min: 2, max: 4, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_recvmsg');
  return whenReady(fd, READ, 'recvmsg', () => sock.recvmsg(bufsize, ancbufsize, flags), checkSignal(options));
}

/** `sock.recvmsg_into(buffers, ancbufsize, flags)`, once a message arrives: `[nbytes, ancdata, msg_flags, address]`. */
export async function sock_recvmsg_into<F extends string>(
  ...args: WithOptions<
    [sock: Socket<F>, buffers: Iterable<Uint8Array>],
    [ancbufsize: number | undefined, flags: number | undefined],
    OperationOptions
  >
): Promise<[number, M.AncData[], number, AddressOf<F> | null]> {
  const [[sock, buffers, ancbufsize = 0, flags = 0], options] = keywords<[Socket<F>, Iterable<Uint8Array>, number?, number?], OperationOptions>(
    args,
    { name: 'sock_recvmsg_into', min: 2, max: 4, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_recvmsg_into');
  const bufs = once(buffers);
  return whenReady(fd, READ, 'recvmsg_into', () => sock.recvmsg_into(bufs, ancbufsize, flags), checkSignal(options));
}

/** `send_fds(sock, buffers, fds, flags, address)`, once the socket has room: bytes sent. */
export async function sock_send_fds<F extends string>(
  ...args: WithOptions<
    [sock: Socket<F>, buffers: Iterable<Uint8Array>, fds: Iterable<number>],
    [flags: number | undefined, address: AddressArgOf<F> | null | undefined],
    OperationOptions
  >
): Promise<number> {
  const [[sock, buffers, fds, flags = 0, address = null], options] = keywords<[Socket<F>, Iterable<Uint8Array>, Iterable<number>, number?, (AddressArgOf<F> | null)?], OperationOptions>(
    args,
    { name: 'sock_send_fds', min: 3, max: 5, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_send_fds');
  const bufs = once(buffers);
  const list = once(fds);
  return whenReady(fd, WRITE, 'sendmsg', () => M.send_fds(sock, bufs, list, flags, address), checkSignal(options));
}

/** `recv_fds(sock, bufsize, maxfds, flags)`, once a message arrives: `[data, fds, msg_flags, address]`. */
export async function sock_recv_fds<F extends string>(
  ...args: WithOptions<[sock: Socket<F>, bufsize: number, maxfds: number], [flags: number | undefined], OperationOptions>
): Promise<[Buffer, number[], number, AddressOf<F> | null]> {
  const [[sock, bufsize, maxfds, flags = 0], options] = keywords<[Socket<F>, number, number, number?], OperationOptions>(
    args,
    { name: 'sock_recv_fds', min: 3, max: 4, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_recv_fds');
  return whenReady(fd, READ, 'recvmsg', () => M.recv_fds<AddressOf<F> | null>(sock, bufsize, maxfds, flags), checkSignal(options));
}

/**
 * `sock.sendmmsg(messages, flags)`, once the socket has room: how many of the
 * datagrams were sent (fewer than given when the socket filled up on the way).
 */
export async function sock_sendmmsg<F extends string>(
  ...args: WithOptions<
    [sock: Socket<F>, messages: Iterable<[data: Uint8Array, address?: AddressArgOf<F> | null]>],
    [flags: number | undefined],
    OperationOptions
  >
): Promise<number> {
  const [[sock, messages, flags = 0], options] = keywords<[Socket<F>, Iterable<[data: Uint8Array, address?: AddressArgOf<F> | null]>, number?], OperationOptions>(
    args,
    { name: 'sock_sendmmsg', min: 2, max: 3, keywords: OPERATION_KEYWORDS },
  );
  let fd = fdOf(sock, 'sock_sendmmsg');
  const signal = checkSignal(options);
  let list = once(messages);
  if (Array.isArray(list) && list.some((m) => Array.isArray(m) && m.length === 2 && m[1] != null && needsLookup(sock, m[1]))) {
    list = await Promise.all(list.map(async (m): Promise<[Uint8Array, AddressArgOf<F> | null]> => [m[0], await resolved(sock, m[1] ?? null, 'sendmmsg', signal)]));
    fd = fdOf(sock, 'sock_sendmmsg');
  }
  const msgs = list;
  return whenReady(fd, WRITE, 'sendmmsg', () => sock.sendmmsg(msgs, flags), signal);
}

/** `sock.recvmmsg(count, bufsize, flags)`, once a datagram arrives: `[data, address][]` of those that had. */
export async function sock_recvmmsg<F extends string>(
  ...args: WithOptions<[sock: Socket<F>, count: number, bufsize: number], [flags: number | undefined], OperationOptions>
): Promise<[Buffer, AddressOf<F> | null][]> {
  const [[sock, count, bufsize, flags = 0], options] = keywords<[Socket<F>, number, number, number?], OperationOptions>(
    args,
    { name: 'sock_recvmmsg', min: 3, max: 4, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_recvmmsg');
  return whenReady(fd, READ, 'recvmmsg', () => sock.recvmmsg(count, bufsize, flags), checkSignal(options));
}

/** `sock.recvmmsg_into(buffers, flags)`, once a datagram arrives: `[nbytes, address][]`, the bytes in `buffers`. */
export async function sock_recvmmsg_into<F extends string>(
  ...args: WithOptions<[sock: Socket<F>, buffers: Iterable<Uint8Array>], [flags: number | undefined], OperationOptions>
): Promise<[number, AddressOf<F> | null][]> {
  const [[sock, buffers, flags = 0], options] = keywords<[Socket<F>, Iterable<Uint8Array>, number?], OperationOptions>(
    args,
    { name: 'sock_recvmmsg_into', min: 2, max: 3, keywords: OPERATION_KEYWORDS },
  );
  const fd = fdOf(sock, 'sock_recvmmsg_into');
  const bufs = once(buffers);
  return whenReady(fd, READ, 'recvmmsg', () => sock.recvmmsg_into(bufs, flags), checkSignal(options));
}
