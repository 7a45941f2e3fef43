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

  it('bench:instructions counts a round trip of each implementation under valgrind (audp, and prr with its late client), or says valgrind is missing', () => {
    const hasValgrind = runSync('valgrind', ['--version']).status === 0;
    // audp alone, then prr alone: the late peers' workloads need more round trips than audp to rise above the noise.
    const run = (only: string, counts: string[]) =>
      runSync(process.execPath, [INSTRUCTIONS, ...counts], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BENCH_ONLY: only }, timeout: LIMIT_MS / 2, killSignal: 'SIGKILL' });
    const audp = run('audp', ['1000', '3000', '2000']);
    expect(audp.error).toBeUndefined();
    if (!hasValgrind) {
      expect(audp.status).toBe(1);
      expect(audp.stderr).toContain('valgrind is not installed');
      return;
    }
    const prr = run('prr', ['5000', '15000', '2000']);
    const labels: Record<string, string[]> = {
      audp: [
        'bsdsock/asyncio, two tasks',
        'bsdsock/asyncio, BSDSOCK_LOOKS=0',
        "event-loop floor with asyncio's call shapes",
        'event-loop floor: uv_poll + one promise per receive',
        'node:dgram',
      ],
      prr: ['bsdsock/asyncio Protocol (create_server)', 'event-loop floor: a uv_poll callback', 'node:net server'],
    };
    for (const [id, r] of [['audp', audp], ['prr', prr]] as const) {
      expect(r.error, id).toBeUndefined();
      expect(r.status, r.stderr).toBe(0);
      // The workload's title, then a row per implementation: a positive count (the difference of two runs per
      // round trip), and how many times fewer than node's.
      const [title, ...lines] = r.stdout.trim().split('\n');
      expect(title!.split(':')[0]).toBe(id);
      const rows = lines.map((l) => l.trim().split(/\s{3,}/));
      expect(rows.map((c) => c[0]), id).toEqual(labels[id]);
      for (const [label, count] of rows) expect(Number(count!.replaceAll(',', '')), `${id}: ${label}`).toBeGreaterThan(0);
      const node = labels[id]!.at(-1)!;
      for (const row of rows.slice(0, -1)) expect(row[2], `${id}: ${row[0]}`).toMatch(new RegExp(`^\\d+\\.\\d\\dx fewer than ${node}$`));
    }
    const unknown = run('nonesuch', ['1', '2']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('BENCH_ONLY: no workload nonesuch (there are audp, dping, arr, prr)');
  }, LIMIT_MS + 10_000);
});
