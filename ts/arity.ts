// How many positional arguments each function of Python's socket, select and
// selectors modules takes, and CPython's TypeError for a call that gives too
// few or too many. The words of that error depend on how CPython parses the
// function's arguments (`Parser`), so each function's spec says how, with the
// name the message prints: `send() takes at most 2 arguments (3 given)`,
// `socket.bind() takes exactly one argument (0 given)`, `getaddrinfo() missing
// 1 required positional argument: 'port'`. Each function checks its call with
// `fits(SPEC, arguments.length, lastRequired) || refuse(SPEC, arguments)` before it looks at a value.
//
// An argument left undefined at the end is not given (`f(a, undefined)` is
// `f(a)`, as in keywords.ts); null is a given None. Functions that take a
// trailing options object count their positional arguments in keywords.ts.

/** How CPython parses a function's arguments, which words its TypeError for a wrong count. */
export type Parser =
  /** PyArg_ParseTuple: `recv() takes at least 1 argument (0 given)`, `... at most 2 arguments (3 given)`, `... exactly 2 arguments (1 given)`. */
  | 'tuple'
  /** METH_O: `socket.bind() takes exactly one argument (0 given)`. */
  | 'one'
  /** METH_NOARGS: `socket.fileno() takes no arguments (1 given)`. */
  | 'none'
  /** Argument Clinic, positional-only parameters: `select expected at least 3 arguments, got 2`. */
  | 'clinic'
  /** Parameters that may be given by keyword (Argument Clinic, PyArg_ParseTupleAndKeywords):
   * `recv_into() missing required argument 'buffer' (pos 1)`, `... takes at most 3 arguments (4 given)`. */
  | 'keywords'
  /** A function written in Python (socket.py, selectors.py): `fromfd() missing 1 required positional
   * argument: 'type'`, `fromfd() takes from 3 to 4 positional arguments but 5 were given`. */
  | 'def'
  /** sendto's own count: `sendto() takes 2 or 3 arguments (1 given)`. */
  | 'sendto';

/** A function's positional parameters as CPython counts them. */
export interface Arity {
  /** The name its message prints: `send`, `socket.bind`, `_socket.dup`, `_PollLikeSelector.register`. */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly parser: Parser;
  /** The parameters' names, for the messages that name a missing one ('keywords', 'def'). */
  readonly params: readonly string[];
}

/**
 * Whether a call of `count` arguments (the caller's `arguments.length`) is one `f` takes at a
 * glance; `lastRequired` is the value of the last parameter `f` requires (none when it requires
 * none). A call it cannot pass goes to `refuse`, which counts exactly:
 * `fits(SPEC, arguments.length, x) || refuse(SPEC, arguments)`. The `arguments` object is
 * handed over only on that cold path: passed to a helper on every call (even one V8 inlines), it
 * cost the hot calls (sendto) some 200 instructions each on Node 20.
 */
export function fits(f: Arity, count: number, lastRequired?: unknown): boolean {
  return count <= f.max && (f.min === 0 || lastRequired !== undefined);
}

/** CPython's TypeError for a call `fits` did not pass, unless it is one `f` takes once the arguments left undefined at the end are not counted. */
export function refuse(f: Arity, args: ArrayLike<unknown>): void {
  const n = given(args);
  if (n < f.min || n > f.max) throw new TypeError(message(f, n));
}

/** How many arguments a call gave: those left undefined at the end are not given. */
export function given(args: ArrayLike<unknown>): number {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return n;
}

const s = (count: number): string => (count === 1 ? '' : 's');

function message(f: Arity, n: number): string {
  const few = n < f.min;
  const bound = few ? f.min : f.max;
  switch (f.parser) {
    case 'none':
      return `${f.name}() takes no arguments (${n} given)`;
    case 'one':
      return `${f.name}() takes exactly one argument (${n} given)`;
    case 'tuple': {
      const how = f.min === f.max ? 'exactly' : few ? 'at least' : 'at most';
      return `${f.name}() takes ${how} ${bound} argument${s(bound)} (${n} given)`;
    }
    case 'clinic': {
      const how = f.min === f.max ? '' : few ? 'at least ' : 'at most ';
      return `${f.name} expected ${how}${bound} argument${s(bound)}, got ${n}`;
    }
    case 'keywords':
      return few ? `${f.name}() missing required argument '${f.params[n]}' (pos ${n + 1})` : `${f.name}() takes at most ${bound} argument${s(bound)} (${n} given)`;
    case 'def':
      return few ? missingPositional(f.name, f.params.slice(n, f.min)) : tooManyPositional(f.name, f.min, f.max, n, f.name.includes('.'));
    case 'sendto':
      return `${f.name}() takes ${f.min} or ${f.max} arguments (${n} given)`;
  }
}

