// Child processes of the tests, each under a time limit. Those a test waits
// for synchronously (`runSync`): spawnSync blocks the worker's event loop, so
// vitest's own per-test timeout cannot fire while it waits; the child is
// killed when it passes its limit, and the test fails naming the command. And
// those a test talks to while they run (`Running`), killed at their limit so
// that a stuck one cannot hang the suite.

import {
  spawn,
  spawnSync,
  type ChildProcessWithoutNullStreams,
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
} from 'node:child_process';
import * as fs from 'node:fs';

/** How long a child may run when its caller names no limit. */
export const CHILD_LIMIT_MS = 30_000;

/**
 * spawnSync(file, args, options) with text output, under a time limit
 * (`options.timeout`, or CHILD_LIMIT_MS): a child still running then is killed
 * with SIGKILL and this throws, naming the command and the limit.
 */
export function runSync(file: string, args: readonly string[], options: Partial<SpawnSyncOptionsWithStringEncoding> = {}): SpawnSyncReturns<string> {
  const timeout = options.timeout ?? CHILD_LIMIT_MS;
  const r = spawnSync(file, args, { encoding: 'utf8', killSignal: 'SIGKILL', ...options, timeout });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') {
    const shown = [file, ...args].map((a) => (a.length > 60 ? `${a.slice(0, 57)}...` : a)).join(' ');
    throw new Error(`${shown} did not finish within ${timeout} ms (killed)`);
  }
  return r;
}

/**
 * Runs `cmd args` under `prlimit --nofile=N:N` (at most `limit` open fds) and
 * returns its stdout, trimmed; throws, with its stderr, when it fails.
 */
export function underFdLimit(limit: number, cmd: string, args: readonly string[], timeout = CHILD_LIMIT_MS): string {
  const run = runSync('prlimit', [`--nofile=${limit}:${limit}`, cmd, ...args], { timeout });
  if (run.status !== 0) throw new Error(`${cmd} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return run.stdout.trim();
}

/** How a child process ended. */
export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * A child process that runs while a test talks to it: its output gathered as
 * it comes (`stdout`, `stderr`), waited on by pattern or line by line, and
 * how it ended (`ended`). It is killed with SIGKILL after `limitMs`.
 */
/**
 * Where the threads of a process that has not ended are, as Linux's /proc tells (empty elsewhere):
 * for each, its name, state, the kernel function it sleeps in, and its syscall's number and arguments.
 */
export function whereStuck(pid: number): string {
  const read = (file: string): string => {
    try {
      return fs.readFileSync(file, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return '';
  }
  const lines = tasks.map((tid) => {
    const dir = `/proc/${pid}/task/${tid}`;
    const state = /\) (\S)/.exec(read(`${dir}/stat`))?.[1] ?? '?';
    return `  ${tid} ${read(`${dir}/comm`)} ${state} wchan=${read(`${dir}/wchan`)} syscall=${read(`${dir}/syscall`)}`;
  });
  return `\n[killed by the guard; its threads:\n${lines.join('\n')}]\n`;
}

export class Running {
  readonly pid: number;
  /** What the child has written so far. */
  stdout = '';
  stderr = '';
  readonly ended: Promise<Ended>;
  readonly #child: ChildProcessWithoutNullStreams;
  #done = false;
  #wake: Array<() => void> = [];
  /** The lines of stdout that `line()` has handed out. */
  #taken = 0;

  /** Starts `argv`; `stdin: true` keeps its stdin open for `input()` (else it reads end of file at once). */
  constructor(argv: readonly string[], { limitMs = CHILD_LIMIT_MS, cwd, stdin = false }: { limitMs?: number; cwd?: string; stdin?: boolean } = {}) {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('Running: no command');
    this.#child = spawn(file, args, { cwd });
    if (!stdin) this.#child.stdin.end();
    this.pid = this.#child.pid ?? -1;
    const guard = setTimeout(() => {
      // Where it was stuck, for the error that follows: each thread's state, kernel wait and syscall.
      this.stderr += whereStuck(this.pid);
      this.#child.kill('SIGKILL');
    }, limitMs);
    this.#child.stdout.setEncoding('utf8').on('data', (text: string) => {
      this.stdout += text;
      this.#notify();
    });
    this.#child.stderr.setEncoding('utf8').on('data', (text: string) => {
      this.stderr += text;
      this.#notify();
    });
    this.ended = new Promise((resolve) =>
      this.#child.on('close', (code, signal) => {
        clearTimeout(guard);
        this.#done = true;
        this.#notify();
        resolve({ code, signal });
      }),
    );
  }

  /** The complete lines of stdout so far. */
  get lines(): string[] {
    const lines = this.stdout.split('\n');
    lines.pop();
    return lines;
  }

  /** Writes `text` to the child's stdin. */
  write(text: string): void {
    this.#child.stdin.write(text);
  }

  /** Writes `text` (if any) to the child's stdin, then closes it. */
  input(text = ''): void {
    this.#child.stdin.end(text);
  }

  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** What `find` finds in the output, once it finds something (not null); rejects if the child ends first. */
  async until<T>(find: () => T | null, what: string): Promise<T> {
    for (;;) {
      const found = find();
      if (found !== null) return found;
      if (this.#done) throw new Error(`ended before ${what}:\n${this.stdout}\n${this.stderr}`);
      await new Promise<void>((resolve) => this.#wake.push(resolve));
    }
  }

  /** The match, once `stream`'s whole output so far matches `re`. */
  waitFor(re: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    return this.until(() => this[stream].match(re), `${stream} matched ${re}`);
  }

  /** The match of the first line of stdout that `re` matches, once there is one. */
  waitForLine(re: RegExp): Promise<RegExpExecArray> {
    const first = (): RegExpExecArray | null => {
      for (const line of this.lines) {
        const m = re.exec(line);
        if (m !== null) return m;
      }
      return null;
    };
    return this.until(first, `a line matched ${re}`);
  }

  /** The next line of stdout, after those earlier calls took. */
  async line(): Promise<string> {
    const line = await this.until(() => this.lines[this.#taken] ?? null, 'writing a line');
    this.#taken++;
    return line;
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}
