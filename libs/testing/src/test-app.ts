import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startDevIdentityProvider } from '#dev-identity';
import { streamNames } from '#messaging';
import { createDatabase, dropDatabase, uniqueName } from './infrastructure.js';
import { collectEvents, type CollectedEvent } from './event-collector.js';
import { fetchToken } from './tokens.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
export type Call = { status: number; headers: Headers; body: any };

/**
 * An app in this process on its own database and stream namespace, with the development identity
 * provider issuing real tokens and a collector of everything that reaches the stream. `call` makes
 * a request as a demo user (`null`: no token); `close` stops it all and drops the database.
 */
export async function startTestApp<C>(options: {
  loadConfig: (env: Record<string, string | undefined>) => C;
  createApp: (config: C) => Promise<NestFastifyApplication>;
  env?: Record<string, string>;
}) {
  const adminUrl = process.env.DATABASE_URL!;
  const idp = await startDevIdentityProvider({ port: 0 });
  const databaseUrl = await createDatabase(adminUrl);
  const namespace = uniqueName();
  const config = options.loadConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_PROVISION: 'true',
    NATS_URL: process.env.NATS_URL,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: idp.issuer,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const app = await options.createApp(config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const stream = await collectEvents(process.env.NATS_URL!, streamNames(namespace).events);
  const tokens = new Map<string, string>();

  const tokenOf = async (username: string) => {
    if (!tokens.has(username)) tokens.set(username, await fetchToken(idp, username));
    return tokens.get(username)!;
  };

  async function call(
    username: string | null,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Call> {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(username ? { authorization: `Bearer ${await tokenOf(username)}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  return {
    url,
    idp,
    config,
    databaseUrl,
    namespace,
    app,
    events: stream.events as CollectedEvent[],
    call,
    tokenOf,
    eventsOfType: (type: string) => stream.events.filter((e) => e.data.type === type),
    close: async () => {
      await stream.close();
      await app.close();
      await idp.close();
      await dropDatabase(adminUrl, databaseUrl);
    },
  };
}
