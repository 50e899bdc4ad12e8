import {
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { HealthSetup } from '#observability';
import { deadLetterCount, startConsumer, type ConsumerOptions, type RunningConsumer } from './consumer.js';
import { EventLog } from './event-log.js';
import { EventHistory, eventHistoryController } from './event-history.js';
import { Relay, type RelayHealth, type RelayOptions } from './relay.js';
import { connectNats, ensureStreams, type StreamOptions } from './streams.js';

export type MessagingConfig = {
  /** The service name: NATS connection name and log context. */
  service: string;
  natsUrl: string | string[];
  /** Prefix for streams and subjects ('' or absent: none). */
  namespace?: string;
  /** The relay role's database URL. */
  relayDatabaseUrl: string;
  streams?: StreamOptions;
  relay?: Omit<RelayOptions, 'databaseUrl' | 'nats' | 'namespace'>;
  /**
   * Run the relay in this process (default). Off for API replicas when the relay runs as a process of
   * its own (`relay.ts` of the app), so request load and GC pauses never delay publishing.
   */
  runRelay?: boolean;
};

export type NatsHealth = { status: 'up'; server: string; rttMs: number } | { status: 'down'; reason: string };

/** Injection token of the app's `NatsConnection`. */
export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

/** A round trip to the server, bounded: a connection that is reconnecting reports down. */
export async function natsHealth(nats: NatsConnection, timeoutMs = 1000): Promise<NatsHealth> {
  if (nats.isClosed()) return { status: 'down', reason: 'connection closed' };
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    const rttMs = await Promise.race([nats.rtt(), timeout]);
    return { status: 'up', server: nats.getServer(), rttMs };
  } catch (error) {
    return { status: 'down', reason: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The app's NATS connection, streams, relay and consumers, tied to the Nest application's life. */
export class Messaging implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly relay: Relay;
  private readonly consumers: Array<RunningConsumer & { durable: string }> = [];

  constructor(
    readonly nats: NatsConnection,
    private readonly config: MessagingConfig,
  ) {
    this.relay = new Relay({
      ...config.relay,
      databaseUrl: config.relayDatabaseUrl,
      nats,
      namespace: config.namespace,
    });
  }

  get namespace(): string | undefined {
    return this.config.namespace || undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensureStreams(await jetstreamManager(this.nats), this.namespace, this.config.streams);
    if (this.config.runRelay !== false) this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await this.relay.stop();
    if (!this.nats.isClosed()) await this.nats.drain();
  }

  /** Starts a durable consumer on this connection; it stops with the application. */
  async startConsumer(options: Omit<ConsumerOptions, 'nats' | 'namespace'>): Promise<RunningConsumer> {
    const consumer = await startConsumer({ ...options, nats: this.nats, namespace: this.namespace });
    this.consumers.push({ ...consumer, durable: options.durable });
    return consumer;
  }

  /**
   * Messages this app's consumers parked in the dead-letter stream, still there: counted by the
   * stream, so what a replica parked before a restart counts too. For readiness to report.
   */
  async deadLetters(): Promise<number> {
    const durables = [...new Set(this.consumers.map((consumer) => consumer.durable))];
    const counts = await Promise.all(
      durables.map((durable) => deadLetterCount(this.nats, this.namespace, durable)),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  natsHealth(): Promise<NatsHealth> {
    return natsHealth(this.nats);
  }

  relayHealth(): RelayHealth {
    return this.relay.health();
  }
}

@Module({})
export class MessagingModule {
  /**
   * Provides `Messaging`, `EventLog` and `NATS_CONNECTION` to the whole app, and the auditors' view
   * of the log at `/<service>/audit/events` and `/<service>/audit/chain`.
   */
  static forRoot(config: MessagingConfig): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      controllers: [eventHistoryController(config.service)],
      providers: [
        { provide: EventHistory, useValue: new EventHistory(config.relayDatabaseUrl) },
        {
          provide: NATS_CONNECTION,
          useFactory: () => connectNats(config.natsUrl, config.service),
        },
        {
          provide: Messaging,
          useFactory: (nats: NatsConnection) => new Messaging(nats, config),
          inject: [NATS_CONNECTION],
        },
        { provide: EventLog, useValue: new EventLog() },
      ],
      exports: [NATS_CONNECTION, Messaging, EventLog],
    };
  }
}

/**
 * What readiness checks in a service with a database and messaging: the database and NATS answer.
 * And what it reports: the messages its consumers parked (HealthModule's counters).
 */
export function serviceReadiness(orm: MikroORM, messaging: Messaging): HealthSetup {
  return {
    checks: {
      database: async () => void (await orm.em.fork().execute('select 1')),
      nats: async () => {
        const health = await messaging.natsHealth();
        if (health.status !== 'up') throw new Error(health.reason);
      },
    },
    counters: { deadLetters: () => messaging.deadLetters() },
  };
}
