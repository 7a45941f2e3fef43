// Address arguments as Python takes them, each call's outcome compared with
// python3's: bind, sendto, connect and connect_ex on AF_INET, bind and
// connect_ex on AF_INET6, bind, connect and connect_ex on AF_UNIX (a datagram
// socket's connect sends nothing; connect_ex raises what is no OSError), with
// hosts, ports, flowinfo and scope ids from pools that run past each bound and
// through the wrong types and shapes (Python converts the host, then the
// numbers, then resolves the host, then checks the ranges: bsdsock must fail in
// the same order); getaddrinfo's six arguments and getnameinfo's two. Every host is numeric or
// empty, and every datagram goes to loopback: no name reaches a resolver,
// nothing leaves the machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AI_CANONNAME,
  AI_NUMERICHOST,
  AI_NUMERICSERV,
  AI_PASSIVE,
  AI_V4MAPPED,
  getaddrinfo,
  getnameinfo,
  NI_DGRAM,
  NI_NAMEREQD,
  NI_NUMERICHOST,
  NI_NUMERICSERV,
  SOCK_DGRAM,
  socket,
} from 'bsdsock';
import { python, type Outcome } from './helpers/python';
import { combinations, mismatches, type PoolValue } from './helpers/pool';

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-addresses-'));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

const PORTS: PoolValue[] = [
  ['0', 0],
  ['-1', -1],
  ['65535', 65535],
  ['65536', 65536],
  ['2**31', 2 ** 31],
  ['-2**31 - 1', -(2 ** 31) - 1],
  ['2**63', 2n ** 63n],
  ['2**100', 2n ** 100n],
  ['1.5', 1.5],
  ['True', true],
  ['None', null],
  ["'80'", '80'],
];
/** Hosts bind may be given: numeric, empty or special, or no host at all (no name to look up). */
const BIND_HOSTS: PoolValue[] = [
  ["'127.0.0.1'", '127.0.0.1'],
  ["'127.1'", '127.1'],
  ["'0.0.0.0'", '0.0.0.0'],
  ["''", ''],
  ["'1.2.3'", '1.2.3'],
  ["'::1'", '::1'],
  ["'<broadcast>'", '<broadcast>'],
  ["'127.0.0.1\\x00'", '127.0.0.1\0'],
  ["b'127.0.0.1'", Buffer.from('127.0.0.1')],
  ['1', 1],
  ['None', null],
];
/** Hosts a datagram may be sent to: this machine's only. */
const SEND_HOSTS: PoolValue[] = BIND_HOSTS.filter(([, h]) => !['1.2.3', '<broadcast>'].includes(h as string));
const V6_HOSTS: PoolValue[] = [
  ["'::1'", '::1'],
  ["''", ''],
  ["'127.0.0.1'", '127.0.0.1'],
  ["'::ffff:127.0.0.1'", '::ffff:127.0.0.1'],
  ["'fe80::1'", 'fe80::1'],
  ['None', null],
];
/** Flow labels and scope ids: Python's "I", wrapped to 32 bits. */
const U32S: PoolValue[] = [
  ['0', 0],
  ['-1', -1],
  ['2**20', 2 ** 20],
  ['2**32', 2 ** 32],
  ['2**64 + 5', 2n ** 64n + 5n],
  ['1.5', 1.5],
  ['None', null],
];
/** Things that are no address of the family, or of the wrong length. */
const SHAPES: PoolValue[] = [
  ['None', null],
  ['5', 5],
  ["b'\\x00shape'", Buffer.from('\0shape')],
  ['()', []],
  ["('127.0.0.1',)", ['127.0.0.1']],
  ["('127.0.0.1', 0, 0)", ['127.0.0.1', 0, 0]],
  ["('::1', 0, 0, 0, 0)", ['::1', 0, 0, 0, 0]],
];
/** Unix addresses: paths in TMP (at the limit and past it), abstract names, the empty name (autobind). */
const room = 107 - Buffer.byteLength(`${TMP}/`);
const UNIX: PoolValue[] = [
  ["TMP + '/a'", `${TMP}/a`],
  ["TMP + '/' + 'x' * ROOM", `${TMP}/${'x'.repeat(room)}`],
  ["TMP + '/' + 'y' * (ROOM + 1)", `${TMP}/${'y'.repeat(room + 1)}`],
  ["(TMP + '/b').encode()", Buffer.from(`${TMP}/b`)],
  ["TMP + '/nul\\x00x'", `${TMP}/nul\0x`],
  ["'\\x00abstract-' + TAG", `\0abstract-${process.pid}`],
  ["b'\\x00abstract-bytes-' + TAG.encode()", Buffer.from(`\0abstract-bytes-${process.pid}`)],
  ["''", ''],
  ["b''", Buffer.alloc(0)],
  ["'é' * 200", 'é'.repeat(200)],
];

