// Child processes that tests wait for synchronously. spawnSync blocks the
// worker's event loop, so vitest's own per-test timeout cannot fire while it
// waits: every such child gets a time limit here instead, is killed when it
// passes it, and the test fails naming the command.

import { spawnSync, type SpawnSyncOptionsWithStringEncoding, type SpawnSyncReturns } from 'node:child_process';

/** How long a child may run when its caller names no limit. */
export const CHILD_LIMIT_MS = 30_000;

/**
 * spawnSync(file, args, options) with text output, under a time limit
 * (`options.timeout`, or CHILD_LIMIT_MS): a child still running then is killed
 * with SIGKILL and this throws, naming the command and the limit.
 */
export function runSync(file: string, args: readonly string[], options: Partial<SpawnSyncOptionsWithStringEncoding> = {}): SpawnSyncReturns<string> {
  const timeout = options.timeout ?? CHILD_LIMIT_MS;
  const r = spawnSync(file, args, { encoding: 'utf8', killSignal: 'SIGKILL', ...options, timeout });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    const shown = [file, ...args].map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a)).join(' ');
    throw new Error(`${shown} did not finish within ${timeout} ms (killed)`);
  }
  return r;
}

/**
 * Runs `cmd args` under `prlimit --nofile=N:N` (at most `limit` open fds) and
 * returns its stdout, trimmed; throws, with its stderr, when it fails.
 */
export function underFdLimit(limit: number, cmd: string, args: readonly string[], timeout = CHILD_LIMIT_MS): string {
  const run = runSync('prlimit', [`--nofile=${limit}:${limit}`, cmd, ...args], { timeout });
  if (run.status !== 0) throw new Error(`${cmd} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return run.stdout.trim();
}
