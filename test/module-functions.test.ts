// The socket module's functions of values alone (address conversions, byte
// order, CMSG sizes, the services and protocols databases, interface names),
// called with every one or two values of a pool (test/helpers/pool.ts) that
// runs past each C bound, through strings and bytes that are nearly addresses,
// to the wrong types: each call's outcome must be python3's.
import { afterAll, describe, expect, it } from 'vitest';
import * as bsdsock from 'bsdsock';
import { python } from './helpers/python';
import { combinations, INTS, mismatches, pyCall, VALUES, type PoolValue } from './helpers/pool';

/** The functions, by how many arguments they are called with. */
const FUNCTIONS: [name: keyof typeof bsdsock, arities: number[]][] = [
  ['inet_aton', [1]],
  ['inet_ntoa', [1]],
  ['inet_pton', [2]],
  ['inet_ntop', [2]],
  ['htons', [1]],
  ['ntohs', [1]],
  ['htonl', [1]],
  ['ntohl', [1]],
  ['CMSG_LEN', [1]],
  ['CMSG_SPACE', [1]],
  ['getservbyname', [1, 2]],
  ['getservbyport', [1, 2]],
  ['getprotobyname', [1]],
  ['if_nametoindex', [1]],
  ['if_indextoname', [1]],
];

const CALLS = FUNCTIONS.map(([name, arities]) => ({
  name,
  calls: arities.flatMap((n) => combinations(Array.from({ length: n }, () => VALUES))).map((args) => ({ call: pyCall(`socket.${name}`, args), args })),
}));
const PY = python('import socket', Object.fromEntries(CALLS.flatMap(({ calls }) => calls.map(({ call }) => [call, call]))));

describe("the module's functions of values, over a pool of values, as python3", () => {
  it.each(CALLS)('$name', ({ name, calls }) => {
    const f = bsdsock[name] as (...args: unknown[]) => unknown;
    expect(mismatches(calls, PY, (values) => f(...values))).toEqual([]);
  });
});

// socket() and socketpair() over families, types and protocols: the pool of ints (Python's `-1`
// is each argument's default), with the real families and types and their flag bits. A socket
// made is its [family, type, proto], then closed; a raw or packet socket is made only, nothing
// is sent.
const KINDS: PoolValue[] = [
  ...INTS,
  ['socket.AF_INET6', bsdsock.AF_INET6],
  ['socket.AF_PACKET', bsdsock.AF_PACKET],
  ['socket.SOCK_RAW', bsdsock.SOCK_RAW],
  ['socket.SOCK_SEQPACKET', bsdsock.SOCK_SEQPACKET],
  ['socket.SOCK_STREAM | socket.SOCK_NONBLOCK', bsdsock.SOCK_STREAM | bsdsock.SOCK_NONBLOCK],
  ['socket.SOCK_DGRAM | socket.SOCK_CLOEXEC', bsdsock.SOCK_DGRAM | bsdsock.SOCK_CLOEXEC],
];
const PROTOS: PoolValue[] = [...INTS, ['socket.IPPROTO_TCP', bsdsock.IPPROTO_TCP], ['socket.IPPROTO_UDP', bsdsock.IPPROTO_UDP], ['socket.IPPROTO_ICMP', bsdsock.IPPROTO_ICMP]];

/** The real families and types, and Python's default (-1), for the protocols. */
const FEW_FAMILIES: PoolValue[] = [['socket.AF_INET', bsdsock.AF_INET], ['socket.AF_INET6', bsdsock.AF_INET6], ['socket.AF_UNIX', bsdsock.AF_UNIX], ['-1', -1]];
const FEW_TYPES: PoolValue[] = [['socket.SOCK_STREAM', bsdsock.SOCK_STREAM], ['socket.SOCK_DGRAM', bsdsock.SOCK_DGRAM], ['socket.SOCK_RAW', bsdsock.SOCK_RAW], ['-1', -1]];

