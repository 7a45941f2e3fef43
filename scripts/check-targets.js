#!/usr/bin/env node
// npm run check:targets: compiles the crates (the core and the addon) for every
// target bsdsock supports, not only this machine's, with
// `cargo clippy --workspace --target T -- -D warnings` (cargo check plus the
// lints), and the same over the core's tests (`-p bsdsock-core --all-targets`).
// No linker is needed, only each target's std library: a target whose std is
// not installed (`rustup target list --installed`) is skipped and said so.
// Exits non-zero when a checked target fails.
//
// The targets are package.json's napi.targets (the prebuilt binaries) and
// EXTRA, the systems that build from source only. `--list` prints them, one a
// line, for `rustup target add` (.ci/run).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));

/** Built from source there (no prebuilt package), and checked here all the same. */
const EXTRA = ['x86_64-unknown-freebsd'];

const targets = [...new Set([...((pkg.napi && pkg.napi.targets) || []), ...EXTRA])];

/** The targets whose std library rustup has installed, or null when rustup cannot say. */
function installed() {
  const run = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8' });
  if (run.status !== 0) return null;
  return new Set(run.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
}

function main() {
  if (process.argv.includes('--list')) {
    console.log(targets.join('\n'));
    return 0;
  }
  const have = installed();
  if (have === null) console.log('check:targets: rustup is not available; every target is skipped');
  // A target dir of its own, so these builds never wait on (or evict) the native one.
  const env = { ...process.env, CARGO_TARGET_DIR: process.env.CARGO_TARGET_DIR || path.join(root, 'target', 'cross') };
  const checked = [];
  const failed = [];
  const skipped = [];
  for (const target of targets) {
    if (have === null || !have.has(target)) {
      skipped.push(target);
      continue;
    }
    console.log(`check:targets: ${target}`);
    // The crates, then the core's tests too (those of kqueue compile only for macOS and FreeBSD).
    const ok = [['--workspace'], ['-p', 'bsdsock-core', '--all-targets']].every((which) => {
      const args = ['clippy', ...which, '--target', target, '--', '-D', 'warnings'];
      return spawnSync('cargo', args, { cwd: root, env, stdio: 'inherit' }).status === 0;
    });
    (ok ? checked : failed).push(target);
  }
  console.log(`check:targets: checked: ${checked.join(', ') || 'none'}`);
  if (failed.length) console.log(`check:targets: FAILED: ${failed.join(', ')}`);
  if (skipped.length) {
    console.log(`check:targets: skipped, std not installed (rustup target add <target>): ${skipped.join(', ')}`);
  }
  return failed.length ? 1 : 0;
}

process.exitCode = main();
