// test/portable/asyncio.mjs under each runtime bsdsock/asyncio supports: Node
// (libuv's loop), and Bun and Deno (the addon's own poller thread). npm
// install puts Bun and Deno in node_modules (devDependencies): a runtime that
// is missing there fails its test.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from './helpers/sockets';

const SCRIPT = path.join(ROOT, 'test', 'portable', 'asyncio.mjs');
const LIMIT_MS = 30_000;

/** The first of `candidates` (paths under node_modules) that exists. */
function binary(...candidates: string[]): string {
  const found = candidates.map((c) => path.join(ROOT, 'node_modules', c)).find((p) => fs.existsSync(p));
  if (found === undefined) throw new Error(`not installed (npm install puts it at node_modules/${candidates.join(' or node_modules/')})`);
  return found;
}

const RUNTIMES: [name: string, command: () => [string, string[]]][] = [
  ['node', () => [process.execPath, [SCRIPT]]],
  ['deno', () => [binary('deno/deno', '.bin/deno'), ['run', '-A', SCRIPT]]],
  ['bun', () => [binary('bun/bin/bun.exe', '.bin/bun'), [SCRIPT]]],
];

describe('bsdsock/asyncio on every runtime', () => {
  for (const [name, command] of RUNTIMES) {
    it(`runs test/portable/asyncio.mjs under ${name} and exits by itself`, () => {
      const [file, args] = command();
      const r = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', timeout: LIMIT_MS, killSignal: 'SIGKILL' });
      expect(r.error, `${name} did not finish within ${LIMIT_MS} ms`).toBeUndefined();
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toMatchObject({ status: 0, stdout: 'ok\n' });
    }, LIMIT_MS + 5_000);
  }
});
