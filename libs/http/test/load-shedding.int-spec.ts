import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp, type LoadSheddingOptions } from '#http';
import { eventually } from '#testing';

// Requests the handler has started, and the gate that holds them there until the test opens it.
let started = 0;
let open: () => void = () => undefined;
let gate = Promise.resolve();
function closeGate(): void {
  gate = new Promise((resolve) => (open = resolve));
}

@Controller('people')
class HeldController {
  @Post('things')
  async create() {
    started += 1;
    await gate;
    return { done: true };
  }

  @Get('health/live')
  live() {
    return { status: 'up' };
  }

  @Get('health/ready')
  ready() {
    return { status: 'up' };
  }
}

@Module({ controllers: [HeldController] })
class HeldModule {}

let app: NestFastifyApplication | undefined;
afterEach(async () => {
  open();
  await app?.close();
  app = undefined;
});

async function start(loadShedding: LoadSheddingOptions): Promise<string> {
  started = 0;
  closeGate();
  app = await createHttpApp(HeldModule, {
    prefix: 'people',
    title: 'test',
    description: 'test',
    loadShedding,
  });
  await app.listen(0, '127.0.0.1');
  return app.getUrl();
}

const post = (url: string, signal?: AbortSignal) =>
  fetch(`${url}/people/things`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    signal,
  });

async function expectRefused(response: Response, instance: string): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('retry-after')).toBe('2');
  // Kept open: Node reads the unread body off the wire, and a retry needs no new connection.
  expect(response.headers.get('connection')).toBe('keep-alive');
  expect(await response.json()).toEqual({
    type: 'https://accanto.example/problems/overloaded',
    title: 'Service unavailable',
    status: 503,
    detail: 'Too busy to take this request now: retry in 2 s.',
    instance,
  });
}

describe('load shedding', () => {
  it('refuses requests beyond the limit in flight with 503 problem+json, before the handler; liveness still answers', async () => {
    const url = await start({ maxRequestsInFlight: 2 });
    const held = [post(url), post(url)];
    await eventually(() => expect(started).toBe(2));

    await expectRefused(await post(url), '/people/things');
    expect(started).toBe(2); // the refused request never reached the handler
    expect((await fetch(`${url}/people/health/live`)).status).toBe(200);
    await expectRefused(await fetch(`${url}/people/health/ready`), '/people/health/ready');

    open();
    expect((await Promise.all(held)).map((response) => response.status)).toEqual([201, 201]);
    expect((await post(url)).status).toBe(201);
  });

  it('frees the place of a request whose client went away', async () => {
    const url = await start({ maxRequestsInFlight: 1 });
    const abort = new AbortController();
    const abandoned = post(url, abort.signal).catch((error: Error) => error.name);
    await eventually(() => expect(started).toBe(1));

    expect((await post(url)).status).toBe(503);

    abort.abort();
    expect(await abandoned).toBe('AbortError');
    open();
    await eventually(async () => expect((await post(url)).status).toBe(201));
  });

  it('refuses while the heap in use is above its share of the limit', async () => {
    const url = await start({ maxHeapUsedFraction: 0.0001, sampleIntervalMs: 20 });
    open();
    const refused = await eventually(async () => {
      const response = await post(url);
      expect(response.status).toBe(503);
      return response;
    });
    await expectRefused(refused, '/people/things');
    expect((await fetch(`${url}/people/health/live`)).status).toBe(200);
  });
});
