// What `bsdsock connect` and `bsdsock listen` share: the transport options
// (--udp, --unix), and the address arguments they take.

import * as C from '../constants';
import { OSError } from '../errors';
import { getaddrinfo, type AddrInfo } from '../resolver';
import { flag, port, positionals, type OptionSpec, type Parsed } from './args';

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

/** getaddrinfo's results for `host` and the PORT argument, for sockets of `type`. */
export function resolve(host: string | null, portText: string, type: number, flags = 0): AddrInfo[] {
  const results = getaddrinfo(host, port(portText), C.AF_UNSPEC, type, 0, flags);
  if (results.length === 0) throw new OSError('getaddrinfo returns an empty list');
  return results;
}

/** Whether stdin is a terminal: then a connection ends with the peer's EOF (no one is going to type Ctrl-D). */
export function interactive(): boolean {
  return process.stdin.isTTY === true;
}
