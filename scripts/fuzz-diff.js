#!/usr/bin/env node
'use strict';
// The differential fuzzer's long run: random programs of socket calls run in
// bsdsock and in CPython (test/diff/), compared step by step, for a time budget.
// Prints the programs and steps run and each distinct mismatch found (by op and
// both outcomes' kinds), shrunk to the smallest program, as JSON to replay.
//
//   npm run fuzz:diff -- [--seconds N] [--seed S] [--max-steps N] [--out DIR]
//   node scripts/fuzz-diff.js --replay file.json
//
// Each mismatch found is replayed (REPLAYS times) before it counts: one that no
// replay shows again came from the moment (the machine's load, a port another
// process held), not from bsdsock, and is printed as unconfirmed.
//
// Exits 1 when it found a confirmed mismatch that test/diff/known.mjs does not
// list. A program at which both sides hung is printed as a gap in the
// generator's model (it expected the step to end), not counted: bsdsock and
// CPython agreed there.

const fs = require('node:fs');
const path = require('node:path');

const REPLAYS = 10;

function parseArgs(argv) {
  const args = { seconds: 60, seed: Date.now() % 2 ** 31, maxSteps: 30, out: null, replay: null };
  for (let i = 0; i < argv.length; i++) {
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
      return argv[++i];
    };
    switch (argv[i]) {
      case '--seconds':
        args.seconds = Number(next());
        break;
      case '--seed':
        args.seed = Number(next());
        break;
      case '--max-steps':
        args.maxSteps = Number(next());
        break;
      case '--out':
        args.out = next();
        break;
      case '--replay':
        args.replay = next();
        break;
      default:
        throw new Error(`unknown argument ${argv[i]}; usage: fuzz-diff.js [--seconds N] [--seed S] [--max-steps N] [--out DIR] | --replay file.json`);
    }
  }
  return args;
}

async function replay(diff, runner, file) {
  const { steps } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { runs, verdict } = await diff.replay(runner, steps);
  if (verdict.ok) {
    console.log(verdict.known ? `known difference (${verdict.known}) at step ${verdict.stopped}` : 'both sides agree');
    steps.forEach((step, i) => console.log(`${i} ${JSON.stringify(step)}\n  python:  ${JSON.stringify(runs.python.results[i])}\n  bsdsock: ${JSON.stringify(runs.node.results[i])}`));
    return 0;
  }
  console.log(diff.report(steps, runs, verdict.mismatch));
  return 1;
}

/** How many of `REPLAYS` replays of a mismatching program mismatch again, the same way. */
async function confirmations(diff, runner, steps, key) {
  let seen = 0;
  for (let i = 0; i < REPLAYS; i++) {
    const { verdict } = await diff.replay(runner, steps);
    if (!verdict.ok && diff.mismatchKey(verdict.mismatch) === key) seen += 1;
  }
  return seen;
}

async function long(diff, runner, args) {
  const deadline = Date.now() + args.seconds * 1000;
  const found = new Map();
  const unconfirmed = new Map();
  const gaps = new Map();
  let seed = args.seed;
  console.log(`fuzz:diff: seed ${args.seed}, ${args.seconds} s`);
  while (Date.now() < deadline) {
    const accepted = new Set([...found.keys(), ...unconfirmed.keys(), ...gaps.keys()]);
    const result = await diff.fuzz(runner, { seed, numRuns: 1000, maxSteps: args.maxSteps, accepted, timeLimitMs: deadline - Date.now() });
    if (result.error) throw new Error(result.error);
    if (result.failure) {
      const { steps, runs, mismatch } = result.failure;
      const key = diff.mismatchKey(mismatch);
      const gap = diff.bothHung(mismatch);
      const seen = gap ? 0 : await confirmations(diff, runner, steps, key);
      const [into, label, name] = gap
        ? [gaps, `model gap #${gaps.size + 1}, both sides hung`, `gap-${gaps.size + 1}`]
        : seen > 0
          ? [found, `#${found.size + 1} (${seen} of ${REPLAYS} replays mismatched again)`, `mismatch-${found.size + 1}`]
          : [unconfirmed, `unconfirmed #${unconfirmed.size + 1} (no replay mismatched again)`, `unconfirmed-${unconfirmed.size + 1}`];
      into.set(key, result.failure);
      console.log(`\n${label} (seed ${seed}) ${diff.report(steps, runs, mismatch)}`);
      if (args.out) {
        fs.mkdirSync(args.out, { recursive: true });
        fs.writeFileSync(path.join(args.out, `${name}.json`), `${JSON.stringify({ key, steps }, null, 1)}\n`);
      }
    }
    seed += 1;
  }
  console.log('\nsteps both sides ended alike, by op and outcome:');
  for (const [op, kinds] of Object.entries(runner.coverage).sort()) {
    console.log(`  ${op.padEnd(14)} ${Object.entries(kinds).sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  }
  const { KNOWN } = await import(path.join(__dirname, '..', 'test', 'diff', 'known.mjs'));
  console.log('\nknown differences (test/diff/known.mjs), by the programs they ended:');
  for (const k of KNOWN) console.log(`  ${String(runner.known[k.id] ?? 0).padStart(6)}  ${k.id} (${k.kind})`);
  console.log(`\nfuzz:diff: ${runner.programs} programs, ${runner.steps} steps, ${found.size} distinct mismatch${found.size === 1 ? '' : 'es'}`);
  for (const key of found.keys()) console.log(`  ${key}`);
  if (unconfirmed.size > 0) {
    console.log(`and ${unconfirmed.size} that no replay showed again (not counted):`);
    for (const key of unconfirmed.keys()) console.log(`  ${key}`);
  }
  if (gaps.size > 0) {
    console.log(`and ${gaps.size} gap${gaps.size === 1 ? '' : 's'} in the generator's model, where both sides hung (not counted; test/diff/gen.mjs should not have expected an end):`);
    for (const key of gaps.keys()) console.log(`  ${key}`);
  }
  return found.size === 0 ? 0 : 1;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const diff = await import(path.join(__dirname, '..', 'test', 'diff', 'run.mjs'));
  const runner = new diff.Runner();
  try {
    return args.replay ? await replay(diff, runner, args.replay) : await long(diff, runner, args);
  } finally {
    runner.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(`fuzz:diff: ${e.stack ?? e}`);
    process.exitCode = 2;
  },
);
