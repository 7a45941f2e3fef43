// Differences between bsdsock and CPython that the fuzzer accepts: the
// deliberate ones (each with a row in the README's "From Python" table), and
// bugs found and not yet fixed (remove an entry once its fix lands; the
// fuzzer then checks the fix).
//
// matches(step, python, bsdsock, history): python is CPython's outcome as
// bsdsock should report it (ValueError as RangeError), history the steps
// before it with CPython's results ({ step, python }). avoid(model, step), where an
// entry has it, keeps the generator from writing the step at all (a bug that
// hangs would cost the time limit on every program that finds it).

const isError = (r, name, errno) => 'e' in r && r.e === name && (errno === undefined || r.errno === errno);
const EBADF = 9;

/** @type {{ id: string, kind: 'deliberate' | 'bug' | 'in progress', reason: string, matches: Function, avoid?: Function }[]} */
export const KNOWN = [
  {
    id: 'recv-trunc-zeros',
    kind: 'deliberate',
    reason:
      'recv/recvfrom with MSG_TRUNC on a message longer than the buffer return the message\'s length as CPython does, ' +
      'but the bytes past the buffer are zeros; CPython grows its bytes object to that length without filling it, ' +
      'so they are whatever its memory held',
    matches: (step, python, node) => hasFlag(step, 'MSG_TRUNC') && sameButPast(python, node, wanted(step)),
  },
  {
    id: 'closed-socket-before-arguments',
    kind: 'bug',
    reason:
      'on a closed or detached socket bsdsock throws EBADF before it checks the arguments; CPython parses them first ' +
      '(resolving the address of bind/connect/sendto, which can raise TypeError or gaierror; getsockopt\'s buflen; ' +
      'sendmsg\'s ancillary data) and raises that error',
    matches: (step, python, node) => isError(node, 'OSError', EBADF) && 'e' in python && python.errno !== EBADF,
  },
  {
    id: 'accept-blocking-waits-first',
    kind: 'bug',
    reason:
      'accept() in blocking mode waits for readability before calling accept(2), so on a socket that is not ' +
      'listening (or a datagram socket) it waits for ever; CPython calls accept(2) at once and raises EINVAL ' +
      '(EOPNOTSUPP for datagram sockets)',
    matches: (step, python, node) => step.op === 'accept' && node.hang === true && 'e' in python,
    avoid: (m, step) => {
      const rec = m.socks.get(step.s);
      return step.op === 'accept' && rec !== undefined && rec.waits && !rec.ep.listening;
    },
  },
  {
    id: 'timeout-mode-calls-first',
    kind: 'bug',
    reason:
      'in timeout mode CPython waits for readiness before each call (sock_call_ex), so accept() on a socket that is ' +
      'not listening, a receive with MSG_DONTWAIT on an empty socket and a send on a listening socket raise ' +
      'TimeoutError after the timeout; bsdsock makes the call first and raises its error at once (EINVAL, ' +
      'EOPNOTSUPP, BlockingIOError, EPIPE)',
    matches: (step, python, node) => CALLS.has(step.op) && python.e === 'TimeoutError' && 'e' in node && node.e !== 'TimeoutError',
  },
  {
    id: 'refused-connect-not-disconnected',
    kind: 'bug',
    reason:
      'a blocking connect() that fails (ECONNREFUSED) is made as a non-blocking connect and a poll, so the kernel never ' +
      'disconnects the socket as it does after a failed blocking connect(2): it then polls readable (POLLIN|POLLHUP ' +
      'where CPython\'s is POLLHUP), a receive returns b\'\' (end of file) where CPython\'s raises ENOTCONN, and a ' +
      'second connect raises ECONNABORTED where CPython\'s raises ECONNREFUSED again',
    matches: (step, python, node, history) =>
      history.some((h) => CONNECTS.has(h.step.op) && errnoOf(h.python) === ECONNREFUSED && (h.step.s === step.s || step.s === undefined)),
  },
  {
    id: 'file-read-on-writer',
    kind: 'bug',
    reason:
      "a makefile() writer has no readline (TypeError: not a function) and a text writer's read() returns '' " +
      "where CPython's IOBase raises UnsupportedOperation ('read', 'not readable')",
    matches: (step, python, node) => ['fread', 'freadline'].includes(step.op) && python.e === 'UnsupportedOperation' && node.e !== 'UnsupportedOperation',
  },
  {
    id: 'text-writer-passes-through',
    kind: 'bug',
    reason:
      "a makefile() text writer hands each write() to its buffered writer at once; CPython's TextIOWrapper keeps up " +
      'to 8192 bytes of its own (pending_bytes) before it does, so a small write to a socket that cannot send ' +
      'returns its length in CPython and raises (EPIPE, ENOTCONN) in bsdsock',
    matches: (step, python, node, history) => step.op === 'fwrite' && 'v' in python && 'e' in node && !modeOf(history, step.m).includes('b'),
  },
  {
    id: 'zero-byte-receive',
    kind: 'in progress',
    reason:
      'recvfrom(0) and recvfrom_into() of an empty buffer are being made as CPython makes them: one recvfrom(2) ' +
      'call, whose error or wait shows (recv(0) and recv_into() return at once, as CPython\'s do)',
    matches: (step, python, node) => ['recvfrom', 'recvfrom_into'].includes(step.op) && wanted(step) === 0,
  },
  {
    id: 'signal-between-calls-interrupts',
    kind: 'bug',
    reason:
      'a signal with a process.on listener that arrives between calls makes the next select() or poll() raise ' +
      'InterruptedError; CPython runs the handler and the call returns its result (PEP 475)',
    matches: (step, python, node, history) => history.some((h) => h.step.op.startsWith('sig_')) && isError(node, 'InterruptedError') && !('e' in python),
  },
  {
    id: 'signals-between-calls-merge',
    kind: 'bug',
    reason:
      'signals that arrive while no blocking call runs reach the process.on listener once, however many came ' +
      "(three SIGUSR1s, one call); CPython's handler runs once per signal",
    matches: (step, python, node) => step.op === 'sig_count' && 'v' in node && node.v < python.v,
  },
  {
    id: 'sendall-nothing',
    kind: 'bug',
    reason:
      "sendall(b'') returns without calling send(2); CPython's sendall calls it once, so an error of the socket " +
      '(EPIPE after the peer closed, ENOTCONN before connecting) is raised',
    matches: (step, python, node) => step.op === 'sendall' && step.n === 0 && 'e' in python && 'v' in node,
    // A zero-length record (SOCK_SEQPACKET, SOCK_DGRAM) is then never sent: the programs part ways.
    avoid: (m, step) => step.op === 'sendall' && step.n === 0,
  },
  {
    id: 'waitall-across-messages',
    kind: 'bug',
    reason:
      'recv with MSG_WAITALL in blocking mode on a SOCK_SEQPACKET or SOCK_DGRAM socket keeps receiving more messages ' +
      'until the buffer is full (core recv_all), so it waits for ever or joins datagrams; the kernel (and CPython) ' +
      'returns one message',
    matches: (step, python, node) => hasFlag(step, 'MSG_WAITALL') && (node.hang === true || 'v' in node),
    avoid: (m, step) => {
      const rec = m.socks.get(step.s);
      return hasFlag(step, 'MSG_WAITALL') && rec !== undefined && rec.waits && !rec.ep.bytes;
    },
  },
  {
    id: 'timeout-spins-when-ready',
    kind: 'bug',
    reason:
      'in timeout mode, a receive whose fd poll() calls ready but that still fails with EAGAIN retries without ' +
      'looking at the deadline: it spins for ever; CPython checks the deadline on every retry and raises ' +
      'TimeoutError. Seen with MSG_ERRQUEUE on an unconnected TCP socket (POLLHUP) and on a UDP socket after ' +
      'shutdown(SHUT_RD) (POLLIN, and recvmsg says EAGAIN)',
    matches: (step, python, node) => RECEIVES.has(step.op) && python.e === 'TimeoutError' && node.hang === true,
    avoid: (m, step) => {
      const rec = m.socks.get(step.s);
      return RECEIVES.has(step.op) && rec?.mode === 'timeout' && (hasFlag(step, 'MSG_ERRQUEUE') || rec.ep.readyButEmpty);
    },
  },
];

