// The generator: fast-check commands, one per step of the step language
// (test/diff/steps.md). Each command's arbitrary draws the step; its check()
// says whether the step may run in the model's current state (its slots exist,
// and it cannot block for ever); its run() applies the step to the model and
// appends it to the program. fc.modelRun skips the commands whose check fails,
// so a shrunk program stays one that never hangs.

import fc from 'fast-check';

import { KNOWN } from './known.mjs';
import { Endpoint, Model, modeOf, Rec, UNIX_STREAM_ROOM } from './model.mjs';

const SLOTS = 4;
const FILE_SLOTS = 2;
const STREAM_SLOTS = 2;
const DGRAM_SLOTS = 2;
const FD_SLOTS = 3;

const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const fileSlot = fc.integer({ min: 0, max: FILE_SLOTS - 1 });
const streamSlot = fc.integer({ min: 0, max: STREAM_SLOTS - 1 });
const dgramSlot = fc.integer({ min: 0, max: DGRAM_SLOTS - 1 });
// Most programs detach one fd or none: slot 0 most often.
const fdSlot = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 0, max: FD_SLOTS - 1 }), weight: 1 });
const seed = fc.integer({ min: 0, max: 255 });
/** Names of 127.0.0.1: a name, its capitals (names are not case-sensitive), and IPv4's older numeric
 * forms (inet_aton's: a short dotted form, one 32-bit number). */
const IPV4_LOOPBACK_NAMES = ['localhost', 'LOCALHOST', '127.1', '2130706433'];
/** Other spellings of ::1: in full, with the zeros run elsewhere, and with a numeric scope id (interface
 * 1 is the loopback: the first a network namespace has). */
const IPV6_LOOPBACK_NAMES = ['0:0:0:0:0:0:0:1', '0::1', '::0:1', '::1%1'];

/** The host a step names its target by, or null for the target's own address (`named`). */
const host = fc.oneof(
  { arbitrary: fc.constant(null), weight: 9 },
  { arbitrary: fc.constantFrom(...IPV4_LOOPBACK_NAMES, ...IPV6_LOOPBACK_NAMES), weight: 3 },
);

/**
 * Whether a step may name its target by `step.host`: an IPv4 name only for an IPv4 address (each is
 * 127.0.0.1 everywhere; 'localhost' is '::1' only where the hosts file says so), an IPv6 one only for
 * an IPv6 address, in each case from a socket of that family; each side's library resolves it.
 */
function named(step, rec, target) {
  if (step.host === null || step.host === undefined) return true;
  const family = IPV6_LOOPBACK_NAMES.includes(step.host) ? 'AF_INET6' : 'AF_INET';
  return rec.ep.family === family && target.ep.family === family;
}
const size = fc.oneof(fc.constantFrom(0, 1, 15, 16, 17), fc.integer({ min: 0, max: 3000 }));
const recvSize = fc.oneof(fc.constantFrom(0, 1, 16, 4096), fc.integer({ min: 0, max: 5000 }));

const KINDS = [
  ['AF_INET', 'SOCK_STREAM'],
  ['AF_INET', 'SOCK_DGRAM'],
  ['AF_INET6', 'SOCK_STREAM'],
  ['AF_INET6', 'SOCK_DGRAM'],
  ['AF_UNIX', 'SOCK_STREAM'],
  ['AF_UNIX', 'SOCK_DGRAM'],
  ['AF_UNIX', 'SOCK_SEQPACKET'],
];
const kind = fc.constantFrom(...KINDS);
const pairKind = fc.oneof(
  { arbitrary: fc.constantFrom(['AF_UNIX', 'SOCK_STREAM'], ['AF_UNIX', 'SOCK_DGRAM'], ['AF_UNIX', 'SOCK_SEQPACKET']), weight: 9 },
  { arbitrary: fc.constant(['AF_INET', 'SOCK_STREAM']), weight: 1 },
);

const flagSet = (names) => fc.subarray(names, { maxLength: 2 });
const sendFlags = flagSet(['MSG_DONTWAIT', 'MSG_NOSIGNAL']);
const recvFlags = fc.oneof({ arbitrary: flagSet(['MSG_PEEK', 'MSG_DONTWAIT', 'MSG_TRUNC', 'MSG_WAITALL']), weight: 9 }, { arbitrary: flagSet(['MSG_ERRQUEUE', 'MSG_OOB', 'MSG_CMSG_CLOEXEC']), weight: 1 });

const has = (flags, name) => flags.includes(name);

/** The Rec in slot s, or undefined. */
const recOf = (m, s) => m.socks.get(s);

/** A call on slot s that may wait is fine: it exists, and either does not wait or `ready` says it returns at once. */
function safe(m, step, ready) {
  const rec = recOf(m, step.s);
  if (rec === undefined) return false;
  if (!rec.waits || (step.flags !== undefined && has(step.flags, 'MSG_DONTWAIT'))) return true;
  return ready(rec, rec.ep);
}

/** How many bytes a recv-like step asks for. */
function wanted(step) {
  if (step.op === 'recv_into' || step.op === 'recvfrom_into') return step.nbytes || step.size;
  if (step.op === 'recvmsg_into') return total(step.sizes);
  // A batch's first receive is the one that may wait.
  if (step.op === 'recvmmsg') return step.bufsize;
  if (step.op === 'recvmmsg_into') return step.sizes[0];
  return step.n;
}

function recvReady(m, step) {
  return (rec, ep) => {
    // recv(0) and recv_into() of nothing return at once, with no call.
    if ((step.op === 'recv' || step.op === 'recv_into') && wanted(step) === 0) return true;
    if (has(step.flags, 'MSG_ERRQUEUE') || has(step.flags, 'MSG_OOB')) return false;
    // A stream receive of 0 bytes waits for data all the same.
    return has(step.flags, 'MSG_WAITALL') && ep.bytes ? (!ep.unknown && ep.inbox >= Math.max(wanted(step), 1)) || m.atEof(ep) : m.readable(ep, 1);
  };
}

function recvApply(m, step) {
  const rec = recOf(m, step.s);
  if ((step.op === 'recvmsg' || step.op === 'recvmsg_into') && step.anc > 0 && m.fdsInFlight) m.fdsUnsure = true;
  if (!has(step.flags, 'MSG_PEEK')) m.consumed(rec.ep, wanted(step));
}

/** The endpoint a connect to `to`'s address reaches: an accepted socket's address is its listener's. */
function reached(to) {
  return to.origin ?? to;
}

/** The endpoint a send from `rec` goes to: its peer, or for sendto a slot's. */
function destination(m, rec, step) {
  if (step.t === undefined || step.t === null || rec.ep.stream) return rec.ep.peer;
  return recOf(m, step.t)?.ep ?? null;
}

function sendReady(m, step, n) {
  return (rec, ep) => (step.t === undefined || step.t === null || recOf(m, step.t) !== undefined) && m.roomFor(ep, destination(m, rec, step), n);
}

function sendApply(m, step, n) {
  const rec = recOf(m, step.s);
  // A stream socket's sendto (and sendmsg to an address) fails on Unix sockets, and its address may not parse;
  // fds go only over Unix sockets, and only open ones.
  const addressed = step.t !== undefined && step.t !== null;
  const fds = step.fds ?? [];
  const badFds = fds.length > 0 && (rec.ep.family !== 'AF_UNIX' || fds.some((t) => !recOf(m, t).live || recOf(m, t).maybe));
  if (rec.live) m.sent(rec.ep, destination(m, rec, step), n, (addressed && rec.ep.stream) || badFds);
}

/**
 * A batch of sends (sendmmsg's messages) surely returns in blocking mode: each has its slot and room, the
 * messages before it counted against that room (on trial: the model's costs are put back after).
 */
function batchReady(m, step) {
  return (rec, ep) => {
    if (batchRefused(m, step)) return true;
    const tos = step.msgs.map((x) => (x.t === null || recOf(m, x.t) !== undefined ? destination(m, rec, x) : null));
    const costs = tos.map((to) => to?.cost);
    try {
      return step.msgs.every((x, i) => {
        if (!sendReady(m, x, x.n)(rec, ep)) return false;
        if (tos[i] !== null) m.charge(ep, tos[i], x.n);
        return true;
      });
    } finally {
      tos.forEach((to, i) => {
        if (to !== null) to.cost = costs[i];
      });
    }
  };
}

/** A batch's addresses are known: slots that exist, holding sockets whose family is sure. */
function batchAddressed(m, step) {
  const rec = recOf(m, step.s);
  const addressed = step.msgs.filter((x) => x.t !== null).map((x) => recOf(m, x.t));
  if (addressed.length === 0) return true;
  return !rec.maybe && addressed.every((to) => to !== undefined && !to.maybe);
}

