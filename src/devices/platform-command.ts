/** Runs a platform tool (pnputil, system_profiler) whose failure means no device list at all. */
import type { CommandOutput, CommandRunner } from '../util/command-runner';

/** A device-listing tool could not be run or reported failure; the message says which and why. */
export class PlatformCommandError extends Error {
  constructor(
    message: string,
    readonly output: CommandOutput,
  ) {
    super(message);
    this.name = 'PlatformCommandError';
  }
}

/** The command's standard output, or a PlatformCommandError naming the command, its exit status and what it said. */
export async function runOrThrow(run: CommandRunner, program: string, args: readonly string[], options?: Parameters<CommandRunner>[2]): Promise<string> {
  const output = await (options === undefined ? run(program, args) : run(program, args, options));
  if (output.exitCode !== 0) {
    const said = (output.stderr.trim() || output.stdout.trim()).split(/\r?\n/)[0] ?? '';
    throw new PlatformCommandError(`${[program, ...args].join(' ')} failed (exit ${output.exitCode})${said ? `: ${said}` : ''}`, output);
  }
  return output.stdout;
}
