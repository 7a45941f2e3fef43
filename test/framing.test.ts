// bsdsock/asyncio's frame reader: every frame split at every byte boundary,
// views for frames in one chunk and one copy for frames across chunks, a big
// frame in one-byte chunks, and AgentX (RFC 2741) PDUs from a python3 peer
// (struct.pack, both byte orders) over a FramedProtocol and over a StreamReader.


import { describe, expect, it } from 'vitest';

import {
  AGENTX,
  AGENTX_NETWORK_BYTE_ORDER,
  create_server,
  FramedProtocol,
  FrameReader,
  IncompleteReadError,
  open_connection,
  start_server,
  StreamFrameReader,
  type FrameSpec,
  type Server,
} from 'bsdsock/asyncio';

import { Running } from './helpers/run';

/** An AgentX PDU: header (RFC 2741 6.1) and payload, in either byte order. */
function pdu(type: number, packetId: number, payload: Buffer, network = true): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 1;
  h[1] = type;
  h[2] = network ? AGENTX_NETWORK_BYTE_ORDER : 0;
  if (network) {
    h.writeUInt32BE(0x11223344, 4);
    h.writeUInt32BE(7, 8);
    h.writeUInt32BE(packetId, 12);
    h.writeUInt32BE(payload.length, 16);
  } else {
    h.writeUInt32LE(0x11223344, 4);
    h.writeUInt32LE(7, 8);
    h.writeUInt32LE(packetId, 12);
    h.writeUInt32LE(payload.length, 16);
  }
  return Buffer.concat([h, payload]);
}

function payloadOf(i: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = (i * 31 + k) & 0xff;
  return b;
}

/** Sizes that cross a header, end at a header, and are empty. */
const FRAMES = [0, 1, 3, 20, 0, 37, 4, 64].map((n, i) => pdu(i + 1, 100 + i, payloadOf(i, n), i % 2 === 0));
const STREAM = Buffer.concat(FRAMES);

function collect(r: FrameReader, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) {
    r.push(c);
    for (const f of r.frames()) out.push(Buffer.from(f));
  }
  return out;
}

describe('FrameReader', () => {
  it('every split of the stream into two chunks gives the same frames', () => {
    for (let i = 0; i <= STREAM.length; i++) {
      const r = new FrameReader(AGENTX);
      expect(collect(r, [STREAM.subarray(0, i), STREAM.subarray(i)])).toEqual(FRAMES);
      expect(r.buffered).toBe(0);
    }
  });

  it('every split into three chunks, at every pair of byte boundaries', () => {
    let cases = 0;
    for (let i = 0; i <= STREAM.length; i++) {
      for (let j = i; j <= STREAM.length; j++) {
        const r = new FrameReader(AGENTX);
        const got = collect(r, [STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]);
        if (got.length !== FRAMES.length || got.some((f, k) => !f.equals(FRAMES[k]!))) {
          throw new Error(`split at ${i} and ${j}: ${got.length} frames`);
        }
        cases++;
      }
    }
    expect(cases).toBe(((STREAM.length + 1) * (STREAM.length + 2)) / 2);
  });

  it('one byte at a time', () => {
    const r = new FrameReader(AGENTX);
    const chunks = [...STREAM].map((b) => Buffer.from([b]));
    expect(collect(r, chunks)).toEqual(FRAMES);
  });

  it('a frame in one chunk is a view of it; a frame across chunks is one copy', () => {
    const r = new FrameReader(AGENTX);
    const own = (x: Buffer): Buffer => {
      const c = Buffer.allocUnsafeSlow(x.length);
      x.copy(c);
      return c;
    };
    // Unpooled: each chunk has its own ArrayBuffer.
    const a = own(Buffer.concat([FRAMES[3]!, FRAMES[5]!.subarray(0, 30)]));
    const b = own(FRAMES[5]!.subarray(30));
    r.push(a);
    const inOne = r.next()!;
    expect(inOne.buffer).toBe(a.buffer);
    expect(inOne.byteOffset).toBe(a.byteOffset);
    expect(r.next()).toBeNull();
    expect(r.expected).toBe(FRAMES[5]!.length);
    r.push(b);
    const across = r.next()!;
    expect(across.equals(FRAMES[5]!)).toBe(true);
    expect(across.buffer).not.toBe(a.buffer);
    expect(across.buffer).not.toBe(b.buffer);
  });

  it('a 1 MiB frame in one-byte chunks, then the frame after it', () => {
    const big = pdu(1, 1, payloadOf(9, 1024 * 1024));
    const r = new FrameReader(AGENTX);
    for (let i = 0; i < big.length; i++) r.push(big.subarray(i, i + 1));
    r.push(FRAMES[1]!);
    expect(r.next()!.equals(big)).toBe(true);
    expect(r.next()!.equals(FRAMES[1]!)).toBe(true);
    expect(r.next()).toBeNull();
  });

  it('the byte order follows the NETWORK_BYTE_ORDER flag; bad lengths are refused', () => {
    const le = pdu(1, 1, Buffer.from('abc'), false);
    expect(AGENTX.payloadLength(le.subarray(0, 20))).toBe(3);
    expect(AGENTX.payloadLength(pdu(1, 1, Buffer.from('abc'), true).subarray(0, 20))).toBe(3);
    const small: FrameSpec = { headerSize: 4, payloadLength: (h) => h.readUInt32BE(0), maxFrame: 100 };
    const r = new FrameReader(small);
    r.push(Buffer.from([0, 0, 0, 97]));
    expect(() => r.next()).toThrow('frame of 101 bytes exceeds the limit of 100');
    expect(() => new FrameReader({ headerSize: 0, payloadLength: () => 0 })).toThrow('headerSize must be a positive integer');
    // A spec whose length is not a count of bytes: refused, and the bytes are left as they were.
    for (const bad of [-1, 2.5, Number.NaN]) {
      const odd = new FrameReader({ headerSize: 2, payloadLength: () => bad });
      odd.push(Buffer.from([1, 2, 3]));
      expect(() => odd.next()).toThrow(`invalid payload length ${bad}`);
      expect(odd.buffered).toBe(3);
    }
  });
});

