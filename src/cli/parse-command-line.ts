/** `node:util` parseArgs for sub-commands: a bad flag becomes a UsageError (exit 2 with the usage). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs<T>({ strict: true, ...config });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