/**
 * A batch names an address of another family than the sender's: every address is converted before anything
 * is sent (interp.py: `converted`), so the batch raises at once (TypeError, or gaierror for an IPv4 address
 * given to an IPv6 socket) and sends nothing, whether the sender is open or not.
 */
function batchRefused(m, step) {
  const family = recOf(m, step.s).ep.family;
  return step.msgs.some((x) => x.t !== null && recOf(m, x.t).ep.family !== family);
}

/**
 * sendmmsg's messages, in order: each surely arrives only while every one before it surely did (the batch
 * stops at the first that fails, and the model cannot tell which that is). Every address is taken before
 * the call: a message to the sender itself, unnamed then, goes to port 0 although the first send names it.
 */
function batchSendApply(m, step) {
  const rec = recOf(m, step.s);
  if (!rec.live || batchRefused(m, step)) return;
  const unnamed = step.msgs.map((x) => x.t !== null && !(destination(m, rec, x)?.named ?? true));
  let sure = true;
  for (const [i, x] of step.msgs.entries()) {
    const to = destination(m, rec, x);
    sure &&= to !== null && !unnamed[i] && m.delivers(rec.ep, to) && !(x.t !== null && rec.ep.stream);
    m.sent(rec.ep, to, x.n, !sure);
  }
}

/** The sizes of a batch's receives, each of which may take a message (none for a batch refused). */
function batchSizes(step) {
  if (step.op === 'recvmmsg_into') return step.sizes;
  return step.count > 0 && step.bufsize >= 0 ? Array.from({ length: step.count }, () => step.bufsize) : [];
}

/** A batch of receives returns at once: nothing to receive (or sizes refused), or its first receive does. */
function batchRecvReady(m, step) {
  return (rec, ep) => batchSizes(step).length === 0 || recvReady(m, step)(rec, ep);
}

/** A batch of receives consumes up to one message (or bufsize bytes) per size: the lower bound loses them all. */
function batchRecvApply(m, step) {
  if (has(step.flags, 'MSG_PEEK')) return;
  for (const n of batchSizes(step)) m.consumed(recOf(m, step.s).ep, n);
}

/** A connect of rec to target's address returns at once in blocking mode (or fails at once). */
function connectReturns(m, rec, target) {
  const ep = rec.ep;
  const to = reached(target.ep);
  if (ep.unknown || to.unknown) return false;
  if (!ep.stream || to.family !== ep.family || to.type !== ep.type || !m.alive(to) || !to.listening) return true;
  return !to.queueUnsure && to.queue.length < to.backlog;
}

function connectApply(m, step) {
  const rec = recOf(m, step.s);
  const ep = rec.ep;
  const to = reached(recOf(m, step.t).ep);
  if (!rec.live) return;
  // A connection the model cannot be sure of may still wait in the listener's queue.
  if (ep.stream && to.listening && !(m.alive(to) && !ep.unknown && !to.unknown && to.family === ep.family && to.type === ep.type && !ep.everConnected && !ep.listening && to.queue.length < to.backlog)) to.queueUnsure = true;
  const alike = !ep.unknown && !to.unknown && to.family === ep.family && to.type === ep.type && m.alive(to);
  if (!ep.stream) {
    if (alike && to.named) {
      ep.peer = to;
      if (ep.family !== 'AF_UNIX') ep.named = true;
    } else ep.unknown = true;
    return;
  }
  if (alike && to.listening && to.queue.length < to.backlog && !ep.everConnected && !ep.listening) {
    const server = new Endpoint(ep.family, ep.type);
    server.peer = ep;
    ep.peer = server;
    server.everConnected = ep.everConnected = true;
    server.queuedIn = to;
    to.queue.push(server);
    ep.named = true;
  } else ep.unknown = true;
}

/** An accept returns at once in blocking mode: a connection is queued, or it fails (not listening). */
function acceptReturns(rec, ep) {
  return !ep.unknown && (ep.queue.length > 0 || !ep.listening);
}

/** An accept on slot s puts the connection in slot into, as a Socket object that `made(ep)` gives. */
function acceptApply(m, step, made) {
  const rec = recOf(m, step.s);
  const ep = rec.ep;
  if (rec.live && !ep.unknown && ep.listening && ep.queueUnsure) {
    // Which connection comes out is not known: none of those queued may be counted on.
    for (const conn of ep.queue) conn.unknown = conn.leaked = true;
    m.maybePut(step.into, made(new Endpoint(ep.family, ep.type, false)));
  } else if (rec.live && !ep.unknown && ep.listening && ep.queue.length > 0) {
    const conn = ep.queue.shift();
    conn.queuedIn = null;
    conn.origin = ep;
    m.put(step.into, made(conn));
  } else if (ep.unknown || (ep.listening && rec.live)) {
    m.maybePut(step.into, made(new Endpoint(ep.family, ep.type, false)));
  }
}

/** The bytes a sendfile step sends when it can: from `offset` to the end of the file, or `count` of them. */
function sendfileBytes(step) {
  if (step.offset < 0 || step.count === 0) return 0;
  return Math.min(Math.max(0, step.n - step.offset), step.count ?? Infinity);
}

const sendArb = (op) => fc.record({ op: fc.constant(op), s: slot, n: size, seed, flags: sendFlags });
const recvArb = (op) => fc.record({ op: fc.constant(op), s: slot, n: recvSize, flags: recvFlags });
const ancSize = fc.constantFrom(0, 0, 16, 64, 256);
const intoArb = (op) => fc.record({ op: fc.constant(op), s: slot, size: recvSize, nbytes: fc.constantFrom(0, 0, 1, 8, 100), flags: recvFlags });

