// Constants by name for the command line: `--family inet6` or `AF_INET6`,
// `--flags AI_PASSIVE,AI_CANONNAME`, and back from a value to its name.

import * as C from '../constants';
import { integer, UsageError, type OptionSpec } from './args';

/** Every constant the platform defines, by name. */
const CONSTANTS: ReadonlyMap<string, number> = new Map(
  Object.entries(C).filter((e): e is [string, number] => typeof e[1] === 'number'),
);

/** The platform's constants whose names start with `prefix`, in name order. */
export function constantsWith(prefix: string): [name: string, value: number][] {
  return [...CONSTANTS].filter(([name]) => name.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
}

/** The value of constant `name`, or undefined where the platform lacks it. */
export function constant(name: string): number | undefined {
  return CONSTANTS.get(name);
}

/**
 * The name of `value` among the constants starting with `prefix`: the first of
 * `preferred` that has it, else the first in name order; undefined if none.
 */
export function nameOf(prefix: string, value: number, preferred: readonly string[] = []): string | undefined {
  for (const name of preferred) if (CONSTANTS.get(name) === value) return name;
  return constantsWith(prefix).find(([, v]) => v === value)?.[0];
}

/** `value` with its name: `1 (SOCK_STREAM)`, or the number alone when it has none. */
export function named(prefix: string, value: number, preferred: readonly string[] = []): string {
  const name = nameOf(prefix, value, preferred);
  return name === undefined ? String(value) : `${value} (${name})`;
}

/**
 * A constant from the command line: a short alias (`inet6`), its full name
 * (`AF_INET6`, any case) or a number. `what` names it in the error.
 */
export function parseConstant(text: string, prefix: string, what: string, aliases: Record<string, string> = {}): number {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) return integer(t, what, -0x80000000, 0x7fffffff);
  const name = aliases[t.toLowerCase()] ?? (t.toUpperCase().startsWith(prefix) ? t.toUpperCase() : prefix + t.toUpperCase());
  const value = CONSTANTS.get(name);
  if (value === undefined) throw new UsageError(`unknown ${what} '${text}'`);
  return value;
}

/** Flags joined with `,` or `|` (`AI_PASSIVE,AI_CANONNAME`, or numbers), or'ed together. */
export function parseFlags(text: string, prefix: string): number {
  let flags = 0;
  for (const part of text.split(/[,|]/)) {
    if (part.trim() === '') continue;
    flags |= parseConstant(part, prefix, 'flag');
  }
  return flags;
}

const FAMILIES = { inet: 'AF_INET', inet6: 'AF_INET6', ipv4: 'AF_INET', ipv6: 'AF_INET6', unix: 'AF_UNIX', unspec: 'AF_UNSPEC' };
const TYPES = { stream: 'SOCK_STREAM', dgram: 'SOCK_DGRAM', raw: 'SOCK_RAW', seqpacket: 'SOCK_SEQPACKET', tcp: 'SOCK_STREAM', udp: 'SOCK_DGRAM' };
/** Protocol names to prefer where several share a number (0 is IPPROTO_IP, not IPPROTO_HOPOPTS). */
export const PROTOCOLS = ['IPPROTO_IP', 'IPPROTO_TCP', 'IPPROTO_UDP', 'IPPROTO_ICMP', 'IPPROTO_ICMPV6', 'IPPROTO_RAW', 'IPPROTO_SCTP'];

/** The options that say what kind of socket: `--family`, `--type`, `--proto`. */
export const SOCKET_KIND_OPTIONS: readonly OptionSpec[] = [
  { name: 'family', value: true },
  { name: 'type', value: true },
  { name: 'proto', value: true },
];

/** `--family`: inet, inet6, unix, unspec, or AF_*. */
export function parseFamily(text: string): number {
  return parseConstant(text, 'AF_', 'family', FAMILIES);
}

/** `--type`: stream, dgram, raw, seqpacket, or SOCK_*. */
export function parseType(text: string): number {
  return parseConstant(text, 'SOCK_', 'socket type', TYPES);
}

/** `--proto`: a number, or tcp, udp, icmp... (IPPROTO_*). */
export function parseProto(text: string): number {
  return parseConstant(text, 'IPPROTO_', 'protocol');
}

/** A family's name (AF_INET6), for output. */
export function familyName(value: number): string {
  return nameOf('AF_', value, ['AF_UNSPEC', 'AF_INET', 'AF_INET6', 'AF_UNIX']) ?? String(value);
}

/** A socket type's name (SOCK_STREAM), for output. */
export function typeName(value: number): string {
  return nameOf('SOCK_', value, ['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_RAW', 'SOCK_SEQPACKET']) ?? String(value);
}
