/** The shape every `portcullis` sub-command has, and the streams it is given (so tests can run it in-process). */

export interface CliIo {
  /** Whole standard input, read on demand. */
  readStdin(): Promise<string>;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  /** Words that select it, e.g. `['rules', 'canon']`. */
  path: string[];
  summary: string;
  usage: string;
  /** Returns the exit status. `args` are what follows the command's path. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown for a bad invocation; the CLI prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

/** Prints `message` as the command's error and gives the failure exit status, 1. */
export function fail(io: CliIo, message: string): number {
  io.err(`${message}\n`);
  return 1;
}