type Kind = 'inet bind' | 'inet sendto' | 'inet connect' | 'inet connect_ex' | 'inet6 bind' | 'inet6 connect_ex' | 'unix bind' | 'unix connect' | 'unix connect_ex';
const tupleOf = (values: PoolValue[]): PoolValue => [`(${values.map(([l]) => l).join(', ')}${values.length === 1 ? ',' : ''})`, values.map(([, v]) => v)];

const CASES: [Kind, PoolValue[]][] = [
  ['inet bind', [...combinations([BIND_HOSTS, PORTS]).map(tupleOf), ...SHAPES]],
  ['inet sendto', [...combinations([SEND_HOSTS, PORTS]).map(tupleOf), ...SHAPES]],
  ['inet connect', [...combinations([SEND_HOSTS, PORTS]).map(tupleOf), ...SHAPES]],
  ['inet connect_ex', [...combinations([SEND_HOSTS, PORTS]).map(tupleOf), ...SHAPES]],
  [
    'inet6 bind',
    [
      ...combinations([V6_HOSTS, PORTS]).map(tupleOf),
      ...combinations([V6_HOSTS, PORTS.slice(0, 4), U32S]).map(tupleOf),
      ...combinations([V6_HOSTS, [PORTS[0]!], [U32S[0]!], U32S]).map(tupleOf),
      ...SHAPES,
    ],
  ],
  [
    'inet6 connect_ex',
    [...combinations([V6_HOSTS, PORTS]).map(tupleOf), ...combinations([V6_HOSTS, [PORTS[2]!], U32S, U32S]).map(tupleOf), ...SHAPES],
  ],
  ['unix bind', [...UNIX, ...SHAPES.filter(([, v]) => typeof v !== 'string')]],
  ['unix connect', [...UNIX, ...SHAPES.filter(([, v]) => typeof v !== 'string')]],
  ['unix connect_ex', [...UNIX, ...SHAPES.filter(([, v]) => typeof v !== 'string')]],
];

const FAMILIES = { inet: AF_INET, inet6: AF_INET6, unix: AF_UNIX } as const;
const familyOf = (kind: Kind): number => FAMILIES[kind.split(' ')[0] as keyof typeof FAMILIES];

const CALLS = CASES.map(([kind, addresses]) => ({
  kind,
  calls: addresses.map((address) => ({ call: `call(${JSON.stringify(kind)}, ${address[0]})`, args: [address] })),
}));

