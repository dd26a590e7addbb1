/** Runs a CLI command in-process with captured streams. */
import type { CliIo, Command } from '../../src/cli/command';

export interface CommandRun {
  status: number;
  out: string;
  err: string;
}

export async function runCommand(command: Command, args: string[], stdin = ''): Promise<CommandRun> {
  const run = { out: '', err: '' };
  const io: CliIo = {
    readStdin: async () => stdin,
    out: (text) => void (run.out += text),
    err: (text) => void (run.err += text),
  };
  const status = await command.run(args, io);
  return { status, ...run };
}
