import { MikroORM } from '@mikro-orm/postgresql';
import { connect } from '@nats-io/transport-node';
import { natsSubject, startConsumer, type EventHandlers } from '#messaging';
import type { EventSubject } from '#contracts';

// Another service following events, as a process of its own (forked with an IPC channel by the
// benchmark): the load generator's work never delays its handler. Each handled event of `subject` is
// reported by its `subjects[key]` with this process's clock as milliseconds since the epoch
// (timeOrigin + now), which the parent can compare with its own.
const [consumerDb, natsUrl, namespace, filterSubject, subject, key] = process.argv.slice(2);
// After the parent disconnects, messages still in flight are dropped: nobody is listening. The
// callback takes the error of one sent as the channel closes, which would otherwise crash the process.
const send = (message: unknown) =>
  void (process.connected && process.send!(message, undefined, {}, () => undefined));
const orm = await MikroORM.init({
  clientUrl: consumerDb,
  entities: [],
  discovery: { warnWhenNoEntities: false },
});
const nats = await connect({ servers: natsUrl });
const now = () => performance.timeOrigin + performance.now();
// When each message reached this process, through a plain subscription beside the consumer: what
// separates NATS's delivery from the consumer's own work (its transaction, the inbox insert).
const arrived = new Map<string, number>();
nats.subscribe(natsSubject(subject, namespace), {
  callback: (_error, msg) =>
    void arrived.set(msg.json<{ subjects: Record<string, string> }>().subjects[key], now()),
});
const handlers = {
  [subject]: async (event: { subjects: Record<string, string>; recordedAt: string }) => {
    send({
      key: event.subjects[key],
      at: now(),
      arrivedAt: arrived.get(event.subjects[key]) ?? null,
      wallClock: Date.now(),
      recordedAt: event.recordedAt,
    });
    arrived.delete(event.subjects[key]);
  },
} as EventHandlers;
const consumer = await startConsumer({
  nats,
  namespace,
  orm,
  durable: 'bench-follower',
  filterSubject,
  handlers,
});
send('ready');
process.once('disconnect', () => {
  void (async () => {
    await consumer.stop();
    await nats.close();
    await orm.close();
    process.exit(0);
  })();
});

export type FollowerArgs = [
  consumerDb: string,
  natsUrl: string,
  namespace: string,
  filterSubject: string,
  subject: EventSubject,
  key: string,
];
