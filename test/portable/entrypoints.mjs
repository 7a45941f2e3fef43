// Every entry point on whichever runtime runs this script (Node, Deno, Bun):
// each loads both as an ES module (import) and as CommonJS (require, through
// createRequire), both faces give the same objects (one Socket class, one
// set of exception classes), and a socket made through one works with the
// other's functions. Then 'ok'.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import * as esmMain from 'bsdsock';
import * as esmAsyncio from 'bsdsock/asyncio';
import * as esmSelect from 'bsdsock/select';
import * as esmSelectors from 'bsdsock/selectors';

import { limit } from './lib/run.mjs';

const run = limit('entrypoints.mjs');
const require = createRequire(import.meta.url);

const entries = [
  ['bsdsock', esmMain, ['socket', 'Socket', 'socketpair', 'getaddrinfo', 'OSError', 'AF_INET', 'create_connection']],
  ['bsdsock/select', esmSelect, ['select', 'poll', 'epoll', 'KeyError', 'POLLIN']],
  ['bsdsock/selectors', esmSelectors, ['DefaultSelector', 'SelectSelector', 'PollSelector', 'EVENT_READ', 'EVENT_WRITE']],
  ['bsdsock/asyncio', esmAsyncio, ['sock_recv', 'sock_sendall', 'create_server', 'open_connection', 'Protocol', 'AbortError']],
];

for (const [name, esm, names] of entries) {
  const cjs = require(name);
  for (const key of names) {
    assert.notEqual(esm[key], undefined, `${name}: ${key} missing from the ES module`);
    assert.equal(esm[key], cjs[key], `${name}: ${key} differs between import and require`);
  }
  // Every name of the CommonJS face is on the ES module face too.
  const missing = Object.keys(cjs).filter((k) => k !== 'default' && k !== '__esModule' && !(k in esm));
  assert.deepEqual(missing, [], `${name}: exported by require only`);
}

// One Socket class: a socket made by one face is an instance of the other's class and works with its functions.
const cjsMain = require('bsdsock');
const s = esmMain.socket();
assert.ok(s instanceof cjsMain.Socket);
assert.equal(cjsMain.socket().constructor, esmMain.Socket);
const [a, b] = cjsMain.socketpair();
assert.ok(a instanceof esmMain.Socket);
b.send(Buffer.from('x'));
assert.deepEqual(esmSelect.select([a], [], [], 1), [[a], [], []]);
const sel = new (require('bsdsock/selectors').DefaultSelector)();
sel.register(a, esmSelectors.EVENT_READ);
assert.equal(sel.select(0).length, 1);
sel.close();
a.setblocking(false);
assert.equal((await esmAsyncio.sock_recv(a, 1)).toString(), 'x');
// One set of exception classes.
try {
  s.getpeername();
  assert.fail('getpeername on an unconnected socket');
} catch (e) {
  assert.ok(e instanceof cjsMain.OSError);
  assert.ok(e instanceof esmMain.OSError);
}
for (const x of [s, a, b]) x.close();

run.done();
