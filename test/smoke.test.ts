import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AF_INET, SOCK_DGRAM, socket } from 'bsdsock';
import { runSync } from './helpers/run';

describe('package', () => {
  it('loads through the package name and makes a UDP round trip', () => {
    using s = socket(AF_INET, SOCK_DGRAM);
    s.bind(['127.0.0.1', 0]);
    s.sendto(Buffer.from('hi'), s.getsockname());
    const [data, addr] = s.recvfrom(16);
    expect(data.toString()).toBe('hi');
    expect(addr).toEqual(s.getsockname());
  });
});

describe('the CommonJS build (scripts/fast-exports.js)', () => {
  // A child with V8's natives syntax: every module's exports object in fast
  // mode, and every export a plain value (no accessor per load), except the
  // constants that `export *` brings in (index.js, select.js). Each re-export is the
  // value its module exports: none is undefined by a require cycle. And the
  // facade's copy of the addon's functions (ts/native.ts) is a fast object too.
  const check = `
    const fs = require('node:fs'), path = require('node:path');
    const problems = [];
    const constants = require(path.join(process.argv[1], 'constants.js'));
    const starred = { ...constants, ...require(path.join(process.argv[1], 'select-constants.js')) };
    function walk(dir) {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, e.name);
        if (e.isDirectory()) { if (e.name !== 'cli') walk(file); continue; }
        if (!file.endsWith('.js')) continue;
        const m = require(file);
        if (!%HasFastProperties(m)) problems.push('dictionary mode: ' + file);
        for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(m))) {
          if (d.get && !(name in starred)) problems.push('accessor: ' + file + ' ' + name);
        }
      }
    }
    walk(process.argv[1]);
    if (!%HasFastProperties(require(path.join(process.argv[1], 'native.js')).native)) problems.push('dictionary mode: the addon object');
    const aio = require(path.join(process.argv[1], 'asyncio.js'));
    const sock = require(path.join(process.argv[1], 'asyncio', 'sock.js'));
    if (aio.sock_recv !== sock.sock_recv || typeof aio.sock_recv !== 'function') problems.push('asyncio.sock_recv differs from asyncio/sock.js');
    const index = require(path.join(process.argv[1], 'index.js'));
    for (const [name, value] of Object.entries(index)) if (value === undefined && !(name in constants)) problems.push('undefined: ' + name);
    console.log(JSON.stringify(problems));
  `;

  it('keeps every exports object in fast mode, its exports plain values', () => {
    const dist = path.join(__dirname, '..', 'dist', 'cjs');
    const r = runSync(process.execPath, ['--allow-natives-syntax', '-e', check, dist]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([]);
  });
});