/** A python3 peer: connects, sends AgentX PDUs in awkward pieces (struct.pack, both byte orders), reads them echoed back. */
const PY_PEER = String.raw`
import socket, struct, sys
port = int(sys.argv[1])
def pdu(t, pid, payload, network):
    fmt = '!BBBBIIII' if network else '<BBBBIIII'
    return struct.pack(fmt, 1, t, 0x10 if network else 0, 0, 0x11223344, 7, pid, len(payload)) + payload
pdus = [pdu(1 + i % 5, i, bytes((i * 13 + k) & 0xff for k in range(i * 7 % 300)), i % 3 != 0) for i in range(200)]
data = b''.join(pdus)
s = socket.create_connection(('127.0.0.1', port))
i, step = 0, 1
while i < len(data):
    s.sendall(data[i:i + step])
    i += step
    step = step * 3 % 97 + 1
s.shutdown(socket.SHUT_WR)
back = b''
while True:
    b = s.recv(65536)
    if not b: break
    back += b
print('same' if back == data else 'differ %d %d' % (len(back), len(data)))
`;

async function runPeer(port: number): Promise<string> {
  const peer = new Running(['python3', '-c', PY_PEER, String(port)]);
  const { code, signal } = await peer.ended;
  if (code !== 0) throw new Error(`peer exited ${code ?? signal}: ${peer.stderr}`);
  return peer.stdout.trim();
}

function portOf(server: Server): number {
  return (server.sockets[0]!.getsockname() as [string, number])[1];
}

describe('AgentX from a python3 peer', () => {
  it('over a FramedProtocol: each PDU echoed whole', async () => {
    const seen: number[] = [];
    class Echo extends FramedProtocol {
      constructor() {
        super(AGENTX);
      }
      override frame_received(frame: Buffer): void {
        seen.push(AGENTX.payloadLength(frame.subarray(0, 20)));
        this.transport!.write(frame);
      }
      override eof_received(): boolean {
        expect(this.frames.buffered).toBe(0);
        return false;
      }
    }
    const server = await create_server(() => new Echo(), '127.0.0.1', 0);
    expect(await runPeer(portOf(server))).toBe('same');
    expect(seen.length).toBe(200);
    expect(seen.slice(0, 4)).toEqual([0, 7, 14, 21]);
    server.close();
    await server.wait_closed();
  });

  it('a FramedProtocol whose frame_received closes the transport gets no frame after that one', async () => {
    const seen: number[] = [];
    let lost!: () => void;
    const gone = new Promise<void>((r) => (lost = r));
    class FirstOnly extends FramedProtocol {
      constructor() {
        super(AGENTX);
      }
      override frame_received(frame: Buffer): void {
        seen.push(AGENTX.payloadLength(frame.subarray(0, 20)));
        this.transport!.close();
      }
      override connection_lost(): void {
        lost();
      }
    }
    const server = await create_server(() => new FirstOnly(), '127.0.0.1', 0);
    const [, writer] = await open_connection('127.0.0.1', portOf(server));
    // Three PDUs in one write: most likely one read, and so one data_received, holds them all.
    writer.write(Buffer.concat([pdu(1, 1, payloadOf(1, 5)), pdu(1, 2, payloadOf(2, 6)), pdu(1, 3, payloadOf(3, 7))]));
    await gone;
    expect(seen).toEqual([5]);
    writer.close();
    server.close();
    await server.wait_closed();
  });

  it('over a StreamReader: for await over frames, each echoed', async () => {
    let packetIds: number[] = [];
    const server = await start_server(async (reader, writer) => {
      const ids: number[] = [];
      for await (const frame of new StreamFrameReader(reader, AGENTX)) {
        ids.push((frame[2]! & AGENTX_NETWORK_BYTE_ORDER) !== 0 ? frame.readUInt32BE(12) : frame.readUInt32LE(12));
        writer.write(frame);
        await writer.drain();
      }
      packetIds = ids;
      writer.close();
    }, '127.0.0.1', 0);
    expect(await runPeer(portOf(server))).toBe('same');
    expect(packetIds).toEqual([...Array(200).keys()]);

    server.close();
    await server.wait_closed();
  });

  it('a PDU cut short by EOF: IncompleteReadError with what came and what was expected', async () => {
    const server = await start_server((_reader, writer) => {
      writer.write(FRAMES[3]!);
      writer.write(FRAMES[5]!.subarray(0, 25));
      writer.close();
    }, '127.0.0.1', 0);
    const [reader, writer] = await open_connection('127.0.0.1', portOf(server));
    const frames = new StreamFrameReader(reader, AGENTX);
    expect((await frames.read())!.equals(FRAMES[3]!)).toBe(true);
    const e = await frames.read().then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(IncompleteReadError);
    expect((e as IncompleteReadError).partial.equals(FRAMES[5]!.subarray(0, 25))).toBe(true);
    expect((e as IncompleteReadError).expected).toBe(57);
    expect((e as IncompleteReadError).message).toBe('25 bytes read on a total of 57 expected bytes');
    expect(await frames.read()).toBeNull();
    writer.close();
    await writer.wait_closed();
    server.close();
    await server.wait_closed();
  });
});
