// create_connection's happy_eyeballs_delay and interleave (asyncio's Happy
// Eyeballs, RFC 8305) against python3's asyncio on the same names and ports.
// The names need addresses of both families, which only /etc/hosts can give on
// loopback: fixtures/happy-eyeballs/race.cjs runs in mount and network
// namespaces of its own, with their hosts file bound over /etc/hosts and ::2
// added to their loopback, and runs race.py there beside itself. Skipped, saying
// why, where the OS does not let this process make those namespaces.

import { createRequire } from 'node:module';
import * as path from 'node:path';

import type { AddrInfo } from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { expected, outcomeAsync, python } from './helpers/python';
import { runSync } from './helpers/run';
import { ROOT } from './helpers/sockets';

const FIXTURE = path.join(__dirname, 'fixtures/happy-eyeballs');

/** The shell line that gives the namespaces their hosts file and addresses, then runs `"$@"`. */
const SETUP = `mount --bind ${JSON.stringify(path.join(FIXTURE, 'hosts'))} /etc/hosts && ip link set lo up && ip addr add ::2/128 dev lo nodad && exec "$@"`;

/** Why the namespaces cannot be made here, or null. */
function cannotIsolate(): string | null {
  const r = runSync('unshare', ['-m', '-n', 'sh', '-c', SETUP, 'sh', 'true'], { encoding: 'utf8' });
  return r.status === 0 ? null : `no mount and network namespaces here: ${r.stderr ?? r.error?.message ?? ''}`.trim();
}

const why = cannotIsolate();

/** What race.cjs prints: getaddrinfo's order for "many", and each side's results. */
interface Race {
  addresses: string[];
  python: Results;
  bsdsock: Results;
}

/** One side's results: the error of each option set against a closed port, the peer each race reached (and whether every fd made was closed), and the abandoned connects. */
interface Results {
  refused: string[];
  race: [[string, number], boolean];
  streams: [string, number];
  sequential: ['abandoned', boolean];
  both: ['abandoned', boolean];
}

