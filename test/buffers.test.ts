// Receives into caller-supplied memory never write outside the view given:
// views at random offsets inside larger ArrayBuffers, with canary bytes all
// around, zero-length views, other typed arrays and DataViews, and nbytes
// larger than the view (RangeError before any syscall, the data still queued).

import { AF_UNIX, MSG_TRUNC, SOCK_DGRAM, SOCK_STREAM, socket, socketpair, type Socket } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { owned, thrown } from './helpers/sockets';

const CANARY = 0xa5;

/** A view of `length` bytes at `offset` inside an ArrayBuffer of `size` bytes filled with the canary. */
function arena(size: number, offset: number, length: number): { buf: ArrayBuffer; view: Uint8Array } {
  const buf = new ArrayBuffer(size);
  new Uint8Array(buf).fill(CANARY);
  return { buf, view: new Uint8Array(buf, offset, length) };
}

/** Every byte of `buf` outside [start, start + written) still holds the canary. */
function canariesIntact(buf: ArrayBuffer, start: number, written: number): boolean {
  const all = new Uint8Array(buf);
  for (let i = 0; i < all.length; i++) {
    if ((i < start || i >= start + written) && all[i] !== CANARY) return false;
  }
  return true;
}

/** A payload whose bytes are never the canary, so a stray write shows. */
function payload(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (seed + i) % 0xa5;
  return b;
}

/** An arena shape and a payload length: the property's input. */
const shapes = fc
  .record({ size: fc.integer({ min: 0, max: 300 }), payload: fc.integer({ min: 0, max: 400 }), seed: fc.nat(255) })
  .chain(({ size, payload: p, seed }) =>
    fc.integer({ min: 0, max: size }).chain((offset) =>
      fc.integer({ min: 0, max: size - offset }).map((length) => ({ size, offset, length, payload: p, seed })),
    ),
  );

type Receiver = (sock: Socket<string>, view: Uint8Array, nbytes: number) => number | Promise<number>;

/** The receives that take a view and an nbytes, and the message each gives when nbytes exceeds the view. */
const WITH_NBYTES: [string, Receiver, string][] = [
  ['recv_into', (s, v, n) => s.recv_into(v, n), 'buffer too small for requested bytes'],
  ['recvfrom_into', (s, v, n) => s.recvfrom_into(v, n)[0], 'nbytes is greater than the length of the buffer'],
  ['asyncio sock_recvfrom_into', (s, v, n) => asyncio.sock_recvfrom_into(s, v, n).then((r) => r[0]), 'nbytes is greater than the length of the buffer'],
];

/** The receives that fill the whole view. */
const WHOLE_VIEW: [string, Receiver][] = [
  ['recvmsg_into', (s, v) => s.recvmsg_into([v])[0]],
  ['recvmmsg_into', (s, v) => s.recvmmsg_into([v])[0]![0]],
  ['asyncio sock_recv_into', (s, v) => asyncio.sock_recv_into(s, v)],
  ['makefile(rb, 0).readinto', (s, v) => fileReadinto(s, v, 0)],
  ['makefile(rb).readinto', (s, v) => fileReadinto(s, v, null)],
];

function fileReadinto(s: Socket<string>, v: Uint8Array, buffering: 0 | null): number {
  const f = buffering === 0 ? s.makefile('rb', 0) : s.makefile('rb');
  try {
    return f.readinto(v) ?? -1;
  } finally {
    f.close();
  }
}

/** A non-blocking datagram pair: one send is one receive, whatever the view. */
function dgramPair(): [Socket<string>, Socket<string>] & Disposable {
  const pair = owned(socketpair(AF_UNIX, SOCK_DGRAM));
  for (const s of pair) s.setblocking(false);
  return pair;
}

