import { connect } from '@nats-io/transport-node';
import { republishAll } from '#messaging';
import { loadConfig, relayDatabaseUrl } from './config.js';

// The recovery drill (architecture.md §3): publish the outings service's whole event log again.
// JetStream's dedup window and every consumer's inbox make repeats harmless.
const config = loadConfig();
const nats = await connect({ servers: config.nats.url, name: 'outings-republish' });
try {
  const { published } = await republishAll({
    databaseUrl: relayDatabaseUrl(config),
    nats,
    namespace: config.nats.namespace || undefined,
  });
  console.log(`outings: republished ${published} events`);
} finally {
  await nats.drain();
}