/** The specs of every op: its arbitrary, when it may run, what it does to the model. */
const OPS = [
  {
    weight: 4,
    makes: true,
    arb: fc.record({ op: fc.constant('socket'), s: slot, kind }).map(({ kind: [family, type], ...rest }) => ({ ...rest, family, type })),
    check: () => true,
    apply: (m, step) => m.put(step.s, m.fresh(new Endpoint(step.family, step.type))),
  },
  {
    weight: 3,
    makes: true,
    arb: fc.record({ op: fc.constant('socketpair'), s: slot, t: slot, kind: pairKind }).filter((x) => x.s !== x.t).map(({ kind: [family, type], ...rest }) => ({ ...rest, family, type })),
    check: () => true,
    apply: (m, step) => {
      if (step.family !== 'AF_UNIX') return;
      const a = new Endpoint(step.family, step.type);
      const b = new Endpoint(step.family, step.type);
      a.peer = b;
      b.peer = a;
      a.everConnected = b.everConnected = true;
      m.put(step.s, m.fresh(a));
      m.put(step.t, m.fresh(b));
    },
  },
  {
    weight: 4,
    arb: fc.record({
      op: fc.constant('bind'),
      s: slot,
      addr: fc.oneof(
        fc.record({ kind: fc.constantFrom('inet', 'inet6') }),
        fc.record({ kind: fc.constant('unix'), name: fc.constantFrom('a', 'b', 'c') }),
        fc.record({ kind: fc.constant('of'), t: slot }),
      ),
    }),
    check: (m, step) => recOf(m, step.s) !== undefined && (step.addr.kind !== 'of' || recOf(m, step.addr.t) !== undefined),
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      const ep = rec.ep;
      const family = { inet: 'AF_INET', inet6: 'AF_INET6', unix: 'AF_UNIX' }[step.addr.kind];
      const fresh = step.addr.kind !== 'unix' || !m.usedNames.has(step.addr.name);
      if (step.addr.kind === 'unix') m.usedNames.add(step.addr.name);
      if (family === ep.family && fresh && rec.live && !ep.named && !ep.unknown && !ep.everConnected && !ep.listening) ep.named = true;
      else if (step.addr.kind === 'of' || family === ep.family) ep.unknown = true;
    },
  },
  {
    weight: 3,
    arb: fc.record({ op: fc.constant('listen'), s: slot, backlog: fc.constantFrom(0, 1, 5) }),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      const ep = rec.ep;
      if (!rec.live || ep.unknown) return;
      if (!ep.stream) return;
      if (ep.everConnected || ep.listening) ep.unknown = true;
      // Linux fails listen() on a Unix socket with no address (EINVAL): nothing changes.
      else if (ep.family === 'AF_UNIX' && !ep.named) return;
      else {
        ep.listening = true;
        ep.named = true;
        ep.backlog = step.backlog;
      }
    },
  },
  {
    weight: 4,
    arb: fc.record({ op: fc.constantFrom('connect', 'connect_ex'), s: slot, t: slot, host }),
    check: (m, step) => {
      const rec = recOf(m, step.s);
      const target = recOf(m, step.t);
      if (rec === undefined || target === undefined || !named(step, rec, target)) return false;
      return !rec.waits || connectReturns(m, rec, target);
    },
    apply: connectApply,
  },
  {
    weight: 3,
    arb: fc.record({ op: fc.constant('accept'), s: slot, into: slot }),
    check: (m, step) => safe(m, step, acceptReturns),
    apply: (m, step) => acceptApply(m, step, (ep) => m.fresh(ep)),
  },
  ...['send', 'sendall'].map((op) => ({
    weight: 4,
    arb: sendArb(op),
    check: (m, step) => safe(m, step, sendReady(m, step, step.n)),
    apply: (m, step) => sendApply(m, step, step.n),
  })),
  {
    weight: 3,
    arb: fc.record({ op: fc.constant('sendto'), s: slot, n: size, seed, flags: sendFlags, t: slot, host }),
    check: (m, step) => sendtoNamed(m, step) && safe(m, step, sendReady(m, step, step.n)),
    apply: (m, step) => sendApply(m, step, step.n),
  },
  {
    weight: 3,
    arb: fc.record({
      op: fc.constant('sendmsg'),
      s: slot,
      sizes: fc.array(size, { maxLength: 3 }),
      seed,
      flags: sendFlags,
      t: fc.option(slot, { nil: null }),
      fds: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(slot, { minLength: 1, maxLength: 2 }), weight: 1 }),
    }),
    check: (m, step) => step.fds.every((t) => recOf(m, t) !== undefined) && safe(m, step, sendReady(m, step, total(step.sizes))),
    apply: (m, step) => {
      for (const t of step.fds) recOf(m, t).ep.leaked = true;
      if (step.fds.length > 0) m.fdsInFlight = true;
      sendApply(m, step, total(step.sizes));
    },
  },
  {
    // bsdsock's batched calls (beyond Python): a batch of sends to slots' addresses (null: the peer).
    weight: 3,
    arb: fc.record({
      op: fc.constant('sendmmsg'),
      s: slot,
      msgs: fc.array(fc.record({ n: size, seed, t: fc.option(slot, { nil: null }) }), { maxLength: 4 }),
      flags: sendFlags,
    }),
    check: (m, step) => recOf(m, step.s) !== undefined && batchAddressed(m, step) && safe(m, step, batchReady(m, step)),
    apply: batchSendApply,
  },
  {
    weight: 3,
    arb: fc.record({
      op: fc.constant('recvmmsg'),
      s: slot,
      count: fc.constantFrom(0, 1, 2, 2, 4, 4, -1),
      bufsize: fc.oneof({ arbitrary: recvSize, weight: 9 }, { arbitrary: fc.constant(-1), weight: 1 }),
      flags: recvFlags,
    }),
    check: (m, step) => safe(m, step, batchRecvReady(m, step)),
    apply: batchRecvApply,
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('recvmmsg_into'), s: slot, sizes: fc.array(fc.constantFrom(0, 1, 7, 64, 4096), { maxLength: 4 }), flags: recvFlags }),
    check: (m, step) => safe(m, step, batchRecvReady(m, step)),
    apply: batchRecvApply,
  },
  ...['recv', 'recvfrom'].map((op) => ({ weight: 4, arb: recvArb(op), check: (m, step) => safe(m, step, recvReady(m, step)), apply: recvApply })),
  ...['recv_into', 'recvfrom_into'].map((op) => ({ weight: 2, arb: intoArb(op), check: (m, step) => safe(m, step, recvReady(m, step)), apply: recvApply })),
  {
    weight: 3,
    arb: fc.record({ op: fc.constant('recvmsg'), s: slot, n: recvSize, anc: ancSize, flags: recvFlags }),
    check: (m, step) => safe(m, step, recvReady(m, step)),
    apply: recvApply,
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('recvmsg_into'), s: slot, sizes: fc.array(fc.constantFrom(0, 1, 7, 64, 4096), { maxLength: 3 }), anc: ancSize, flags: recvFlags }),
    check: (m, step) => safe(m, step, recvReady(m, step)),
    apply: recvApply,
  },
  {
    weight: 4,
    arb: fc.oneof(
      fc.record({ op: fc.constant('setblocking'), s: slot, flag: fc.boolean() }),
      fc.record({ op: fc.constant('settimeout'), s: slot, t: fc.constantFrom(null, 0, 0.05) }),
    ),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      const value = step.op === 'setblocking' ? (step.flag ? null : 0) : step.t;
      rec.mode = modeOf(value);
      if (rec.live) rec.ep.nonblockFlag = value !== null;
    },
  },
  {
    weight: 1,
    arb: fc.oneof(
      fc.record({ op: fc.constant('setdefaulttimeout'), t: fc.constantFrom(null, 0, 0.05) }),
      fc.record({ op: fc.constant('getdefaulttimeout') }),
    ),
    check: () => true,
    apply: (m, step) => {
      if (step.op === 'setdefaulttimeout') m.defaultTimeout = step.t;
    },
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constantFrom('gettimeout', 'getblocking', 'fileno', 'getsockname', 'getpeername'), s: slot }),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: () => {},
  },
  {
    weight: 3,
    arb: fc.oneof(
      fc.record({
        op: fc.constant('setsockopt'),
        s: slot,
        opt: fc.constantFrom(
          ['SOL_SOCKET', 'SO_REUSEADDR', 1],
          ['SOL_SOCKET', 'SO_KEEPALIVE', 1],
          ['SOL_SOCKET', 'SO_RCVBUF', 65536],
          ['SOL_SOCKET', 'SO_SNDBUF', 131072],
          ['SOL_SOCKET', 'SO_BROADCAST', 1],
          ['SOL_SOCKET', 'SO_LINGER', { hex: '0000000000000000' }],
          ['SOL_SOCKET', 'SO_LINGER', { hex: '01000000' }],
          ['SOL_SOCKET', 'SO_PASSCRED', 1],
          ['IPPROTO_TCP', 'TCP_NODELAY', 1],
          ['IPPROTO_IPV6', 'IPV6_V6ONLY', 1],
          ['IPPROTO_IP', 'IP_TTL', 7],
        ),
      }).map(({ opt: [level, name, value], ...rest }) => ({ ...rest, level, name, value })),
      fc.record({
        op: fc.constant('getsockopt'),
        s: slot,
        opt: fc.constantFrom(
          ['SOL_SOCKET', 'SO_TYPE', 0],
          ['SOL_SOCKET', 'SO_ERROR', 0],
          ['SOL_SOCKET', 'SO_REUSEADDR', 0],
          ['SOL_SOCKET', 'SO_ACCEPTCONN', 0],
          ['SOL_SOCKET', 'SO_LINGER', 8],
          ['SOL_SOCKET', 'SO_RCVBUF', 0],
          ['SOL_SOCKET', 'SO_DOMAIN', 0],
          ['IPPROTO_TCP', 'TCP_NODELAY', 0],
          ['IPPROTO_IPV6', 'IPV6_V6ONLY', 0],
          ['SOL_SOCKET', 'SO_TYPE', 4],
          ['SOL_SOCKET', 'SO_TYPE', 1025],
        ),
      }).map(({ opt: [level, name, buflen], ...rest }) => ({ ...rest, level, name, buflen })),
    ),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: () => {},
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('dup'), s: slot, into: slot }),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      if (!rec.live) return;
      // A slot that may hold another socket, or a closed one, may give a dup of that, or fail (EBADF).
      if (rec.maybe) m.maybePut(step.into, new Rec(rec.ep, rec.mode));
      else m.put(step.into, new Rec(rec.ep, rec.mode));
      // CPython's dup() calls settimeout(self.gettimeout()) on the copy: O_NONBLOCK follows the original's mode.
      rec.ep.nonblockFlag = rec.mode !== 'block';
    },
  },
  {
    weight: 0, // written by the fromfd macro, with the fd's family and type
    arb: fc.record({ op: fc.constant('fromfd'), s: slot, into: slot, kind }).map(({ kind: [family, type], ...rest }) => ({ ...rest, family, type })),
    // Only the fd's own family and type: with another, CPython sizes addresses by the family given and decodes
    // them by the real one, reading past what the kernel wrote (getsockname of an AF_INET6 fd made AF_INET).
    check: (m, step) => {
      const rec = recOf(m, step.s);
      return rec !== undefined && !rec.ep.unknown && rec.ep.family === step.family && rec.ep.type === step.type;
    },
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      if (rec.live && rec.maybe) m.maybePut(step.into, m.fresh(rec.ep));
      else if (rec.live) m.put(step.into, m.fresh(rec.ep));
    },
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('detach'), s: slot }),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      if ((rec.closed && rec.files > 0) || rec.ep.unknown) {
        // The fd may be in the table: the endpoint may live on there.
        m.fdsUnsure = true;
        rec.ep.leaked = true;
      } else if (rec.live) m.fds.push(rec.ep);
      rec.closed = true;
      rec.detached = true;
    },
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('adopt'), f: fdSlot, into: slot }),
    check: (m, step) => m.fdsUnsure || (m.fds[step.f] ?? null) !== null,
    apply: (m, step) => {
      const ep = m.fds[step.f];
      if (!m.fdsUnsure && ep && !ep.unknown) {
        m.fds[step.f] = null;
        m.put(step.into, m.fresh(ep));
      } else m.maybePut(step.into, m.fresh(new Endpoint('AF_UNIX', 'SOCK_STREAM', false)));
    },
  },
  {
    weight: 3,
    arb: fc.record({ op: fc.constant('closefd'), f: fdSlot }),
    check: (m, step) => m.fdsUnsure || (m.fds[step.f] ?? null) !== null,
    apply: (m, step) => {
      // Where the table may hold fds the model did not see, slot f may be another endpoint's
      // fd than the model's: every endpoint is taken to stay open (as adopt takes none).
      if (!m.fdsUnsure && m.fds[step.f]) m.fds[step.f] = null;
    },
  },
  {
    weight: 3,
    arb: fc.record({ op: fc.constant('close'), s: slot }),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: (m, step) => {
      recOf(m, step.s).closed = true;
    },
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('shutdown'), s: slot, how: fc.constantFrom('SHUT_RD', 'SHUT_WR', 'SHUT_RDWR') }),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      const ep = rec.ep;
      if (!rec.live) return;
      if (!ep.stream && step.how !== 'SHUT_WR') ep.readyButEmpty = true;
      if (ep.unknown) return;
      if (!ep.stream || ep.listening) ep.unknown = true;
      else if (ep.everConnected) {
        if (step.how !== 'SHUT_WR') ep.rdShut = true;
        if (step.how !== 'SHUT_RD') ep.wrShut = true;
      } else if (step.how !== 'SHUT_WR') ep.rdShutUnconnected = true;
    },
  },
  {
    weight: 3,
    arb: fc.record({ op: fc.constant('makefile'), s: slot, m: fileSlot, mode: fc.constantFrom('rb', 'wb', 'rwb', 'r', 'w', 'rw'), buffering: fc.constantFrom(null, 0, 16) }).filter((x) => x.buffering !== 0 || x.mode.endsWith('b')),
    check: (m, step) => recOf(m, step.s) !== undefined,
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      // A file on a socket already closed keeps nothing open. The new file is made before the old one is closed.
      const holds = rec.live;
      if (holds) rec.files += 1;
      closeFile(m, step.m);
      m.files.set(step.m, { rec, mode: step.mode, buffering: step.buffering, open: true, holds });
    },
  },
  {
    weight: 5,
    arb: fc.oneof(fc.record({ op: fc.constant('fread'), m: fileSlot, n: fc.constantFrom(-1, 0, 1, 5, 16, 100) }), fc.record({ op: fc.constant('freadline'), m: fileSlot })),
    check: (m, step) => fileSafe(m, step, (f) => !f.mode.includes('r') || (step.op === 'fread' && step.n >= 0 && f.rec.ep.inbox >= step.n && !f.rec.ep.unknown) || m.atEof(f.rec.ep)),
    apply: (m, step) => {
      const f = m.files.get(step.m);
      if (f.open && f.mode.includes('r')) f.rec.ep.inbox = 0;
    },
  },
  {
    weight: 3,
    arb: fc.oneof(fc.record({ op: fc.constant('fwrite'), m: fileSlot, n: size, seed }), fc.record({ op: fc.constantFrom('fflush', 'fclose'), m: fileSlot })),
    check: (m, step) => fileSafe(m, step, (f) => !f.mode.includes('w') || m.roomFor(f.rec.ep, f.rec.ep.stream ? f.rec.ep.peer : null, step.n ?? 0)),
    apply: (m, step) => {
      const f = m.files.get(step.m);
      const ep = f.rec.ep;
      if (step.op === 'fwrite' && f.open && f.mode.includes('w') && ep.stream && ep.peer !== null) ep.peer.cost += (step.n ?? 0) + 1024;
      if (step.op === 'fclose') closeFile(m, step.m);
    },
  },
  {
    weight: 3,
    arb: fc.oneof(
      fc.record({ op: fc.constant('select'), r: fc.uniqueArray(slot, { maxLength: 3 }), w: fc.uniqueArray(slot, { maxLength: 3 }) }),
      fc.record({ op: fc.constant('poll'), regs: fc.array(fc.tuple(slot, fc.constantFrom(1, 4, 5, 0x2000 | 1)), { maxLength: 3 }) }),
      fc.record({ op: fc.constant('selector'), regs: fc.uniqueArray(fc.tuple(slot, fc.constantFrom(1, 2, 3)), { maxLength: 3, selector: (x) => x[0] }) }),
    ),
    check: (m, step) => (step.op === 'select' ? [...step.r, ...step.w] : step.regs.map((x) => x[0])).every((t) => recOf(m, t) !== undefined),
    apply: () => {},
  },
  {
    // sendfile of a file of n bytes from `offset`, `count` of them (null: to the end). It sends only
    // on a stream socket in a mode that waits (Python refuses a non-blocking one), and only a
    // valid offset and count.
    weight: 2,
    arb: fc.record({
      op: fc.constant('sendfile'),
      s: slot,
      n: size,
      seed,
      offset: fc.constantFrom(0, 0, 1, 10, 5000, -1),
      count: fc.constantFrom(null, null, 1, 7, 100000, 0),
    }),
    check: (m, step) => safe(m, step, sendReady(m, step, sendfileBytes(step))),
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      if (rec.live && rec.ep.stream && (rec.mode !== 'nonblock' || rec.maybe) && sendfileBytes(step) > 0) {
        m.sent(rec.ep, rec.ep.peer, sendfileBytes(step), rec.maybe);
      }
    },
  },
  {
    // One epoll object per program, kept between steps: what it holds (EPOLLET, EPOLLONESHOT
    // included) and what poll(0) reports, as the same syscalls give both interpreters.
    weight: 3,
    arb: fc.oneof(
      fc.record({ op: fc.constantFrom('epoll_new', 'epoll_close') }),
      fc.record({
        op: fc.constant('epoll_ctl'),
        how: fc.constantFrom('register', 'modify', 'unregister'),
        s: slot,
        mask: fc.constantFrom(1, 4, 5, 0x2000 | 1, 0x80000000 | 1, 0x40000000 | 5),
      }),
      fc.record({ op: fc.constant('epoll_poll'), maxevents: fc.constantFrom(-1, 0, 1, 8) }),
    ),
    check: (m, step) => step.op !== 'epoll_ctl' || recOf(m, step.s) !== undefined,
    apply: () => {},
  },
  {
    weight: 3,
    arb: fc.oneof(
      fc.record({ op: fc.constantFrom('sig_install', 'sig_raise', 'sig_count') }),
      fc.record({ op: fc.constant('sig_later'), ms: fc.constantFrom(0, 5, 20) }),
    ),
    // One signal from a child at a time: two that arrive together may reach the handler once, in CPython too.
    check: (m, step) => step.op === 'sig_install' || step.op === 'sig_count' || (m.signalHandler && !m.signalInFlight),
    apply: (m, step) => {
      if (step.op === 'sig_install') m.signalHandler = true;
      if (step.op === 'sig_later') m.signalInFlight = true;
      if (step.op === 'sig_count') m.signalInFlight = false;
    },
  },
];

