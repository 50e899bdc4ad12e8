import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Module,
  ServiceUnavailableException,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger, logRequests } from '#observability';

// Stands in for the auth guard, which leaves the actor on the request.
class ActorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ actor?: object }>();
    request.actor = {
      userId: 'f3b0c442-98fc-4c1c-a54b-3a1e2e4c9c01',
      organisation: 'caritas',
      roles: ['operator'],
    };
    return true;
  }
}

@Controller('people/persons')
class PersonController {
  @Get()
  search() {
    return { items: [] };
  }

  @Get(':id/broken')
  broken(): never {
    throw new Error('Mario Rossi could not be loaded');
  }

  @Get(':id/busy')
  busy(): never {
    throw new ServiceUnavailableException();
  }
}

@Module({ controllers: [PersonController], providers: [{ provide: APP_GUARD, useClass: ActorGuard }] })
class TestModule {}

const lines: string[] = [];
let app: NestFastifyApplication;
let url: string;

beforeAll(async () => {
  app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
  logRequests(
    app.getHttpAdapter().getInstance(),
    createLogger('people', 'info', { write: (line) => void lines.push(line) }),
  );
  await app.listen(0, '127.0.0.1');
  url = await app.getUrl();
});

afterAll(() => app.close());

const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('logRequests', () => {
  it('logs method, route pattern, status, duration and organisation: never the URL, its query or the user', async () => {
    await fetch(`${url}/people/persons?q=Mario%20Rossi`);
    await fetch(`${url}/people/persons/0193a1b2-0000-7000-8000-000000000001/broken`);
    await fetch(`${url}/people/nowhere/Mario`);
    await fetch(`${url}/people/persons/0193a1b2-0000-7000-8000-000000000001/busy`);

    const [search, broken, unmatched, refused] = logged();
    expect(search).toMatchObject({
      level: 'info',
      msg: 'request',
      method: 'GET',
      route: '/people/persons',
      status: 200,
      organisation: 'caritas',
    });
    expect(typeof search.durationMs).toBe('number');
    expect(broken).toMatchObject({ level: 'error', route: '/people/persons/:id/broken', status: 500 });
    expect(unmatched).toMatchObject({ level: 'info', route: null, status: 404 });
    // An overloaded app refusing work (load shedding) is not a failure to page anyone about.
    expect(refused).toMatchObject({ level: 'warn', msg: 'request refused', status: 503 });
    expect(lines.join('')).not.toMatch(/Mario|Rossi|0193a1b2|f3b0c442/);
  });
});
