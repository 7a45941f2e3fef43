// bsdsock/asyncio on whichever runtime runs this script (Node, Deno, Bun):
// each kind of operation once, on loopback, then 'ok'. The process must then
// exit by itself: nothing bsdsock holds may keep an idle program alive.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';

import { AF_INET, ConnectionRefusedError, ConnectionResetError, SOCK_DGRAM, SOCK_STREAM, socket, socketpair } from 'bsdsock';
import {
  AbortError,
  BufferedProtocol,
  create_connection,
  create_datagram_endpoint,
  create_server,
  DatagramProtocol,
  getaddrinfo,
  open_connection,
  Protocol,
  sendfile,
  sock_accept,
  sock_connect,
  sock_recv,
  sock_recvfrom,
  sock_recv_into,
  sock_sendall,
  sock_sendfile,
  sock_sendto,
  start_server,
} from 'bsdsock/asyncio';

import { limit, tempdir } from './lib/run.mjs';

// Unref'd (see lib/run.mjs): what keeps the process alive while an operation waits is bsdsock's own doing.
const run = limit('asyncio.mjs');

const port = (server) => server.sockets[0].getsockname()[1];

// sock_recv waits for data sent after it started; sock_sendall sends more than one send takes.
{
  const [a, b] = socketpair();
  a.setblocking(false);
  b.setblocking(false);
  const pending = sock_recv(a, 100);
  await new Promise((r) => setTimeout(r, 20));
  b.send(Buffer.from('ping'));
  assert.equal((await pending).toString(), 'ping');
  const big = Buffer.alloc(4 << 20, 7);
  const sent = sock_sendall(b, big);
  let got = 0;
  while (got < big.length) got += (await sock_recv(a, 1 << 16)).length;
  await sent;
  assert.equal(got, big.length);
  // A pending receive fails when its socket closes, and the fd number, reused at once, serves a new socket.
  const orphan = sock_recv(a, 10).then(() => 'data', (e) => e.name);
  a.close();
  assert.equal(await orphan, 'OSError');
  const [c, d] = socketpair();
  c.setblocking(false);
  const next = sock_recv(c, 10);
  d.send(Buffer.from('fresh'));
  assert.equal((await next).toString(), 'fresh');
  for (const s of [b, c, d]) s.close();
}

// sock_accept and sock_connect.
{
  const listener = socket(AF_INET, SOCK_STREAM);
  listener.bind(['127.0.0.1', 0]);
  listener.listen();
  listener.setblocking(false);
  const client = socket(AF_INET, SOCK_STREAM);
  client.setblocking(false);
  const accepted = sock_accept(listener);
  await sock_connect(client, listener.getsockname());
  const [conn, addr] = await accepted;
  assert.deepEqual(addr, client.getsockname());
  conn.setblocking(false);
  await sock_sendall(client, Buffer.from('hello'));
  assert.equal((await sock_recv(conn, 10)).toString(), 'hello');
  for (const s of [conn, client, listener]) s.close();
}

// sock_recvfrom and sock_sendto.
{
  const u1 = socket(AF_INET, SOCK_DGRAM);
  const u2 = socket(AF_INET, SOCK_DGRAM);
  u1.bind(['127.0.0.1', 0]);
  u2.bind(['127.0.0.1', 0]);
  u1.setblocking(false);
  u2.setblocking(false);
  const pending = sock_recvfrom(u2, 100);
  await sock_sendto(u1, Buffer.from('datagram'), u2.getsockname());
  const [data, from] = await pending;
  assert.equal(data.toString(), 'datagram');
  assert.deepEqual(from, u1.getsockname());
  u1.close();
  u2.close();
}

// A Protocol server (create_server) and client (create_connection).
{
  class Echo extends Protocol {
    connection_made(t) {
      this.t = t;
    }
    data_received(d) {
      this.t.write(d);
    }
  }
  class Client extends Protocol {
    chunks = [];
    lost = new Promise((r) => (this.done = r));
    data_received(d) {
      this.chunks.push(Buffer.from(d));
    }
    connection_lost(e) {
      this.done(e);
    }
  }
  const server = await create_server(() => new Echo(), '127.0.0.1', 0);
  const [t, p] = await create_connection(() => new Client(), '127.0.0.1', port(server));
  t.write(Buffer.from('echo me'));
  t.write_eof();
  assert.equal(await p.lost, null);
  assert.equal(Buffer.concat(p.chunks).toString(), 'echo me');
  server.close();
  await server.wait_closed();
}

// open_connection streams, against start_server.
{
  const server = await start_server(async (reader, writer) => {
    const line = await reader.readline();
    writer.write(Buffer.from(line.toString().toUpperCase()));
    await writer.drain();
    writer.close();
  }, '127.0.0.1', 0);
  const [reader, writer] = await open_connection('127.0.0.1', port(server));
  writer.write(Buffer.from('shout\n'));
  await writer.drain();
  assert.equal((await reader.read()).toString(), 'SHOUT\n');
  writer.close();
  server.close();
  await server.wait_closed();
}

// getaddrinfo on the resolver's threads.
{
  const infos = await getaddrinfo('127.0.0.1', 80, { family: AF_INET, type: SOCK_STREAM });
  assert.deepEqual(infos[0][4], ['127.0.0.1', 80]);
}

// An AbortSignal cancels a pending operation and leaves the socket usable.
{
  const [a, b] = socketpair();
  a.setblocking(false);
  const ac = new AbortController();
  const pending = sock_recv(a, 10, { signal: ac.signal });
  setTimeout(() => ac.abort(), 10);
  await assert.rejects(pending, (e) => e instanceof AbortError);
  b.send(Buffer.from('after'));
  assert.equal((await sock_recv(a, 10)).toString(), 'after');
  a.close();
  b.close();
}