// A bound socket reports where it is: an inet socket 'bound' (its port is the kernel's), a Unix
// socket its name, an autobound one as 'autobind' (the kernel picks five hex digits).
const PY = python(
  `import os, socket
TMP = ${JSON.stringify(TMP)}
ROOM = ${room}
TAG = ${JSON.stringify(String(process.pid))}
def call(kind, addr):
    fam = {'inet': socket.AF_INET, 'inet6': socket.AF_INET6, 'unix': socket.AF_UNIX}[kind.split()[0]]
    s = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        if kind.endswith('sendto'):
            return s.sendto(b'x', addr)
        if kind.endswith('connect'):
            return s.connect(addr)
        if kind.endswith('connect_ex'):
            return s.connect_ex(addr)
        s.bind(addr)
        r = s.getsockname()
        if fam != socket.AF_UNIX: return 'bound'
        if isinstance(r, str) and r.startswith('/'): os.unlink(r)
        if isinstance(r, bytes) and len(r) == 6 and r[0] == 0: return 'autobind'
        return r
    finally:
        s.close()`,
  Object.fromEntries(CALLS.flatMap(({ calls }) => calls.map(({ call }) => [call, call]))),
);

describe('address arguments, as Python takes them', () => {
  it.each(CALLS)('$kind', ({ kind, calls }) => {
    const found = mismatches(calls, PY as Record<string, Outcome>, ([address]) => {
      const s = socket(familyOf(kind), SOCK_DGRAM);
      try {
        if (kind === 'inet sendto') return s.sendto(Buffer.from('x'), address as never);
        if (kind.endsWith(' connect')) return s.connect(address as never);
        if (kind.endsWith('connect_ex')) return s.connect_ex(address as never);
        s.bind(address as never);
        const r: unknown = s.getsockname();
        if (familyOf(kind) !== AF_UNIX) return 'bound';
        if (typeof r === 'string' && r.startsWith('/')) fs.unlinkSync(r);
        if (r instanceof Uint8Array && r.length === 6 && r[0] === 0) return 'autobind';
        return r;
      } finally {
        s.close();
      }
    });
    expect(found).toEqual([]);
  });
});

// getaddrinfo's six arguments: numeric hosts only (a name would go to the resolver), ports as
// numbers, strings, service names of /etc/services and bytes, and every kind of family, type and
// flags; the entries sorted on both sides (the system's order is compared in resolver.test.ts).
const GAI_HOSTS: PoolValue[] = [
  ['None', null],
  ["'127.0.0.1'", '127.0.0.1'],
  ["'::1'", '::1'],
  ["''", ''],
  ["'0x7f.1'", '0x7f.1'],
  ["'127.1'", '127.1'],
  ["b'127.0.0.1'", Buffer.from('127.0.0.1')],
  ['5', 5],
  ["'127.0.0.1\\x00'", '127.0.0.1\0'],
  ["'fe80::1%1'", 'fe80::1%1'],
];
const GAI_PORTS: PoolValue[] = [
  ['None', null],
  ['0', 0],
  ['80', 80],
  ["'80'", '80'],
  ["'http'", 'http'],
  ["b'80'", Buffer.from('80')],
  ['-1', -1],
  ['65536', 65536],
  ['2**63', 2n ** 63n],
  ['1.5', 1.5],
  ["'no-such-service'", 'no-such-service'],
  ["''", ''],
];
const GAI_FAMILIES: PoolValue[] = [['0', 0], [String(AF_INET), AF_INET], [String(AF_INET6), AF_INET6], [String(AF_UNIX), AF_UNIX], ['-1', -1], ['2**31', 2 ** 31], ["'x'", 'x']];
const GAI_TYPES: PoolValue[] = [['0', 0], ['1', 1], ['2', 2], ['3', 3], ['2**31', 2 ** 31]];
const GAI_FLAGS: PoolValue[] = [
  ['0', 0],
  [String(AI_NUMERICHOST), AI_NUMERICHOST],
  [String(AI_PASSIVE), AI_PASSIVE],
  [String(AI_CANONNAME | AI_NUMERICHOST), AI_CANONNAME | AI_NUMERICHOST],
  [String(AI_NUMERICSERV), AI_NUMERICSERV],
  [String(AI_V4MAPPED | AI_NUMERICHOST), AI_V4MAPPED | AI_NUMERICHOST],
  ['-1', -1],
  ['2**31', 2 ** 31],
];
const ZERO: PoolValue = ['0', 0];
const GAI_CALLS = [
  ...combinations([GAI_HOSTS, GAI_PORTS]),
  ...combinations([GAI_HOSTS.slice(0, 4), [GAI_PORTS[2]!], GAI_FAMILIES, GAI_TYPES]),
  ...combinations([GAI_HOSTS, [GAI_PORTS[2]!], [ZERO], [ZERO], [ZERO], GAI_FLAGS]),
  ...combinations([GAI_HOSTS, [GAI_PORTS[4]!], [ZERO], [GAI_TYPES[1]!], [ZERO], GAI_FLAGS]),
].map((args) => ({ call: `norm(socket.getaddrinfo(${args.map(([l]) => l).join(', ')}))`, args }));
const byJson = (a: unknown, b: unknown): number => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
const GAI_PY = python(
  `import socket
def norm(r):
    return [[int(f), int(t), p, c, list(a)] for f, t, p, c, a in r]`,
  Object.fromEntries(GAI_CALLS.map(({ call }) => [call, call])),
);

