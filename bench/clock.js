'use strict';
// The timed interval of a benchmark program: its wall time, and the CPU time
// the whole process (every thread: user and system) spent in it. On loopback
// the wall time of an exchange is mostly the kernel's and the scheduler's
// (each end waits for the other to be woken), and moves with whatever else the
// machine runs; the CPU time a side spends per round trip is its own cost.
// Node, Bun and Deno all have process.cpuUsage().

let cpu0 = null;

/** Starts the interval: returns process.hrtime.bigint() and notes the CPU time used so far. */
function start() {
  cpu0 = process.cpuUsage();
  return process.hrtime.bigint();
}

/** The CPU time (ns) used since the last start(). */
function cpuNs() {
  if (cpu0 === null) throw new Error('clock.cpuNs() before clock.start()');
  const used = process.cpuUsage(cpu0);
  return (used.user + used.system) * 1000;
}

module.exports = { start, cpuNs };
