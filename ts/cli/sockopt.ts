// `bsdsock sockopt`: every socket option the platform defines, read from a
// fresh socket of the kind asked for, with its value decoded; an option the
// OS refuses shows the error it gave.

import * as os from 'node:os';

import * as C from '../constants';
import { OSError } from '../errors';
import { unpack_ucred } from '../msg';
import { inet_ntoa } from '../module';
import { socket, type Socket } from '../socket';
import { optionValue, positionals, type Parsed } from './args';
import { out, type Command } from './command';
import { constantsWith, familyName, named, parseFamily, parseProto, parseType, PROTOCOLS, SOCKET_KIND_OPTIONS, typeName } from './names';
import { pyRepr } from '../repr';
import { table } from './table';

const HELP = `usage: bsdsock sockopt [--family F] [--type T] [--proto N]

Prints every socket option the platform defines that applies to a fresh
socket of the given kind (SOL_SOCKET SO_*, and for IP sockets IPPROTO_IP IP_*,
IPPROTO_IPV6 IPV6_*, IPPROTO_TCP TCP_*), with the value getsockopt() returns;
structures (SO_LINGER, SO_RCVTIMEO, TCP_INFO...) are decoded, and an option
the OS refuses shows its error.

  --family F       inet (default), inet6, unix or any AF_* name
  --type T         stream (default), dgram, raw, seqpacket or any SOCK_* name
  --proto N        a protocol number or IPPROTO_* name; 0 by default
`;

/** An option level and the names of its options. */
interface Level {
  name: string;
  level: number | undefined;
  prefix: string;
  applies(family: number, type: number): boolean;
}

const isIp = (family: number): boolean => family === C.AF_INET || family === C.AF_INET6;

const LEVELS: readonly Level[] = [
  { name: 'SOL_SOCKET', level: C.SOL_SOCKET, prefix: 'SO_', applies: () => true },
  { name: 'IPPROTO_IP', level: C.IPPROTO_IP, prefix: 'IP_', applies: (family) => family === C.AF_INET },
  { name: 'IPPROTO_IPV6', level: C.IPPROTO_IPV6, prefix: 'IPV6_', applies: (family) => family === C.AF_INET6 },
  { name: 'IPPROTO_TCP', level: C.IPPROTO_TCP, prefix: 'TCP_', applies: (family, type) => isIp(family) && type === C.SOCK_STREAM },
];

/** Constants that share an option prefix but are values or limits, or belong to another level. */
const NOT_OPTIONS = /^(SO_J1939_|SO_VM_SOCKETS_|IP_DEFAULT_|IP_MAX_|IP_PMTUDISC_|IPV6_RTHDR_TYPE_|IPV6_PMTUDISC_)/;

/** How to read an option that is not a plain int: its buffer size and how to show the bytes. */
interface Decoder {
  size: number;
  show(b: Buffer): string;
}

const LE = os.endianness() === 'LE';
/** A C long or time_t of the size the buffer says (8 bytes on 64-bit platforms). */
function word(b: Buffer, index: number, size: number): bigint {
  if (size === 8) return LE ? b.readBigInt64LE(index * 8) : b.readBigInt64BE(index * 8);
  return BigInt(LE ? b.readInt32LE(index * 4) : b.readInt32BE(index * 4));
}
const int32 = (b: Buffer, offset: number): number => (LE ? b.readInt32LE(offset) : b.readInt32BE(offset));
const uint32 = (b: Buffer, offset: number): number => (LE ? b.readUInt32LE(offset) : b.readUInt32BE(offset));

/** A `struct timeval` (0 and 0: no timeout). */
function timeval(b: Buffer): string {
  const size = b.length / 2;
  if (size !== 4 && size !== 8) return pyRepr(b);
  return `tv_sec=${word(b, 0, size)} tv_usec=${word(b, 1, size)}`;
}

