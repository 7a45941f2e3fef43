// Every script of test/portable/ (one per area of the public API) under each
// runtime bsdsock supports: Node (libuv's loop), and Bun and Deno (the addon's
// own poller thread). npm install puts Bun and Deno in node_modules
// (devDependencies): a runtime that is missing there fails its tests. Each
// run must print exactly "ok" and exit by itself within its time limit.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers/sockets';

const DIR = path.join(ROOT, 'test', 'portable');
const SCRIPTS = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.mjs'))
  .sort();
const LIMIT_MS = 30_000;

/** The first of `candidates` (paths under node_modules) that exists. */
function binary(...candidates: string[]): string {
  const found = candidates.map((c) => path.join(ROOT, 'node_modules', c)).find((p) => fs.existsSync(p));
  if (found === undefined) throw new Error(`not installed (npm install puts it at node_modules/${candidates.join(' or node_modules/')})`);
  return found;
}

// Deno runs without its V8 code cache: the cache has served the code of a
// dist/ file rebuilt in place from before the rebuild.
const RUNTIMES: [name: string, command: (script: string) => [string, string[]]][] = [
  ['node', (script) => [process.execPath, [script]]],
  ['deno', (script) => [binary('deno/deno', '.bin/deno'), ['run', '-A', '--no-code-cache', script]]],
  ['bun', (script) => [binary('bun/bin/bun.exe', '.bin/bun'), [script]]],
];

describe('the public API on every runtime', () => {
  it('has its scripts', () => {
    expect(SCRIPTS).toEqual(expect.arrayContaining(['asyncio.mjs', 'entrypoints.mjs', 'makefile.mjs', 'modes.mjs', 'resolver.mjs', 'select.mjs', 'signals.mjs', 'sockets.mjs']));
  });
  for (const script of SCRIPTS) {
    for (const [name, command] of RUNTIMES) {
      it(`runs test/portable/${script} under ${name} and exits by itself`, () => {
        const [file, args] = command(path.join(DIR, script));
        const r = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', timeout: LIMIT_MS, killSignal: 'SIGKILL' });
        expect(r.error, `test/portable/${script} under ${name} did not finish within ${LIMIT_MS} ms`).toBeUndefined();
        expect({ script, runtime: name, status: r.status, stdout: r.stdout, stderr: r.stderr }).toMatchObject({ status: 0, stdout: 'ok\n' });
      }, LIMIT_MS + 5_000);
    }
  }
});