/**
 * An asyncio step on slot s may run: it fails at once (a socket not in non-blocking mode: asyncio's
 * ValueError; a closed one: EBADF), or `ready` says it ends at once. asyncio waits on the loop where the
 * call would block, for ever if nothing comes, so nothing else may run. A slot that may hold another
 * socket gets none, nor one whose O_NONBLOCK a socket sharing it cleared (CPython's call would block
 * inside the loop, bsdsock's would wait on it).
 */
function aioSafe(m, step, ready) {
  const rec = recOf(m, step.s);
  if (rec === undefined || rec.maybe) return false;
  if (!aioReaches(rec)) return true;
  return rec.ep.nonblockFlag && ready(rec, rec.ep);
}

/** An asyncio step gets past the mode check to the socket's fd. */
function aioReaches(rec) {
  return rec.mode === 'nonblock' && rec.live;
}

/** The bytes an asyncio receive asks for (-1: a size it refuses). */
function aioWanted(step) {
  if (step.op === 'aio_recv_into') return Math.min(step.nbytes || step.size, step.size);
  if (step.op === 'aio_recvfrom_into') return step.nbytes > step.size ? -1 : step.nbytes || step.size;
  return step.n;
}

/** A receive that makes no call: a size refused, or (recv, recv_into) nothing to read. */
function aioNoCall(step) {
  const n = aioWanted(step);
  return n < 0 || (n === 0 && (step.op === 'aio_recv' || step.op === 'aio_recv_into'));
}

