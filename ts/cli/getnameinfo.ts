// `bsdsock getnameinfo ADDR PORT`: the host and service names of a numeric
// socket address, as Python's socket.getnameinfo() gives them.

import { getnameinfo } from '../resolver';
import * as C from '../constants';
import { OSError } from '../errors';
import { inet_pton } from '../module';
import { optionValue, port, positionals, UsageError, type Parsed } from './args';
import { out, type Command } from './command';
import { parseFlags } from './names';

const HELP = `usage: bsdsock getnameinfo ADDR PORT [--flags NI_...]

Looks up the host and service names of the numeric address ADDR and PORT with
getnameinfo() and prints them on one line: HOST SERVICE.

  ADDR             a numeric IPv4 or IPv6 address ('fe80::1%lo' with a zone)
  PORT             a port number
  --flags LIST     NI_* flags joined with commas: NI_NUMERICHOST,NI_NUMERICSERV
`;

/** Whether `addr` is a numeric IPv4 or IPv6 address (an IPv6 one may carry a zone: 'fe80::1%lo'). */
function numeric(addr: string): boolean {
  for (const [family, text] of [[C.AF_INET, addr], [C.AF_INET6, addr.replace(/%.*$/, '')]] as const) {
    try {
      inet_pton(family, text);
      return true;
    } catch (e) {
      if (!(e instanceof OSError)) throw e;
    }
  }
  return false;
}

function run(args: Parsed): Promise<number> {
  const [addr, portText] = positionals(args, 2, 2) as [string, string];
  if (!numeric(addr)) {
    throw new UsageError(`ADDR must be a numeric IPv4 or IPv6 address, not '${addr}' ('bsdsock getaddrinfo ${addr}' gives a name's addresses)`);
  }
  const flags = parseFlags(optionValue(args, 'flags') ?? '', 'NI_');
  const [host, service] = getnameinfo([addr, port(portText)], flags);
  return out(`${host} ${service}\n`).then(() => 0);
}

export const getnameinfoCommand: Command = {
  name: 'getnameinfo',
  summary: 'look up the host and service names of an address',
  help: HELP,
  options: [{ name: 'flags', value: true }],
  run,
};
