// examples/graceful-interrupt.js: the talk's graceful-interrupt select() loop
// ("Practical Sockets in Python", "Introducing Select"), run as a real process,
// and the same loop in python3 (os.pipe() as the wake-up channel, a signal
// handler writing to it), driven the same way: both must serve the same clients
// and shut down the same way when SIGINT or SIGTERM comes.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { describe, expect, it } from 'vitest';

import { socket, type Socket } from 'bsdsock';

import { recvExactly, ROOT } from './helpers/sockets';

/** The talk's loop as Python would write it, serving the same echo protocol as the example. */
const PYTHON_LOOP = String.raw`
import os, select, signal, socket
rpipe, wpipe = os.pipe()
os.set_blocking(rpipe, False)
os.set_blocking(wpipe, False)
def wake_up(signum, frame):
    print('signal', signal.Signals(signum).name, flush=True)
    try:
        os.write(wpipe, b'!')
    except BlockingIOError:
        pass
signal.signal(signal.SIGINT, wake_up)
signal.signal(signal.SIGTERM, wake_up)
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', 0))
server.listen()
server.setblocking(False)
print('listening on %s:%d' % server.getsockname(), flush=True)
clients, served, echoed = {}, 0, 0
keep_running = True
while keep_running:
    rlist = [server, *clients]
    rlist.append(rpipe)
    wlist = [s for s, out in clients.items() if out]
    readable, writable, _ = select.select(rlist, wlist, [], 60)
    if rpipe in readable:
        try:
            os.read(rpipe, 4096)
        except Exception:
            pass
        break
    for s in readable:
        if s is server:
            while True:
                try:
                    conn, _ = server.accept()
                except BlockingIOError:
                    break
                conn.setblocking(False)
                clients[conn] = bytearray()
                served += 1
            continue
        try:
            data = s.recv(4096)
        except BlockingIOError:
            continue
        except ConnectionResetError:
            data = b''
        if data:
            clients[s] += data
        else:
            del clients[s]
            s.close()
    for s in writable:
        out = clients.get(s)
        if out is None:
            continue
        try:
            n = s.send(out)
        except BlockingIOError:
            continue
        echoed += n
        del out[:n]
for s in clients:
    s.close()
server.close()
os.close(rpipe)
os.close(wpipe)
print('shut down: served %d connections, echoed %d bytes' % (served, echoed), flush=True)
`;

const IMPLEMENTATIONS: Record<string, string[]> = {
  'examples/graceful-interrupt.js': [process.execPath, path.join(ROOT, 'examples/graceful-interrupt.js'), '0'],
  'the same loop in python3': ['python3', '-c', PYTHON_LOOP],
};

interface Transcript {
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the client that stayed connected read after the signal: '' is end of stream. */
  afterSignal: string;
}

/**
 * Starts the server, has three clients echo their own data through it (one of
 * them 200 KiB, more than a socket buffer), closes two, sends `signal`, and
 * collects what the server printed and how it ended.
 */
async function drive(argv: string[], signal: NodeJS.Signals): Promise<Transcript> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const lines: string[] = [];
  const waiting: Array<() => void> = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    waiting.shift()?.();
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (code, sig) => resolve([code, sig])));
  if (lines.length === 0) await Promise.race([new Promise<void>((resolve) => waiting.push(resolve)), exited]);
  const port = Number(/^listening on 127\.0\.0\.1:(\d+)$/.exec(lines[0] ?? '')?.[1]);
  expect(port, `${lines.join('\n')}${stderr}`).toBeGreaterThan(0);

  const clients: Socket[] = [];
  let afterSignal = '';
  try {
    const payloads = [Buffer.from('hello from client 0'), Buffer.alloc(200 * 1024, 'client 1 '), Buffer.from('and client 2')];
    for (const data of payloads) {
      const c = socket();
      clients.push(c);
      c.settimeout(10);
      c.connect(['127.0.0.1', port]);
      c.sendall(data);
      expect(recvExactly(c, data.length).equals(data)).toBe(true);
    }
    clients[0]!.close();
    clients[1]!.close();
    child.kill(signal);
    const [code, sig] = await exited;
    afterSignal = clients[2]!.recv(100).toString();
    return { lines, code, signal: sig, afterSignal };
  } finally {
    clearTimeout(guard);
    for (const c of clients) c.close();
  }
}

const SERVED = 'shut down: served 3 connections, echoed 204831 bytes';

describe('the graceful-interrupt loop of the talk', () => {
  for (const [name, argv] of Object.entries(IMPLEMENTATIONS)) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${name}: serves, then ${signal} wakes the loop through its wake-up channel and it shuts down cleanly`, async () => {
        const t = await drive(argv, signal);
        expect(t.lines.slice(1)).toEqual([`signal ${signal}`, SERVED]);
        expect([t.code, t.signal]).toEqual([0, null]);
        // The connection still open was closed by the server: end of stream.
        expect(t.afterSignal).toBe('');
      });
    }
  }
});
