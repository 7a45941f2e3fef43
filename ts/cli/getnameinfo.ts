// `bsdsock getnameinfo ADDR PORT`: the host and service names of a numeric
// socket address, as Python's socket.getnameinfo() gives them.

import { getnameinfo } from '../resolver';
import { optionValue, port, positionals, type Parsed } from './args';
import { out, type Command } from './command';
import { parseFlags } from './names';

const HELP = `usage: bsdsock getnameinfo ADDR PORT [--flags NI_...]

Looks up the host and service names of the numeric address ADDR and PORT with
getnameinfo() and prints them on one line: HOST SERVICE.

  ADDR             a numeric IPv4 or IPv6 address ('fe80::1%lo' with a zone)
  PORT             a port number
  --flags LIST     NI_* flags joined with commas: NI_NUMERICHOST,NI_NUMERICSERV
`;

function run(args: Parsed): Promise<number> {
  const [addr, portText] = positionals(args, 2, 2) as [string, string];
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