/** A NUL-terminated string (an interface or algorithm name). */
const cstring = (b: Buffer): string => pyRepr(b.subarray(0, b.indexOf(0) < 0 ? b.length : b.indexOf(0)).toString('latin1'));

/** Linux's `struct tcp_info`, first fields (include/uapi/linux/tcp.h). */
function tcpInfo(b: Buffer): string {
  if (process.platform !== 'linux' || b.length < 84) return `${b.length} bytes`;
  const u = (offset: number): number => uint32(b, offset);
  return `state=${b[0]} rto=${u(8)} ato=${u(12)} snd_mss=${u(16)} rcv_mss=${u(20)} pmtu=${u(60)} rtt=${u(68)} rttvar=${u(72)} snd_cwnd=${u(80)} (${b.length} bytes)`;
}

const DECODERS: Record<string, Decoder> = {
  SO_LINGER: { size: 8, show: (b) => `l_onoff=${int32(b, 0)} l_linger=${int32(b, 4)}` },
  SO_RCVTIMEO: { size: 16, show: timeval },
  SO_SNDTIMEO: { size: 16, show: timeval },
  SO_PEERCRED: { size: 12, show: (b) => `pid=${unpack_ucred(b)[0]} uid=${unpack_ucred(b)[1]} gid=${unpack_ucred(b)[2]}` },
  SO_BINDTODEVICE: { size: 16, show: cstring },
  SO_PEERSEC: { size: 256, show: cstring },
  TCP_CONGESTION: { size: 16, show: cstring },
  TCP_INFO: { size: 256, show: tcpInfo },
  IP_MULTICAST_IF: { size: 4, show: (b) => (b.length === 4 ? inet_ntoa(b) : pyRepr(b)) },
  IP_OPTIONS: { size: 40, show: pyRepr },
  IPV6_PATHMTU: { size: 32, show: pyRepr },
  IPV6_HOPOPTS: { size: 256, show: pyRepr },
  IPV6_DSTOPTS: { size: 256, show: pyRepr },
  IPV6_RTHDR: { size: 256, show: pyRepr },
  IPV6_RTHDRDSTOPTS: { size: 256, show: pyRepr },
};

/** Ints shown with the name of their value. */
const NAMED: Record<string, (v: number) => string> = {
  SO_TYPE: (v) => `${v} (${typeName(v)})`,
  SO_DOMAIN: (v) => `${v} (${familyName(v)})`,
  SO_PROTOCOL: (v) => named('IPPROTO_', v, PROTOCOLS),
};

/** One option's value as text, or the error the OS gave. */
function read(sock: Socket, level: number, name: string, optname: number): string {
  try {
    const decoder = DECODERS[name];
    if (decoder !== undefined) return decoder.show(sock.getsockopt(level, optname, decoder.size));
    const v = sock.getsockopt(level, optname);
    return NAMED[name]?.(v) ?? String(v);
  } catch (e) {
    if (e instanceof OSError) return e.message;
    throw e;
  }
}

function run(args: Parsed): Promise<number> {
  positionals(args, 0, 0);
  const family = parseFamily(optionValue(args, 'family') ?? 'inet');
  const type = parseType(optionValue(args, 'type') ?? 'stream');
  const proto = parseProto(optionValue(args, 'proto') ?? '0');
  const sock = socket(family, type, proto);
  const rows: string[][] = [];
  try {
    for (const level of LEVELS) {
      if (level.level === undefined || !level.applies(family, type)) continue;
      for (const [name, optname] of constantsWith(level.prefix)) {
        if (!NOT_OPTIONS.test(name)) rows.push([level.name, name, read(sock, level.level, name, optname)]);
      }
    }
  } finally {
    sock.close();
  }
  return out(table(['level', 'option', 'value'], rows)).then(() => 0);
}

export const sockopt: Command = {
  name: 'sockopt',
  summary: "show every socket option of a fresh socket, and its value",
  help: HELP,
  options: SOCKET_KIND_OPTIONS,
  run,
};