// A BufferedProtocol client: get_buffer / buffer_updated, then eof_received and connection_lost.
{
  class Collect extends BufferedProtocol {
    area = Buffer.alloc(64);
    got = [];
    lost = new Promise((r) => (this.done = r));
    get_buffer() {
      return this.area;
    }
    buffer_updated(n) {
      this.got.push(this.area.subarray(0, n).toString());
    }
    eof_received() {
      this.got.push('<eof>');
    }
    connection_lost(e) {
      this.done(e);
    }
  }
  const server = await create_server(() => new (class extends Protocol {
    connection_made(t) {
      t.write(Buffer.from('buffered'));
      t.close();
    }
  })(), '127.0.0.1', 0);
  const [, p] = await create_connection(() => new Collect(), '127.0.0.1', port(server));
  assert.equal(await p.lost, null);
  assert.equal(p.got.join(''), 'buffered<eof>');
  server.close();
  await server.wait_closed();
}

// sock_sendfile sends a file's bytes; sock_recv_into fills a buffer.
{
  const file = path.join(tempdir(), 'body.txt');
  fs.writeFileSync(file, 'the file body');
  const [a, b] = socketpair();
  a.setblocking(false);
  b.setblocking(false);
  const fd = fs.openSync(file, 'r');
  assert.equal(await sock_sendfile(a, fd), 13);
  fs.closeSync(fd);
  const into = Buffer.alloc(32);
  const n = await sock_recv_into(b, into);
  assert.equal(into.subarray(0, n).toString(), 'the file body');
  a.close();
  b.close();
}

// sendfile through a transport: after what the protocol wrote first, then the transport closes.
{
  const file = path.join(tempdir(), 'served.txt');
  fs.writeFileSync(file, 'a file served through a transport');
  const fd = fs.openSync(file, 'r');
  let sent = null;
  class Sender extends Protocol {
    connection_made(t) {
      t.write(Buffer.from('header:'));
      sent = sendfile(t, fd, 2).finally(() => t.close());
    }
  }
  const server = await create_server(() => new Sender(), '127.0.0.1', 0);
  const [reader, writer] = await open_connection('127.0.0.1', port(server));
  assert.equal((await reader.read(-1)).toString(), 'header:file served through a transport');
  assert.equal(await sent, 31);
  fs.closeSync(fd);
  writer.close();
  server.close();
  await server.wait_closed();
}

// A datagram transport's pause_reading: what comes while it is paused waits,
// and all of it comes, in order, once it resumes.
{
  class Held extends DatagramProtocol {
    got = [];
    waiting = null;
    connection_made(t) {
      this.t = t;
    }
    datagram_received(data) {
      this.got.push(data.toString());
      if (this.got.length === 1) this.t.pause_reading();
      if (this.got.length === 3) this.waiting?.();
    }
  }
  const [t, p] = await create_datagram_endpoint(() => new Held(), { local_addr: ['127.0.0.1', 0] });
  const s = socket(AF_INET, SOCK_DGRAM);
  for (const d of ['a', 'b', 'c']) s.sendto(Buffer.from(d), t.get_extra_info('sockname'));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(p.got, ['a']);
  assert.equal(t.is_reading(), false);
  const all = new Promise((r) => (p.waiting = r));
  t.resume_reading();
  await all;
  assert.deepEqual(p.got, ['a', 'b', 'c']);
  s.close();
  t.close();
}

// Datagram endpoints: a DatagramProtocol each, datagrams both ways, and a
// refusal (nobody at the peer's address any more) as error_received. Last, as
// Wine (scripts/test-wine.js) reports no refusal and the wait for it fails.
{
  class Dgram extends DatagramProtocol {
    got = [];
    errors = [];
    waiting = null;
    datagram_received(data, addr) {
      this.got.push([data.toString(), addr]);
      this.waiting?.();
    }
    error_received(e) {
      this.errors.push(e);
      this.waiting?.();
    }
    next() {
      return new Promise((r) => (this.waiting = r));
    }
  }
  const [a, pa] = await create_datagram_endpoint(() => new Dgram(), { local_addr: ['127.0.0.1', 0] });
  const aAddr = a.get_extra_info('sockname');
  const [b, pb] = await create_datagram_endpoint(() => new Dgram(), { remote_addr: aAddr });
  const bAddr = b.get_extra_info('sockname');
  assert.deepEqual(b.get_extra_info('peername'), aAddr);
  let w = pa.next();
  b.sendto(Buffer.from('one'));
  await w;
  assert.deepEqual(pa.got, [['one', bAddr]]);
  w = pb.next();
  a.sendto(Buffer.from('two'), bAddr);
  await w;
  assert.deepEqual(pb.got, [['two', aAddr]]);
  a.close();
  await new Promise((r) => setTimeout(r, 20));
  w = pb.next();
  b.sendto(Buffer.from('three'));
  b.sendto(Buffer.from('four'));
  // The ICMP port unreachable comes back as ECONNREFUSED, and on Windows as
  // WSAECONNRESET on the next receive (Python's ConnectionResetError there).
  const late = setTimeout(() => {
    console.error('no error_received within 5 s for datagrams sent to a closed port');
    process.exit(1);
  }, 5000);
  await w;
  clearTimeout(late);
  const refused = process.platform === 'win32' ? ConnectionResetError : ConnectionRefusedError;
  assert.ok(pb.errors[0] instanceof refused, String(pb.errors[0]));
  b.close();
}

run.done();
