// `bsdsock getaddrinfo HOST [PORT]`: what the resolver gives for a host and
// port, as the table of Python's socket.getaddrinfo() tuples.

import { getaddrinfo } from '../resolver';
import { optionValue, positionals, type Parsed } from './args';
import { portOrService } from './endpoint';
import { out, type Command } from './command';
import { familyName, parseFamily, parseFlags, parseProto, parseType, SOCKET_KIND_OPTIONS, typeName } from './names';
import { pyRepr } from '../repr';
import { table } from './table';

const HELP = `usage: bsdsock getaddrinfo HOST [PORT] [--family F] [--type T] [--proto N] [--flags AI_...]

Resolves HOST and PORT with getaddrinfo() and prints each result: family,
socket type, protocol, canonical name (with AI_CANONNAME) and socket address.

  HOST             a name or a numeric address ('fe80::1%lo' with a zone)
  PORT             a number or a service name (http); none by default
  --family F       inet, inet6, unix, unspec (default) or any AF_* name
  --type T         stream, dgram, raw or any SOCK_* name; 0 (any) by default
  --proto N        a protocol number or IPPROTO_* name; 0 by default
  --flags LIST     AI_* flags joined with commas: AI_PASSIVE,AI_CANONNAME
`;

/** A port argument as getaddrinfo takes it: a number 0-65535 (the C library would wrap a larger one), or a service name. */
function portArg(text: string | undefined): number | string | null {
  return text === undefined ? null : portOrService(text);
}

function run(args: Parsed): Promise<number> {
  const [host, port] = positionals(args, 1, 2) as [string, string | undefined];
  const family = parseFamily(optionValue(args, 'family') ?? 'unspec');
  const type = parseType(optionValue(args, 'type') ?? '0');
  const proto = parseProto(optionValue(args, 'proto') ?? '0');
  const flags = parseFlags(optionValue(args, 'flags') ?? '', 'AI_');
  const rows = getaddrinfo(host, portArg(port), family, type, proto, flags).map(([af, socktype, protocol, canonname, sa]) => [
    familyName(af),
    typeName(socktype),
    String(protocol),
    canonname,
    pyRepr(sa),
  ]);
  return out(table(['family', 'type', 'proto', 'canonname', 'sockaddr'], rows)).then(() => 0);
}

export const getaddrinfoCommand: Command = {
  name: 'getaddrinfo',
  summary: 'resolve a host and port to socket addresses',
  help: HELP,
  options: [...SOCKET_KIND_OPTIONS, { name: 'flags', value: true }],
  run,
};
