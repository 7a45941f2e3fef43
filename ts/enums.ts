// Python's IntEnum and IntFlag classes of the socket module's constants
// (socket.py's AddressFamily, SocketKind, MsgFlag and AddressInfo) as JS has
// them: objects in the manner of TypeScript's numeric enums, each name giving
// its value and each value its name. Results stay plain numbers, equal to the
// constants (sock.family is 2, where Python's is AddressFamily.AF_INET); these
// give a number's name, as Python's repr and `.name` do.

import * as C from './constants';

/** The constants' names that begin with `P`. */
type Named<P extends string> = Extract<keyof typeof C, `${P}${string}`>;

/**
 * One of Python's IntEnum (IntFlag) of socket constants: each name's value (`AddressFamily.AF_INET`
 * is 2), and for a member's value its name (`AddressFamily[2]` is `'AF_INET'`; undefined for a
 * value no member has, or for an IntFlag's value made of several). A name the platform lacks is
 * left out, as Python leaves it out.
 */
export type IntEnum<N extends string> = { readonly [K in N]: number } & { readonly [value: number]: N | undefined };

/**
 * socket.py's `IntEnum._convert_(name, __name__, lambda C: C.isupper() and C.startswith(prefix))`:
 * the module's upper-case constants of the prefix, in order of value, then name; where names share
 * a value, the first is the value's name and the rest are aliases (`AF_ROUTE` of `AF_NETLINK`).
 */
function intEnum<P extends string>(prefix: P): IntEnum<Named<P>> {
  const members = Object.entries(C as Record<string, unknown>)
    .filter((m): m is [string, number] => m[0].startsWith(prefix) && m[0] === m[0].toUpperCase() && typeof m[1] === 'number')
    .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0));
  const out: Record<string, string | number> = {};
  for (const [name, value] of members) {
    out[name] = value;
    out[value] ??= name;
  }
  return Object.freeze(out) as unknown as IntEnum<Named<P>>;
}

/** The address families, `AF_*`. Python: `socket.AddressFamily`. */
export const AddressFamily = intEnum('AF_');
/** The socket types and the flags or-ed into them, `SOCK_*`. Python: `socket.SocketKind`. */
export const SocketKind = intEnum('SOCK_');
/** The send and receive flags, `MSG_*` (an IntFlag in Python). Python: `socket.MsgFlag`. */
export const MsgFlag = intEnum('MSG_');
/** getaddrinfo's flags, `AI_*` (an IntFlag in Python). Python: `socket.AddressInfo`. */
export const AddressInfo = intEnum('AI_');
