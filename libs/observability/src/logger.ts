import { hostname } from 'node:os';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;

/** Keys whose values never reach a log line, at any depth up to `redactionDepth`. */
export const redactedKeys = [
  // Personal data (architecture.md §6): identity, contact and free text about a person.
  'name',
  'givenName',
  'familyName',
  'fullName',
  'alias',
  'aliases',
  'birthDate',
  'dateOfBirth',
  'birthPlace',
  'nationality',
  'gender',
  'fiscalCode',
  'taxCode',
  'documentNumber',
  'email',
  'phone',
  'address',
  'description',
  'notes',
  'note',
  'comment',
  'comments',
  'ip',
  'remoteAddress',
  'x-forwarded-for',
  // Whole request and event content, and URLs with their query strings (`?q=<name>`).
  'body',
  'payload',
  'query',
  'url',
  // Secrets.
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'x-api-key',
];

/** Nesting levels covered: `name`, `person.name`, `req.body.name`, `a.b.c.name`. Redaction paths have no "any depth" form. */
export const redactionDepth = 4;

function redactionPaths(): string[] {
  return redactedKeys.flatMap((key) => {
    const plain = /^[A-Za-z_$][\w$]*$/.test(key);
    return Array.from({ length: redactionDepth }, (_, depth) => {
      const parents = Array.from({ length: depth }, () => '*').join('.');
      if (plain) return parents ? `${parents}.${key}` : key;
      return `${parents}["${key}"]`;
    });
  });
}

// Correlates log lines with traces: the span active where the line is written (the request's).
function traceContext(): Record<string, string> {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

/**
 * JSON logs on stdout (or `destination`), one line per event, with the active trace and span ids
 * and personal data and secrets redacted. Never log what a person told us through the message
 * string: redaction works on keys, not on free text.
 */
export function createLogger(
  service: string,
  level: LogLevel = 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { service, pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    mixin: traceContext,
    redact: { paths: redactionPaths(), censor: '[REDACTED]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
