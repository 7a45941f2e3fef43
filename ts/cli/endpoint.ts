// What `bsdsock connect` and `bsdsock listen` share: the transport options
// (--udp, --unix), the address arguments they take (a port number or a
// service name), and how a failure names the endpoint, as netcat does:
// "connect to 127.0.0.1 port 1 (tcp) failed: [Errno 111] Connection refused".

import * as C from '../constants';
import { oserror, OSError } from '../errors';
import { getaddrinfo, type AddrInfo } from '../resolver';
import type { Socket } from '../socket';
import { pyRepr } from '../repr';
import { flag, port, positionals, UsageError, type OptionSpec, type Parsed } from './args';
import { Failure } from './command';

export const TRANSPORT_OPTIONS: readonly OptionSpec[] = [
  { name: 'udp', short: 'u' },
  { name: 'unix', short: 'U' },
];

/** The transport the options ask for: TCP, UDP, or a Unix stream or datagram socket. */
export interface Transport {
  unix: boolean;
  type: number;
}

export function transport(args: Parsed): Transport {
  return { unix: flag(args, 'unix'), type: flag(args, 'udp') ? C.SOCK_DGRAM : C.SOCK_STREAM };
}

/** The Unix socket path: the one positional. */
export function unixPath(args: Parsed): string {
  return positionals(args, 1, 1)[0]!;
}

/** A PORT argument: a number 0-65535, or a service name (`http`) for the resolver. */
export function portOrService(text: string): number | string {
  if (/^\d+$/.test(text.trim())) return port(text);
  if (!/^[A-Za-z0-9][\w.+-]*$/.test(text)) throw new UsageError(`port must be a number from 0 to 65535 or a service name, not '${text}'`);
  return text;
}

/** getaddrinfo's results for `host` and the PORT argument, for sockets of `type`; a failure names both. */
export function resolve(host: string | null, portText: string, type: number, flags = 0): AddrInfo[] {
  const service = portOrService(portText);
  try {
    const results = getaddrinfo(host, service, C.AF_UNSPEC, type, 0, flags);
    if (results.length === 0) throw new OSError('getaddrinfo returns an empty list');
    return results;
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    throw new Failure(`getaddrinfo for host ${pyRepr(host)} port ${pyRepr(service)} (${protoName(type)}) failed: ${e.message}`);
  }
}

/** netcat's name for a transport: tcp, udp. */
export function protoName(type: number): string {
  return type === C.SOCK_DGRAM ? 'udp' : 'tcp';
}

/** An endpoint as netcat names it: `127.0.0.1 port 80 (tcp)`, or a Unix socket's path. */
export function endpointName(address: unknown, type: number): string {
  if (Array.isArray(address)) return `${String(address[0])} port ${String(address[1])} (${protoName(type)})`;
  return typeof address === 'string' ? address : String(address);
}

/** An OS error in the socket module's words: asyncio's and create_server's messages add the address, which the CLI's lines already have. */
function plain(e: Error, syscall: string): Error {
  return e instanceof OSError && e.errno !== null && e.errno > 0 ? oserror(e.errno, syscall) : e;
}

/** The line for a call on an endpoint that failed: `connect to 127.0.0.1 port 1 (tcp) failed: [Errno 111] Connection refused`. */
export function failed(call: string, address: unknown, type: number, e: Error): string {
  return `${call} to ${endpointName(address, type)} failed: ${plain(e, call).message}`;
}

/**
 * Runs a relay with the connected `sock`; an OS error it ends with names the
 * call and the peer: `recv from 127.0.0.1 port 80 (tcp) failed: [Errno 104] ...`.
 */
export async function relaying(sock: Socket, relay: () => Promise<void>): Promise<void> {
  let peer: unknown = null;
  try {
    peer = sock.getpeername();
  } catch (e) {
    if (!(e instanceof OSError)) throw e; // a datagram socket with no peer yet
  }
  try {
    await relay();
  } catch (e) {
    if (!(e instanceof OSError) || peer === null || peer === '') throw e;
    const call = e.syscall ?? 'relay';
    // recv and recvfrom alike read from the peer; send and sendto write to it.
    const what = call.startsWith('recv') ? 'recv from' : call.startsWith('send') ? 'send to' : `${call} with`;
    throw new Failure(`${what} ${endpointName(peer, sock.type)} failed: ${plain(e, call).message}`);
  }
}

/** Whether stdin is a terminal: then a connection ends with the peer's EOF (no one is going to type Ctrl-D). */
export function interactive(): boolean {
  return process.stdin.isTTY === true;
}
