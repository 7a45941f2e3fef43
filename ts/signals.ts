// Signals, as CPython handles them (PEP 475): a signal's `process.on`
// listeners run inside the blocking call the signal interrupted, and the call
// then goes on with the time it has left; a listener that throws ends the call
// with its exception. A signal that comes during a call that ends all the same
// (MSG_WAITALL with the bytes it has) has its listeners run as the call
// returns, and one that throws takes the result's place (CPython runs the
// handler as soon as the call returns). A signal that comes between blocking calls has its
// listeners run before the next one starts, or when the event loop turns,
// whichever comes first; each signal's listeners run once.
//
// Node runs listeners only when its loop turns, which a blocked program (or a
// plain `while` loop around blocking calls) never lets happen. So for each
// signal that has listeners, the addon's handler takes the place of libuv's
// (crates/core/src/sys/unix/signals.rs), and the addon calls `run` below, from inside
// the call or from an async handle on the loop (crates/node/src/signals.rs).
// Only the main thread handles signals, as in CPython and in Node: a worker's
// blocking calls are not interrupted.

import * as os from 'node:os';
import { isMainThread } from 'node:worker_threads';

import { cint } from './convert';
import { OSError, takeError } from './errors';
import { native } from './native';

const SIGNAL_NAMES = new Map(Object.entries(os.constants.signals).map(([name, n]) => [n, name]));
/** Signals that `siginterrupt(sig, false)` keeps out: their listeners run when the loop turns. */
const restarting = new Set<string>();

/** process.emit for any event and arguments (its typings know only a signal's name). */
const emit = process.emit.bind(process) as (event: string, ...args: unknown[]) => boolean;

/** Bun's process.emit does not throw what a listener threw: it hands it to the
 * 'uncaughtException' listeners at once, or reports it as uncaught. */
const onBun = process.versions.bun !== undefined;

/** Runs one signal's listeners with the arguments Node's own signal handling gives them;
 * throws what the first listener to throw threw. */
function run(signum: number): void {
  const name = SIGNAL_NAMES.get(signum);
  if (name === undefined) return;
  if (!onBun) {
    emit(name, name, signum);
    return;
  }
  const thrown: unknown[] = [];
  const keep = (e: unknown): void => void thrown.push(e);
  process.on('uncaughtException', keep);
  try {
    emit(name, name, signum);
  } finally {
    process.off('uncaughtException', keep);
  }
  if (thrown.length > 0) throw thrown[0];
}

function isSignal(event: string | symbol): event is NodeJS.Signals {
  return typeof event === 'string' && event in os.constants.signals;
}

/** Tells the addon whether `name`'s listeners run inside blocking calls: while it has
 * listeners (`adding`: one more is about to be added) and siginterrupt allows. */
function follow(name: NodeJS.Signals, adding = 0): void {
  const on = process.listenerCount(name) + adding > 0 && !restarting.has(name);
  native.catchSignal(os.constants.signals[name], on, portable);
}

/**
 * Python's `signal.siginterrupt(signalnum, flag)`. With flag true (the default
 * for every signal), a signal's `process.on` listeners run inside the blocking
 * call it interrupts, which then goes on (PEP 475); with false, the call goes on
 * undisturbed and the listeners run when the event loop next turns.
 */
export function siginterrupt(signalnum: number, flag: boolean): void {
  const n = cint(signalnum);
  // Windows has no signals that interrupt calls, and Python there has no siginterrupt.
  if (process.platform === 'win32') throw new OSError('siginterrupt is not available on Windows');
  // Python's checks: the number's range (ValueError), then sigaction(2)'s (EINVAL for SIGKILL, SIGSTOP, the C library's own).
  if (!native.signalCheck(n)) throw takeError();
  // A signal Node has no name for (a real-time one) has no listener to run: nothing else to do.
  const name = SIGNAL_NAMES.get(n);
  if (name === undefined || !isSignal(name)) return;
  if (flag) restarting.delete(name);
  else restarting.add(name);
  if (isMainThread) follow(name);
}

/** Bun and Deno, which have no libuv loop for the addon to share: a thread of the addon wakes
 * their loop for a signal that comes while it is idle. Each installs its own handler for a
 * signal just after the signal's listener is added ('newListener' comes first), and Deno's
 * calls the one it replaced: the addon's goes in front of theirs at the next wait, and runs
 * the listeners itself (theirs, left out, would run them a second time). */
const portable = onBun || 'Deno' in globalThis;

if (isMainThread && process.platform !== 'win32' && native.signalsInit(run, portable)) {
  // libuv installs its handler when a signal gets its first listener (Node's own
  // 'newListener' listener, which runs before this one): ours goes in front of it.
  process.on('newListener', (event: string | symbol) => {
    if (isSignal(event)) follow(event, 1);
  });
  process.on('removeListener', (event: string | symbol) => {
    if (isSignal(event)) follow(event);
  });
  for (const name of process.eventNames()) if (isSignal(name)) follow(name);
}
