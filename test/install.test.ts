// What a user gets from the registry: the tarballs of `npm run pack` (the main
// package and this machine's per-platform package) installed into an empty
// folder with npm offline (no registry, an empty cache) and no Rust on PATH,
// then used from CommonJS and ESM. The binary must be the per-platform
// package's file: nothing in the main package is a .node, nothing was built.
// Without the per-platform package, the install must fail and say what is missing.
// BSDSOCK_TEST_NODE=/path/to/node installs and runs with that Node instead (CI
// uses it for Node 18, which vitest itself does not run on).
import { type SpawnSyncReturns } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ROOT } from './helpers/sockets';
import { runSync } from './helpers/run';

const require = createRequire(import.meta.url);
const { platformArchABI, packageName, binaryFile } = require('../scripts/platform.js') as {
  platformArchABI(): string;
  packageName(target?: string): string;
  binaryFile(target?: string): string;
};
const { npmCli } = require('../scripts/npm-cli.js') as { npmCli(node?: string): string };

/** The Node that installs and uses the packages: this one, or another (e.g. Node 18, which vitest cannot run on). */
const NODE = process.env.BSDSOCK_TEST_NODE ?? process.execPath;

const TARGET = platformArchABI();
const PLATFORM_PACKAGE = packageName(TARGET);
const BUILT = path.join(ROOT, 'native', binaryFile(TARGET));

/** Run in the installed app: a socketpair exchanges argv[2] (hex) and an echo of it; which .node files are loaded. */
const CJS_SCRIPT = String.raw`
const { socketpair } = require('bsdsock');
const payload = Buffer.from(process.argv[2], 'hex');
const [a, b] = socketpair();
a.sendall(payload);
const got = b.recv(1024);
b.sendall(Buffer.concat([Buffer.from('echo:'), got]));
const back = a.recv(1024);
a.close();
b.close();
process.report.excludeNetwork = true;
const natives = process.report.getReport().sharedObjects.filter((f) => f.endsWith('.node'));
console.log(JSON.stringify({ got: got.toString('hex'), back: back.toString('hex'), natives, entry: require.resolve('bsdsock') }));
`;

/** The same through ESM, with select(), a selector and bsdsock/asyncio's sock_recv / sock_sendall. */
const ESM_SCRIPT = String.raw`
import { socketpair } from 'bsdsock';
import { select } from 'bsdsock/select';
import { DefaultSelector, EVENT_READ } from 'bsdsock/selectors';
import { sock_recv, sock_sendall } from 'bsdsock/asyncio';
const payload = Buffer.from(process.argv[2], 'hex');
const [a, b] = socketpair();
a.sendall(payload);
const [readable] = select([b], [], [], 5);
const selector = new DefaultSelector();
selector.register(b, EVENT_READ);
const events = selector.select(5).map(([key, mask]) => [key.fd === b.fileno(), mask === EVENT_READ]);
selector.close();
const got = b.recv(1024);
a.setblocking(false);
b.setblocking(false);
const echoed = sock_recv(a, 1024);
await sock_sendall(b, Buffer.concat([Buffer.from('echo:'), got]));
const back = await echoed;
a.close();
b.close();
process.report.excludeNetwork = true;
const natives = process.report.getReport().sharedObjects.filter((f) => f.endsWith('.node'));
console.log(JSON.stringify({ readable: readable.length === 1 && readable[0] === b, events, got: got.toString('hex'), back: back.toString('hex'), natives }));
`;

