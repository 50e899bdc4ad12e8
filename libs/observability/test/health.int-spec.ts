import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { AuthModule } from '#auth';
import { HealthModule, type HealthChecks } from '#observability';

// A real Fastify Nest app with the real deny-by-default auth guard: health must answer without a token.

@Controller('people/persons')
class GuardedController {
  @Get()
  list() {
    return [];
  }
}

const database: HealthChecks[string] = async () => {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('select 1');
  } finally {
    await client.end();
  }
};

let app: NestFastifyApplication | undefined;

async function start(health: DynamicModule): Promise<string> {
  @Module({
    imports: [
      // Nothing listens on port 9: any token check would fail, so only @Public() routes can answer 200.
      AuthModule.forRoot({ issuer: 'http://127.0.0.1:9/realms/accanto', audience: 'accanto-api' }),
      health,
    ],
    controllers: [GuardedController],
  })
  class TestModule {}
  app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
  await app.listen(0, '127.0.0.1');
  return app.getUrl();
}

afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('HealthModule', () => {
  it('serves live and ready under the prefix, without a token, while other routes need one', async () => {
    const url = await start(HealthModule.forRoot({ prefix: 'people', checks: { database } }));

    const live = await fetch(`${url}/people/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });

    const ready = await fetch(`${url}/people/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });

    expect((await fetch(`${url}/people/persons`)).status).toBe(401);
  });

  it('answers 503 problem+json naming the failed and hung checks, with no error detail or stack', async () => {
    const url = await start(
      HealthModule.forRoot({
        prefix: '/people/',
        timeoutMs: 200,
        checks: {
          database,
          nats: async () => {
            throw new Error('CONNECTION_REFUSED nats://admin:hunter2@nats:4222');
          },
          keys: () => new Promise<void>(() => {}),
        },
      }),
    );

    const ready = await fetch(`${url}/people/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const text = await ready.text();
    expect(JSON.parse(text)).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'Not ready: nats failed, keys timed-out.',
      instance: '/people/health/ready',
      checks: { database: 'ok', nats: 'failed', keys: 'timed-out' },
    });
    expect(text).not.toMatch(/hunter2|CONNECTION_REFUSED|\bat /);

    // Liveness does not depend on the dependencies.
    expect((await fetch(`${url}/people/health/live`)).status).toBe(200);
  });

  it('builds its checks from injected providers with forRootAsync', async () => {
    const PROBE = Symbol('PROBE');
    @Module({ providers: [{ provide: PROBE, useValue: { ping: async () => {} } }], exports: [PROBE] })
    class ProbeModule {}

    const url = await start(
      HealthModule.forRootAsync({
        prefix: 'outings',
        imports: [ProbeModule],
        inject: [PROBE],
        useFactory: (probe: { ping: () => Promise<void> }) => ({ checks: { nats: () => probe.ping() } }),
      }),
    );

    const ready = await fetch(`${url}/outings/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { nats: 'ok' } });
  });

  it('reports counters with readiness without being decided by them; one that fails or hangs reads null', async () => {
    let parked = 0;
    const url = await start(
      HealthModule.forRoot({
        prefix: 'outings',
        timeoutMs: 200,
        checks: { database },
        counters: {
          deadLetters: async () => parked,
          failing: async () => {
            throw new Error('stream not found');
          },
          hung: () => new Promise<number>(() => {}),
        },
      }),
    );

    const ready = async () => {
      const response = await fetch(`${url}/outings/health/ready`);
      return {
        status: response.status,
        body: (await response.json()) as { counters: Record<string, unknown> },
      };
    };
    expect(await ready()).toEqual({
      status: 200,
      body: {
        status: 'ok',
        checks: { database: 'ok' },
        counters: { deadLetters: 0, failing: null, hung: null },
      },
    });
    parked = 3;
    expect((await ready()).body.counters.deadLetters).toBe(3);
    expect((await ready()).status).toBe(200);
  });
});
