#!/usr/bin/env node
// npm's install step: use the addon if one loads (a prebuilt binary for this
// platform, or one built before); otherwise build it from source with cargo,
// or say exactly what is missing.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function loads() {
  try {
    require(path.join(root, 'native/index.js'));
    return true;
  } catch {
    return false;
  }
}

function has(cmd) {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The file name the loader (native/index.js) looks for on this platform. */
function addonName() {
  const { platform, arch } = process;
  let abi = '';
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    abi = glibc ? '-gnu' : '-musl';
  } else if (platform === 'win32') {
    abi = '-msvc';
  }
  return `bsdsock.${platform}-${arch}${abi}.node`;
}

function build() {
  const cli = path.join(root, 'node_modules/@napi-rs/cli/dist/cli.js');
  if (fs.existsSync(cli)) {
    execFileSync(process.execPath, [cli, 'build', '--platform', '--release', '--output-dir', 'native', '--js', 'index.js', '--dts', 'index.d.ts'], { cwd: root, stdio: 'inherit' });
    return;
  }
  execFileSync('cargo', ['build', '--release', '--lib'], { cwd: root, stdio: 'inherit' });
  const lib = { linux: 'libbsdsock_node.so', darwin: 'libbsdsock_node.dylib', win32: 'bsdsock_node.dll' }[process.platform];
  if (!lib) throw new Error(`bsdsock: no build recipe for ${process.platform}`);
  fs.copyFileSync(path.join(root, 'target/release', lib), path.join(root, 'native', addonName()));
}

if (!loads() || process.env.BSDSOCK_BUILD_FROM_SOURCE) {
  if (!has('cargo')) {
    console.error(
      `bsdsock: no prebuilt binary fits ${process.platform}-${process.arch} (Node ${process.version}), ` +
        'and building from source needs Rust: install it from https://rustup.rs and run npm install again.',
    );
    process.exit(1);
  }
  build();
  if (!loads()) {
    console.error('bsdsock: the addon was built but does not load; see the errors above.');
    process.exit(1);
  }
}
