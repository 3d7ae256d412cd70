import type { LogLevel, LoggerService } from '@nestjs/common';
import type { Config } from '../config/config.js';

// Structured JSON logs for both processes, at the level LOG_LEVEL names.
const NEST_LEVELS: Record<Config['LOG_LEVEL'], LogLevel[]> = {
  trace: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'],
  debug: ['debug', 'log', 'warn', 'error', 'fatal'],
  info: ['log', 'warn', 'error', 'fatal'],
  warn: ['warn', 'error', 'fatal'],
  error: ['error', 'fatal'],
  fatal: ['fatal'],
  silent: [],
};

/**
 * One JSON line per call. The code logs the pino way, `logger.warn({ fields }, 'message')`, and
 * Nest itself logs `logger.log('message', context)`; Nest's own ConsoleLogger would print the
 * fields and the message of the first as two entries. Errors among the fields keep their name,
 * message and code (JSON.stringify would print `{}`); their stack goes to the log only.
 */
export class JsonLogger implements LoggerService {
  private readonly levels: Set<LogLevel>;

  constructor(levels: LogLevel[]) {
    this.levels = new Set(levels);
  }

  log(message: unknown, ...rest: unknown[]) { this.write('log', message, rest); }
  warn(message: unknown, ...rest: unknown[]) { this.write('warn', message, rest); }
  error(message: unknown, ...rest: unknown[]) { this.write('error', message, rest); }
  fatal(message: unknown, ...rest: unknown[]) { this.write('fatal', message, rest); }
  debug(message: unknown, ...rest: unknown[]) { this.write('debug', message, rest); }
  verbose(message: unknown, ...rest: unknown[]) { this.write('verbose', message, rest); }

  setLogLevels(levels: LogLevel[]) {
    this.levels.clear();
    levels.forEach((level) => this.levels.add(level));
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.levels.has(level)) return;
    const params = [...rest];
    // A named Logger appends its name as the last parameter.
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.pop() as string) : undefined;
    const fields = typeof message === 'object' && message !== null && !(message instanceof Error) ? message : { message };
    const texts = params.filter((p) => typeof p === 'string');
    const entry = {
      level, pid: process.pid, timestamp: Date.now(), ...(context && { context }), ...fields,
      // (fields, 'message'), or Nest's error('message', stack).
      ...(texts.length > 0 && ('message' in fields ? { stack: texts.join('\n') } : { message: texts.join(' ') })),
    };
    const line = JSON.stringify(entry, (_, value) => (value instanceof Error ? errorFields(value) : typeof value === 'bigint' ? Number(value) : value));
    (level === 'error' || level === 'fatal' ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

function errorFields(error: Error & { code?: unknown }) {
  return { name: error.name, message: error.message, ...(error.code !== undefined && { code: error.code }), stack: error.stack };
}

export function jsonLogger(config: Config): JsonLogger {
  return new JsonLogger(NEST_LEVELS[config.LOG_LEVEL]);
}
