// npm run bench's harness, run with tiny counts: every workload's programs (C,
// the floor, bsdsock, CPython, node, Bun and Deno) start, meet their peers,
// finish and report, and bench/run.js prints one table per workload with a
// rate and a CPU time in every row. It checks the programs, not their speed:
// no figure is compared with anything.

import * as path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers/sockets';
import { runSync } from './helpers/run';

const RUN = path.join(ROOT, 'bench', 'run.js');
const INSTRUCTIONS = path.join(ROOT, 'bench', 'instructions.js');
const LIMIT_MS = 600_000;

const TINY = {
  BENCH_REPEAT: '1',
  BENCH_ROUNDS: '300',
  BENCH_BULK_MIB: '4',
  BENCH_CALLS: '300',
  BENCH_DATAGRAMS: '640',
  BENCH_WAIT_CALLS: '20',
};

/** The tables of run.js's output: each one's title and the cells of its rows. */
function tables(stdout: string): { title: string; rows: string[][] }[] {
  const out: { title: string; rows: string[][] }[] = [];
  const blocks = stdout.split('\n\n').slice(1);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.length > 0);
    const header = lines.findIndex((l) => l.trimStart().startsWith('implementation'));
    if (header < 0) continue;
    // A note under the rows is in parentheses, as those above the header are.
    const rows = lines.slice(header + 1).filter((l) => !l.trimStart().startsWith('(')).map((l) => l.trim().split(/\s{3,}/));
    out.push({ title: lines[0]!, rows });
  }
  return out;
}

describe('npm run bench (tiny counts)', () => {
  it('prints a table for every workload, every row with a rate and, but for the floor, a CPU time', () => {
    const ids = runSync(process.execPath, [RUN, '--list'], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(ids).toContain('udp');
    expect(ids).toContain('rt-echo');
    const r = runSync(process.execPath, [RUN, '--quick'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...TINY },
      timeout: LIMIT_MS,
      killSignal: 'SIGKILL',
    });
    expect(r.error, `bench/run.js did not finish within ${LIMIT_MS} ms`).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const found = tables(r.stdout);
    expect(found).toHaveLength(ids.length);
    for (const { title, rows } of found) {
      expect(rows.length, title).toBeGreaterThanOrEqual(2);
      for (const cells of rows) {
        const [label, median, min, max, cpu] = cells;
        const where = `${title}\n  ${cells.join(' | ')}`;
        // A failed row shows '-' and its error instead of a rate.
        expect(median, where).toMatch(/^[\d,]+$/);
        expect(min, where).toMatch(/^[\d,]+$/);
        expect(max, where).toMatch(/^[\d,]+$/);
        if (!label!.startsWith('floor')) expect(cpu, where).toMatch(/^\d+\.\d+$/);
      }
    }
    // The runtime workloads ran bsdsock and each runtime's own API on Node, Bun and Deno.
    const runtimes = found.filter((t) => t.title.includes('on Node, Bun and Deno'));
    expect(runtimes).toHaveLength(3);
    for (const { rows } of runtimes) {
      const labels = rows.map((c) => c[0]);
      for (const name of ['Node', 'Bun', 'Deno']) expect(labels.some((l) => l!.startsWith(`bsdsock/asyncio on ${name}`))).toBe(true);
    }
  }, LIMIT_MS + 10_000);

  it('bench:instructions counts a round trip of each audp implementation under valgrind, or says valgrind is missing', () => {
    const hasValgrind = runSync('valgrind', ['--version']).status === 0;
    const r = runSync(process.execPath, [INSTRUCTIONS, '1000', '3000', '2000'], { cwd: ROOT, encoding: 'utf8', timeout: LIMIT_MS, killSignal: 'SIGKILL' });
    expect(r.error).toBeUndefined();
    if (!hasValgrind) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('valgrind is not installed');
      return;
    }
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s{3,}/));
    expect(rows.map((c) => c[0])).toEqual([
      'bsdsock/asyncio, two tasks',
      'bsdsock/asyncio, BSDSOCK_LOOKS=0',
      "event-loop floor with asyncio's call shapes",
      'event-loop floor: uv_poll + one promise per receive',
      'node:dgram',
    ]);
    // The counts are differences of two runs: each a positive number of instructions per round trip.
    for (const [label, count] of rows) expect(Number(count!.replaceAll(',', '')), label).toBeGreaterThan(0);
    expect(r.stdout).toContain('fewer than node:dgram');
  }, LIMIT_MS + 10_000);
});
