// Signals during blocking calls, sent for real from this process to a child
// blocked in bsdsock: interrupting signals make the call throw InterruptedError
// and the process.on listener runs next; others only make the call retry.
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { describe, expect, it } from 'vitest';

type Line = Record<string, unknown>;

/** Runs the child, sends `signal` once it is blocked, and collects its lines. */
async function blockedCall(op: string, signal: NodeJS.Signals, timeout: string, interrupts: boolean, onReady?: (port: number) => void): Promise<Line[]> {
  const script = path.join(__dirname, 'fixtures/blocking-call.js');
  const child = spawn(process.execPath, [script, op, signal, timeout, interrupts ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Line[] = [];
  const rl = readline.createInterface({ input: child.stdout });
  rl.on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    if (line.ready) {
      // Give the child a moment to enter its wait; a signal that comes earlier
      // still interrupts the wait it then enters.
      setTimeout(() => {
        child.kill(signal);
        onReady?.(line.port as number);
      }, 150);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  expect(code).toBe(0);
  return lines;
}

function interruptedThenListener(lines: Line[], signal: string, syscall: string): void {
  const error = lines.find((l) => 'error' in l);
  expect(error).toMatchObject({ error: 'InterruptedError', errno: 4, code: 'EINTR', syscall });
  const errorAt = lines.indexOf(error as Line);
  const listenerAt = lines.findIndex((l) => l.listener === signal);
  expect(listenerAt).toBeGreaterThan(errorAt);
}

describe('interrupting signals', () => {
  it('SIGINT interrupts a blocking recv', async () => {
    interruptedThenListener(await blockedCall('recv', 'SIGINT', 'none', true), 'SIGINT', 'recv');
  });

  it('SIGTERM interrupts recv in timeout mode', async () => {
    interruptedThenListener(await blockedCall('recv', 'SIGTERM', '20', true), 'SIGTERM', 'recv');
  });

  it('SIGINT interrupts a blocking accept', async () => {
    interruptedThenListener(await blockedCall('accept', 'SIGINT', 'none', true), 'SIGINT', 'accept');
  });

  it('SIGUSR2 with siginterrupt(SIGUSR2, true) interrupts accept in timeout mode', async () => {
    interruptedThenListener(await blockedCall('accept', 'SIGUSR2', '20', true), 'SIGUSR2', 'accept');
  });

  it('SIGINT interrupts a blocking connect', async () => {
    interruptedThenListener(await blockedCall('connect', 'SIGINT', 'none', true), 'SIGINT', 'connect');
  });

  it('SIGTERM interrupts connect in timeout mode', async () => {
    interruptedThenListener(await blockedCall('connect', 'SIGTERM', '20', true), 'SIGTERM', 'connect');
  });

  it('SIGINT interrupts a blocking connect_ex, which throws the InterruptedError rather than return EINTR', async () => {
    interruptedThenListener(await blockedCall('connect_ex', 'SIGINT', 'none', true), 'SIGINT', 'connect');
  });

  it('an interrupted sendall says how many bytes it had sent', async () => {
    const lines = await blockedCall('sendall', 'SIGINT', 'none', true);
    interruptedThenListener(lines, 'SIGINT', 'sendall');
    const written = lines.find((l) => 'error' in l)?.characters_written;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(64 << 20);
  });

  it('an interrupted sendall in timeout mode says how many bytes it had sent', async () => {
    const lines = await blockedCall('sendall', 'SIGTERM', '20', true);
    interruptedThenListener(lines, 'SIGTERM', 'sendall');
    expect(lines.find((l) => 'error' in l)?.characters_written).toBeGreaterThan(0);
  });
});

describe('other signals (PEP 475)', () => {
  it('a signal that does not interrupt lets recv go on and return the data', async () => {
    const lines = await blockedCall('recv', 'SIGUSR2', 'none', false, (port) => {
      // Once the signal has come and gone, send the datagram the recv waits for.
      setTimeout(() => {
        const client = dgram.createSocket('udp4');
        client.send('after the signal', port, '127.0.0.1', () => client.close());
      }, 100);
    });
    expect(lines.find((l) => 'result' in l)).toEqual({ result: 'after the signal' });
    expect(lines.some((l) => l.listener === 'SIGUSR2')).toBe(true);
    expect(lines.some((l) => 'error' in l)).toBe(false);
  });
});

describe('a signal before the first blocking call', () => {
  // The signal comes while JavaScript runs, before the process has ever waited:
  // Node cannot run the listener until the call returns, so the call itself
  // must be interrupted, as it is for a signal that comes during the wait.
  const script = (setup: string) => `
    const { socketpair, siginterrupt } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const { SIGUSR2 } = require('node:os').constants.signals;
    ${setup}
    const [a, b] = socketpair();
    b.settimeout(10);
    process.kill(process.pid, process.argv[1]);
    try {
      b.recv(10);
      console.log('returned');
    } catch (e) {
      console.log(e.name, e.errno);
    }
    a.close();
    b.close();
    // The listener runs when the loop next turns; a timer keeps the loop going until then.
    setTimeout(() => {}, 100);
  `;
  const run = (signal: string, setup: string) =>
    new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['-e', script(setup), signal], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
    });

  it('SIGINT with a listener interrupts the recv that follows, then the listener runs', async () => {
    const out = await run('SIGINT', "process.on('SIGINT', () => console.log('listener'));");
    expect(out).toBe('InterruptedError 4\nlistener\n');
  });

  it('siginterrupt(SIGUSR2, true) set before the listener is added', async () => {
    const out = await run('SIGUSR2', "siginterrupt(SIGUSR2, true); process.on('SIGUSR2', () => console.log('listener'));");
    expect(out).toBe('InterruptedError 4\nlistener\n');
  });

  it('siginterrupt(SIGUSR2, true) set after the listener is added', async () => {
    const out = await run('SIGUSR2', "process.on('SIGUSR2', () => console.log('listener')); siginterrupt(SIGUSR2, true);");
    expect(out).toBe('InterruptedError 4\nlistener\n');
  });
});