const CONNECTS = new Set(['connect', 'connect_ex']);
const ECONNREFUSED = 111;

/** The errno of an error, or connect_ex's value. */
function errnoOf(r) {
  return 'e' in r ? r.errno : r.v;
}

const RECEIVES = new Set(['accept', 'recv', 'recvfrom', 'recv_into', 'recvfrom_into', 'recvmsg']);
/** The steps that wait in timeout mode. */
const CALLS = new Set([...RECEIVES, 'send', 'sendall', 'sendto', 'sendmsg', 'fread', 'freadline', 'fwrite', 'fflush', 'fclose']);

/** How many bytes a receive step asks for. */
function wanted(step) {
  return step.op === 'recv_into' || step.op === 'recvfrom_into' ? step.nbytes || step.size : step.n;
}

/** Both results hold data of the same length, equal in its first n bytes (the data is the first item of a tuple). */
function sameButPast(python, node, n) {
  if (!('v' in python) || !('v' in node)) return false;
  const data = (r) => (Array.isArray(r.v) ? r.v[0] : r.v)?.hex;
  const [a, b] = [data(python), data(node)];
  return typeof a === 'string' && typeof b === 'string' && a.length === b.length && a.slice(0, 2 * n) === b.slice(0, 2 * n) && /^(00)*$/.test(b.slice(2 * n));
}

/** The mode of the makefile() that last filled file slot m. */
function modeOf(history, m) {
  return history.findLast((h) => h.step.op === 'makefile' && h.step.m === m)?.step.mode ?? '';
}

function hasFlag(step, name) {
  return Array.isArray(step.flags) && step.flags.includes(name);
}
