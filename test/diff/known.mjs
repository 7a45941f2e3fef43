// Differences between bsdsock and CPython that the fuzzer accepts: the
// deliberate ones (each with a row in the README's "From Python" table), those
// of the harness's environment (not of either library), and
// bugs found and not yet fixed (remove an entry once its fix lands; the
// fuzzer then checks the fix).
//
// matches(step, python, bsdsock, history): python is CPython's outcome as
// bsdsock should report it (ValueError as RangeError), history the steps
// before it with CPython's results ({ step, python }). avoid(model, step), where an
// entry has it, keeps the generator from writing the step at all (a bug that
// hangs would cost the time limit on every program that finds it).

import { isDeepStrictEqual } from 'node:util';

/** @type {{ id: string, kind: 'deliberate' | 'environment' | 'bug' | 'in progress', reason: string, matches: Function, avoid?: Function }[]} */
export const KNOWN = [
  {
    id: 'released-port',
    kind: 'environment',
    reason:
      'a bind to the address another slot\'s socket was last seen with can name a port that socket no longer holds ' +
      '(after a refused connect, getsockname still gives the port its autobind took and released): the two ' +
      'interpreters share the machine\'s ports, so another process, or the other interpreter, may have taken it ' +
      'as its next ephemeral port in between, and one bind fails with EADDRINUSE where the other succeeds',
    matches: (step, python, node) =>
      step.op === 'bind' && step.addr.kind === 'of' && [python, node].some((r) => r.errno === EADDRINUSE) && [python, node].some((r) => 'v' in r),
  },
  {
    id: 'in-flight-cycle',
    kind: 'environment',
    reason:
      'a socket whose fd went out in an SCM_RIGHTS message that is still queued stays open in the kernel after the ' +
      'program closes it, until the kernel\'s Unix-socket garbage collector finds the cycle; it runs when some ' +
      'process on the machine closes Unix sockets, so for the two interpreters it runs at different times: a ' +
      'receive on its peer reads the end of the stream on one side while on the other it would block (or times out), ' +
      'and a send to it fails with EPIPE (ECONNREFUSED, ECONNRESET) on one side while on the other it is sent',
    matches: (step, python, node, history) =>
      history.some((h) => h.step.op === 'sendmsg' && (h.step.fds?.length ?? 0) > 0) &&
      ((RECEIVES.has(step.op) &&
        [python, node].some(endOfStream) &&
        [python, node].some((r) => r.e === 'BlockingIOError' || r.e === 'TimeoutError' || r.hang === true)) ||
        (SENDS.has(step.op) && [python, node].some((r) => PEER_GONE.has(r.errno)) && [python, node].some((r) => 'v' in r))),
  },
  {
    id: 'recv-trunc-zeros',
    kind: 'deliberate',
    reason:
      'a receive with MSG_TRUNC returns the length the kernel says (a longer datagram\'s, or the bytes a TCP socket ' +
      'discarded) as CPython does, but the bytes the kernel did not write are zeros; CPython\'s are whatever its ' +
      'memory held',
    matches: (step, python, node) => hasFlag(step, 'MSG_TRUNC') && truncated(step, python, node, (a, b) => a === b || b === '00'),
  },
  {
    id: 'timeout-mode-calls-first',
    kind: 'deliberate',
    reason:
      'in timeout mode CPython waits for readiness before each call (sock_call_ex), so accept() on a socket that is ' +
      'not listening, a receive with MSG_DONTWAIT on an empty socket and a send on a listening socket raise ' +
      'TimeoutError after the timeout; bsdsock makes the call first and raises its error at once (EINVAL, ' +
      'EOPNOTSUPP, BlockingIOError, EPIPE)',
    matches: (step, python, node) => CALLS.has(step.op) && python.e === 'TimeoutError' && 'e' in node && node.e !== 'TimeoutError',
  },
  {
    id: 'mode-per-socket',
    kind: 'deliberate',
    reason:
      'sockets sharing an open file description (dup, fromfd) keep each its own mode in bsdsock: each call says ' +
      'MSG_DONTWAIT or waits as its own mode says. CPython\'s calls rely on O_NONBLOCK, which the last ' +
      'setblocking/settimeout of any of them set (dup() too: it gives the copy the original\'s timeout): a ' +
      'non-blocking one blocks (or reads an end of file) after another cleared it, a blocking one raises ' +
      'BlockingIOError (EAGAIN, EINPROGRESS) after another set it, and a timeout-mode receive after another ' +
      'cleared it is a blocking one, which returns what only a blocking receive returns (the empty read of a ' +
      'datagram socket shut for reading, where a non-blocking one gets EAGAIN and bsdsock times out)',
    matches: (step, python, node, history) =>
      (python.hang === true && node.hang !== true) ||
      (history.some((h) => SHARES.has(h.step.op)) &&
        !isDeepStrictEqual(python, node) &&
        (python.e === 'BlockingIOError' ||
          node.e === 'BlockingIOError' ||
          (step.op === 'connect_ex' && (WOULD_BLOCK.has(python.v) || WOULD_BLOCK.has(node.v))) ||
          (RECEIVES.has(step.op) && node.e === 'TimeoutError' && !('e' in python)))),
  },
  {
    id: 'batch-releases-peer',
    kind: 'environment',
    reason:
      'a message whose SCM_RIGHTS carry the last reference to the peer socket (the program sent the peer\'s own fd, ' +
      'then closed it, or put another socket in its slot) closes the peer only when the receiving syscall returns (the kernel defers the final fput to ' +
      'the end of the call): Linux\'s recvmmsg, one call, still finds the peer open after that message and stops, ' +
      'where CPython, which has no recvmmsg and stands for it with one recvmsg per message, reads the end of the ' +
      'stream after it (the next recvmmsg reads it too)',
    matches: (step, python, node, history) =>
      BATCH_RECEIVES.has(step.op) &&
      Array.isArray(python.v) &&
      Array.isArray(node.v) &&
      node.v.length < python.v.length &&
      isDeepStrictEqual(python.v.slice(0, node.v.length), node.v) &&
      python.v.slice(node.v.length).every(emptyMessage) &&
      history.some((h) => h.step.op === 'sendmsg' && (h.step.fds?.length ?? 0) > 0) &&
      history.some((h) => CLOSES.has(h.step.op)),
  },
  {
    id: 'port-across-protocols',
    kind: 'environment',
    reason:
      'TCP and UDP number their ports apart: a datagram sent to the address of a stream socket reaches whichever ' +
      'datagram socket holds that number for UDP, if one does. Each interpreter\'s run takes its own ephemeral ' +
      'numbers, so in one run a datagram socket of the program may have the stream socket\'s number (and receive ' +
      'the datagram, or poll readable) and in the other not',
    matches: (step, python, node, history) =>
      (RECEIVES.has(step.op) || step.op === 'select' || step.op === 'poll') &&
      history.some((h, i) => datagramToStream(history, i)),
  },
];

