import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { parseEnvelope } from '#contracts';
import { startDevIdentityProvider } from '#dev-identity';
import { messagingMigrationSql, startConsumer, streamNames, type RunningConsumer } from '#messaging';
import {
  collectEvents,
  createDatabase,
  dropDatabase,
  eventually,
  fetchToken,
  startAppProcess,
  uniqueName,
  type CollectedEvent,
} from '#testing';
import { v7 as uuidv7 } from 'uuid';

// The people app as a real process (OpenTelemetry registered, config from the environment), the
// development identity provider, real PostgreSQL and JetStream, and a consumer in another
// "service" (this test) that follows the events and continues their traces.
describe('people, end to end', () => {
  const adminUrl = process.env.DATABASE_URL!;
  const natsUrl = process.env.NATS_URL!;
  const namespace = uniqueName();
  const spans = new InMemorySpanExporter();
  let idp: Awaited<ReturnType<typeof startDevIdentityProvider>>;
  let people: Awaited<ReturnType<typeof startAppProcess>>;
  let peopleDb: string;
  let consumerDb: string;
  let orm: MikroORM;
  let nats: NatsConnection;
  let consumer: RunningConsumer;
  let stream: { events: CollectedEvent[]; close: () => Promise<void> };
  const consumed: Array<{ id: string; traceId: string | undefined }> = [];

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
    );
    idp = await startDevIdentityProvider({ port: 0 });
    peopleDb = await createDatabase(adminUrl);
    people = await startAppProcess('people', 'people', {
      DATABASE_URL: peopleDb,
      DATABASE_PROVISION: 'true',
      NATS_URL: natsUrl,
      NATS_NAMESPACE: namespace,
      OIDC_ISSUER: idp.issuer,
      LOG_LEVEL: 'warn',
    });
    stream = await collectEvents(natsUrl, streamNames(namespace).events);

    // Another service's consumer: its own database with an inbox.
    consumerDb = await createDatabase(adminUrl);
    const setup = new pg.Client({ connectionString: consumerDb });
    await setup.connect();
    await setup.query(messagingMigrationSql({ app: 'postgres', relay: 'postgres' }));
    await setup.end();
    orm = await MikroORM.init({
      clientUrl: consumerDb,
      entities: [],
      discovery: { warnWhenNoEntities: false },
    });
    nats = await connect({ servers: natsUrl });
    consumer = await startConsumer({
      nats,
      namespace,
      orm,
      durable: 'e2e-follower',
      filterSubject: 'accanto.people.>',
      handlers: {
        'accanto.people.person-registered.v1': async (event) => {
          consumed.push({ id: event.id, traceId: trace.getActiveSpan()?.spanContext().traceId });
        },
      },
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await nats?.close();
    await orm?.close();
    await stream?.close();
    await people?.stop();
    await idp?.close();
    if (peopleDb) await dropDatabase(adminUrl, peopleDb);
    if (consumerDb) await dropDatabase(adminUrl, consumerDb);
  });

  const register = async (token: string, headers: Record<string, string> = {}) =>
    fetch(`${people.url}/people/persons`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        givenName: 'Bogdan',
        familyName: 'Ionescu',
        nameQuality: 'full',
        birthDateQuality: 'unknown',
        estimatedAge: 50,
      }),
    });

  it('the trace started by the HTTP request continues in the consumer’s span; every event has the full envelope', async () => {
    const traceId = uuidv7().replaceAll('-', '');
    const token = await fetchToken(idp, 'volontari-milano-aperta.operator');
    const response = await register(token, { traceparent: `00-${traceId}-${'a1'.repeat(8)}-01` });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };

    const published = await eventually(() => {
      const event = stream.events.find((e) => (e.data.subjects as { personId?: string }).personId === id);
      expect(event).toBeDefined();
      return event!;
    });
    expect(published.subject).toBe(`${namespace}.accanto.people.person-registered.v1`);
    expect(published.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-`));

    const seen = await eventually(() => {
      const event = consumed.find((c) => c.id === published.data.id);
      expect(event).toBeDefined();
      return event!;
    });
    expect(seen.traceId).toBe(traceId);
    // The consumer's span is a child of the span that was active when the event was recorded.
    await eventually(() => {
      const consumerSpan = spans.getFinishedSpans().find((s) => s.spanContext().traceId === traceId);
      expect(consumerSpan?.parentSpanContext?.spanId).toBe(published.headers.traceparent.split('-')[2]);
    });

    for (const event of stream.events) {
      expect(parseEnvelope(event.data)).toEqual(event.data);
      expect(event.msgId).toBe(event.data.id);
      expect(JSON.stringify(event.data)).not.toMatch(/Bogdan|Ionescu/);
    }
  });

  describe('tokens', () => {
    const personsPath = () => `${people.url}/people/persons`;
    const get = (authorization?: string) =>
      fetch(personsPath(), { headers: authorization ? { authorization } : {} });

    it('a valid token from the realm is accepted', async () => {
      expect((await get(`Bearer ${await fetchToken(idp, 'casa-della-carita.operator')}`)).status).toBe(200);
    });

    it('missing → 401 with WWW-Authenticate: Bearer and problem+json', async () => {
      const response = await get();
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    });

    const realmClaims = {
      sub: uuidv7(),
      typ: 'Bearer',
      azp: 'accanto-web',
      realm_access: { roles: ['operator'] },
      organization: ['casa-della-carita'],
    };

    it('expired → 401', async () => {
      const token = await idp.signAccessToken(realmClaims, { expiresInSeconds: -120 });
      expect((await get(`Bearer ${token}`)).status).toBe(401);
    });

    it('another audience → 401', async () => {
      const token = await idp.signAccessToken({ ...realmClaims, aud: 'another-api' });
      expect((await get(`Bearer ${token}`)).status).toBe(401);
    });

    it('another issuer (another identity provider) → 401', async () => {
      const other = await startDevIdentityProvider({ port: 0 });
      try {
        const token = await fetchToken(other, 'casa-della-carita.operator');
        expect((await get(`Bearer ${token}`)).status).toBe(401);
      } finally {
        await other.close();
      }
    });

    it('unsigned (alg none) → 401', async () => {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...realmClaims, iss: idp.issuer, aud: 'accanto-api', iat: now, exp: now + 300 })}.`;
      expect((await get(`Bearer ${token}`)).status).toBe(401);
    });

    it('signed by a key the realm does not publish → 401', async () => {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      const kid = (await exportJWK(publicKey)).n!.slice(0, 16);
      const token = await new SignJWT({ ...realmClaims })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(idp.issuer)
        .setAudience('accanto-api')
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      expect((await get(`Bearer ${token}`)).status).toBe(401);
    });

    it('a role the route does not admit → 403', async () => {
      const response = await get(`Bearer ${await fetchToken(idp, 'residenzami.desk')}`);
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    });

    it('health and docs are public; OpenAPI documents the routes', async () => {
      expect((await fetch(`${people.url}/people/health/live`)).status).toBe(200);
      const openapi = (await (await fetch(`${people.url}/people/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      expect(openapi.openapi).toMatch(/^3\.1/);
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(['/people/persons', '/people/persons/{id}', '/people/persons/{id}/consents']),
      );
      expect((await fetch(`${people.url}/people/docs`)).status).toBe(200);
    });
  });
});
