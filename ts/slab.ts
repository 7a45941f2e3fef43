// The receive slabs. Received bytes land in a slab, and the Buffer returned is
// a view of exactly what arrived: no copy, and no allocation per receive
// (Node's Buffer pool works the same way). A receive claims its room before
// the call and gives back what it did not use after it, so a receive made
// while another one waits (a signal listener's, run inside a blocking call)
// never shares its room. A slab is never reused: a full one is left to the
// views that hold it, and a new one taken.
//
// Small receives (datagrams, short reads) share a 64 KiB slab, large ones
// (a stream transport's reads of up to 256 KiB) a 1 MiB one. malloc serves the small
// slab from its heap (below its 128 KiB mmap threshold): once its views are
// dropped it dies in a young-generation GC and its memory goes to the next
// allocation still mapped. A large slab is a fresh mapping whose every page
// faults on first write, and it lives long enough to wait for a full GC: in a
// loop of 64-byte datagrams those faults were about 1% of the time. A view a
// program keeps holds the whole slab it is in (a copy, `Buffer.from(view)`,
// lets the slab go).

// node:buffer's Buffer: the global one is a getter on globalThis, called at each use.
import { Buffer, constants } from 'node:buffer';
import * as workers from 'node:worker_threads';

import { OSError } from './errors';

/** The largest Buffer the runtime makes. */
const MAX_LENGTH = constants.MAX_LENGTH;

/**
 * Keeps a slab's memory where it is: a program that transfers a received
 * Buffer's `.buffer` (to a worker, or with structuredClone) would otherwise
 * detach the slab under the receives still to come into it. Marked, it is
 * copied instead (Node; Bun and Deno refuse the transfer), as Node's own
 * Buffer pool is.
 */
const keepInPlace: (memory: ArrayBuffer) => void =
  typeof workers.markAsUntransferable === 'function' ? (memory) => workers.markAsUntransferable(memory) : () => {};

/** The largest receive that goes into a slab; a larger one gets its own Buffer. A stream transport's reads
 * are this size, asyncio's `max_size`. */
export const SLAB_RECEIVE_MAX = 256 * 1024;
/** The largest receive that goes into the small slab. */
const SMALL_RECEIVE_MAX = 16 * 1024;

/** A slab and how much of it is claimed. */
class Slab {
  /** The slab's memory: the receives are made into it, and their Buffers are views of it. */
  declare memory: ArrayBuffer;
  declare used: number;
  constructor(readonly size: number) {
    this.renew();
  }

  /** Leaves the slab to the views that hold it and takes a new one. */
  renew(): void {
    this.memory = Buffer.allocUnsafeSlow(this.size).buffer as ArrayBuffer;
    keepInPlace(this.memory);
    this.used = 0;
  }

  /** Claims `n` bytes for a receive, in a new slab when they do not fit: where, in `room`. */
  claim(n: number): void {
    if (this.used + n > this.size) this.renew();
    room.memory = this.memory;
    room.offset = this.used;
    this.used = aligned(this.used + n);
  }

  /** Gives back what a receive of `got` bytes left of the `n` claimed at `offset`, unless more was claimed since. */
  giveBack(offset: number, got: number, n: number): void {
    if (this.used === aligned(offset + n)) this.used = aligned(offset + got);
  }
}

const small = new Slab(64 * 1024);
const large = new Slab(1024 * 1024);

/**
 * Where the receive just claimed goes: `room.memory` at `room.offset`. One
 * object reused by every claim (the hot path allocates nothing), so a caller
 * copies both out before the call that receives. The addon is given the
 * ArrayBuffer itself, not a view of it: its memory is a field read, where a
 * view's is found through the view's buffer (a third of a receive's crossing).
 */
export const room = { memory: small.memory, offset: 0 };

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
  if (n > SMALL_RECEIVE_MAX || zeroed) return claimOther(n, zeroed);
  small.claim(n);
}

// The hot receives inline claim and settle: V8's optimizing compiler inlines callees up to a total
// size per function, so their rarer paths are functions of their own.

/** `claim` of a large receive (the large slab, or a Buffer of its own), or of zeroed room. */
function claimOther(n: number, zeroed: boolean): void {
  if (n > SLAB_RECEIVE_MAX) {
    fitsBuffer(n);
    // Zeroed room of its own from the allocator (fresh pages, zero until touched), not by writing
    // every byte: a recv(2**32, MSG_TRUNC) that finds a 64-byte datagram touches one page.
    room.memory = zeroed ? new ArrayBuffer(n) : (Buffer.allocUnsafeSlow(n).buffer as ArrayBuffer);
    room.offset = 0;
    return;
  }
  (n <= SMALL_RECEIVE_MAX ? small : large).claim(n);
  if (zeroed) new Uint8Array(room.memory, room.offset, n).fill(0);
}

/** Throws for a receive larger than any Buffer: Python's OverflowError beyond a C ssize_t, else its
 * MemoryError (an OSError here, as bsdsock has no MemoryError), not the message of Node's allocator. */
export function fitsBuffer(n: number): void {
  if (n <= MAX_LENGTH) return;
  if (n >= 2 ** 63) throw new RangeError('Python int too large to convert to C ssize_t');
  // The largest size below 2 ** 63 (2 ** 63 - 1 as Python's int): past what a bytes object's header
  // leaves, Python's OverflowError rather than its MemoryError.
  if (n > 2 ** 63 - 2048) throw new RangeError('byte string is too large');
  throw new OSError('Cannot allocate memory');
}

/**
 * The Buffer of the `got` bytes received (0 for none) into the room claimed for
 * `n` at `offset` of `memory`, the rest of the room given back. If far fewer
 * bytes arrive than a Buffer of its own was made for, they are copied out, so
 * that a small result does not hold a large allocation.
 */
export function settle(memory: ArrayBuffer, offset: number, got: number, n: number): Buffer {
  if (memory !== small.memory) return settleOther(memory, offset, got, n);
  small.giveBack(offset, got, n);
  // A view made from the memory itself: a Buffer's subarray() would find Buffer's
  // species and construct through the deprecated Buffer(), twice the time.
  return Buffer.from(memory, offset, got);
}

/** `settle` of room in the large slab, or in a Buffer of its own. */
function settleOther(memory: ArrayBuffer, offset: number, got: number, n: number): Buffer {
  if (n > SLAB_RECEIVE_MAX && got < n / 2) return Buffer.from(new Uint8Array(memory, 0, got));
  if (memory === large.memory) large.giveBack(offset, got, n);
  return Buffer.from(memory, offset, got);
}