describe("getaddrinfo's arguments, as Python takes them", () => {
  it(`${GAI_CALLS.length} calls with numeric hosts`, () => {
    // Both sides sorted alike (the system's order is compared in resolver.test.ts).
    for (const o of Object.values(GAI_PY)) if ('value' in o && Array.isArray(o.value)) o.value.sort(byJson);
    const found = mismatches(GAI_CALLS, GAI_PY, (args) =>
      (getaddrinfo as (...a: unknown[]) => unknown[][])(...args).map(([f, t, p, c, a]) => [f, t, p, c, [...(a as unknown[])]]).sort(byJson),
    );
    expect(found).toEqual([]);
  });
});

// getnameinfo's sockaddr and flags, always with NI_NUMERICHOST (a reverse lookup could leave the machine).
const NUMERIC = NI_NUMERICHOST | NI_NUMERICSERV;
const GNI_ADDRESSES: PoolValue[] = [
  ...combinations([[["'127.0.0.1'", '127.0.0.1'], ["'::1'", '::1'], ["''", ''], ["'1.2.3'", '1.2.3'], ["'::ffff:127.0.0.1'", '::ffff:127.0.0.1'], ["'127.0.0.1\\x00'", '127.0.0.1\0'], ["b'127.0.0.1'", Buffer.from('127.0.0.1')], ['5', 5]], PORTS.slice(0, 9)]).map(tupleOf),
  ...combinations([[["'::1'", '::1'], ["'fe80::1'", 'fe80::1'], ["'127.0.0.1'", '127.0.0.1']], [["80", 80]], U32S, U32S.slice(0, 4)]).map(tupleOf),
  ...SHAPES,
  ["'127.0.0.1'", '127.0.0.1'],
];
const GNI_FLAGS: PoolValue[] = [
  [String(NUMERIC), NUMERIC],
  [String(NI_NUMERICHOST), NI_NUMERICHOST],
  [String(NUMERIC | NI_DGRAM), NUMERIC | NI_DGRAM],
  [String(NUMERIC | NI_NAMEREQD), NUMERIC | NI_NAMEREQD],
  ['2**31', 2 ** 31],
  ['1.5', 1.5],
  ['None', null],
];
const GNI_CALLS = combinations([GNI_ADDRESSES, GNI_FLAGS]).map((args) => ({ call: `socket.getnameinfo(${args.map(([l]) => l).join(', ')})`, args }));
const GNI_PY = python('import socket', Object.fromEntries(GNI_CALLS.map(({ call }) => [call, call])));

describe("getnameinfo's arguments, as Python takes them", () => {
  it(`${GNI_CALLS.length} calls with numeric hosts`, () => {
    expect(mismatches(GNI_CALLS, GNI_PY, (args) => (getnameinfo as (...a: unknown[]) => unknown)(...args))).toEqual([]);
  });
});
