// What every command of the `bsdsock` tool is: a name, its usage text, the
// options it takes, and a run function returning the exit status.

import type { OptionSpec, Parsed } from './args';

export interface Command {
  name: string;
  /** One line for the tool's own help. */
  summary: string;
  /** The full `--help` text, starting with the usage line(s). */
  help: string;
  options: readonly OptionSpec[];
  /** Runs the command; resolves to the exit status. */
  run(args: Parsed): number | Promise<number>;
}

/** Writes `text` to stdout, resolving once it is handed to the OS (so an exit loses nothing). */
export function out(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** A note on stderr, prefixed with the command's name. */
export function note(command: string, text: string): void {
  process.stderr.write(`bsdsock ${command}: ${text}\n`);
}

/** A failure the command has already put in words (what failed, and the OS's error): exit status 1. */
export class Failure extends Error {
  override get name(): string {
    return 'Failure';
  }
}
