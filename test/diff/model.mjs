// The model of a program's sockets that the generator keeps while it writes
// steps: which slots hold sockets, of what kind, in which mode, connected to
// what, and a lower bound of what each can read at once. It exists so that no
// generated step blocks for ever: a call that may block (recv, accept,
// connect, a blocking send, a makefile read) is only generated in blocking
// mode when the model is sure it returns at once; in non-blocking and timeout
// modes any call is. Where the model cannot be sure what a step did (a bind
// that may fail, a socket from a passed fd), the endpoint becomes `unknown`
// and gets no more blocking calls.

/** Bytes a connection may hold unread before a blocking send could wait (stream), datagrams (Unix). */
export const STREAM_ROOM = 48 * 1024;
export const SEND_OVERHEAD = 1024;
export const DGRAM_ROOM = 8;
/**
 * What an AF_UNIX stream connection surely holds unread, counted as `cost` counts (bytes plus SEND_OVERHEAD a
 * send): its sender's buffer, net.core.wmem_default (208 KiB on Linux), less each send's skb overhead. A stream
 * transport's writes may count on it; bigger ones wait in the transport (see Model.held).
 */
export const UNIX_STREAM_ROOM = 160 * 1024;

let nextId = 0;

/** One socket (open file description) of the kernel's. */
export class Endpoint {
  constructor(family, type, known = true) {
    this.id = nextId++;
    this.family = family;
    this.type = type;
    this.unknown = !known;
    /** Bound (or auto-bound) to an address others can reach. */
    this.named = false;
    this.listening = false;
    this.backlog = 0;
    /** Connections waiting in accept's queue (their server-side endpoints). */
    this.queue = [];
    /** The listener whose queue holds this endpoint, until accepted. */
    this.queuedIn = null;
    /** The listener that accepted it: its address is the listener's, so a connect to it reaches the listener. */
    this.origin = null;
    /** The queue may hold connections the model did not see made (a connect whose outcome it could not tell). */
    this.queueUnsure = false;
    /** Stream and seqpacket: the other end; datagram: the connected destination. */
    this.peer = null;
    this.everConnected = false;
    /** Lower bound of what can be read at once: bytes (stream) or messages. */
    this.inbox = 0;
    /** Upper bound of what was ever sent to it: bytes plus overheads (stream) or messages. */
    this.cost = 0;
    this.rdShut = false;
    this.wrShut = false;
    /**
     * Shut down for reading before it ever connected: the call failed (ENOTCONN), but Linux sets the flag all
     * the same (inet_shutdown), so a receive reads the end of the stream where it would fail.
     */
    this.rdShutUnconnected = false;
    /** Passed over SCM_RIGHTS: some process may hold it for ever. */
    this.leaked = false;
    /**
     * O_NONBLOCK on the open file description, as CPython leaves it: set by the last setblocking(False) or
     * settimeout(t) of any socket sharing it, cleared by setblocking(True) or settimeout(None).
     */
    this.nonblockFlag = false;
    /** poll() may call it readable while a receive says EAGAIN (a datagram socket shut down for reading). */
    this.readyButEmpty = false;
    /** A stream's transport reads it (st_open): nothing else may receive from it, or change its O_NONBLOCK. */
    this.streamed = false;
  }

  get stream() {
    return this.type !== 'SOCK_DGRAM';
  }

  get bytes() {
    return this.type === 'SOCK_STREAM';
  }
}

/** The mode of a socket whose timeout is `t` (settimeout's value): None blocks, 0 does not wait, a number times out. */
export function modeOf(t) {
  return t === null ? 'block' : t === 0 ? 'nonblock' : 'timeout';
}

/** A Socket object of the program, in a slot of its socket table. */
export class Rec {
  constructor(ep, mode = 'block') {
    this.ep = ep;
    this.mode = mode;
    this.closed = false;
    /** makefile() files open on it: they keep the fd open after close(). */
    this.files = 0;
    this.detached = false;
    /** Put by a step that may have failed: the slot may still hold the socket it held before. */
    this.maybe = false;
    /** A stream's transport took it (st_open): while it is open, it stays in its slot. */
    this.stream = false;
  }

  /** Whether calls on it reach the fd (a closed socket with open files still does). */
  get live() {
    return !this.detached && (!this.closed || this.files > 0);
  }

  /**
   * Whether a call may wait: blocking mode on an fd still open, or non-blocking mode on an fd whose O_NONBLOCK
   * another socket sharing it cleared (CPython's non-blocking calls then block; bsdsock's do not).
   */
  get waits() {
    // A slot that may still hold the socket it held before: any mode, open or not.
    if (this.maybe) return true;
    return (this.mode === 'block' || (this.mode === 'nonblock' && !this.ep.nonblockFlag)) && this.live;
  }
}

