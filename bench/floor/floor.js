'use strict';
// The N-API floor of the blocking workloads: the crossings bsdsock makes into
// its addon, and nothing else. Each unit calls the no-op functions of
// floor.c (compiled by run.js; its path in BENCH_FLOOR_ADDON) with the
// arguments bsdsock's facade passes to its own addon (ts/native.ts) and the
// same result shape, as many times as bsdsock calls it for one unit of the
// workload. run.js adds the time per unit to the C program's time of the same
// run: the floor is C's syscalls plus these crossings.
//
//   node floor.js WORKLOAD COUNT WARMUP   (the workload's own COUNT and WARMUP, as run.js gives C)
//
// Prints one JSON line: {"workload", "units", "per", "ns"}, `per` being the
// workload units (datagrams) one crossing unit stands for; for bulk the unit
// is one recv_into call (run.js counts C's recv calls; COUNT is bytes).

const noop = require(process.env.BENCH_FLOOR_ADDON);

const FD = 3;
const T = -1; // no timeout: blocking
const MSG = Buffer.alloc(64, 'x');
// The receive slab: bsdsock hands the addon its ArrayBuffer (ts/slab.ts).
const AREA = new ArrayBuffer(64 * 1024);
const BULK = Buffer.alloc(256 * 1024);
const SOCKADDR = Buffer.alloc(16);
const BLOCK = new Int32Array(16);
const BURST = 32;
const MSGS = Array.from({ length: BURST }, () => MSG);
const BUFS = Array.from({ length: BURST }, () => Buffer.alloc(2048));
const META = new Int32Array(BURST * 4);
const FRESH = [];
const [R, W, X] = [new Int32Array(1001), new Int32Array(0), new Int32Array(0)];
const [FDS, EVENTS, REVENTS] = [new Int32Array(1001), new Int32Array(1001), new Int32Array(1001)];
const OUT = new Int32Array(2 * 1023);

// One unit of each workload: bsdsock's native calls, in order.
const UNITS = {
  udp: () => {
    noop.int(FD, MSG, 0, T, SOCKADDR); // sendto
    noop.int(FD, AREA, 0, 4096, 0, T); // recvfrom (recvfromInto)
  },
  bulk: () => noop.int(FD, BULK, 0, BULK.length, 0, T), // recv_into
  rr: () => {
    noop.bool(FD, MSG, 0, T); // sendall
    noop.int(FD, AREA, 0, 64, 0, T); // recv (recvInto)
  },
  gai: () => noop.str('127.0.0.1', '80', 2, 1, 0, 0, BLOCK),
  'gai-localhost': () => noop.str('localhost', '80', 2, 1, 0, 0, BLOCK),
  burst: () => {
    noop.int(FD, MSG, 0, T, SOCKADDR); // sendto
    noop.int(FD, AREA, 0, 2048, 0, T); // recvfrom
  },
  'burst-mmsg': () => {
    noop.int(FD, MSGS, SOCKADDR, 0, T); // sendmmsg
    noop.int(FD, BUFS, META, FRESH, 0, T); // recvmmsg_into
  },
  select: () => noop.int(R, W, X, T),
  poll: () => noop.int(FDS, EVENTS, REVENTS, T),
  epoll: () => noop.int(FD, OUT, T),
  wouldblock: () => noop.int(FD, AREA, 0, 64, 0, 0), // recv: -1 from the addon; the throw is the facade's
};

function repeat(unit, n) {
  for (let i = 0; i < n; i++) unit();
}

// Workload units per crossing unit: bytes per recv_into (about 64 KiB on loopback), datagrams per batch.
const PER = { bulk: 64 * 1024, 'burst-mmsg': BURST };

function main(argv) {
  const [workload, count, warmup] = [argv[2], Number(argv[3]), Number(argv[4])];
  const unit = UNITS[workload];
  if (!unit) throw new Error(`unknown workload: ${workload}`);
  const per = PER[workload] ?? 1;
  const units = Math.max(1000, Math.ceil(count / per));
  repeat(unit, Math.max(100, Math.ceil(warmup / per)));
  const t0 = process.hrtime.bigint();
  repeat(unit, units);
  const ns = Number(process.hrtime.bigint() - t0);
  console.log(JSON.stringify({ impl: 'floor', workload, units, per, ns }));
}

main(process.argv);
