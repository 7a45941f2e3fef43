// getaddrinfo's EAI_SYSTEM becomes the OSError of errno, as in Python: a lookup
// in a process that has no fd left to open /etc/hosts with (a child run under
// `prlimit --nofile=64`, its fds used up) fails with EMFILE, in python3 and in
// bsdsock alike.
import { describe, expect, it } from 'vitest';
import { underFdLimit } from './helpers/run';

/** Runs `args` under an fd limit of 64 and returns its stdout. */
const underLimit = (cmd: string, args: string[]): string => underFdLimit(64, cmd, args);

describe('getaddrinfo and EAI_SYSTEM', () => {
  it('a lookup with no fd left throws the OSError of errno (EMFILE), as python3 does', () => {
    const python = underLimit('python3', [
      '-c',
      `import socket, os, encodings.idna
fds = []
try:
    while True: fds.append(os.open('/dev/null', os.O_RDONLY))
except OSError: pass
try: socket.getaddrinfo('localhost', 80, socket.AF_INET, socket.SOCK_STREAM); print('no error')
except Exception as e: print(type(e).__name__, e.errno, e.strerror)`,
    ]);
    const node = underLimit(process.execPath, [
      '-e',
      `const bs = require('bsdsock'); const fs = require('fs'); const fds = [];
const fill = () => { try { for (;;) fds.push(fs.openSync('/dev/null', 'r')); } catch {} };
// Node's own threads may still be closing an fd of their start-up: fill, let them
// finish, and fill again what they freed, so that the lookup finds none.
fill(); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); fill();
try { bs.getaddrinfo('localhost', 80, bs.AF_INET, bs.SOCK_STREAM); console.log('no error'); }
catch (e) { console.log(e.constructor.name, e.errno, e.strerror); }`,
    ]);
    expect(python).toBe('OSError 24 Too many open files');
    expect(node).toBe(python);
  });
});
