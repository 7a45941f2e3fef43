// python3 as the oracle: run many small cases in one python3 process and compare
// what bsdsock does with what Python does.
//
// A case's Python source is one or more statements; the value of the last one
// (when it is an expression) is the case's result. Results are JSON: bytes as
// { hex }, tuples and lists as arrays. An exception becomes its class name,
// str(e) and errno.
import * as path from 'node:path';
import * as bsdsock from 'bsdsock';
import * as asyncio from 'bsdsock/asyncio';
import * as select from 'bsdsock/select';
import * as selectors from 'bsdsock/selectors';
import { runSync } from './run';

export type Outcome =
  | { value: unknown }
  | { error: string; message: string; errno: number | null };

/** The Python side (oracle.py), run as a script. */
const ORACLE = path.join(__dirname, 'oracle.py');

/**
 * Runs every case in one python3 process. `setup` is Python run once first
 * (imports, helpers); if it defines `after_each()`, that runs after every case.
 */
export function python(setup: string, cases: Record<string, string>): Record<string, Outcome> {
  const run = runSync('python3', [ORACLE], {
    input: JSON.stringify([setup, cases]),
    encoding: 'utf8',
    // Thousands of cases' outcomes: more than spawnSync's 1 MiB.
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`python3 failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, Outcome>;
}

/**
 * The value of one Python expression (after `setup`), or an Error naming the
 * exception python3 raised: for the facts a test compares with.
 */
export function pythonValue<T>(expression: string, setup = 'import socket'): T {
  const r = python(setup, { v: expression }).v!;
  if ('error' in r) throw new Error(`python3: ${r.error}: ${r.message}`);
  return r.value as T;
}

/** A JS value in the oracle's encoding: bytes as { hex }, undefined (no return value) as null. */
export function encode(v: unknown): unknown {
  if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return v.map(encode);
  return v === undefined ? null : v;
}

/** The modules whose exported classes a thrown error may be. */
const MODULES = [bsdsock, select, selectors, asyncio] as Record<string, unknown>[];

/**
 * Runs `f` and describes the outcome as Python's would be once mapped to JS:
 * TypeError stays TypeError, a RangeError stands for ValueError/OverflowError,
 * and any other error is named by its class, which must be the export of that
 * name of bsdsock, bsdsock/select, bsdsock/selectors or bsdsock/asyncio (OSError's subclasses,
 * KeyError, RuntimeError).
 */
export function outcome(f: () => unknown): Outcome {
  try {
    return { value: encode(f()) };
  } catch (e) {
    return thrown(e);
  }
}

/** outcome() of an async `f`, once it settles. */
export async function outcomeAsync(f: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { value: encode(await f()) };
  } catch (e) {
    return thrown(e);
  }
}

function thrown(e: unknown): Outcome {
  if (!(e instanceof Error)) return { error: `thrown non-Error ${String(e)}`, message: '', errno: null };
  const errno = (e as { errno?: number | null }).errno ?? null;
  const name = e.constructor.name;
  const ours = MODULES.some((m) => m[name] === e.constructor);
  const builtin = e.constructor === TypeError || e.constructor === RangeError;
  return { error: ours || builtin ? name : `${name} (not a bsdsock class)`, message: e.message, errno };
}

/**
 * Python's outcome with its error class mapped to the JS class bsdsock must
 * throw; a KeyError's message without the quotes str() of a KeyError adds.
 */
export function expected(py: Outcome): Outcome {
  if (!('error' in py)) return py;
  let { error, message } = py;
  // ValueError and its Unicode subclasses, OverflowError, IndexError: RangeError; AttributeError (a method the
  // value's type lacks, `None.strip`): the TypeError JS gives a value of the wrong type.
  if (['ValueError', 'OverflowError', 'IndexError', 'UnicodeEncodeError', 'UnicodeDecodeError'].includes(error)) error = 'RangeError';
  if (error === 'AttributeError') error = 'TypeError';
  if (error === 'KeyError' && /^(['"]).*\1$/s.test(message)) message = message.slice(1, -1).replace(/\\(['"\\])/g, '$1');
  return { ...py, error, message };
}

/** An outcome with numbers of two or more digits (fds, ports) in its message made 'N'. */
export const normalize = (o: Outcome): Outcome =>
  'error' in o ? { ...o, message: o.message.replace(/\b\d{2,}\b/g, 'N') } : o;
