// AF_VSOCK (Linux): its (cid, port) addresses and its 64-bit socket options,
// against what python3 does with the same calls. Only the local side can be
// exercised here: no transport reaches another context (and none may: the
// host's CID is another machine), so connections stop at EINPROGRESS to
// VMADDR_CID_LOCAL (1), the one CID that never leaves this kernel.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AF_VSOCK,
  fromfd,
  SO_VM_SOCKETS_BUFFER_MAX_SIZE,
  SO_VM_SOCKETS_BUFFER_MIN_SIZE,
  SO_VM_SOCKETS_BUFFER_SIZE,
  SOCK_STREAM,
  socket,
  VMADDR_CID_ANY,
  VMADDR_PORT_ANY,
  type VsockAddress,
} from 'bsdsock';
import { expected, outcome, python } from './helpers/python';

const CID_LOCAL = 1;
/** A fixed port, bound by python3 and then by bsdsock, each closing before the other binds. */
const PORT = 47_123;

/** The same calls in Python: bind, a bad address each, options set and read back. */
const BAD_ADDRESSES: [string, unknown][] = [
  ['5', 5],
  ['(1,)', [1]],
  ['(1, 2, 3)', [1, 2, 3]],
  ["('a', 2)", ['a', 2]],
  ['(1.5, 2)', [1.5, 2]],
  ['(-1, 2)', [-1, 2]],
  ['(2**32, 1)', [2 ** 32, 1]],
  ['(2**32 - 1, 2**32 - 1)', [2 ** 32 - 1, 2 ** 32 - 1]],
];
const OPTION_VALUES: [string, unknown[]][] = [
  ['100000', [100_000]],
  ['300000', [300_000]],
  ['-1', [-1]],
  ['2**64 + 5', [2n ** 64n + 5n]],
  ['True', [true]],
  ['1.5', [1.5]],
  ["b'12345678'", [Buffer.from('12345678')]],
  ['None, 8', [null, 8]],
];

const py = python(
  `import socket
def vsock():
    return socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
def bound(addr):
    s = vsock()
    try:
        s.bind(addr)
        a = s.getsockname()
        return [a[0], a[1] if addr[1] != socket.VMADDR_PORT_ANY else 'any']
    finally:
        s.close()
def option(*value):
    s = vsock()
    try:
        s.setsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_SIZE, *value)
        return s.getsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_SIZE)
    finally:
        s.close()`,
  {
    fixed: `bound((socket.VMADDR_CID_ANY, ${PORT}))`,
    any: `bound((socket.VMADDR_CID_ANY, socket.VMADDR_PORT_ANY))`,
    defaults: `s = vsock(); v = [s.getsockopt(socket.AF_VSOCK, o) for o in (socket.SO_VM_SOCKETS_BUFFER_SIZE, socket.SO_VM_SOCKETS_BUFFER_MIN_SIZE, socket.SO_VM_SOCKETS_BUFFER_MAX_SIZE)] + [s.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE)]; s.close(); v`,
    buflen: `s = vsock()
try:
    s.getsockopt(socket.AF_VSOCK, socket.SO_VM_SOCKETS_BUFFER_SIZE, 8)
finally:
    s.close()`,
    connect: `s = vsock(); s.setblocking(False)
try:
    s.connect((${CID_LOCAL}, ${PORT}))
finally:
    s.close()`,
    again: `s = vsock(); s.setblocking(False); s.connect_ex((${CID_LOCAL}, ${PORT})); r = s.connect_ex((${CID_LOCAL}, ${PORT})); s.close(); r`,
    ...Object.fromEntries(BAD_ADDRESSES.map(([p], i) => [`bad${i}`, `bound(${p})`])),
    ...Object.fromEntries(OPTION_VALUES.map(([p], i) => [`option${i}`, `option(${p})`])),
  },
);

function vsock() {
  return socket(AF_VSOCK, SOCK_STREAM);
}

/** bind then getsockname, as the Python side's bound(). */
function bound(addr: unknown): unknown {
  using s = vsock();
  s.bind(addr as VsockAddress);
  const a = s.getsockname();
  expectTypeOf(a).toEqualTypeOf<VsockAddress>();
  return [a[0], Array.isArray(addr) && addr[1] === VMADDR_PORT_ANY ? 'any' : a[1]];
}

describe('AF_VSOCK addresses', () => {
  it('bind and getsockname give (cid, port), as in Python', () => {
    expect(outcome(() => bound([VMADDR_CID_ANY, PORT]))).toEqual(expected(py.fixed!));
    expect(outcome(() => bound([VMADDR_CID_ANY, VMADDR_PORT_ANY]))).toEqual(expected(py.any!));
    expect(py.fixed).toEqual({ value: [VMADDR_CID_ANY, PORT] });
  });

  it('VMADDR_PORT_ANY binds a port the kernel picks, which getsockname reports', () => {
    using s = vsock();
    s.bind([VMADDR_CID_ANY, VMADDR_PORT_ANY]);
    const [cid, port] = s.getsockname();
    expect(cid).toBe(VMADDR_CID_ANY);
    expect(port).not.toBe(VMADDR_PORT_ANY);
    expect(Number.isInteger(port) && port > 0).toBe(true);
  });

  it.each(BAD_ADDRESSES.map(([p, js], i) => [p, js, i] as const))('bind(%s) does what Python does', (_p, js, i) => {
    expect(outcome(() => bound(js))).toEqual(expected(py[`bad${i}`]!));
  });

  it('a socket made from its fd knows its family and decodes its address', () => {
    using s = vsock();
    s.bind([VMADDR_CID_ANY, PORT]);
    using t = fromfd(s.fileno(), AF_VSOCK, SOCK_STREAM);
    expect(t.family).toBe(AF_VSOCK);
    expect(t.getsockname()).toEqual([VMADDR_CID_ANY, PORT]);
  });

  it('a non-blocking connect to the local CID is in progress, then already under way, as in Python', () => {
    using s = vsock();
    s.setblocking(false);
    expect(outcome(() => s.connect([CID_LOCAL, PORT]))).toEqual(expected(py.connect!));
    using t = vsock();
    t.setblocking(false);
    t.connect_ex([CID_LOCAL, PORT]);
    expect(outcome(() => t.connect_ex([CID_LOCAL, PORT]))).toEqual(expected(py.again!));
  });
});

describe('AF_VSOCK options', () => {
  it('are read as 64-bit values: the buffer sizes, and an int option in its low half', () => {
    using s = vsock();
    const got = [SO_VM_SOCKETS_BUFFER_SIZE, SO_VM_SOCKETS_BUFFER_MIN_SIZE, SO_VM_SOCKETS_BUFFER_MAX_SIZE].map((o) => s.getsockopt(AF_VSOCK, o));
    got.push(s.getsockopt(1 /* SOL_SOCKET */, 3 /* SO_TYPE */));
    expect({ value: got }).toEqual(py.defaults);
  });

  it('refuse a byte buffer to getsockopt, as Python does', () => {
    using s = vsock();
    expect(outcome(() => s.getsockopt(AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, 8))).toEqual(expected(py.buflen!));
  });

  it.each(OPTION_VALUES.map(([p, js], i) => [p, js, i] as const))('setsockopt(AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, %s) does what Python does', (_p, js, i) => {
    const set = (): number => {
      using s = vsock();
      (s.setsockopt as (...a: unknown[]) => void)(AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE, ...js);
      return s.getsockopt(AF_VSOCK, SO_VM_SOCKETS_BUFFER_SIZE);
    };
    expect(outcome(set)).toEqual(expected(py[`option${i}`]!));
  });
});
