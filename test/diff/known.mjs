// Differences between bsdsock and CPython that the fuzzer accepts: the
// deliberate ones (each with a row in the README's "From Python" table), and
// bugs found and not yet fixed (remove an entry once its fix lands; the
// fuzzer then checks the fix).
//
// matches(step, python, bsdsock): python is CPython's outcome as bsdsock
// should report it (ValueError as RangeError). avoid(model, step), where an
// entry has it, keeps the generator from writing the step at all (a bug that
// hangs would cost the time limit on every program that finds it).

const isError = (r, name, errno) => 'e' in r && r.e === name && (errno === undefined || r.errno === errno);
const EBADF = 9;

/** @type {{ id: string, kind: 'deliberate' | 'bug' | 'in progress', reason: string, matches: Function, avoid?: Function }[]} */
export const KNOWN = [
  {
    id: 'closed-socket-before-arguments',
    kind: 'bug',
    reason:
      'on a closed or detached socket bsdsock throws EBADF before it checks the arguments; CPython parses them first ' +
      '(the address of bind/sendto/connect, sendmsg ancillary data) and its TypeError/ValueError wins',
    matches: (step, python, node) => isError(node, 'OSError', EBADF) && ['TypeError', 'RangeError'].includes(python.e),
  },
  {
    id: 'accept-not-listening-waits',
    kind: 'bug',
    reason:
      'accept() in blocking mode on a socket that is not listening (or a datagram socket) waits for ever; ' +
      'CPython calls accept(2) at once and raises EINVAL (EOPNOTSUPP for datagram sockets)',
    matches: (step, python, node) => step.op === 'accept' && node.hang === true && 'e' in python,
    avoid: (m, step) => {
      const rec = m.socks.get(step.s);
      return step.op === 'accept' && rec !== undefined && rec.waits && !rec.ep.listening;
    },
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
      'in timeout mode, a receive whose fd poll() calls ready but that still fails with EAGAIN (MSG_ERRQUEUE on an ' +
      'unconnected TCP socket, which polls as POLLHUP) retries without looking at the deadline: it spins for ever; ' +
      'CPython checks the deadline on every retry and raises TimeoutError',
    matches: (step, python, node) => hasFlag(step, 'MSG_ERRQUEUE') && node.hang === true,
    avoid: (m, step) => hasFlag(step, 'MSG_ERRQUEUE') && m.socks.get(step.s)?.mode === 'timeout',
  },
];

function hasFlag(step, name) {
  return Array.isArray(step.flags) && step.flags.includes(name);
}
