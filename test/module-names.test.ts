// The names of Python's socket, select and selectors modules against bsdsock's
// exports, and socket.py's IntEnum / IntFlag classes (AddressFamily, SocketKind,
// MsgFlag, AddressInfo) against bsdsock's name tables, on this platform.

import * as bsdsock from 'bsdsock';
import * as aio from 'bsdsock/asyncio';
import * as select from 'bsdsock/select';
import * as selectors from 'bsdsock/selectors';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';

import { pythonValue } from './helpers/python';

/** A module's public names in Python: no underscore, and not a module or helper it imports. */
function pythonNames(module: string, imported: string[]): string[] {
  return pythonValue<string[]>(`[n for n in dir(${module}) if not n.startswith('_') and n not in ${JSON.stringify(imported)}]`, `import ${module}`);
}

/** The names bsdsock leaves out on purpose, and why. */
const LEFT_OUT: Record<string, Record<string, string>> = {
  socket: {
    CAPI: "a PyCapsule of socket's C API, for other C extensions",
  },
  select: {},
  selectors: {},
};

describe("Python's module names", () => {
  it.each([
    ['socket', bsdsock, ['os', 'sys', 'io', 'array', 'errno', 'selectors', 'IntEnum', 'IntFlag']],
    ['select', select, []],
    ['selectors', selectors, ['ABCMeta', 'Mapping', 'abstractmethod', 'math', 'namedtuple', 'select', 'sys']],
  ] as const)('every public name of %s is exported, but those left out on purpose', (module, exports, imported) => {
    const missing = pythonNames(module, [...imported]).filter((n) => !(n in exports));
    expect(missing.sort()).toEqual(Object.keys(LEFT_OUT[module]!).sort());
  });
});

describe("Python's method names", () => {
  const objects: [string, () => object, Record<string, string>][] = [
    ['socket.socket', () => bsdsock.socket(), { sendmsg_afalg: 'AF_ALG, which the kernels bsdsock is tested on lack' }],
    ['select.poll()', () => select.poll(), {}],
    ['selectors.DefaultSelector', () => new selectors.DefaultSelector(), {}],
    [
      'asyncio.trsock.TransportSocket',
      () => new aio.TransportSocket(wrapped),
      { getsockbyname: "calls socket.getsockbyname, which Python's socket has not: an AttributeError in Python too" },
    ],
  ];
  // The socket the TransportSocket stands for, which it cannot close itself.
  const wrapped = bsdsock.socket();
  afterAll(() => wrapped.close());
  // epoll is Linux's, in Python as here.
  if (process.platform === 'linux') objects.push(['select.epoll', () => new select.epoll(), {}]);
  it.each(objects)('every public method and attribute of %s is there, but those left out on purpose', (name, make, leftOut) => {
    const object = make();
    try {
      const missing = pythonValue<string[]>(`[n for n in dir(${name}) if not n.startswith('_')]`, 'import socket, select, selectors, asyncio.trsock')
        // A classmethod (epoll.fromfd) is a static method here.
        .filter((n) => !(n in object) && !(n in object.constructor));
      expect(missing.sort()).toEqual(Object.keys(leftOut).sort());
    } finally {
      (object as { close?: () => void }).close?.();
    }
  });
});

describe("the public names of asyncio's transports, server, streams and protocols", () => {
  const NO_LOOP = "no loop object: bsdsock/asyncio's operations are module functions on Node's own loop";
  const NO_TLS = 'bsdsock has no TLS';
  it('each is there, but those left out on purpose', async () => {
    const python = pythonValue<Record<string, string[]>>(
      `{k: [n for n in dir(v) if not n.startswith('_')] for k, v in {'Server': asyncio.base_events.Server, 'Transport': se._SelectorSocketTransport, 'DatagramTransport': se._SelectorDatagramTransport, 'StreamReader': asyncio.StreamReader, 'StreamWriter': asyncio.StreamWriter, 'Protocol': asyncio.Protocol, 'BufferedProtocol': asyncio.BufferedProtocol, 'DatagramProtocol': asyncio.DatagramProtocol}.items()}`,
      'import asyncio\nfrom asyncio import selector_events as se',
    );
    const server = await aio.create_server(() => new aio.Protocol(), '127.0.0.1', 0);
    const [a, b] = bsdsock.socketpair(bsdsock.AF_UNIX, bsdsock.SOCK_STREAM);
    a.setblocking(false);
    const [transport] = await aio.connect_accepted_socket(() => new aio.Protocol(), a);
    const u = bsdsock.socket(bsdsock.AF_INET, bsdsock.SOCK_DGRAM);
    u.bind(['127.0.0.1', 0]);
    u.setblocking(false);
    const [datagrams] = await aio.create_datagram_endpoint(() => new aio.DatagramProtocol(), { sock: u });
    const [c, d] = bsdsock.socketpair(bsdsock.AF_UNIX, bsdsock.SOCK_STREAM);
    c.setblocking(false);
    const [reader, writer] = await aio.open_connection(null, null, { sock: c });
    const ours: Record<string, object> = {
      Server: server,
      Transport: transport,
      DatagramTransport: datagrams,
      StreamReader: reader,
      StreamWriter: writer,
      Protocol: new aio.Protocol(),
      BufferedProtocol: new aio.BufferedProtocol(),
      DatagramProtocol: new aio.DatagramProtocol(),
    };
    const leftOut: Record<string, Record<string, string>> = {
      Server: { get_loop: NO_LOOP },
      StreamWriter: { start_tls: NO_TLS },
    };
    try {
      expect(Object.keys(python).sort()).toEqual(Object.keys(ours).sort());
      for (const [name, object] of Object.entries(ours)) {
        const missing = python[name]!.filter((n) => !(n in object));
        expect(missing.sort(), name).toEqual(Object.keys(leftOut[name] ?? {}).sort());
      }
      expect([transport.max_size, datagrams.max_size]).toEqual(pythonValue<number[]>('[se._SelectorSocketTransport.max_size, se._SelectorDatagramTransport.max_size]', 'from asyncio import selector_events as se'));
    } finally {
      transport.close();
      datagrams.close();
      writer.close();
      b.close();
      d.close();
      server.close();
      await server.wait_closed();
    }
  });
});

