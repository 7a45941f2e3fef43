// The `bsdsock` command: poking at sockets from the shell with the library
// itself. `bsdsock COMMAND --help` tells how each command is used.
//
// Exit status: 0 when the command did what was asked, 1 for an error of the OS
// or the resolver (printed as Python prints it, `[Errno 111] Connection refused`),
// 2 for a usage error (with the usage on stderr).

import { OSError } from '../errors';
import { parseArgs, UsageError } from './args';
import type { Command } from './command';
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
    "Run 'bsdsock COMMAND --help' for a command's arguments.",
    '',
  ].join('\n');
}

/** A usage error: the message and the usage on stderr, status 2. */
function usageError(prefix: string, message: string, usage: string): number {
  process.stderr.write(`${prefix}: ${message}\n${usage}`);
  return 2;
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
    if (e instanceof UsageError) return usageError(prefix, e.message, command.help);
    // A bad value the library refused (Python's ValueError/TypeError) is bad input too.
    if (e instanceof RangeError || e instanceof TypeError) return usageError(prefix, e.message, command.help);
    if (e instanceof OSError) {
      process.stderr.write(`${prefix}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** Runs the tool with `argv` (the arguments after the program name); resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(toolHelp());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return usageError('bsdsock', `unknown command '${name}'`, toolHelp());
  return runCommand(command, rest);
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
