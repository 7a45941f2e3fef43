// asyncio's loop.add_reader / remove_reader / add_writer / remove_writer:
// readiness callbacks on Node's event loop for any fd. A reader or writer
// does not keep the process alive by itself (only pending operations do).

import { fileobjToFd } from '../selectors';
import { Socket } from '../socket';
import { ensureNoTransport, READ, setCallback, WRITE } from './loop';

/** An fd, or an object with `fileno()` (a bsdsock Socket, a selector's file object). */
export type FileLike =
  | number
  | {
      /** The fd to watch. Python: `fileobj.fileno()`. */
      fileno(): number;
    };

/** The fd (selectors' `_fileobj_to_fd`), and whether it belongs to a bsdsock Socket;
 * RuntimeError when a transport uses it (asyncio's `_ensure_fd_no_transport`). */
function fdOf(fileobj: unknown): [fd: number, owned: boolean] {
  const fd = fileobjToFd(fileobj);
  ensureNoTransport(fd, fileobj);
  return [fd, fileobj instanceof Socket];
}

function bind<A extends unknown[]>(callback: (...args: A) => void, args: A): () => void {
  if (typeof callback !== 'function') throw new TypeError('callback must be a function');
  return args.length === 0 ? (callback as () => void) : () => callback(...args);
}

/** asyncio's `loop.add_reader(fd, callback, *args)`: calls `callback(...args)` whenever `fd` is readable (replacing its reader). */
export function add_reader<A extends unknown[]>(fd: FileLike, callback: (...args: A) => void, ...args: A): void {
  const [n, owned] = fdOf(fd);
  setCallback(n, owned, READ, bind(callback, args));
}

/** asyncio's `loop.remove_reader(fd)`: true when `fd` had a reader. */
export function remove_reader(fd: FileLike): boolean {
  return setCallback(fdOf(fd)[0], false, READ, null);
}

/** asyncio's `loop.add_writer(fd, callback, *args)`: calls `callback(...args)` whenever `fd` is writable (replacing its writer). */
export function add_writer<A extends unknown[]>(fd: FileLike, callback: (...args: A) => void, ...args: A): void {
  const [n, owned] = fdOf(fd);
  setCallback(n, owned, WRITE, bind(callback, args));
}

/** asyncio's `loop.remove_writer(fd)`: true when `fd` had a writer. */
export function remove_writer(fd: FileLike): boolean {
  return setCallback(fdOf(fd)[0], false, WRITE, null);
}
