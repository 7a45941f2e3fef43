// `bsdsock connect HOST PORT` / `bsdsock connect --unix PATH`: a netcat
// client on a bsdsock socket.

import { sock_connect } from '../asyncio/sock';
import * as C from '../constants';
import { oserror, OSError } from '../errors';
import { socket, type Socket } from '../socket';
import { positionals, type Parsed } from './args';
import type { Command } from './command';
import { interactive, resolve, transport, TRANSPORT_OPTIONS, unixPath, type Transport } from './endpoint';
import { relayDatagrams, relayStream } from './relay';

const HELP = `usage: bsdsock connect [--udp] HOST PORT
       bsdsock connect --unix [--udp] PATH

Connects to HOST and PORT (TCP, or UDP with --udp; or the Unix socket PATH with
--unix), then copies stdin to the socket and what the socket receives to
stdout. At the end of stdin the connection is half-closed (shutdown(SHUT_WR))
and what the peer still sends is read until its end. With --udp, each read of
stdin goes as one datagram, and it runs until interrupted.

  -u, --udp        UDP (with --unix: a Unix datagram socket)
  -U, --unix       a Unix socket at PATH
`;

/** The error of a failed connect as the socket module phrases it: "[Errno 111] Connection refused". */
function connectError(e: unknown): unknown {
  return e instanceof OSError && e.errno !== null && e.errno > 0 ? oserror(e.errno, 'connect') : e;
}

async function connectTo(sock: Socket, address: unknown): Promise<Socket> {
  try {
    sock.setblocking(false);
    await sock_connect(sock, address as string);
    return sock;
  } catch (e) {
    sock.close();
    throw connectError(e);
  }
}

/** Connects to the Unix socket PATH; a datagram socket binds an autobound name first, for the replies. */
function connectUnix(path: string, t: Transport): Promise<Socket> {
  const sock = socket(C.AF_UNIX, t.type);
  if (t.type === C.SOCK_DGRAM && process.platform === 'linux') sock.bind('');
  return connectTo(sock, path);
}

/** Connects to each address of HOST and PORT in turn; the last error if none answers. */
async function connectInet(host: string, portText: string, t: Transport): Promise<Socket> {
  let last: unknown;
  for (const [family, type, proto, , sockaddr] of resolve(host, portText, t.type)) {
    try {
      return await connectTo(socket(family, type, proto), sockaddr);
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
      last = e;
    }
  }
  throw last;
}

async function run(args: Parsed): Promise<number> {
  const t = transport(args);
  let sock: Socket;
  if (t.unix) sock = await connectUnix(unixPath(args), t);
  else {
    const [host, portText] = positionals(args, 2, 2) as [string, string];
    sock = await connectInet(host, portText, t);
  }
  try {
    if (t.type === C.SOCK_DGRAM) await relayDatagrams(sock, null);
    else await relayStream(sock, interactive());
  } finally {
    sock.close();
  }
  return 0;
}

export const connect: Command = {
  name: 'connect',
  summary: 'connect to a socket and relay stdin and stdout (netcat)',
  help: HELP,
  options: TRANSPORT_OPTIONS,
  run,
};
