// makefile() on whichever runtime runs this script (Node, Deno, Bun): binary,
// text and read-write files with their buffering, readline / read(n) /
// write / flush, and close: the socket's fd stays open until the socket and
// every file are closed, as python3 does. Then 'ok'.

import assert from 'node:assert/strict';

import { MSG_PEEK, socketpair } from 'bsdsock';

import { limit } from './lib/run.mjs';

const run = limit('makefile.mjs');

const [a, b] = socketpair();

// 'rb' and 'wb': buffered; nothing goes until flush.
const r = a.makefile('rb');
const w = b.makefile('wb');
assert.deepEqual([r.constructor.name, w.constructor.name, r.mode, w.mode], ['BufferedReader', 'BufferedWriter', 'rb', 'wb']);
w.write(Buffer.from('line one\nline two\nrest'));
a.settimeout(0.1);
assert.throws(() => a.recv(1, MSG_PEEK), (e) => e.message === 'timed out'); // still in w's buffer
a.settimeout(null);
w.flush();
assert.deepEqual(r.readline(), Buffer.from('line one\n'));
assert.deepEqual(r.readline(), Buffer.from('line two\n'));
assert.deepEqual(r.read(2), Buffer.from('re'));

// buffering=0: the raw SocketIO; a text file must be buffered.
const raw = a.makefile('rb', 0);
assert.equal(raw.constructor.name, 'SocketIO');
assert.throws(() => a.makefile('r', 0), (e) => e instanceof RangeError && e.message === 'unbuffered streams must be binary');
b.sendall(Buffer.from('raw'));
assert.deepEqual(raw.read(10), Buffer.from('raw'));

// 'r' and 'w': text, with an encoding.
const t = a.makefile('r', null, { encoding: 'utf-8' });
const tw = b.makefile('w', null, { encoding: 'utf-8' });
assert.equal(t.constructor.name, 'TextIOWrapper');
tw.write('héllo\n');
tw.flush();
assert.equal(t.readline(), 'héllo\n');

// 'rwb': a BufferedRWPair that reads and writes.
const rw = a.makefile('rwb');
assert.equal(rw.constructor.name, 'BufferedRWPair');
b.sendall(Buffer.from('xy'));
assert.deepEqual(rw.read(2), Buffer.from('xy'));
rw.write(Buffer.from('back'));
rw.flush();
assert.deepEqual(b.recv(10), Buffer.from('back'));

// Closing the socket leaves its fd open while a file is: r still reads (what it held, then more).
a.close();
b.sendall(Buffer.from('still\n'));
assert.deepEqual(r.readline(), Buffer.from('ststill\n'));
for (const f of [raw, t, rw]) f.close();
b.settimeout(0.1);
assert.throws(() => b.recv(10), (e) => e.message === 'timed out'); // r is open: no end of stream yet
r.close();
b.settimeout(null);
assert.equal(b.recv(10).length, 0); // the last file closed the fd: the peer sees the end
assert.throws(() => r.read(), (e) => e instanceof RangeError && e.message === 'read of closed file');
w.close();
tw.close();
b.close();

run.done();
