import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  InternalServerErrorException,
  Module,
  NotFoundException,
  Param,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_ORGANISATION, TracingInterceptor } from '#observability';

// Spans go to memory through the same SDK the apps use (tracer provider plus the AsyncLocalStorage
// context manager), here without instrumentations: the interceptor is what is under test.
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });

// Stands in for the auth guard, which runs before interceptors and leaves the actor on the request.
class ActorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; actor?: object }>();
    const organisation = request.headers['x-test-organisation'];
    if (organisation)
      request.actor = { userId: 'f3b0c442-98fc-4c1c-a54b-3a1e2e4c9c01', organisation, roles: ['operator'] };
    return true;
  }
}

@Controller('people/persons')
class PersonController {
  @Get(':id')
  async read(@Param('id') id: string) {
    await Promise.resolve();
    // Work inside the handler, after an await: it must land in the handler's span.
    return trace.getTracer('test').startActiveSpan('load person', (span) => {
      span.end();
      return { id };
    });
  }

  @Get(':id/missing')
  missing(): never {
    throw new NotFoundException();
  }

  @Get(':id/broken')
  async broken(): Promise<never> {
    throw new InternalServerErrorException('Mario Rossi could not be loaded');
  }
}

@Module({ controllers: [PersonController], providers: [{ provide: APP_GUARD, useClass: ActorGuard }] })
class TestModule {}

let app: NestFastifyApplication;
let url: string;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
  app.useGlobalInterceptors(new TracingInterceptor());
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

afterAll(async () => {
  await app.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

const finished = (name: string) => exporter.getFinishedSpans().find((span) => span.name === name);

describe('TracingInterceptor', () => {
  it('makes a <Controller>.<handler> span with the route pattern and the acting organisation, parent of the handler’s work', async () => {
    const response = await fetch(`${url}/people/persons/0193a1b2-0000-7000-8000-000000000001`, {
      headers: { 'x-test-organisation': 'croce-rossa' },
    });
    expect(response.status).toBe(200);

    const span = finished('PersonController.read');
    expect(span?.attributes).toEqual({
      'code.function.name': 'PersonController.read',
      'http.route': '/people/persons/:id',
      [ATTR_ORGANISATION]: 'croce-rossa',
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    const work = finished('load person');
    expect(work?.parentSpanContext?.spanId).toBe(span?.spanContext().spanId);
    expect(work?.spanContext().traceId).toBe(span?.spanContext().traceId);
  });

  it('leaves out the organisation when there is no actor', async () => {
    await fetch(`${url}/people/persons/0193a1b2-0000-7000-8000-000000000001`);
    expect(finished('PersonController.read')?.attributes).not.toHaveProperty(ATTR_ORGANISATION);
  });

  it('marks server errors as errors by type only, and client errors not at all', async () => {
    expect((await fetch(`${url}/people/persons/x/missing`)).status).toBe(404);
    expect((await fetch(`${url}/people/persons/x/broken`)).status).toBe(500);

    expect(finished('PersonController.missing')?.status.code).toBe(SpanStatusCode.UNSET);
    const broken = finished('PersonController.broken');
    expect(broken?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'InternalServerErrorException' });
    expect(broken?.attributes['error.type']).toBe('InternalServerErrorException');
    expect(JSON.stringify(broken?.events)).not.toContain('Mario');
  });
});
