// Runs programs in both interpreters (bsdsock under Node, CPython) and compares
// them step by step; drives fast-check over generated programs.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

import fc from 'fast-check';

import { programs, stepsOf } from './gen.mjs';
import { KNOWN } from './known.mjs';

export { admitted } from './gen.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');

/** A step that takes longer than this is taken to hang; its interpreter is killed. */
const STEP_LIMIT_MS = 2500;

/** One interpreter in a child process, fed one program per line. */
class Side {
  constructor(name, command, args) {
    this.name = name;
    this.command = command;
    this.args = args;
    this.child = null;
  }

  start() {
    const child = spawn(this.command, this.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.buffer = '';
    child.stderrTail = '';
    child.onLine = null;
    child.stdout.on('data', (chunk) => {
      child.buffer += chunk;
      let nl;
      while ((nl = child.buffer.indexOf('\n')) >= 0) {
        const line = child.buffer.slice(0, nl);
        child.buffer = child.buffer.slice(nl + 1);
        child.onLine?.(JSON.parse(line));
      }
    });
    child.stderr.on('data', (chunk) => {
      child.stderrTail = (child.stderrTail + chunk).slice(-2000);
    });
    child.stdin.on('error', () => {});
    this.child = child;
    return child;
  }

  /** The program's step results; `hung` or `died` when it did not reach the end. */
  run(steps, tmp) {
    const child = this.child ?? this.start();
    const results = [];
    return new Promise((resolve) => {
      let timer;
      const finish = (outcome) => {
        clearTimeout(timer);
        child.onLine = null;
        child.removeListener('exit', onExit);
        resolve({ results, ...outcome });
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.stop();
          finish({ hung: true });
        }, STEP_LIMIT_MS);
      };
      const onExit = (code, signal) => {
        this.child = null;
        finish({ died: `${code ?? signal}: ${child.stderrTail}` });
      };
      child.on('exit', onExit);
      child.onLine = (msg) => {
        if (msg.end) finish({});
        else {
          results.push(msg.r);
          arm();
        }
      };
      arm();
      child.stdin.write(`${JSON.stringify({ tmp, steps })}\n`);
    });
  }

  stop() {
    if (this.child === null) return;
    this.child.removeAllListeners('exit');
    this.child.kill('SIGKILL');
    this.child = null;
  }
}

/** Both interpreters. */
export class Runner {
  constructor() {
    this.node = new Side('bsdsock', process.execPath, [path.join(HERE, 'interp.cjs'), ROOT]);
    this.python = new Side('python', 'python3', [path.join(HERE, 'interp.py')]);
    this.base = fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-diff-'));
    this.programs = 0;
    this.steps = 0;
    /** op -> outcome kind -> how many steps both sides ended so. */
    this.coverage = {};
    /** known difference id -> how many programs it ended. */
    this.known = {};
  }

  /** Counts the outcomes of steps both sides agreed on. */
  count(steps, { node }) {
    steps.forEach((step, i) => {
      const kinds = (this.coverage[step.op] ??= {});
      const kind = outcomeKind(node.results[i]);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    });
  }

