// The receive slab. Received bytes land in a slab, and the Buffer returned is
// a view of exactly what arrived: no copy, and no allocation per receive
// (Node's Buffer pool works the same way). A receive claims its room before
// the call and gives back what it did not use after it, so a receive made
// while another one waits (a signal listener's, run inside a blocking call)
// never shares its room. A slab is never reused: a full one is left to the
// views that hold it, and a new one taken.

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer } from 'node:buffer';

const SLAB_SIZE = 256 * 1024;

/** The largest receive that goes into the slab; a larger one gets its own Buffer. */
export const SLAB_RECEIVE_MAX = 64 * 1024;

let slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
/** The slab's memory (a slab of its own starts at byte 0 of it). */
let memory = slab.buffer;
let used = 0;

/**
 * Where the receive just claimed goes: `room.buf` at `room.offset`. One object
 * reused by every claim (the hot path allocates nothing), so a caller copies
 * both out before the call that receives.
 */
export const room = { buf: slab, offset: 0 };

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
    if (used + n > SLAB_SIZE) {
      slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      memory = slab.buffer;
      used = 0;
    }
    room.buf = slab;
    room.offset = used;
    used = aligned(used + n);
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
  if (buf === slab) {
    if (used === aligned(offset + n)) used = aligned(offset + got);
    // A view made from the memory itself: buf.subarray() would find Buffer's
    // species and construct through the deprecated Buffer(), twice the time.
    return Buffer.from(memory, offset, got);
  }
  if (n <= SLAB_RECEIVE_MAX) return buf.subarray(offset, offset + got);
  if (got === n) return buf;
  return got < n / 2 ? Buffer.from(buf.subarray(0, got)) : buf.subarray(0, got);
}
