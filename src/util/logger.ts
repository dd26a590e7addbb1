/** Structured JSON-lines logging to stderr: `createLogger('module')`. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LogSink {
  write(line: string): void;
}

/** PORTCULLIS_LOG_LEVEL: debug, info (the default), warn or error. */
export function configuredLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  const level = env.PORTCULLIS_LOG_LEVEL;
  return level === 'debug' || level === 'info' || level === 'warn' || level === 'error' ? level : 'info';
}

export function createLogger(module: string, sink: LogSink = process.stderr, minimum: LogLevel = configuredLevel()): Logger {
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[minimum]) return;
    sink.write(`${JSON.stringify({ time: new Date().toISOString(), level, module, message, ...fields })}\n`);
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}