const MAKERS = (['socket', 'socketpair'] as const).map((name) => ({
  name,
  calls: [...combinations([KINDS]), ...combinations([KINDS, KINDS]), ...combinations([FEW_FAMILIES, FEW_TYPES, PROTOS])].map((args) => ({
    call: pyCall(`made(socket.${name}`, args) + ')',
    args,
  })),
}));
const MADE = python(
  `import socket
def made(r):
    socks = r if isinstance(r, tuple) else (r,)
    try:
        return [[s.family, s.type, s.proto] for s in socks]
    finally:
        for s in socks: s.close()`,
  Object.fromEntries(MAKERS.flatMap(({ calls }) => calls.map(({ call }) => [call, call]))),
);

describe('socket() and socketpair() over a pool of families, types and protocols, as python3', () => {
  it.each(MAKERS)('$name', ({ name, calls }) => {
    const make = bsdsock[name] as (...args: unknown[]) => bsdsock.Socket | bsdsock.Socket[];
    const found = mismatches(calls, MADE, (values) => {
      const made = make(...values);
      const socks = Array.isArray(made) ? made : [made];
      try {
        return socks.map((s) => [s.family, s.type, s.proto]);
      } finally {
        for (const s of socks) s.close();
      }
    });
    expect(found).toEqual([]);
  });
});

// The functions of an fd and the default timeout, over the pool: fromfd of a TCP socket's fd with
// families, types and protocols (the socket made is its [family, type, proto], then closed); dup
// and close of what is no open fd, nor wraps to one (Python casts a C long to an int, so -2**63 is
// fd 0 there; past a C int a RangeError here, README); setdefaulttimeout of every value, then
// getdefaulttimeout().
const wraps = (v: unknown): boolean => (typeof v === 'number' && Number.isInteger(v) && v !== -1) || (typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n);
const NOT_FDS = INTS.filter(([, v]) => typeof v !== 'boolean' && !wraps(v));
const TCP = bsdsock.socket();
afterAll(() => TCP.close());
const FD: PoolValue = ['FD', TCP.fileno()];
type FdKind = 'fromfd' | 'dup' | 'close' | 'timeout';
const FD_CALLS: { kind: FdKind; call: string; args: PoolValue[] }[] = [
  ...combinations([[FD], FEW_FAMILIES, FEW_TYPES, PROTOS.slice(0, 8)]).map((args) => ({ kind: 'fromfd' as const, call: pyCall('made(socket.fromfd', args) + ')', args })),
  ...(['dup', 'close'] as const).flatMap((kind) => NOT_FDS.map((v) => ({ kind, call: pyCall(`socket.${kind}`, [v]), args: [v] }))),
  ...INTS.map((v) => ({ kind: 'timeout' as const, call: pyCall('timeout', [v]), args: [v] })),
];
const FD_PY = python(
  `import socket
FD = socket.socket().detach()
def made(s):
    with s: return [s.family, s.type, s.proto]
def timeout(t):
    try:
        socket.setdefaulttimeout(t)
        return socket.getdefaulttimeout()
    finally:
        socket.setdefaulttimeout(None)`,
  Object.fromEntries(FD_CALLS.map(({ call }) => [call, call])),
);
const FD_RUN: Record<FdKind, (...args: unknown[]) => unknown> = {
  fromfd: (...args) => {
    const s = (bsdsock.fromfd as (...a: unknown[]) => bsdsock.Socket)(...args);
    try {
      return [s.family, s.type, s.proto];
    } finally {
      s.close();
    }
  },
  dup: (fd) => bsdsock.dup(fd as number),
  close: (fd) => bsdsock.close(fd as number),
  timeout: (t) => {
    try {
      bsdsock.setdefaulttimeout(t as number);
      return bsdsock.getdefaulttimeout();
    } finally {
      bsdsock.setdefaulttimeout(null);
    }
  },
};

describe('fromfd, dup, close and setdefaulttimeout over a pool of values, as python3', () => {
  it.each(['fromfd', 'dup', 'close', 'timeout'] as FdKind[])('%s', (kind) => {
    const calls = FD_CALLS.filter((c) => c.kind === kind);
    expect(mismatches(calls, FD_PY, (values) => FD_RUN[kind](...values))).toEqual([]);
  });
});