describe('receives into a view never write outside it', () => {
  for (const [name, receive] of WITH_NBYTES) {
    it(`${name}: random views, payloads and nbytes`, async () => {
      await fc.assert(
        fc.asyncProperty(shapes, fc.nat(), async (shape, pick) => {
          using pair = dgramPair();
          const { buf, view } = arena(shape.size, shape.offset, shape.length);
          const data = payload(shape.payload, shape.seed);
          pair[1].send(data);
          const nbytes = shape.length === 0 ? 0 : pick % (shape.length + 1);
          const limit = nbytes === 0 ? shape.length : nbytes;
          const got = await receive(pair[0], view, nbytes);
          expect(got).toBe(Math.min(limit, data.length));
          expect(Buffer.from(view.subarray(0, got)).equals(data.subarray(0, got))).toBe(true);
          expect(canariesIntact(buf, shape.offset, got)).toBe(true);
        }),
        { numRuns: 150 },
      );
    });

    it(`${name}: nbytes beyond the view is a RangeError before the receive`, async () => {
      await fc.assert(
        fc.asyncProperty(shapes, fc.integer({ min: 1, max: 1 << 20 }), async (shape, extra) => {
          using pair = dgramPair();
          const { buf, view } = arena(shape.size, shape.offset, shape.length);
          const data = payload(Math.max(shape.payload, 1), shape.seed);
          pair[1].send(data);
          let error: unknown = null;
          try {
            await receive(pair[0], view, shape.length + extra);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(RangeError);
          expect((error as Error).message).toBe(WITH_NBYTES.find(([n]) => n === name)![2]);
          expect(canariesIntact(buf, 0, 0)).toBe(true);
          // Nothing was received: the datagram is still there, whole.
          expect(pair[0].recv(data.length + 1).equals(data)).toBe(true);
        }),
        { numRuns: 60 },
      );
    });
  }

  for (const [name, receive] of WHOLE_VIEW) {
    it(`${name}: random views and payloads`, async () => {
      await fc.assert(
        fc.asyncProperty(shapes, async (shape) => {
          // Streams for the file objects (they read a byte stream); datagrams for the rest.
          const stream = name.startsWith('makefile');
          using pair = stream ? owned(socketpair(AF_UNIX, SOCK_STREAM)) : dgramPair();
          if (stream) for (const s of pair) s.setblocking(false);
          const { buf, view } = arena(shape.size, shape.offset, shape.length);
          const data = payload(Math.max(shape.payload, 1), shape.seed);
          pair[1].send(data);
          const got = await receive(pair[0], view, 0);
          const expected = Math.min(shape.length, data.length);
          // A zero-length read of a non-blocking file may find "nothing without blocking" (-1 here).
          if (!(stream && shape.length === 0 && got === -1)) expect(got).toBe(expected);
          const written = Math.max(got, 0);
          expect(Buffer.from(view.subarray(0, written)).equals(data.subarray(0, written))).toBe(true);
          expect(canariesIntact(buf, shape.offset, written)).toBe(true);
        }),
        { numRuns: 120 },
      );
    });
  }

  it('recvmsg_into and recvmmsg_into: several views in one buffer, each bounded', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 300 }), (lengths, n) => {
        using pair = dgramPair();
        // Views laid out with a 3-byte canary gap between each.
        const total = lengths.reduce((a, b) => a + b + 3, 3);
        const buf = new ArrayBuffer(total);
        new Uint8Array(buf).fill(CANARY);
        const views: Uint8Array[] = [];
        let at = 3;
        for (const len of lengths) {
          views.push(new Uint8Array(buf, at, len));
          at += len + 3;
        }
        const data = payload(n, 7);
        pair[1].send(data);
        const [got] = pair[0].recvmsg_into(views);
        const capacity = lengths.reduce((a, b) => a + b, 0);
        expect(got).toBe(Math.min(capacity, n));
        // Scattered in order, and the gaps untouched.
        const scattered = Buffer.concat(views.map((v) => Buffer.from(v))).subarray(0, got);
        expect(scattered.equals(data.subarray(0, got))).toBe(true);
        const all = new Uint8Array(buf);
        let pos = 0;
        for (const len of lengths) {
          expect([all[pos], all[pos + 1], all[pos + 2]]).toEqual([CANARY, CANARY, CANARY]);
          pos += 3 + len;
        }
        expect([all[pos], all[pos + 1], all[pos + 2]]).toEqual([CANARY, CANARY, CANARY]);

        // One datagram per view with recvmmsg_into: each lands in its own view only.
        new Uint8Array(buf).fill(CANARY);
        for (const [i] of views.entries()) pair[1].send(payload(n, i));
        const results = pair[0].recvmmsg_into(views);
        expect(results).toHaveLength(views.length);
        pos = 0;
        for (const [i, v] of views.entries()) {
          expect(results[i]![0]).toBe(Math.min(v.length, n));
          expect(Buffer.from(v.subarray(0, results[i]![0])).equals(payload(n, i).subarray(0, results[i]![0]))).toBe(true);
          expect(v.subarray(results[i]![0]).every((b) => b === CANARY)).toBe(true);
          expect([all[pos], all[pos + 1], all[pos + 2]]).toEqual([CANARY, CANARY, CANARY]);
          pos += 3 + v.length;
        }
      }),
      { numRuns: 120 },
    );
  });

  it('other typed arrays and DataViews are written as their own bytes only', () => {
    using pair = dgramPair();
    const backing = new ArrayBuffer(64);
    new Uint8Array(backing).fill(CANARY);
    const views = [new Uint16Array(backing, 6, 5), new Float64Array(backing, 16, 2), new DataView(backing, 37, 9), new Int32Array(backing, 48, 1)];
    for (const v of views) {
      pair[1].send(payload(100, v.byteOffset));
      const got = pair[0].recv_into(v as unknown as Uint8Array);
      expect(got).toBe(v.byteLength);
      expect(Buffer.from(backing, v.byteOffset, got).equals(payload(100, v.byteOffset).subarray(0, got))).toBe(true);
    }
    const touched = new Set(views.flatMap((v) => Array.from({ length: v.byteLength }, (_, i) => v.byteOffset + i)));
    const all = new Uint8Array(backing);
    for (let i = 0; i < all.length; i++) if (!touched.has(i)) expect(all[i]).toBe(CANARY);
  });

  it('a detached buffer is refused before any receive, and the datagram stays queued', async () => {
    using pair = dgramPair();
    const ab = new ArrayBuffer(16);
    const view = new Uint8Array(ab, 4, 8);
    structuredClone(ab, { transfer: [ab] });
    pair[1].send(Buffer.from('kept'));
    // The view of a detached buffer has no bytes left: asking for one is the RangeError of a
    // buffer too small; the detached ArrayBuffer itself is no buffer at all (TypeError).
    expect(thrown(() => pair[0].recv_into(view, 1))).toBeInstanceOf(RangeError);
    expect(thrown(() => pair[0].recvfrom_into(view, 1))).toBeInstanceOf(RangeError);
    expect(thrown(() => pair[0].recv_into(ab as unknown as Uint8Array))).toBeInstanceOf(TypeError);
    expect(thrown(() => pair[0].recvmsg_into([ab as unknown as Uint8Array]))).toBeInstanceOf(TypeError);
    await expect(asyncio.sock_recv_into(pair[0], ab as unknown as Uint8Array)).rejects.toBeInstanceOf(TypeError);
    expect(pair[0].recv(10).toString()).toBe('kept');
  });
});

