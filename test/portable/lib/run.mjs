// What every portable script shares: a time limit of its own (unref'd, so
// that what keeps the process alive is the script's own doing), a temporary
// directory for Unix sockets, and the runtime's name.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout } from 'node:timers';

/** 'bun', 'deno' or 'node'. */
export const RUNTIME = process.versions.bun !== undefined ? 'bun' : 'Deno' in globalThis ? 'deno' : 'node';

export const WINDOWS = process.platform === 'win32';
export const LINUX = process.platform === 'linux';

/** Ends the process with status 1 after `ms`, naming `what`, unless `done()` comes first. */
export function limit(what, ms = 20000) {
  const timer = setTimeout(() => {
    console.error(`${what}: timed out after ${ms} ms under ${RUNTIME}`);
    process.exit(1);
  }, ms);
  timer.unref();
  return {
    done() {
      clearTimeout(timer);
      console.log('ok');
    },
  };
}

/** A new temporary directory, removed when the process exits. */
export function tempdir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-portable-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The error `f` throws (fails if it returns). */
export function thrown(f) {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an exception');
}

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
