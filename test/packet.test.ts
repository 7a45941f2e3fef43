// AF_PACKET on the loopback interface (root here): bind, getsockname and
// recvfrom addresses against what python3 reports for the same calls.
import { describe, expect, it } from 'vitest';
import { AF_INET, AF_PACKET, SOCK_DGRAM, SOCK_RAW, htons, socket } from 'bsdsock';
import { encode, python } from './helpers/python';

const ETH_P_ALL = 0x0003;
const ETH_P_IP = 0x0800;

const py = python(
  `import socket
def packet():
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(${ETH_P_ALL}))
    s.bind(('lo', 0))
    return s
def capture(s, marker):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(marker, ('127.0.0.1', 9))
    u.close()
    s.settimeout(10)
    while True:
        data, addr = s.recvfrom(65535)
        if marker in data:
            return addr`,
  {
    getsockname: `s = packet(); a = s.getsockname(); s.close(); a`,
    recvfrom: `s = packet(); a = capture(s, b'py-packet-probe'); s.close(); a`,
  },
);

/** A raw packet socket bound to lo, listening for every protocol. */
function packet() {
  const s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  s.bind(['lo', 0]);
  // Other traffic on lo may come first; a missing frame fails the test, never hangs it.
  s.settimeout(10);
  return s;
}

describe('AF_PACKET', () => {
  it('getsockname of a socket bound to lo is (ifname, proto, pkttype, hatype, addr), as in Python', () => {
    using s = packet();
    const addr = s.getsockname();
    expect(encode(addr)).toEqual((py.getsockname as { value: unknown }).value);
  });

  it('recvfrom returns the packet address of a captured datagram, as in Python', () => {
    using s = packet();
    using u = socket(AF_INET, SOCK_DGRAM);
    const marker = Buffer.from('js-packet-probe');
    u.sendto(marker, ['127.0.0.1', 9]);
    let addr: unknown = null;
    for (let i = 0; i < 100_000 && addr === null; i++) {
      const [data, from] = s.recvfrom(65535);
      if (data.includes(marker)) addr = from;
    }
    const want = (py.recvfrom as { value: unknown[] }).value;
    expect(encode(addr)).toEqual(want);
    expect(want[1]).toBe(ETH_P_IP);
  });

  it('sends a raw frame on lo that a second packet socket receives', () => {
    using rx = packet();
    using tx = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    // An Ethernet header (zero MACs, a local experimental EtherType) and a payload.
    const frame = Buffer.concat([Buffer.alloc(12), Buffer.from([0x88, 0xb5]), Buffer.from('bsdsock raw frame')]);
    expect(tx.sendto(frame, ['lo', 0x88b5])).toBe(frame.length);
    let seen = false;
    for (let i = 0; i < 100_000 && !seen; i++) seen = rx.recv(65535).includes(Buffer.from('bsdsock raw frame'));
    expect(seen).toBe(true);
  });
});