describe('MSG_TRUNC on a stream: the bytes the kernel discards without writing', () => {
  // Linux's TCP receive with MSG_TRUNC drops the data and copies nothing, yet
  // reports the length: the bytes returned must be zeros, never what the memory
  // held before (CPython's are uninitialised).
  it('recv, recvfrom, recvmsg and recvmmsg return zeros, even where earlier receives left bytes', () => {
    const l = socket();
    l.bind(['127.0.0.1', 0]);
    l.listen();
    const c = socket();
    c.connect(l.getsockname());
    const [s] = l.accept();
    using _ = owned([l, c, s]);
    for (const receive of [(n: number) => s.recv(n, MSG_TRUNC), (n: number) => s.recvfrom(n, MSG_TRUNC)[0], (n: number) => s.recvmsg(n, 0, MSG_TRUNC)[0], (n: number) => s.recvmmsg(1, n, MSG_TRUNC)[0]![0]]) {
      // Fill the receive memory with something recognisable first.
      c.sendall(Buffer.alloc(64, 0xab));
      expect(s.recv(64).equals(Buffer.alloc(64, 0xab))).toBe(true);
      c.sendall(Buffer.alloc(64, 0xcd));
      const got = receive(64);
      expect(got.length).toBe(64);
      expect(got.equals(Buffer.alloc(64))).toBe(true);
    }
  });
});

describe('the receive slabs', () => {
  it('small receives share a small slab, larger ones a larger one; every view keeps its own bytes', async () => {
    using pair = dgramPair();
    const [a, b] = pair;
    const views: [Buffer, string][] = [];
    // Enough receives to fill and renew each slab several times over.
    for (let i = 0; i < 3000; i++) {
      const text = `datagram ${i} `.repeat(1 + (i % 5));
      b.send(Buffer.from(text));
      const got = i % 2 === 0 ? a.recv(4096) : await asyncio.sock_recv(a, 100);
      views.push([got, text]);
    }
    for (const [view, text] of views) expect(view.toString()).toBe(text);
    // A datagram received with room for 4 KiB holds a 64 KiB slab, not the 1 MiB one.
    b.send(Buffer.from('small'));
    expect(a.recv(4096).buffer.byteLength).toBe(64 * 1024);
    // Room for 32 KiB: the 1 MiB slab, shared by the next such receive.
    b.send(Buffer.from('large one'));
    b.send(Buffer.from('large two'));
    const [one, two] = [a.recv(32 * 1024), a.recv(32 * 1024)];
    expect(one.buffer.byteLength).toBe(1024 * 1024);
    expect(two.buffer).toBe(one.buffer);
    expect([one.toString(), two.toString()]).toEqual(['large one', 'large two']);
  });

  it("a program that transfers a received Buffer's memory gets a copy: the slab stays, and the receives after it are whole", async () => {
    using pair = dgramPair();
    const [a, b] = pair;
    for (const [i, receive] of [(n: number) => Promise.resolve(a.recv(n)), (n: number) => asyncio.sock_recv(a, n), (n: number) => Promise.resolve(a.recv(n))].entries()) {
      b.send(Buffer.from(`first ${i}`));
      const first = await receive(4096);
      // Transferring the slab's ArrayBuffer would detach it under the receives to come.
      const memory = first.buffer as ArrayBuffer;
      const moved = structuredClone(memory, { transfer: [memory] });
      expect(first.buffer.byteLength).toBe(64 * 1024);
      expect(first.toString()).toBe(`first ${i}`);
      expect(Buffer.from(moved, first.byteOffset, first.length).toString()).toBe(`first ${i}`);
      b.send(Buffer.from(`second ${i}`));
      expect((await receive(4096)).toString()).toBe(`second ${i}`);
    }
  });
});