const aioSize = fc.oneof({ arbitrary: recvSize, weight: 9 }, { arbitrary: fc.constant(-1), weight: 1 });

/** asyncio's socket operations (loop.sock_*): each only where it ends at once. */
const AIO_OPS = [
  ...[
    fc.record({ op: fc.constantFrom('aio_recv', 'aio_recvfrom'), s: slot, n: aioSize }),
    fc.record({ op: fc.constant('aio_recv_into'), s: slot, size: recvSize, nbytes: fc.constantFrom(0, 0, 1, 8, 100) }),
    fc.record({ op: fc.constant('aio_recvfrom_into'), s: slot, size: recvSize, nbytes: fc.constantFrom(0, 0, 1, 8, 100, -1) }),
  ].map((arb) => ({
    weight: 2,
    arb,
    check: (m, step) => aioSafe(m, step, (rec, ep) => aioNoCall(step) || m.readable(ep, 1)),
    apply: (m, step) => {
      if (aioReaches(recOf(m, step.s)) && !aioNoCall(step)) m.consumed(recOf(m, step.s).ep, aioWanted(step));
    },
  })),
  {
    weight: 2,
    arb: fc.oneof(
      fc.record({ op: fc.constant('aio_sendall'), s: slot, n: size, seed }),
      fc.record({ op: fc.constant('aio_sendto'), s: slot, n: size, seed, t: slot, host }),
    ),
    check: (m, step) => (step.t === undefined || sendtoNamed(m, step)) && aioSafe(m, step, sendReady(m, step, step.n)),
    apply: (m, step) => {
      if (aioReaches(recOf(m, step.s))) sendApply(m, step, step.n);
    },
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('aio_accept'), s: slot, into: slot }),
    check: (m, step) => aioSafe(m, step, acceptReturns),
    apply: (m, step) => {
      // asyncio makes the new socket non-blocking.
      const made = (ep) => {
        ep.nonblockFlag = true;
        return new Rec(ep, 'nonblock');
      };
      if (aioReaches(recOf(m, step.s))) acceptApply(m, step, made);
    },
  },
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('aio_connect'), s: slot, t: slot, host }),
    check: (m, step) => {
      const rec = recOf(m, step.s);
      const target = recOf(m, step.t);
      if (rec === undefined || target === undefined || !named(step, rec, target)) return false;
      if (rec.ep.family !== 'AF_UNIX' && target.maybe) return false;
      return aioSafe(m, step, () => resolvedApart(rec, target) || connectReturns(m, rec, target));
    },
    apply: (m, step) => {
      if (aioReaches(recOf(m, step.s)) && !resolvedApart(recOf(m, step.s), recOf(m, step.t))) connectApply(m, step);
    },
  },
];

/** A sendto's target exists and may be named as the step names it. */
function sendtoNamed(m, step) {
  const rec = recOf(m, step.s);
  const target = recOf(m, step.t);
  return target !== undefined && (rec === undefined ? step.host === null : named(step, rec, target));
}

/**
 * asyncio resolves an IP socket's address before it connects (`_ensure_resolved`): another family's
 * fails there at once (gaierror for an IP or a path, ValueError or TypeError for an unnamed or abstract
 * Unix address), and the socket is left as it was.
 */
function resolvedApart(rec, target) {
  return rec.ep.family !== 'AF_UNIX' && target.ep.family !== rec.ep.family;
}

/** A stream whose transport is still open (not closed by st_close). */
function liveStream(st) {
  return !st.closed && st.rec.live;
}

/**
 * A read of stream st ends at once: the stream is closed (its reader has the end of the stream, or an
 * error), or what the read waits for is there: `need` bytes (null: only the end will do), or the end of
 * the stream. A socket that never connected ends it at once too: poll says it hung up, and the transport's
 * first read fails (ENOTCONN), or reads the end where it was shut down for reading; a listener's never comes.
 */
function streamReady(m, st, need) {
  if (!liveStream(st)) return true;
  const ep = st.rec.ep;
  if (ep.unknown) return false;
  if (!ep.everConnected) return !ep.listening;
  return (need !== null && ep.inbox >= need) || m.atEof(ep);
}

/** What a stream read waits for: bytes (0: nothing), or null for the end of the stream. */
function streamNeed(st, step) {
  switch (step.op) {
    case 'st_read':
      return step.n < 0 ? null : Math.min(step.n, 1);
    case 'st_readexactly':
      return Math.max(step.n, 0);
    case 'st_readline':
      // readuntil gives up (LimitOverrunError) once more than the limit is buffered without the separator.
      return st.limit + 1;
    default:
      return step.sep.length === 0 ? 0 : st.limit + step.sep.length;
  }
}

/** What a stream read surely leaves of the bytes to read: read(n) and readexactly(n) take n at most, the rest all. */
function streamConsumed(m, st, step) {
  const ep = st.rec.ep;
  if ((step.op === 'st_read' && step.n >= 0) || step.op === 'st_readexactly') m.consumed(ep, Math.max(step.n, 0));
  else ep.inbox = 0;
}

/** Writes bigger than any connection's buffers surely take (UNIX_STREAM_ROOM): the rest waits in the transport. */
const bulk = fc.constantFrom(100_000, 200_000, 300_000);

/**
 * A write to stream st may leave bytes in its transport: its peer is a known socket that is there to read
 * them (or not, if it never does: then the bytes stay, and drain() and close() are not generated). Only over a
 * Unix connection, where a send has queued its bytes at the peer when it returns: over TCP they reach the peer a
 * moment later, in segments, and how much a reader's read finds first (and so whether it pauses there) is the
 * moment's (fuzz:diff once found CPython's slower reader paused, bsdsock's not).
 */
function mayHold(m, st) {
  const ep = st.rec.ep;
  const peer = ep.peer;
  return ep.family === 'AF_UNIX' && !ep.unknown && ep.everConnected && !ep.wrShut && peer !== null && !peer.unknown && !peer.rdShut && m.alive(peer);
}

/**
 * What stream st's transport holds surely goes to the peer: an open stream reads the peer's socket, and takes
 * all that was ever sent to it before it pauses (its reader holding more than twice its limit), beyond what the
 * connection holds.
 */
function heldGoes(m, st) {
  const peer = st.rec.ep.peer;
  if (peer === null || peer.unknown) return false;
  const reader = [...m.streams.values()].find((other) => liveStream(other) && other.rec.ep === peer);
  return reader !== undefined && peer.cost <= UNIX_STREAM_ROOM + 2 * reader.limit;
}

/** Whether st_open makes a stream of slot s's socket (else it fails at once: its limit, type, or a closed socket). */
function streamOpens(rec, step) {
  return step.limit > 0 && rec.live && rec.ep.type === 'SOCK_STREAM';
}

const streamLimit = fc.constantFrom(1, 5, 16, 100, 65536, 0);
const streamRead = fc.oneof(
  fc.record({ op: fc.constant('st_read'), w: streamSlot, n: fc.constantFrom(-1, 0, 1, 5, 16, 100, 4096) }),
  fc.record({ op: fc.constant('st_readexactly'), w: streamSlot, n: fc.constantFrom(-1, 0, 1, 5, 16, 100) }),
  fc.record({ op: fc.constant('st_readline'), w: streamSlot }),
  fc.record({ op: fc.constant('st_readuntil'), w: streamSlot, sep: fc.constantFrom('\n', '\n', 'a', 'ab', 'xyz', '') }),
);