export class Model {
  constructor() {
    /** slot -> Rec */
    this.socks = new Map();
    /** Every Rec ever made (files keep replaced ones alive). */
    this.recs = [];
    /** file slot -> { rec, mode } */
    this.files = new Map();
    /** The fd table: an Endpoint, or null once consumed. */
    this.fds = [];
    /** The fd table may hold fds the model did not see arrive (SCM_RIGHTS). */
    this.fdsUnsure = false;
    this.fdsInFlight = false;
    this.usedNames = new Set();
    this.signalHandler = false;
    /** A child is sending a signal that sig_count has not waited for. */
    this.signalInFlight = false;
    /** socket.setdefaulttimeout's value: the timeout of every Socket object made from then on. */
    this.defaultTimeout = null;
    /**
     * stream slot -> { rec, limit, closed, eof, held }: the streams of st_open (eof: write_eof was called;
     * held: its transport may hold written bytes the peer's buffers had no room for).
     */
    this.streams = new Map();
    /**
     * datagram slot -> { rec, closed, peered, holds }: the datagram transports of dg_open (peered: its socket had a
     * peer's address when it was made; holds: it may keep datagrams its socket had no room for).
     */
    this.dgrams = new Map();
  }

  /**
   * A Socket object made now for `ep` (socket(), socketpair(), accept(), fromfd(), socket(fileno=)): in the
   * default timeout's mode, which, unless it is None, sets O_NONBLOCK on the fd (CPython's init_sockobject).
   */
  fresh(ep) {
    if (this.defaultTimeout !== null) ep.nonblockFlag = true;
    return new Rec(ep, modeOf(this.defaultTimeout));
  }

  put(slot, rec) {
    const old = this.socks.get(slot);
    if (old) old.closed = true;
    this.socks.set(slot, rec);
    this.recs.push(rec);
    return rec;
  }

  /** A step that may or may not put `rec` in the slot: the old one may live on, unknown. */
  maybePut(slot, rec) {
    const old = this.socks.get(slot);
    if (old) {
      old.ep.unknown = true;
      old.ep.leaked = true;
    }
    rec.ep.unknown = true;
    rec.ep.leaked = true;
    rec.maybe = true;
    this.socks.set(slot, rec);
    this.recs.push(rec);
    return rec;
  }

  alive(ep) {
    if (ep.leaked) return true;
    if (this.recs.some((r) => r.ep === ep && r.live)) return true;
    if (this.fds.includes(ep)) return true;
    return ep.queuedIn !== null && this.alive(ep.queuedIn);
  }

  /** A recv wanting n bytes (one message) returns at once: data, an end of file, or an error. */
  readable(ep, n = 1) {
    if (ep.unknown) return false;
    if (ep.inbox >= (ep.bytes ? Math.max(n, 1) : 1)) return true;
    // A stream socket that never connected fails at once (ENOTCONN, EINVAL).
    if (ep.stream && !ep.everConnected) return true;
    return this.atEof(ep);
  }

  /** A stream read surely sees the end of the file (or a reset) at once. */
  atEof(ep) {
    if (ep.unknown || !ep.stream || !ep.everConnected) return false;
    return ep.rdShut || (ep.peer !== null && (ep.peer.wrShut || !this.alive(ep.peer)));
  }

  /** A message sent to `to` now is surely queued there (so inbox may count it). */
  delivers(from, to) {
    if (from.unknown || to.unknown || from.wrShut || !this.alive(to) || to.rdShut) return false;
    if (from.stream) return from.peer === to && to.cost <= STREAM_ROOM;
    if (to.family !== from.family || to.type !== from.type || !to.named) return false;
    if (to.peer !== null && to.peer !== from) return false;
    if (from.family === 'AF_UNIX' && to.cost >= DGRAM_ROOM) return false;
    // A datagram from an unnamed Unix socket still arrives; from an unnamed UDP
    // socket it auto-binds the sender first.
    return true;
  }

  /**
   * Records a send of n bytes from `from` to `to` (the peer, or a datagram
   * destination); `maybe` when the call itself may fail whatever the sockets' states.
   */
  sent(from, to, n, maybe = false) {
    if (to === null) return;
    const sure = !maybe && this.delivers(from, to);
    this.charge(from, to, n);
    if (sure) to.inbox += from.bytes ? n : 1;
    if (sure && !from.stream && from.family !== 'AF_UNIX') from.named = true;
  }

  /** Counts a send of n bytes from `from` against the room `to` has (whether or not it arrives). */
  charge(from, to, n) {
    to.cost += from.stream ? n + SEND_OVERHEAD : 1;
  }

  /** A blocking send of n bytes to `to` surely returns. */
  roomFor(from, to, n) {
    if (from.unknown || (to !== null && to.unknown)) return false;
    if (to === null) return true;
    if (from.stream) return to.cost + n + SEND_OVERHEAD <= STREAM_ROOM;
    if (from.family === 'AF_UNIX') return to.cost < DGRAM_ROOM;
    return true;
  }

  /**
   * Records a stream transport's write of n bytes over a Unix connection from `from` to its peer `to` that may
   * not fit: the kernel takes what the connection surely has room for at once, which the peer can read; the rest may wait in the
   * transport (the caller marks the stream `held`) until the peer reads.
   */
  held(from, to, n) {
    to.inbox += Math.min(n, Math.max(0, UNIX_STREAM_ROOM - to.cost));
    this.charge(from, to, n);
  }

  /** Records a read of up to n bytes (or one message) from ep. */
  consumed(ep, n) {
    ep.inbox = ep.bytes ? Math.max(0, ep.inbox - n) : Math.max(0, ep.inbox - 1);
  }
}
