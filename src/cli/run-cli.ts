/** Dispatches `portcullis <command...> [args]` to the matching command and turns errors into exit statuses. */
import { UsageError, type CliIo, type Command } from './command';

function matchLength(command: Command, argv: readonly string[]): number {
  return command.path.every((word, i) => argv[i] === word) ? command.path.length : 0;
}

export function helpText(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const lines = commands.map((c) => `  portcullis ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return `Portcullis: device control and idle lock for school PCs.\n\nUsage:\n${lines.join('\n')}\n\nRun 'portcullis <command> --help' for a command's options.\n`;
}

/** Runs one invocation; returns the exit status (0 ok, 1 failure, 2 bad usage). */
export async function runCli(commands: readonly Command[], argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.out(helpText(commands));
    return argv.length === 0 ? 2 : 0;
  }
  let best: Command | undefined;
  for (const command of commands) {
    if (matchLength(command, argv) > (best?.path.length ?? 0)) best = command;
  }
  if (!best) {
    io.err(`portcullis: unknown command '${argv.join(' ')}'\n\n${helpText(commands)}`);
    return 2;
  }
  const args = argv.slice(best.path.length);
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`Usage: ${best.usage}\n\n${best.summary}\n`);
    return 0;
  }
  try {
    return await best.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`portcullis ${best.path.join(' ')}: ${error.message}\nUsage: ${best.usage}\n`);
      return 2;
    }
    io.err(`portcullis ${best.path.join(' ')}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
