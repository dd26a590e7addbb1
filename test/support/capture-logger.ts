/** A Logger that keeps its lines for assertions. */
import { createLogger, type Logger } from '../../src/util/logger';

export interface LogLine {
  level: string;
  module: string;
  message: string;
  [field: string]: unknown;
}

export function captureLogger(module = 'test'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger(module, { write: (line) => lines.push(JSON.parse(line) as LogLine) }, 'debug');
  return { logger, lines };
}
