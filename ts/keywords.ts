// Python's keyword-only parameters. A function that has them takes them as one
// trailing options object, which may follow any number of its positional
// arguments: `s.makefile('r', { encoding: 'utf-8' })` as well as
// `s.makefile('r', null, { encoding: 'utf-8' })`. A plain object is never a
// value a positional parameter takes (a number, string, array, Uint8Array,
// socket, function or null), so a plain object given last is the options.

/** Whether `v` is an options object: a plain object (`{...}`, or one made with Object.create(null)). */
export function isOptions(v: unknown): v is object {
  // An array (an address) is the common object argument: told apart without
  // reading its prototype, which is a call into the runtime.
  return typeof v === 'object' && v !== null && !Array.isArray(v) && isPlain(v);
}

/** Whether an object is a plain one (an object literal, or made with no prototype). */
function isPlain(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** The options of a call that gave none: one frozen object for all. */
const NO_OPTIONS: object = Object.freeze({});

/** A function's positional parameters, as Python counts them in its TypeError. */
export interface Positional {
  /** The name Python's message gives: `'makefile'`, `'create_connection'`. */
  readonly name: string;
  /** How many positional arguments it needs and takes (after `self`). */
  readonly min: number;
  readonly max: number;
  /** A method: Python counts `self` among the positional arguments. */
  readonly method?: boolean;
}

/** Python's TypeError for too many positional arguments: `f() takes from 1 to 3 positional arguments but 4 were given`. */
function tooMany(f: Positional, given: number): TypeError {
  const self = f.method === true ? 1 : 0;
  const [min, max] = [f.min + self, f.max + self];
  const takes = min === max ? `${max} positional argument${max === 1 ? '' : 's'}` : `from ${min} to ${max} positional arguments`;
  return new TypeError(`${f.name}() takes ${takes} but ${given + self} ${given + self === 1 ? 'was' : 'were'} given`);
}

/**
 * Splits the arguments a caller gave (`arguments`) into the positional ones,
 * padded with undefined to `f.max`, and the trailing options object (`{}` when
 * there is none). Arguments left undefined at the end count as not given. More
 * positional arguments than `f.max` (a keyword-only one given by position) is
 * Python's TypeError.
 */
export function keywords<P extends unknown[], O extends object>(args: ArrayLike<unknown>, f: Positional): [positional: P, options: Partial<O>] {
  // The common call, every positional argument given and no options: the
  // arguments array itself (a rest parameter's, the caller's own), nothing made.
  const max = f.max;
  if (args.length === max && Array.isArray(args)) {
    const last: unknown = args[max - 1];
    if (max === 0 || (last !== undefined && !isOptions(last))) return [args as P, NO_OPTIONS as Partial<O>];
  }
  return parsed<P, O>(args, f);
}

/**
 * `keywords` for any other call: the positional arguments padded to `f.max`, and the options. Kept out
 * of `keywords`, which the hot calls inline: V8's optimizing compiler inlines callees up to a total size
 * per function, and the common path is a small part of the whole.
 */
function parsed<P extends unknown[], O extends object>(args: ArrayLike<unknown>, f: Positional): [positional: P, options: Partial<O>] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let options: Partial<O> = {};
  if (n > 0 && isOptions(args[n - 1])) {
    options = args[n - 1] as Partial<O>;
    n--;
  }
  if (n > f.max) throw tooMany(f, n);
  const positional: unknown[] = [];
  for (let i = 0; i < f.max; i++) positional.push(i < n ? args[i] : undefined);
  // The types are the declared parameters' (WithOptions): the callee checks the values, as before.
  return [positional as P, options];
}

/** The tuples that are a prefix of `T`: `[]`, `[a]`, `[a, b]`, ... */
type Prefix<T extends unknown[]> = T extends [...infer Init, unknown] ? Prefix<Init> | T : [];

/**
 * The argument lists of a function with required positional parameters `R`,
 * optional ones `P` (any prefix of them may be given) and keyword-only
 * options `O`: the options object may follow any of them.
 */
export type WithOptions<R extends unknown[], P extends unknown[], O> = [...R, ...Prefix<P>] | [...R, ...Prefix<P>, O | undefined];
