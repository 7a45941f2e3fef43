// `bsdsock listen [HOST] PORT` / `bsdsock listen --unix PATH`: a netcat
// server on a bsdsock socket.

import * as fs from 'node:fs';

import { sock_accept, sock_recvfrom } from '../asyncio/sock';
import * as C from '../constants';
import { create_server, has_dualstack_ipv6 } from '../create';
import { ConnectionRefusedError, errnos, OSError } from '../errors';
import { socket, type Socket } from '../socket';
import { flag, port, positionals, type Parsed } from './args';
import { Failure, note, type Command } from './command';
import { failed, interactive, relaying, resolve, transport, TRANSPORT_OPTIONS, unixPath, type Transport } from './endpoint';
import { relayDatagrams, relayStream } from './relay';
import { pyRepr } from '../repr';

const HELP = `usage: bsdsock listen [-u] [-k] [HOST] PORT
       bsdsock listen --unix [-u] [-k] PATH

Listens on HOST and PORT (every address by default; TCP, or UDP with --udp;
or the Unix socket PATH with --unix), takes one connection and relays it as
'bsdsock connect' does: stdin to the socket, the socket to stdout, and a
half-close (shutdown(SHUT_WR)) at the end of stdin; it ends once the peer has
closed and stdin is done (or at the peer's close, when stdin is a terminal).
The address listened on (PORT 0 picks a free port, PORT may be a service
name) and each peer are shown on stderr.

With --udp, the first datagram's sender becomes the peer (the socket connects
to it); with --keep-open, stdin goes to whoever sent the last datagram.

  -u, --udp        UDP (with --unix: a Unix datagram socket)
  -U, --unix       a Unix socket at PATH, removed again on exit
  -k, --keep-open  after a connection ends, accept the next one
`;

/** `make()`, with a failure to bind or listen named by its address, as netcat names it. */
function binding(address: unknown, type: number, make: () => Socket): Socket {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    throw new Failure(failed('bind', address, type, e));
  }
}

/** A socket bound to `address` (listening, for a stream socket); closed again if that fails. */
function bound(family: number, type: number, proto: number, address: unknown): Socket {
  const sock = socket(family, type, proto);
  try {
    sock.bind(address as string);
    if (type === C.SOCK_STREAM) sock.listen();
    return sock;
  } catch (e) {
    sock.close();
    throw e;
  }
}

/** A socket listening on the arguments' address (bound, for UDP). */
function listenInet(args: Parsed, t: Transport): Socket {
  const p = positionals(args, 1, 2);
  const [host, portText] = p.length === 2 ? [p[0]!, p[1]!] : [null, p[0]!];
  if (host === null && t.type === C.SOCK_STREAM && has_dualstack_ipv6()) {
    // Every address, IPv4 and IPv6, as one socket.
    const address = ['::', port(portText)];
    return binding(address, t.type, () => create_server(address as [string, number], { family: C.AF_INET6, dualstack_ipv6: true }));
  }
  const [family, type, proto, , sockaddr] = resolve(host, portText, t.type, C.AI_PASSIVE)[0]!;
  if (type === C.SOCK_STREAM) return binding(sockaddr, type, () => create_server(sockaddr, { family }));
  return binding(sockaddr, type, () => bound(family, type, proto, sockaddr));
}

/** Why binding to an existing Unix socket path failed: a file left by an earlier run, or a socket in use. */
function pathInUse(path: string, type: number): string {
  const probe = socket(C.AF_UNIX, type);
  try {
    probe.connect(path);
    return 'another process is listening on it';
  } catch (e) {
    if (!(e instanceof ConnectionRefusedError)) throw e;
    return `the file exists and nothing listens on it (left by an earlier run?): remove it with rm ${shellQuote(path)}`;
  } finally {
    probe.close();
  }
}

/** `text` quoted for a POSIX shell, where it needs it. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The Unix socket PATH, bound (and listening, for a stream socket); the path is removed when the process ends. */
function listenUnix(path: string, t: Transport): Socket {
  let sock: Socket;
  try {
    sock = bound(C.AF_UNIX, t.type, 0, path);
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    const why = e.errno === errnos.EADDRINUSE && fs.existsSync(path) ? `; ${pathInUse(path, t.type)}` : '';
    throw new Failure(failed('bind', path, t.type, e) + why);
  }
  const remove = (): void => fs.rmSync(path, { force: true });
  process.once('exit', remove);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      remove();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  return sock;
}

/** Accepts connections and relays each; one only, unless `keepOpen`. */
async function serveStream(server: Socket, keepOpen: boolean): Promise<void> {
  do {
    const [conn, address] = await sock_accept(server);
    note('listen', `connection from ${pyRepr(address)}`);
    if (!keepOpen) server.close();
    try {
      await relaying(conn, () => relayStream(conn, keepOpen || interactive()));
    } finally {
      conn.close();
    }
  } while (keepOpen);
}

/** Waits for the first datagram, then relays with its sender as the peer. */
async function serveDatagrams(sock: Socket, keepOpen: boolean): Promise<void> {
  const [data, from] = await sock_recvfrom(sock, 65536);
  note('listen', `datagram from ${pyRepr(from)}`);
  process.stdout.write(data);
  const known = from !== null && from !== '';
  if (known && !keepOpen) sock.connect(from as string);
  await relayDatagrams(sock, keepOpen && known ? from : null);
}

async function run(args: Parsed): Promise<number> {
  const t = transport(args);
  const keepOpen = flag(args, 'keep-open');
  const sock = t.unix ? listenUnix(unixPath(args), t) : listenInet(args, t);
  try {
    sock.setblocking(false);
    note('listen', `listening on ${pyRepr(sock.getsockname())}`);
    if (t.type === C.SOCK_DGRAM) await serveDatagrams(sock, keepOpen);
    else await serveStream(sock, keepOpen);
  } finally {
    sock.close();
  }
  return 0;
}

export const listen: Command = {
  name: 'listen',
  summary: 'listen on a socket and relay stdin and stdout (netcat -l)',
  help: HELP,
  options: [...TRANSPORT_OPTIONS, { name: 'keep-open', short: 'k' }],
  run,
};