/** asyncio's streams over a slot's socket (open_connection(sock=...)): reads only where they end at once. */
const STREAM_OPS = [
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('st_open'), s: slot, w: streamSlot, limit: streamLimit }),
    check: (m, step) => {
      const rec = recOf(m, step.s);
      const old = m.streams.get(step.w);
      // An open stream is not dropped (CPython's garbage collector would close its socket some time later),
      // nor is a socket another transport reads given a second one: the new transport takes the reads over
      // from the old, whose buffer keeps what it read by then, which the model cannot tell (the same fd's
      // case is a test of its own in test/streams.test.ts; a dup's transports would race for the bytes).
      if (rec === undefined || rec.maybe || (old !== undefined && liveStream(old))) return false;
      return !streamOpens(rec, step) || !rec.ep.streamed;
    },
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      if (!streamOpens(rec, step)) return;
      // The transport makes the socket non-blocking.
      rec.stream = true;
      rec.mode = 'nonblock';
      rec.ep.streamed = true;
      rec.ep.nonblockFlag = true;
      // A socket that never connected (nor listens) hangs up at once: the transport's first read fails
      // (ENOTCONN) and closes it, before the next step, in both. Unless it was shut down for reading: the
      // read then gives the end of the stream, and the transport stays open (the reader keeps it).
      const ep = rec.ep;
      const lost = !ep.unknown && !ep.everConnected && !ep.listening && !ep.rdShutUnconnected;
      m.streams.set(step.w, { rec, limit: step.limit, closed: lost, eof: false, held: false });
      if (lost) rec.closed = true;
    },
  },
  {
    weight: 5,
    arb: streamRead,
    check: (m, step) => {
      const st = m.streams.get(step.w);
      return st !== undefined && streamReady(m, st, streamNeed(st, step));
    },
    apply: (m, step) => {
      const st = m.streams.get(step.w);
      if (liveStream(st)) streamConsumed(m, st, step);
    },
  },
  {
    weight: 3,
    arb: fc.oneof(
      fc.record({ op: fc.constant('st_write'), w: streamSlot, n: fc.oneof({ arbitrary: size, weight: 6 }, { arbitrary: bulk, weight: 1 }), seed }),
      fc.record({ op: fc.constant('st_writelines'), w: streamSlot, sizes: fc.array(size, { maxLength: 3 }), seed }),
    ),
    // A write never blocks: what the peer's buffers do not take waits in the transport, and is sent as the peer
    // reads. Writes go where the model knows what fits, or to a peer it knows is there to read the rest.
    check: (m, step) => {
      const st = m.streams.get(step.w);
      if (st === undefined || !liveStream(st) || st.eof) return st !== undefined;
      return m.roomFor(st.rec.ep, st.rec.ep.peer, step.n ?? total(step.sizes)) || mayHold(m, st);
    },
    apply: (m, step) => {
      const st = m.streams.get(step.w);
      // After write_eof, a write raises RuntimeError; after close, the transport drops it.
      if (!liveStream(st) || st.eof) return;
      const [ep, n] = [st.rec.ep, step.n ?? total(step.sizes)];
      if (m.roomFor(ep, ep.peer, n)) return m.sent(ep, ep.peer, n);
      m.held(ep, ep.peer, n);
      st.held = true;
    },
  },
  {
    weight: 3,
    arb: fc.oneof(
      fc.record({ op: fc.constantFrom('st_at_eof', 'st_drain', 'st_write_eof', 'st_can_write_eof', 'st_close', 'st_is_closing'), w: streamSlot }),
      fc.record({ op: fc.constant('st_get_extra_info'), w: streamSlot, name: fc.constantFrom('peername', 'sockname', 'socket', 'nonesuch') }),
    ),
    // drain() waits for what the transport holds to go, and close() (wait_closed()) for all of it: only where it goes.
    check: (m, step) => {
      const st = m.streams.get(step.w);
      if (st === undefined) return false;
      return !(step.op === 'st_drain' || step.op === 'st_close') || !liveStream(st) || !st.held || heldGoes(m, st);
    },
    apply: (m, step) => {
      const st = m.streams.get(step.w);
      const ep = st.rec.ep;
      if (step.op === 'st_write_eof' && liveStream(st) && !st.eof) {
        st.eof = true;
        // With bytes held, the shutdown waits for them to go: the peer may not see the end yet.
        if (ep.everConnected && !ep.unknown && !st.held) ep.wrShut = true;
      }
      if (step.op === 'st_close') {
        // The transport closes the socket (its slot still holds it, closed).
        st.closed = true;
        st.rec.closed = true;
      }
    },
  },
];

/** A datagram transport that is open: the protocol still gets what its socket receives. */
function liveDgram(dg) {
  return !dg.closed && dg.rec.live;
}

/**
 * asyncio's datagram transports over a slot's socket (create_datagram_endpoint(sock=...)), with a protocol that
 * records what it is told; dg_events gives what it recorded since the last. The transport reads whenever the
 * loop runs, and the loop runs after every step until no transport that reads has datagrams waiting: so both
 * sides have delivered the same datagrams at each step. Its socket is then left alone as a stream's is.
 */
const DGRAM_OPS = [
  {
    weight: 2,
    arb: fc.record({ op: fc.constant('dg_open'), s: slot, d: dgramSlot }),
    check: (m, step) => {
      const rec = recOf(m, step.s);
      const old = m.dgrams.get(step.d);
      // One transport to a slot, and to a socket: two would race for its datagrams. And a socket the model
      // knows: whether it has a peer decides what a sendto without an address does.
      return rec !== undefined && !rec.maybe && !rec.ep.unknown && (old === undefined || !liveDgram(old)) && !(rec.live && rec.ep.streamed);
    },
    apply: (m, step) => {
      const rec = recOf(m, step.s);
      if (!rec.live || rec.ep.type !== 'SOCK_DGRAM') return;
      // The transport makes the socket non-blocking, and reads all it receives from then on.
      rec.stream = true;
      rec.mode = 'nonblock';
      rec.ep.streamed = true;
      rec.ep.nonblockFlag = true;
      rec.ep.inbox = 0;
      // asyncio's transport sends with send() where the socket has a peer's address now (getpeername() is
      // truthy: not an unnamed Unix peer's ''), else with sendto(data, addr).
      const ep = rec.ep;
      m.dgrams.set(step.d, { rec, closed: false, peered: ep.peer !== null && (ep.family !== 'AF_UNIX' || ep.peer.named), holds: false });
    },
  },
  {
    weight: 1,
    // A transport of its own socket, connected to slot t's address: remote_addr, as asyncio's address (sendto
    // to another is a ValueError). asyncio 3.11 takes a 2-tuple only: an IPv6 or Unix address is its TypeError.
    arb: fc.record({ op: fc.constant('dg_endpoint'), d: dgramSlot, t: slot, host: fc.constant(null) }),
    check: (m, step) => {
      const old = m.dgrams.get(step.d);
      return recOf(m, step.t) !== undefined && (old === undefined || !liveDgram(old));
    },
    apply: (m, step) => {
      const target = recOf(m, step.t).ep;
      if (target.unknown || target.family !== 'AF_INET' || !target.named) return;
      const ep = new Endpoint('AF_INET', 'SOCK_DGRAM');
      ep.named = true;
      ep.everConnected = true;
      ep.peer = target;
      ep.streamed = true;
      const rec = new Rec(ep, 'nonblock');
      rec.stream = true;
      m.recs.push(rec);
      m.dgrams.set(step.d, { rec, closed: false, peered: true, holds: false, remote: true });
    },
  },
  {
    weight: 4,
    // Not empty: asyncio 3.11 drops an empty datagram, bsdsock sends it, as 3.13 does (a deliberate difference).
    arb: fc.record({ op: fc.constant('dg_sendto'), d: dgramSlot, n: size.filter((n) => n > 0), seed, t: fc.option(slot, { nil: null }), host: fc.constant(null) }),
    check: (m, step) => {
      const dg = m.dgrams.get(step.d);
      if (dg === undefined) return false;
      // Not after the transport closed: there asyncio 3.11 still tries the sendto (its EBADF an error_received, or
      // its TypeError an AttributeError from the closed transport's fatal-error path), where bsdsock drops the
      // datagram (a deliberate difference), as asyncio drops a stream transport's writes, and a datagram transport's
      // with a remote_addr (its _conn_lost and _address): that one is written (a UDP transport keeps none).
      if (!liveDgram(dg)) return dg.remote === true && !dg.holds && (step.t === null || recOf(m, step.t) !== undefined);
      // Without an address or a peer: sendto's TypeError ends the transport, at once; but behind kept datagrams it
      // waits its turn, and the model cannot tell when (or whether) it comes.
      if (step.t === null) return dg.peered || !dg.holds;
      // Addresses only of the socket's family: another's is a TypeError, which ends the transport, or a gaierror,
      // which does not (an IPv4 address from an IPv6 socket); sendto covers those.
      return recOf(m, step.t)?.ep.family === dg.rec.ep.family;
    },
    apply: (m, step) => {
      const dg = m.dgrams.get(step.d);
      if (!liveDgram(dg)) return;
      const ep = dg.rec.ep;
      if (step.t === null && !dg.peered) {
        // sendto(data, None): TypeError, asyncio's fatal write error, which closes the transport and its socket.
        dg.closed = true;
        dg.rec.closed = true;
        return;
      }
      const to = step.t === null ? ep.peer : recOf(m, step.t).ep;
      // To another address than its remote_addr: ValueError, nothing sent.
      if (to === null || (dg.remote && to !== ep.peer)) return;
      // A UDP datagram goes at once. A Unix one that finds no room waits in the transport, and those sent after it
      // wait behind it: it may arrive later, or never.
      if (ep.family === 'AF_UNIX' && !m.delivers(ep, to)) dg.holds = true;
      m.sent(ep, to, step.n, ep.family === 'AF_UNIX');
    },
  },
  {
    weight: 4,
    arb: fc.oneof(
      fc.record({ op: fc.constantFrom('dg_events', 'dg_pause', 'dg_resume', 'dg_is_reading', 'dg_is_closing', 'dg_close', 'dg_abort'), d: dgramSlot }),
      fc.record({ op: fc.constant('dg_get_extra_info'), d: dgramSlot, name: fc.constantFrom('sockname', 'peername', 'socket', 'nonesuch') }),
    ),
    check: (m, step) => m.dgrams.has(step.d),
    apply: (m, step) => {
      const dg = m.dgrams.get(step.d);
      if ((step.op === 'dg_close' || step.op === 'dg_abort') && liveDgram(dg)) {
        // The transport closes the socket (its slot still holds it, closed): abort() at once, close() once what
        // it keeps is sent, which may be never: the model then leaves the socket to it for good.
        dg.closed = true;
        if (step.op === 'dg_abort' || !dg.holds) dg.rec.closed = true;
      }
    },
  },
];

