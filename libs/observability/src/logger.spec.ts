import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { StackContextManager } from '@opentelemetry/sdk-trace';
import { createLogger } from './logger.js';
import { NestPinoLogger } from './nest-pino.logger.js';

// A pino destination that keeps each line, parsed, so tests read back exactly what would be shipped.
function capture() {
  const raw: string[] = [];
  return {
    destination: { write: (line: string) => void raw.push(line) },
    raw: () => raw.join(''),
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

const person = {
  id: '01935d3c-7f00-7000-8000-000000000001',
  name: 'Mario Rossi',
  givenName: 'Mario',
  familyName: 'Rossi',
  aliases: ['il Rosso'],
  birthDate: '1971-04-02',
  description: 'sleeps under the arcades of Piazza Duca d’Aosta',
  notes: 'diabetic, asked for insulin',
};
const secrets = [
  'Mario',
  'Rossi',
  'Rosso',
  '1971-04-02',
  'arcades',
  'insulin',
  'eyJhbGciOi',
  'session=s3cr3t',
];

describe('createLogger', () => {
  it('redacts personal data and secrets wherever they sit, keeping what operations need', () => {
    const out = capture();
    const logger = createLogger('people', 'info', out.destination);

    logger.info(
      {
        organisation: 'croce-rossa',
        route: '/people/persons/:id',
        person,
        req: {
          headers: {
            authorization: 'Bearer eyJhbGciOi.x.y',
            cookie: 'session=s3cr3t',
            accept: 'application/json',
          },
        },
        body: { anything: 'Mario' },
        event: { payload: { personId: person.id, name: 'Mario' } },
        deep: { a: { b: { name: 'Mario' } } },
      },
      'person read',
    );
    logger.child({ person: { givenName: 'Rossi' } }).warn('child bindings too');

    for (const value of secrets) expect(out.raw()).not.toContain(value);
    const [line, childLine] = out.lines();
    expect(line).toMatchObject({
      level: 'info',
      service: 'people',
      msg: 'person read',
      organisation: 'croce-rossa',
      route: '/people/persons/:id',
      person: { id: person.id, name: '[REDACTED]', aliases: '[REDACTED]', notes: '[REDACTED]' },
      req: { headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'application/json' } },
      body: '[REDACTED]',
      deep: { a: { b: { name: '[REDACTED]' } } },
    });
    expect(childLine).toMatchObject({ level: 'warn', person: { givenName: '[REDACTED]' } });
  });

  it('respects the level', () => {
    const out = capture();
    const logger = createLogger('people', 'warn', out.destination);
    logger.info('not shipped');
    logger.warn('shipped');
    expect(out.lines().map((line) => line.msg)).toEqual(['shipped']);
  });

  describe('trace correlation', () => {
    const contextManager = new StackContextManager();
    beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
    afterAll(() => context.disable());

    it('adds the active span’s trace and span ids, and nothing outside a span', () => {
      const out = capture();
      const logger = createLogger('people', 'info', out.destination);
      const span = trace.wrapSpanContext({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: TraceFlags.SAMPLED,
      });

      context.with(trace.setSpan(ROOT_CONTEXT, span), () => logger.info('inside'));
      logger.info('outside');

      const [inside, outside] = out.lines();
      expect(inside).toMatchObject({
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        span_id: '00f067aa0ba902b7',
      });
      expect(outside).not.toHaveProperty('trace_id');
      expect(outside).not.toHaveProperty('span_id');
    });
  });
});

describe('NestPinoLogger', () => {
  it("maps Nest's calls to pino levels, with Nest's context and stack as fields", () => {
    const out = capture();
    const logger = new NestPinoLogger(createLogger('people', 'trace', out.destination));
    const stack = 'Error: boom\n    at PersonService.read (person.service.js:10:5)';

    logger.log('Mapped {/people/persons, GET} route', 'RouterExplorer');
    logger.error('boom', stack, 'ExceptionsHandler');
    logger.warn({ check: 'database', person: { name: 'Mario' } }, 'Health');
    logger.verbose('detail');
    logger.error(new Error('failed to connect'));

    expect(out.raw()).not.toContain('Mario');
    expect(out.lines()).toMatchObject([
      { level: 'info', context: 'RouterExplorer', msg: 'Mapped {/people/persons, GET} route' },
      { level: 'error', context: 'ExceptionsHandler', stack, msg: 'boom' },
      { level: 'warn', context: 'Health', check: 'database', person: { name: '[REDACTED]' } },
      { level: 'trace', msg: 'detail' },
      { level: 'error', msg: 'failed to connect', err: { type: 'Error', message: 'failed to connect' } },
    ]);
  });
});
