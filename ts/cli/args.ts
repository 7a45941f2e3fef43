// The command line's own small parser: long options (`--name value`,
// `--name=value`), short ones (`-c 2`, `-c2`), flags, positionals, and `--`
// to end the options. Anything it does not know is a UsageError.

/** Bad input on the command line: the command prints its usage and exits with 2. */
export class UsageError extends Error {
  override get name(): string {
    return 'UsageError';
  }
}

/** One option a command takes. */
export interface OptionSpec {
  /** The long name, without dashes: `family` for `--family`. */
  name: string;
  /** A one-letter alias: `c` for `-c`. */
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

function find(specs: OptionSpec[], arg: string): OptionSpec {
  const spec = arg.startsWith('--')
    ? specs.find((s) => s.name === arg.slice(2))
    : specs.find((s) => s.short !== undefined && s.short === arg.slice(1, 2));
  if (spec === undefined) throw new UsageError(`unknown option '${arg}'`);
  return spec;
}

/** Parses `argv` against `specs` (`--help` / `-h` is always known). */
export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): Parsed {
  const all = [...specs, HELP];
  const parsed: Parsed = { positionals: [], options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.length < 2 || !arg.startsWith('-')) {
      parsed.positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const eq = long ? arg.indexOf('=') : -1;
    const spec = find(all, eq >= 0 ? arg.slice(0, eq) : long ? arg : arg.slice(0, 2));
    if (!spec.value) {
      if (eq >= 0 || (!long && arg.length > 2)) throw new UsageError(`option '${arg}' takes no value`);
      parsed.options.set(spec.name, true);
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (!long && arg.length > 2) value = arg.slice(2);
    else value = argv[++i];
    if (value === undefined) throw new UsageError(`option '${arg}' needs a value`);
    parsed.options.set(spec.name, value);
  }
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