/** Steps that would replace a slot's socket: the slots they put a socket in. */
const PUTS = { socket: ['s'], socketpair: ['s', 't'], accept: ['into'], aio_accept: ['into'], dup: ['into'], fromfd: ['into'], adopt: ['into'] };
/** What else may be done to the socket a stream's transport holds: nothing that closes, replaces or reads it. */
const ON_STREAM_SOCKET = new Set([
  'getsockname', 'getpeername', 'fileno', 'gettimeout', 'getblocking', 'getsockopt', 'setsockopt', 'shutdown',
  'send', 'sendall', 'sendto', 'sendmsg', 'sendmmsg', 'sendfile', 'dup', 'fromfd', 'epoll_ctl',
]);
/** What no socket sharing a transport's file description may do: receive from it, or change its O_NONBLOCK. */
const TAKES_FROM_STREAM = new Set([
  'recv', 'recvfrom', 'recv_into', 'recvfrom_into', 'recvmsg', 'recvmsg_into', 'recvmmsg', 'recvmmsg_into', 'accept',
  'setblocking', 'settimeout', 'makefile',
]);

/**
 * A step leaves the streams' transports alone: the socket each holds stays open in its slot (CPython's
 * selector would keep its fd registered, and a new socket taking that fd number would be refused
 * asyncio's calls), and nothing else receives from what a transport reads.
 */
function streamAllows(m, step) {
  if (step.op.startsWith('st_') || step.op.startsWith('dg_')) return true;
  const held = (t) => {
    const rec = t === undefined || t === null ? undefined : recOf(m, t);
    return rec !== undefined && rec.stream && rec.live;
  };
  if ((PUTS[step.op] ?? []).some((key) => held(step[key]))) return false;
  if (held(step.s) && !ON_STREAM_SOCKET.has(step.op)) return false;
  const rec = step.s === undefined ? undefined : recOf(m, step.s);
  if (rec?.ep.streamed && rec.live && (TAKES_FROM_STREAM.has(step.op) || step.op.startsWith('aio_'))) return false;
  const file = step.m === undefined ? undefined : m.files.get(step.m);
  return !(file?.open && file.rec.ep.streamed && (step.op === 'fread' || step.op === 'freadline'));
}

/** The draws of a datagram socket that a macro binds: its slot, kind of address and (Unix) name. */
const boundDatagramArb = { s: slot, kind: fc.constantFrom('inet', 'inet6', 'unix'), name: fc.constantFrom('a', 'b', 'c') };

/** A datagram socket in slot s, bound to an address of `kind` (127.0.0.1, ::1, or the Unix `name`). */
function boundDatagram(s, kind, name) {
  return [
    { op: 'socket', s, family: { inet: 'AF_INET', inet6: 'AF_INET6', unix: 'AF_UNIX' }[kind], type: 'SOCK_DGRAM' },
    { op: 'bind', s, addr: kind === 'unix' ? { kind, name } : { kind } },
  ];
}