let work = '';
let env: NodeJS.ProcessEnv = {};
let tarballs = { main: '', platform: '' };
let app = '';
let install: SpawnSyncReturns<string>;

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** A bin folder holding node and sh alone (npm runs scripts with sh), so neither cargo nor rustc can be found. */
function nodeOnlyPath(): string {
  if (process.platform === 'win32') return path.dirname(NODE);
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(NODE, path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  return bin;
}

/** npm with no registry to reach (offline, and a registry address where nothing listens), an empty cache and no user config. */
function offlineEnv(): NodeJS.ProcessEnv {
  const keep = ['SystemRoot', 'ComSpec', 'TEMP', 'TMP', 'TMPDIR'];
  const base = Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  fs.writeFileSync(path.join(work, 'npmrc'), '');
  return {
    ...base,
    PATH: nodeOnlyPath(),
    HOME: path.join(work, 'home'),
    USERPROFILE: path.join(work, 'home'),
    npm_config_userconfig: path.join(work, 'npmrc'),
    npm_config_cache: path.join(work, 'cache'),
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

function npm(cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  return runSync(NODE, [npmCli(NODE), ...args], { cwd, env, encoding: 'utf8', timeout: 45_000 });
}

/** An empty project folder named `name` under the work folder. */
function emptyApp(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  return dir;
}

/** Runs `source` (written to `file` in the app) with the given payload; its JSON line. */
function runScript(file: string, source: string, payload: Buffer, extraEnv: NodeJS.ProcessEnv = {}): Record<string, unknown> {
  fs.writeFileSync(path.join(app, file), source);
  const out = runSync(NODE, [file, payload.toString('hex')], {
    cwd: app,
    env: { ...env, ...extraEnv },
    encoding: 'utf8',
    timeout: 20_000,
  });
  expect(out.stderr).toBe('');
  expect(out.status).toBe(0);
  return JSON.parse(out.stdout) as Record<string, unknown>;
}

/** Files under `dir` (recursively) whose names end with `suffix`. */
function filesEnding(dir: string, suffix: string): string[] {
  const entries = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return entries.filter((f) => f.endsWith(suffix));
}

beforeAll(() => {
  work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'bsdsock-install-')));
  // scripts/pack.js is `npm run pack` after its build:ts, which `npm test` has just run.
  const packed = runSync(process.execPath, [path.join(ROOT, 'scripts/pack.js'), path.join(work, 'tarballs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(packed.stderr).not.toMatch(/error/i);
  expect(packed.status).toBe(0);
  tarballs = JSON.parse(packed.stdout) as typeof tarballs;
  env = offlineEnv();
  app = emptyApp('app');
  install = npm(app, 'install', '--foreground-scripts', tarballs.main, tarballs.platform);
}, 90_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm run pack', () => {
  it('names the tarballs after the packages and version', () => {
    const { version } = require('../package.json') as { version: string };
    expect(path.basename(tarballs.main)).toBe(`bsdsock-${version}.tgz`);
    expect(path.basename(tarballs.platform)).toBe(`${PLATFORM_PACKAGE}-${version}.tgz`);
  });
});

describe(`an offline install of bsdsock and ${PLATFORM_PACKAGE}, with no Rust on PATH`, () => {
  it('has no cargo or rustc to build with', () => {
    for (const tool of ['cargo', 'rustc']) {
      const r = runSync(tool, ['--version'], { env });
      expect((r.error as NodeJS.ErrnoException | undefined)?.code).toBe('ENOENT');
    }
  });

  it('succeeds', () => {
    expect(install.stderr).not.toMatch(/npm error/);
    expect(install.status).toBe(0);
  });

  it('puts the binary in the per-platform package only, the one that was built', () => {
    const installed = path.join(app, 'node_modules');
    expect(filesEnding(path.join(installed, 'bsdsock'), '.node')).toEqual([]);
    expect(filesEnding(path.join(installed, 'bsdsock'), '.tgz')).toEqual([]);
    expect(fs.existsSync(path.join(installed, 'bsdsock/npm'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'bsdsock/target'))).toBe(false);
    expect(filesEnding(path.join(installed, PLATFORM_PACKAGE), '.node')).toEqual([binaryFile(TARGET)]);
    expect(sha256(path.join(installed, PLATFORM_PACKAGE, binaryFile(TARGET)))).toBe(sha256(BUILT));
  });

  it('works from CommonJS: require("bsdsock") loads the per-platform package and a socketpair echoes', () => {
    const payload = randomBytes(48);
    const r = runScript('check.cjs', CJS_SCRIPT, payload);
    expect(r.got).toBe(payload.toString('hex'));
    expect(r.back).toBe(Buffer.concat([Buffer.from('echo:'), payload]).toString('hex'));
    expect(r.natives).toEqual([path.join(app, 'node_modules', PLATFORM_PACKAGE, binaryFile(TARGET))]);
    expect(r.entry).toBe(path.join(app, 'node_modules/bsdsock/dist/cjs/index.js'));
  });

  it('works from ESM: bsdsock, bsdsock/select, bsdsock/selectors and bsdsock/asyncio', () => {
    const payload = randomBytes(48);
    const r = runScript('check.mjs', ESM_SCRIPT, payload);
    expect(r.readable).toBe(true);
    expect(r.events).toEqual([[true, true]]);
    expect(r.got).toBe(payload.toString('hex'));
    expect(r.back).toBe(Buffer.concat([Buffer.from('echo:'), payload]).toString('hex'));
    expect(r.natives).toEqual([path.join(app, 'node_modules', PLATFORM_PACKAGE, binaryFile(TARGET))]);
  });

  it('loads the file NAPI_RS_NATIVE_LIBRARY_PATH names instead, when it is set', () => {
    const override = path.join(work, 'override', 'bsdsock.node');
    fs.mkdirSync(path.dirname(override));
    fs.copyFileSync(BUILT, override);
    const payload = randomBytes(16);
    const r = runScript('check.cjs', CJS_SCRIPT, payload, { NAPI_RS_NATIVE_LIBRARY_PATH: override });
    expect(r.got).toBe(payload.toString('hex'));
    expect(r.natives).toEqual([override]);
  });

  it('prefers a binary in native/ of the main package (a build from source) to the per-platform package', () => {
    const local = path.join(app, 'node_modules/bsdsock/native', binaryFile(TARGET));
    fs.copyFileSync(BUILT, local);
    try {
      const payload = randomBytes(16);
      const r = runScript('check.cjs', CJS_SCRIPT, payload);
      expect(r.got).toBe(payload.toString('hex'));
      expect(r.natives).toEqual([local]);
    } finally {
      fs.rmSync(local);
    }
  });
});

describe('an offline install of bsdsock alone, with no Rust on PATH', () => {
  it('fails, naming the platform, Node, the package it looked for and how to get Rust', () => {
    const bare = emptyApp('bare');
    const r = npm(bare, 'install', '--foreground-scripts', tarballs.main);
    expect(r.status).not.toBe(0);
    const said = r.stdout + r.stderr;
    const versions = runSync(NODE, ['-p', '`Node ${process.version} (N-API ${process.versions.napi})`'], { encoding: 'utf8' });
    expect(said).toContain('building one from source needs Rust (cargo is not on PATH)');
    expect(said).toContain(`platform: ${process.platform}, arch: ${process.arch}`);
    expect(said).toContain(versions.stdout.trim());
    expect(said).toContain(`prebuilt package: ${PLATFORM_PACKAGE} (file ${binaryFile(TARGET)})`);
    expect(said).toContain('https://rustup.rs');
    expect(fs.existsSync(path.join(bare, 'node_modules', PLATFORM_PACKAGE))).toBe(false);
  }, 60_000);
});
