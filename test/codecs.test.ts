// makefile()'s text codecs against python3's: the text of each byte stream,
// or the UnicodeDecodeError (RangeError) with Python's message, under each
// error handler; a character split between two receives, which must wait
// for its rest (the second half comes from another process while readline()
// blocks); and what each text write sends, or its UnicodeEncodeError.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { socketpair } from 'bsdsock';
import { expected, outcome, python } from './helpers/python';

/** [encoding, errors, the bytes the peer sends before it closes]. */
const STREAMS: [string, string, string][] = [
  ['utf-8', 'strict', '68c3a90a'],
  ['utf-8', 'strict', '61ff0a'],
  ['utf-8', 'strict', 'c30a'],
  ['utf-8', 'strict', 'c3280a'],
  ['utf-8', 'strict', 'e282280a'],
  ['utf-8', 'strict', 'eda0800a'],
  ['utf-8', 'strict', 'e080800a'],
  ['utf-8', 'strict', 'f09080280a'],
  ['utf-8', 'strict', 'f49080800a'],
  ['utf-8', 'strict', 'c0af0a'],
  ['utf-8', 'strict', '6162e282'],
  ['utf-8', 'replace', '61ff62e28228efbfbd0a'],
  ['utf-8', 'ignore', '61ff62e28228efbfbd0a'],
  ['UTF8', 'strict', '61ff0a'],
  ['ascii', 'strict', '61fffe0a'],
  ['ascii', 'replace', '61fffe0a'],
  ['ascii', 'ignore', '61fffe0a'],
  ['utf-16-le', 'strict', '68000a00'],
  ['utf-16-le', 'strict', '3dd800de0a00'],
  ['utf-16-le', 'strict', '00d841000a00'],
  ['utf-16-le', 'strict', '00dc41000a00'],
  ['utf-16-le', 'strict', '00d8'],
  ['utf-16-le', 'strict', '410042'],
  ['utf-16-le', 'replace', '00d841000a00'],
  ['utf-16-le', 'ignore', '00dc41000a00'],
  ['latin-1', 'strict', 'ff0a'],
  // An error handler Python does not know is looked up when an error needs it: not for valid bytes.
  ['utf-8', 'nope', '68c3a90a'],
  ['ascii', 'nope', '61ff0a'],
];

function readAll(encoding: string, errors: string, hex: string): string {
  const [a, b] = socketpair();
  try {
    b.sendall(Buffer.from(hex, 'hex'));
    b.close();
    return a.makefile('r', { encoding, errors }).read();
  } finally {
    a.close();
  }
}

/** [encoding, errors, the text written]: what the peer receives, or the error, as in Python. */
const WRITES: [string, string, string][] = [
  ['utf-8', 'strict', 'hé😀\n'],
  ['utf-8', 'strict', 'a\ud800b'],
  ['utf-8', 'strict', '😀a\udc00\udc01b'],
  ['utf-8', 'replace', 'a\ud800b'],
  ['utf-8', 'ignore', 'a\ud800\udfffb'],
  ['ascii', 'strict', 'é'],
  ['ascii', 'strict', 'ab\xe9\xe9c'],
  ['ascii', 'strict', 'x\ud800'],
  ['ascii', 'replace', 'aé😀b'],
  ['ascii', 'ignore', 'aéb'],
  ['latin-1', 'strict', 'aé€'],
  ['latin-1', 'replace', '€😀é'],
  ['utf-16-le', 'strict', 'a😀\udc00'],
  ['utf-16-le', 'replace', 'a\udc00'],
  ['utf-8', 'nope', 'x'],
  ['utf-8', 'nope', '\ud800'],
];

