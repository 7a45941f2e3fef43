// `bsdsock connect HOST PORT` / `bsdsock connect --unix PATH`: a netcat
// client on a bsdsock socket, with netcat's connect timeout (-w), port scan
// (-z) and verbose (-v) options.

import { AbortError } from '../asyncio/loop';
import { sock_connect } from '../asyncio/sock';
import * as C from '../constants';
import { OSError, TimeoutError } from '../errors';
import { getservbyport } from '../resolver';
import { socket, type Socket } from '../socket';
import { flag, integer, optionValue, positionals, seconds, UsageError, type Parsed } from './args';
import { note, type Command } from './command';
import { failed, interactive, protoName, relaying, resolve, transport, TRANSPORT_OPTIONS, unixPath, type Transport } from './endpoint';
import { relayDatagrams, relayStream } from './relay';

const HELP = `usage: bsdsock connect [-u] [-v] [-w SECS] HOST PORT
       bsdsock connect --unix [-u] [-v] [-w SECS] PATH
       bsdsock connect -z [-v] [-w SECS] HOST PORT[-PORT]

Connects to HOST and PORT (TCP, or UDP with --udp; or the Unix socket PATH with
--unix), then copies stdin to the socket and what the socket receives to
stdout. At the end of stdin the connection is half-closed (shutdown(SHUT_WR))
and what the peer still sends is read until its end. With --udp, each read of
stdin goes as one datagram, and it runs until interrupted. Each address of
HOST is tried in turn; each failure is shown.

  PORT             a number, or a service name (http)
  -u, --udp        UDP (with --unix: a Unix datagram socket)
  -U, --unix       a Unix socket at PATH
  -w, --wait SECS  give up a connection attempt after SECS seconds
  -z, --zero       scan: connect to each TCP port of the range and close again,
                   sending nothing; exit status 0 when any port accepted
  -v, --verbose    say which connections succeeded (with -z: and which failed)
`;

/** What a connection attempt waits for, and what it shows. */
interface Attempts {
  /** Seconds to wait for each connect, or null to wait as long as the OS does. */
  timeout: number | null;
  /** Whether failures are shown. */
  showFailures: boolean;
}

/** Connects the non-blocking `sock`; the socket is closed on failure, a timeout's error is Python's. */
async function connectTo(sock: Socket, address: unknown, timeout: number | null): Promise<Socket> {
  try {
    sock.setblocking(false);
    const signal = timeout === null ? undefined : AbortSignal.timeout(timeout * 1000);
    await sock_connect(sock, address as string, { signal });
    return sock;
  } catch (e) {
    sock.close();
    throw e instanceof AbortError ? new TimeoutError('timed out') : e;
  }
}

/** Connects to the Unix socket PATH; a datagram socket binds an autobound name first, for the replies. */
async function connectUnix(path: string, t: Transport, attempts: Attempts): Promise<Socket | null> {
  const sock = socket(C.AF_UNIX, t.type);
  try {
    if (t.type === C.SOCK_DGRAM && process.platform === 'linux') sock.bind('');
    return await connectTo(sock, path, attempts.timeout);
  } catch (e) {
    sock.close();
    if (!(e instanceof OSError)) throw e;
    note('connect', failed('connect', path, t.type, e));
    return null;
  }
}

/** Connects to each address of HOST and PORT in turn, showing each failure; null if none answers. */
async function connectInet(host: string, portText: string, t: Transport, attempts: Attempts): Promise<Socket | null> {
  for (const [family, type, proto, , sockaddr] of resolve(host, portText, t.type)) {
    try {
      return await connectTo(socket(family, type, proto), sockaddr, attempts.timeout);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      if (attempts.showFailures) note('connect', failed('connect', sockaddr, type, e));
    }
  }
  return null;
}

/** netcat's line for a connection made: `Connection to 127.0.0.1 80 port [tcp/http] succeeded!`. */
function succeeded(host: string, sock: Socket): string {
  const port = (sock.getpeername() as [string, number])[1];
  const proto = protoName(sock.type);
  let service = '*';
  try {
    service = getservbyport(port, proto);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
  }
  return `Connection to ${host} ${port} port [${proto}/${service}] succeeded!`;
}

/** A PORT or LOW-HIGH argument of -z: the ports to try, in order. */
function portRange(text: string): string[] {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  if (m === null) return [text];
  const [low, high] = [integer(m[1]!, 'port', 0, 65535), integer(m[2]!, 'port', 0, 65535)];
  if (low > high) throw new UsageError(`port range ${text} runs backwards`);
  return Array.from({ length: high - low + 1 }, (_, i) => String(low + i));
}

/** `-z`: connects to each port and closes at once; 0 when any accepted. */
async function scan(args: Parsed, t: Transport, timeout: number | null, verbose: boolean): Promise<number> {
  if (t.unix || t.type !== C.SOCK_STREAM) throw new UsageError('-z scans TCP ports: it takes neither --udp nor --unix');
  const [host, ports] = positionals(args, 2, 2) as [string, string];
  let open = 0;
  for (const p of portRange(ports)) {
    const sock = await connectInet(host, p, t, { timeout, showFailures: verbose });
    if (sock === null) continue;
    open++;
    if (verbose) note('connect', succeeded(host, sock));
    sock.close();
  }
  return open > 0 ? 0 : 1;
}

async function run(args: Parsed): Promise<number> {
  const t = transport(args);
  const wait = optionValue(args, 'wait');
  const timeout = wait === undefined ? null : seconds(wait, 'timeout (-w)');
  const verbose = flag(args, 'verbose');
  if (flag(args, 'zero')) return scan(args, t, timeout, verbose);
  const attempts: Attempts = { timeout, showFailures: true };
  let sock: Socket | null;
  if (t.unix) sock = await connectUnix(unixPath(args), t, attempts);
  else {
    const [host, portText] = positionals(args, 2, 2) as [string, string];
    sock = await connectInet(host, portText, t, attempts);
    if (sock !== null && verbose) note('connect', succeeded(host, sock));
  }
  if (sock === null) return 1;
  const connected = sock;
  try {
    await relaying(connected, () => (t.type === C.SOCK_DGRAM ? relayDatagrams(connected, null) : relayStream(connected, interactive())));
  } finally {
    sock.close();
  }
  return 0;
}

export const connect: Command = {
  name: 'connect',
  summary: 'connect to a socket and relay stdin and stdout, or scan ports (netcat)',
  help: HELP,
  options: [
    ...TRANSPORT_OPTIONS,
    { name: 'wait', short: 'w', value: true },
    { name: 'zero', short: 'z' },
    { name: 'verbose', short: 'v' },
  ],
  run,
};
