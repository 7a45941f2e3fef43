#!/usr/bin/env node
// `npm run pack`: the tarballs a user would install from the registry, in
// dist/ (or the folder given as the first argument):
//   bsdsock-<version>.tgz             the main package: compiled TypeScript, the
//                                     loader and the Rust sources, no binary
//   bsdsock-<platform>-<version>.tgz  this machine's per-platform package, with
//                                     native/bsdsock.<platform>.node copied in
// It packs what is built: `npm run pack` runs build:ts first, and the addon comes
// from `npm run build:native` (or the build npm install made).
// Prints the two tarballs' paths as JSON.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { npmCli } = require('./npm-cli');
const { platformArchABI, binaryFile } = require('./platform');

const root = path.join(__dirname, '..');

/** `npm pack` of the package in `dir` into `dest`; the tarball's path. */
function pack(dir, dest) {
  // --ignore-scripts: prepare would rebuild dist/ while it is being packed.
  const args = [npmCli(), 'pack', '--ignore-scripts', '--json', '--pack-destination', dest];
  const out = execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  return path.join(dest, JSON.parse(out)[0].filename);
}

/** Copies the built addon into npm/<platform>/ (a rename, so a reader never sees half a file). */
function stageBinary(target) {
  const built = path.join(root, 'native', binaryFile(target));
  if (!fs.existsSync(built)) {
    throw new Error(`bsdsock pack: ${path.relative(root, built)} is not built; run npm run build:native first`);
  }
  const dir = path.join(root, 'npm', target);
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    throw new Error(`bsdsock pack: no per-platform package for ${target} (npm/${target}); add its triple to napi.targets and run napi create-npm-dirs`);
  }
  const staged = path.join(dir, binaryFile(target));
  const tmp = `${staged}.${process.pid}.tmp`;
  fs.copyFileSync(built, tmp);
  fs.renameSync(tmp, staged);
  return dir;
}

function main() {
  const dest = path.resolve(process.argv[2] ?? path.join(root, 'dist'));
  fs.mkdirSync(dest, { recursive: true });
  const target = platformArchABI();
  const platformDir = stageBinary(target);
  const tarballs = { main: pack(root, dest), platform: pack(platformDir, dest) };
  console.log(JSON.stringify(tarballs));
}

main();