/** Whether step i of the history sent a datagram to the address of a slot that held a stream socket. */
function datagramToStream(history, i) {
  const step = history[i].step;
  const targets = step.op === 'sendmmsg' ? step.msgs.map((m) => m.t) : step.op === 'sendto' || step.op === 'sendmsg' ? [step.t] : [];
  return (
    slotType(history, i, step.s) === 'SOCK_DGRAM' && targets.some((t) => t !== null && t !== undefined && slotType(history, i, t) === 'SOCK_STREAM')
  );
}

/** The type of the socket the steps before step i last put in `slot`, as far as they say. */
function slotType(history, i, slot) {
  for (let j = i - 1; j >= 0; j--) {
    const { step, python } = history[j];
    if (step.op === 'socket' && step.s === slot) return step.type;
    if (step.op === 'socketpair' && (step.s === slot || step.t === slot)) return step.type;
    if ((step.op === 'accept' || step.op === 'aio_accept') && step.into === slot) return 'SOCK_STREAM';
    if (step.op === 'fromfd' && step.into === slot) return step.type;
    if (step.op === 'dup' && step.into === slot) return slotType(history, j, step.s);
    if (step.op === 'adopt' && step.into === slot) return Array.isArray(python?.v) ? python.v[1] : undefined;
  }
  return undefined;
}

