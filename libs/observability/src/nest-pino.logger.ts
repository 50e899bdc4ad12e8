import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

// Nest passes `(message, ...params, context?)`, and for errors `(message, stack?, context?)`.
const stackPattern = /\n\s+at /;

/** Nest's LoggerService over a pino logger, for `app.useLogger(new NestPinoLogger(logger))`. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    if (rest.length > 0 && typeof rest.at(-1) === 'string' && !stackPattern.test(rest.at(-1) as string)) {
      fields.context = rest.pop();
    }
    const stack = rest.find(
      (param): param is string => typeof param === 'string' && stackPattern.test(param),
    );
    if (stack) fields.stack = stack;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
