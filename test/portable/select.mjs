// bsdsock/select and bsdsock/selectors on whichever runtime runs this script
// (Node, Deno, Bun): select(), poll objects, epoll on Linux (elsewhere making
// one throws, as README's Platforms table says), and the selectors, with the
// shapes and errors python3 gives. Then 'ok'.

import assert from 'node:assert/strict';

import { socketpair } from 'bsdsock';
import { EPOLLIN, EPOLLOUT, epoll, KeyError, poll, POLLIN, POLLOUT, POLLRDNORM, select } from 'bsdsock/select';
import {
  DefaultSelector,
  EVENT_READ,
  EVENT_WRITE,
  EpollSelector,
  KqueueSelector,
  PollSelector,
  SelectSelector,
} from 'bsdsock/selectors';

import { LINUX, limit, thrown, WINDOWS } from './lib/run.mjs';

const run = limit('select.mjs');

// select(): the same objects back, in lists; a timeout gives three empty lists.
{
  const [a, b] = socketpair();
  const t0 = performance.now();
  assert.deepEqual(select([a], [], [], 0.2), [[], [], []]);
  assert.ok(performance.now() - t0 >= 150);
  const [r, w, x] = select([a, b], [a], [], 1);
  assert.deepEqual([r, w, x], [[], [a], []]);
  assert.equal(w[0], a);
  b.send(Buffer.from('x'));
  assert.deepEqual(select([a, b], [], [], null), [[a], [], []]);
  // An fd number works as well as an object with fileno().
  assert.deepEqual(select([a.fileno()], [], [], 0), [[a.fileno()], [], []]);
  assert.throws(() => select([{}], [], []), (e) => e instanceof TypeError && e.message === 'argument must be an int, or have a fileno() method.');
  a.close();
  b.close();
}

// poll(): register / modify / unregister, and poll with a timeout in milliseconds.
{
  const [a, b] = socketpair();
  const p = poll();
  p.register(a, POLLIN);
  const t0 = performance.now();
  assert.deepEqual(p.poll(200), []);
  assert.ok(performance.now() - t0 >= 150);
  b.send(Buffer.from('x'));
  // WSAPoll reports the part of POLLIN that came: POLLRDNORM, normal data.
  assert.deepEqual(p.poll(1000), [[a.fileno(), WINDOWS ? POLLRDNORM : POLLIN]]);
  p.modify(a, POLLOUT);
  assert.deepEqual(p.poll(0), [[a.fileno(), POLLOUT]]);
  p.unregister(a);
  assert.deepEqual(p.poll(0), []);
  const e = thrown(() => p.unregister(a));
  assert.ok(e instanceof KeyError);
  a.close();
  b.close();
}

// epoll: Linux only; elsewhere making one throws (Python has none there).
if (LINUX) {
  const [a, b] = socketpair();
  const ep = new epoll();
  assert.equal(ep.closed, false);
  ep.register(a.fileno(), EPOLLIN);
  assert.deepEqual(ep.poll(0.05), []);
  b.send(Buffer.from('x'));
  assert.deepEqual(ep.poll(1), [[a.fileno(), EPOLLIN]]);
  ep.modify(a.fileno(), EPOLLOUT);
  assert.deepEqual(ep.poll(0), [[a.fileno(), EPOLLOUT]]);
  ep.unregister(a.fileno());
  assert.deepEqual(ep.poll(0), []);
  ep.close();
  assert.equal(ep.closed, true);
  assert.throws(() => ep.poll(0), (e) => e instanceof RangeError && e.message === 'I/O operation on closed epoll object');
  a.close();
  b.close();
} else {
  assert.equal(EPOLLIN, undefined);
  assert.throws(() => new epoll());
}

// The selectors this OS has; DefaultSelector is CPython's choice for it.
const expectedDefault = LINUX ? EpollSelector : WINDOWS ? SelectSelector : KqueueSelector;
assert.equal(DefaultSelector, expectedDefault);
const kinds = [SelectSelector, PollSelector];
if (LINUX) kinds.push(EpollSelector);
if (KqueueSelector !== undefined) kinds.push(KqueueSelector);
for (const Kind of kinds) {
  const [a, b] = socketpair();
  const s = new Kind();
  const key = s.register(a, EVENT_READ, 'data');
  assert.deepEqual([key.fileobj, key.fd, key.events, key.data], [a, a.fileno(), EVENT_READ, 'data']);
  assert.deepEqual(s.select(0), []);
  b.send(Buffer.from('x'));
  const ready = s.select(1);
  assert.equal(ready.length, 1);
  assert.equal(ready[0][0].data, 'data');
  assert.equal(ready[0][1], EVENT_READ);
  const k2 = s.modify(a, EVENT_WRITE, 'w');
  assert.deepEqual([k2.events, k2.data], [EVENT_WRITE, 'w']);
  assert.deepEqual(
    s.select(0).map(([k, ev]) => [k.data, ev]),
    [['w', EVENT_WRITE]],
    Kind.name,
  );
  assert.equal(s.get_map().size, 1);
  assert.equal(s.get_map().get(a).data, 'w');
  assert.equal(s.get_key(a).data, 'w');
  assert.throws(() => s.register(a, EVENT_READ), (e) => e instanceof KeyError && /is already registered/.test(e.message));
  assert.throws(() => s.register(b, 0), (e) => e instanceof RangeError && e.message === 'Invalid events: 0');
  assert.equal(s.unregister(a).data, 'w');
  assert.throws(() => s.get_key(a), (e) => e instanceof KeyError && /is not registered/.test(e.message));
  // A timeout with nothing registered waits, then gives nothing.
  const t0 = performance.now();
  assert.deepEqual(s.select(0.1), []);
  assert.ok(performance.now() - t0 >= 50);
  s.close();
  assert.equal(s.get_map(), null);
  a.close();
  b.close();
}

run.done();