describe("socket.py's enums", () => {
  /** bsdsock's constants that Python's module lacks (recvmmsg's flag, glibc's IDN flags): members here too. */
  const EXTRA = new Set(['MSG_WAITFORONE', 'AI_IDN', 'AI_CANONIDN']);

  it.each(['AddressFamily', 'SocketKind', 'MsgFlag', 'AddressInfo'] as const)(
    "%s: Python's members and aliases with the same values, and each value's name Python's",
    (name) => {
      const [members, names] = pythonValue<[Record<string, number>, Record<string, string>]>(
        `[{k: int(v) for k, v in socket.${name}.__members__.items()}, {int(v): socket.${name}(v).name for v in socket.${name}.__members__.values()}]`,
        'import socket',
      );
      const table = bsdsock[name] as unknown as Record<string, string | number>;
      const ours = Object.entries(table).filter(([k, v]) => !EXTRA.has(k) && !EXTRA.has(String(v)));
      expect(Object.fromEntries(ours.filter(([k]) => !/^\d+$/.test(k)))).toEqual(members);
      expect(Object.fromEntries(ours.filter(([k]) => /^\d+$/.test(k)))).toEqual(names);
      // bsdsock's own constants of the prefix are members as well.
      for (const [k, v] of Object.entries(table)) if (EXTRA.has(k)) expect(v).toBe((bsdsock as unknown as Record<string, number>)[k]);
      expect(Object.isFrozen(table)).toBe(true);
    },
  );

  it('the values are the constants, and a socket\'s family and type name themselves', () => {
    using s = bsdsock.socket(bsdsock.AF_INET6, bsdsock.SOCK_DGRAM);
    expect(bsdsock.AddressFamily[s.family]).toBe('AF_INET6');
    expect(bsdsock.SocketKind[s.type]).toBe('SOCK_DGRAM');
    expect(bsdsock.AddressFamily.AF_UNIX).toBe(bsdsock.AF_UNIX);
    expect(bsdsock.MsgFlag.MSG_PEEK).toBe(bsdsock.MSG_PEEK);
    // An IntFlag's value made of two members has no one name here (Python's is 'MSG_PEEK|MSG_DONTWAIT').
    expect(bsdsock.MsgFlag[bsdsock.MSG_PEEK | bsdsock.MSG_DONTWAIT]).toBeUndefined();
    expect(bsdsock.AddressFamily[9999]).toBeUndefined();
  });

  it('types: a member is a number, a value gives one of the names or undefined, another prefix is no member (checked by tsc)', () => {
    expectTypeOf(bsdsock.AddressFamily.AF_INET6).toEqualTypeOf<number>();
    expectTypeOf(bsdsock.SocketKind[1]).toEqualTypeOf<'SOCK_CLOEXEC' | 'SOCK_DGRAM' | 'SOCK_NONBLOCK' | 'SOCK_RAW' | 'SOCK_RDM' | 'SOCK_SEQPACKET' | 'SOCK_STREAM' | undefined>();
    // @ts-expect-error SOCK_STREAM is a SocketKind, not an AddressFamily
    expect(bsdsock.AddressFamily.SOCK_STREAM).toBeUndefined();
    const name: bsdsock.IntEnum<'AI_PASSIVE'>[number] = 'AI_PASSIVE';
    expect(bsdsock.AddressInfo[bsdsock.AI_PASSIVE]).toBe(name);
  });
});
