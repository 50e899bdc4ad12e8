import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startDevIdentityProvider } from '#dev-identity';
import { streamNames } from '#messaging';
import {
  collectEvents,
  createDatabase,
  dropDatabase,
  fetchToken,
  uniqueName,
  type CollectedEvent,
} from '#testing';
import { v7 as uuidv7 } from 'uuid';
import { createPeopleApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
export type Call = { status: number; headers: Headers; body: any };

/**
 * The people app on its own database and stream namespace, the development identity provider
 * issuing real tokens, and a collector of everything that reaches the stream.
 */
export async function startPeople(overrides: Record<string, string> = {}) {
  const adminUrl = process.env.DATABASE_URL!;
  const idp = await startDevIdentityProvider({ port: 0 });
  const databaseUrl = await createDatabase(adminUrl);
  const namespace = uniqueName();
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_PROVISION: 'true',
    NATS_URL: process.env.NATS_URL,
    NATS_NAMESPACE: namespace,
    OIDC_ISSUER: idp.issuer,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...overrides,
  });
  const app: NestFastifyApplication = await createPeopleApp(config);
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

export type People = Awaited<ReturnType<typeof startPeople>>;

export const users = {
  owner: 'volontari-milano-aperta.operator',
  ownerCoordinator: 'volontari-milano-aperta.coordinator',
  other: 'casa-della-carita.operator',
  third: 'partner-04.operator',
  hub: 'centro-sammartini.hub',
  lead: 'cri-milano.lead',
  auditor: 'auditors.auditor',
} as const;

/** A registration with overrides: the smallest valid identified person. */
/** Who may act on a record that only its owner's coordinators may act on, and what each gets. */
export const ownerCoordinatorsOnly = [
  ['owner coordinator', users.ownerCoordinator, 200],
  ['owner operator', users.owner, 403],
  ['other partner coordinator', 'casa-della-carita.coordinator', 404],
  ['hub', users.hub, 403],
  ['lead', users.lead, 403],
  ['auditor', users.auditor, 403],
] as const;

export function aPerson(overrides: Record<string, unknown> = {}) {
  return {
    givenName: 'Ionuț',
    familyName: 'Popescu',
    nameQuality: 'full',
    aliases: [{ name: 'Johnny', kind: 'street-name' }],
    birthDate: '1979-03-14',
    birthDateQuality: 'full',
    gender: 'uomo',
    nationality: 'RO',
    languages: ['ro', 'it'],
    usualArea: 'stazione-centrale',
    ...overrides,
  };
}

export function aConsent(overrides: Record<string, unknown> = {}) {
  return {
    scope: 'organisations',
    organisations: ['casa-della-carita'],
    purpose: 'case-coordination',
    lawfulBasis: 'consent',
    evidence: { kind: 'signed-form', reference: 'modulo 2026/114' },
    givenAt: new Date(Date.now() - 60_000).toISOString(),
    ...overrides,
  };
}

export const newId = () => uuidv7();
