'use strict';
// bsdsock on the wait workloads: one select(), poll object poll() or epoll
// poll() call at a time over 1,000 idle sockets (500 socketpairs) and one
// ready socket, no timeout (null: each call returns once the ready one is
// seen). The same code as bench/python/waits.py, line for line. And
// wouldblock: recv() on a non-blocking socket with nothing to read, one
// BlockingIOError caught per call (non-blocking code's control flow).
//
//   node waits.js select|poll|epoll|wouldblock CALLS WARMUP
//
// Prints one JSON line.

const clock = require('../clock');
const { BlockingIOError, socketpair } = require('bsdsock');
const { select, poll, epoll, POLLIN, EPOLLIN } = require('bsdsock/select');

const PAIRS = 500;

function makeSockets() {
  const socks = [];
  for (let i = 0; i < PAIRS; i++) socks.push(...socketpair());
  const [ready, writer] = socketpair();
  writer.send(Buffer.from('x'));
  socks.push(ready);
  return { socks, keep: writer };
}

function expectOne(n) {
  if (n !== 1) throw new Error(`expected 1 ready socket, got ${n}`);
}

function selectCalls(rlist, calls) {
  for (let i = 0; i < calls; i++) expectOne(select(rlist, [], [], null)[0].length);
}

function pollCalls(p, calls) {
  for (let i = 0; i < calls; i++) expectOne(p.poll(null).length);
}

function epollCalls(ep, calls) {
  for (let i = 0; i < calls; i++) expectOne(ep.poll(null).length);
}

function wouldblockCalls(sock, calls) {
  for (let i = 0; i < calls; i++) {
    try {
      sock.recv(64);
      throw new Error('recv returned');
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
    }
  }
}

function wouldblock(calls, warmup) {
  const [sock, keep] = socketpair();
  sock.setblocking(false);
  wouldblockCalls(sock, warmup);
  const t0 = clock.start();
  wouldblockCalls(sock, calls);
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'bsdsock', workload: 'wouldblock', calls, ns, cpu_ns: clock.cpuNs() }));
  sock.close();
  keep.close();
}

function main(argv) {
  const [workload, calls, warmup] = [argv[2], Number(argv[3]), Number(argv[4])];
  if (workload === 'wouldblock') return wouldblock(calls, warmup);
  const { socks, keep } = makeSockets();
  const maxfd = Math.max(...socks.map((s) => s.fileno()));
  let t0;
  if (workload === 'select') {
    selectCalls(socks, warmup);
    t0 = clock.start();
    selectCalls(socks, calls);
  } else if (workload === 'poll') {
    const p = poll();
    for (const s of socks) p.register(s, POLLIN);
    pollCalls(p, warmup);
    t0 = clock.start();
    pollCalls(p, calls);
  } else if (workload === 'epoll') {
    const ep = new epoll();
    for (const s of socks) ep.register(s, EPOLLIN);
    epollCalls(ep, warmup);
    t0 = clock.start();
    epollCalls(ep, calls);
  } else {
    throw new Error(`unknown workload: ${workload}`);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'bsdsock', workload, calls, ns, maxfd, cpu_ns: clock.cpuNs() }));
  for (const s of socks) s.close();
  keep.close();
}

main(process.argv);
