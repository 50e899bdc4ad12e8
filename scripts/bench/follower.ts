import { MikroORM } from '@mikro-orm/postgresql';
import { connect } from '@nats-io/transport-node';
import { startConsumer } from '#messaging';

// Another service following the people events, as a process of its own (forked by event-latency.ts
// with an IPC channel): the load generator's work never delays its handler. Each handled event is
// reported with this process's clock as milliseconds since the epoch (timeOrigin + now), which the
// parent can compare with its own.
const [consumerDb, natsUrl, namespace] = process.argv.slice(2);
const send = (message: unknown) => process.send!(message);
const orm = await MikroORM.init({
  clientUrl: consumerDb,
  entities: [],
  discovery: { warnWhenNoEntities: false },
});
const nats = await connect({ servers: natsUrl });
const consumer = await startConsumer({
  nats,
  namespace,
  orm,
  durable: 'bench-follower',
  filterSubject: 'accanto.people.>',
  handlers: {
    'accanto.people.person-registered.v1': async (event) => {
      send({
        personId: event.subjects.personId,
        at: performance.timeOrigin + performance.now(),
        wallClock: Date.now(),
        recordedAt: event.recordedAt,
      });
    },
  },
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
