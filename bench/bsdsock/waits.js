'use strict';
// bsdsock on the wait workloads: one select(), poll object poll() or epoll
// poll() call at a time over 1,000 idle sockets (500 socketpairs) and one
// ready socket, no timeout (null: each call returns once the ready one is
// seen). The same code as bench/python/waits.py, line for line.
//
//   node waits.js select|poll|epoll CALLS WARMUP
//
// Prints one JSON line.

const { socketpair } = require('bsdsock');
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

function main(argv) {
  const [workload, calls, warmup] = [argv[2], Number(argv[3]), Number(argv[4])];
  const { socks, keep } = makeSockets();
  const maxfd = Math.max(...socks.map((s) => s.fileno()));
  let t0;
  if (workload === 'select') {
    selectCalls(socks, warmup);
    t0 = process.hrtime.bigint();
    selectCalls(socks, calls);
  } else if (workload === 'poll') {
    const p = poll();
    for (const s of socks) p.register(s, POLLIN);
    pollCalls(p, warmup);
    t0 = process.hrtime.bigint();
    pollCalls(p, calls);
  } else if (workload === 'epoll') {
    const ep = new epoll();
    for (const s of socks) ep.register(s, EPOLLIN);
    epollCalls(ep, warmup);
    t0 = process.hrtime.bigint();
    epollCalls(ep, calls);
  } else {
    throw new Error(`unknown workload: ${workload}`);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'bsdsock', workload, calls, ns, maxfd }));
  for (const s of socks) s.close();
  keep.close();
}

main(process.argv);
