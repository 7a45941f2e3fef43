// The `bsdsock` command: poking at sockets from the shell with the library
// itself. `bsdsock COMMAND --help` tells how each command is used.
//
// Exit status: 0 when the command did what was asked, 1 for an error of the OS
// or the resolver (printed as Python prints it, `[Errno 111] Connection refused`,
// after what failed), 2 for a usage error (one line saying what, and where the
// help is).

import * as fs from 'node:fs';
import * as path from 'node:path';

import { OSError } from '../errors';
import { didYouMean, parseArgs, UsageError } from './args';
import { Failure, type Command } from './command';
import { connect } from './connect';
import { getaddrinfoCommand } from './getaddrinfo';
import { getnameinfoCommand } from './getnameinfo';
import { listen } from './listen';
import { ping } from './ping';
import { sockopt } from './sockopt';

const COMMANDS: readonly Command[] = [getaddrinfoCommand, getnameinfoCommand, ping, connect, listen, sockopt];

function toolHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: bsdsock COMMAND [ARGS...]',
    '',
    'Pokes at sockets with the BSD socket API, as Python\'s socket module has it.',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'bsdsock help COMMAND' (or 'bsdsock COMMAND --help') for a command's arguments,",
    "'bsdsock --version' for the version.",
    '',
  ].join('\n');
}

/** A usage error: what was wrong and where the help is, on stderr; status 2. */
function usageError(prefix: string, message: string, helpCommand: string): number {
  process.stderr.write(`${prefix}: ${message}\nsee '${helpCommand}'\n`);
  return 2;
}

/** bsdsock's version, from its package.json. */
function version(): string {
  const file = path.join(__dirname, '../../../package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** The command called `name`, or a usage error (with a guess at what was meant). */
function findCommand(name: string): Command | number {
  const command = COMMANDS.find((c) => c.name === name);
  if (command !== undefined) return command;
  const guess = didYouMean(name, COMMANDS.map((c) => c.name));
  return usageError('bsdsock', `unknown command '${name}'${guess}`, 'bsdsock --help');
}

/** `bsdsock help [COMMAND]`: the tool's help, or a command's. */
function help(args: readonly string[]): number {
  if (args.length === 0) {
    process.stdout.write(toolHelp());
    return 0;
  }
  if (args.length > 1) return usageError('bsdsock help', `unexpected argument '${args[1]}'`, 'bsdsock --help');
  const command = findCommand(args[0]!);
  if (typeof command === 'number') return command;
  process.stdout.write(command.help);
  return 0;
}

/** Runs one command; what it throws becomes an exit status and a message. */
async function runCommand(command: Command, argv: readonly string[]): Promise<number> {
  const prefix = `bsdsock ${command.name}`;
  try {
    const args = parseArgs(argv, command.options);
    if (args.options.has('help')) {
      process.stdout.write(command.help);
      return 0;
    }
    return await command.run(args);
  } catch (e) {
    // A bad value the library refused (Python's ValueError/TypeError) is bad input too.
    if (e instanceof UsageError || e instanceof RangeError || e instanceof TypeError) {
      return usageError(prefix, e.message, `${prefix} --help`);
    }
    if (e instanceof OSError || e instanceof Failure) {
      process.stderr.write(`${prefix}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** Runs the tool with `argv` (the arguments after the program name); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(toolHelp());
    return 2;
  }
  if (name === '--help' || name === '-h') return help([]);
  if (name === 'help') return help(rest);
  if (name === '--version' || name === '-V') {
    process.stdout.write(`bsdsock ${version()}\n`);
    return 0;
  }
  if (name.startsWith('-')) return usageError('bsdsock', `unknown option '${name}'`, 'bsdsock --help');
  const command = findCommand(name);
  return typeof command === 'number' ? command : runCommand(command, rest);
}

/**
 * Stdout closed by its reader (`bsdsock connect ... | head`) ends the process
 * quietly with 128 + SIGPIPE, as a C program killed by SIGPIPE would; any other
 * error writing stdout is reported.
 */
function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(128 + 13);
  process.stderr.write(`bsdsock: stdout: ${e.message}\n`);
  process.exit(1);
}

/** The launcher's entry: runs `main` and exits with its status once output is flushed. */
export function run(argv: readonly string[] = process.argv.slice(2)): void {
  process.stdout.on('error', onStdoutError);
  main(argv).then(
    (status) => process.stdout.write('', () => process.exit(status)),
    (e: unknown) => {
      process.stderr.write(`bsdsock: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(70);
    },
  );
}