/** A Python function's TypeError for missing arguments: `f() missing 2 required positional arguments: 'host' and 'port'`. */
export function missingPositional(name: string, missing: readonly string[]): string {
  const quoted = missing.map((p) => `'${p}'`);
  // Python's list: 'a'; 'a' and 'b'; 'a', 'b', and 'c'.
  const list = quoted.length <= 2 ? quoted.join(' and ') : `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
  return `${name}() missing ${missing.length} required positional argument${s(missing.length)}: ${list}`;
}

/** A Python function's TypeError for too many arguments: `f() takes from 1 to 3 positional arguments but 4 were given`; a method's counts include `self`. */
export function tooManyPositional(name: string, min: number, max: number, n: number, method: boolean): string {
  const self = method ? 1 : 0;
  const [low, high, got] = [min + self, max + self, n + self];
  const takes = low === high ? `${high} positional argument${s(high)}` : `from ${low} to ${high} positional arguments`;
  return `${name}() takes ${takes} but ${got} ${got === 1 ? 'was' : 'were'} given`;
}

// The specs, one per parser; `params` names the parameters in order, required first.
const tuple = (name: string, min: number, max = min): Arity => ({ name, min, max, parser: 'tuple', params: [] });
const one = (name: string): Arity => ({ name, min: 1, max: 1, parser: 'one', params: [] });
const none = (name: string): Arity => ({ name, min: 0, max: 0, parser: 'none', params: [] });
const clinic = (name: string, min: number, max = min): Arity => ({ name, min, max, parser: 'clinic', params: [] });
const named = (parser: 'keywords' | 'def', name: string, min: number, params: string): Arity => {
  const names = params === '' ? [] : params.split(' ');
  return { name, min, max: names.length, parser, params: names };
};
const keywords = (name: string, min: number, params: string): Arity => named('keywords', name, min, params);
/** A function of socket.py or selectors.py; a name with a dot is a method's qualified name, whose `self` Python counts. */
const def = (name: string, min: number, params = ''): Arity => named('def', name, min, params);

/** The functions of Python's socket module (those of _socket print their module's name when METH_O or METH_NOARGS). */
export const SOCKET_MODULE = {
  socketpair: def('socketpair', 0, 'family type proto'),
  fromfd: def('fromfd', 3, 'fd family type proto'),
  dup: one('_socket.dup'),
  close: one('_socket.close'),
  has_dualstack_ipv6: def('has_dualstack_ipv6', 0),
  getdefaulttimeout: none('_socket.getdefaulttimeout'),
  setdefaulttimeout: one('_socket.setdefaulttimeout'),
  CMSG_LEN: tuple('CMSG_LEN', 1),
  CMSG_SPACE: tuple('CMSG_SPACE', 1),
  if_nameindex: none('_socket.if_nameindex'),
  if_nametoindex: tuple('if_nametoindex', 1),
  if_indextoname: one('_socket.if_indextoname'),
  inet_aton: tuple('inet_aton', 1),
  inet_ntoa: tuple('inet_ntoa', 1),
  inet_pton: tuple('inet_pton', 2),
  inet_ntop: tuple('inet_ntop', 2),
  htons: tuple('htons', 1),
  ntohs: tuple('ntohs', 1),
  htonl: one('_socket.htonl'),
  ntohl: one('_socket.ntohl'),
  gethostbyname: tuple('gethostbyname', 1),
  gethostbyname_ex: tuple('gethostbyname_ex', 1),
  gethostbyaddr: tuple('gethostbyaddr', 1),
  getservbyname: tuple('getservbyname', 1, 2),
  getservbyport: tuple('getservbyport', 1, 2),
  getprotobyname: tuple('getprotobyname', 1),
  getaddrinfo: def('getaddrinfo', 2, 'host port family type proto flags'),
  getnameinfo: tuple('getnameinfo', 2),
  getfqdn: def('getfqdn', 0, 'name'),
  gethostname: none('_socket.gethostname'),
  sethostname: tuple('sethostname', 1),
  send_fds: def('send_fds', 3, 'sock buffers fds flags address'),
  recv_fds: def('recv_fds', 3, 'sock bufsize maxfds flags'),
} satisfies Record<string, Arity | Record<string, Arity>>;

/** The methods of Python's socket.socket (makefile's count is its Positional, in socket.ts). */
export const SOCKET = {
  __init__: def('socket.__init__', 0, 'family type proto fileno'),
  close: def('socket.close', 0),
  fileno: none('socket.fileno'),
  detach: def('socket.detach', 0),
  dup: def('socket.dup', 0),
  get_inheritable: def('socket.get_inheritable', 0),
  set_inheritable: def('socket.set_inheritable', 1, 'inheritable'),
  setblocking: one('socket.setblocking'),
  getblocking: none('socket.getblocking'),
  settimeout: one('socket.settimeout'),
  gettimeout: none('socket.gettimeout'),
  bind: one('socket.bind'),
  listen: tuple('listen', 0, 1),
  accept: def('socket.accept', 0),
  connect: one('socket.connect'),
  connect_ex: one('socket.connect_ex'),
  shutdown: one('socket.shutdown'),
  getsockname: none('socket.getsockname'),
  getpeername: none('socket.getpeername'),
  send: tuple('send', 1, 2),
  sendall: tuple('sendall', 1, 2),
  sendto: { name: 'sendto', min: 2, max: 3, parser: 'sendto', params: [] },
  recv: tuple('recv', 1, 2),
  recvfrom: tuple('recvfrom', 1, 2),
  recv_into: keywords('recv_into', 1, 'buffer nbytes flags'),
  recvfrom_into: keywords('recvfrom_into', 1, 'buffer nbytes flags'),
  // CPython tries setsockopt(level, optname, None, optlen) first; the message is its last try's, (level, optname, value).
  setsockopt: tuple('setsockopt', 3),
  getsockopt: tuple('getsockopt', 2, 3),
  sendmsg: tuple('sendmsg', 1, 4),
  recvmsg: tuple('recvmsg', 1, 3),
  recvmsg_into: tuple('recvmsg_into', 1, 3),
  sendfile: def('socket.sendfile', 1, 'file offset count'),
} satisfies Record<string, Arity>;

/** Python's select module: select(), poll objects, epoll and kqueue objects. */
export const SELECT = {
  select: clinic('select', 3, 4),
  poll: none('select.poll'),
  pollObject: {
    register: clinic('register', 1, 2),
    modify: clinic('modify', 2),
    unregister: one('poll.unregister'),
    poll: clinic('poll', 0, 1),
  },
  epoll: {
    __new__: keywords('epoll', 0, 'sizehint flags'),
    fromfd: one('epoll.fromfd'),
    register: keywords('register', 1, 'fd eventmask'),
    modify: keywords('modify', 2, 'fd eventmask'),
    unregister: keywords('unregister', 1, 'fd'),
    poll: keywords('poll', 0, 'timeout maxevents'),
    close: none('epoll.close'),
    fileno: none('epoll.fileno'),
  },
  // Not on Linux, where python3 cannot confirm them: from CPython 3.11's selectmodule.c.
  kqueue: {
    fromfd: one('kqueue.fromfd'),
    control: clinic('control', 2, 3),
    close: none('kqueue.close'),
    fileno: none('kqueue.fileno'),
  },
  kevent: keywords('kevent', 1, 'ident filter flags fflags data udata'),
} satisfies Record<string, Arity | Record<string, Arity>>;

/**
 * Lib/selectors.py's methods, by the class that defines each in Python: its
 * qualified name is in the message, so EpollSelector.select is not
 * _PollLikeSelector.select though both wait the same way here.
 */
export const SELECTORS = {
  SelectorKey: def('SelectorKey.__new__', 4, 'fileobj fd events data'),
  BaseSelector: {
    modify: def('BaseSelector.modify', 2, 'fileobj events data'),
    close: def('BaseSelector.close', 0),
    get_key: def('BaseSelector.get_key', 1, 'fileobj'),
  },
  _BaseSelectorImpl: {
    modify: def('_BaseSelectorImpl.modify', 2, 'fileobj events data'),
    close: def('_BaseSelectorImpl.close', 0),
    get_map: def('_BaseSelectorImpl.get_map', 0),
  },
  SelectSelector: {
    __init__: def('SelectSelector.__init__', 0),
    register: def('SelectSelector.register', 2, 'fileobj events data'),
    unregister: def('SelectSelector.unregister', 1, 'fileobj'),
    select: def('SelectSelector.select', 0, 'timeout'),
  },
  _PollLikeSelector: {
    __init__: def('_PollLikeSelector.__init__', 0),
    register: def('_PollLikeSelector.register', 2, 'fileobj events data'),
    unregister: def('_PollLikeSelector.unregister', 1, 'fileobj'),
    modify: def('_PollLikeSelector.modify', 2, 'fileobj events data'),
    select: def('_PollLikeSelector.select', 0, 'timeout'),
  },
  EpollSelector: {
    fileno: def('EpollSelector.fileno', 0),
    select: def('EpollSelector.select', 0, 'timeout'),
    close: def('EpollSelector.close', 0),
  },
  KqueueSelector: {
    __init__: def('KqueueSelector.__init__', 0),
    fileno: def('KqueueSelector.fileno', 0),
    register: def('KqueueSelector.register', 2, 'fileobj events data'),
    unregister: def('KqueueSelector.unregister', 1, 'fileobj'),
    select: def('KqueueSelector.select', 0, 'timeout'),
    close: def('KqueueSelector.close', 0),
  },
} satisfies Record<string, Arity | Record<string, Arity>>;
