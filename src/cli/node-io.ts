/** The real process streams as a CliIo. */
import type { CliIo } from './command';

/** A reader that stops early (`portcullis devices | head`) closes the pipe: stop quietly, as Unix tools do. */
function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

export function processIo(): CliIo {
  exitQuietlyOnClosedPipe(process.stdout);
  return {
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  };
}
