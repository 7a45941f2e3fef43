// sethostname(name) against python3's socket.sethostname. Each side runs in a
// UTS namespace of its own (`unshare -u`), so the machine's host name is never
// touched; a namespace whose processes lack CAP_SYS_ADMIN (dropped from the
// bounding set) gives the PermissionError. Skipped, saying why, where the OS
// does not let this process make a UTS namespace.

import * as os from 'node:os';
import * as path from 'node:path';

import { describe, expect, it } from 'vitest';

import { expected, type Outcome } from './helpers/python';
import { runSync } from './helpers/run';
import { ROOT } from './helpers/sockets';

/** `unshare -u`, and with `capable` false, CAP_SYS_ADMIN left out of the bounding set. */
const inNamespace = (capable: boolean, cmd: string[]): string[] => ['-u', ...(capable ? [] : ['setpriv', '--bounding-set', '-sys_admin']), ...cmd];

/** Why a UTS namespace cannot be made here, or null. */
function cannotIsolate(): string | null {
  if (process.platform !== 'linux') return 'UTS namespaces are Linux';
  // Both kinds the tests make: with CAP_SYS_ADMIN, and without (setpriv, of util-linux, drops it).
  for (const capable of [true, false]) {
    const r = runSync('unshare', inNamespace(capable, ['true']), { encoding: 'utf8' });
    if (r.status !== 0) return `no UTS namespace${capable ? '' : ' without CAP_SYS_ADMIN'} here: ${r.stderr ?? r.error?.message ?? ''}`.trim();
  }
  return null;
}

const why = cannotIsolate();

/** Each case: the name given, in Python and in JS; the outcome is the host name after, or the error. */
const CASES: Record<string, [string, string]> = {
  text: ["'bsdsock-one'", "'bsdsock-one'"],
  bytes: ["b'bsdsock-two'", "Buffer.from('bsdsock-two')"],
  // The kernel keeps the bytes as given: gethostname stops at the NUL.
  bytesWithNul: ["b'b\\x00c'", "Buffer.from('b\\0c')"],
  nonAscii: ["'h\\u00e9te'", "'h\\u00e9te'"],
  longest: ["'x' * 64", "'x'.repeat(64)"],
  tooLong: ["'x' * 65", "'x'.repeat(65)"],
  empty: ["''", "''"],
  textWithNul: ["'a\\x00b'", "'a\\0b'"],
  number: ['5', '5'],
  list: ["['a']", "['a']"],
};

/** Python's outcome of every case, in a namespace of its own. */
function pythonSide(capable: boolean): Record<string, Outcome> {
  const setup = 'import socket\ndef set_and_get(name):\n    socket.sethostname(name)\n    return socket.gethostname()';
  const cases = Object.fromEntries(Object.entries(CASES).map(([k, [py]]) => [k, `set_and_get(${py})`]));
  const r = runSync('unshare', inNamespace(capable, ['python3', path.join(ROOT, 'test/helpers/oracle.py')]), {
    input: JSON.stringify([setup, cases]),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Outcome>;
}

/** bsdsock's outcome of every case, in a namespace of its own. */
function bsdsockSide(capable: boolean): Record<string, Outcome> {
  const script = `
    const { sethostname, gethostname } = require(${JSON.stringify(ROOT)});
    const cases = { ${Object.entries(CASES)
      .map(([k, [, js]]) => `${k}: () => ${js}`)
      .join(', ')} };
    const out = {};
    for (const [name, value] of Object.entries(cases)) {
      try {
        sethostname(value());
        out[name] = { value: gethostname() };
      } catch (e) {
        out[name] = { error: e.constructor.name, message: e.message, errno: e.errno ?? null };
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = runSync('unshare', inNamespace(capable, [process.execPath, '-e', script]), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Outcome>;
}

describe.skipIf(why !== null)(`sethostname, in UTS namespaces of its own${why === null ? '' : ` (skipped: ${why})`}`, () => {
  it("sets the name, and refuses what Python refuses with Python's errors", () => {
    const host = os.hostname();
    const want = pythonSide(true);
    const got = bsdsockSide(true);
    for (const name of Object.keys(CASES)) expect(got[name], name).toEqual(expected(want[name]!));
    expect(got.text).toEqual({ value: 'bsdsock-one' });
    expect(got.bytesWithNul).toEqual({ value: 'b' });
    expect(got.tooLong).toMatchObject({ error: 'OSError', errno: 22 });
    expect(got.textWithNul).toEqual({ error: 'RangeError', message: 'embedded null byte', errno: null });
    expect(got.number).toEqual({ error: 'TypeError', message: 'expected str, bytes or os.PathLike object, not int', errno: null });
    // The namespaces kept it: the machine's name is as it was.
    expect(os.hostname()).toBe(host);
  });

  it('without CAP_SYS_ADMIN it is PermissionError (EPERM), as in Python; a bad argument is still its TypeError first', () => {
    const want = pythonSide(false);
    const got = bsdsockSide(false);
    for (const name of Object.keys(CASES)) expect(got[name], name).toEqual(expected(want[name]!));
    expect(got.text).toMatchObject({ error: 'PermissionError', errno: 1 });
    expect(got.number).toMatchObject({ error: 'TypeError' });
  });
});