  async run(steps) {
    const n = this.programs++;
    const dirs = ['py', 'js'].map((side) => path.join(this.base, `${n}-${side}`));
    for (const dir of dirs) fs.mkdirSync(dir);
    try {
      const [python, node] = await Promise.all([this.python.run(steps, dirs[0]), this.node.run(steps, dirs[1])]);
      this.steps += steps.length;
      return { python, node };
    } finally {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  close() {
    this.node.stop();
    this.python.stop();
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}

/**
 * Python's outcome as bsdsock must report it: ValueError and OverflowError are
 * RangeError. (An address is an array, which bsdsock's messages call a tuple, as Python's do.)
 */
export function expected(r) {
  if (r === undefined) return r;
  if ('e' in r) return expectedError(r);
  return 'v' in r ? { ...r, v: expectedValue(r.v) } : r;
}

function expectedError(r) {
  let { e, msg } = r;
  if (e === 'ValueError' || e === 'OverflowError') e = 'RangeError';
  if (e === 'KeyError' && /^(['"]).*\1$/s.test(msg)) msg = msg.slice(1, -1);
  return { ...r, e, msg };
}

/** A value with the errors it holds (a datagram transport's error_received events) as bsdsock's. */
function expectedValue(v) {
  if (Array.isArray(v)) return v.map(expectedValue);
  return v !== null && typeof v === 'object' && 'e' in v && 'msg' in v ? expectedError(v) : v;
}

/** The outcome of step i of one side: its result, or how the side ended before it. */
function at(side, i) {
  if (i < side.results.length) return side.results[i];
  if (side.hung) return { hang: true };
  return { died: side.died ?? 'no result' };
}

/** What kind of outcome a result is, for telling mismatches apart. */
export function outcomeKind(r) {
  if (r.hang) return 'hang';
  if (r.died) return 'died';
  if ('e' in r) return r.errno === null ? r.e : `${r.e}(${r.errno})`;
  return 'value';
}

/** The key that tells two mismatches apart: the op, and both outcomes' kinds. */
export function mismatchKey(m) {
  return `${m.step.op}: python ${outcomeKind(m.python)}, bsdsock ${outcomeKind(m.node)}`;
}

/**
 * Whether a mismatch is both sides waiting past the step's deadline: the two
 * agree, and the generator's model was wrong to expect a result (an asyncio
 * step, or a call it took to return at once). The program is unfinished, not
 * a difference between bsdsock and CPython.
 */
export function bothHung(m) {
  return Boolean((m.python.hang && m.node.hang) || (m.python.e === 'Timeout' && m.node.e === 'Timeout'));
}

/**
 * Compares the two runs step by step. The first step that differs is the
 * mismatch, unless a known difference (or one of `accepted`'s keys) covers it;
 * either way the steps after it are not compared, as the two programs' states
 * may differ from there on.
 */
export function compare(steps, { python, node }, accepted = new Set()) {
  for (let i = 0; i < steps.length; i++) {
    const py = at(python, i);
    const js = at(node, i);
    const want = expected(py);
    const mismatch = { index: i, step: steps[i], python: py, node: js };
    // Both hanging is the generator's fault (see bothHung): reported, for its model to be mended.
    if (bothHung(mismatch)) return { ok: false, mismatch };
    if (isDeepStrictEqual(want, js)) {
      if (py.died) return { ok: true, stopped: i };
      continue;
    }
    const history = steps.slice(0, i).map((step, j) => ({ step, python: python.results[j] }));
    const known = KNOWN.find((k) => k.matches(steps[i], want, js, history));
    if (known) return { ok: true, known: known.id, stopped: i };
    if (accepted.has(mismatchKey(mismatch))) return { ok: true, accepted: mismatchKey(mismatch), stopped: i };
    return { ok: false, mismatch };
  }
  return { ok: true };
}

/** A mismatch as a replayable report: the program, and both sides' results. */
export function report(steps, runs, mismatch) {
  const lines = [`mismatch at step ${mismatch.index}: ${mismatchKey(mismatch)}`, `program: ${JSON.stringify({ steps })}`, 'step | python | bsdsock'];
  steps.forEach((step, i) => {
    const mark = i === mismatch.index ? '>>' : '  ';
    lines.push(`${mark} ${i} ${JSON.stringify(step)}\n     python:  ${JSON.stringify(at(runs.python, i))}\n     bsdsock: ${JSON.stringify(at(runs.node, i))}`);
  });
  return lines.join('\n');
}

/**
 * Runs fast-check over generated programs until a mismatch (shrunk to the
 * smallest program) or `numRuns` programs. Returns the mismatch, if any, with
 * its steps and both runs.
 */
export async function fuzz(runner, { seed, numRuns, maxSteps = 30, accepted = new Set(), timeLimitMs }) {
  let last = null;
  const property = fc.asyncProperty(programs(maxSteps), async (commands) => {
    const steps = stepsOf(commands);
    const runs = await runner.run(steps);
    const verdict = compare(steps, runs, accepted);
    runner.count(steps.slice(0, verdict.stopped ?? verdict.mismatch?.index ?? steps.length), runs);
    if (verdict.known) runner.known[verdict.known] = (runner.known[verdict.known] ?? 0) + 1;
    if (!verdict.ok) {
      last = { steps, runs, mismatch: verdict.mismatch };
      return false;
    }
    return true;
  });
  const out = await fc.check(property, { seed, numRuns, ...(timeLimitMs ? { interruptAfterTimeLimit: timeLimitMs } : {}) });
  // fast-check counts a run its time limit interrupted before any program passed as failed: the deadline
  // came during the first program of this call, which is no mismatch.
  if (!out.failed || (out.interrupted && last === null)) return { runs: out.numRuns, failure: null };
  if (last === null) return { runs: out.numRuns, failure: null, error: String(out.errorInstance ?? out.error) };
  // The last failing run fast-check tried is the smallest it found.
  return { runs: out.numRuns, failure: last };
}

/** Replays a program (`{ steps }`): both runs and the comparison. */
export async function replay(runner, steps) {
  const runs = await runner.run(steps);
  return { runs, verdict: compare(steps, runs) };
}
