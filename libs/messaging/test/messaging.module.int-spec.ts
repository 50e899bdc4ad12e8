import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MikroORM } from '@mikro-orm/postgresql';
import { NestFactory } from '@nestjs/core';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventually, uniqueName } from '#testing';
import { EventLog } from '../src/event-log.js';
import { Messaging, MessagingModule, NATS_CONNECTION } from '../src/messaging.module.js';
import { streamNames } from '../src/streams.js';
import {
  createMessagingDatabase,
  deleteStreams,
  openOrm,
  personRegistered,
  streamMessages,
  type TestDatabase,
} from './fixtures.js';

describe('MessagingModule', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  let namespace: string;

  beforeEach(async () => {
    db = await createMessagingDatabase();
    orm = await openOrm(db.appUrl);
    namespace = uniqueName('n');
  });

  afterEach(async () => {
    await orm.close();
    await db.drop();
  });

  it('connects, provisions the streams, runs the relay with the app and stops with it', async () => {
    const app = await NestFactory.createApplicationContext(
      MessagingModule.forRoot({
        service: 'people',
        natsUrl: process.env.NATS_URL!,
        namespace,
        relayDatabaseUrl: db.relayUrl,
        relay: { logger: { log: () => undefined, warn: () => undefined, error: () => undefined } },
      }),
      { logger: false },
    );
    const messaging = app.get(Messaging);
    const nats = app.get<NatsConnection>(NATS_CONNECTION);
    try {
      expect(await messaging.natsHealth()).toMatchObject({ status: 'up', server: expect.any(String) });
      await eventually(() => expect(messaging.relayHealth().state).toBe('active'));

      const [event] = await orm.em
        .fork()
        .transactional((em) => app.get(EventLog).append(em, [personRegistered()]));
      const jsm = await jetstreamManager(nats);
      await eventually(async () => {
        const messages = await streamMessages(jsm, streamNames(namespace).events);
        expect(messages.map((m) => m.header.get('Nats-Msg-Id'))).toEqual([event.id]);
      });
      expect((await jsm.streams.info(streamNames(namespace).deadLetter)).config.subjects).toEqual([
        `${namespace}.accanto-dlq.>`,
      ]);
      await deleteStreams(nats, namespace);
    } finally {
      await app.close();
    }
    expect(messaging.relayHealth().state).toBe('stopped');
    expect(nats.isClosed()).toBe(true);
    expect(await messaging.natsHealth()).toEqual({ status: 'down', reason: 'connection closed' });
  });
});
