// The command line's arguments, parsed with node:util's parseArgs: long
// options (`--name value`, `--name=value`), short ones (`-c 2`, `-c2`, `-zv`),
// flags, positionals, and `--` to end the options. Anything it does not know
// is a UsageError, phrased for the command line.

import { parseArgs as parse } from 'node:util';

/** Bad input on the command line: the command says what and exits with 2. */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError';
  }
}

/** One option a command takes. */
export interface OptionSpec {
  /** The long name, without dashes: `family` for `--family`. */
  name: string;
  /** A one-character alias: `c` for `-c`. */
  short?: string;
  /** Whether the option takes a value (`--family inet`); otherwise it is a flag. */
  value?: boolean;
}

/** What the parser found: positionals in order, options by long name (a flag is `true`). */
export interface Parsed {
  positionals: string[];
  options: Map<string, string | true>;
}

const HELP: OptionSpec = { name: 'help', short: 'h' };

/** The closest of `candidates` to `word` (an edit or two away, or a prefix of it), for "did you mean". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 2 ? 0.5 : distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.min(2, Math.floor(word.length / 2)) ? best : undefined;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** " (did you mean 'x'?)" when a candidate is close to `word`, else ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = closest(word, candidates);
  return guess === undefined ? '' : `; did you mean '${guess}'?`;
}

/** parseArgs's error as one line about the option the user wrote. */
function usageOf(e: Error & { code?: string }, specs: readonly OptionSpec[]): UsageError {
  const named = /Option '(?:-\w, )?(--?[^' <]+)/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const option = /Unknown option '([^']+)'/.exec(e.message)?.[1] ?? '';
      const longs = specs.map((s) => `--${s.name}`);
      return new UsageError(`unknown option '${option}'${option.startsWith('--') ? didYouMean(option, longs) : ''}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (e.message.includes('does not take an argument')) return new UsageError(`option '${named}' takes no value`);
      if (e.message.includes('ambiguous')) {
        const example = named.startsWith('--') ? `${named}=-1` : `${named}-1`;
        return new UsageError(`option '${named}' needs a value (one that starts with '-' is written ${example})`);
      }
      return new UsageError(`option '${named}' needs a value`);
    default:
      return new UsageError(e.message.split('\n')[0]!);
  }
}

/** Parses `argv` against `specs` (`--help` / `-h` is always known). */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const all = [...specs, HELP];
  const options = Object.fromEntries(
    all.map((s) => [s.name, { type: s.value ? ('string' as const) : ('boolean' as const), ...(s.short === undefined ? {} : { short: s.short }) }]),
  );
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parse({ args: [...argv], options, allowPositionals: true, strict: true }));
  } catch (e) {
    if (e instanceof Error && typeof (e as { code?: unknown }).code === 'string') throw usageOf(e, all);
    throw e;
  }
  const parsed: Parsed = { positionals, options: new Map() };
  for (const [name, v] of Object.entries(values)) if (v !== undefined && v !== false) parsed.options.set(name, v);
  return parsed;
}

/** The value of option `name`, or undefined when it was not given. */
export function optionValue(parsed: Parsed, name: string): string | undefined {
  const v = parsed.options.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Whether flag `name` was given. */
export function flag(parsed: Parsed, name: string): boolean {
  return parsed.options.get(name) === true;
}

/** A whole number within [min, max], or a UsageError naming `what`. */
export function integer(text: string, what: string, min: number, max: number): number {
  const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, not '${text}'`);
  }
  return n;
}

/** A number of seconds > 0 (fractions allowed), or a UsageError naming `what`. */
export function seconds(text: string, what: string): number {
  const n = /^\d*\.?\d+$|^\d+\.$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${what} must be a positive number of seconds, not '${text}'`);
  return n;
}

/** A TCP/UDP port number, 0-65535. */
export function port(text: string): number {
  return integer(text, 'port', 0, 65535);
}

/** Checks that there are from `min` to `max` positionals. */
export function positionals(parsed: Parsed, min: number, max: number): string[] {
  const p = parsed.positionals;
  if (p.length < min) throw new UsageError('missing arguments');
  if (p.length > max) throw new UsageError(`unexpected argument '${p[max]}'`);
  return p;
}
