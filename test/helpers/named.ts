// Sockets and fds named in the order they are made ('a', 'b', ...), the same on
// both sides of a python3 comparison, so that results that name them compare
// whatever numbers the two processes gave them. NAMED_PY is the Python side
// (put before a group's own setup for python()); the functions are this side,
// and `closeNamed` (run after each test) closes what they made.
import * as fs from 'node:fs';
import { socketpair, type Socket } from 'bsdsock';

export const NAMED_PY = String.raw`
import os, socket
_pad = [os.open('/dev/null', os.O_RDONLY) for _ in range(16)]  # fds >= 10, as in Node
opened, names, fds = [], {}, []
def track(*socks):
    for s in socks:
        names[s.fileno()] = 'abcdefghij'[len(names)]
        opened.append(s)
    return socks
def pair():
    return track(*socket.socketpair())
def nm(x):
    if isinstance(x, int): return 'fd:' + names.get(x, str(x))
    return names.get(x.fileno(), str(x.fileno()))
def devnull():
    fds.append(os.open('/dev/null', os.O_RDONLY)); return fds[-1]
def after_each():
    for s in opened: s.close()
    for fd in fds: os.close(fd)
    opened.clear(); names.clear(); fds.clear()
`;

/** What the test made: closed by closeNamed. */
export const opened: { close(): void }[] = [];
const names = new Map<number, string>();
const fds: number[] = [];

/** Names `socks` in order and closes them after the test. */
export function track<T extends Socket>(...socks: T[]): T[] {
  for (const s of socks) {
    names.set(s.fileno(), 'abcdefghij'[names.size]!);
    opened.push(s);
  }
  return socks;
}

/** A named socketpair. */
export function pair(): [Socket, Socket] {
  return track(...socketpair()) as [Socket, Socket];
}

/** A socket's name, or `fd:` and the name of an fd number. */
export function nm(x: unknown): string {
  if (typeof x === 'number') return `fd:${names.get(x) ?? String(x)}`;
  const fd = (x as Socket).fileno();
  return names.get(fd) ?? String(fd);
}

/** An fd open on /dev/null, closed after the test. */
export function devnull(): number {
  fds.push(fs.openSync('/dev/null', 'r'));
  return fds[fds.length - 1]!;
}

/** Closes what the test made and forgets the names. */
export function closeNamed(): void {
  for (const o of opened.splice(0)) o.close();
  for (const fd of fds.splice(0)) fs.closeSync(fd);
  names.clear();
}