describe.skipIf(why !== null)(`Happy Eyeballs against python3, over names of both families${why === null ? '' : ` (skipped: ${why})`}`, () => {
  const run = (): Race => {
    const r = runSync('unshare', ['-m', '-n', 'sh', '-c', SETUP, 'sh', process.execPath, path.join(FIXTURE, 'race.cjs'), ROOT], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`race.cjs failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout) as Race;
  };
  const race = why === null ? run() : null;

  it('the hosts file took: "many" resolves to two addresses of each family, IPv6 first', () => {
    expect(race!.addresses).toEqual(['::1', '::2', '127.0.0.1', '127.0.0.2']);
  });

  it("interleave orders the attempts as asyncio's _interleave_addrinfos, with or without Happy Eyeballs: the combined error names them in that order", () => {
    expect(race!.bsdsock.refused).toEqual(race!.python.refused);
    const order = (message: string): string[] => [...message.matchAll(/failed \('([^']+)'/g)].map((m) => m[1]!);
    // {}, interleave 1, 2, 3, the delay alone (interleave 1), the delay with interleave 0, delay 0 with interleave 2.
    expect(race!.bsdsock.refused.map(order)).toEqual([
      ['::1', '::2', '127.0.0.1', '127.0.0.2'],
      ['::1', '127.0.0.1', '::2', '127.0.0.2'],
      ['::1', '::2', '127.0.0.1', '127.0.0.2'],
      ['::1', '::2', '127.0.0.1', '127.0.0.2'],
      ['::1', '127.0.0.1', '::2', '127.0.0.2'],
      ['::1', '::2', '127.0.0.1', '127.0.0.2'],
      ['::1', '::2', '127.0.0.1', '127.0.0.2'],
    ]);
    expect(race!.bsdsock.refused[0]).toMatch(/^OSError: Multiple exceptions: \[Errno 111\] Connect call failed \('::1', 9, 0, 0\), /);
  });

  it("a connect that hangs (::1's queue is full) is overtaken by the next family's after the delay, and the loser's socket is closed", () => {
    expect(race!.bsdsock.race).toEqual(race!.python.race);
    expect(race!.bsdsock.race).toEqual([['127.0.0.1', 7001], true]);
  });

  it('open_connection passes happy_eyeballs_delay on to create_connection', () => {
    expect(race!.bsdsock.streams).toEqual(race!.python.streams);
    expect(race!.bsdsock.streams).toEqual(['127.0.0.1', 7001]);
  });

  it('without it the same connect waits on ::1 until abandoned; abandoning a race abandons every attempt in it; no fd is left', () => {
    expect(race!.bsdsock.sequential).toEqual(race!.python.sequential);
    expect(race!.bsdsock.both).toEqual(race!.python.both);
    expect([race!.bsdsock.sequential, race!.bsdsock.both]).toEqual([
      ['abandoned', true],
      ['abandoned', true],
    ]);
  });
});

describe("Happy Eyeballs' arguments", () => {
  /** Python's connect(**options): asyncio's create_connection to 127.0.0.1 port 1, where nothing listens. */
  const CONNECT_PY = String.raw`
import asyncio
async def _connect(options):
    await asyncio.get_running_loop().create_connection(asyncio.Protocol, '127.0.0.1', 1, **options)
def connect(**options):
    return asyncio.run(_connect(options))
`;

  it("refuses a delay or an interleave that is not a number, and a fractional interleave above 1, with Python's TypeErrors, before any connect", async () => {
    const cases: Record<string, asyncio.ConnectionOptions> = {
      delay: { happy_eyeballs_delay: 'x' as never },
      interleave: { interleave: 'a' as never },
      fraction: { interleave: 1.5 },
      fractionWithDelay: { interleave: 2.5, happy_eyeballs_delay: 0.1 },
    };
    const want = python(CONNECT_PY, {
        delay: "connect(happy_eyeballs_delay='x')",
        interleave: "connect(interleave='a')",
        fraction: 'connect(interleave=1.5)',
        fractionWithDelay: 'connect(interleave=2.5, happy_eyeballs_delay=0.1)',
      },
    );
    for (const [name, options] of Object.entries(cases)) {
      const got = await outcomeAsync(() => asyncio.create_connection(() => new asyncio.Protocol(), '127.0.0.1', 1, options));
      expect(got, name).toEqual(expected(want[name]!));
      expect(want[name], name).toHaveProperty('error', 'TypeError');
    }
  });

  it('a fractional interleave of 1 or less, a negative delay and a null one are taken, as in Python', async () => {
    const want = python(CONNECT_PY, {
        half: 'connect(interleave=0.5)',
        negative: 'connect(happy_eyeballs_delay=-1)',
        none: 'connect(happy_eyeballs_delay=None, interleave=None)',
      },
    );
    const cases: Record<string, asyncio.ConnectionOptions> = {
      half: { interleave: 0.5 },
      negative: { happy_eyeballs_delay: -1 },
      none: { happy_eyeballs_delay: null, interleave: null },
    };
    for (const [name, options] of Object.entries(cases)) {
      const got = await outcomeAsync(() => asyncio.create_connection(() => new asyncio.Protocol(), '127.0.0.1', 1, options));
      expect(got, name).toEqual(expected(want[name]!));
      expect(want[name], name).toHaveProperty('error', 'ConnectionRefusedError');
    }
  });
});

describe('the order of the attempts', () => {
  // The reordering alone, on lists no hosts file gives (three families, runs of one family, many
  // addresses), against asyncio's own _interleave_addrinfos. Never empty: create_connection has
  // refused an empty list before (Python's function fails on one).
  const { interleaveAddrinfos } = createRequire(import.meta.url)('../dist/cjs/asyncio/connections.js') as {
    interleaveAddrinfos: (infos: readonly AddrInfo[], firstFamilyCount?: number) => AddrInfo[];
  };

  it("is asyncio's _interleave_addrinfos for any list and any count", () => {
    const lists = fc.sample(
      fc.record({
        families: fc.array(fc.constantFrom(2, 10, 1), { minLength: 1, maxLength: 12 }),
        count: fc.integer({ min: -1, max: 5 }),
      }),
      { numRuns: 200, seed: 20261206 },
    );
    // Each address is named by its place in the list, so that the order is all there is to compare.
    const cases = lists.map(({ families, count }) => [families.map((f, i): AddrInfo => [f, 1, 6, '', [`a${i}`, i]] as unknown as AddrInfo), count] as const);
    const r = runSync('python3', ['-c', 'import json, sys\nfrom asyncio.base_events import _interleave_addrinfos as f\nprint(json.dumps([f([tuple(i) for i in infos], n) for infos, n in json.load(sys.stdin)]))'], {
      input: JSON.stringify(cases),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const want = JSON.parse(r.stdout) as unknown[];
    const got = cases.map(([infos, n]) => interleaveAddrinfos(infos, n));
    expect(JSON.parse(JSON.stringify(got))).toEqual(want);
    // The lists were of every kind: a family alone, two, three, and a count above the first family's length.
    expect(lists.some(({ families }) => new Set(families).size === 3)).toBe(true);
  });
});

