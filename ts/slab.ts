// The receive slabs. Received bytes land in a slab, and the Buffer returned is
// a view of exactly what arrived: no copy, and no allocation per receive
// (Node's Buffer pool works the same way). A receive claims its room before
// the call and gives back what it did not use after it, so a receive made
// while another one waits (a signal listener's, run inside a blocking call)
// never shares its room. A slab is never reused: a full one is left to the
// views that hold it, and a new one taken.
//
// Small receives (datagrams, short reads) share a 64 KiB slab, large ones
// (a stream transport's 64 KiB reads) a 256 KiB one. malloc serves the small
// slab from its heap (below its 128 KiB mmap threshold): once its views are
// dropped it dies in a young-generation GC and its memory goes to the next
// allocation still mapped. A 256 KiB slab is a fresh mapping whose every page
// faults on first write, and it lives long enough to wait for a full GC: in a
// loop of 64-byte datagrams those faults were about 1% of the time. A view a
// program keeps also holds a quarter of the memory it held.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';

/** The largest receive that goes into a slab; a larger one gets its own Buffer. */
export const SLAB_RECEIVE_MAX = 64 * 1024;
/** The largest receive that goes into the small slab. */
const SMALL_RECEIVE_MAX = 16 * 1024;

/** A slab and how much of it is claimed. */
class Slab {
  declare buf: Buffer;
  /** The slab's memory (a slab of its own starts at byte 0 of it). */
  declare memory: ArrayBufferLike;
  declare used: number;
  constructor(readonly size: number) {
    this.renew();
  }

  /** Leaves the slab to the views that hold it and takes a new one. */
  renew(): void {
    this.buf = Buffer.allocUnsafeSlow(this.size);
    this.memory = this.buf.buffer;
    this.used = 0;
  }
}

const small = new Slab(64 * 1024);
const large = new Slab(256 * 1024);

/**
 * Where the receive just claimed goes: `room.buf` at `room.offset`. One object
 * reused by every claim (the hot path allocates nothing), so a caller copies
 * both out before the call that receives.
 */
export const room = { buf: small.buf, offset: 0 };

function aligned(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Claims room for a receive of up to `n` bytes (see `room`). With `zeroed`,
 * the room is cleared first: a receive with MSG_TRUNC may report bytes the
 * kernel never wrote (a TCP socket's discarded data), which must not show what
 * the memory held before.
 */
export function claim(n: number, zeroed = false): void {
  if (n > SLAB_RECEIVE_MAX) {
    room.buf = Buffer.allocUnsafe(n);
    room.offset = 0;
  } else {
    const slab = n <= SMALL_RECEIVE_MAX ? small : large;
    if (slab.used + n > slab.size) slab.renew();
    room.buf = slab.buf;
    room.offset = slab.used;
    slab.used = aligned(slab.used + n);
  }
  if (zeroed) room.buf.fill(0, room.offset, room.offset + n);
}

/**
 * The Buffer of the `got` bytes received (0 for none) into the room claimed for
 * `n` at `offset` of `buf`, the rest of the room given back. If far fewer bytes
 * arrive than a Buffer of its own was made for, they are copied out, so that a
 * small result does not hold a large allocation.
 */
export function settle(buf: Buffer, offset: number, got: number, n: number): Buffer {
  const slab = buf === small.buf ? small : buf === large.buf ? large : null;
  if (slab !== null) {
    if (slab.used === aligned(offset + n)) slab.used = aligned(offset + got);
    // A view made from the memory itself: buf.subarray() would find Buffer's
    // species and construct through the deprecated Buffer(), twice the time.
    return Buffer.from(slab.memory, offset, got);
  }
  if (n <= SLAB_RECEIVE_MAX) return buf.subarray(offset, offset + got);
  if (got === n) return buf;
  return got < n / 2 ? Buffer.from(buf.subarray(0, got)) : buf.subarray(0, got);
}
