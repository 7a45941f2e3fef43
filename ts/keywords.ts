// Python's keyword-only parameters. A function that has them takes them as one
// trailing options object, which may follow any number of its positional
// arguments: `s.makefile('r', { encoding: 'utf-8' })` as well as
// `s.makefile('r', null, { encoding: 'utf-8' })`. A plain object is never a
// value a positional parameter takes (a number, string, array, Uint8Array,
// socket, function or null), so a plain object given last is the options.

import { missingPositional, tooManyPositional } from './arity';

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
  /** The positional parameters' names, required first: given, fewer arguments than `min` is Python's TypeError naming the missing ones. */
  readonly params?: readonly string[];
  /** The keyword arguments (option names) it takes (`keywordNames`); given, any other is Python's TypeError. */
  readonly keywords?: ReadonlySet<string>;
}

/**
 * The option names of an options type, for `Positional.keywords`, written as an object literal
 * with every name and no other (the compiler holds the literal to the type): `keywordNames<ConnectionOptions>({ sock: true, ... })`.
 */
export function keywordNames<O extends object>(names: Record<keyof O, true>): ReadonlySet<string> {
  return new Set(Object.keys(names));
}

/** asyncio's TLS arguments: bsdsock has no TLS, and says so rather than connect in the clear. */
const TLS_KEYWORDS: ReadonlySet<string> = new Set(['ssl', 'server_hostname', 'ssl_handshake_timeout', 'ssl_shutdown_timeout']);

/** Python's TypeError for an options object with a name `f` does not take; TLS's named as what bsdsock lacks. None (null, undefined) given for a TLS argument is its default, no TLS: allowed. */
function checkNames(f: Positional, options: object): void {
  const known = f.keywords;
  if (known === undefined) return;
  for (const name of Object.keys(options)) {
    if (known.has(name)) continue;
    if (TLS_KEYWORDS.has(name)) {
      if ((options as Record<string, unknown>)[name] == null) continue;
      throw new TypeError(`${f.name}() got the keyword argument '${name}', but bsdsock has no TLS: node:tls can run over to_net_socket(sock)`);
    }
    throw new TypeError(`${f.name}() got an unexpected keyword argument '${name}'`);
  }
}

/**
 * Splits the arguments a caller gave (`arguments`) into the positional ones,
 * padded with undefined to `f.max`, and the trailing options object (`{}` when
 * there is none). Arguments left undefined at the end count as not given. More
 * positional arguments than `f.max` (a keyword-only one given by position) is
 * Python's TypeError; so are fewer than `f.min`, where `f.params` names them.
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
    checkNames(f, options);
    n--;
  }
  if (n > f.max) throw new TypeError(tooManyPositional(f.name, f.min, f.max, n, f.method === true));
  if (f.params !== undefined && n < f.min) throw new TypeError(missingPositional(f.name, f.params.slice(n, f.min)));
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
