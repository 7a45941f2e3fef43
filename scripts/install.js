#!/usr/bin/env node
// npm's install step. Nothing to do when the addon loads: a binary in native/
// (a build from source), or the per-platform package npm installed as an
// optional dependency (bsdsock-linux-x64-gnu, ...). Otherwise build it from
// source with cargo, or say exactly what is missing.
// BSDSOCK_BUILD_FROM_SOURCE=1 builds even when a prebuilt binary loads.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { libc, platformArchABI, packageName, binaryFile } = require('./platform');

const root = path.join(__dirname, '..');

/** null when the loader finds a binary, else why it did not. */
function loadError() {
  try {
    require(path.join(root, 'native/index.js'));
    return null;
  } catch (err) {
    return err;
  }
}

function has(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Builds native/bsdsock.<platform>.node: with napi-rs's CLI where it is installed (a checkout), else cargo alone. */
function build() {
  const cli = path.join(root, 'node_modules/@napi-rs/cli/dist/cli.js');
  if (fs.existsSync(cli)) {
    const args = ['build', '--manifest-path', 'crates/node/Cargo.toml', '--platform', '--release', '--output-dir', 'native', '--js', 'index.js', '--dts', 'index.d.ts'];
    execFileSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
    return;
  }
  const lib = { linux: 'libbsdsock_node.so', darwin: 'libbsdsock_node.dylib', win32: 'bsdsock_node.dll' }[process.platform];
  if (!lib) throw new Error(`bsdsock: no build recipe for ${process.platform}`);
  const targetDir = process.env.CARGO_TARGET_DIR ? path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
  const fresh = !fs.existsSync(targetDir);
  execFileSync('cargo', ['build', '--release', '-p', 'bsdsock-node', '--lib'], { cwd: root, stdio: 'inherit' });
  fs.copyFileSync(path.join(targetDir, 'release', lib), path.join(root, 'native', binaryFile()));
  // An installed package keeps the binary, not the hundreds of megabytes of a build it started.
  if (fresh) fs.rmSync(targetDir, { recursive: true, force: true });
}

/** Each message in an error's cause chain (the loader chains one error per place it looked), bar its generic summary. */
function reasons(err) {
  const out = [];
  for (let e = err; e instanceof Error && out.length < 8; e = e.cause) {
    if (!e.message.startsWith('Cannot find native binding')) out.push(e.message.split('\n')[0]);
  }
  return out;
}

/** What the user needs to know when there is neither a binary nor a Rust toolchain. */
function explain(err) {
  const target = platformArchABI();
  const { optionalDependencies = {} } = require(path.join(root, 'package.json'));
  const prebuilt = packageName(target) in optionalDependencies;
  const lines = [
    'bsdsock: no binary of the addon loads here, and building one from source needs Rust (cargo is not on PATH).',
    `  platform: ${process.platform}, arch: ${process.arch}, libc: ${libc() ?? 'n/a'}, Node ${process.version} (N-API ${process.versions.napi})`,
    prebuilt
      ? `  prebuilt package: ${packageName(target)} (file ${binaryFile(target)}), an optional dependency of bsdsock;` +
        ' it is missing if optional dependencies were left out (--omit=optional, --no-optional) or its download failed'
      : `  prebuilt package: none is published for ${target} (looked for ${packageName(target)})`,
    ...reasons(err).map((r) => `  loader: ${r}`),
    '  to build from source: install Rust from https://rustup.rs and a C toolchain (cc on Linux and macOS, the MSVC build tools on Windows), then run npm install again',
    '  to use a binary built elsewhere: NAPI_RS_NATIVE_LIBRARY_PATH=/absolute/path/to/bsdsock.<platform>.node',
  ];
  console.error(lines.join('\n'));
}

const err = loadError();
if (err || process.env.BSDSOCK_BUILD_FROM_SOURCE) {
  if (!has('cargo')) {
    if (err) explain(err);
    else console.error('bsdsock: BSDSOCK_BUILD_FROM_SOURCE is set, but cargo is not on PATH (Rust: https://rustup.rs)');
    process.exit(1);
  }
  build();
  const after = loadError();
  if (after) {
    console.error(`bsdsock: the addon was built but does not load:\n  ${reasons(after).join('\n  ')}`);
    process.exit(1);
  }
}