const BATCH_RECEIVES = new Set(['recvmmsg', 'recvmmsg_into']);
/** The steps that may close a socket: close, and those that put a new one in a slot, whose old one then closes. */
const CLOSES = new Set(['close', 'socket', 'socketpair', 'accept', 'aio_accept', 'dup', 'fromfd', 'adopt']);

/** A message of a batched receive that carried no bytes: recvmmsg's `[data, address]`, recvmmsg_into's `[[count, data], address]`. */
function emptyMessage(m) {
  const first = Array.isArray(m) ? m[0] : undefined;
  return first?.hex === '' || (Array.isArray(first) && first[0] === 0);
}

const CONNECTS = new Set(['connect', 'connect_ex']);
const EADDRINUSE = 98;
const ECONNREFUSED = 111;

/** The errno of an error, or connect_ex's value. */
function errnoOf(r) {
  return 'e' in r ? r.errno : r.v;
}

/** EAGAIN, EINPROGRESS: connect_ex's values for a call that would block. */
const WOULD_BLOCK = new Set([11, 115]);
const SHARES = new Set(['dup', 'fromfd', 'adopt']);
const RECEIVES = new Set(['accept', 'recv', 'recvfrom', 'recv_into', 'recvfrom_into', 'recvmsg', 'recvmsg_into', 'recvmmsg', 'recvmmsg_into']);
const SENDS = new Set(['send', 'sendall', 'sendto', 'sendmsg', 'sendmmsg']);
/** EPIPE, ECONNREFUSED, ECONNRESET: a send's errors when its peer is gone. */
const PEER_GONE = new Set([32, 111, 104]);
/** The steps that wait in timeout mode (makefile too: it closes the slot's old file, which flushes). */
const CALLS = new Set([...RECEIVES, ...SENDS, 'fread', 'freadline', 'fwrite', 'fflush', 'fclose', 'makefile']);

/** Whether a receive's outcome is the end of a stream: no bytes (or 0 into a buffer). */
function endOfStream(r) {
  if (!('v' in r)) return false;
  const first = Array.isArray(r.v) ? r.v[0] : r.v;
  return first === 0 || first?.hex === '';
}

/** How many bytes a receive step asks for. */
function wanted(step) {
  if (step.op === 'recvmsg_into') return step.sizes.reduce((a, b) => a + b, 0);
  return step.op === 'recv_into' || step.op === 'recvfrom_into' ? step.nbytes || step.size : step.n;
}

/** The data of a receive's result, in hex: the data, or a tuple's first item; each datagram's for recvmmsg. */
function datasOf(step, r) {
  if (step.op === 'recvmmsg') return Array.isArray(r.v) ? r.v.map((d) => d[0]?.hex) : undefined;
  return [(Array.isArray(r.v) ? r.v[0] : r.v)?.hex];
}

/**
 * Both results hold data of the same lengths (the data, or a tuple's first item;
 * each datagram's), every byte pair (CPython's, bsdsock's, in hex) passing `same`.
 */
function truncated(step, python, node, same) {
  if (!('v' in python) || !('v' in node)) return false;
  const [a, b] = [datasOf(step, python), datasOf(step, node)];
  return a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => sameBytes(x, b[i], same));
}

function sameBytes(a, b, same) {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 2) if (!same(a.slice(i, i + 2), b.slice(i, i + 2))) return false;
  return true;
}

function hasFlag(step, name) {
  return Array.isArray(step.flags) && step.flags.includes(name);
}