/** Steps that come together more often than chance would put them: a listening server, a connected client. */
const MACROS = [
  {
    weight: 2,
    makes: true,
    arb: fc.record({ s: slot, kind: fc.constantFrom(...KINDS.filter(([, type]) => type !== 'SOCK_DGRAM')), name: fc.constantFrom('a', 'b', 'c') }),
    expand: ({ s, kind: [family, type], name }) => [
      { op: 'socket', s, family, type },
      { op: 'bind', s, addr: family === 'AF_UNIX' ? { kind: 'unix', name } : { kind: family === 'AF_INET' ? 'inet' : 'inet6' } },
      { op: 'listen', s, backlog: 5 },
    ],
  },
  {
    weight: 2,
    arb: fc.record({ s: slot, t: slot, into: slot }).filter((x) => x.s !== x.t && x.t !== x.into),
    expand: ({ s, t, into }, m) => {
      const to = recOf(m, t)?.ep;
      if (to === undefined) return [];
      return [{ op: 'socket', s, family: to.family, type: to.type }, { op: 'connect', s, t }, { op: 'accept', s: t, into }];
    },
  },
  { weight: 1, makes: true, arb: fc.constant({}), expand: () => [{ op: 'sig_install' }] },
  {
    weight: 2,
    arb: fc.record({ s: slot, into: slot }),
    expand: ({ s, into }, m) => {
      const ep = recOf(m, s)?.ep;
      return ep === undefined ? [] : [{ op: 'fromfd', s, into, family: ep.family, type: ep.type }];
    },
  },
  // asyncio's operations need non-blocking sockets: an asyncio step on a socket made so just before.
  { weight: 4, arb: fc.oneof(...AIO_OPS.map((spec) => spec.arb)), expand: (step) => [{ op: 'setblocking', s: step.s, flag: false }, step] },
  {
    // A client connected and accepted through asyncio, and bytes it sends.
    weight: 2,
    arb: fc.record({ s: slot, t: slot, into: slot, n: size, seed }).filter((x) => x.s !== x.t && x.t !== x.into),
    expand: ({ s, t, into, n, seed: payloadSeed }, m) => {
      const to = recOf(m, t)?.ep;
      if (to === undefined) return [];
      return [
        { op: 'socket', s, family: to.family, type: to.type },
        { op: 'setblocking', s, flag: false },
        { op: 'aio_connect', s, t },
        { op: 'setblocking', s: t, flag: false },
        { op: 'aio_accept', s: t, into },
        { op: 'aio_sendall', s, n, seed: payloadSeed },
        { op: 'aio_recv', s: into, n: 4096 },
      ];
    },
  },
  {
    // A stream over one end of a connection (a Unix socketpair, or TCP through a listener in slot l),
    // bytes the other end sends, and a read of them.
    weight: 3,
    arb: fc
      .record({ s: slot, t: slot, l: slot, w: streamSlot, limit: streamLimit, family: fc.constantFrom('unix', 'inet', 'inet6'), n: size, seed, read: streamRead })
      .filter((x) => x.s !== x.t && x.l !== x.s && x.l !== x.t),
    expand: ({ s, t, l, w, limit, family, n, seed: payloadSeed, read }) => [
      ...(family === 'unix'
        ? [{ op: 'socketpair', s, t, family: 'AF_UNIX', type: 'SOCK_STREAM' }]
        : [
            { op: 'socket', s: l, family: family === 'inet' ? 'AF_INET' : 'AF_INET6', type: 'SOCK_STREAM' },
            { op: 'bind', s: l, addr: { kind: family } },
            { op: 'listen', s: l, backlog: 5 },
            { op: 'socket', s, family: family === 'inet' ? 'AF_INET' : 'AF_INET6', type: 'SOCK_STREAM' },
            { op: 'connect', s, t: l },
            { op: 'accept', s: l, into: t },
          ]),
      { op: 'st_open', s, w, limit },
      { op: 'sendall', s: t, n, seed: payloadSeed, flags: [] },
      { ...read, w },
    ],
  },
  {
    // Streams over both ends of a Unix socketpair (TCP's buffers take megabytes), a write of more than the
    // connection holds, whose rest waits in the writer's transport while the reader's takes it in, and a
    // drain or close that waits for it, or a read of it.
    weight: 2,
    arb: fc
      .record({ s: slot, t: slot, limit: streamLimit, n: bulk, seed, then: fc.constantFrom('st_drain', 'st_close', 'st_read', 'st_readexactly') })
      .filter((x) => x.s !== x.t),
    expand: ({ s, t, limit, n, seed: payloadSeed, then }) => [
      { op: 'socketpair', s, t, family: 'AF_UNIX', type: 'SOCK_STREAM' },
      { op: 'st_open', s, w: 0, limit: 65536 },
      { op: 'st_open', s: t, w: 1, limit },
      { op: 'st_write', w: 0, n, seed: payloadSeed },
      then.startsWith('st_read') ? { op: then, w: 1, n: 100 } : { op: then, w: 0 },
    ],
  },
  {
    // A datagram a bound socket sends itself and reads back, through asyncio.
    weight: 2,
    arb: fc.record({ ...boundDatagramArb, n: size, seed, into: fc.boolean() }),
    expand: ({ s, kind, name, n, seed: payloadSeed, into }) => [
      ...boundDatagram(s, kind, name),
      { op: 'setblocking', s, flag: false },
      { op: 'aio_sendto', s, n, seed: payloadSeed, t: s },
      into ? { op: 'aio_recvfrom_into', s, size: 4096, nbytes: 0 } : { op: 'aio_recvfrom', s, n: 4096 },
    ],
  },
  {
    // A datagram transport over a bound socket, a datagram it sends itself, and what its protocol was told.
    weight: 2,
    arb: fc.record({ ...boundDatagramArb, d: dgramSlot, n: size.filter((n) => n > 0), seed }),
    expand: ({ s, kind, name, d, n, seed: payloadSeed }) => [
      ...boundDatagram(s, kind, name),
      { op: 'dg_open', s, d },
      { op: 'dg_sendto', d, n, seed: payloadSeed, t: s, host: null },
      { op: 'dg_events', d },
    ],
  },
  {
    // A Unix datagram transport sending to a peer whose queue fills: what does not fit waits in the transport,
    // which pauses the protocol's writing past its high-water mark (64 KiB); the peer's reads let it go, and
    // writing resumes below the low-water mark.
    weight: 1,
    arb: fc
      .record({ s: slot, t: slot, d: dgramSlot, count: fc.integer({ min: 8, max: 24 }), n: fc.constantFrom(100, 8000), reads: fc.integer({ min: 0, max: 16 }) })
      .filter((x) => x.s !== x.t),
    expand: ({ s, t, d, count, n, reads }) => [
      ...boundDatagram(s, 'unix', 'a'),
      ...boundDatagram(t, 'unix', 'b'),
      { op: 'setblocking', s: t, flag: false },
      { op: 'dg_open', s, d },
      ...Array.from({ length: count }, (_, i) => ({ op: 'dg_sendto', d, n, seed: i, t, host: null })),
      ...Array.from({ length: reads }, () => ({ op: 'recv', s: t, n: 10000, flags: [] })),
      { op: 'dg_events', d },
    ],
  },
  {
    // A batch of datagrams a bound socket sends itself, read back in one batch.
    weight: 2,
    arb: fc.record({
      ...boundDatagramArb,
      msgs: fc.array(fc.record({ n: size, seed }), { minLength: 1, maxLength: 4 }),
      count: fc.constantFrom(1, 2, 4, 8),
      into: fc.boolean(),
    }),
    expand: ({ s, kind, name, msgs, count, into }) => [
      ...boundDatagram(s, kind, name),
      { op: 'sendmmsg', s, msgs: msgs.map((x) => ({ ...x, t: s })), flags: [] },
      into ? { op: 'recvmmsg_into', s, sizes: Array.from({ length: count }, () => 4096), flags: [] } : { op: 'recvmmsg', s, count, bufsize: 4096, flags: [] },
    ],
  },
];

function total(sizes) {
  return sizes.reduce((a, b) => a + b, 0);
}

function closeFile(m, slotNo) {
  const f = m.files.get(slotNo);
  if (f?.open) {
    f.open = false;
    if (f.holds) f.rec.files -= 1;
  }
}

/** A file step is fine: the file exists, and it is closed, or its socket does not wait, or `ready`. */
function fileSafe(m, step, ready) {
  const f = m.files.get(step.m);
  if (f === undefined) return false;
  if (!f.open || !f.rec.waits) return true;
  if (f.rec.ep.unknown) return false;
  return ready(f);
}

/** The program being written: its steps, appended by the commands' run(). */
class Program {
  constructor() {
    this.steps = [];
  }
}

/** The spec of each op, by name (the ops a spec's arbitrary draws, from a fixed sample). */
const SPECS = new Map();
for (const spec of [...OPS, ...AIO_OPS, ...STREAM_OPS, ...DGRAM_OPS]) fc.sample(spec.arb, { numRuns: 300, seed: 1 }).forEach((step) => SPECS.set(step.op, spec));

/**
 * After a step: a stream whose peer has gone may have been reset (the peer closed with bytes unread, or with
 * SO_LINGER 0, or it was sent to after it closed), and a transport whose read or write fails closes its socket
 * at the next turn of the loop, which the model cannot tell from an end of the stream (the transport then stays
 * open). So its slot may hold a closed socket from then on: a dup of it may fail, and an fd passed of it too.
 * The stream's reads stay safe: either way they end at once.
 */
function mayBeReset(m) {
  for (const st of m.streams.values()) {
    if (!liveStream(st) || st.rec.maybe) continue;
    const ep = st.rec.ep;
    if (ep.unknown || (ep.everConnected && (ep.peer === null || ep.peer.unknown || ep.peer.leaked || !m.alive(ep.peer)))) st.rec.maybe = true;
  }
}

/** Whether the step may run now: its spec's check, and no known bug's avoid. */
function runnable(spec, m, step) {
  return spec.check(m, step) && streamAllows(m, step) && !KNOWN.some((k) => k.avoid?.(m, step));
}

class StepCommand {
  constructor(spec, step) {
    this.spec = spec;
    this.step = step;
  }

  check(m) {
    return this.spec.expand !== undefined || runnable(this.spec, m, this.step);
  }

  run(m, program) {
    const steps = this.spec.expand ? this.spec.expand(this.step, m) : [this.step];
    for (const step of steps) {
      const spec = SPECS.get(step.op);
      if (!runnable(spec, m, step)) continue;
      program.steps.push(step);
      spec.apply(m, step);
      mayBeReset(m);
    }
  }

  toString() {
    return JSON.stringify(this.step);
  }
}

const command = (spec) => spec.arb.map((step) => new StepCommand(spec, step));

/**
 * Programs of up to maxSteps steps: a few sockets made first, then any steps,
 * as fast-check commands.
 */
export function programs(maxSteps = 30) {
  const specs = [...OPS, ...AIO_OPS, ...STREAM_OPS, ...DGRAM_OPS, ...MACROS];
  const makers = specs.filter((spec) => spec.makes).map(command);
  const arbs = specs.flatMap((spec) => Array.from({ length: spec.weight }, () => command(spec)));
  return fc.tuple(fc.array(fc.oneof(...makers), { minLength: 1, maxLength: 4 }), fc.commands(arbs, { maxCommands: maxSteps, size: 'max' }));
}

/** How many of `steps`, from the first, the model lets a program make in that order (all: steps.length). */
export function admitted(steps) {
  const m = new Model();
  for (let i = 0; i < steps.length; i++) {
    const spec = SPECS.get(steps[i].op);
    if (spec === undefined || !runnable(spec, m, steps[i])) return i;
    spec.apply(m, steps[i]);
    mayBeReset(m);
  }
  return steps.length;
}

/** The steps of a program that programs() made (skipping the commands whose check fails). */
export function stepsOf([prelude, commands]) {
  const program = new Program();
  fc.modelRun(() => ({ model: new Model(), real: program }), [...prelude, ...commands]);
  return program.steps;
}