/** python3's outcome of each stream read (`read N`) and each text written (`write N`). */
const py = python(
  `import socket
def read_all(encoding, errors, hex):
    a, b = socket.socketpair()
    try:
        b.sendall(bytes.fromhex(hex)); b.close()
        return a.makefile('r', encoding=encoding, errors=errors).read()
    finally:
        a.close()
def write_text(encoding, errors, text):
    a, b = socket.socketpair()
    try:
        f = a.makefile('w', encoding=encoding, errors=errors)
        n = f.write(text)
        f.close(); a.close()
        return [n, b.recv(100).hex()]
    finally:
        a.close(); b.close()
def read_counted():
    a, b = socket.socketpair()
    b.sendall('a\\U0001f600b\\U0001f600\\U0001f600c\\nx\\U0001f600y\\n'.encode()); b.close()
    f = a.makefile('r')
    try:
        return [f.read(2), f.read(1), f.readline(2), f.readline(5), f.readline(1), f.read(3), f.read(10)]
    finally:
        a.close()`,
  Object.fromEntries([
    ...STREAMS.map(([enc, errors, hex], i) => [`read ${i}`, `read_all(${JSON.stringify(enc)}, '${errors}', '${hex}')`]),
    ...WRITES.map(([enc, errors, text], i) => [`write ${i}`, `write_text('${enc}', '${errors}', ${JSON.stringify(text)})`]),
    ['counted', 'read_counted()'],
  ]),
);

function writeText(encoding: string, errors: string, text: string): [number, string] {
  const [a, b] = socketpair();
  try {
    const f = a.makefile('w', { encoding, errors });
    const n = f.write(text);
    f.close();
    a.close();
    return [n, b.recv(100).toString('hex')];
  } finally {
    a.close();
    b.close();
  }
}

describe('text codecs', () => {
  it.each(WRITES.map((w, i) => [...w, i] as const))('%s, errors=%s: writing %j sends what Python sends', (enc, errors, text, i) => {
    expect(outcome(() => writeText(enc, errors, text))).toEqual(expected(py[`write ${i}`]!));
  });

  it.each(STREAMS.map((s, i) => [...s, i] as const))('%s, errors=%s: %s reads as in Python', (enc, errors, hex, i) => {
    expect(outcome(() => readAll(enc, errors, hex))).toEqual(expected(py[`read ${i}`]!));
  });

  /** readline() of `text` in `encoding`, its first `cut` bytes sent at once and the rest by another process 100 ms later. */
  async function splitLine(encoding: string, text: string, cut: number): Promise<string> {
    const [a, b] = socketpair();
    const bytes = Buffer.from(text, encoding === 'utf-16-le' ? 'utf16le' : 'utf8');
    b.sendall(bytes.subarray(0, cut));
    const rest = bytes.subarray(cut).toString('hex');
    const writer = spawn(process.execPath, ['-e', `setTimeout(() => require('fs').writeSync(3, Buffer.from('${rest}', 'hex')), 100)`], {
      stdio: ['ignore', 'inherit', 'inherit', b.fileno()],
    });
    try {
      a.settimeout(20);
      return a.makefile('r', { encoding }).readline();
    } finally {
      await new Promise((done) => writer.on('close', done));
      a.close();
      b.close();
    }
  }

  it('read(n) and readline(size) count characters, a surrogate pair one, as Python does', () => {
    const [a, b] = socketpair();
    b.sendall(Buffer.from('a😀b😀😀c\nx😀y\n'));
    b.close();
    const f = a.makefile('r');
    try {
      const got = outcome(() => [f.read(2), f.read(1), f.readline(2), f.readline(5), f.readline(1), f.read(3), f.read(10)]);
      expect(got).toEqual(expected(py.counted!));
    } finally {
      a.close();
    }
  });

  it('a character split between two receives waits for its rest: UTF-8, a UTF-16 unit, a UTF-16 surrogate pair', async () => {
    expect(await splitLine('utf-8', 'hé\n', 2)).toBe('hé\n');
    expect(await splitLine('utf-16-le', 'hé\n', 3)).toBe('hé\n');
    expect(await splitLine('utf-16-le', 'a😀\n', 4)).toBe('a😀\n');
  });
});
