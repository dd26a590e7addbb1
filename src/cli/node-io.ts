/** The real process streams as a CliIo. */
import type { CliIo } from './command';

export function processIo(): CliIo {
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
