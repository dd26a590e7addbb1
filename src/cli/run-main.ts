/** Runs a command line's commands on this process's arguments and streams, and sets the exit status. */
import type { Command } from './command';
import { processIo } from './node-io';
import { runCli } from './run-cli';

export function runMain(commands: readonly Command[]): void {
  runCli(commands, process.argv.slice(2), processIo()).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`portcullis: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
